/* Image references by Docker's rules. */
#include "ref.h"

#include "check_main.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void
check_ref(const char *in, const char *domain, const char *path, const char *tag, const char *digest,
          const char *canonical)
{
	struct ref r;
	char *s;

	ck_assert_msg(ref_parse(in, &r) == 0, "'%s' should parse", in);
	ck_assert_str_eq(r.domain, domain);
	ck_assert_str_eq(r.path, path);
	if (tag)
		ck_assert_str_eq(r.tag, tag);
	else
		ck_assert_ptr_null(r.tag);
	if (digest)
		ck_assert_str_eq(r.digest, digest);
	else
		ck_assert_ptr_null(r.digest);
	s = ref_string(&r);
	ck_assert_str_eq(s, canonical);
	free(s);
	ref_done(&r);
}

#define D "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

START_TEST(docker_hub_names)
{
	check_ref("busybox", "docker.io", "library/busybox", "latest", NULL,
	          "docker.io/library/busybox:latest");
	check_ref("busybox:1.36", "docker.io", "library/busybox", "1.36", NULL,
	          "docker.io/library/busybox:1.36");
	check_ref("user/app", "docker.io", "user/app", "latest", NULL, "docker.io/user/app:latest");
	check_ref("docker.io/busybox", "docker.io", "library/busybox", "latest", NULL,
	          "docker.io/library/busybox:latest");
	check_ref("index.docker.io/library/busybox:x", "docker.io", "library/busybox", "x", NULL,
	          "docker.io/library/busybox:x");
}
END_TEST

START_TEST(other_registries)
{
	check_ref("127.0.0.1:5000/test/img:v1", "127.0.0.1:5000", "test/img", "v1", NULL,
	          "127.0.0.1:5000/test/img:v1");
	check_ref("localhost/img", "localhost", "img", "latest", NULL, "localhost/img:latest");
	check_ref("quay.io/a/b/c", "quay.io", "a/b/c", "latest", NULL, "quay.io/a/b/c:latest");
	/* A first component without "." or ":" is a Docker Hub namespace. */
	check_ref("myhost/img", "docker.io", "myhost/img", "latest", NULL,
	          "docker.io/myhost/img:latest");
	check_ref("host:5000/img", "host:5000", "img", "latest", NULL, "host:5000/img:latest");
}
END_TEST

START_TEST(digests)
{
	struct ref r;

	check_ref("busybox@" D, "docker.io", "library/busybox", NULL, D,
	          "docker.io/library/busybox@" D);
	check_ref("h:1/x:t@" D, "h:1", "x", "t", D, "h:1/x:t");
	ck_assert_int_eq(ref_parse("busybox@sha256:abc", &r), -EINVAL);
	ck_assert_int_eq(ref_parse("busybox@sha512:" D, &r), -EINVAL);
	ck_assert_int_eq(ref_parse("busybox@" D "/../x", &r), -EINVAL);
}
END_TEST

START_TEST(invalid)
{
	static const char *const bad[] = {
		"",       "UPPER/case", "a//b", "a/",   "/a",       "a:",           "a:-tag",
		"a:ta g", "-a",         "a-",   "a..b", "a/b/../c", "a:tag:tag2/x", "host:5000/",
		"a@",     "a b",
	};
	struct ref r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(ref_parse(bad[i], &r) == -EINVAL, "'%s' should be refused", bad[i]);
}
END_TEST

START_TEST(separators)
{
	check_ref("a__b/c-d--e/f.g", "docker.io", "a__b/c-d--e/f.g", "latest", NULL,
	          "docker.io/a__b/c-d--e/f.g:latest");
}
END_TEST

START_TEST(api_host_and_locality)
{
	struct ref r;

	ck_assert_int_eq(ref_parse("alpine", &r), 0);
	ck_assert_str_eq(ref_api_host(&r), "registry-1.docker.io");
	ref_done(&r);
	ck_assert_int_eq(ref_parse("ghcr.io/x/y", &r), 0);
	ck_assert_str_eq(ref_api_host(&r), "ghcr.io");
	ref_done(&r);
	ck_assert(ref_host_is_local("localhost"));
	ck_assert(ref_host_is_local("localhost:5000"));
	ck_assert(ref_host_is_local("127.0.0.1:5000"));
	ck_assert(ref_host_is_local("[::1]:5000"));
	ck_assert(!ref_host_is_local("localhost.evil.com"));
	ck_assert(!ref_host_is_local("registry-1.docker.io"));
	ck_assert(!ref_host_is_local("1127.0.0.1"));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("ref");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, docker_hub_names);
	tcase_add_test(tc, other_registries);
	tcase_add_test(tc, digests);
	tcase_add_test(tc, invalid);
	tcase_add_test(tc, separators);
	tcase_add_test(tc, api_host_and_locality);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)
