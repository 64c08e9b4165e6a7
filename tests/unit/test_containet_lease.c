/* What attach hands a node: the segment's MTU in every reply, with or without addresses. */
#include "containet/switch.h"

#include "check_main.h"

#include <string.h>

static struct sw sw;

static void
setup(void)
{
	memset(&sw, 0, sizeof(sw));
	sw.cfg.max_ports = 4;
	ck_assert_int_eq(segment_init(&sw), 0);
}

static void
teardown(void)
{
	segment_free(&sw);
}

/* The attach reply for req on segment seg, decoded again as containode reads it. */
static struct ctl_assign
attach_reply(uint32_t seg, const struct ctl_request *req)
{
	_cleanup_free_ char *text = NULL, *error = NULL;
	_cleanup_json_ cJSON *reply = NULL;
	struct ctl_assign a, b;
	uint32_t ipv4;
	char *err = NULL;

	ck_assert_int_eq(lease_attach(&sw, seg, req, &a, &ipv4, &error), 0);
	ck_assert_ptr_null(error);
	text = ctl_reply_attach("n-eth0", sw.segs[seg].name, &a);
	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(ctl_reply_decode(text, strlen(text), &reply, &err), 0);
	ck_assert_int_eq(ctl_assign_from_json(reply, &b), 0);
	ck_assert_mem_eq(&a, &b, sizeof(a));
	return b;
}

START_TEST(every_reply_carries_the_segments_mtu)
{
	struct ctl_request plain = { .node = "n", .ifname = "eth0" };
	struct ctl_request fixed = { .node = "n", .ifname = "eth0", .ipv4 = "10.1.0.5/24" };
	struct ctl_assign a;
	uint32_t lab;

	/* The default segment: 1500, said even though the node asked for nothing. */
	a = attach_reply(0, &plain);
	ck_assert_uint_eq(a.mtu, 1500);
	ck_assert_str_eq(a.ipv4, "");
	ck_assert_str_eq(a.ipv6, "");

	/* A segment stretched over VXLAN: underlay - 50, without ipv4=auto as well. */
	ck_assert_int_eq(segment_add(&sw, "lab", 1450, &lab), 0);
	a = attach_reply(lab, &plain);
	ck_assert_uint_eq(a.mtu, 1450);
	ck_assert_str_eq(a.ipv4, "");

	/* A static address on a segment without a subnet: nothing recorded, MTU still said. */
	a = attach_reply(lab, &fixed);
	ck_assert_uint_eq(a.mtu, 1450);
	ck_assert_str_eq(a.ipv4, "");

	/* ipv6=auto: the prefix and the same MTU. */
	sw.segs[lab].addr.has_v6 = true;
	strcpy(plain.ipv6, CTL_AUTO);
	a = attach_reply(lab, &plain);
	ck_assert_uint_eq(a.mtu, 1450);
	ck_assert_str_ne(a.ipv6, "");
}
END_TEST

START_TEST(reply_text_names_the_mtu)
{
	struct ctl_request plain = { .node = "n", .ifname = "eth0" };
	_cleanup_free_ char *text = NULL, *error = NULL;
	struct ctl_assign a;
	uint32_t lab, ipv4;

	ck_assert_int_eq(segment_add(&sw, "lab", 1450, &lab), 0);
	ck_assert_int_eq(lease_attach(&sw, lab, &plain, &a, &ipv4, &error), 0);
	text = ctl_reply_attach("n-eth0", "lab", &a);
	ck_assert_str_eq(text, "{\"ok\":true,\"port\":\"n-eth0\",\"segment\":\"lab\",\"mtu\":1450}");
}
END_TEST

static Suite *
lease_suite(void)
{
	Suite *s = suite_create("lease");
	TCase *tc = tcase_create("lease");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_reply_carries_the_segments_mtu);
	tcase_add_test(tc, reply_text_names_the_mtu);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(lease_suite)
