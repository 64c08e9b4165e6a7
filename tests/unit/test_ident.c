/* Identities, MACs, and strict number and address parsing. */
#include "ident.h"
#include "parse.h"

#include "check_main.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

START_TEST(random_identity)
{
	char a[IDENT_RANDOM_LEN + 1], b[IDENT_RANDOM_LEN + 1];

	ck_assert_int_eq(ident_random(a), 0);
	ck_assert_int_eq(ident_random(b), 0);
	ck_assert_uint_eq(strlen(a), 11);
	ck_assert(ident_valid(a));
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(encode_is_base62)
{
	char s[IDENT_RANDOM_LEN + 1];

	ident_encode(0, s);
	ck_assert_str_eq(s, "00000000000");
	ident_encode(61, s);
	ck_assert_str_eq(s, "0000000000z");
	ident_encode(62, s);
	ck_assert_str_eq(s, "00000000010");
	ident_encode(UINT64_MAX, s);
	ck_assert_str_eq(s, "LygHa16AHYF"); /* 2^64-1 in base62 */
}
END_TEST

START_TEST(validity)
{
	char long_id[IDENT_MAX + 2];

	ck_assert(ident_valid("a"));
	ck_assert(ident_valid("node-1.lab_2"));
	ck_assert(!ident_valid(""));
	ck_assert(!ident_valid("-a"));
	ck_assert(!ident_valid(".a"));
	ck_assert(!ident_valid("a/b"));
	ck_assert(!ident_valid("a b"));
	ck_assert(!ident_valid("a\n"));
	memset(long_id, 'x', sizeof(long_id));
	long_id[IDENT_MAX] = '\0';
	ck_assert(ident_valid(long_id));
	long_id[IDENT_MAX] = 'x';
	long_id[IDENT_MAX + 1] = '\0';
	ck_assert(!ident_valid(long_id));
}
END_TEST

START_TEST(mac_from_identity)
{
	uint8_t a[6], b[6], c[6];

	ident_mac("node1", a);
	ident_mac("node1", b);
	ident_mac("node2", c);
	ck_assert_int_eq(memcmp(a, b, 6), 0);
	ck_assert_int_ne(memcmp(a, c, 6), 0);
	/* Locally administered unicast: 02 first. */
	ck_assert_uint_eq(a[0], 0x02);
	ck_assert_uint_eq(c[0], 0x02);
}
END_TEST

START_TEST(mac_text)
{
	uint8_t m[6] = { 0x02, 0xab, 0xcd, 0, 0x10, 0xff }, n[6];
	char s[MAC_STRLEN];

	mac_format(m, s);
	ck_assert_str_eq(s, "02:ab:cd:00:10:ff");
	ck_assert_int_eq(mac_parse(s, n), 0);
	ck_assert_int_eq(memcmp(m, n, 6), 0);
	ck_assert_int_eq(mac_parse("02:ab:cd:00:10", n), -EINVAL);
	ck_assert_int_eq(mac_parse("02:ab:cd:00:10:ff:", n), -EINVAL);
	ck_assert_int_eq(mac_parse("02-ab-cd-00-10-ff", n), -EINVAL);
	ck_assert_int_eq(mac_parse("0g:ab:cd:00:10:ff", n), -EINVAL);
}
END_TEST

START_TEST(numbers)
{
	unsigned long v;

	ck_assert_int_eq(parse_uint("300", 1, 1000, &v), 0);
	ck_assert_uint_eq(v, 300);
	ck_assert_int_eq(parse_uint("0", 0, 1, &v), 0);
	ck_assert_int_eq(parse_uint("", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(parse_uint("-1", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(parse_uint("+1", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(parse_uint(" 1", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(parse_uint("1x", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(parse_uint("11", 0, 10, &v), -ERANGE);
	ck_assert_int_eq(parse_uint("0", 1, 10, &v), -ERANGE);
	ck_assert_int_eq(parse_uint("99999999999999999999999", 0, ~0UL, &v), -ERANGE);
}
END_TEST

static void
check_prefix(const char *s, const char *want_addr, unsigned want_len)
{
	struct in_addr a;
	unsigned len;
	char buf[INET_ADDRSTRLEN];

	ck_assert_msg(parse_ipv4_prefix(s, &a, &len) == 0, "'%s' refused", s);
	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	ck_assert_str_eq(buf, want_addr);
	ck_assert_uint_eq(len, want_len);
}

START_TEST(ipv4_prefixes)
{
	struct in_addr a;
	unsigned len;

	check_prefix("10.0.0.2/24", "10.0.0.2", 24);
	check_prefix("10.0.0.2/0", "10.0.0.2", 0);
	check_prefix("10.0.0.2/32", "10.0.0.2", 32);
	/* Classful defaults, as the original tool did. */
	check_prefix("10.1.2.3", "10.1.2.3", 8);
	check_prefix("172.16.0.1", "172.16.0.1", 16);
	check_prefix("192.168.1.1", "192.168.1.1", 24);
	ck_assert_int_eq(parse_ipv4_prefix("224.0.0.1", &a, &len), -EINVAL);
	ck_assert_int_eq(parse_ipv4_prefix("10.0.0.2/33", &a, &len), -EINVAL);
	ck_assert_int_eq(parse_ipv4_prefix("10.0.0.2/", &a, &len), -EINVAL);
	ck_assert_int_eq(parse_ipv4_prefix("10.0.0.2/-1", &a, &len), -EINVAL);
	ck_assert_int_eq(parse_ipv4_prefix("10.0.0/24", &a, &len), -EINVAL);
	ck_assert_int_eq(parse_ipv4_prefix("10.0.0.256/24", &a, &len), -EINVAL);
	ck_assert_int_eq(parse_ipv4_prefix("/24", &a, &len), -EINVAL);
	ck_assert_int_eq(parse_ipv4_prefix("", &a, &len), -EINVAL);
	ck_assert_int_eq(parse_ipv4_prefix("fe80::1/64", &a, &len), -EINVAL);
	ck_assert_int_eq(parse_ipv4_prefix("10.0.0.1/24x", &a, &len), -EINVAL);
}
END_TEST

static Suite *
ident_suite(void)
{
	Suite *s = suite_create("ident");
	TCase *tc = tcase_create("ident");

	tcase_add_test(tc, random_identity);
	tcase_add_test(tc, encode_is_base62);
	tcase_add_test(tc, validity);
	tcase_add_test(tc, mac_from_identity);
	tcase_add_test(tc, mac_text);
	tcase_add_test(tc, numbers);
	tcase_add_test(tc, ipv4_prefixes);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ident_suite)
