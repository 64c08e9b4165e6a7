/* IPv4 prefix lengths as masks, the one copy of the project. */
#pragma once

#include <stdint.h>

/* The mask of a prefix length from 0 to 32, in host byte order (htonl it for the wire). */
static inline uint32_t
netmask_v4(unsigned len)
{
	return len ? ~UINT32_C(0) << (32 - len) : 0;
}
