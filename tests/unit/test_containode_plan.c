/* containode's launch plan: defaults, option checks, environment, exit codes, PATH walk. */
#include "containode/plan.h"

#include "check_main.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

START_TEST(default_top_is_root_dot_id)
{
	char *t;

	t = plan_default_top("/srv/rootfs", "abc");
	ck_assert_str_eq(t, "/srv/rootfs.abc");
	free(t);
	t = plan_default_top("/srv/rootfs///", "abc");
	ck_assert_str_eq(t, "/srv/rootfs.abc");
	free(t);
	t = plan_default_top("rootfs", "x");
	ck_assert_str_eq(t, "rootfs.x");
	free(t);
}
END_TEST

START_TEST(work_dir_is_a_hidden_sibling)
{
	char *w;

	w = plan_work_dir("/srv/rootfs.abc");
	ck_assert_str_eq(w, "/srv/.rootfs.abc.work");
	free(w);
	w = plan_work_dir("/top/");
	ck_assert_str_eq(w, "/.top.work");
	free(w);
	w = plan_work_dir("top");
	ck_assert_str_eq(w, ".top.work");
	free(w);
}
END_TEST

START_TEST(user_parsing)
{
	/* The form only: names are resolved in the node's /etc/passwd (image.c). */
	ck_assert(plan_user_valid("1000"));
	ck_assert(plan_user_valid("0:5"));
	ck_assert(plan_user_valid("nobody"));
	ck_assert(plan_user_valid("app:staff"));
	ck_assert(!plan_user_valid(""));
	ck_assert(!plan_user_valid("1:"));
	ck_assert(!plan_user_valid(":1"));
	ck_assert(!plan_user_valid("a:b:c"));
	ck_assert(!plan_user_valid("a b"));
}
END_TEST

START_TEST(hostname_check)
{
	struct plan p;

	ck_assert(plan_hostname_valid("r1"));
	ck_assert(plan_hostname_valid("r1.lab-a.example"));
	ck_assert(!plan_hostname_valid(""));
	ck_assert(!plan_hostname_valid("-r1"));
	ck_assert(!plan_hostname_valid("r1-"));
	ck_assert(!plan_hostname_valid("a..b"));
	ck_assert(!plan_hostname_valid("a_b"));
	ck_assert(!plan_hostname_valid("a/b"));
	ck_assert(!plan_hostname_valid("0123456789012345678901234567890123456789012345678901234567890123"
	                               "4"));
	plan_init(&p);
	strcpy(p.id, "node-1234");
	ck_assert_str_eq(plan_hostname(&p), "node-1234");
	p.hostname = "r1";
	ck_assert_str_eq(plan_hostname(&p), "r1");
	plan_free(&p);
}
END_TEST

START_TEST(option_combinations)
{
	struct plan p;

	plan_init(&p);
	ck_assert_ptr_null(plan_check(&p));
	ck_assert_str_eq(p.ifname, "eth0");
	p.host_net = true;
	p.sock = "/run/sw";
	ck_assert_ptr_nonnull(plan_check(&p));
	p.sock = NULL;
	ck_assert_ptr_null(plan_check(&p));
	p.have_addr = true;
	ck_assert_ptr_nonnull(plan_check(&p));

	plan_init(&p);
	p.have_gw = true;
	ck_assert_ptr_nonnull(plan_check(&p)); /* -g without -4 */
	p.have_addr = true;
	inet_pton(AF_INET, "10.0.0.2", &p.addr);
	p.prefix = 24;
	inet_pton(AF_INET, "10.0.0.1", &p.gw);
	ck_assert_ptr_null(plan_check(&p));
	inet_pton(AF_INET, "10.0.1.1", &p.gw);
	ck_assert_ptr_nonnull(plan_check(&p)); /* off the subnet */
	p.prefix = 16;
	ck_assert_ptr_null(plan_check(&p));

	plan_init(&p);
	p.ephemeral = true;
	ck_assert_ptr_nonnull(plan_check(&p)); /* without -r */
	p.root = "/r";
	ck_assert_ptr_null(plan_check(&p));
	p.top = "/t";
	ck_assert_ptr_nonnull(plan_check(&p)); /* with -t */
	p.ephemeral = false;
	ck_assert_ptr_null(plan_check(&p));
	p.root = NULL;
	ck_assert_ptr_nonnull(plan_check(&p)); /* -t without -r */

	plan_init(&p);
	p.image = "alpine";
	p.top = "/t";
	ck_assert_ptr_null(plan_check(&p)); /* -t with --image */
	p.root = "/r";
	ck_assert_ptr_nonnull(plan_check(&p)); /* --image is the root */
	plan_init(&p);
	p.entrypoint = "/bin/id";
	ck_assert_ptr_nonnull(plan_check(&p)); /* --entrypoint without --image */
	p.entrypoint = NULL;
	p.pull_missing = true;
	ck_assert_ptr_nonnull(plan_check(&p)); /* --pull without --image */
	p.image = "alpine";
	ck_assert_ptr_null(plan_check(&p));
}
END_TEST

START_TEST(environment)
{
	struct plan p;

	plan_init(&p);
	strcpy(p.id, "node1");
	ck_assert_int_eq(plan_env_base(&p, "xterm-256color"), 0);
	ck_assert_uint_eq(p.n_env, 4);
	ck_assert_str_eq(plan_env_get(&p, "PATH"), PLAN_DEFAULT_PATH);
	ck_assert_str_eq(plan_env_get(&p, "HOME"), "/root");
	ck_assert_str_eq(plan_env_get(&p, "TERM"), "dumb"); /* no terminal */
	ck_assert_str_eq(plan_env_get(&p, "HOSTNAME"), "node1");
	ck_assert_int_eq(plan_env_set(&p, "TERM=vt100", NULL), 0);
	ck_assert_str_eq(plan_env_get(&p, "TERM"), "vt100");
	ck_assert_uint_eq(p.n_env, 4);
	ck_assert_int_eq(plan_env_set(&p, "A=b=c", NULL), 0);
	ck_assert_str_eq(plan_env_get(&p, "A"), "b=c");
	ck_assert_int_eq(plan_env_set(&p, "FROMHOST", "v"), 0);
	ck_assert_str_eq(plan_env_get(&p, "FROMHOST"), "v");
	ck_assert_int_eq(plan_env_set(&p, "UNSET", NULL), 0);
	ck_assert_ptr_null(plan_env_get(&p, "UNSET"));
	ck_assert_int_eq(plan_env_set(&p, "=x", NULL), -EINVAL);
	ck_assert_ptr_null(plan_env_get(&p, "PAT"));
	ck_assert_ptr_null(p.env[p.n_env]);
	plan_free(&p);

	plan_init(&p);
	p.tty = true;
	p.have_user = true;
	p.uid = 1000;
	ck_assert_int_eq(plan_env_base(&p, NULL), 0);
	ck_assert_str_eq(plan_env_get(&p, "TERM"), "xterm");
	ck_assert_str_eq(plan_env_get(&p, "HOME"), "/");
	plan_free(&p);
}
END_TEST

START_TEST(environment_is_bounded)
{
	struct plan p;
	char kv[32];

	plan_init(&p);
	for (int i = 0; i < PLAN_ENV_MAX; i++) {
		snprintf(kv, sizeof(kv), "K%d=v", i);
		ck_assert_int_eq(plan_env_set(&p, kv, NULL), 0);
	}
	ck_assert_int_eq(plan_env_set(&p, "ONEMORE=v", NULL), -E2BIG);
	ck_assert_int_eq(plan_env_set(&p, "K7=w", NULL), 0); /* replacing still works */
	plan_free(&p);
}
END_TEST

START_TEST(resolv_conf)
{
	const char *host = "# generated\nnameserver 127.0.0.53\nnameserver 192.168.1.1\n"
			   "nameserver ::1\nsearch lan\noptions edns0";
	char *r;

	r = plan_resolv_conf(host, false);
	ck_assert_str_eq(r, "# generated\nnameserver 192.168.1.1\nsearch lan\noptions edns0\n");
	free(r);
	r = plan_resolv_conf(host, true);
	ck_assert_str_eq(r, "# generated\nnameserver 127.0.0.53\nnameserver 192.168.1.1\n"
			    "nameserver ::1\nsearch lan\noptions edns0\n");
	free(r);
	r = plan_resolv_conf("", false);
	ck_assert_str_eq(r, "");
	free(r);
}
END_TEST

START_TEST(hosts_file)
{
	struct plan p;
	char *h;

	plan_init(&p);
	strcpy(p.id, "box");
	h = plan_hosts(&p);
	ck_assert_ptr_nonnull(strstr(h, "127.0.0.1\tlocalhost\n"));
	ck_assert_ptr_nonnull(strstr(h, "127.0.1.1\tbox\n"));
	free(h);
	p.have_addr = true;
	inet_pton(AF_INET, "10.0.0.7", &p.addr);
	h = plan_hosts(&p);
	ck_assert_ptr_nonnull(strstr(h, "10.0.0.7\tbox\n"));
	free(h);
}
END_TEST

START_TEST(clone_flags)
{
	struct plan p;
	unsigned long all = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
			    CLONE_NEWNET | CLONE_NEWCGROUP;

	plan_init(&p);
	ck_assert_uint_eq(plan_clone_flags(&p), all);
	p.host_net = true;
	ck_assert_uint_eq(plan_clone_flags(&p), all & ~CLONE_NEWNET);
	p.host_ipc = true;
	ck_assert_uint_eq(plan_clone_flags(&p), all & ~(CLONE_NEWNET | CLONE_NEWIPC));
}
END_TEST

START_TEST(exit_codes)
{
	ck_assert_int_eq(plan_exit_code(W_EXITCODE(0, 0)), 0);
	ck_assert_int_eq(plan_exit_code(W_EXITCODE(7, 0)), 7);
	ck_assert_int_eq(plan_exit_code(W_EXITCODE(255, 0)), 255);
	ck_assert_int_eq(plan_exit_code(W_EXITCODE(0, SIGKILL)), 137);
	ck_assert_int_eq(plan_exit_code(W_EXITCODE(0, SIGSEGV)), 139);
	ck_assert_int_eq(plan_exec_exit_code(-ENOENT), 127);
	ck_assert_int_eq(plan_exec_exit_code(ENOTDIR), 127);
	ck_assert_int_eq(plan_exec_exit_code(-EACCES), 126);
	ck_assert_int_eq(plan_exec_exit_code(-ENOEXEC), 126);
}
END_TEST

START_TEST(path_walk)
{
	const char *cursor = NULL;
	char buf[64];

	ck_assert(plan_path_next("sh", "/usr/bin:/bin", &cursor, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "/usr/bin/sh");
	ck_assert(plan_path_next("sh", "/usr/bin:/bin", &cursor, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "/bin/sh");
	ck_assert(!plan_path_next("sh", "/usr/bin:/bin", &cursor, buf, sizeof(buf)));

	/* An empty element is the current directory. */
	cursor = NULL;
	ck_assert(plan_path_next("x", "/a:", &cursor, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "/a/x");
	ck_assert(plan_path_next("x", "/a:", &cursor, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "x");
	ck_assert(!plan_path_next("x", "/a:", &cursor, buf, sizeof(buf)));

	/* A name with a slash is used as it is, once. */
	cursor = NULL;
	ck_assert(plan_path_next("./run", "/bin", &cursor, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "./run");
	ck_assert(!plan_path_next("./run", "/bin", &cursor, buf, sizeof(buf)));

	/* No PATH at all: nothing to try. */
	cursor = NULL;
	ck_assert(!plan_path_next("sh", NULL, &cursor, buf, sizeof(buf)));

	/* Too long for the buffer: skipped, the next one still tried. */
	cursor = NULL;
	ck_assert(plan_path_next("sh", "/a-very-long-directory-name-that-does-not-fit-in-the-buffer:/b",
				 &cursor, buf, 16));
	ck_assert_str_eq(buf, "/b/sh");
}
END_TEST

static Suite *
plan_suite(void)
{
	Suite *s = suite_create("containode_plan");
	TCase *tc = tcase_create("plan");

	tcase_add_test(tc, default_top_is_root_dot_id);
	tcase_add_test(tc, work_dir_is_a_hidden_sibling);
	tcase_add_test(tc, user_parsing);
	tcase_add_test(tc, hostname_check);
	tcase_add_test(tc, option_combinations);
	tcase_add_test(tc, environment);
	tcase_add_test(tc, environment_is_bounded);
	tcase_add_test(tc, resolv_conf);
	tcase_add_test(tc, hosts_file);
	tcase_add_test(tc, clone_flags);
	tcase_add_test(tc, exit_codes);
	tcase_add_test(tc, path_walk);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(plan_suite)
