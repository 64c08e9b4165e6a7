/* The cJSON accessors every caller uses (common/json.h). */
#include "json.h"

#include "check_main.h"

#include <errno.h>

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

static int
parse(const char *text, size_t len, int type)
{
	cJSON *root = (cJSON *)0x1;
	int r = json_parse_checked(text, len, type, &root);

	if (r < 0)
		ck_assert_ptr_eq(root, (cJSON *)0x1); /* written only on success */
	else
		cJSON_Delete(root);
	return r;
}

START_TEST(parse_checked_accepts)
{
	cJSON *root = NULL;

	ck_assert_int_eq(json_parse_checked("{\"a\":[1]}", 9, cJSON_Object, &root), 0);
	ck_assert(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "a")));
	cJSON_Delete(root);
	ck_assert_int_eq(parse("[1,2]", 5, cJSON_Array), 0);
	ck_assert_int_eq(parse("\"x\"", 3, cJSON_String), 0);
	ck_assert_int_eq(parse("42", 2, cJSON_Invalid), 0);
	/* len bounds the text: what follows is not read. */
	ck_assert_int_eq(parse("{}garbage", 2, cJSON_Object), 0);
}
END_TEST

START_TEST(parse_checked_refuses)
{
	static const struct {
		const char *text;
		size_t len;
		int type;
		const char *why;
	} t[] = {
		{ "{\"a\":\"b\0c\"}", 11, cJSON_Object, "holds a NUL character" },
		{ "{\"a\":\"b\\u0000c\"}", 16, cJSON_Object, "holds a NUL character" },
		{ "", 0, cJSON_Object, "is not JSON" },
		{ "{\"a\":", 5, cJSON_Object, "is not JSON" },
		{ "{}", 1, cJSON_Object, "is not JSON" },
		{ "[]", 2, cJSON_Object, "is not a JSON object" },
		{ "{}", 2, cJSON_Array, "is not a JSON array" },
		{ "null", 4, cJSON_Object, "is not a JSON object" },
		{ "true", 4, cJSON_Number, "is not a JSON number" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_int_eq(parse(t[i].text, t[i].len, t[i].type), -EINVAL);
		ck_assert_str_eq(json_parse_failure(t[i].text, t[i].len, t[i].type), t[i].why);
	}
	ck_assert_int_eq(parse(NULL, 0, cJSON_Invalid), -EINVAL);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, uint_in_range);
	tcase_add_test(tc, uint_out_of_range_is_default);
	tcase_add_test(tc, parse_checked_accepts);
	tcase_add_test(tc, parse_checked_refuses);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)
