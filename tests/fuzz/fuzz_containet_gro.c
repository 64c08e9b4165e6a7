/*
 * Receive merging on random batches.  Input: segments, each a 2-byte big-endian length
 * then that many bytes (at most 64 segments).  gro_merge() always makes progress; a
 * frame it leaves alone comes out as it went in behind a zero virtio header; a merged
 * frame is one gso.c takes, and cut again it gives back the segments it was made of,
 * byte for byte but for checksums (of which only validity is checked: 0 and 0xffff
 * both verify).
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "containet/gro.h"
#include "containet/gso.h"

#define VNET sizeof(struct virtio_net_hdr_v1)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[70000];
static uint8_t seg[70000];

static bool
same_but_checksums(const uint8_t *a, const uint8_t *b, size_t len, const struct gso *g)
{
	for (size_t i = 0; i < len; i++) {
		if (!g->ipv6 && (i == g->l3 + 10u || i == g->l3 + 11u))
			continue;
		if (i == g->l4 + 16u || i == g->l4 + 17u)
			continue;
		if (a[i] != b[i])
			return false;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gro_seg segs[GRO_SEGS_MAX];
	uint32_t n = 0, k = 0, used;

	while (size >= 2 && n < GRO_SEGS_MAX) {
		size_t len = (size_t)(data[0] << 8 | data[1]);

		if (len > size - 2)
			len = size - 2;
		segs[n++] = (struct gro_seg){ data + 2, len };
		data += 2 + len;
		size -= 2 + len;
	}
	if (!n)
		return 0;
	while (k < n) {
		const struct virtio_net_hdr_v1 *vh = (const void *)out;
		size_t got = 0;
		struct gso g;
		int r = gro_merge(segs + k, n - k, out, sizeof(out), &used);

		assert(r >= (int)VNET && used >= 1 && used <= n - k);
		if (used == 1) {
			assert((size_t)r == VNET + segs[k].len);
			assert(vh->flags == 0 && vh->gso_type == VIRTIO_NET_HDR_GSO_NONE);
			assert(!memcmp(out + VNET, segs[k].frame, segs[k].len));
			k++;
			continue;
		}
		assert(gso_init(&g, vh, out + VNET, (size_t)r - VNET) == 0);
		assert(g.kind == GSO_TCP && g.nsegs == used);
		for (uint32_t i = 0; i < used; i++) {
			int s = gso_segment(&g, i, seg, sizeof(seg));

			assert(s >= 0 && (size_t)s == segs[k + i].len);
			assert(same_but_checksums(seg, segs[k + i].frame, (size_t)s, &g));
			if (!g.ipv6)
				assert(gso_csum_fold(gso_csum_add(0, seg + g.l3, g.l4 - g.l3)) ==
				       0);
			got += (size_t)s;
		}
		assert(got > (size_t)r - VNET);
		k += used;
	}
	assert(gro_merge(segs, 0, out, sizeof(out), &used) == -EINVAL);
	return 0;
}
