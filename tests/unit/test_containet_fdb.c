/* The forwarding table: learn, lookup, age, move, full table, flush. */
#include "containet/fdb.h"

#include "check_main.h"

#include <errno.h>

#define SEC 1000000000ULL

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0xa };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0xb };

static struct fdb fdb;

static void
setup(void)
{
	ck_assert_int_eq(fdb_init(&fdb, 4, 300 * SEC, 42), 0);
}

static void
teardown(void)
{
	fdb_free(&fdb);
}

START_TEST(learn_and_lookup)
{
	ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac_a, 0), FDB_NONE);
	ck_assert_int_eq(fdb_learn(&fdb, 0, 0, mac_a, 3, 10), FDB_NEW);
	ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac_a, 11), 3);
	ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac_b, 11), FDB_NONE);
	ck_assert_int_eq(fdb_learn(&fdb, 0, 0, mac_a, 3, 12), FDB_KNOWN);
	ck_assert_uint_eq(fdb.count, 1);
}
END_TEST

START_TEST(moved_station_is_relearned_at_once)
{
	fdb_learn(&fdb, 0, 0, mac_a, 1, 0);
	ck_assert_int_eq(fdb_learn(&fdb, 0, 0, mac_a, 2, 1), FDB_MOVED);
	ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac_a, 2), 2);
	ck_assert_uint_eq(fdb.count, 1);
}
END_TEST

START_TEST(entries_age_out)
{
	fdb_learn(&fdb, 0, 0, mac_a, 1, 0);
	fdb_learn(&fdb, 0, 0, mac_b, 2, 200 * SEC);
	ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac_a, 300 * SEC), 1);
	/* Past the ageing time a stale entry is unknown even before the sweep runs. */
	ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac_a, 300 * SEC + 1), FDB_NONE);
	ck_assert_uint_eq(fdb_expire(&fdb, 300 * SEC + 1), 1);
	ck_assert_uint_eq(fdb.count, 1);
	ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac_b, 300 * SEC + 1), 2);
}
END_TEST

START_TEST(refresh_keeps_alive)
{
	fdb_learn(&fdb, 0, 0, mac_a, 1, 0);
	fdb_learn(&fdb, 0, 0, mac_a, 1, 250 * SEC);
	ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac_a, 500 * SEC), 1);
}
END_TEST

START_TEST(full_table_stays_correct)
{
	uint8_t mac[6] = { 0x02, 1, 2, 3, 4, 0 };

	for (int i = 0; i < 4; i++) {
		mac[5] = i;
		ck_assert_int_eq(fdb_learn(&fdb, 0, 0, mac, i, 0), FDB_NEW);
	}
	mac[5] = 9;
	ck_assert_int_eq(fdb_learn(&fdb, 0, 0, mac, 9, 1), FDB_FULL);
	ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac, 1), FDB_NONE);
	ck_assert_uint_eq(fdb.learn_refused, 1);
	mac[5] = 10;
	ck_assert_int_eq(fdb_learn(&fdb, 0, 0, mac, 9, 2), FDB_FULL);
	ck_assert_uint_eq(fdb.learn_refused, 2);
	/* Old entries still answer, and are refreshed as ever. */
	for (int i = 0; i < 4; i++) {
		mac[5] = i;
		ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac, 3), (uint32_t)i);
		ck_assert_int_eq(fdb_learn(&fdb, 0, 0, mac, i, 3), FDB_KNOWN);
	}
	ck_assert_uint_eq(fdb.count, 4);
	/* Once an old one has aged, a new station takes its place. */
	mac[5] = 9;
	ck_assert_int_eq(fdb_learn(&fdb, 0, 0, mac, 9, 304 * SEC), FDB_NEW);
	ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac, 304 * SEC), 9);
	ck_assert_uint_eq(fdb.learn_refused, 2);
}
END_TEST

static void
mac_of(uint32_t i, uint8_t mac[6])
{
	mac[0] = 0x02, mac[1] = 0, mac[2] = i >> 24, mac[3] = i >> 16, mac[4] = i >> 8, mac[5] = i;
}

/*
 * A full table of stale entries: a new station takes the oldest one's place and nothing
 * else is touched; learning never sweeps the table.
 */
START_TEST(full_table_learn_is_bounded)
{
	struct fdb big;
	uint8_t mac[6];

	ck_assert_int_eq(fdb_init(&big, 5000, 300 * SEC, 7), 0);
	for (uint32_t i = 0; i < 5000; i++) {
		mac_of(i, mac);
		ck_assert_int_eq(fdb_learn(&big, 0, 0, mac, 1, i), FDB_NEW);
	}
	for (uint32_t i = 0; i < 100; i++) {
		mac_of(10000 + i, mac);
		ck_assert_int_eq(fdb_learn(&big, 0, 0, mac, 2, 400 * SEC), FDB_NEW);
		ck_assert_uint_eq(big.count, 5000);
	}
	/* The oldest went first: station 99 is gone, 100 still there (if stale). */
	mac_of(99, mac);
	ck_assert_uint_eq(fdb_learn(&big, 0, 0, mac, 1, 400 * SEC), FDB_NEW);
	ck_assert_uint_eq(big.count, 5000);
	ck_assert_uint_eq(big.learn_refused, 0);
	fdb_free(&big);
}
END_TEST

/* Ageing takes a bounded number of entries per call, over several ticks, oldest first. */
START_TEST(ageing_is_incremental)
{
	struct fdb big;
	uint8_t mac[6];
	uint32_t n, total = 0, calls = 0;

	ck_assert_int_eq(fdb_init(&big, 3 * FDB_EXPIRE_BATCH, 300 * SEC, 7), 0);
	for (uint32_t i = 0; i < 3 * FDB_EXPIRE_BATCH; i++) {
		mac_of(i, mac);
		fdb_learn(&big, 0, 0, mac, i % 5, 0);
	}
	/* Every even station is heard again later: those live on. */
	for (uint32_t i = 0; i < 3 * FDB_EXPIRE_BATCH; i += 2) {
		mac_of(i, mac);
		ck_assert_int_eq(fdb_learn(&big, 0, 0, mac, i % 5, 200 * SEC), FDB_KNOWN);
	}
	while ((n = fdb_expire(&big, 301 * SEC)) > 0) {
		ck_assert_uint_le(n, FDB_EXPIRE_BATCH);
		total += n;
		calls++;
	}
	ck_assert_uint_eq(total, 3 * FDB_EXPIRE_BATCH / 2);
	ck_assert_uint_ge(calls, 2);
	ck_assert_uint_eq(big.count, 3 * FDB_EXPIRE_BATCH / 2);
	for (uint32_t i = 0; i < 3 * FDB_EXPIRE_BATCH; i++) {
		mac_of(i, mac);
		ck_assert_uint_eq(fdb_lookup(&big, 0, 0, mac, 301 * SEC), i % 2 ? FDB_NONE : i % 5);
	}
	/* The rest ages later, and the freed places serve new stations. */
	ck_assert_uint_eq(fdb_expire(&big, 501 * SEC), FDB_EXPIRE_BATCH);
	ck_assert_uint_eq(fdb_expire(&big, 501 * SEC), FDB_EXPIRE_BATCH / 2);
	ck_assert_uint_eq(big.count, 0);
	for (uint32_t i = 0; i < 3 * FDB_EXPIRE_BATCH; i++) {
		mac_of(100000 + i, mac);
		ck_assert_int_eq(fdb_learn(&big, 0, 0, mac, 3, 502 * SEC), FDB_NEW);
	}
	fdb_free(&big);
}
END_TEST

START_TEST(flush_port)
{
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0 };

	for (int i = 0; i < 4; i++) {
		mac[5] = i;
		fdb_learn(&fdb, 0, 0, mac, i % 2, 0);
	}
	ck_assert_uint_eq(fdb_flush_port(&fdb, 1), 2);
	ck_assert_uint_eq(fdb.count, 2);
	for (int i = 0; i < 4; i++) {
		mac[5] = i;
		ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac, 0), i % 2 ? FDB_NONE : 0);
	}
	/* Freed entries are reusable. */
	for (int i = 10; i < 12; i++) {
		mac[5] = i;
		ck_assert_int_eq(fdb_learn(&fdb, 0, 0, mac, 5, 0), FDB_NEW);
	}
}
END_TEST

static int
count_entries(const struct fdb_entry *e, void *userdata)
{
	(void)e;
	(*(int *)userdata)++;
	return 0;
}

START_TEST(foreach_skips_stale)
{
	int n = 0;

	fdb_learn(&fdb, 0, 0, mac_a, 1, 0);
	fdb_learn(&fdb, 0, 0, mac_b, 1, 100 * SEC);
	fdb_foreach(&fdb, 350 * SEC, count_entries, &n);
	ck_assert_int_eq(n, 1);
}
END_TEST

START_TEST(many_stations)
{
	struct fdb big;
	uint8_t mac[6] = { 0x02 };

	ck_assert_int_eq(fdb_init(&big, 10000, 300 * SEC, 7), 0);
	for (uint32_t i = 0; i < 10000; i++) {
		mac[2] = i >> 16, mac[3] = i >> 8, mac[4] = i;
		ck_assert_int_eq(fdb_learn(&big, 0, 0, mac, i % 7, 0), FDB_NEW);
	}
	for (uint32_t i = 0; i < 10000; i++) {
		mac[2] = i >> 16, mac[3] = i >> 8, mac[4] = i;
		ck_assert_uint_eq(fdb_lookup(&big, 0, 0, mac, 0), i % 7);
	}
	fdb_free(&big);
}
END_TEST

/* The same station in two segments, or two VLANs, is two entries with their own ports. */
START_TEST(keyed_by_segment_and_vlan)
{
	ck_assert_int_eq(fdb_learn(&fdb, 1, 0, mac_a, 3, 0), FDB_NEW);
	ck_assert_int_eq(fdb_learn(&fdb, 2, 0, mac_a, 4, 0), FDB_NEW);
	ck_assert_int_eq(fdb_learn(&fdb, 1, 10, mac_a, 5, 0), FDB_NEW);
	ck_assert_uint_eq(fdb_lookup(&fdb, 1, 0, mac_a, 1), 3);
	ck_assert_uint_eq(fdb_lookup(&fdb, 2, 0, mac_a, 1), 4);
	ck_assert_uint_eq(fdb_lookup(&fdb, 1, 10, mac_a, 1), 5);
	ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac_a, 1), FDB_NONE);
	ck_assert_uint_eq(fdb_lookup(&fdb, 3, 0, mac_a, 1), FDB_NONE);
	ck_assert_uint_eq(fdb_lookup(&fdb, 2, 10, mac_a, 1), FDB_NONE);
	/* Learning in one segment leaves the other's entry where it was. */
	ck_assert_int_eq(fdb_learn(&fdb, 1, 0, mac_a, 6, 2), FDB_MOVED);
	ck_assert_uint_eq(fdb_lookup(&fdb, 2, 0, mac_a, 3), 4);
	ck_assert_uint_eq(fdb_flush_port(&fdb, 4), 1);
	ck_assert_uint_eq(fdb_lookup(&fdb, 1, 0, mac_a, 3), 6);
	ck_assert_uint_eq(fdb.count, 2);
}
END_TEST

START_TEST(bad_sizes)
{
	struct fdb f;

	ck_assert_int_lt(fdb_init(&f, 0, SEC, 0), 0);
}
END_TEST

/* A tunnel port's entries carry the remote they came from; a move forgets it. */
START_TEST(remote_of_learned_entry)
{
	const struct fdb_entry *e;

	fdb_learn(&fdb, 0, 0, mac_a, 5, 0);
	e = fdb_get(&fdb, 0, 0, mac_a, 1);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->remote, FDB_REMOTE_NONE);
	ck_assert_int_eq(fdb_set_remote(&fdb, 0, 0, mac_a, 5, 2, 1), 0);
	ck_assert_uint_eq(fdb_get(&fdb, 0, 0, mac_a, 1)->remote, 2);
	/* only for the port it sits behind, and only for known stations */
	ck_assert_int_eq(fdb_set_remote(&fdb, 0, 0, mac_a, 6, 3, 1), -ENOENT);
	ck_assert_int_eq(fdb_set_remote(&fdb, 0, 0, mac_b, 5, 3, 1), -ENOENT);
	ck_assert_int_eq(fdb_learn(&fdb, 0, 0, mac_a, 5, 2), FDB_KNOWN);
	ck_assert_uint_eq(fdb_get(&fdb, 0, 0, mac_a, 2)->remote, 2);
	ck_assert_int_eq(fdb_learn(&fdb, 0, 0, mac_a, 6, 3), FDB_MOVED);
	ck_assert_uint_eq(fdb_get(&fdb, 0, 0, mac_a, 3)->remote, FDB_REMOTE_NONE);
	/* aged out: gone */
	ck_assert_ptr_null(fdb_get(&fdb, 0, 0, mac_a, 3 + 301 * SEC));
}
END_TEST

/* Fixed entries never age, learning leaves them alone, and ageing passes them by. */
START_TEST(fixed_entries)
{
	static const uint8_t mac_c[6] = { 0x02, 0, 0, 0, 0, 0xc };

	ck_assert_int_eq(fdb_add_fixed(&fdb, 0, 0, mac_a, 7, 1, 0), 0);
	ck_assert_int_eq(fdb_learn(&fdb, 0, 0, mac_b, 2, 0), FDB_NEW);
	ck_assert_int_eq(fdb_learn(&fdb, 0, 0, mac_a, 3, 1), FDB_KNOWN);
	ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac_a, 2), 7);
	ck_assert_int_eq(fdb_set_remote(&fdb, 0, 0, mac_a, 7, 4, 2), 0);
	ck_assert_uint_eq(fdb_get(&fdb, 0, 0, mac_a, 2)->remote, 1);
	/* long after: the learned one aged out, the fixed one stays */
	ck_assert_uint_eq(fdb_expire(&fdb, 1000 * SEC), 1);
	ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac_b, 1000 * SEC), FDB_NONE);
	ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac_a, 1000 * SEC), 7);
	ck_assert(fdb_get(&fdb, 0, 0, mac_a, 1000 * SEC)->fixed);
	/* a learned entry becomes fixed in place, on another port */
	fdb_learn(&fdb, 0, 0, mac_c, 2, 1000 * SEC);
	ck_assert_int_eq(fdb_add_fixed(&fdb, 0, 0, mac_c, 8, FDB_REMOTE_NONE, 1000 * SEC), 0);
	ck_assert_uint_eq(fdb_lookup(&fdb, 0, 0, mac_c, 3000 * SEC), 8);
	ck_assert_uint_eq(fdb.count, 2);
	/* delete, of fixed and unknown */
	ck_assert_int_eq(fdb_del(&fdb, 0, 0, mac_a), 0);
	ck_assert_int_eq(fdb_del(&fdb, 0, 0, mac_a), -ENOENT);
	ck_assert_uint_eq(fdb.count, 1);
	/* a table full of fixed entries refuses, and expiring it removes nothing */
	for (uint8_t i = 0; i < 3; i++) {
		uint8_t m[6] = { 0x02, 1, 0, 0, 0, i };
		ck_assert_int_eq(fdb_add_fixed(&fdb, 0, 0, m, 1, FDB_REMOTE_NONE, 0), 0);
	}
	ck_assert_int_eq(fdb_add_fixed(&fdb, 0, 0, mac_b, 1, FDB_REMOTE_NONE, 0), -ENOSPC);
	ck_assert_uint_eq(fdb_expire(&fdb, 5000 * SEC), 0);
	ck_assert_uint_eq(fdb.count, 4);
	/* a port going takes its fixed entries */
	ck_assert_uint_eq(fdb_flush_port(&fdb, 1), 3);
}
END_TEST

static Suite *
fdb_suite(void)
{
	Suite *s = suite_create("fdb");
	TCase *tc = tcase_create("fdb");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, learn_and_lookup);
	tcase_add_test(tc, moved_station_is_relearned_at_once);
	tcase_add_test(tc, entries_age_out);
	tcase_add_test(tc, refresh_keeps_alive);
	tcase_add_test(tc, full_table_stays_correct);
	tcase_add_test(tc, full_table_learn_is_bounded);
	tcase_add_test(tc, ageing_is_incremental);
	tcase_add_test(tc, flush_port);
	tcase_add_test(tc, foreach_skips_stale);
	tcase_add_test(tc, many_stations);
	tcase_add_test(tc, keyed_by_segment_and_vlan);
	tcase_add_test(tc, bad_sizes);
	tcase_add_test(tc, remote_of_learned_entry);
	tcase_add_test(tc, fixed_entries);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(fdb_suite)
