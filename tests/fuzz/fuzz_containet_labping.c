/*
 * What lab pingall reads: from a node's raw ICMP socket, any bytes are refused, passed
 * over, or read as an echo reply of ours with the id and nonce asked for; from its
 * NETLINK_ROUTE socket (the same bytes, as a dump of the neighbour table), refused or read
 * as IPv4 entries, never past the end.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "containet/lab/labping.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
count(const struct labping_neigh *n, void *userdata)
{
	size_t *c = userdata;

	(void)n;
	++*c;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct labping_reply r;
	int e = labping_parse(data, size, 0x1234, 0xcafef00du, &r);
	uint8_t *copy;
	size_t n = 0;

	assert(e == 0 || e == -EINVAL || e == -ENOMSG);
	if (e == 0) {
		assert(size >= 20 + LABPING_LEN);
		assert(memcmp(&r.src, data + 12, 4) == 0);
	}
	/* A copy of exactly size bytes, so that a read past them is seen. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	e = labping_neigh_read(copy, size, 1, count, &n);
	assert(e == 0 || e == 1 || (e < 0 && e > -4096));
	assert(n <= size / 28);
	free(copy);
	return 0;
}
