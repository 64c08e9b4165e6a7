/* The cJSON accessors every caller uses (common/json.h). */
#include "json.h"

#include "check_main.h"

static uint64_t
uint_of(const char *text)
{
	_cleanup_json_ cJSON *o = cJSON_Parse(text);

	ck_assert_ptr_nonnull(o);
	return json_uint(o, "n", 7);
}

START_TEST(uint_in_range)
{
	ck_assert_uint_eq(uint_of("{\"n\":0}"), 0);
	ck_assert_uint_eq(uint_of("{\"n\":5}"), 5);
	ck_assert_uint_eq(uint_of("{\"n\":9007199254740992}"), 9007199254740992ULL);
}
END_TEST

/* Found by fuzz_ctl: a huge count in a reply was converted with undefined behaviour. */
START_TEST(uint_out_of_range_is_default)
{
	ck_assert_uint_eq(uint_of("{\"n\":1111111111111111111111111111111}"), 7);
	ck_assert_uint_eq(uint_of("{\"n\":18446744073709551616}"), 7);
	ck_assert_uint_eq(uint_of("{\"n\":1e308}"), 7);
	ck_assert_uint_eq(uint_of("{\"n\":-1}"), 7);
	ck_assert_uint_eq(uint_of("{\"n\":\"5\"}"), 7);
	ck_assert_uint_eq(uint_of("{\"m\":5}"), 7);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, uint_in_range);
	tcase_add_test(tc, uint_out_of_range_is_default);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)
