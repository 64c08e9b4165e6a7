/* NULL-terminated string arrays and printf into a new string (strprintf). */
#include "strprintf.h"
#include "strv.h"

#include "check_main.h"

#include <errno.h>
#include <string.h>

START_TEST(pushf_appends_formatted)
{
	_cleanup_strv_ char **v = NULL;

	ck_assert_int_eq(strv_pushf(&v, "--%s=%d", "jobs", 4), 0);
	ck_assert_int_eq(strv_pushf(&v, "%s", ""), 0);
	ck_assert_int_eq(strv_len(v), 2);
	ck_assert_str_eq(v[0], "--jobs=4");
	ck_assert_str_eq(v[1], "");
	ck_assert_ptr_null(v[2]);
}
END_TEST

START_TEST(push_null_is_enomem)
{
	_cleanup_strv_ char **v = NULL;

	ck_assert_int_eq(strv_push(&v, NULL), -ENOMEM);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(strv_len(v), 0);
}
END_TEST

START_TEST(strprintf_formats)
{
	_cleanup_free_ char *s = strprintf("%s/%s.%d", "/run/lab", "log", 7);

	ck_assert_str_eq(s, "/run/lab/log.7");
}
END_TEST

static Suite *
strv_suite(void)
{
	Suite *s = suite_create("strv");
	TCase *tc = tcase_create("strv");

	tcase_add_test(tc, pushf_appends_formatted);
	tcase_add_test(tc, push_null_is_enomem);
	tcase_add_test(tc, strprintf_formats);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(strv_suite)
