/*
 * What lab pingall reads from a node's raw ICMP socket: any bytes are refused, passed
 * over, or read as an echo reply of ours with the id and nonce asked for.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "containet/lab/labping.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct labping_reply r;
	int e = labping_parse(data, size, 0x1234, 0xcafef00du, &r);

	assert(e == 0 || e == -EINVAL || e == -ENOMSG);
	if (e == 0) {
		assert(size >= 20 + LABPING_LEN);
		assert(memcmp(&r.src, data + 12, 4) == 0);
	}
	return 0;
}
