/* tc's words: durations, rates, percentages and Gilbert-Elliott parameters, both ways. */
#include "tcvalue.h"

#include "check_main.h"

#include <errno.h>
#include <string.h>

START_TEST(durations)
{
	uint64_t ns;

	ck_assert_int_eq(tcvalue_duration("20ms", &ns), 0);
	ck_assert_uint_eq(ns, 20000000);
	ck_assert_int_eq(tcvalue_duration("1.5s", &ns), 0);
	ck_assert_uint_eq(ns, 1500000000);
	ck_assert_int_eq(tcvalue_duration("100us", &ns), 0);
	ck_assert_uint_eq(ns, 100000);
	ck_assert_int_eq(tcvalue_duration("7", &ns), 0); /* bare: microseconds, as tc */
	ck_assert_uint_eq(ns, 7000);
	ck_assert_int_eq(tcvalue_duration("3MSEC", &ns), 0);
	ck_assert_uint_eq(ns, 3000000);
	ck_assert_int_eq(tcvalue_duration("0ms", &ns), 0);
	ck_assert_uint_eq(ns, 0);
	ck_assert_int_eq(tcvalue_duration("ms", &ns), -EINVAL);
	ck_assert_int_eq(tcvalue_duration("-1ms", &ns), -EINVAL);
	ck_assert_int_eq(tcvalue_duration("1.ms", &ns), -EINVAL);
	ck_assert_int_eq(tcvalue_duration("1 ms", &ns), -EINVAL);
	ck_assert_int_eq(tcvalue_duration("5fortnights", &ns), -EINVAL);
	ck_assert_int_eq(tcvalue_duration("", &ns), -EINVAL);
	ck_assert_int_eq(tcvalue_duration("4295s", &ns), -ERANGE);
}
END_TEST

START_TEST(rates)
{
	uint64_t bps;

	ck_assert_int_eq(tcvalue_rate("10mbit", &bps), 0);
	ck_assert_uint_eq(bps, 10000000);
	ck_assert_int_eq(tcvalue_rate("1kbps", &bps), 0);
	ck_assert_uint_eq(bps, 8000);
	ck_assert_int_eq(tcvalue_rate("2Mibit", &bps), 0);
	ck_assert_uint_eq(bps, 2097152);
	ck_assert_int_eq(tcvalue_rate("1.5gbit", &bps), 0);
	ck_assert_uint_eq(bps, 1500000000);
	ck_assert_int_eq(tcvalue_rate("300", &bps), 0);
	ck_assert_uint_eq(bps, 300);
	ck_assert_int_eq(tcvalue_rate("0mbit", &bps), -ERANGE);
	ck_assert_int_eq(tcvalue_rate("2000tbit", &bps), -ERANGE);
	ck_assert_int_eq(tcvalue_rate("10mbits", &bps), -EINVAL);
	ck_assert_int_eq(tcvalue_rate("fast", &bps), -EINVAL);
}
END_TEST

START_TEST(percentages)
{
	double d, ge[4];

	ck_assert_int_eq(tcvalue_percent("0.5%", &d), 0);
	ck_assert(d == 0.5);
	ck_assert_int_eq(tcvalue_percent("100%", &d), 0);
	ck_assert(d == 100);
	ck_assert_int_eq(tcvalue_percent("100.1%", &d), -ERANGE);
	ck_assert_int_eq(tcvalue_percent("150%", &d), -ERANGE);
	ck_assert_int_eq(tcvalue_percent("-1%", &d), -EINVAL);
	ck_assert_int_eq(tcvalue_percent("5", &d), -EINVAL);
	ck_assert_int_eq(tcvalue_percent("5%%", &d), -EINVAL);

	ck_assert_int_eq(tcvalue_loss_ge("1%", ge), 0);
	ck_assert(ge[0] == 1 && ge[1] == 99 && ge[2] == 100 && ge[3] == 0);
	ck_assert_int_eq(tcvalue_loss_ge("1%,25%", ge), 0);
	ck_assert(ge[0] == 1 && ge[1] == 25 && ge[2] == 100 && ge[3] == 0);
	ck_assert_int_eq(tcvalue_loss_ge("1%,25%,50%,0.5%", ge), 0);
	ck_assert(ge[2] == 50 && ge[3] == 0.5);
	ck_assert_int_eq(tcvalue_loss_ge("1%,2%,3%,4%,5%", ge), -EINVAL);
	ck_assert_int_eq(tcvalue_loss_ge("1%,,3%", ge), -EINVAL);
	ck_assert_int_eq(tcvalue_loss_ge("1%,", ge), -EINVAL);
	ck_assert_int_eq(tcvalue_loss_ge(",1%", ge), -EINVAL);
	ck_assert_int_eq(tcvalue_loss_ge("", ge), -EINVAL);
	ck_assert_int_eq(tcvalue_loss_ge("1%,200%", ge), -ERANGE);
}
END_TEST

START_TEST(formats)
{
	char t[TCVALUE_TEXT_MAX], ge[4 * TCVALUE_TEXT_MAX];
	const double g[4] = { 1, 25, 100, 0 };
	uint64_t v;
	double d;

	tcvalue_format_duration(20000000, t);
	ck_assert_str_eq(t, "20ms");
	tcvalue_format_duration(1500000, t);
	ck_assert_str_eq(t, "1.5ms");
	tcvalue_format_duration(250000, t);
	ck_assert_str_eq(t, "250us");
	tcvalue_format_duration(2000000000, t);
	ck_assert_str_eq(t, "2s");
	tcvalue_format_duration(7, t);
	ck_assert_str_eq(t, "7ns");
	tcvalue_format_duration(0, t);
	ck_assert_str_eq(t, "0ns");
	tcvalue_format_rate(10000000, t);
	ck_assert_str_eq(t, "10mbit");
	tcvalue_format_rate(1500000000, t);
	ck_assert_str_eq(t, "1.5gbit");
	tcvalue_format_rate(300, t);
	ck_assert_str_eq(t, "300bit");
	tcvalue_format_percent(0.25, t);
	ck_assert_str_eq(t, "0.25%");
	tcvalue_format_percent(5, t);
	ck_assert_str_eq(t, "5%");
	tcvalue_format_loss_ge(g, ge);
	ck_assert_str_eq(ge, "1%,25%,100%,0%");
	/* What is written reads back. */
	tcvalue_format_duration(TCVALUE_DURATION_MAX_NS, t);
	ck_assert_int_eq(tcvalue_duration(t, &v), 0);
	ck_assert_uint_eq(v, TCVALUE_DURATION_MAX_NS);
	tcvalue_format_rate(TCVALUE_RATE_MAX_BPS, t);
	ck_assert_int_eq(tcvalue_rate(t, &v), 0);
	ck_assert_uint_eq(v, TCVALUE_RATE_MAX_BPS);
	tcvalue_format_percent(100, t);
	ck_assert_int_eq(tcvalue_percent(t, &d), 0);
	ck_assert(d == 100);
}
END_TEST

static Suite *
tcvalue_suite(void)
{
	Suite *s = suite_create("tcvalue");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, durations);
	tcase_add_test(tc, rates);
	tcase_add_test(tc, percentages);
	tcase_add_test(tc, formats);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(tcvalue_suite)
