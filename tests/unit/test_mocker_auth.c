/* WWW-Authenticate challenges, base64, credentials from a Docker config file. */
#include "mocker/auth.h"

#include "cleanup.h"

#include "check_main.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A string literal and its length. */
#define LIT(s) s, strlen(s)

START_TEST(bearer_docker_hub)
{
	struct auth_challenge c;

	ck_assert_int_eq(auth_parse_challenge("Bearer realm=\"https://auth.docker.io/token\","
	                                      "service=\"registry.docker.io\","
	                                      "scope=\"repository:library/busybox:pull\"",
	                                      &c),
	                 0);
	ck_assert_int_eq(c.scheme, AUTH_BEARER);
	ck_assert_str_eq(c.realm, "https://auth.docker.io/token");
	ck_assert_str_eq(c.service, "registry.docker.io");
	ck_assert_str_eq(c.scope, "repository:library/busybox:pull");
	auth_challenge_done(&c);
}
END_TEST

START_TEST(variants)
{
	struct auth_challenge c;

	/* any order, token values, spaces, case-insensitive names, escaped quotes */
	ck_assert_int_eq(
	        auth_parse_challenge("  bearer  SERVICE=reg , Realm=\"http://h/t?a=\\\"b\","
	                             " scope=\"repository:a:pull,push\"",
	                             &c),
	        0);
	ck_assert_str_eq(c.realm, "http://h/t?a=\"b");
	ck_assert_str_eq(c.service, "reg");
	ck_assert_str_eq(c.scope, "repository:a:pull,push");
	auth_challenge_done(&c);
	ck_assert_int_eq(auth_parse_challenge("Basic realm=\"Registry Realm\"", &c), 0);
	ck_assert_int_eq(c.scheme, AUTH_BASIC);
	ck_assert_str_eq(c.realm, "Registry Realm");
	ck_assert_ptr_null(c.service);
	auth_challenge_done(&c);
}
END_TEST

START_TEST(refused_challenges)
{
	struct auth_challenge c;

	ck_assert_int_eq(auth_parse_challenge("Negotiate abc", &c), -EINVAL);
	ck_assert_int_eq(auth_parse_challenge("Bearer service=x", &c), -EINVAL);
	ck_assert_int_eq(auth_parse_challenge("Bearer realm=\"unterminated", &c), -EINVAL);
	ck_assert_int_eq(auth_parse_challenge("Bearer realm", &c), -EINVAL);
	ck_assert_int_eq(auth_parse_challenge("", &c), -EINVAL);
}
END_TEST

START_TEST(base64_roundtrip)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const coded[] = { "",         "Zg==",     "Zm8=",    "Zm9v",
		                             "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };

	for (size_t i = 0; i < 7; i++) {
		char *e = auth_base64_encode(plain[i], strlen(plain[i])), *d;
		size_t n;
		ck_assert_str_eq(e, coded[i]);
		ck_assert_int_eq(auth_base64_decode(coded[i], &d, &n), 0);
		ck_assert_uint_eq(n, strlen(plain[i]));
		ck_assert_str_eq(d, plain[i]);
		free(e);
		free(d);
	}
	char *d;
	ck_assert_int_eq(auth_base64_decode("Zm9v!", &d, NULL), -EINVAL);
	ck_assert_int_eq(auth_base64_decode("Zm9", &d, NULL), -EINVAL);
	ck_assert_int_eq(auth_base64_decode("Zg==Zg==", &d, NULL), -EINVAL);
	/* libcrypto would skip blanks and take a third '=': the strict form is refused */
	ck_assert_int_eq(auth_base64_decode(" Zm9v", &d, NULL), -EINVAL);
	ck_assert_int_eq(auth_base64_decode("Zm9v\n", &d, NULL), -EINVAL);
	ck_assert_int_eq(auth_base64_decode("Z===", &d, NULL), -EINVAL);
	ck_assert_int_eq(auth_base64_decode("Zg=a", &d, NULL), -EINVAL);
}
END_TEST

START_TEST(base64_binary)
{
	unsigned char all[256];
	char *e, *d;
	size_t n;

	for (size_t i = 0; i < sizeof(all); i++)
		all[i] = (unsigned char)(255 - i);
	for (size_t len = 0; len <= sizeof(all); len += 17) {
		e = auth_base64_encode(all, len);
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(strlen(e), 4 * ((len + 2) / 3));
		ck_assert_int_eq(auth_base64_decode(e, &d, &n), 0);
		ck_assert_uint_eq(n, len);
		ck_assert_mem_eq(d, all, len);
		free(e);
		free(d);
	}
}
END_TEST

static char *
write_config(const char *text)
{
	char *path = strdup("/tmp/test_mocker_auth.XXXXXX");
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static int
config_userpass(const char *path, const char *domain, char **ret)
{
	struct auth_config_entry e = { 0 };
	int r = auth_config_read(path, domain, &e, NULL);

	if (r < 0)
		return r;
	if (!e.userpass) {
		auth_config_entry_done(&e);
		return -ENOENT;
	}
	*ret = TAKE_PTR(e.userpass);
	auth_config_entry_done(&e);
	return 0;
}

START_TEST(docker_config)
{
	/* dGVzdDpzZWNyZXQ= is test:secret, aHViOnB3 is hub:pw */
	char *path = write_config("{\"auths\":{"
	                          "\"https://index.docker.io/v1/\":{\"auth\":\"aHViOnB3\"},"
	                          "\"127.0.0.1:5000\":{\"auth\":\"dGVzdDpzZWNyZXQ=\"},"
	                          "\"https://quay.io\":{\"auth\":\"dGVzdDpzZWNyZXQ=\"},"
	                          "\"bad.example\":{\"auth\":\"bm9jb2xvbg==\"}}}");
	char *up, *why = NULL;
	struct auth_config_entry e;

	ck_assert_int_eq(config_userpass(path, "docker.io", &up), 0);
	ck_assert_str_eq(up, "hub:pw");
	free(up);
	ck_assert_int_eq(config_userpass(path, "127.0.0.1:5000", &up), 0);
	ck_assert_str_eq(up, "test:secret");
	free(up);
	ck_assert_int_eq(config_userpass(path, "quay.io", &up), 0);
	free(up);
	ck_assert_int_eq(config_userpass(path, "ghcr.io", &up), -ENOENT);
	/* "nocolon" is no user:password pair: the error names the file and the entry */
	ck_assert_int_eq(auth_config_read(path, "bad.example", &e, &why), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, path));
	ck_assert_ptr_nonnull(strstr(why, "'bad.example'"));
	free(why);
	unlink(path);
	free(path);
	ck_assert_int_eq(config_userpass("/nonexistent/config.json", "x", &up), -ENOENT);
}
END_TEST

static void
parse_ok(const char *text, const char *domain, const char *helper, const char *server,
         const char *userpass)
{
	struct auth_config_entry e;

	ck_assert_int_eq(auth_config_parse(text, strlen(text), domain, &e, NULL), 0);
	if (helper) {
		ck_assert_str_eq(e.helper, helper);
		ck_assert_str_eq(e.server, server);
	} else
		ck_assert_ptr_null(e.helper);
	if (userpass)
		ck_assert_str_eq(e.userpass, userpass);
	else
		ck_assert_ptr_null(e.userpass);
	auth_config_entry_done(&e);
}

START_TEST(credential_helpers)
{
	static const char cfg[] = "{\"credsStore\":\"desktop\",\"credHelpers\":{"
	                          "\"gcr.io\":\"gcloud\",\"https://ghcr.io\":\"gh\","
	                          "\"https://index.docker.io/v1/\":\"hub\"},"
	                          "\"auths\":{\"gcr.io\":{},\"quay.io\":{\"auth\":\"YTpi\"}}}";
	struct auth_config_entry e;
	char *why = NULL;

	/* credHelpers for the host wins over credsStore; the helper is asked for the key */
	parse_ok(cfg, "gcr.io", "gcloud", "gcr.io", NULL);
	parse_ok(cfg, "ghcr.io", "gh", "https://ghcr.io", NULL);
	parse_ok(cfg, "docker.io", "hub", "https://index.docker.io/v1/", NULL);
	/* the default store otherwise, with what auths holds as the fallback */
	parse_ok(cfg, "quay.io", "desktop", "quay.io", "a:b");
	parse_ok(cfg, "127.0.0.1:5000", "desktop", "127.0.0.1:5000", NULL);
	parse_ok("{\"credsStore\":\"\",\"auths\":{}}", "x.io", NULL, NULL, NULL);
	parse_ok("{\"credsStore\":\"pass\"}", "docker.io", "pass", "https://index.docker.io/v1/",
	         NULL);

	/* helper names become program names: no paths, no options */
	ck_assert_int_eq(auth_config_parse(LIT("{\"credsStore\":\"../../bin/sh\"}"), "x", &e, &why),
	                 -EINVAL);
	ck_assert_str_eq(why, "'../../bin/sh' is not a credential helper name");
	ck_assert(!auth_helper_name_valid("-x"));
	ck_assert(!auth_helper_name_valid(""));
	ck_assert(!auth_helper_name_valid("a b"));
	ck_assert(auth_helper_name_valid("ecr-login"));
	ck_assert(auth_helper_name_valid("pass"));
	ck_assert_int_eq(auth_config_parse(LIT("{\"credsStore\":1}"), "x", &e, &why), -EBADMSG);
	ck_assert_str_eq(why, "\"credsStore\" is not a string");
	ck_assert_int_eq(auth_config_parse(LIT("{\"credHelpers\":{\"x\":[]}}"), "x", &e, &why),
	                 -EBADMSG);
	ck_assert_str_eq(why, "\"credHelpers\" of 'x' is not a string");
	ck_assert_int_eq(auth_config_parse(LIT("[]"), "x", &e, &why), -EBADMSG);
	ck_assert_int_eq(auth_config_parse(LIT("{\"a\":\"\\u0000\"}"), "x", &e, &why), -EBADMSG);
	free(why);
}
END_TEST

START_TEST(helper_output)
{
	char *up = NULL, *why = NULL;
	const char *t;

	t = "{\"ServerURL\":\"h\",\"Username\":\"u\",\"Secret\":\"p:w\"}\n";
	ck_assert_int_eq(auth_helper_parse(t, strlen(t), &up, &why), 0);
	ck_assert_str_eq(up, "u:p:w");
	free(up);
	t = "credentials not found in native keychain\n";
	ck_assert_int_eq(auth_helper_parse(t, strlen(t), &up, &why), -ENOENT);
	t = "{\"Username\":\"<token>\",\"Secret\":\"x\"}";
	ck_assert_int_eq(auth_helper_parse(t, strlen(t), &up, &why), -EOPNOTSUPP);
	t = "{\"Username\":\"u\"}";
	ck_assert_int_eq(auth_helper_parse(t, strlen(t), &up, &why), -EBADMSG);
	ck_assert_str_eq(why, "its output lacks \"Secret\"");
	t = "{\"Username\":\"a:b\",\"Secret\":\"x\"}";
	ck_assert_int_eq(auth_helper_parse(t, strlen(t), &up, &why), -EBADMSG);
	t = "{\"Username\":\"a\",\"Secret\":\"x\\r\\nInjected: 1\"}";
	ck_assert_int_eq(auth_helper_parse(t, strlen(t), &up, &why), -EBADMSG);
	ck_assert_int_eq(auth_helper_parse(LIT(""), &up, &why), -EBADMSG);
	ck_assert_int_eq(
	        auth_helper_parse(LIT("{\"Username\":\"a\\u0000b\",\"Secret\":\"x\"}"), &up, &why),
	        -EBADMSG);
	free(why);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("mocker_auth");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, bearer_docker_hub);
	tcase_add_test(tc, variants);
	tcase_add_test(tc, refused_challenges);
	tcase_add_test(tc, base64_roundtrip);
	tcase_add_test(tc, base64_binary);
	tcase_add_test(tc, docker_config);
	tcase_add_test(tc, credential_helpers);
	tcase_add_test(tc, helper_output);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)
