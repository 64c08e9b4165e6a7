/* WWW-Authenticate challenges, base64, credentials from a Docker config file. */
#include "mocker/auth.h"

#include "check_main.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
		char *e = base64_encode(plain[i], strlen(plain[i])), *d;
		size_t n;
		ck_assert_str_eq(e, coded[i]);
		ck_assert_int_eq(base64_decode(coded[i], &d, &n), 0);
		ck_assert_uint_eq(n, strlen(plain[i]));
		ck_assert_str_eq(d, plain[i]);
		free(e);
		free(d);
	}
	char *d;
	ck_assert_int_eq(base64_decode("Zm9v!", &d, NULL), -EINVAL);
	ck_assert_int_eq(base64_decode("Zm9", &d, NULL), -EINVAL);
	ck_assert_int_eq(base64_decode("Zg==Zg==", &d, NULL), -EINVAL);
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

START_TEST(docker_config)
{
	/* dGVzdDpzZWNyZXQ= is test:secret, aHViOnB3 is hub:pw */
	char *path = write_config("{\"auths\":{"
	                          "\"https://index.docker.io/v1/\":{\"auth\":\"aHViOnB3\"},"
	                          "\"127.0.0.1:5000\":{\"auth\":\"dGVzdDpzZWNyZXQ=\"},"
	                          "\"https://quay.io\":{\"auth\":\"dGVzdDpzZWNyZXQ=\"},"
	                          "\"bad.example\":{\"auth\":\"bm9jb2xvbg==\"}}}");
	char *up;

	ck_assert_int_eq(auth_from_docker_config(path, "docker.io", &up), 0);
	ck_assert_str_eq(up, "hub:pw");
	free(up);
	ck_assert_int_eq(auth_from_docker_config(path, "127.0.0.1:5000", &up), 0);
	ck_assert_str_eq(up, "test:secret");
	free(up);
	ck_assert_int_eq(auth_from_docker_config(path, "quay.io", &up), 0);
	free(up);
	ck_assert_int_eq(auth_from_docker_config(path, "ghcr.io", &up), -ENOENT);
	/* "nocolon" is no user:password pair */
	ck_assert_int_eq(auth_from_docker_config(path, "bad.example", &up), -EINVAL);
	unlink(path);
	free(path);
	ck_assert_int_eq(auth_from_docker_config("/nonexistent/config.json", "x", &up), -ENOENT);
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
	tcase_add_test(tc, docker_config);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)
