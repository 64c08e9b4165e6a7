/*
 * VXLAN's pure parts: the header both ways, every receive check, the outer source
 * port's range and its stability per flow, the segment MTU, remote lists.
 */
#include "containet/vxlan.h"

#include "check_main.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static uint8_t dgram[128];

/* A datagram: header with vni, inner frame from src to broadcast. */
static size_t
build(uint32_t vni, const uint8_t src[6])
{
	memset(dgram, 0, sizeof(dgram));
	vxlan_encap(dgram, vni);
	memset(dgram + VXLAN_HDR_LEN, 0xff, 6);
	memcpy(dgram + VXLAN_HDR_LEN + 6, src, 6);
	dgram[VXLAN_HDR_LEN + 12] = 0x08;
	dgram[VXLAN_HDR_LEN + 13] = 0x06;
	return VXLAN_HDR_LEN + 14 + 28;
}

static const uint8_t station[6] = { 2, 0, 0, 0, 0, 1 };

START_TEST(header_is_exact)
{
	uint8_t h[VXLAN_HDR_LEN];
	static const uint8_t want[VXLAN_HDR_LEN] = { 0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0 };

	vxlan_encap(h, 0x123456);
	ck_assert_mem_eq(h, want, sizeof(want));
	vxlan_encap(h, VXLAN_VNI_MAX);
	ck_assert_uint_eq(h[4] & h[5] & h[6], 0xff);
	ck_assert_uint_eq(h[7], 0);
}
END_TEST

START_TEST(decap_accepts_and_reads_vni)
{
	uint32_t vni = 0;
	size_t len = build(4242, station);

	ck_assert_int_eq(vxlan_decap(dgram, len, &vni), VXLAN_OK);
	ck_assert_uint_eq(vni, 4242);
	len = build(0, station);
	ck_assert_int_eq(vxlan_decap(dgram, len, &vni), VXLAN_OK);
	ck_assert_uint_eq(vni, 0);
	/* exactly a header and an ethernet header */
	ck_assert_int_eq(vxlan_decap(dgram, VXLAN_HDR_LEN + 14, &vni), VXLAN_OK);
}
END_TEST

START_TEST(decap_drops_malformed)
{
	static const uint8_t mcast[6] = { 1, 0, 0x5e, 0, 0, 1 }, zero[6];
	uint32_t vni = 77;
	size_t len = build(5, station);

	ck_assert_int_eq(vxlan_decap(dgram, VXLAN_HDR_LEN + 13, &vni), VXLAN_DROP_SHORT);
	ck_assert_int_eq(vxlan_decap(dgram, 0, &vni), VXLAN_DROP_SHORT);
	dgram[0] = 0;
	ck_assert_int_eq(vxlan_decap(dgram, len, &vni), VXLAN_DROP_FLAGS);
	for (int bit = 0; bit < 8; bit++) {
		if (1 << bit == VXLAN_FLAG_I)
			continue;
		dgram[0] = VXLAN_FLAG_I | (uint8_t)(1 << bit);
		ck_assert_int_eq(vxlan_decap(dgram, len, &vni), VXLAN_DROP_RESERVED);
	}
	dgram[0] = VXLAN_FLAG_I;
	for (int at = 1; at < 8; at++) {
		if (at >= 4 && at <= 6)
			continue;
		dgram[at] = 0x80;
		ck_assert_int_eq(vxlan_decap(dgram, len, &vni), VXLAN_DROP_RESERVED);
		dgram[at] = 0;
	}
	len = build(5, mcast);
	ck_assert_int_eq(vxlan_decap(dgram, len, &vni), VXLAN_DROP_INNER_SRC);
	len = build(5, zero);
	ck_assert_int_eq(vxlan_decap(dgram, len, &vni), VXLAN_DROP_INNER_SRC);
	ck_assert_uint_eq(vni, 77); /* untouched on a drop */
	for (int v = 0; v < VXLAN_VERDICTS; v++)
		ck_assert_str_ne(vxlan_verdict_name(v), "?");
	ck_assert_str_eq(vxlan_verdict_name(VXLAN_VERDICTS), "?");
}
END_TEST

/* A TCP/IPv4 frame of the flow (sport, dport). */
static size_t
tcp_frame(uint8_t *f, uint16_t sport, uint16_t dport, size_t payload)
{
	memset(f, 0, 14 + 20 + 20 + payload);
	memcpy(f, "\x02\0\0\0\0\x0b\x02\0\0\0\0\x0a\x08\x00", 14);
	f[14] = 0x45;
	f[14 + 9] = 6;
	memcpy(f + 14 + 12, "\x0a\0\0\x01\x0a\0\0\x02", 8);
	f[34] = sport >> 8;
	f[35] = sport & 0xff;
	f[36] = dport >> 8;
	f[37] = dport & 0xff;
	for (size_t i = 0; i < payload; i++)
		f[54 + i] = (uint8_t)i;
	return 54 + payload;
}

START_TEST(source_port_range_and_spread)
{
	uint8_t f[2000];
	uint16_t seen[64];
	unsigned distinct = 0;

	for (uint16_t s = 0; s < 64; s++) {
		size_t len = tcp_frame(f, (uint16_t)(40000 + s), 5201, 100);
		uint16_t p = vxlan_source_port(f, len, 12345);
		bool dup = false;

		ck_assert_uint_ge(p, VXLAN_SPORT_MIN);
		ck_assert_uint_le(p, VXLAN_SPORT_MAX);
		/* the payload and its length do not matter: one flow, one port */
		ck_assert_uint_eq(
		        p, vxlan_source_port(f, tcp_frame(f, (uint16_t)(40000 + s), 5201, 1400),
		                             12345));
		for (unsigned i = 0; i < distinct; i++)
			dup |= seen[i] == p;
		if (!dup)
			seen[distinct++] = p;
	}
	ck_assert_uint_ge(distinct, 60);
	/* the key changes the mapping */
	tcp_frame(f, 40000, 5201, 10);
	ck_assert_uint_ne(vxlan_source_port(f, 64, 1), vxlan_source_port(f, 64, 2));
	/* short and odd frames still get a port in range */
	ck_assert_uint_eq(vxlan_source_port(f, 3, 1), VXLAN_SPORT_MIN);
	f[12] = 0x81;
	f[13] = 0;
	ck_assert_uint_ge(vxlan_source_port(f, 16, 1), VXLAN_SPORT_MIN);
}
END_TEST

START_TEST(segment_mtu)
{
	ck_assert_uint_eq(vxlan_segment_mtu(1500, false), 1450);
	ck_assert_uint_eq(vxlan_segment_mtu(1500, true), 1430);
	ck_assert_uint_eq(vxlan_segment_mtu(9000, false), 8950);
	ck_assert_uint_eq(vxlan_segment_mtu(50, false), 0);
}
END_TEST

START_TEST(remotes_parse)
{
	struct vxlan_addr r[VXLAN_REMOTES_MAX], a;
	const char *err = NULL;
	char text[INET6_ADDRSTRLEN], many[1024] = "";

	ck_assert_int_eq(vxlan_remotes_parse("10.0.0.1,10.0.0.2", r, &err), 2);
	vxlan_addr_format(&r[1], text);
	ck_assert_str_eq(text, "10.0.0.2");
	ck_assert_int_eq(vxlan_remotes_parse("fd00::1", r, &err), 1);
	ck_assert_int_eq(r[0].family, AF_INET6);
	ck_assert_int_eq(vxlan_addr_parse("fd00::1", &a), 0);
	ck_assert(vxlan_addr_equal(&a, &r[0]));
	ck_assert_int_eq(vxlan_addr_find(r, 1, &a), 0);
	ck_assert_int_eq(vxlan_addr_parse("fd00::2", &a), 0);
	ck_assert_int_eq(vxlan_addr_find(r, 1, &a), -1);

	ck_assert_int_eq(vxlan_remotes_parse("", r, &err), -EINVAL);
	ck_assert_int_eq(vxlan_remotes_parse("10.0.0.1,", r, &err), -EINVAL);
	ck_assert_int_eq(vxlan_remotes_parse("10.0.0.256", r, &err), -EINVAL);
	ck_assert_str_eq(err, "a remote is not an IPv4 or IPv6 address");
	ck_assert_int_eq(vxlan_remotes_parse("10.0.0.1,fd00::1", r, &err), -EINVAL);
	ck_assert_str_eq(err, "remotes must all be IPv4 or all IPv6");
	ck_assert_int_eq(vxlan_remotes_parse("10.0.0.1,10.0.0.1", r, &err), -EINVAL);
	ck_assert_int_eq(vxlan_remotes_parse("224.0.0.5", r, &err), -EINVAL);
	ck_assert_int_eq(vxlan_remotes_parse("0.0.0.0", r, &err), -EINVAL);
	ck_assert_int_eq(vxlan_remotes_parse("255.255.255.255", r, &err), -EINVAL);
	ck_assert_int_eq(vxlan_remotes_parse("ff02::1", r, &err), -EINVAL);
	ck_assert_int_eq(vxlan_remotes_parse("::", r, &err), -EINVAL);
	ck_assert_str_eq(err, "a remote must be a unicast address");
	for (int i = 0; i < 17; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%s10.0.0.%d",
		         i ? "," : "", i + 1);
	ck_assert_int_eq(vxlan_remotes_parse(many, r, &err), -E2BIG);
	*strrchr(many, ',') = '\0';
	ck_assert_int_eq(vxlan_remotes_parse(many, r, &err), 16);
}
END_TEST

static Suite *
vxlan_suite(void)
{
	Suite *s = suite_create("vxlan");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, header_is_exact);
	tcase_add_test(tc, decap_accepts_and_reads_vni);
	tcase_add_test(tc, decap_drops_malformed);
	tcase_add_test(tc, source_port_range_and_spread);
	tcase_add_test(tc, segment_mtu);
	tcase_add_test(tc, remotes_parse);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(vxlan_suite)
