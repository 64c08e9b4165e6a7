/* containode's -p values as Docker writes them: parsed, refused with the part named, formatted back. */
#include "containode/portspec.h"

#include "check_main.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

static void
round_trip(const char *in, const char *want)
{
	struct portspec p, q;
	char why[160], buf[PORTSPEC_STRLEN];

	ck_assert_msg(portspec_parse(in, &p, why, sizeof(why)) == 0, "'%s': %s", in, why);
	portspec_format(&p, buf);
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(portspec_parse(buf, &q, why, sizeof(why)), 0);
	ck_assert(memcmp(&p, &q, sizeof(p)) == 0);
}

START_TEST(good)
{
	struct portspec p;
	char why[160];

	round_trip("8080:80", "0.0.0.0:8080:80/tcp");
	round_trip("8080:80/tcp", "0.0.0.0:8080:80/tcp");
	round_trip("53:53/udp", "0.0.0.0:53:53/udp");
	round_trip("127.0.0.1:1:65535", "127.0.0.1:1:65535/tcp");
	round_trip("[::1]:8080:80", "[::1]:8080:80/tcp");
	round_trip("[fd00::5]:53:5353/udp", "[fd00::5]:53:5353/udp");
	ck_assert_int_eq(portspec_parse("10.1.2.3:8080:80/udp", &p, why, sizeof(why)), 0);
	ck_assert_int_eq(p.family, AF_INET);
	ck_assert_uint_eq(ntohl(p.host.v4.s_addr), 0x0a010203);
	ck_assert_uint_eq(p.host_port, 8080);
	ck_assert_uint_eq(p.port, 80);
	ck_assert(p.udp);
}
END_TEST

START_TEST(bad)
{
	static const struct {
		const char *in, *word;
	} cases[] = {
		{ "80", "HOSTPORT:PORT" },
		{ "", "HOSTPORT:PORT" },
		{ ":80", "host port ''" },
		{ "80:", "port ''" },
		{ "x:80", "host port 'x'" },
		{ "80:0", "port '0'" },
		{ "0:80", "host port '0'" },
		{ "80:65536", "port '65536'" },
		{ "80:000080", "port '000080'" },
		{ "80:+80", "port '+80'" },
		{ "80:80/sctp", "protocol 'sctp'" },
		{ "80:80/", "protocol ''" },
		{ "1.2.3:80:80", "host address '1.2.3'" },
		{ "::1:80:80", "IPv6 goes in brackets" },
		{ "[::1:80:80", "host address '[::1'" },
		{ "[::1]:80", "lacks the host port" },
		{ "[1.2.3.4]:80:80", "not an IPv6 address" },
		{ "[]:80:80", "host address '[]'" },
		{ "localhost:80:80", "host address 'localhost'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct portspec p;
		char why[160] = "";

		ck_assert_msg(portspec_parse(cases[i].in, &p, why, sizeof(why)) == -EINVAL,
		              "'%s' accepted", cases[i].in);
		ck_assert_msg(strstr(why, cases[i].word), "'%s': '%s' lacks \"%s\"", cases[i].in,
		              why, cases[i].word);
	}
}
END_TEST

static Suite *
portspec_suite(void)
{
	Suite *s = suite_create("containode_portspec");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, good);
	tcase_add_test(tc, bad);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(portspec_suite)
