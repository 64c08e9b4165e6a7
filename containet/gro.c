#include "gro.h"

#include "be.h"
#include "gso.h"

#include <errno.h>
#include <linux/virtio_net.h>
#include <stdbool.h>
#include <string.h>

#define ETH_LEN 14
#define IPV4_LEN 20
#define IPV6_LEN 40
#define TCP_LEN 20
#define TCP_ACK 0x10
#define TCP_PSH 0x08
#define IPPROTO_TCP_ 6
#define VNET_LEN sizeof(struct virtio_net_hdr_v1)

/* A TCP segment as far as merging cares. */
struct gro_tcp {
	bool ipv6;
	size_t hdr;     /* bytes of headers: ethernet, IP, TCP */
	size_t payload; /* bytes after them, at least 1 */
	uint32_t seq;
	uint8_t flags;
	uint16_t id; /* IPv4 */
};

/* The pseudo-header's running sum for l4_len bytes of TCP. */
static uint32_t
pseudo_sum(const uint8_t *ip, bool ipv6, size_t l4_len)
{
	uint32_t sum;

	if (ipv6)
		sum = gso_csum_add(0, ip + 8, 32);
	else
		sum = gso_csum_add(0, ip + 12, 8);
	return sum + (uint32_t)(l4_len >> 16) + (uint32_t)(l4_len & 0xffff) + IPPROTO_TCP_;
}

/* Whether f is a data segment that may merge: its headers checked, its checksums right. */
static bool
gro_parse(const uint8_t *f, size_t len, struct gro_tcp *ret)
{
	uint16_t type;
	size_t l4;
	const uint8_t *ip, *th;

	if (len < ETH_LEN + IPV4_LEN + TCP_LEN)
		return false;
	type = be_get16(f + 12);
	ip = f + ETH_LEN;
	if (type == 0x0800) {
		if (ip[0] != 0x45 || be_get16(ip + 2) != len - ETH_LEN ||
		    (be_get16(ip + 6) & 0x3fff) || ip[9] != IPPROTO_TCP_ ||
		    gso_csum_fold(gso_csum_add(0, ip, IPV4_LEN)) != 0)
			return false;
		ret->ipv6 = false;
		ret->id = be_get16(ip + 4);
		l4 = ETH_LEN + IPV4_LEN;
	} else if (type == 0x86dd) {
		if (len < ETH_LEN + IPV6_LEN + TCP_LEN || ip[0] >> 4 != 6 ||
		    be_get16(ip + 4) != len - ETH_LEN - IPV6_LEN || ip[6] != IPPROTO_TCP_)
			return false;
		ret->ipv6 = true;
		ret->id = 0;
		l4 = ETH_LEN + IPV6_LEN;
	} else {
		return false;
	}
	th = f + l4;
	ret->hdr = l4 + (size_t)(th[12] >> 4) * 4;
	if (ret->hdr < l4 + TCP_LEN || ret->hdr >= len)
		return false;
	ret->payload = len - ret->hdr;
	ret->seq = be_get32(th + 4);
	ret->flags = th[13];
	if ((ret->flags & (uint8_t)~TCP_PSH) != TCP_ACK || (th[12] & 0x0f))
		return false;
	return gso_csum_fold(gso_csum_add(pseudo_sum(ip, ret->ipv6, len - l4), th, len - l4)) == 0;
}

/*
 * Whether segment g (frame f) continues the run of base (frame b) after prev: the same
 * flow and headers but for lengths, IPv4 ID, sequence number, flags and checksums.
 */
static bool
gro_follows(const uint8_t *b, const struct gro_tcp *base, const uint8_t *f, const struct gro_tcp *g,
            const struct gro_tcp *prev, uint32_t k)
{
	const uint8_t *bip = b + ETH_LEN, *ip = f + ETH_LEN;
	size_t l4 = ETH_LEN + (base->ipv6 ? IPV6_LEN : IPV4_LEN);
	const uint8_t *bth = b + l4, *th = f + l4;

	if (g->ipv6 != base->ipv6 || g->hdr != base->hdr || g->payload > base->payload ||
	    (prev->flags & TCP_PSH) || prev->payload != base->payload ||
	    g->seq != prev->seq + (uint32_t)prev->payload || memcmp(b, f, ETH_LEN))
		return false;
	if (base->ipv6) {
		if (memcmp(bip, ip, 4) || memcmp(bip + 6, ip + 6, IPV6_LEN - 6))
			return false;
	} else {
		if (memcmp(bip, ip, 2) || memcmp(bip + 6, ip + 6, 4) ||
		    memcmp(bip + 12, ip + 12, 8) || g->id != (uint16_t)(base->id + k))
			return false;
	}
	/* Ports; ACK, data offset; window; urgent pointer and the options. */
	return !memcmp(bth, th, 4) && !memcmp(bth + 8, th + 8, 5) &&
	       !memcmp(bth + 14, th + 14, 2) && !memcmp(bth + 18, th + 18, base->hdr - l4 - 18);
}

/* segs[0] alone, no offloads. */
static int
gro_single(const struct gro_seg *s, uint8_t *out, size_t size)
{
	if (size < VNET_LEN || s->len > size - VNET_LEN)
		return -ENOSPC;
	memset(out, 0, VNET_LEN);
	memcpy(out + VNET_LEN, s->frame, s->len);
	return (int)(VNET_LEN + s->len);
}

int
gro_merge(const struct gro_seg *segs, uint32_t n, uint8_t *out, size_t size, uint32_t *ret_used)
{
	struct gro_tcp base, prev, g;
	struct virtio_net_hdr_v1 vh = {};
	size_t l3 = ETH_LEN, l4, total, ip_max;
	uint32_t k;
	uint8_t *frame, *ip, *th;

	if (n == 0)
		return -EINVAL;
	*ret_used = 1;
	if (n == 1 || !gro_parse(segs[0].frame, segs[0].len, &base))
		return gro_single(&segs[0], out, size);
	l4 = l3 + (base.ipv6 ? IPV6_LEN : IPV4_LEN);
	/* The IP length field holds the merged frame's length: IPv4 counts its header too. */
	ip_max = base.ipv6 ? UINT16_MAX + l4 : UINT16_MAX + l3;
	total = segs[0].len;
	prev = base;
	/* gro_follows ends the run after a short segment or one with PSH. */
	for (k = 1; k < n; k++) {
		if (!gro_parse(segs[k].frame, segs[k].len, &g) ||
		    !gro_follows(segs[0].frame, &base, segs[k].frame, &g, &prev, k) ||
		    total + g.payload > ip_max || VNET_LEN + total + g.payload > size)
			break;
		total += g.payload;
		prev = g;
	}
	if (k == 1)
		return gro_single(&segs[0], out, size);
	frame = out + VNET_LEN;
	memcpy(frame, segs[0].frame, segs[0].len);
	for (uint32_t i = 1, at = (uint32_t)segs[0].len; i < k; i++) {
		memcpy(frame + at, segs[i].frame + base.hdr, segs[i].len - base.hdr);
		at += (uint32_t)(segs[i].len - base.hdr);
	}
	ip = frame + l3;
	th = frame + l4;
	if (base.ipv6) {
		be_put16(ip + 4, (uint16_t)(total - l4));
		vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	} else {
		be_put16(ip + 2, (uint16_t)(total - l3));
		be_put16(ip + 10, 0);
		be_put16(ip + 10, gso_csum_fold(gso_csum_add(0, ip, IPV4_LEN)));
		vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	}
	th[13] = base.flags | (prev.flags & TCP_PSH);
	/* Left to offload: the field holds the pseudo-header's sum, not complemented. */
	be_put16(th + 16, (uint16_t)~gso_csum_fold(pseudo_sum(ip, base.ipv6, total - l4)));
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.hdr_len = (uint16_t)base.hdr;
	vh.gso_size = (uint16_t)base.payload;
	vh.csum_start = (uint16_t)l4;
	vh.csum_offset = 16;
	memcpy(out, &vh, VNET_LEN);
	*ret_used = k;
	return (int)(VNET_LEN + total);
}
