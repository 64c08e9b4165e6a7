/* "What failed" (common/errtext.h): who owns the text, which one stays, what it holds. */
#include "errtext.h"

#include "check_main.h"

#include <errno.h>

START_TEST(set_replaces)
{
	char *why = NULL;

	ck_assert_int_eq(error_set(&why, -EINVAL, "inner %d", 1), -EINVAL);
	ck_assert_str_eq(why, "inner 1");
	ck_assert_int_eq(error_set(&why, -EIO, "outer: %s", "x"), -EIO);
	ck_assert_str_eq(why, "outer: x");
	free(why);
	ck_assert_int_eq(error_set(NULL, -ENOENT, "nobody asked"), -ENOENT);
}
END_TEST

START_TEST(set_first_keeps)
{
	char *why = NULL;

	ck_assert_int_eq(error_set_first(&why, -EINVAL, "first"), -EINVAL);
	ck_assert_int_eq(error_set_first(&why, -EIO, "second"), -EIO);
	ck_assert_str_eq(why, "first");
	free(why);
	ck_assert_int_eq(error_set_first(NULL, -ENOENT, "nobody asked"), -ENOENT);
}
END_TEST

/* A reason quotes hostile input (a tar entry's name, a server's text): one clean line. */
START_TEST(control_characters_replaced)
{
	char *why = NULL;

	error_set(&why, -EINVAL, "entry '%s'", "a\nb\033[31m\x7f");
	ck_assert_str_eq(why, "entry 'a?b?[31m?'");
	free(why);
	why = NULL;
	error_set_first(&why, -EINVAL, "tab\there");
	ck_assert_str_eq(why, "tab?here");
	free(why);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("errtext");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, set_replaces);
	tcase_add_test(tc, set_first_keeps);
	tcase_add_test(tc, control_characters_replaced);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)
