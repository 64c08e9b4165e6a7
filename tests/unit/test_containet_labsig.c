/*
 * lab test's signatures: probe output into sorted, stable lines (addresses, links,
 * routes, listening sockets), what is refused, the difference of two signatures; and
 * lab graph's DOT text.
 */
#include "containet/lab/labconf.h"
#include "containet/lab/labext.h"
#include "containet/lab/labgraph.h"
#include "containet/lab/labsig.h"

#include "check_main.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char probe_out[] =
        "@addr\n"
        "[{\"ifindex\":1,\"ifname\":\"lo\",\"mtu\":65536,\"operstate\":\"UNKNOWN\","
        "\"address\":\"00:00:00:00:00:00\",\"addr_info\":[{\"family\":\"inet\","
        "\"local\":\"127.0.0.1\",\"prefixlen\":8,\"scope\":\"host\"}]},"
        "{\"ifindex\":2,\"ifname\":\"eth1\",\"flags\":[\"NO-CARRIER\",\"UP\"],\"mtu\":1400,"
        "\"operstate\":\"DOWN\","
        "\"address\":\"02:00:00:00:01:01\",\"addr_info\":[{\"family\":\"inet\","
        "\"local\":\"10.2.0.1\",\"prefixlen\":24,\"scope\":\"global\"}]},"
        "{\"ifindex\":3,\"ifname\":\"eth0\",\"flags\":[\"BROADCAST\",\"UP\",\"LOWER_UP\"],\"mtu\":"
        "1500,\"operstate\":\"UP\","
        "\"address\":\"8a:11:22:33:44:55\",\"addr_info\":[{\"family\":\"inet\","
        "\"local\":\"10.1.0.1\",\"prefixlen\":24,\"scope\":\"global\"},{\"family\":\"inet6\","
        "\"local\":\"fe80::8811:22ff:fe33:4455\",\"prefixlen\":64,\"scope\":\"link\"},"
        "{\"family\":\"inet6\",\"local\":\"fd00::1\",\"prefixlen\":64,\"scope\":\"global\"}]}]\n"
        "\n@route4\n"
        "[{\"dst\":\"default\",\"gateway\":\"10.1.0.254\",\"dev\":\"eth0\",\"flags\":[]},"
        "{\"dst\":\"10.1.0.0/24\",\"dev\":\"eth0\",\"protocol\":\"kernel\",\"scope\":\"link\","
        "\"prefsrc\":\"10.1.0.1\",\"flags\":[]},"
        "{\"dst\":\"10.2.0.0/24\",\"dev\":\"eth1\",\"protocol\":\"kernel\",\"scope\":\"link\","
        "\"prefsrc\":\"10.2.0.1\",\"flags\":[\"linkdown\"]}]\n"
        "\n@route6\n"
        "[{\"dst\":\"fd00::/64\",\"dev\":\"eth0\",\"protocol\":\"kernel\",\"metric\":256,"
        "\"flags\":[],\"pref\":\"medium\"},{\"dst\":\"fe80::/64\",\"dev\":\"eth0\","
        "\"protocol\":\"kernel\",\"metric\":256,\"flags\":[]}]\n"
        "\n@tcp\n"
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
        "timeout inode\n"
        "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0  "
        "      0 1 1 0000000000000000 100 0 0 10 0\n"
        "   1: 0100000A:9C40 0200000A:0016 01 00000000:00000000 00:00000000 00000000     0  "
        "      0 2 1 0000000000000000 100 0 0 10 0\n"
        "\n@tcp6\n"
        "  sl  local_address                         remote_address                        st\n"
        "   0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A "
        "00000000:00000000 00:00000000 00000000     0        0 3 1\n"
        "\n@udp\n"
        "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n"
        "  10: 00000000:0208 00000000:0000 07 00000000:00000000 00:00000000 00000000     0\n"
        "  11: 0100000A:A000 0200000A:0035 01 00000000:00000000 00:00000000 00000000     0\n"
        "\n@udp6\n";

/* On a little-endian machine the kernel prints 10.0.0.1 as 0100000A (and ::1 likewise). */
static const char probe_sig[] = "addr eth0 10.1.0.1/24\n"
                                "addr eth0 fd00::1/64\n"
                                "addr eth1 10.2.0.1/24\n"
                                "link eth0 mtu 1500 up carrier\n"
                                "link eth1 mtu 1400 up no-carrier mac 02:00:00:00:01:01\n"
                                "listen tcp 0.0.0.0:22\n"
                                "listen tcp6 [::1]:80\n"
                                "listen udp 0.0.0.0:520\n"
                                "route 10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.1\n"
                                "route 10.2.0.0/24 dev eth1 proto kernel scope link src 10.2.0.1\n"
                                "route default via 10.1.0.254 dev eth0\n"
                                "route fd00::/64 dev eth0 proto kernel metric 256\n";

START_TEST(signature)
{
	char *macs[] = { "eth1", NULL };
	char *sig = NULL, *again = NULL, *err = NULL;

	ck_assert_int_eq(labsig_build(probe_out, strlen(probe_out), macs, &sig, &err), 0);
	ck_assert_str_eq(sig, probe_sig);
	/* The same output in another order of sections: the same signature. */
	{
		const char *route4 = strstr(probe_out, "\n@route4\n");
		char *swapped;

		ck_assert_int_ge(asprintf(&swapped, "%s\n%.*s", route4 + 1,
		                          (int)(route4 - probe_out), probe_out),
		                 0);
		ck_assert_int_eq(labsig_build(swapped, strlen(swapped), macs, &again, &err), 0);
		ck_assert_str_eq(again, sig);
		free(swapped);
		free(again);
	}
	free(sig);
	/* Only @addr is required; IPv6 off leaves route6 empty. */
	ck_assert_int_eq(labsig_build("@addr\n[]\n@route6\n\n", 18, NULL, &sig, &err), 0);
	ck_assert_str_eq(sig, "");
	free(sig);
}
END_TEST

START_TEST(signature_refused)
{
	const char *bad[][2] = {
		{ "", "no @addr section" },
		{ "hello\n@addr\n[]\n", "text before @addr" },
		{ "@addr\n[]\n@addr\n[]\n", "@addr twice" },
		{ "@addr\n[]\n@frob\n", "'@frob' is not a section" },
		{ "@addr\n\n", "@addr: empty (is 'ip' installed in the node?)" },
		{ "@addr\n{}\n", "@addr: not a JSON array" },
		{ "@addr\n[1]\n", "@addr: an interface is not an object" },
		{ "@addr\n[{}]\n", "@addr: an interface without \"ifname\"" },
		{ "@addr\n[{\"ifname\":\"a b\"}]\n", "@addr: \"ifname\" is not a word" },
		{ "@addr\n[{\"ifname\":\"e\",\"addr_info\":[{\"local\":\"1.2.3.4\"}]}]\n",
		  "@addr: e: an address without \"local\" or \"prefixlen\"" },
		{ "@addr\n[]\n@route4\n[{\"dev\":\"eth0\"}]\n",
		  "@route4: a route without \"dst\"" },
		{ "@addr\n[]\n@route4\n[{\"dst\":\"x\",\"dev\":7}]\n",
		  "@route4: \"dev\" is not a word" },
		{ "@addr\n[]\n@tcp\nfoo\n", "@tcp: not a socket line" },
		{ "@addr\n[]\n@tcp\nh local_address\n 0: 0000000G:0016 00000000:0000 0A\n",
		  "@tcp: '0000000G:0016' is not an address and port" },
		{ "@addr\n[]\n@tcp6\nh local_address\n 0: 00000000:0016 00000000:0000 0A\n",
		  "@tcp6: '00000000:0016' is not an address and port" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *sig = NULL, *err = NULL;

		ck_assert_msg(labsig_build(bad[i][0], strlen(bad[i][0]), NULL, &sig, &err) ==
		                      -EINVAL,
		              "accepted: %s", bad[i][0]);
		ck_assert_ptr_null(sig);
		ck_assert_str_eq(err, bad[i][1]);
		free(err);
	}
}
END_TEST

START_TEST(diff)
{
	char *d = NULL;

	ck_assert_int_eq(labsig_diff("a\nb\nc\n", "a\nb\nc\n", &d), 0);
	ck_assert_str_eq(d, "");
	free(d);
	ck_assert_int_eq(labsig_diff("a\nb\nc\n", "a\nc\nd\n", &d), 2);
	ck_assert_str_eq(d, "- b\n+ d\n");
	free(d);
	ck_assert_int_eq(labsig_diff("x\nx\n", "x\n", &d), 1);
	ck_assert_str_eq(d, "- x\n");
	free(d);
	ck_assert_int_eq(labsig_diff("", "new\n", &d), 1);
	ck_assert_str_eq(d, "+ new\n");
	free(d);
	/* A user test's output: its order counts; a missing last newline does not. */
	ck_assert_int_eq(labsig_diff("one\ntwo\n", "two\none\n", &d), 1);
	ck_assert_str_eq(d, "~ the same lines in another order\n");
	free(d);
	ck_assert_int_eq(labsig_diff("one\ntwo", "one\ntwo\n", &d), 0);
	free(d);
}
END_TEST

START_TEST(graph)
{
	const char *conf = "r1[0]=\"lan1\"\nr1[1]=\"lan2/02:00:00:00:01:01\"\npc1[0]=\"lan1\"\n"
	                   "pc1[image]=\"kathara/base\"\n";
	const char *ext = "pc1[0.ip]=10.1.0.2/24\nlan2[delay]=20ms\n";
	struct lab *lab = labconf_new();
	char *err = NULL, *dot;

	ck_assert_int_eq(labconf_parse_conf(lab, conf, strlen(conf), "lab.conf", &err), 0);
	ck_assert_int_eq(labext_parse(lab, ext, strlen(ext), "lab.ext", &err), 0);
	dot = labgraph_dot(lab, "my\"lab");
	ck_assert_ptr_nonnull(dot);
	ck_assert_ptr_nonnull(strstr(dot, "graph \"my\\\"lab\" {\n"));
	ck_assert_ptr_nonnull(strstr(dot, "\t\"node:r1\" [shape=box, label=\"r1\"];\n"));
	ck_assert_ptr_nonnull(strstr(dot, "label=\"pc1\\nkathara/base\"];\n"));
	ck_assert_ptr_nonnull(strstr(dot, "label=\"lan2\\ndelay 20ms\"];\n"));
	ck_assert_ptr_nonnull(strstr(
	        dot, "\t\"node:r1\" -- \"segment:lan2\" [label=\"eth1\\n02:00:00:00:01:01\"];\n"));
	ck_assert_ptr_nonnull(strstr(
	        dot, "\t\"node:pc1\" -- \"segment:lan1\" [label=\"eth0\\n10.1.0.2/24\"];\n"));
	ck_assert_str_eq(dot + strlen(dot) - 2, "}\n");
	free(dot);
	labconf_free(lab);
}
END_TEST

static Suite *
labsig_suite(void)
{
	Suite *s = suite_create("labsig");
	TCase *t = tcase_create("all");

	tcase_add_test(t, signature);
	tcase_add_test(t, signature_refused);
	tcase_add_test(t, diff);
	tcase_add_test(t, graph);
	suite_add_tcase(s, t);
	return s;
}

CHECK_MAIN(labsig_suite)
