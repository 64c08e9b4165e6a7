/*
 * A detached node's state without a kernel: state.json encoded and decoded back, every
 * field checked for its type and range with the field named, identities resolved from a
 * unique prefix, the start time read from /proc/PID/stat text, and the log's pure parts.
 */
#include "containode/logs.h"
#include "containode/state.h"

#include "check_main.h"
#include "cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char *
xstrdup(const char *s)
{
	char *c = strdup(s);

	ck_assert_ptr_nonnull(c);
	return c;
}

static char **
strv(const char *a, const char *b)
{
	char **v = calloc(3, sizeof(*v));

	ck_assert_ptr_nonnull(v);
	v[0] = a ? xstrdup(a) : NULL;
	v[1] = b ? xstrdup(b) : NULL;
	return v;
}

/* A state with every field set. */
static void
full_state(struct node_state *s)
{
	state_init(s);
	strcpy(s->id, "lab1-r1");
	s->status = STATE_EXITED;
	s->exit_code = 137;
	s->pid = 4242;
	s->pid_start = 123456789;
	s->supervisor = 4241;
	s->supervisor_start = 123456700;
	s->created = xstrdup("2026-11-27T15:34:33Z");
	s->image = xstrdup("busybox:latest");
	s->root = xstrdup("/var/lib/containet/rootfs/ab");
	s->top = xstrdup("/tmp/top \"quoted\"\n");
	s->work = xstrdup("/tmp/.top.work");
	s->top_owned = true;
	s->hostname = xstrdup("r1");
	s->command = strv("sh", "-c");
	s->env = strv("PATH=/bin", "A=b=c");
	s->cwd = xstrdup("/root");
	s->stop_signal = 3;
	s->caps = (1ull << 40) | 1;
	s->seccomp = xstrdup("unconfined");
	s->have_user = true;
	s->uid = 1000;
	s->gid = 100;
	s->groups = calloc(2, sizeof(*s->groups));
	s->groups[0] = 100;
	s->groups[1] = 4294967294u;
	s->n_groups = 2;
	s->cgroups[0] =
	        (struct state_cgroup){ xstrdup("/sys/fs/cgroup/devices/containet/x@1"), 1, 1, 22 };
	s->cgroups[1] =
	        (struct state_cgroup){ xstrdup("/sys/fs/cgroup/unified/containet/x@1"), 2, 16, 22 };
	s->n_cgroups = 2;
	s->ports = strv("8080:80/tcp", NULL);
	s->switch_ports[0] = (struct state_switch_port){ xstrdup("/run/sw.sock"), xstrdup("eth0"),
		                                         xstrdup("lan1") };
	s->n_switch_ports = 1;
}

START_TEST(round_trip)
{
	struct node_state s, d;
	_cleanup_free_ char *text = NULL, *again = NULL;
	char why[256];

	full_state(&s);
	ck_assert_int_eq(state_encode(&s, &text), 0);
	ck_assert_int_eq(state_decode(text, strlen(text), &d, why, sizeof(why)), 0);
	ck_assert_str_eq(d.id, "lab1-r1");
	ck_assert_int_eq(d.status, STATE_EXITED);
	ck_assert_int_eq(d.exit_code, 137);
	ck_assert_int_eq(d.pid, 4242);
	ck_assert_uint_eq(d.pid_start, 123456789);
	ck_assert_int_eq(d.supervisor, 4241);
	ck_assert_str_eq(d.top, "/tmp/top \"quoted\"\n");
	ck_assert(d.top_owned);
	ck_assert_str_eq(d.command[1], "-c");
	ck_assert_ptr_null(d.command[2]);
	ck_assert_str_eq(d.env[1], "A=b=c");
	ck_assert_uint_eq(d.caps, (1ull << 40) | 1);
	ck_assert_uint_eq(d.groups[1], 4294967294u);
	ck_assert_uint_eq(d.n_cgroups, 2);
	ck_assert_int_eq(d.cgroups[1].version, 2);
	ck_assert_uint_eq(d.cgroups[1].base_len, 22);
	ck_assert_str_eq(d.switch_ports[0].segment, "lan1");
	ck_assert_str_eq(d.ports[0], "8080:80/tcp");
	/* Encoding what was decoded gives the same text. */
	ck_assert_int_eq(state_encode(&d, &again), 0);
	ck_assert_str_eq(text, again);
	state_free(&s);
	state_free(&d);
}
END_TEST

START_TEST(nulls_and_absent_lists)
{
	static const char text[] =
	        "{\"id\":\"a\",\"status\":\"running\",\"exit_code\":-1,\"pid\":2,\"pid_start\":3,"
	        "\"supervisor\":1,\"supervisor_start\":0,\"created\":\"x\",\"image\":null,"
	        "\"stop_signal\":15,\"caps\":0,\"uid\":0,\"gid\":0,\"command\":[\"sh\"]}";
	struct node_state d;
	char why[256];

	ck_assert_int_eq(state_decode(text, strlen(text), &d, why, sizeof(why)), 0);
	ck_assert_ptr_null(d.image);
	ck_assert_ptr_null(d.root);
	ck_assert_ptr_null(d.env[0]);
	ck_assert_uint_eq(d.n_cgroups, 0);
	state_free(&d);
}
END_TEST

/* Each bad field is refused, and the reason names it. */
START_TEST(bad_fields)
{
	static const struct {
		const char *from, *to, *word;
	} cases[] = {
		{ "\"id\":\"a\"", "\"id\":\"../x\"", "'id'" },
		{ "\"id\":\"a\"", "\"id\":7", "'id'" },
		{ "\"running\"", "\"asleep\"", "'status'" },
		{ "\"pid\":2", "\"pid\":0", "'pid'" },
		{ "\"pid\":2", "\"pid\":2.5", "'pid'" },
		{ "\"pid\":2", "\"pid\":\"2\"", "'pid'" },
		{ "\"exit_code\":-1", "\"exit_code\":256", "'exit_code'" },
		{ "\"stop_signal\":15", "\"stop_signal\":65", "'stop_signal'" },
		{ "\"caps\":0", "\"caps\":-1", "'caps'" },
		{ "\"uid\":0", "\"uid\":4294967295", "'uid'" },
		{ "\"command\":[\"sh\"]", "\"command\":[]", "'command'" },
		{ "\"command\":[\"sh\"]", "\"command\":\"sh\"", "'command'" },
		{ "\"command\":[\"sh\"]", "\"command\":[\"sh\",1]", "'command'" },
		{ "\"created\":\"x\"", "\"created\":null", "'created'" },
		{ "\"image\":null", "\"image\":[]", "'image'" },
		{ "\"image\":null",
		  "\"cgroups\":[{\"path\":\"rel\",\"version\":1,"
		  "\"controllers\":1,\"base_len\":0}]",
		  "cgroup 'path'" },
		{ "\"image\":null",
		  "\"cgroups\":[{\"path\":\"/a/../b\",\"version\":1,"
		  "\"controllers\":1,\"base_len\":0}]",
		  "cgroup 'path'" },
		{ "\"image\":null",
		  "\"cgroups\":[{\"path\":\"/a\",\"version\":3,"
		  "\"controllers\":1,\"base_len\":0}]",
		  "'version'" },
		{ "\"image\":null",
		  "\"cgroups\":[{\"path\":\"/a\",\"version\":1,"
		  "\"controllers\":1,\"base_len\":9}]",
		  "'base_len'" },
		{ "\"image\":null", "\"groups\":[-1]", "'groups'" },
		{ "\"image\":null", "\"switch_ports\":[{\"switch\":1}]", "'switch'" },
		{ "\"image\":null", "\"top_owned\":1", "'top_owned'" },
		{ "\"image\":null", "\"env\":{}", "'env'" },
	};
	static const char base[] =
	        "{\"id\":\"a\",\"status\":\"running\",\"exit_code\":-1,\"pid\":2,\"pid_start\":3,"
	        "\"supervisor\":1,\"supervisor_start\":0,\"created\":\"x\",\"image\":null,"
	        "\"stop_signal\":15,\"caps\":0,\"uid\":0,\"gid\":0,\"command\":[\"sh\"]}";

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char text[1024], why[256];
		const char *at = strstr(base, cases[i].from);
		struct node_state d;
		int n;

		ck_assert_ptr_nonnull(at);
		n = snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - base), base, cases[i].to,
		             at + strlen(cases[i].from));
		ck_assert_int_lt(n, (int)sizeof(text));
		why[0] = '\0';
		ck_assert_msg(state_decode(text, strlen(text), &d, why, sizeof(why)) == -EINVAL,
		              "case %zu accepted", i);
		ck_assert_msg(strstr(why, cases[i].word), "case %zu: '%s' does not name %s", i, why,
		              cases[i].word);
	}
}
END_TEST

START_TEST(not_json)
{
	struct node_state d;
	char why[256];

	ck_assert_int_eq(state_decode("[]", 2, &d, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(state_decode("{", 1, &d, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(state_decode("{\"id\":\"a\\u0000b\"}", 17, &d, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "a NUL character in the text");
}
END_TEST

START_TEST(resolve)
{
	const char *names[] = { "abc", "abd", "web", "webserver" };
	size_t i;

	ck_assert_int_eq(state_resolve(names, 4, "abc", &i), 0);
	ck_assert_uint_eq(i, 0);
	ck_assert_int_eq(state_resolve(names, 4, "ab", &i), -ENOTUNIQ);
	/* An exact identity wins over the longer ones it begins. */
	ck_assert_int_eq(state_resolve(names, 4, "web", &i), 0);
	ck_assert_uint_eq(i, 2);
	ck_assert_int_eq(state_resolve(names, 4, "webs", &i), 0);
	ck_assert_uint_eq(i, 3);
	ck_assert_int_eq(state_resolve(names, 4, "x", &i), -ENOENT);
	ck_assert_int_eq(state_resolve(names, 4, "", &i), -ENOENT);
	ck_assert_int_eq(state_resolve(names, 0, "a", &i), -ENOENT);
}
END_TEST

START_TEST(stat_start)
{
	uint64_t t;
	char st;

	ck_assert_int_eq(state_stat_start("1 (sh) S 0 1 1 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 "
	                                  "98765 1 2\n",
	                                  &st, &t),
	                 0);
	ck_assert_uint_eq(t, 98765);
	ck_assert_int_eq(st, 'S');
	/* A command name with ") " in it. */
	ck_assert_int_eq(state_stat_start("7 (a) Z (b) Z 0 1 1 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 "
	                                  "0 5 1\n",
	                                  &st, &t),
	                 0);
	ck_assert_uint_eq(t, 5);
	ck_assert_int_eq(st, 'Z');
	ck_assert_int_eq(state_stat_start("1 (sh) S 0 1", &st, &t), -EINVAL);
	ck_assert_int_eq(state_stat_start("no paren", &st, &t), -EINVAL);
	ck_assert_int_eq(state_stat_start("1 (sh) S 0 1 1 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 "
	                                  "x1 1 2\n",
	                                  &st, &t),
	                 -EINVAL);
}
END_TEST

START_TEST(log_stamp)
{
	char buf[LOGS_STAMP_LEN + 1];

	logs_stamp(0, 5, buf);
	ck_assert_str_eq(buf, "1970-01-01T00:00:00.000000005Z ");
	logs_stamp(1795793673, 123456789, buf);
	ck_assert_str_eq(buf, "2026-11-27T15:34:33.123456789Z ");
	ck_assert_uint_eq(strlen(buf), LOGS_STAMP_LEN);
}
END_TEST

START_TEST(log_tail)
{
	const char *t = "a\nb\nc\n";

	ck_assert_uint_eq(logs_tail_start(t, 6, 1), 4);
	ck_assert_uint_eq(logs_tail_start(t, 6, 2), 2);
	ck_assert_uint_eq(logs_tail_start(t, 6, 3), 0);
	ck_assert_uint_eq(logs_tail_start(t, 6, 9), 0);
	ck_assert_uint_eq(logs_tail_start(t, 6, 0), 6);
	/* A last line without its newline is a line. */
	ck_assert_uint_eq(logs_tail_start("a\nb", 3, 1), 2);
	ck_assert_uint_eq(logs_tail_start("", 0, 1), 0);
}
END_TEST

static Suite *
state_suite(void)
{
	Suite *s = suite_create("containode_state");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, nulls_and_absent_lists);
	tcase_add_test(tc, bad_fields);
	tcase_add_test(tc, not_json);
	tcase_add_test(tc, resolve);
	tcase_add_test(tc, stat_start);
	tcase_add_test(tc, log_stamp);
	tcase_add_test(tc, log_tail);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(state_suite)
