/*
 * lab pingall's ICMP echo: the request it sends, and the replies it picks out of what a
 * node's raw socket reads (a whole IPv4 packet).
 */
#include "containet/lab/labping.h"

#include "check_main.h"

#include <errno.h>
#include <string.h>

#define ID 0x1234
#define NONCE 0xcafef00du

/* A reply as the kernel of 10.0.0.2 makes it to a request: type 0, the same rest. */
static size_t
reply(uint8_t pkt[64], uint16_t seq, uint32_t tag)
{
	uint8_t req[LABPING_LEN];
	unsigned sum;

	labping_request(req, ID, seq, NONCE, tag);
	memset(pkt, 0, 64);
	pkt[0] = 0x45;
	pkt[3] = 20 + LABPING_LEN;
	pkt[8] = 64;
	pkt[9] = 1; /* ICMP */
	memcpy(pkt + 12, (uint8_t[]){ 10, 0, 0, 2 }, 4);
	memcpy(pkt + 16, (uint8_t[]){ 10, 0, 0, 1 }, 4);
	memcpy(pkt + 20, req, LABPING_LEN);
	pkt[20] = 0;
	/* Type 8 to 0: the checksum goes up by 0x0800 (RFC 1624). */
	sum = (unsigned)(pkt[22] << 8 | pkt[23]) + 0x0800;
	sum = (sum & 0xffff) + (sum >> 16);
	pkt[22] = sum >> 8;
	pkt[23] = sum & 0xff;
	return 20 + LABPING_LEN;
}

START_TEST(request)
{
	uint8_t req[LABPING_LEN];
	unsigned sum = 0;

	labping_request(req, ID, 3, NONCE, 77);
	ck_assert_uint_eq(req[0], 8);
	ck_assert_uint_eq(req[1], 0);
	ck_assert_uint_eq(req[4] << 8 | req[5], ID);
	ck_assert_uint_eq(req[6] << 8 | req[7], 3);
	ck_assert_uint_eq(req[15], 77);
	for (size_t i = 0; i < LABPING_LEN; i += 2)
		sum += (unsigned)(req[i] << 8 | req[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ck_assert_uint_eq(sum, 0xffff); /* the checksum sums to all ones */
}
END_TEST

START_TEST(reply_read)
{
	uint8_t pkt[64];
	struct labping_reply r;
	size_t len = reply(pkt, 2, 199);

	ck_assert_int_eq(labping_parse(pkt, len, ID, NONCE, &r), 0);
	ck_assert_uint_eq(r.seq, 2);
	ck_assert_uint_eq(r.tag, 199);
	ck_assert_mem_eq(&r.src, ((uint8_t[]){ 10, 0, 0, 2 }), 4);
	/* Trailing bytes past the IP length are not the packet's. */
	ck_assert_int_eq(labping_parse(pkt, len + 8, ID, NONCE, &r), 0);
}
END_TEST

START_TEST(not_ours)
{
	uint8_t pkt[64];
	struct labping_reply r;
	size_t len = reply(pkt, 0, 1);

	ck_assert_int_eq(labping_parse(pkt, len, ID + 1, NONCE, &r), -ENOMSG);
	ck_assert_int_eq(labping_parse(pkt, len, ID, NONCE ^ 1, &r), -ENOMSG);
	/* Our own request, seen by a raw socket of the node it goes to. */
	labping_request(pkt + 20, ID, 0, NONCE, 1);
	ck_assert_int_eq(labping_parse(pkt, len, ID, NONCE, &r), -ENOMSG);
}
END_TEST

START_TEST(refused)
{
	uint8_t pkt[64];
	struct labping_reply r;
	size_t len = reply(pkt, 0, 1);

	ck_assert_int_eq(labping_parse(pkt, 19, ID, NONCE, &r), -EINVAL);
	ck_assert_int_eq(labping_parse(pkt, len - 1, ID, NONCE, &r), -EINVAL);
	pkt[0] = 0x65; /* IPv6's version */
	ck_assert_int_eq(labping_parse(pkt, len, ID, NONCE, &r), -EINVAL);
	pkt[0] = 0x44; /* a header shorter than 20 bytes */
	ck_assert_int_eq(labping_parse(pkt, len, ID, NONCE, &r), -EINVAL);
	reply(pkt, 0, 1);
	pkt[9] = 17;
	ck_assert_int_eq(labping_parse(pkt, len, ID, NONCE, &r), -EINVAL);
	reply(pkt, 0, 1);
	pkt[35] ^= 1; /* the tag changed: the checksum does not agree */
	ck_assert_int_eq(labping_parse(pkt, len, ID, NONCE, &r), -EINVAL);
}
END_TEST

static Suite *
labping_suite(void)
{
	Suite *s = suite_create("labping");
	TCase *t = tcase_create("core");

	tcase_add_test(t, request);
	tcase_add_test(t, reply_read);
	tcase_add_test(t, not_ours);
	tcase_add_test(t, refused);
	suite_add_tcase(s, t);
	return s;
}

CHECK_MAIN(labping_suite)
