/* User specs resolved in an image's /etc/passwd and /etc/group by runc's rules. */
#include "passwd.h"

#include "check_main.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char PASSWD[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                             "  www:x:33:33:www-data:/var/www:/bin/false  \n"
                             "# a comment:x:7:7::/c:\n"
                             "broken:x:notanumber:5::/b:\n"
                             "short:x:12\n"
                             "huge:x:99999999999:5::/h:\n"
                             "nohome:x:44:44\n"
                             "app:x:1000:1000:app:/home/app:/bin/sh\n"
                             "dup:x:1001:1001::/first:\n"
                             "dup:x:1002:1002::/second:\n";

static const char GROUP[] = "root:x:0:\n"
                            "wheel:x:10:root,app\n"
                            "audio:x:29: app , www\n"
                            "bad:x:x:app\n"
                            "www-data:x:33:\n"
                            "app:x:1000:\n"
                            "staff:x:50:other,app\n";

static struct passwd_user
resolve_ok(const char *spec)
{
	struct passwd_user u;
	char *err = NULL;
	int r = passwd_resolve(spec, PASSWD, strlen(PASSWD), GROUP, strlen(GROUP), &u, &err);

	ck_assert_msg(r == 0, "'%s': %d %s", spec, r, err ? err : "");
	free(err);
	return u;
}

static int
resolve_fail(const char *spec, char **ret_error)
{
	struct passwd_user u = { .uid = 4242 };
	int r = passwd_resolve(spec, PASSWD, strlen(PASSWD), GROUP, strlen(GROUP), &u, ret_error);

	ck_assert_msg(r < 0, "'%s' should fail", spec);
	ck_assert_uint_eq(u.uid, 4242); /* untouched */
	return r;
}

static void
assert_groups(const struct passwd_user *u, size_t n, const gid_t *want)
{
	ck_assert_uint_eq(u->n_groups, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_uint_eq(u->groups[i], want[i]);
}

START_TEST(by_name)
{
	struct passwd_user u = resolve_ok("app");

	ck_assert_uint_eq(u.uid, 1000);
	ck_assert_uint_eq(u.gid, 1000);
	ck_assert_str_eq(u.home, "/home/app");
	/* The primary first, then every group listing "app", in file order. */
	assert_groups(&u, 4, (gid_t[]){ 1000, 10, 29, 50 });
	passwd_user_done(&u);

	u = resolve_ok("root");
	ck_assert_uint_eq(u.uid, 0);
	ck_assert_str_eq(u.home, "/root");
	assert_groups(&u, 2, (gid_t[]){ 0, 10 });
	passwd_user_done(&u);
}
END_TEST

START_TEST(by_uid)
{
	/* A uid in passwd is that user, with its groups. */
	struct passwd_user u = resolve_ok("1000");

	ck_assert_uint_eq(u.uid, 1000);
	ck_assert_uint_eq(u.gid, 1000);
	assert_groups(&u, 4, (gid_t[]){ 1000, 10, 29, 50 });
	passwd_user_done(&u);

	/* One that is not: allowed, gid 0, home "/", as runc. */
	u = resolve_ok("4000");
	ck_assert_uint_eq(u.uid, 4000);
	ck_assert_uint_eq(u.gid, 0);
	ck_assert_str_eq(u.home, "/");
	assert_groups(&u, 1, (gid_t[]){ 0 });
	passwd_user_done(&u);

	/* Go's Atoi takes a sign. */
	u = resolve_ok("+33");
	ck_assert_uint_eq(u.uid, 33);
	ck_assert_str_eq(u.home, "/var/www");
	passwd_user_done(&u);
}
END_TEST

START_TEST(empty_is_root)
{
	struct passwd_user u = resolve_ok("");

	ck_assert_uint_eq(u.uid, 0);
	ck_assert_str_eq(u.home, "/root");
	assert_groups(&u, 2, (gid_t[]){ 0, 10 });
	passwd_user_done(&u);

	u = resolve_ok(":audio");
	ck_assert_uint_eq(u.uid, 0);
	ck_assert_uint_eq(u.gid, 29);
	assert_groups(&u, 1, (gid_t[]){ 29 });
	passwd_user_done(&u);
}
END_TEST

START_TEST(with_group)
{
	/* An explicit group replaces the primary and there are no others. */
	struct passwd_user u = resolve_ok("app:wheel");

	ck_assert_uint_eq(u.uid, 1000);
	ck_assert_uint_eq(u.gid, 10);
	assert_groups(&u, 1, (gid_t[]){ 10 });
	passwd_user_done(&u);

	u = resolve_ok("app:29");
	ck_assert_uint_eq(u.gid, 29);
	passwd_user_done(&u);

	u = resolve_ok("1000:5000");
	ck_assert_uint_eq(u.uid, 1000);
	ck_assert_uint_eq(u.gid, 5000);
	assert_groups(&u, 1, (gid_t[]){ 5000 });
	passwd_user_done(&u);

	u = resolve_ok("4000:staff");
	ck_assert_uint_eq(u.uid, 4000);
	ck_assert_uint_eq(u.gid, 50);
	passwd_user_done(&u);

	/* Fields after a second ':' are ignored, as runc's parser does. */
	u = resolve_ok("app:wheel:extra");
	ck_assert_uint_eq(u.gid, 10);
	passwd_user_done(&u);
}
END_TEST

START_TEST(first_match_wins)
{
	struct passwd_user u = resolve_ok("dup");

	ck_assert_uint_eq(u.uid, 1001);
	ck_assert_str_eq(u.home, "/first");
	passwd_user_done(&u);
}
END_TEST

START_TEST(unknown_names)
{
	char *err = NULL;

	ck_assert_int_eq(resolve_fail("nobody", &err), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "'nobody'"));
	ck_assert_ptr_nonnull(strstr(err, "/etc/passwd"));
	free(err);
	err = NULL;
	ck_assert_int_eq(resolve_fail("app:nogroup", &err), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "'nogroup'"));
	ck_assert_ptr_nonnull(strstr(err, "/etc/group"));
	free(err);
}
END_TEST

START_TEST(out_of_range)
{
	char *err = NULL;

	ck_assert_int_eq(resolve_fail("-1", &err), -ERANGE);
	free(err);
	err = NULL;
	ck_assert_int_eq(resolve_fail("2147483648", &err), -ERANGE);
	free(err);
	err = NULL;
	ck_assert_int_eq(resolve_fail("app:-5", &err), -ERANGE);
	free(err);
	err = NULL;
	/* Beyond int64 it is no number at all, so a name nobody has. */
	ck_assert_int_eq(resolve_fail("99999999999999999999999", &err), -ENOENT);
	free(err);

	struct passwd_user u = resolve_ok("2147483647:2147483647");
	ck_assert_uint_eq(u.uid, 2147483647u);
	ck_assert_uint_eq(u.gid, 2147483647u);
	passwd_user_done(&u);
}
END_TEST

START_TEST(malformed_lines_skipped)
{
	char *err = NULL;

	/* A uid that is not a number, too few fields, a huge id, a comment: no such user. */
	ck_assert_int_eq(resolve_fail("broken", &err), -ENOENT);
	free(err);
	err = NULL;
	ck_assert_int_eq(resolve_fail("short", &err), -ENOENT);
	free(err);
	err = NULL;
	ck_assert_int_eq(resolve_fail("huge", &err), -ENOENT);
	free(err);
	err = NULL;
	ck_assert_int_eq(resolve_fail("# a comment", &err), -ENOENT);
	free(err);

	/* Four fields are enough; no home means "/". */
	struct passwd_user u = resolve_ok("nohome");
	ck_assert_uint_eq(u.uid, 44);
	ck_assert_str_eq(u.home, "/");
	passwd_user_done(&u);
	/* "bad" has gid "x": not in app's groups (checked in by_name). */
}
END_TEST

START_TEST(missing_files)
{
	struct passwd_user u;
	char *err = NULL;

	ck_assert_int_eq(passwd_resolve("0", "", 0, "", 0, &u, &err), 0);
	ck_assert_uint_eq(u.uid, 0);
	ck_assert_uint_eq(u.gid, 0);
	ck_assert_str_eq(u.home, "/");
	passwd_user_done(&u);
	ck_assert_int_eq(passwd_resolve("", NULL, 0, NULL, 0, &u, &err), 0);
	passwd_user_done(&u);
	ck_assert_int_eq(passwd_resolve("root", "", 0, "", 0, &u, &err), -ENOENT);
	free(err);
	err = NULL;
	ck_assert_int_eq(passwd_resolve("5:users", "", 0, "", 0, &u, &err), -ENOENT);
	free(err);
}
END_TEST

START_TEST(awkward_buffers)
{
	struct passwd_user u;
	size_t big = 1 << 20;
	char *buf = malloc(big + 64);
	const char tail[] = "\nlong:x:77:77::/l:";
	int n;

	/* A 1 MiB line, then a line without a final newline. */
	ck_assert_ptr_nonnull(buf);
	memset(buf, 'a', big);
	memcpy(buf + big, tail, sizeof(tail) - 1);
	ck_assert_int_eq(passwd_resolve("long", buf, big + sizeof(tail) - 1, "", 0, &u, NULL), 0);
	ck_assert_uint_eq(u.uid, 77);
	passwd_user_done(&u);
	/* A NUL inside a line drops that line only; the buffer is not NUL-terminated. */
	n = snprintf(buf, 64, "nul:x:1:1::/n:\nx:x:2:2::/x:\n");
	buf[1] = '\0';
	ck_assert_int_eq(passwd_resolve("nul", buf, (size_t)n, "", 0, &u, NULL), -ENOENT);
	ck_assert_int_eq(passwd_resolve("x", buf, (size_t)n - 1, "", 0, &u, NULL), 0);
	ck_assert_uint_eq(u.uid, 2);
	passwd_user_done(&u);
	free(buf);
}
END_TEST

static Suite *
passwd_suite(void)
{
	Suite *s = suite_create("passwd");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, by_name);
	tcase_add_test(tc, by_uid);
	tcase_add_test(tc, empty_is_root);
	tcase_add_test(tc, with_group);
	tcase_add_test(tc, first_match_wins);
	tcase_add_test(tc, unknown_names);
	tcase_add_test(tc, out_of_range);
	tcase_add_test(tc, malformed_lines_skipped);
	tcase_add_test(tc, missing_files);
	tcase_add_test(tc, awkward_buffers);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(passwd_suite)
