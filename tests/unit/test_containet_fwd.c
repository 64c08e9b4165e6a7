/* The forwarding decision: runts, oversize, bad sources, flooding, unicast, filtering. */
#include "containet/fwd.h"

#include "check_main.h"

#include <string.h>

#define HDR 12
#define MAX 2000

static struct fdb fdb;
static uint8_t frame[MAX + 100];

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0xa };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0xb };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void
setup(void)
{
	ck_assert_int_eq(fdb_init(&fdb, 64, 300000000000ULL, 1), 0);
	memset(frame, 0, sizeof(frame));
}

static void
teardown(void)
{
	fdb_free(&fdb);
}

static size_t
make(const uint8_t dst[6], const uint8_t src[6], size_t payload)
{
	memcpy(frame + HDR, dst, 6);
	memcpy(frame + HDR + 6, src, 6);
	return HDR + ETH_HDR_LEN + payload;
}

static enum fwd_verdict
decide(uint32_t in, size_t len, uint32_t *out)
{
	return fwd_decide(&fdb, 0, in, frame, len, HDR, MAX, 0, out);
}

START_TEST(runts_are_dropped)
{
	uint32_t out;

	make(mac_b, mac_a, 0);
	for (size_t len = 0; len < HDR + ETH_HDR_LEN; len++)
		ck_assert_int_eq(decide(1, len, &out), FWD_DROP_RUNT);
	ck_assert_int_eq(decide(1, HDR + ETH_HDR_LEN, &out), FWD_FLOOD);
	/* A runt teaches nothing. */
	ck_assert_uint_eq(fdb.count, 1);
}
END_TEST

START_TEST(oversize_is_dropped)
{
	uint32_t out;

	make(mac_b, mac_a, 0);
	ck_assert_int_eq(decide(1, MAX + 1, &out), FWD_DROP_OVERSIZE);
	ck_assert_uint_eq(fdb.count, 0);
	ck_assert_int_eq(decide(1, MAX, &out), FWD_FLOOD);
}
END_TEST

START_TEST(bad_sources_are_dropped)
{
	static const uint8_t zero[6];
	uint32_t out;

	ck_assert_int_eq(decide(1, make(mac_b, bcast, 50), &out), FWD_DROP_BAD_SRC);
	ck_assert_int_eq(decide(1, make(mac_b, zero, 50), &out), FWD_DROP_BAD_SRC);
	ck_assert_uint_eq(fdb.count, 0);
}
END_TEST

START_TEST(unknown_unicast_floods_then_learns)
{
	uint32_t out = 99;

	ck_assert_int_eq(decide(1, make(mac_b, mac_a, 50), &out), FWD_FLOOD);
	ck_assert_int_eq(decide(2, make(mac_a, mac_b, 50), &out), FWD_UNICAST);
	ck_assert_uint_eq(out, 1);
	ck_assert_int_eq(decide(1, make(mac_b, mac_a, 50), &out), FWD_UNICAST);
	ck_assert_uint_eq(out, 2);
}
END_TEST

START_TEST(broadcast_and_multicast_flood)
{
	static const uint8_t mcast[6] = { 0x33, 0x33, 0xff, 0, 0, 1 };
	uint32_t out;

	fdb_learn(&fdb, 0, 0, mac_b, 2, 0);
	ck_assert_int_eq(decide(1, make(bcast, mac_a, 50), &out), FWD_FLOOD);
	ck_assert_int_eq(decide(1, make(mcast, mac_a, 50), &out), FWD_FLOOD);
}
END_TEST

START_TEST(reserved_group_not_relayed)
{
	static const uint8_t stp[6] = { 0x01, 0x80, 0xc2, 0, 0, 0 };
	static const uint8_t lldp[6] = { 0x01, 0x80, 0xc2, 0, 0, 0x0e };
	static const uint8_t not_reserved[6] = { 0x01, 0x80, 0xc2, 0, 0, 0x10 };
	uint32_t out;

	ck_assert_int_eq(decide(1, make(stp, mac_a, 50), &out), FWD_DROP_RESERVED);
	ck_assert_int_eq(decide(1, make(lldp, mac_a, 50), &out), FWD_DROP_RESERVED);
	ck_assert_int_eq(decide(1, make(not_reserved, mac_a, 50), &out), FWD_FLOOD);
}
END_TEST

START_TEST(never_back_out_the_ingress_port)
{
	uint32_t out;

	fdb_learn(&fdb, 0, 0, mac_b, 1, 0);
	ck_assert_int_eq(decide(1, make(mac_b, mac_a, 50), &out), FWD_DROP_LOCAL);
}
END_TEST

START_TEST(station_move_follows)
{
	uint32_t out;

	decide(1, make(bcast, mac_a, 50), &out);
	decide(3, make(bcast, mac_a, 50), &out); /* a moved to port 3 */
	ck_assert_int_eq(decide(2, make(mac_a, mac_b, 50), &out), FWD_UNICAST);
	ck_assert_uint_eq(out, 3);
}
END_TEST

/* A station known in one segment is unknown in another: there the frame floods (to that
 * segment's ports only, which the caller picks). */
START_TEST(segments_learn_apart)
{
	uint32_t out = 99;

	ck_assert_int_eq(fwd_decide(&fdb, 1, 1, frame, make(bcast, mac_a, 50), HDR, MAX, 0, &out),
	                 FWD_FLOOD);
	ck_assert_int_eq(fwd_decide(&fdb, 2, 2, frame, make(mac_a, mac_b, 50), HDR, MAX, 0, &out),
	                 FWD_FLOOD);
	ck_assert_int_eq(fwd_decide(&fdb, 1, 3, frame, make(mac_a, mac_b, 50), HDR, MAX, 0, &out),
	                 FWD_UNICAST);
	ck_assert_uint_eq(out, 1);
}
END_TEST

/* A tagged frame passes as it is: the tag neither drops it nor changes where it goes. */
START_TEST(tagged_frames_pass)
{
	uint32_t out = 99;
	size_t len;

	fdb_learn(&fdb, 0, 0, mac_b, 2, 0);
	len = make(mac_b, mac_a, 50);
	frame[HDR + 12] = 0x81, frame[HDR + 13] = 0x00; /* 802.1Q, VID 10 */
	frame[HDR + 14] = 0x00, frame[HDR + 15] = 0x0a;
	ck_assert_int_eq(decide(1, len, &out), FWD_UNICAST);
	ck_assert_uint_eq(out, 2);
	ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac_a, 0), 1);
}
END_TEST

/* Stations are learned and looked up in the frame's VLAN: VLANs of one segment are apart. */
START_TEST(vlans_learn_apart)
{
	uint32_t out = 99;
	size_t len = make(mac_b, mac_a, 46);

	ck_assert_int_eq(fwd_decide_vlan(&fdb, 0, 10, 1, frame, len, HDR, MAX, 0, &out), FWD_FLOOD);
	len = make(mac_a, mac_b, 46);
	/* b asks for a in VLAN 20: a is known in VLAN 10 only, so the frame floods in 20. */
	ck_assert_int_eq(fwd_decide_vlan(&fdb, 0, 20, 2, frame, len, HDR, MAX, 0, &out), FWD_FLOOD);
	ck_assert_int_eq(fwd_decide_vlan(&fdb, 0, 10, 2, frame, len, HDR, MAX, 0, &out),
	                 FWD_UNICAST);
	ck_assert_uint_eq(out, 1);
	ck_assert_uint_eq(fdb_lookup(&fdb, 0, 20, mac_b, 0), 2);
	ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac_b, 0), FDB_NONE);
}
END_TEST

START_TEST(verdict_names)
{
	ck_assert_str_eq(fwd_verdict_name(FWD_DROP_RUNT), "runt");
	ck_assert_str_eq(fwd_verdict_name((enum fwd_verdict)99), "?");
}
END_TEST

static Suite *
fwd_suite(void)
{
	Suite *s = suite_create("fwd");
	TCase *tc = tcase_create("fwd");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, runts_are_dropped);
	tcase_add_test(tc, vlans_learn_apart);
	tcase_add_test(tc, oversize_is_dropped);
	tcase_add_test(tc, bad_sources_are_dropped);
	tcase_add_test(tc, unknown_unicast_floods_then_learns);
	tcase_add_test(tc, broadcast_and_multicast_flood);
	tcase_add_test(tc, reserved_group_not_relayed);
	tcase_add_test(tc, never_back_out_the_ingress_port);
	tcase_add_test(tc, station_move_follows);
	tcase_add_test(tc, segments_learn_apart);
	tcase_add_test(tc, tagged_frames_pass);
	tcase_add_test(tc, verdict_names);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(fwd_suite)
