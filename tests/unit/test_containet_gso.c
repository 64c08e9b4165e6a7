/*
 * Software segmentation: TCPv4, TCPv6 and UDP super-frames built here are cut into
 * segments whose headers (lengths, IPv4 ID and checksum, sequence numbers, flags) and
 * L4 checksums are checked with a checksum written independently of the module's;
 * the payload, put back together, is the original.  Malformed frames are refused.
 */
#include "containet/gso.h"

#include "check_main.h"
#include "be.h"

#include <errno.h>
#include <string.h>

static uint8_t frame[70000];
static uint8_t seg[70000];

/* A checksum computed the slow way, byte by byte, to check the module's against. */
static uint16_t
ref_sum(const uint8_t *parts[], const size_t lens[], int n)
{
	uint64_t s = 0;
	size_t pos = 0;

	for (int k = 0; k < n; k++)
		for (size_t j = 0; j < lens[k]; j++, pos++)
			s += (pos % 2) ? parts[k][j] : (uint64_t)parts[k][j] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Whether the L4 checksum of a segment (IP header at l3, L4 at l4) verifies. */
static bool
l4_ok(const uint8_t *f, size_t len, size_t l3, size_t l4, bool v6, uint8_t proto)
{
	uint8_t pseudo[40];
	size_t plen, l4len = len - l4;

	if (v6) {
		memcpy(pseudo, f + l3 + 8, 32);
		pseudo[32] = (uint8_t)(l4len >> 24);
		pseudo[33] = (uint8_t)(l4len >> 16);
		pseudo[34] = (uint8_t)(l4len >> 8);
		pseudo[35] = (uint8_t)l4len;
		pseudo[36] = pseudo[37] = pseudo[38] = 0;
		pseudo[39] = proto;
		plen = 40;
	} else {
		memcpy(pseudo, f + l3 + 12, 8);
		pseudo[8] = 0;
		pseudo[9] = proto;
		pseudo[10] = (uint8_t)(l4len >> 8);
		pseudo[11] = (uint8_t)l4len;
		plen = 12;
	}
	const uint8_t *parts[] = { pseudo, f + l4 };
	const size_t lens[] = { plen, l4len };
	return ref_sum(parts, lens, 2) == 0xffff;
}

static bool
ip4_ok(const uint8_t *ip)
{
	const uint8_t *parts[] = { ip };
	const size_t lens[] = { (size_t)(ip[0] & 0xf) * 4 };
	return ref_sum(parts, lens, 1) == 0xffff;
}

/*
 * Builds a frame: ethernet (ntags VLAN tags), IPv4 or IPv6, TCP (doff 8, with options)
 * or UDP, payload bytes i*7.  Returns the length; l3/l4/hdr are written.
 */
static size_t
build(bool v6, bool tcp, int ntags, size_t payload, size_t *l3, size_t *l4, size_t *hdr)
{
	uint8_t *p = frame;
	size_t l4len;

	memset(frame, 0, sizeof(frame));
	memcpy(p, (uint8_t[]){ 2, 0, 0, 0, 0, 0xb, 2, 0, 0, 0, 0, 0xa }, 12);
	p += 12;
	for (int t = 0; t < ntags; t++) {
		be_put16(p, t == 0 && ntags == 2 ? 0x88a8 : 0x8100);
		be_put16(p + 2, (uint16_t)(10 + t));
		p += 4;
	}
	be_put16(p, v6 ? 0x86dd : 0x0800);
	p += 2;
	*l3 = (size_t)(p - frame);
	if (v6) {
		p[0] = 0x60;
		p[6] = tcp ? 6 : 17;
		p[7] = 64;
		p[8] = 0xfd;
		p[23] = 1;
		p[24] = 0xfd;
		p[39] = 2;
		p += 40;
	} else {
		p[0] = 0x45;
		be_put16(p + 4, 0xfffe); /* the ID wraps during the run */
		p[6] = 0x40;             /* DF */
		p[8] = 64;
		p[9] = tcp ? 6 : 17;
		memcpy(p + 12, (uint8_t[]){ 10, 0, 0, 1, 10, 0, 0, 2 }, 8);
		p += 20;
	}
	*l4 = (size_t)(p - frame);
	if (tcp) {
		be_put16(p, 40000);
		be_put16(p + 2, 5201);
		memcpy(p + 4, (uint8_t[]){ 0xff, 0xff, 0xf0, 0x00 }, 4); /* seq wraps too */
		p[12] = 8 << 4;
		p[13] = 0x80 | 0x10 | 0x08 | 0x01; /* CWR ACK PSH FIN */
		be_put16(p + 14, 512);
		memcpy(p + 20, (uint8_t[]){ 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2 }, 12);
		p += 32;
	} else {
		be_put16(p, 40000);
		be_put16(p + 2, 4789);
		p += 8;
	}
	*hdr = (size_t)(p - frame);
	for (size_t i = 0; i < payload; i++)
		*p++ = (uint8_t)(i * 7);
	l4len = (size_t)(p - frame) - *l4;
	/* What a sender leaves for the offload: lengths of the whole, partial checksum. */
	if (v6)
		be_put16(frame + *l3 + 4, (uint16_t)l4len);
	else
		be_put16(frame + *l3 + 2, (uint16_t)((size_t)(p - frame) - *l3));
	return (size_t)(p - frame);
}

static struct virtio_net_hdr_v1
vh_gso(uint8_t type, uint16_t mss, size_t l4, size_t hdr, bool tcp)
{
	struct virtio_net_hdr_v1 vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = type,
		.hdr_len = (uint16_t)hdr,
		.gso_size = mss,
		.csum_start = (uint16_t)l4,
		.csum_offset = tcp ? 16 : 6,
	};
	return vh;
}

/* Segments a frame and checks every segment; returns the number of segments. */
static uint32_t
check_run(bool v6, bool tcp, int ntags, size_t payload, uint16_t mss)
{
	size_t l3, l4, hdr, len = build(v6, tcp, ntags, payload, &l3, &l4, &hdr), got = 0;
	uint8_t type = tcp ? (v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4)
	                   : VIRTIO_NET_HDR_GSO_UDP_L4;
	struct virtio_net_hdr_v1 vh = vh_gso(type, mss, l4, hdr, tcp);
	struct gso g;

	ck_assert_int_eq(gso_init(&g, &vh, frame, len), 0);
	ck_assert_uint_eq(g.nsegs, payload ? (payload + mss - 1) / mss : 1);
	ck_assert_uint_eq(g.hdr, hdr);
	ck_assert_uint_eq(gso_seg_max(&g), hdr + (payload < mss ? payload : mss));
	for (uint32_t i = 0; i < g.nsegs; i++) {
		int n = gso_segment(&g, i, seg, sizeof(seg));
		size_t want = payload - got < mss ? payload - got : mss;
		bool last = i + 1 == g.nsegs;

		ck_assert_int_eq(n, (int)(hdr + want));
		ck_assert_uint_eq(gso_seg_len(&g, i), (size_t)n);
		/* MACs and tags as they were */
		ck_assert_mem_eq(seg, frame, l3);
		ck_assert_mem_eq(seg + hdr, frame + hdr + got, want);
		if (v6) {
			ck_assert_uint_eq(be_get16(seg + l3 + 4), n - l3 - 40);
			ck_assert_mem_eq(seg + l3 + 8, frame + l3 + 8, 32);
		} else {
			ck_assert_uint_eq(be_get16(seg + l3 + 2), n - l3);
			ck_assert_uint_eq(be_get16(seg + l3 + 4), (uint16_t)(0xfffe + i));
			ck_assert_uint_eq(seg[l3 + 6], 0x40);
			ck_assert(ip4_ok(seg + l3));
		}
		if (tcp) {
			ck_assert_uint_eq(be_get32(seg + l4 + 4), (uint32_t)(0xfffff000u + got));
			ck_assert_uint_eq(seg[l4 + 13] & 0x80, i == 0 ? 0x80 : 0);
			ck_assert_uint_eq(seg[l4 + 13] & 0x09, last ? 0x09 : 0);
			ck_assert_uint_eq(seg[l4 + 13] & 0x10, 0x10);
			ck_assert_mem_eq(seg + l4 + 20, frame + l4 + 20, 12);
		} else {
			ck_assert_uint_eq(be_get16(seg + l4 + 4), n - l4);
			ck_assert_uint_ne(be_get16(seg + l4 + 6), 0);
		}
		ck_assert(l4_ok(seg, (size_t)n, l3, l4, v6, tcp ? 6 : 17));
		got += want;
	}
	ck_assert_uint_eq(got, payload);
	ck_assert_int_eq(gso_segment(&g, g.nsegs, seg, sizeof(seg)), -ERANGE);
	return g.nsegs;
}

START_TEST(tcp4_segments)
{
	ck_assert_uint_eq(check_run(false, true, 0, 65000, 1448), 45);
	ck_assert_uint_eq(check_run(false, true, 0, 1448 * 3, 1448), 3);
	ck_assert_uint_eq(check_run(false, true, 0, 1, 1448), 1);
	ck_assert_uint_eq(check_run(false, true, 0, 1001, 2), 501);
}
END_TEST

START_TEST(tcp6_segments)
{
	ck_assert_uint_eq(check_run(true, true, 0, 65000, 1428), 46);
	ck_assert_uint_eq(check_run(true, true, 0, 999, 100), 10);
}
END_TEST

START_TEST(udp_segments)
{
	ck_assert_uint_eq(check_run(false, false, 0, 8000, 1472), 6);
	ck_assert_uint_eq(check_run(true, false, 0, 8000, 1452), 6);
	ck_assert_uint_eq(check_run(false, false, 0, 0, 1472), 1);
}
END_TEST

START_TEST(tagged_segments)
{
	ck_assert_uint_eq(check_run(false, true, 1, 30000, 1444), 21);
	ck_assert_uint_eq(check_run(true, false, 2, 5000, 1000), 5);
}
END_TEST

/* The ECN bit of gso_type is a flag, not another kind. */
START_TEST(ecn_bit_allowed)
{
	size_t l3, l4, hdr, len = build(false, true, 0, 5000, &l3, &l4, &hdr);
	struct virtio_net_hdr_v1 vh =
	        vh_gso(VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN, 1000, l4, hdr, true);
	struct gso g;

	ck_assert_int_eq(gso_init(&g, &vh, frame, len), 0);
	ck_assert_uint_eq(g.nsegs, 5);
}
END_TEST

/* One segment: the frame as it is, the partial checksum the sender left completed. */
START_TEST(no_gso_completes_checksum)
{
	size_t l3, l4, hdr, len = build(false, false, 0, 333, &l3, &l4, &hdr);
	struct virtio_net_hdr_v1 vh = vh_gso(VIRTIO_NET_HDR_GSO_NONE, 0, l4, hdr, false);
	uint8_t pseudo[12];
	struct gso g;
	uint32_t sum;
	int n;

	/* the sender's partial: the pseudo-header's sum, not complemented */
	memcpy(pseudo, frame + l3 + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 17;
	be_put16(pseudo + 10, (uint16_t)(len - l4));
	be_put16(frame + l4 + 4, (uint16_t)(len - l4));
	sum = gso_csum_add(0, pseudo, 12);
	be_put16(frame + l4 + 6, (uint16_t)~gso_csum_fold(sum));
	ck_assert_int_eq(gso_init(&g, &vh, frame, len), 0);
	ck_assert_int_eq(g.kind, GSO_NONE);
	ck_assert_uint_eq(g.nsegs, 1);
	n = gso_segment(&g, 0, seg, sizeof(seg));
	ck_assert_int_eq(n, (int)len);
	ck_assert(l4_ok(seg, len, l3, l4, false, 17));
	/* in place, the same result, and the flag is cleared */
	ck_assert_int_eq(gso_csum_complete(&vh, frame, len), 0);
	ck_assert_mem_eq(seg, frame, len);
	ck_assert_uint_eq(vh.flags, 0);
	/* without NEEDS_CSUM nothing changes */
	ck_assert_int_eq(gso_csum_complete(&vh, frame, len), 0);
	ck_assert_mem_eq(seg, frame, len);
	ck_assert_int_eq(gso_init(&g, NULL, frame, len), 0);
	ck_assert_int_eq(gso_segment(&g, 0, seg, len - 1), -ENOSPC);
}
END_TEST

START_TEST(odd_checksum_lengths)
{
	uint8_t d[5] = { 0x12, 0x34, 0x56, 0x78, 0x9a };
	const uint8_t *parts[] = { d };

	for (size_t n = 0; n <= 5; n++) {
		const size_t lens[] = { n };
		ck_assert_uint_eq(gso_csum_add(0, d, n), ref_sum(parts, lens, 1));
	}
	ck_assert_uint_eq(gso_csum_fold(0xffff), 0);
	ck_assert_uint_eq(gso_csum_fold(0x1fffe), 0);
}
END_TEST

START_TEST(malformed_refused)
{
	size_t l3, l4, hdr, len = build(false, true, 0, 3000, &l3, &l4, &hdr);
	struct virtio_net_hdr_v1 vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV4, 1000, l4, hdr, true);
	struct gso g;

	ck_assert_int_eq(gso_init(&g, &vh, frame, len), 0);
	/* the wrong IP version for the kind */
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	ck_assert_int_eq(gso_init(&g, &vh, frame, len), -EINVAL);
	/* UDP segmentation of a TCP frame */
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	ck_assert_int_eq(gso_init(&g, &vh, frame, len), -EINVAL);
	/* legacy UFO and unknown kinds */
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	ck_assert_int_eq(gso_init(&g, &vh, frame, len), -EPROTONOSUPPORT);
	vh.gso_type = 9;
	ck_assert_int_eq(gso_init(&g, &vh, frame, len), -EPROTONOSUPPORT);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	/* gso_size 0 */
	vh.gso_size = 0;
	ck_assert_int_eq(gso_init(&g, &vh, frame, len), -EINVAL);
	vh.gso_size = 1000;
	/* csum_start that is not the TCP header */
	vh.csum_start = (uint16_t)(l4 + 2);
	ck_assert_int_eq(gso_init(&g, &vh, frame, len), -EINVAL);
	vh.csum_start = (uint16_t)l4;
	/* truncated inside the TCP header, the IP header */
	ck_assert_int_eq(gso_init(&g, &vh, frame, l4 + 10), -EINVAL);
	ck_assert_int_eq(gso_init(&g, &vh, frame, l3 + 10), -EINVAL);
	ck_assert_int_eq(gso_init(&g, &vh, frame, 13), -EINVAL);
	/* data offset below 5, past the frame */
	frame[l4 + 12] = 4 << 4;
	ck_assert_int_eq(gso_init(&g, &vh, frame, len), -EINVAL);
	frame[l4 + 12] = 15 << 4;
	ck_assert_int_eq(gso_init(&g, &vh, frame, l4 + 40), -EINVAL);
	frame[l4 + 12] = 8 << 4;
	/* an IPv4 fragment, a bad IHL, a bad version */
	frame[l3 + 6] = 0x20;
	ck_assert_int_eq(gso_init(&g, &vh, frame, len), -EINVAL);
	frame[l3 + 6] = 0x40;
	frame[l3] = 0x44;
	ck_assert_int_eq(gso_init(&g, &vh, frame, len), -EINVAL);
	frame[l3] = 0x65;
	ck_assert_int_eq(gso_init(&g, &vh, frame, len), -EINVAL);
	frame[l3] = 0x45;
	/* not IP at all */
	be_put16(frame + 12, 0x0806);
	ck_assert_int_eq(gso_init(&g, &vh, frame, len), -EINVAL);
	/* three VLAN tags */
	len = build(false, true, 0, 100, &l3, &l4, &hdr);
	memmove(frame + 24, frame + 12, len - 12);
	for (int t = 0; t < 3; t++)
		memcpy(frame + 12 + 4 * t, (uint8_t[]){ 0x81, 0, 0, 5 }, 4);
	vh.csum_start = (uint16_t)(l4 + 12);
	ck_assert_int_eq(gso_init(&g, &vh, frame, len + 12), -EINVAL);
	/* checksum offsets past the frame, without GSO */
	vh = vh_gso(VIRTIO_NET_HDR_GSO_NONE, 0, 60, 0, true);
	ck_assert_int_eq(gso_init(&g, &vh, frame, 70), -EINVAL);
	ck_assert_int_eq(gso_csum_complete(&vh, frame, 70), -EINVAL);
}
END_TEST

START_TEST(ipv6_extension_headers_refused)
{
	size_t l3, l4, hdr, len = build(true, true, 0, 3000, &l3, &l4, &hdr);
	struct virtio_net_hdr_v1 vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV6, 1000, l4, hdr, true);
	struct gso g;

	frame[l3 + 6] = 0; /* hop-by-hop options */
	ck_assert_int_eq(gso_init(&g, &vh, frame, len), -EPROTONOSUPPORT);
}
END_TEST

static Suite *
gso_suite(void)
{
	Suite *s = suite_create("gso");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, tcp4_segments);
	tcase_add_test(tc, tcp6_segments);
	tcase_add_test(tc, udp_segments);
	tcase_add_test(tc, tagged_segments);
	tcase_add_test(tc, ecn_bit_allowed);
	tcase_add_test(tc, no_gso_completes_checksum);
	tcase_add_test(tc, odd_checksum_lengths);
	tcase_add_test(tc, malformed_refused);
	tcase_add_test(tc, ipv6_extension_headers_refused);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(gso_suite)
