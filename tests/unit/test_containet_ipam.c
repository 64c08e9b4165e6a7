/* IPAM: segment addressing parsed and checked, auto/static/DHCP leases, the state file's lines. */
#include "containet/ipam.h"

#include "check_main.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

static struct ipam t;
static struct ipam_pool pool;
static bool busy_all;

static uint32_t
A(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return ntohl(a.s_addr);
}

static bool
busy(const struct ipam_lease *l, void *userdata)
{
	(void)l;
	(void)userdata;
	return busy_all;
}

static void
setup(void)
{
	const char *err = NULL;

	memset(&t, 0, sizeof(t));
	busy_all = true;
	ck_assert_int_eq(ipam_pool_parse("10.1.0.0/24", "10.1.0.253", "10.1.0.254",
	                                 "10.1.0.100-10.1.0.199", "fd00:1::/64", true, &pool, &err),
	                 0);
}

static void
teardown(void)
{
	ipam_free(&t);
}

START_TEST(pool_parse_checks_every_field)
{
	static const struct {
		const char *subnet, *service, *gateway, *dhcp, *ipv6;
		bool dns;
		const char *word;
	} bad[] = {
		{ "10.1.0.0", NULL, NULL, NULL, NULL, false, "\"subnet\"" },
		{ "10.1.0.1/24", NULL, NULL, NULL, NULL, false, "host bits" },
		{ "10.0.0.0/31", NULL, NULL, NULL, NULL, false, "8 to 30" },
		{ "10.0.0.0/7", NULL, NULL, NULL, NULL, false, "8 to 30" },
		{ "10.1.0.0/24", "10.2.0.1", NULL, NULL, NULL, false, "\"service\"" },
		{ "10.1.0.0/24", "10.1.0.0", NULL, NULL, NULL, false, "\"service\"" },
		{ "10.1.0.0/24", "10.1.0.255", NULL, NULL, NULL, false, "\"service\"" },
		{ "10.1.0.0/24", NULL, "10.1.1.1", NULL, NULL, false, "\"gateway\"" },
		{ "10.1.0.0/24", "10.1.0.1", "10.1.0.1", NULL, NULL, false, "same address" },
		{ "10.1.0.0/24", "10.1.0.1", NULL, "10.1.0.9-10.1.0.5", NULL, false, "\"dhcp\"" },
		{ "10.1.0.0/24", "10.1.0.1", NULL, "10.1.0.9", NULL, false, "\"dhcp\"" },
		{ "10.1.0.0/24", NULL, NULL, "10.1.0.5-10.1.0.9", NULL, false,
		  "needs \"service\"" },
		{ "10.1.0.0/24", "10.1.0.6", NULL, "10.1.0.5-10.1.0.9", NULL, false, "holds" },
		{ "10.1.0.0/24", NULL, NULL, NULL, NULL, true, "\"dns\" needs" },
		{ NULL, "10.1.0.1", NULL, NULL, NULL, false, "need \"subnet\"" },
		{ NULL, NULL, NULL, NULL, "fd00::/48", false, "/64" },
		{ NULL, NULL, NULL, NULL, "fd00::1/64", false, "\"ipv6\"" },
		{ NULL, NULL, NULL, NULL, "10.0.0.0/64", false, "\"ipv6\"" },
	};
	struct ipam_pool p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *err = NULL;

		ck_assert_int_eq(ipam_pool_parse(bad[i].subnet, bad[i].service, bad[i].gateway,
		                                 bad[i].dhcp, bad[i].ipv6, bad[i].dns, &p, &err),
		                 -EINVAL);
		ck_assert_msg(err && strstr(err, bad[i].word), "case %zu: '%s' lacks '%s'", i,
		              err ? err : "(null)", bad[i].word);
	}
	ck_assert_uint_eq(pool.net, A("10.1.0.0"));
	ck_assert_uint_eq(pool.len, 24);
	ck_assert_uint_eq(pool.service, A("10.1.0.253"));
	ck_assert_uint_eq(pool.dhcp_last, A("10.1.0.199"));
	ck_assert(pool.has_v6 && pool.dns);
	/* 254 hosts less the service, the gateway and 100 for DHCP */
	ck_assert_uint_eq(ipam_pool_size(&pool), 152);
	ck_assert(!ipam_pool_has(&pool, A("10.1.0.150")));
	ck_assert(ipam_pool_has(&pool, A("10.1.0.1")));
	ck_assert(!ipam_pool_has(&pool, A("10.1.0.255")));
	ck_assert_int_eq(ipam_pool_parse(NULL, NULL, NULL, NULL, NULL, false, &p, NULL), 0);
	ck_assert_uint_eq(ipam_pool_size(&p), 0);
}
END_TEST

START_TEST(auto_is_stable_and_distinct)
{
	uint32_t a, b, again;

	ck_assert_int_eq(ipam_auto(&t, "lan", &pool, "n1", "eth0", 10, busy, NULL, &a), 0);
	ck_assert_int_eq(ipam_auto(&t, "lan", &pool, "n2", "eth0", 10, busy, NULL, &b), 0);
	ck_assert_uint_eq(a, A("10.1.0.1"));
	ck_assert_uint_eq(b, A("10.1.0.2"));
	ck_assert_int_eq(ipam_auto(&t, "lan", &pool, "n1", "eth0", 20, busy, NULL, &again), 0);
	ck_assert_uint_eq(again, a);
	ck_assert_int_eq(ipam_auto(&t, "lan", &pool, "n1", "eth1", 20, busy, NULL, &again), 0);
	ck_assert_uint_eq(again, A("10.1.0.3"));
	/* Another segment of the same subnet is another pool. */
	ck_assert_int_eq(ipam_auto(&t, "lan2", &pool, "n9", "eth0", 20, busy, NULL, &again), 0);
	ck_assert_uint_eq(again, A("10.1.0.1"));
	ck_assert_uint_eq(ipam_used(&t, "lan", &pool, 20), 3);
	ck_assert(t.dirty);
}
END_TEST

START_TEST(auto_skips_service_gateway_dhcp_and_static)
{
	struct ipam_pool p;
	const char *err;
	const struct ipam_lease *holder = NULL;
	uint32_t a;

	ck_assert_int_eq(ipam_pool_parse("10.2.0.0/29", "10.2.0.1", "10.2.0.3", "10.2.0.4-10.2.0.5",
	                                 NULL, false, &p, &err),
	                 0);
	ck_assert_int_eq(
	        ipam_static(&t, "s", &p, "st", "eth0", A("10.2.0.2"), 1, busy, NULL, &holder), 0);
	ck_assert_int_eq(ipam_auto(&t, "s", &p, "n1", "eth0", 1, busy, NULL, &a), 0);
	ck_assert_uint_eq(a, A("10.2.0.6"));
	ck_assert_int_eq(ipam_auto(&t, "s", &p, "n2", "eth0", 1, busy, NULL, &a), -ENOSPC);
}
END_TEST

START_TEST(full_pool_takes_from_the_longest_unused)
{
	struct ipam_pool p;
	const char *err;
	uint32_t a;

	ck_assert_int_eq(ipam_pool_parse("10.3.0.0/30", NULL, NULL, NULL, NULL, false, &p, &err),
	                 0);
	ck_assert_int_eq(ipam_auto(&t, "s", &p, "old", "eth0", 1, busy, NULL, &a), 0);
	ck_assert_int_eq(ipam_auto(&t, "s", &p, "new", "eth0", 5, busy, NULL, &a), 0);
	ck_assert_int_eq(ipam_auto(&t, "s", &p, "third", "eth0", 9, busy, NULL, &a), -ENOSPC);
	busy_all = false;
	ck_assert_int_eq(ipam_auto(&t, "s", &p, "third", "eth0", 9, busy, NULL, &a), 0);
	ck_assert_uint_eq(a, A("10.3.0.1")); /* old's */
	ck_assert_ptr_null(ipam_find_node(&t, "s", "old", "eth0"));
	ck_assert_ptr_nonnull(ipam_find_node(&t, "s", "new", "eth0"));
}
END_TEST

START_TEST(static_conflicts)
{
	const struct ipam_lease *holder = NULL;
	uint32_t a;

	ck_assert_int_eq(ipam_auto(&t, "lan", &pool, "n1", "eth0", 1, busy, NULL, &a), 0);
	ck_assert_int_eq(ipam_static(&t, "lan", &pool, "n2", "eth0", a, 2, busy, NULL, &holder),
	                 -EADDRINUSE);
	ck_assert_str_eq(holder->node, "n1");
	/* Its own address again is no conflict. */
	ck_assert_int_eq(ipam_static(&t, "lan", &pool, "n1", "eth0", a, 2, busy, NULL, &holder), 0);
	ck_assert_int_eq(ipam_find_node(&t, "lan", "n1", "eth0")->kind, IPAM_STATIC);
	/* A holder that is not attached gives way. */
	busy_all = false;
	ck_assert_int_eq(ipam_static(&t, "lan", &pool, "n2", "eth0", a, 3, busy, NULL, &holder), 0);
	ck_assert_ptr_null(ipam_find_node(&t, "lan", "n1", "eth0"));
	/* Outside the subnet: not recorded. */
	ck_assert_int_eq(ipam_static(&t, "lan", &pool, "n3", "eth0", A("192.168.0.1"), 3, busy,
	                             NULL, &holder),
	                 0);
	ck_assert_ptr_null(ipam_find_node(&t, "lan", "n3", "eth0"));
}
END_TEST

START_TEST(dhcp_offer_bind_release_decline)
{
	const uint8_t m1[6] = { 2, 0, 0, 0, 0, 1 }, m2[6] = { 2, 0, 0, 0, 0, 2 };
	const struct ipam_lease *holder = NULL;
	uint32_t a, b;

	ck_assert_int_eq(ipam_dhcp_offer(&t, "lan", &pool, m1, 0, 100, &a), 0);
	ck_assert_uint_eq(a, A("10.1.0.100"));
	/* The requested address, when it is free and in the range. */
	ck_assert_int_eq(ipam_dhcp_offer(&t, "lan", &pool, m1, A("10.1.0.150"), 100, &a), 0);
	ck_assert_uint_eq(a, A("10.1.0.150"));
	ck_assert_int_eq(ipam_dhcp_offer(&t, "lan", &pool, m1, A("10.1.0.5"), 100, &a), 0);
	ck_assert_uint_eq(a, A("10.1.0.100"));
	ck_assert_int_eq(ipam_dhcp_bind(&t, "lan", &pool, m1, a, "web", 100, 3600), 1);
	t.dirty = false;
	/* a renewal: only the end moves (still to be saved) */
	ck_assert_int_eq(ipam_dhcp_bind(&t, "lan", &pool, m1, a, "web", 150, 3600), 0);
	ck_assert(t.dirty);
	ck_assert_uint_eq(ipam_find_mac(&t, "lan", m1, 150)->time, 3750);
	ck_assert_int_eq(ipam_dhcp_bind(&t, "lan", &pool, m1, a, "web2", 100, 3600), 1);
	ck_assert_ptr_nonnull(ipam_find_mac(&t, "lan", m1, 200));
	ck_assert_ptr_null(ipam_find_mac(&t, "lan", m1, 3700));
	ck_assert_int_eq(ipam_dhcp_bind(&t, "lan", &pool, m2, a, NULL, 200, 3600), -EADDRINUSE);
	ck_assert_int_eq(ipam_dhcp_bind(&t, "lan", &pool, m2, A("10.1.0.5"), NULL, 200, 3600),
	                 -EINVAL);
	ck_assert_int_eq(ipam_dhcp_offer(&t, "lan", &pool, m2, 0, 200, &b), 0);
	ck_assert_uint_eq(b, A("10.1.0.101"));
	/* A static address in the range held by a live DHCP lease is refused. */
	ck_assert_int_eq(ipam_static(&t, "lan", &pool, "st", "eth0", a, 200, busy, NULL, &holder),
	                 -EADDRINUSE);
	ck_assert_int_eq(holder->kind, IPAM_DHCP);
	/* Released: kept, expired, and the same client gets it again. */
	ipam_dhcp_release(&t, "lan", m1, a);
	ck_assert_ptr_null(ipam_find_mac(&t, "lan", m1, 200));
	ck_assert_int_eq(ipam_dhcp_offer(&t, "lan", &pool, m1, 0, 300, &b), 0);
	ck_assert_uint_eq(b, a);
	/* Declined: nobody gets it for a while. */
	ck_assert_int_eq(ipam_dhcp_decline(&t, "lan", &pool, m2, A("10.1.0.101"), 300), 0);
	ck_assert_int_eq(ipam_dhcp_offer(&t, "lan", &pool, m2, A("10.1.0.101"), 301, &b), 0);
	ck_assert_uint_ne(b, A("10.1.0.101"));
}
END_TEST

START_TEST(dhcp_full_range_reuses_expired)
{
	struct ipam_pool p;
	const char *err;
	uint8_t m[6] = { 2, 0, 0, 0, 0, 0 };
	uint32_t a;

	ck_assert_int_eq(ipam_pool_parse("10.4.0.0/24", "10.4.0.1", NULL, "10.4.0.10-10.4.0.11",
	                                 NULL, false, &p, &err),
	                 0);
	for (int i = 0; i < 2; i++) {
		m[5] = i;
		ck_assert_int_eq(ipam_dhcp_offer(&t, "s", &p, m, 0, 10, &a), 0);
		ck_assert_int_eq(ipam_dhcp_bind(&t, "s", &p, m, a, NULL, 10, 100 + i), 1);
	}
	m[5] = 9;
	ck_assert_int_eq(ipam_dhcp_offer(&t, "s", &p, m, 0, 50, &a), -ENOSPC);
	ck_assert_int_eq(ipam_dhcp_offer(&t, "s", &p, m, 0, 200, &a), 0);
	ck_assert_uint_eq(a, A("10.4.0.10"));
	ck_assert_int_eq(ipam_dhcp_bind(&t, "s", &p, m, a, NULL, 200, 100), 1);
}
END_TEST

/* A segment stretched over machines: each hands out from its slice, static anywhere. */
START_TEST(slices_split_the_pool)
{
	struct ipam_pool one = pool, two = pool, p;
	const uint8_t m[6] = { 2, 0, 0, 0, 0, 1 };
	const char *err = NULL;
	uint32_t a, b;

	/* 10.1.0.1-254 in halves: .1-.127 and .128-.254 (less service, gateway, DHCP) */
	ck_assert_int_eq(ipam_pool_options(&one, NULL, "1/2", true, &err), 0);
	ck_assert_int_eq(ipam_pool_options(&two, "lab", "2/2", false, &err), 0);
	ck_assert(one.no_services && !two.no_services);
	ck_assert_str_eq(two.domain, "lab");
	ck_assert_uint_eq(one.auto_first, A("10.1.0.1"));
	ck_assert_uint_eq(one.auto_last, A("10.1.0.127"));
	ck_assert_uint_eq(two.auto_first, A("10.1.0.128"));
	ck_assert_uint_eq(two.auto_last, A("10.1.0.254"));
	ck_assert_uint_eq(ipam_pool_size(&one), 127 - 28);     /* .100-.127 are DHCP's */
	ck_assert_uint_eq(ipam_pool_size(&two), 127 - 72 - 2); /* .128-.199, service, gateway */
	ck_assert_uint_eq(ipam_pool_size(&one) + ipam_pool_size(&two), ipam_pool_size(&pool));
	ck_assert_int_eq(ipam_auto(&t, "lan", &one, "n1", "eth0", 10, busy, NULL, &a), 0);
	ck_assert_uint_eq(a, A("10.1.0.1"));
	ck_assert_int_eq(ipam_auto(&t, "lan", &two, "n2", "eth0", 10, busy, NULL, &b), 0);
	ck_assert_uint_eq(b, A("10.1.0.200"));
	ck_assert(ipam_auto_has(&one, a) && !ipam_auto_has(&two, a));
	/* a lease outside this switch's slice is given up for one inside */
	ck_assert_int_eq(ipam_auto(&t, "lan", &two, "n1", "eth0", 10, busy, NULL, &a), 0);
	ck_assert_uint_eq(a, A("10.1.0.201"));
	/* static: anywhere in the subnet */
	ck_assert_int_eq(
	        ipam_static(&t, "lan", &one, "s1", "eth0", A("10.1.0.250"), 10, busy, NULL, NULL),
	        0);
	/* DHCP offers from its part of the range: .150-.199 */
	ck_assert_uint_eq(two.dhcp_lo, A("10.1.0.150"));
	ck_assert_uint_eq(two.dhcp_hi, A("10.1.0.199"));
	ck_assert_int_eq(ipam_dhcp_offer(&t, "lan", &two, m, A("10.1.0.100"), 10, &a), 0);
	ck_assert_uint_eq(a, A("10.1.0.150"));
	/* bad slices, each refused naming the field */
	static const char *const bad[] = { "0/2", "3/2",   "1/0",  "1",       "/2",   "1/",
		                           "a/2", "1/2/3", "-1/2", "1/65537", "1/256" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = pool;
		err = NULL;
		ck_assert_msg(ipam_pool_options(&p, NULL, bad[i], false, &err) == -EINVAL,
		              "'%s' accepted", bad[i]);
		ck_assert_ptr_nonnull(strstr(err, "\"slice\""));
		ck_assert_uint_eq(p.auto_last, pool.auto_last); /* left as it was */
	}
	/* 1/100 of a /24's DHCP range of 100 is one address each: fine */
	p = pool;
	ck_assert_int_eq(ipam_pool_options(&p, NULL, "100/100", false, &err), 0);
	ck_assert_uint_eq(p.dhcp_lo, A("10.1.0.199"));
	/* a slice needs a subnet; a domain must be one */
	ck_assert_int_eq(ipam_pool_parse(NULL, NULL, NULL, NULL, NULL, false, &p, &err), 0);
	ck_assert_int_eq(ipam_pool_options(&p, NULL, "1/2", false, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "\"subnet\""));
	ck_assert_int_eq(ipam_pool_options(&p, "a..b", NULL, false, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "\"domain\""));
}
END_TEST

START_TEST(lease_lines_round_trip)
{
	const uint8_t m1[6] = { 2, 0xab, 0, 0, 0, 1 };
	struct ipam u = {};
	char buf[256];
	uint32_t a;

	ck_assert_int_eq(ipam_auto(&t, "lan", &pool, "n1", "eth0", 77, busy, NULL, &a), 0);
	ck_assert_int_eq(ipam_dhcp_bind(&t, "lan", &pool, m1, A("10.1.0.120"), "web-1", 10, 100),
	                 1);
	ck_assert_int_eq(ipam_dhcp_bind(&t, "lan", &pool, (uint8_t[6]){ 2, 0, 0, 0, 0, 9 },
	                                A("10.1.0.121"), "", 10, 100),
	                 1);
	for (uint32_t i = 0; i < t.n; i++) {
		struct ipam_lease l;
		int n = ipam_lease_format(&t.v[i], buf, sizeof(buf));

		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(buf[n - 1], '\n');
		buf[n - 1] = '\0';
		ck_assert_int_eq(ipam_lease_parse(buf, &l), 0);
		ck_assert_mem_eq(&l, &t.v[i], sizeof(l));
		ck_assert_int_eq(ipam_load(&u, &l), 0);
	}
	ck_assert_uint_eq(u.n, 3);
	ck_assert_str_eq(ipam_find_addr(&u, "lan", A("10.1.0.120"))->node, "web-1");
	ipam_free(&u);
	ck_assert_int_eq(ipam_lease_format(&t.v[0], buf, 10), -ENOSPC);
}
END_TEST

START_TEST(lease_lines_refuse_garbage)
{
	static const char *const bad[] = {
		"",
		"lan",
		"lan auto n1 eth0 10.1.0.1",
		"lan auto n1 eth0 10.1.0.1 5 extra",
		"lan auto n1 eth0 10.1.0.300 5",
		"lan auto n1 eth0 10.1.0.1 -5",
		"lan auto n1 eth0 10.1.0.1 99999999999999999999999",
		"lan auto -n1 eth0 10.1.0.1 5",
		"lan auto n1 eth0/x 10.1.0.1 5",
		"lan auto n1 0123456789abcdefg 10.1.0.1 5",
		"lan magic n1 eth0 10.1.0.1 5",
		"-lan auto n1 eth0 10.1.0.1 5",
		"lan dhcp 02:00:00:00:00 10.1.0.1 5 -",
		"lan dhcp 02:00:00:00:00:01 10.1.0.1 5 a\x01b",
		"lan dhcp 02:00:00:00:00:01 10.1.0.1 x -",
		"lan  auto n1 eth0 10.1.0.1",
	};
	struct ipam_lease l;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(ipam_lease_parse(bad[i], &l) == -EINVAL, "accepted '%s'", bad[i]);
	ck_assert_int_eq(ipam_lease_parse("lan static n1 eth0 10.1.0.1 5", &l), 0);
	ck_assert_int_eq(l.kind, IPAM_STATIC);
}
END_TEST

START_TEST(load_later_line_wins)
{
	struct ipam_lease l;

	ck_assert_int_eq(ipam_lease_parse("lan auto n1 eth0 10.1.0.1 5", &l), 0);
	ck_assert_int_eq(ipam_load(&t, &l), 0);
	ck_assert_int_eq(ipam_lease_parse("lan auto n1 eth0 10.1.0.7 6", &l), 0);
	ck_assert_int_eq(ipam_load(&t, &l), 0);
	ck_assert_int_eq(ipam_lease_parse("lan auto n2 eth0 10.1.0.7 7", &l), 0);
	ck_assert_int_eq(ipam_load(&t, &l), 0);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_str_eq(t.v[0].node, "n2");
}
END_TEST

static Suite *
ipam_suite(void)
{
	Suite *s = suite_create("ipam");
	TCase *tc = tcase_create("ipam");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pool_parse_checks_every_field);
	tcase_add_test(tc, auto_is_stable_and_distinct);
	tcase_add_test(tc, auto_skips_service_gateway_dhcp_and_static);
	tcase_add_test(tc, full_pool_takes_from_the_longest_unused);
	tcase_add_test(tc, static_conflicts);
	tcase_add_test(tc, dhcp_offer_bind_release_decline);
	tcase_add_test(tc, dhcp_full_range_reuses_expired);
	tcase_add_test(tc, slices_split_the_pool);
	tcase_add_test(tc, lease_lines_round_trip);
	tcase_add_test(tc, lease_lines_refuse_garbage);
	tcase_add_test(tc, load_later_line_wins);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ipam_suite)
