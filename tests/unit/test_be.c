/* Big-endian fields (common/be.h): wire order whatever the host's, at any alignment. */
#include "be.h"

#include "check_main.h"

START_TEST(round_trip_unaligned)
{
	uint8_t b[7] = { 0 };

	be_put16(b + 1, 0x0800);
	ck_assert_int_eq(b[1], 0x08);
	ck_assert_int_eq(b[2], 0x00);
	ck_assert_uint_eq(be_get16(b + 1), 0x0800);
	be_put32(b + 3, 0x63825363u);
	ck_assert_int_eq(b[3], 0x63);
	ck_assert_int_eq(b[6], 0x63);
	ck_assert_int_eq(b[4], 0x82);
	ck_assert_uint_eq(be_get32(b + 3), 0x63825363u);
	be_put32(b + 3, 0xffffffffu);
	ck_assert_uint_eq(be_get32(b + 3), 0xffffffffu);
	ck_assert_uint_eq(be_get16(b + 1), 0x0800);
}
END_TEST

static Suite *
be_suite(void)
{
	Suite *s = suite_create("be");
	TCase *tc = tcase_create("be");

	tcase_add_test(tc, round_trip_unaligned);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(be_suite)
