/*
 * Software segmentation on random frames.  Input: a 12-byte virtio header, then the
 * frame.  What gso_init() takes, gso_segment() cuts into segments that fit
 * gso_seg_len(), whose payloads put back together are the frame's, and whose IPv4
 * header checksums verify; gso_csum_complete() never writes outside the frame.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "containet/gso.h"

#define VH sizeof(struct virtio_net_hdr_v1)
#define MAX_FRAME 70000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t seg[MAX_FRAME];
static uint8_t copy[MAX_FRAME];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_hdr_v1 vh;
	const uint8_t *frame = data + VH;
	size_t len, got = 0;
	struct gso g;
	int ret;

	if (size < VH || size - VH > MAX_FRAME)
		return 0;
	memcpy(&vh, data, VH);
	len = size - VH;
	ret = gso_init(&g, &vh, frame, len);
	if (ret < 0) {
		assert(ret == -EINVAL || ret == -EPROTONOSUPPORT);
	} else {
		assert(g.nsegs >= 1);
		assert(gso_seg_max(&g) <= len || g.kind == GSO_NONE);
		for (uint32_t i = 0; i < g.nsegs; i++) {
			size_t want = gso_seg_len(&g, i);
			int n;

			assert(want <= gso_seg_max(&g));
			assert(gso_segment(&g, i, seg, want - 1) == -ENOSPC || want == 0);
			n = gso_segment(&g, i, seg, sizeof(seg));
			assert(n >= 0 && (size_t)n == want);
			if (g.kind == GSO_NONE) {
				assert(n == (int)len);
				continue;
			}
			assert(!memcmp(seg, frame, g.l3));
			assert(!memcmp(seg + g.hdr, frame + g.hdr + got, want - g.hdr));
			if (!g.ipv6)
				assert(gso_csum_fold(gso_csum_add(0, seg + g.l3, g.l4 - g.l3)) ==
				       0);
			got += want - g.hdr;
		}
		if (g.kind != GSO_NONE)
			assert(got == len - g.hdr);
		assert(gso_segment(&g, g.nsegs, seg, sizeof(seg)) == -ERANGE);
	}
	memcpy(copy, frame, len);
	ret = gso_csum_complete(&vh, copy, len);
	assert(ret == 0 || ret == -EINVAL);
	return 0;
}
