/* Image configs and the user's options applied over them as Docker applies them. */
#include "imageconfig.h"

#include "check_main.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char NGINX[] =
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{"
        "\"ExposedPorts\":{\"80/tcp\":{},\"443/tcp\":{}},"
        "\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
        "\"NGINX_VERSION=1.25.3\",\"LANG=C\"],"
        "\"Entrypoint\":[\"/docker-entrypoint.sh\"],"
        "\"Cmd\":[\"nginx\",\"-g\",\"daemon off;\"],"
        "\"WorkingDir\":\"/srv\",\"User\":\"www\",\"StopSignal\":\"SIGQUIT\"},"
        "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";

static struct imageconfig
parse_ok(const char *json)
{
	struct imageconfig c;
	char *err = NULL;
	int r = imageconfig_parse(json, strlen(json), &c, &err);

	ck_assert_msg(r == 0, "%s: %d %s", json, r, err ? err : "");
	return c;
}

static char *
parse_fail(const char *json)
{
	struct imageconfig c;
	char *err = NULL;

	ck_assert_int_eq(imageconfig_parse(json, strlen(json), &c, &err), -EINVAL);
	ck_assert_ptr_nonnull(err);
	return err;
}

/* Asserts v equals the NULL-terminated list of strings that follows. */
static void
assert_strv(char *const *v, ...)
{
	va_list ap;
	const char *want;
	size_t i = 0;

	va_start(ap, v);
	while ((want = va_arg(ap, const char *))) {
		ck_assert_msg(v && v[i], "missing element %zu '%s'", i, want);
		ck_assert_str_eq(v[i], want);
		i++;
	}
	va_end(ap);
	ck_assert_msg(!v || !v[i], "extra element '%s'", v[i]);
}

static struct imageconfig_run
apply_ok(const struct imageconfig *c, const struct imageconfig_options *o)
{
	struct imageconfig_run run;
	char *err = NULL;
	int r = imageconfig_apply(c, o, &run, &err);

	ck_assert_msg(r == 0, "apply: %d %s", r, err ? err : "");
	return run;
}

START_TEST(parse_fields)
{
	struct imageconfig c = parse_ok(NGINX);

	assert_strv(c.entrypoint, "/docker-entrypoint.sh", NULL);
	assert_strv(c.cmd, "nginx", "-g", "daemon off;", NULL);
	assert_strv(c.env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	            "NGINX_VERSION=1.25.3", "LANG=C", NULL);
	ck_assert_str_eq(c.working_dir, "/srv");
	ck_assert_str_eq(c.user, "www");
	ck_assert_str_eq(c.stop_signal, "SIGQUIT");
	assert_strv(c.exposed_ports, "80/tcp", "443/tcp", NULL);
	imageconfig_done(&c);
}
END_TEST

START_TEST(parse_absent_and_null)
{
	struct imageconfig c = parse_ok("{\"architecture\":\"amd64\"}");

	ck_assert_ptr_null(c.entrypoint);
	ck_assert_ptr_null(c.cmd);
	ck_assert_ptr_null(c.working_dir);
	imageconfig_done(&c);
	c = parse_ok("{\"config\":{\"Entrypoint\":null,\"Cmd\":[],\"Env\":null,\"User\":\"\"}}");
	ck_assert_ptr_null(c.entrypoint);
	ck_assert_ptr_nonnull(c.cmd);
	ck_assert_ptr_null(c.cmd[0]);
	ck_assert_str_eq(c.user, "");
	imageconfig_done(&c);
	/* Docker's StrSlice also takes a lone string. */
	c = parse_ok("{\"config\":{\"Cmd\":\"sh\"}}");
	assert_strv(c.cmd, "sh", NULL);
	imageconfig_done(&c);
}
END_TEST

START_TEST(parse_errors_name_the_element)
{
	char *err;

	err = parse_fail("{\"config\":{\"Cmd\":[\"a\",3]}}");
	ck_assert_str_eq(err, "config.Cmd[1]: not a string");
	free(err);
	err = parse_fail("{\"config\":{\"Env\":\"A=1\"}}");
	ck_assert_str_eq(err, "config.Env: not an array of strings");
	free(err);
	err = parse_fail("{\"config\":{\"User\":0}}");
	ck_assert_str_eq(err, "config.User: not a string");
	free(err);
	err = parse_fail("{\"config\":[]}");
	ck_assert_str_eq(err, "config: not an object");
	free(err);
	err = parse_fail("{\"config\":{\"ExposedPorts\":[\"80/tcp\"]}}");
	ck_assert_str_eq(err, "config.ExposedPorts: not an object");
	free(err);
	free(parse_fail("[]"));
	free(parse_fail("{\"config\":"));
}
END_TEST

/*
 * cJSON ends a string at a NUL: "PATH\0...=/b" read as "PATH" removed PATH (found by
 * fuzz_imageconfig).  Such text is refused; an escaped backslash before "u0000" is not one.
 */
START_TEST(parse_refuses_nul)
{
	static const char raw[] = "{\"config\":{\"Env\":[\"PATH\0\0\0\x89=/b\"],\"Cmd\":[\"sh\"]}}";
	struct imageconfig c;
	char *err = NULL;

	ck_assert_int_eq(imageconfig_parse(raw, sizeof(raw) - 1, &c, &err), -EINVAL);
	ck_assert_str_eq(err, "image config holds a NUL character");
	free(err);
	free(parse_fail("{\"config\":{\"Cmd\":[\"/bin/true\\u0000x\"]}}"));
	c = parse_ok("{\"config\":{\"Cmd\":[\"a\\\\u0000\"]}}");
	assert_strv(c.cmd, "a\\u0000", NULL);
	imageconfig_done(&c);
}
END_TEST

START_TEST(command_rules)
{
	struct imageconfig c = parse_ok(NGINX);
	char *args[] = { "nginx-debug", "-v", NULL };
	struct imageconfig_options o = { 0 };
	struct imageconfig_run run;

	/* Nothing given: Entrypoint then Cmd. */
	run = apply_ok(&c, &o);
	assert_strv(run.argv, "/docker-entrypoint.sh", "nginx", "-g", "daemon off;", NULL);
	imageconfig_run_done(&run);
	/* ARGS replace Cmd, the Entrypoint stays. */
	o.args = args;
	run = apply_ok(&c, &o);
	assert_strv(run.argv, "/docker-entrypoint.sh", "nginx-debug", "-v", NULL);
	imageconfig_run_done(&run);
	/* --entrypoint replaces Entrypoint and drops Cmd; ARGS follow it. */
	o.args = NULL;
	o.entrypoint = "/bin/sh";
	run = apply_ok(&c, &o);
	assert_strv(run.argv, "/bin/sh", NULL);
	imageconfig_run_done(&run);
	o.args = args;
	run = apply_ok(&c, &o);
	assert_strv(run.argv, "/bin/sh", "nginx-debug", "-v", NULL);
	imageconfig_run_done(&run);
	/* --entrypoint "" clears both: ARGS alone, and nothing without them. */
	o.entrypoint = "";
	run = apply_ok(&c, &o);
	assert_strv(run.argv, "nginx-debug", "-v", NULL);
	imageconfig_run_done(&run);
	o.args = NULL;
	char *err = NULL;
	ck_assert_int_eq(imageconfig_apply(&c, &o, &run, &err), -EINVAL);
	ck_assert_str_eq(err, "no command specified");
	free(err);
	/* An --entrypoint with a space is one word, as Docker takes it. */
	o.entrypoint = "/bin/echo hi";
	run = apply_ok(&c, &o);
	assert_strv(run.argv, "/bin/echo hi", NULL);
	imageconfig_run_done(&run);
	imageconfig_done(&c);
}
END_TEST

START_TEST(command_without_entrypoint)
{
	struct imageconfig c = parse_ok("{\"config\":{\"Cmd\":[\"sh\"],\"Entrypoint\":[\"\"]}}");
	char *args[] = { "ls", "-l", NULL };
	struct imageconfig_options o = { .args = args };
	struct imageconfig_run run;
	char *err = NULL;

	/* An image Entrypoint of [""] is none. */
	run = apply_ok(&c, NULL);
	assert_strv(run.argv, "sh", NULL);
	imageconfig_run_done(&run);
	run = apply_ok(&c, &o);
	assert_strv(run.argv, "ls", "-l", NULL);
	imageconfig_run_done(&run);
	imageconfig_done(&c);

	c = parse_ok("{\"config\":{}}");
	ck_assert_int_eq(imageconfig_apply(&c, NULL, &run, &err), -EINVAL);
	free(err);
	imageconfig_done(&c);
}
END_TEST

START_TEST(env_rules)
{
	struct imageconfig c = parse_ok(NGINX);
	char *env[] = { "LANG=C.UTF-8",  "NEW=1", "FROM_CALLER", "UNSET_IN_CALLER",
		        "NGINX_VERSION", "NEW=2", NULL };
	char *caller[] = { "FROM_CALLERX=no", "FROM_CALLER=yes", "NGINX_VERSION=x", NULL };
	char *unset[] = { "NGINX_VERSION", NULL };
	struct imageconfig_options o = { .env = env, .caller_env = caller, .hostname = "n1" };
	struct imageconfig_run run;

	run = apply_ok(&c, &o);
	/* The image's PATH replaces the default; -e replaces in place; the caller's value for
	 * a bare name; a bare name the caller lacks is dropped. */
	assert_strv(run.env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	            "HOSTNAME=n1", "NGINX_VERSION=x", "LANG=C.UTF-8", "NEW=2", "FROM_CALLER=yes",
	            NULL);
	imageconfig_run_done(&run);

	/* A bare name unset in the caller removes the image's variable. */
	o = (struct imageconfig_options){ .env = unset, .tty = true };
	run = apply_ok(&c, &o);
	assert_strv(run.env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	            "TERM=xterm", "LANG=C", NULL);
	ck_assert_int_eq(imageconfig_env_default(&run.env, "HOME", "/root"), 0);
	ck_assert_int_eq(imageconfig_env_default(&run.env, "LANG", "no"), 0);
	assert_strv(run.env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	            "TERM=xterm", "LANG=C", "HOME=/root", NULL);
	imageconfig_run_done(&run);
	imageconfig_done(&c);

	/* No PATH in the image: Docker's default. */
	c = parse_ok("{\"config\":{\"Cmd\":[\"sh\"],\"Env\":[\"A=1\"]}}");
	run = apply_ok(&c, NULL);
	assert_strv(run.env, "PATH=" IMAGECONFIG_DEFAULT_PATH, "A=1", NULL);
	imageconfig_run_done(&run);

	/* A bare -e PATH the caller lacks removes PATH, the default included, as Docker. */
	char *no_path[] = { "PATH", NULL };
	o = (struct imageconfig_options){ .env = no_path };
	run = apply_ok(&c, &o);
	assert_strv(run.env, "A=1", NULL);
	imageconfig_run_done(&run);

	/* So does a bare PATH in the image's own Env (found by fuzz_imageconfig: the
	 * target's check was wrong, the behaviour is Docker's). */
	imageconfig_done(&c);
	c = parse_ok("{\"config\":{\"Cmd\":[\"sh\"],\"Env\":[\"PATH\",\"A=1\"]}}");
	run = apply_ok(&c, NULL);
	assert_strv(run.env, "A=1", NULL);
	imageconfig_run_done(&run);

	char *bad[] = { "=x", NULL };
	char *err = NULL;
	o = (struct imageconfig_options){ .env = bad };
	ck_assert_int_eq(imageconfig_apply(&c, &o, &run, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "'=x'"));
	free(err);
	imageconfig_done(&c);
}
END_TEST

START_TEST(workdir_and_user)
{
	struct imageconfig c = parse_ok(NGINX);
	struct imageconfig_options o = { .workdir = "/tmp", .user = "1000:1000" };
	struct imageconfig_run run;
	char *err = NULL;

	run = apply_ok(&c, NULL);
	ck_assert_str_eq(run.workdir, "/srv");
	ck_assert_str_eq(run.user, "www");
	ck_assert_int_eq(run.stop_signal, SIGQUIT);
	imageconfig_run_done(&run);
	run = apply_ok(&c, &o);
	ck_assert_str_eq(run.workdir, "/tmp");
	ck_assert_str_eq(run.user, "1000:1000");
	imageconfig_run_done(&run);
	/* Empty options are no options. */
	o = (struct imageconfig_options){ .workdir = "", .user = "" };
	run = apply_ok(&c, &o);
	ck_assert_str_eq(run.workdir, "/srv");
	ck_assert_str_eq(run.user, "www");
	imageconfig_run_done(&run);
	o.workdir = "relative";
	ck_assert_int_eq(imageconfig_apply(&c, &o, &run, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "'relative'"));
	free(err);
	imageconfig_done(&c);

	c = parse_ok("{\"config\":{\"Cmd\":[\"sh\"]}}");
	run = apply_ok(&c, NULL);
	ck_assert_str_eq(run.workdir, "/");
	ck_assert_str_eq(run.user, "");
	ck_assert_int_eq(run.stop_signal, SIGTERM);
	imageconfig_run_done(&run);
	imageconfig_done(&c);

	c = parse_ok("{\"config\":{\"Cmd\":[\"sh\"],\"StopSignal\":\"SIGNOPE\"}}");
	err = NULL;
	ck_assert_int_eq(imageconfig_apply(&c, NULL, &run, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "SIGNOPE"));
	free(err);
	imageconfig_done(&c);
}
END_TEST

START_TEST(signals)
{
	static const struct {
		const char *in;
		int sig;
	} ok[] = {
		{ "SIGTERM", SIGTERM },
		{ "TERM", SIGTERM },
		{ "term", SIGTERM },
		{ "sigKill", SIGKILL },
		{ "9", 9 },
		{ "SIGRTMIN", 34 },
		{ "RTMIN+3", 37 },
		{ "SIGRTMAX-1", 63 },
		{ "RTMAX", 64 },
		{ "64", 64 },
		{ "SIGWINCH", SIGWINCH },
		{ "CLD", SIGCHLD },
	};
	static const char *bad[] = { "",
		                     "0",
		                     "65",
		                     "-1",
		                     "SIG",
		                     "TERM ",
		                     "RTMIN+16",
		                     "RTMAX-15",
		                     "RTMIN+0",
		                     "RTMIN-1",
		                     "99999999999999",
		                     "SIGSIGTERM",
		                     "1x" };
	int sig;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(imageconfig_signal(ok[i].in, &sig) == 0, "'%s'", ok[i].in);
		ck_assert_int_eq(sig, ok[i].sig);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(imageconfig_signal(bad[i], &sig) == -EINVAL, "'%s'", bad[i]);
}
END_TEST

static Suite *
imageconfig_suite(void)
{
	Suite *s = suite_create("imageconfig");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parse_fields);
	tcase_add_test(tc, parse_absent_and_null);
	tcase_add_test(tc, parse_errors_name_the_element);
	tcase_add_test(tc, parse_refuses_nul);
	tcase_add_test(tc, command_rules);
	tcase_add_test(tc, command_without_entrypoint);
	tcase_add_test(tc, env_rules);
	tcase_add_test(tc, workdir_and_user);
	tcase_add_test(tc, signals);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(imageconfig_suite)
