/*
 * The VXLAN receive path's pure checks on random datagrams.  Input: a first byte that
 * picks the mode (bit 0: remote list text, else a received UDP payload).  A datagram
 * vxlan_decap() passes has the I flag alone, zero reserved bits, a whole inner ethernet
 * header with a unicast source, and its VNI read back encodes to the same header; the
 * source port hash stays in range for any frame.  A remote list that parses has unique
 * unicast addresses of one family that format and parse back to themselves.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "containet/vxlan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_remotes(const uint8_t *data, size_t size)
{
	struct vxlan_addr r[VXLAN_REMOTES_MAX], back;
	char text[1024], out[INET6_ADDRSTRLEN];
	const char *err = NULL;
	int n;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	n = vxlan_remotes_parse(text, r, &err);
	if (n < 0) {
		assert(n == -EINVAL || n == -E2BIG);
		assert(err && err[0]);
		return;
	}
	assert(n >= 1 && n <= VXLAN_REMOTES_MAX);
	for (int i = 0; i < n; i++) {
		assert(r[i].family == r[0].family);
		assert(vxlan_addr_find(r, (unsigned)i, &r[i]) < 0);
		vxlan_addr_format(&r[i], out);
		assert(vxlan_addr_parse(out, &back) == 0 && vxlan_addr_equal(&back, &r[i]));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t hdr[VXLAN_HDR_LEN];
	uint32_t vni = UINT32_MAX;
	enum vxlan_verdict v;
	uint16_t port;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		fuzz_remotes(data + 1, size - 1);
		return 0;
	}
	data++;
	size--;
	v = vxlan_decap(data, size, &vni);
	assert(v >= VXLAN_OK && v < VXLAN_VERDICTS);
	if (v == VXLAN_OK) {
		assert(size >= VXLAN_HDR_LEN + VXLAN_INNER_MIN);
		assert(vni <= VXLAN_VNI_MAX);
		vxlan_encap(hdr, vni);
		assert(!memcmp(hdr, data, VXLAN_HDR_LEN));
		assert(!(data[VXLAN_HDR_LEN + 6] & 1));
	} else {
		assert(vni == UINT32_MAX);
	}
	if (size > VXLAN_HDR_LEN) {
		port = vxlan_source_port(data + VXLAN_HDR_LEN, size - VXLAN_HDR_LEN, 7);
		assert(port >= VXLAN_SPORT_MIN && port <= VXLAN_SPORT_MAX);
	}
	return 0;
}
