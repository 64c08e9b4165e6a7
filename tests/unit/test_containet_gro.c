/*
 * Receive merging: runs of TCP segments built here (IPv4 and IPv6, with timestamp
 * options, checksums from a slow reference) merge into one GSO frame exactly when the
 * kernel's GRO would merge them, and the merged frame, cut again by gso.c, gives back
 * the very segments it was made of.  Out-of-order segments, other flags, other flows,
 * a bad checksum, differing options and IDs, IP options and a short last segment end
 * a run where they should.  The fast checksum agrees with a byte-by-byte one.
 */
#include "containet/gro.h"
#include "containet/gso.h"

#include "check_main.h"
#include "be.h"

#include <errno.h>
#include <linux/virtio_net.h>
#include <stdlib.h>
#include <string.h>

#define VNET 12
#define SEGS 64
#define SEG_MAX 2048

static uint8_t frames[SEGS][SEG_MAX];
static struct gro_seg segs[SEGS];
static uint8_t out[70000];
static uint8_t again[70000];

/* The one's complement sum the slow way, byte by byte. */
static uint32_t
ref_add(uint32_t s, const uint8_t *p, size_t len, size_t pos)
{
	for (size_t j = 0; j < len; j++, pos++)
		s += ((pos % 2) ? p[j] : (uint32_t)p[j] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

static uint16_t
ref_l4_check(const uint8_t *f, size_t len, size_t l3, size_t l4, bool v6)
{
	uint8_t pseudo[40] = {};
	size_t plen, l4len = len - l4;
	uint32_t s;

	if (v6) {
		memcpy(pseudo, f + l3 + 8, 32);
		be_put32(pseudo + 32, (uint32_t)l4len);
		pseudo[39] = 6;
		plen = 40;
	} else {
		memcpy(pseudo, f + l3 + 12, 8);
		pseudo[9] = 6;
		be_put16(pseudo + 10, (uint16_t)l4len);
		plen = 12;
	}
	s = ref_add(0, pseudo, plen, 0);
	s = ref_add(s, f + l4, l4len, 0);
	return (uint16_t)s;
}

struct spec {
	bool v6;
	uint16_t sport;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;
	uint16_t id;
	size_t payload;
	uint32_t tsval;
	bool ip_options;
};

/* Segment k: its frame in frames[k], with every checksum right. */
static void
build(uint32_t k, const struct spec *sp)
{
	uint8_t *f = frames[k], *ip, *th;
	size_t l3 = 14, l4, len;

	memset(f, 0, SEG_MAX);
	memcpy(f, (uint8_t[]){ 2, 0, 0, 0, 0, 0xb, 2, 0, 0, 0, 0, 0xa }, 12);
	be_put16(f + 12, sp->v6 ? 0x86dd : 0x0800);
	ip = f + l3;
	if (sp->v6) {
		ip[0] = 0x60;
		ip[1] = 0x0a; /* a flow label */
		ip[6] = 6;
		ip[7] = 64;
		ip[8] = 0xfd;
		ip[23] = 1;
		ip[24] = 0xfd;
		ip[39] = 2;
		l4 = l3 + 40;
	} else {
		size_t ihl = sp->ip_options ? 24 : 20;

		ip[0] = (uint8_t)(0x40 | ihl / 4);
		be_put16(ip + 4, sp->id);
		ip[6] = 0x40; /* DF */
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, (uint8_t[]){ 10, 0, 0, 1, 10, 0, 0, 2 }, 8);
		if (sp->ip_options)
			ip[20] = 1; /* NOPs */
		l4 = l3 + ihl;
	}
	th = f + l4;
	be_put16(th, sp->sport);
	be_put16(th + 2, 5201);
	be_put32(th + 4, sp->seq);
	be_put32(th + 8, sp->ack);
	th[12] = 8 << 4;
	th[13] = sp->flags;
	be_put16(th + 14, 512);
	memcpy(th + 20, (uint8_t[]){ 1, 1, 8, 10 }, 4);
	be_put32(th + 24, sp->tsval);
	be_put32(th + 28, 7);
	for (size_t i = 0; i < sp->payload; i++)
		th[32 + i] = (uint8_t)((sp->seq + i) * 7);
	len = l4 + 32 + sp->payload;
	if (sp->v6) {
		be_put16(ip + 4, (uint16_t)(len - l4));
	} else {
		be_put16(ip + 2, (uint16_t)(len - l3));
		be_put16(ip + 10, (uint16_t)~ref_add(0, ip, l4 - l3, 0));
	}
	be_put16(th + 16, (uint16_t)~ref_l4_check(f, len, l3, l4, sp->v6));
	segs[k] = (struct gro_seg){ f, len };
}

/* n segments of one flow: mss bytes each, IDs and sequence numbers counting up. */
static void
build_run(uint32_t n, bool v6, size_t mss)
{
	for (uint32_t k = 0; k < n; k++)
		build(k, &(struct spec){ .v6 = v6,
		                         .sport = 40000,
		                         .seq = 0xfffff000u + k * mss,
		                         .ack = 99,
		                         .flags = 0x10,
		                         .id = (uint16_t)(0xfffe + k),
		                         .payload = mss,
		                         .tsval = 5 });
}

/* The merged frame of segs[first..first+n), cut again by gso.c, is those segments. */
static void
check_roundtrip(const uint8_t *m, int len, uint32_t first, uint32_t n)
{
	const struct virtio_net_hdr_v1 *vh = (const void *)m;
	struct gso g;
	struct virtio_net_hdr_v1 csum = *vh;

	ck_assert_int_gt(len, VNET);
	ck_assert_int_eq(vh->flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_int_eq(vh->csum_offset, 16);
	ck_assert_int_eq(gso_init(&g, vh, m + VNET, (size_t)len - VNET), 0);
	ck_assert_int_eq(g.kind, GSO_TCP);
	ck_assert_uint_eq(g.nsegs, n);
	ck_assert_uint_eq(vh->hdr_len, g.hdr);
	ck_assert_uint_eq(vh->csum_start, g.l4);
	for (uint32_t i = 0; i < n; i++) {
		int r = gso_segment(&g, i, again, sizeof(again));

		ck_assert_int_eq(r, (int)segs[first + i].len);
		ck_assert_mem_eq(again, segs[first + i].frame, (size_t)r);
	}
	/* Completing the offloaded checksum gives a checksum that verifies. */
	memcpy(again, m + VNET, (size_t)len - VNET);
	ck_assert_int_eq(gso_csum_complete(&csum, again, (size_t)len - VNET), 0);
	ck_assert_uint_eq(ref_l4_check(again, (size_t)len - VNET, 14, g.l4, g.ipv6), 0xffff);
}

static void
check_single(const uint8_t *m, int len, uint32_t k)
{
	static const uint8_t zero[VNET];

	ck_assert_int_eq(len, (int)(VNET + segs[k].len));
	ck_assert_mem_eq(m, zero, VNET);
	ck_assert_mem_eq(m + VNET, segs[k].frame, segs[k].len);
}

START_TEST(ipv4_run_merges)
{
	uint32_t used = 0;
	int r;

	build_run(8, false, 1000);
	r = gro_merge(segs, 8, out, sizeof(out), &used);
	ck_assert_uint_eq(used, 8);
	ck_assert_int_eq(((struct virtio_net_hdr_v1 *)out)->gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	ck_assert_int_eq(((struct virtio_net_hdr_v1 *)out)->gso_size, 1000);
	ck_assert_int_eq(((struct virtio_net_hdr_v1 *)out)->hdr_len, 14 + 20 + 32);
	ck_assert_int_eq(be_get16(out + VNET + 14 + 2), 20 + 32 + 8000);
	check_roundtrip(out, r, 0, 8);
}
END_TEST

START_TEST(ipv6_run_merges)
{
	uint32_t used = 0;
	int r;

	build_run(5, true, 1200);
	r = gro_merge(segs, 5, out, sizeof(out), &used);
	ck_assert_uint_eq(used, 5);
	ck_assert_int_eq(((struct virtio_net_hdr_v1 *)out)->gso_type, VIRTIO_NET_HDR_GSO_TCPV6);
	ck_assert_int_eq(be_get16(out + VNET + 14 + 4), 32 + 6000);
	check_roundtrip(out, r, 0, 5);
}
END_TEST

START_TEST(short_last_ends_run)
{
	uint32_t used = 0;
	int r;

	build_run(6, false, 1000);
	build(3, &(struct spec){ .sport = 40000,
	                         .seq = 0xfffff000u + 3000,
	                         .ack = 99,
	                         .flags = 0x10,
	                         .id = (uint16_t)(0xfffe + 3),
	                         .payload = 400,
	                         .tsval = 5 });
	r = gro_merge(segs, 6, out, sizeof(out), &used);
	ck_assert_uint_eq(used, 4);
	check_roundtrip(out, r, 0, 4);
	/* A short first segment merges with nothing. */
	r = gro_merge(segs + 3, 3, out, sizeof(out), &used);
	ck_assert_uint_eq(used, 1);
	check_single(out, r, 3);
}
END_TEST

START_TEST(psh_allowed_on_last)
{
	uint32_t used = 0;
	int r;

	build_run(5, false, 1000);
	build(2, &(struct spec){ .sport = 40000,
	                         .seq = 0xfffff000u + 2000,
	                         .ack = 99,
	                         .flags = 0x18,
	                         .id = (uint16_t)(0xfffe + 2),
	                         .payload = 1000,
	                         .tsval = 5 });
	r = gro_merge(segs, 5, out, sizeof(out), &used);
	ck_assert_uint_eq(used, 3);
	ck_assert_int_eq(out[VNET + 14 + 20 + 13], 0x18);
	check_roundtrip(out, r, 0, 3);
	/* PSH on the first: alone. */
	r = gro_merge(segs + 2, 3, out, sizeof(out), &used);
	ck_assert_uint_eq(used, 1);
}
END_TEST

START_TEST(out_of_order_not_merged)
{
	uint32_t used = 0;
	int r;

	build_run(4, false, 1000);
	/* Segments 1 and 2 swapped. */
	build(1, &(struct spec){ .sport = 40000,
	                         .seq = 0xfffff000u + 2000,
	                         .ack = 99,
	                         .flags = 0x10,
	                         .id = (uint16_t)(0xfffe + 1),
	                         .payload = 1000,
	                         .tsval = 5 });
	build(2, &(struct spec){ .sport = 40000,
	                         .seq = 0xfffff000u + 1000,
	                         .ack = 99,
	                         .flags = 0x10,
	                         .id = (uint16_t)(0xfffe + 2),
	                         .payload = 1000,
	                         .tsval = 5 });
	r = gro_merge(segs, 4, out, sizeof(out), &used);
	ck_assert_uint_eq(used, 1);
	check_single(out, r, 0);
	/* A retransmission of the same bytes neither. */
	build_run(2, true, 800);
	build(1, &(struct spec){ .v6 = true,
	                         .sport = 40000,
	                         .seq = 0xfffff000u,
	                         .ack = 99,
	                         .flags = 0x10,
	                         .payload = 800,
	                         .tsval = 5 });
	r = gro_merge(segs, 2, out, sizeof(out), &used);
	ck_assert_uint_eq(used, 1);
}
END_TEST

START_TEST(other_flags_not_merged)
{
	static const uint8_t bad[] = { 0x11, 0x12, 0x14, 0x30, 0x50, 0x90, 0x00 };
	uint32_t used = 0;

	for (size_t i = 0; i < sizeof(bad); i++) {
		build_run(3, false, 1000);
		build(1, &(struct spec){ .sport = 40000,
		                         .seq = 0xfffff000u + 1000,
		                         .ack = 99,
		                         .flags = bad[i],
		                         .id = (uint16_t)(0xfffe + 1),
		                         .payload = 1000,
		                         .tsval = 5 });
		gro_merge(segs, 3, out, sizeof(out), &used);
		ck_assert_uint_eq(used, 1);
		build(0, &(struct spec){ .sport = 40000,
		                         .seq = 0xfffff000u,
		                         .ack = 99,
		                         .flags = bad[i],
		                         .id = 0xfffe,
		                         .payload = 1000,
		                         .tsval = 5 });
		gro_merge(segs, 3, out, sizeof(out), &used);
		ck_assert_uint_eq(used, 1);
	}
}
END_TEST

START_TEST(mixed_flows_not_merged)
{
	uint32_t used = 0, k = 0, frames_out = 0;

	/* Two flows interleaved, then a run of one. */
	for (uint32_t i = 0; i < 6; i++)
		build(i, &(struct spec){ .sport = (uint16_t)(40000 + i % 2),
		                         .seq = 1000 + (i / 2) * 1000,
		                         .ack = 99,
		                         .flags = 0x10,
		                         .id = (uint16_t)(i / 2),
		                         .payload = 1000,
		                         .tsval = 5 });
	for (uint32_t i = 6; i < 10; i++)
		build(i, &(struct spec){ .sport = 40001,
		                         .seq = 4000 + (i - 6) * 1000,
		                         .ack = 99,
		                         .flags = 0x10,
		                         .id = (uint16_t)(3 + i - 6),
		                         .payload = 1000,
		                         .tsval = 5 });
	while (k < 10) {
		int r = gro_merge(segs + k, 10 - k, out, sizeof(out), &used);

		ck_assert_int_gt(r, 0);
		if (k < 5)
			ck_assert_uint_eq(used, 1);
		k += used;
		frames_out++;
	}
	/* Segment 5 (flow 40001, seq 3000) and 6-9 follow each other: one frame. */
	ck_assert_uint_eq(frames_out, 6);
}
END_TEST

START_TEST(bad_checksum_not_merged)
{
	uint32_t used = 0;
	int r;

	build_run(4, false, 1000);
	frames[2][14 + 20 + 32 + 10] ^= 1; /* a payload bit: the TCP checksum is wrong */
	r = gro_merge(segs, 4, out, sizeof(out), &used);
	ck_assert_uint_eq(used, 2);
	check_roundtrip(out, r, 0, 2);
	r = gro_merge(segs + 2, 2, out, sizeof(out), &used);
	ck_assert_uint_eq(used, 1);
	check_single(out, r, 2); /* passed as it is: the receiver counts the error */
	build_run(3, false, 1000);
	frames[1][14 + 8] ^= 1; /* the TTL: the IPv4 header checksum is wrong */
	gro_merge(segs, 3, out, sizeof(out), &used);
	ck_assert_uint_eq(used, 1);
}
END_TEST

START_TEST(headers_must_match)
{
	uint32_t used = 0;

	/* Another timestamp: options of the same length that differ. */
	build_run(3, false, 1000);
	build(1, &(struct spec){ .sport = 40000,
	                         .seq = 0xfffff000u + 1000,
	                         .ack = 99,
	                         .flags = 0x10,
	                         .id = (uint16_t)(0xfffe + 1),
	                         .payload = 1000,
	                         .tsval = 6 });
	gro_merge(segs, 3, out, sizeof(out), &used);
	ck_assert_uint_eq(used, 1);
	/* Another ACK. */
	build_run(3, true, 1000);
	build(1, &(struct spec){ .v6 = true,
	                         .sport = 40000,
	                         .seq = 0xfffff000u + 1000,
	                         .ack = 100,
	                         .flags = 0x10,
	                         .payload = 1000,
	                         .tsval = 5 });
	gro_merge(segs, 3, out, sizeof(out), &used);
	ck_assert_uint_eq(used, 1);
	/* IPv4 IDs that do not count up by one. */
	build_run(3, false, 1000);
	build(1, &(struct spec){ .sport = 40000,
	                         .seq = 0xfffff000u + 1000,
	                         .ack = 99,
	                         .flags = 0x10,
	                         .id = 0xfffe,
	                         .payload = 1000,
	                         .tsval = 5 });
	gro_merge(segs, 3, out, sizeof(out), &used);
	ck_assert_uint_eq(used, 1);
	/* IP options. */
	for (uint32_t k = 0; k < 3; k++)
		build(k, &(struct spec){ .sport = 40000,
		                         .seq = k * 1000,
		                         .ack = 99,
		                         .flags = 0x10,
		                         .id = (uint16_t)k,
		                         .payload = 1000,
		                         .tsval = 5,
		                         .ip_options = true });
	gro_merge(segs, 3, out, sizeof(out), &used);
	ck_assert_uint_eq(used, 1);
	/* An IPv4 segment then an IPv6 one. */
	build_run(2, false, 1000);
	build(1, &(struct spec){ .v6 = true,
	                         .sport = 40000,
	                         .seq = 0xfffff000u + 1000,
	                         .ack = 99,
	                         .flags = 0x10,
	                         .payload = 1000,
	                         .tsval = 5 });
	gro_merge(segs, 2, out, sizeof(out), &used);
	ck_assert_uint_eq(used, 1);
}
END_TEST

START_TEST(not_tcp_data_passes)
{
	uint32_t used = 0;
	int r;

	/* Pure ACKs (no payload) and an ARP frame go one by one, as they are. */
	build(0, &(struct spec){ .sport = 40000, .seq = 1, .ack = 99, .flags = 0x10, .tsval = 5 });
	build(1, &(struct spec){
	                 .sport = 40000, .seq = 1, .ack = 99, .flags = 0x10, .id = 1, .tsval = 5 });
	r = gro_merge(segs, 2, out, sizeof(out), &used);
	ck_assert_uint_eq(used, 1);
	check_single(out, r, 0);
	memset(frames[2], 0xff, 60);
	be_put16(frames[2] + 12, 0x0806);
	segs[2] = (struct gro_seg){ frames[2], 60 };
	r = gro_merge(segs + 2, 1, out, sizeof(out), &used);
	ck_assert_uint_eq(used, 1);
	check_single(out, r, 2);
	ck_assert_int_eq(gro_merge(segs, 0, out, sizeof(out), &used), -EINVAL);
}
END_TEST

START_TEST(size_limits)
{
	uint32_t used = 0, k = 0;
	int r;

	/* 64 segments of 1448 bytes: more than an IP length field holds. */
	build_run(64, false, 1448);
	r = gro_merge(segs, 64, out, sizeof(out), &used);
	ck_assert_uint_eq(used, (65535 - 20 - 32) / 1448);
	check_roundtrip(out, r, 0, used);
	k = used;
	r = gro_merge(segs + k, 64 - k, out, sizeof(out), &used);
	ck_assert_int_gt(r, 0);
	ck_assert_uint_gt(used, 1);
	/* The output's room caps a run too; a frame that does not fit at all is refused. */
	build_run(4, true, 1000);
	r = gro_merge(segs, 4, out, VNET + segs[0].len + 2500, &used);
	ck_assert_uint_eq(used, 3);
	check_roundtrip(out, r, 0, 3);
	ck_assert_int_eq(gro_merge(segs, 4, out, VNET + segs[0].len - 1, &used), -ENOSPC);
}
END_TEST

START_TEST(fast_checksum_agrees)
{
	static uint8_t buf[4096];
	unsigned seed = 7;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand_r(&seed);
	for (int t = 0; t < 2000; t++) {
		size_t off = (size_t)(rand_r(&seed) % 64) * 2, len = (size_t)rand_r(&seed) % 3000;
		uint32_t start = (uint32_t)rand_r(&seed) % 0x10000;

		ck_assert_uint_eq(gso_csum_add(start, buf + off, len),
		                  ref_add(start, buf + off, len, 0));
	}
	memset(buf, 0xff, 64);
	ck_assert_uint_eq(gso_csum_add(0, buf, 64), 0xffff);
	memset(buf, 0, 64);
	ck_assert_uint_eq(gso_csum_add(0, buf, 64), 0);
}
END_TEST

static Suite *
gro_suite(void)
{
	Suite *s = suite_create("gro");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, ipv4_run_merges);
	tcase_add_test(tc, ipv6_run_merges);
	tcase_add_test(tc, short_last_ends_run);
	tcase_add_test(tc, psh_allowed_on_last);
	tcase_add_test(tc, out_of_order_not_merged);
	tcase_add_test(tc, other_flags_not_merged);
	tcase_add_test(tc, mixed_flows_not_merged);
	tcase_add_test(tc, bad_checksum_not_merged);
	tcase_add_test(tc, headers_must_match);
	tcase_add_test(tc, not_tcp_data_passes);
	tcase_add_test(tc, size_limits);
	tcase_add_test(tc, fast_checksum_agrees);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(gro_suite)
