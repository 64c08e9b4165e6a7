/* The path set: membership, values, growth, listing. */
#include "mocker/pathset.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"

START_TEST(add_and_contains)
{
	struct pathset *s = pathset_new();

	ck_assert_ptr_nonnull(s);
	ck_assert(!pathset_contains(s, "a/b"));
	ck_assert_int_eq(pathset_add(s, "a/b", NULL), 1);
	ck_assert_int_eq(pathset_add(s, "a/b", NULL), 0);
	ck_assert(pathset_contains(s, "a/b"));
	ck_assert(!pathset_contains(s, "a"));
	ck_assert(!pathset_contains(s, "a/b/c"));
	ck_assert_int_eq(pathset_add_len(s, "a/b/c", 1, NULL), 1);
	ck_assert(pathset_contains(s, "a"));
	ck_assert_int_eq(pathset_add(s, "", NULL), 1);
	ck_assert(pathset_contains(s, ""));
	ck_assert_uint_eq(pathset_size(s), 3);
	pathset_free(s);
}
END_TEST

START_TEST(values)
{
	struct pathset *s = pathset_new();
	void **slot = NULL;

	ck_assert_int_eq(pathset_add(s, "x", &slot), 1);
	ck_assert_ptr_null(*slot);
	*slot = strdup("value");
	ck_assert_int_eq(pathset_add(s, "x", &slot), 0);
	ck_assert_str_eq(*slot, "value");
	ck_assert_str_eq(*pathset_get(s, "x"), "value");
	ck_assert_ptr_null(pathset_get(s, "y"));
	pathset_free(s); /* frees the value too: the sanitizer build checks it */
}
END_TEST

START_TEST(grows_and_lists)
{
	struct pathset *s = pathset_new();
	const char **keys;
	size_t n = 0, found = 0;
	char buf[32];

	for (int i = 0; i < 10000; i++) {
		snprintf(buf, sizeof(buf), "dir/%d", i);
		ck_assert_int_eq(pathset_add(s, buf, NULL), 1);
	}
	ck_assert_uint_eq(pathset_size(s), 10000);
	for (int i = 0; i < 10000; i++) {
		snprintf(buf, sizeof(buf), "dir/%d", i);
		ck_assert(pathset_contains(s, buf));
	}
	ck_assert(!pathset_contains(s, "dir/10000"));
	keys = pathset_keys(s, &n);
	ck_assert_uint_eq(n, 10000);
	for (size_t i = 0; i < n; i++)
		found += strncmp(keys[i], "dir/", 4) == 0;
	ck_assert_uint_eq(found, 10000);
	free(keys);
	pathset_free(s);
}
END_TEST

START_TEST(empty_and_null)
{
	struct pathset *s = pathset_new();
	size_t n = 1;

	ck_assert_ptr_null(pathset_keys(s, &n));
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(pathset_free(s));
	ck_assert_ptr_null(pathset_free(NULL));
}
END_TEST

static Suite *
pathset_suite(void)
{
	Suite *s = suite_create("pathset");
	TCase *tc = tcase_create("pathset");

	tcase_add_test(tc, add_and_contains);
	tcase_add_test(tc, values);
	tcase_add_test(tc, grows_and_lists);
	tcase_add_test(tc, empty_and_null);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(pathset_suite)
