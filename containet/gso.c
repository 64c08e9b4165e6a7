#include "gso.h"

#include "be.h"

#include <errno.h>
#include <string.h>

#define ETH_LEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_8021Q 0x8100
#define ETHERTYPE_8021AD 0x88a8
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPV6_LEN 40
#define UDP_LEN 8
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80
#define TAGS_MAX 2

/*
 * p must start at an even offset of the checksummed data unless it is its last piece.
 * Sums 8 bytes at a time in the host's order with end-around carries: the one's
 * complement sum of byte-swapped words is the byte-swapped sum (RFC 1071), so one swap
 * at the end gives the big-endian sum.
 */
uint32_t
gso_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t s = 0, w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		s += w;
		s += s < w;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		s += w;
		s += s < w;
	}
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = (s >> 8 | s << 8) & 0xffff;
#endif
	s += sum;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

uint16_t
gso_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The IP header's offset after up to TAGS_MAX VLAN tags, and its ethertype; 0 if none. */
static size_t
find_l3(const uint8_t *frame, size_t len, uint16_t *ret_type)
{
	size_t off = 12;

	if (len < ETH_LEN)
		return 0;
	for (int tags = 0;; tags++) {
		uint16_t type = be_get16(frame + off);

		if (type != ETHERTYPE_8021Q && type != ETHERTYPE_8021AD) {
			*ret_type = type;
			return off + 2;
		}
		if (tags == TAGS_MAX || len < off + 2 + 4 + 2)
			return 0;
		off += 4;
	}
}

static int
init_none(struct gso *g, const struct virtio_net_hdr_v1 *vh)
{
	g->kind = GSO_NONE;
	g->nsegs = 1;
	g->hdr = 0;
	g->mss = 0;
	if (vh && (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		if ((size_t)vh->csum_start + vh->csum_offset + 2 > g->len)
			return -EINVAL;
		g->needs_csum = true;
		g->csum_start = vh->csum_start;
		g->csum_offset = vh->csum_offset;
	}
	return 0;
}

int
gso_init(struct gso *ret, const struct virtio_net_hdr_v1 *vh, const uint8_t *frame, size_t len)
{
	struct gso g = { .frame = frame, .len = len };
	uint8_t type = vh ? vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN : 0;
	uint16_t ethertype = 0;
	uint8_t proto;
	size_t l3, l4, hdr, payload;
	int r;

	if (type == VIRTIO_NET_HDR_GSO_NONE) {
		r = init_none(&g, vh);
		if (r < 0)
			return r;
		*ret = g;
		return 0;
	}
	if (type != VIRTIO_NET_HDR_GSO_TCPV4 && type != VIRTIO_NET_HDR_GSO_TCPV6 &&
	    type != VIRTIO_NET_HDR_GSO_UDP_L4)
		return -EPROTONOSUPPORT;
	if (vh->gso_size == 0)
		return -EINVAL;
	l3 = find_l3(frame, len, &ethertype);
	if (!l3)
		return -EINVAL;
	if (ethertype == ETHERTYPE_IPV4) {
		const uint8_t *ip = frame + l3;
		size_t ihl;

		if (len < l3 + 20 || ip[0] >> 4 != 4)
			return -EINVAL;
		ihl = (size_t)(ip[0] & 0xf) * 4;
		if (ihl < 20 || len < l3 + ihl)
			return -EINVAL;
		if (be_get16(ip + 6) & 0x3fff) /* MF or a fragment offset */
			return -EINVAL;
		proto = ip[9];
		l4 = l3 + ihl;
		if (type == VIRTIO_NET_HDR_GSO_TCPV6)
			return -EINVAL;
	} else if (ethertype == ETHERTYPE_IPV6) {
		const uint8_t *ip = frame + l3;

		if (len < l3 + IPV6_LEN || ip[0] >> 4 != 6)
			return -EINVAL;
		proto = ip[6];
		l4 = l3 + IPV6_LEN;
		g.ipv6 = true;
		if (type == VIRTIO_NET_HDR_GSO_TCPV4)
			return -EINVAL;
		if (proto != IPPROTO_TCP_ && proto != IPPROTO_UDP_)
			return -EPROTONOSUPPORT; /* extension headers */
	} else {
		return -EINVAL;
	}
	if (type == VIRTIO_NET_HDR_GSO_UDP_L4) {
		if (proto != IPPROTO_UDP_ || len < l4 + UDP_LEN)
			return -EINVAL;
		hdr = l4 + UDP_LEN;
		g.kind = GSO_UDP;
	} else {
		if (proto != IPPROTO_TCP_ || len < l4 + 20)
			return -EINVAL;
		hdr = l4 + (size_t)(frame[l4 + 12] >> 4) * 4;
		if (hdr < l4 + 20 || len < hdr)
			return -EINVAL;
		g.kind = GSO_TCP;
	}
	if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && vh->csum_start != l4)
		return -EINVAL;
	payload = len - hdr;
	/* Every segment's IP length field must hold its length. */
	if (hdr - l3 + (payload < vh->gso_size ? payload : vh->gso_size) > UINT16_MAX)
		return -EINVAL;
	g.l3 = (uint16_t)l3;
	g.l4 = (uint16_t)l4;
	g.hdr = (uint16_t)hdr;
	g.mss = vh->gso_size;
	g.nsegs = payload ? (uint32_t)((payload + g.mss - 1) / g.mss) : 1;
	*ret = g;
	return 0;
}

size_t
gso_seg_len(const struct gso *g, uint32_t i)
{
	size_t payload, off;

	if (g->kind == GSO_NONE)
		return g->len;
	payload = g->len - g->hdr;
	off = (size_t)i * g->mss;
	if (off >= payload)
		return g->hdr;
	return g->hdr + (payload - off < g->mss ? payload - off : g->mss);
}

size_t
gso_seg_max(const struct gso *g)
{
	return g->kind == GSO_NONE ? g->len : gso_seg_len(g, 0);
}

/* The pseudo-header's sum for an L4 segment of l4_len bytes. */
static uint32_t
pseudo_sum(const uint8_t *ip, bool ipv6, uint8_t proto, size_t l4_len)
{
	uint32_t sum;

	if (ipv6) {
		sum = gso_csum_add(0, ip + 8, 32);
		sum = gso_csum_add(sum,
		                   (const uint8_t[]){ (uint8_t)(l4_len >> 24),
		                                      (uint8_t)(l4_len >> 16),
		                                      (uint8_t)(l4_len >> 8), (uint8_t)l4_len },
		                   4);
	} else {
		sum = gso_csum_add(0, ip + 12, 8);
		sum += (uint32_t)l4_len;
	}
	return sum + proto;
}

int
gso_segment(const struct gso *g, uint32_t i, uint8_t *out, size_t size)
{
	size_t seg_len, n, off;
	uint8_t *ip, *l4;
	uint32_t sum;
	uint16_t csum;

	if (i >= g->nsegs)
		return -ERANGE;
	seg_len = gso_seg_len(g, i);
	if (seg_len > size)
		return -ENOSPC;
	if (g->kind == GSO_NONE) {
		memcpy(out, g->frame, g->len);
		if (g->needs_csum) {
			struct virtio_net_hdr_v1 vh = {
				.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				.csum_start = g->csum_start,
				.csum_offset = g->csum_offset,
			};
			return gso_csum_complete(&vh, out, g->len) < 0 ? -EINVAL : (int)g->len;
		}
		return (int)g->len;
	}
	n = seg_len - g->hdr;
	off = (size_t)i * g->mss;
	memcpy(out, g->frame, g->hdr);
	memcpy(out + g->hdr, g->frame + g->hdr + off, n);
	ip = out + g->l3;
	l4 = out + g->l4;
	if (g->ipv6) {
		be_put16(ip + 4, (uint16_t)(seg_len - g->l3 - IPV6_LEN));
	} else {
		be_put16(ip + 2, (uint16_t)(seg_len - g->l3));
		be_put16(ip + 4, (uint16_t)(be_get16(ip + 4) + i));
		be_put16(ip + 10, 0);
		be_put16(ip + 10, gso_csum_fold(gso_csum_add(0, ip, g->l4 - g->l3)));
	}
	if (g->kind == GSO_TCP) {
		be_put32(l4 + 4, be_get32(l4 + 4) + (uint32_t)off);
		if (i + 1 < g->nsegs)
			l4[13] &= (uint8_t) ~(TCP_FIN | TCP_PSH);
		if (i > 0)
			l4[13] &= (uint8_t)~TCP_CWR;
		be_put16(l4 + 16, 0);
		sum = pseudo_sum(ip, g->ipv6, IPPROTO_TCP_, seg_len - g->l4);
		csum = gso_csum_fold(gso_csum_add(sum, l4, seg_len - g->l4));
		be_put16(l4 + 16, csum);
	} else {
		be_put16(l4 + 4, (uint16_t)(seg_len - g->l4));
		be_put16(l4 + 6, 0);
		sum = pseudo_sum(ip, g->ipv6, IPPROTO_UDP_, seg_len - g->l4);
		csum = gso_csum_fold(gso_csum_add(sum, l4, seg_len - g->l4));
		be_put16(l4 + 6, csum ? csum : 0xffff);
	}
	return (int)seg_len;
}

int
gso_csum_complete(struct virtio_net_hdr_v1 *vh, uint8_t *frame, size_t len)
{
	size_t at;
	uint16_t csum;

	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return 0;
	at = (size_t)vh->csum_start + vh->csum_offset;
	if (at + 2 > len)
		return -EINVAL;
	csum = gso_csum_fold(gso_csum_add(0, frame + vh->csum_start, len - vh->csum_start));
	/* A UDP checksum of 0 means "none": send its other form, as the kernel does. */
	if (csum == 0 && vh->csum_offset == UDP_LEN - 2)
		csum = 0xffff;
	be_put16(frame + at, csum);
	vh->flags &= (uint8_t)~VIRTIO_NET_HDR_F_NEEDS_CSUM;
	return 0;
}
