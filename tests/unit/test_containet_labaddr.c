/*
 * What lab wait and lab pingall read from the nodes: `ip -j addr` output, `containode ps
 * --json` output, and subnets.
 */
#include "containet/lab/labaddr.h"

#include "check_main.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int
parse(const char *text, struct labaddr **v, size_t *n)
{
	return labaddr_parse(text, strlen(text), v, n);
}

START_TEST(ip_addr)
{
	const char *out =
	        "[{\"ifindex\":1,\"ifname\":\"lo\",\"addr_info\":[{\"family\":\"inet\","
	        "\"local\":\"127.0.0.1\",\"prefixlen\":8}]},"
	        "{\"ifindex\":2,\"ifname\":\"eth0\",\"flags\":[\"UP\"],\"addr_info\":["
	        "{\"family\":\"inet\",\"local\":\"10.1.0.1\",\"prefixlen\":24,\"scope\":\"global\"},"
	        "{\"family\":\"inet6\",\"local\":\"fe80::1\",\"prefixlen\":64}]},"
	        "{\"ifindex\":3,\"ifname\":\"eth1\",\"addr_info\":[{\"family\":\"inet\","
	        "\"local\":\"10.2.0.1\",\"prefixlen\":16}]},"
	        "{\"ifindex\":4,\"ifname\":\"eth2\",\"addr_info\":[]},"
	        "{\"ifindex\":5,\"ifname\":\"eth3\"}]";
	struct labaddr *v;
	size_t n;

	ck_assert_int_eq(parse(out, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].ifname, "eth0");
	ck_assert_str_eq(v[0].addr, "10.1.0.1");
	ck_assert_uint_eq(v[0].prefixlen, 24);
	ck_assert_str_eq(v[1].ifname, "eth1");
	ck_assert_str_eq(v[1].addr, "10.2.0.1");
	ck_assert_uint_eq(v[1].prefixlen, 16);
	free(v);

	ck_assert_int_eq(parse("[]", &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(v);
}
END_TEST

START_TEST(ip_addr_refused)
{
	static const char *bad[] = {
		"",
		"{}",
		"[1]",
		"[{\"addr_info\":[]}]",
		"[{\"ifname\":\"\",\"addr_info\":[]}]",
		"[{\"ifname\":\"averyveryverylongname\",\"addr_info\":[]}]",
		"[{\"ifname\":\"eth0\",\"addr_info\":{}}]",
		"[{\"ifname\":\"eth0\",\"addr_info\":[1]}]",
		"[{\"ifname\":\"eth0\",\"addr_info\":[{\"family\":\"inet\",\"local\":\"10.1.0\","
		"\"prefixlen\":24}]}]",
		"[{\"ifname\":\"eth0\",\"addr_info\":[{\"family\":\"inet\",\"local\":\"10.1.0.1\","
		"\"prefixlen\":33}]}]",
		"[{\"ifname\":\"eth0\",\"addr_info\":[{\"family\":\"inet\",\"local\":\"10.1.0.1\"}]}]",
		"[{\"ifname\":\"eth0\",\"addr_info\":[{\"family\":\"inet\",\"local\":\"10.1.0.1\","
		"\"prefixlen\":-1}]}]",
		"[{\"ifname\":\"eth\\u0000\",\"addr_info\":[]}]",
	};
	struct labaddr *v;
	size_t n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		ck_assert_msg(parse(bad[i], &v, &n) == -EINVAL, "accepted: %s", bad[i]);
		ck_assert_ptr_null(v);
		ck_assert_uint_eq(n, 0);
	}
}
END_TEST

START_TEST(ps_status)
{
	const char *ps = "[{\"id\":\"lab-r1\",\"pid\":5,\"status\":\"running\"},"
	                 "{\"id\":\"lab-pc1\",\"status\":\"exited\"}]";
	char *st;

	ck_assert_int_eq(labaddr_ps_status(ps, strlen(ps), "lab-r1", &st), 0);
	ck_assert_str_eq(st, "running");
	free(st);
	ck_assert_int_eq(labaddr_ps_status(ps, strlen(ps), "lab-pc1", &st), 0);
	ck_assert_str_eq(st, "exited");
	free(st);
	ck_assert_int_eq(labaddr_ps_status(ps, strlen(ps), "lab-pc2", &st), 0);
	ck_assert_ptr_null(st);
	ck_assert_int_eq(labaddr_ps_status("[]", 2, "x", &st), 0);
	ck_assert_ptr_null(st);
	ck_assert_int_eq(labaddr_ps_status("{}", 2, "x", &st), -EINVAL);
	ck_assert_int_eq(labaddr_ps_status("[{\"id\":\"x\"}]", 12, "x", &st), -EINVAL);
	ck_assert_int_eq(labaddr_ps_status("[{\"id\":1,\"status\":\"running\"}]", 31, "x", &st),
	                 -EINVAL);
	ck_assert_int_eq(labaddr_ps_status("[", 1, "x", &st), -EINVAL);
}
END_TEST

START_TEST(ps_pid)
{
	const char *ps = "[{\"id\":\"lab-r1\",\"pid\":5,\"status\":\"running\"},"
	                 "{\"id\":\"lab-pc1\",\"pid\":7,\"status\":\"exited\"}]";
	int pid = -1;

	ck_assert_int_eq(labaddr_ps_pid(ps, strlen(ps), "lab-r1", &pid), 0);
	ck_assert_int_eq(pid, 5);
	ck_assert_int_eq(labaddr_ps_pid(ps, strlen(ps), "lab-pc1", &pid), 0);
	ck_assert_int_eq(pid, 0); /* not running: no network to ping from */
	ck_assert_int_eq(labaddr_ps_pid(ps, strlen(ps), "lab-pc2", &pid), 0);
	ck_assert_int_eq(pid, 0);
	const char *bad[] = {
		"{}",
		"[{\"id\":\"x\",\"status\":\"running\"}]",
		"[{\"id\":\"x\",\"pid\":0,\"status\":\"running\"}]",
		"[{\"id\":\"x\",\"pid\":-3,\"status\":\"running\"}]",
		"[{\"id\":\"x\",\"pid\":1.5,\"status\":\"running\"}]",
		"[{\"id\":\"x\",\"pid\":1e12,\"status\":\"running\"}]",
		"[{\"id\":\"x\",\"pid\":\"5\",\"status\":\"running\"}]",
		"[",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		ck_assert_msg(labaddr_ps_pid(bad[i], strlen(bad[i]), "x", &pid) == -EINVAL,
		              "accepted: %s", bad[i]);
		ck_assert_int_eq(pid, 0);
	}
}
END_TEST

START_TEST(subnets)
{
	ck_assert(labaddr_same_subnet("10.1.0.1", 24, "10.1.0.200"));
	ck_assert(!labaddr_same_subnet("10.1.0.1", 24, "10.1.1.1"));
	ck_assert(labaddr_same_subnet("10.1.0.1", 16, "10.1.1.1"));
	ck_assert(labaddr_same_subnet("10.1.0.1", 0, "192.168.0.1"));
	ck_assert(labaddr_same_subnet("10.1.0.1", 32, "10.1.0.1"));
	ck_assert(!labaddr_same_subnet("10.1.0.1", 32, "10.1.0.2"));
	ck_assert(!labaddr_same_subnet("10.1.0.1", 33, "10.1.0.1"));
	ck_assert(!labaddr_same_subnet("10.1.0", 24, "10.1.0.1"));
}
END_TEST

static Suite *
labaddr_suite(void)
{
	Suite *s = suite_create("labaddr");
	TCase *t = tcase_create("all");

	tcase_add_test(t, ip_addr);
	tcase_add_test(t, ip_addr_refused);
	tcase_add_test(t, ps_status);
	tcase_add_test(t, ps_pid);
	tcase_add_test(t, subnets);
	suite_add_tcase(s, t);
	return s;
}

CHECK_MAIN(labaddr_suite)
