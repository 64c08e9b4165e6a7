/* What attach hands a node: the segment's MTU in every reply, with or without addresses. */
#include "containet/switch.h"

#include "check_main.h"
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	ck_assert_str_eq(text,
	                 "{\"ok\":true,\"port\":\"n-eth0\",\"segment\":\"lab\",\"mtu\":1450}");
}
END_TEST

/* Feeds the ring's completions to lease_io_done until a save ends. */
static void
save_ends(struct sw *s)
{
	for (;;) {
		struct io_uring_cqe *cqe;
		bool done;

		io_uring_submit(&s->ring);
		ck_assert_int_eq(io_uring_wait_cqe(&s->ring, &cqe), 0);
		/* (the temp file's close is OP_IGNORE) */
		done = ud_op(cqe->user_data) == OP_LEASE && lease_io_done(s, cqe);
		io_uring_cqe_seen(&s->ring, cqe);
		if (done)
			return;
	}
}

static uint32_t
auto_lease(struct sw *s, const char *node)
{
	struct ipam_pool pool;
	uint32_t addr;

	ck_assert_int_eq(ipam_pool_parse("10.9.0.0/24", NULL, NULL, NULL, NULL, false, &pool, NULL),
	                 0);
	ck_assert_int_eq(ipam_auto(&s->ipam, "lan", &pool, node, "eth0", 1, lease_busy, s, &addr),
	                 0);
	return addr;
}

/* A save runs on the ring: an answer waits for the save holding its lease, later changes
 * go in the next save, and the state file holds them once it ends. */
START_TEST(saves_on_the_ring)
{
	char dir[] = "/tmp/lease-test.XXXXXX", path[64];
	_cleanup_free_ char *text = NULL;
	uint64_t first, second;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	sw.cfg.state_dir = path;
	ck_assert_int_eq(io_uring_queue_init(64, &sw.ring, 0), 0);
	ck_assert_int_eq(lease_init(&sw), 0);
	/* nothing changed: nothing to wait for */
	ck_assert_uint_eq(lease_need(&sw), 0);
	ck_assert_int_eq(lease_state(&sw, 0), 1);

	auto_lease(&sw, "a");
	first = lease_need(&sw);
	ck_assert_uint_eq(first, 1);
	ck_assert_int_eq(lease_state(&sw, first), 0);
	/* asked again while it runs: the same save */
	ck_assert_uint_eq(lease_need(&sw), first);
	/* a new lease meanwhile: the next save, started once this one ends */
	auto_lease(&sw, "b");
	second = lease_need(&sw);
	ck_assert_uint_eq(second, 2);
	save_ends(&sw);
	ck_assert_int_eq(lease_state(&sw, first), 1);
	ck_assert_int_eq(lease_state(&sw, second), 0);
	ck_assert_int_eq(read_file_at(AT_FDCWD, sw.lease_path, 4096, &text, NULL), 0);
	ck_assert_ptr_nonnull(strstr(text, "lan auto a eth0 10.9.0.1 1\n"));
	ck_assert_ptr_null(strstr(text, " b "));
	free(text);
	text = NULL;
	save_ends(&sw);
	ck_assert_int_eq(lease_state(&sw, second), 1);
	ck_assert_int_eq(read_file_at(AT_FDCWD, sw.lease_path, 4096, &text, NULL), 0);
	ck_assert_ptr_nonnull(strstr(text, "lan auto b eth0 10.9.0.2 1\n"));
	/* no temp file left behind */
	snprintf(path, sizeof(path), "%s/state/leases.tmp", dir);
	ck_assert_int_eq(access(path, F_OK), -1);

	lease_stop(&sw);
	io_uring_queue_exit(&sw.ring);
	ipam_free(&sw.ipam);
	free(sw.lease_path);
	snprintf(path, sizeof(path), "%s/state/leases", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/state", dir);
	rmdir(path);
	rmdir(dir);
}
END_TEST

/* A save that cannot be made fails the answers waiting for it; the change stays unsaved. */
START_TEST(failed_save_fails_its_answers)
{
	char dir[] = "/tmp/lease-test.XXXXXX", path[64];
	uint64_t need;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	sw.cfg.state_dir = path;
	ck_assert_int_eq(io_uring_queue_init(64, &sw.ring, 0), 0);
	ck_assert_int_eq(lease_init(&sw), 0);
	/* the state directory is made with the first save: a file is in its way */
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	auto_lease(&sw, "a");
	need = lease_need(&sw);
	ck_assert_uint_gt(need, 0);
	ck_assert_int_lt(lease_state(&sw, need), 0);
	ck_assert(sw.ipam.dirty && sw.ipam.urgent);
	/* the next answer tries again, and fails again */
	auto_lease(&sw, "b");
	ck_assert_uint_gt(lease_need(&sw), need);
	ck_assert_int_lt(lease_state(&sw, lease_need(&sw)), 0);
	lease_stop(&sw);
	io_uring_queue_exit(&sw.ring);
	ipam_free(&sw.ipam);
	free(sw.lease_path);
	unlink(path);
	rmdir(dir);
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
	tcase_add_test(tc, saves_on_the_ring);
	tcase_add_test(tc, failed_save_fails_its_answers);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(lease_suite)
