/* Certificate directories as Docker and skopeo read them: *.crt are CAs added after the
 * system's, NAME.cert with NAME.key is the client certificate, a half pair is refused. */
#include "mocker/certdir.h"

#include "check_main.h"
#include "cleanup.h"
#include "rmtree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/test_mocker_certdir.XXXXXX";

static void
put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	rm_rf_at(AT_FDCWD, dir);
	strcpy(dir, "/tmp/test_mocker_certdir.XXXXXX");
}

START_TEST(kinds)
{
	ck_assert_int_eq(certdir_kind("ca.crt"), CERTDIR_CA);
	ck_assert_int_eq(certdir_kind("client.cert"), CERTDIR_CERT);
	ck_assert_int_eq(certdir_kind("client.key"), CERTDIR_KEY);
	ck_assert_int_eq(certdir_kind(".hidden.crt"), CERTDIR_OTHER);
	ck_assert_int_eq(certdir_kind(".crt"), CERTDIR_OTHER);
	ck_assert_int_eq(certdir_kind("README"), CERTDIR_OTHER);
	ck_assert_int_eq(certdir_kind("ca.crt.bak"), CERTDIR_OTHER);
}
END_TEST

START_TEST(cas_and_client)
{
	struct certdir c;
	char sys[300];

	put("b.crt", "B");
	put("a.crt", "A\n");
	put("z.cert", "Z");
	put("z.key", "ZK");
	put("y.cert", "Y");
	put("y.key", "YK");
	put("notes.txt", "ignored");
	snprintf(sys, sizeof(sys), "%s/notes.txt", dir);
	/* the system's bundle first, then the directory's CAs in name order, one per line */
	ck_assert_int_eq(certdir_load(dir, sys, &c, NULL), 0);
	ck_assert_str_eq(c.ca, "ignored\nA\nB\n");
	ck_assert_uint_eq(c.ca_len, strlen(c.ca));
	ck_assert_ptr_nonnull(strstr(c.cert, "/y.cert"));
	ck_assert_ptr_nonnull(strstr(c.key, "/y.key"));
	certdir_done(&c);
	/* a system bundle that cannot be read leaves the directory's */
	ck_assert_int_eq(certdir_load(dir, "/nonexistent", &c, NULL), 0);
	ck_assert_str_eq(c.ca, "A\nB\n");
	certdir_done(&c);
}
END_TEST

START_TEST(no_ca)
{
	struct certdir c;

	put("client.cert", "C");
	put("client.key", "K");
	ck_assert_int_eq(certdir_load(dir, "/etc/hostname", &c, NULL), 0);
	ck_assert_ptr_null(c.ca);
	ck_assert_ptr_nonnull(c.cert);
	certdir_done(&c);
}
END_TEST

START_TEST(half_pairs)
{
	struct certdir c;
	char *why = NULL;

	put("client.cert", "C");
	ck_assert_int_eq(certdir_load(dir, NULL, &c, &why), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "client.cert' has no key next to it (client.key)"));
	free(why);
	why = NULL;
	put("client.key", "K");
	put("other.key", "K");
	ck_assert_int_eq(certdir_load(dir, NULL, &c, &why), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "other.key' has no client certificate next to it"));
	free(why);
	why = NULL;
	ck_assert_int_eq(certdir_load("/nonexistent/dir", NULL, &c, &why), -ENOENT);
	ck_assert_str_eq(why,
	                 "certificate directory '/nonexistent/dir': No such file or directory");
	free(why);
}
END_TEST

START_TEST(find)
{
	const char *roots[] = { "/nonexistent", dir, NULL };
	char sub[300];
	char *p;

	snprintf(sub, sizeof(sub), "%s/127.0.0.1:5000", dir);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	p = certdir_find(roots, "127.0.0.1:5000");
	ck_assert_str_eq(p, sub);
	free(p);
	ck_assert_ptr_null(certdir_find(roots, "127.0.0.1:5001"));
	/* a host is one path component */
	ck_assert_ptr_null(certdir_find(roots, ".."));
	ck_assert_ptr_null(certdir_find(roots, "."));
	ck_assert_ptr_null(certdir_find(roots, "a/../127.0.0.1:5000"));
	ck_assert_ptr_null(certdir_find(roots, ""));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("mocker_certdir");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, kinds);
	tcase_add_test(tc, cas_and_client);
	tcase_add_test(tc, no_ca);
	tcase_add_test(tc, half_pairs);
	tcase_add_test(tc, find);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)
