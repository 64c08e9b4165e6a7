/*
 * lab pingall's ICMP echo: the request it sends, and the replies it picks out of what a
 * node's raw socket reads (a whole IPv4 packet).
 */
#include "containet/lab/labping.h"

#include "check_main.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

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

START_TEST(pair_order)
{
	size_t i = 0, j = 0, k = 0;
	static const size_t want[][2] = {
		{ 0, 1 }, { 0, 2 }, { 0, 3 }, { 1, 2 }, { 1, 3 }, { 2, 3 }
	};

	/* Row by row: node 0 with every other first, the last row the one pair (2, 3). */
	while (labping_next_pair(4, &i, &j)) {
		ck_assert_uint_lt(k, 6);
		ck_assert_uint_eq(i, want[k][0]);
		ck_assert_uint_eq(j, want[k][1]);
		k++;
	}
	ck_assert_uint_eq(k, 6);
	i = j = 0;
	ck_assert(!labping_next_pair(1, &i, &j));
	i = j = 0;
	ck_assert(!labping_next_pair(0, &i, &j));
	i = j = 0;
	ck_assert(labping_next_pair(2, &i, &j));
	ck_assert(!labping_next_pair(2, &i, &j));
}
END_TEST

START_TEST(neigh_requests)
{
	uint8_t buf[LABPING_NL_LEN];
	struct nlmsghdr *h = (struct nlmsghdr *)(void *)buf;
	struct ndmsg *nd = NLMSG_DATA(h);
	struct labping_neigh n = { .ifindex = 7, .dst = htonl(0x0a000002), .state = NUD_STALE };
	struct rtattr *rta;
	size_t len = labping_neigh_dump(buf, 5);

	ck_assert_uint_eq(len, NLMSG_LENGTH(sizeof(*nd)));
	ck_assert_uint_eq(h->nlmsg_len, len);
	ck_assert_uint_eq(h->nlmsg_type, RTM_GETNEIGH);
	ck_assert_uint_eq(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	ck_assert_uint_eq(h->nlmsg_seq, 5);
	ck_assert_uint_eq(nd->ndm_family, AF_INET);

	len = labping_neigh_del(buf, 6, &n);
	ck_assert_uint_eq(len, NLMSG_LENGTH(sizeof(*nd)) + RTA_LENGTH(4));
	ck_assert_uint_eq(h->nlmsg_len, len);
	ck_assert_uint_eq(h->nlmsg_type, RTM_DELNEIGH);
	ck_assert_uint_eq(h->nlmsg_flags, NLM_F_REQUEST);
	ck_assert_uint_eq(h->nlmsg_seq, 6);
	ck_assert_uint_eq(nd->ndm_family, AF_INET);
	ck_assert_int_eq(nd->ndm_ifindex, 7);
	rta = (struct rtattr *)(void *)(buf + NLMSG_LENGTH(sizeof(*nd)));
	ck_assert_uint_eq(rta->rta_type, NDA_DST);
	ck_assert_uint_eq(rta->rta_len, RTA_LENGTH(4));
	ck_assert_mem_eq(RTA_DATA(rta), ((uint8_t[]){ 10, 0, 0, 2 }), 4);
}
END_TEST

/* A reply message into buf at off: type, seq, an ndmsg of family and ifindex, a dst. */
static size_t
neigh_msg(uint8_t *buf, size_t off, uint16_t type, uint32_t seq, uint8_t family, int ifindex,
          uint16_t state, const uint8_t *dst, size_t dst_len)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(void *)(buf + off);
	struct ndmsg *nd = NLMSG_DATA(h);

	memset(h, 0, NLMSG_SPACE(sizeof(*nd)) + RTA_SPACE(16));
	h->nlmsg_type = type;
	h->nlmsg_seq = seq;
	h->nlmsg_flags = NLM_F_MULTI;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*nd));
	nd->ndm_family = family;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = state;
	if (dst) {
		/* an attribute the reader passes over, then the address */
		struct rtattr *r = (struct rtattr *)(void *)(buf + off + NLMSG_ALIGN(h->nlmsg_len));

		r->rta_type = NDA_PROBES;
		r->rta_len = RTA_LENGTH(4);
		h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_SPACE(4);
		r = (struct rtattr *)(void *)(buf + off + h->nlmsg_len);
		r->rta_type = NDA_DST;
		r->rta_len = RTA_LENGTH(dst_len);
		memcpy(RTA_DATA(r), dst, dst_len);
		h->nlmsg_len += RTA_SPACE(dst_len);
	}
	return off + NLMSG_ALIGN(h->nlmsg_len);
}

static size_t
done_msg(uint8_t *buf, size_t off, uint16_t type, uint32_t seq, int err)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(void *)(buf + off);

	memset(h, 0, NLMSG_SPACE(sizeof(int)));
	h->nlmsg_type = type;
	h->nlmsg_seq = seq;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(int));
	memcpy(NLMSG_DATA(h), &err, sizeof(err));
	return off + NLMSG_SPACE(sizeof(int));
}

struct got {
	struct labping_neigh v[8];
	size_t n, stop_at;
};

static int
collect(const struct labping_neigh *n, void *userdata)
{
	struct got *g = userdata;

	if (g->n == g->stop_at)
		return -ECANCELED;
	g->v[g->n++] = *n;
	return 0;
}

START_TEST(neigh_read)
{
	_Alignas(4) uint8_t buf[1024];
	const uint8_t a[4] = { 10, 0, 0, 2 }, b[4] = { 10, 0, 0, 3 }, six[16] = { 0xfe, 0x80 };
	struct got g = { .stop_at = 8 };
	size_t len = 0;

	len = neigh_msg(buf, len, RTM_NEWNEIGH, 9, AF_INET, 2, NUD_REACHABLE, a, 4);
	len = neigh_msg(buf, len, RTM_NEWNEIGH, 9, AF_INET6, 2, NUD_REACHABLE, six, 16);
	len = neigh_msg(buf, len, RTM_NEWNEIGH, 9, AF_INET, 2, NUD_NOARP, NULL, 0); /* no dst */
	len = neigh_msg(buf, len, RTM_NEWNEIGH, 8, AF_INET, 3, NUD_STALE, b, 4);    /* not ours */
	len = neigh_msg(buf, len, RTM_NEWNEIGH, 9, AF_INET, 3, NUD_PERMANENT, b, 4);
	/* A part of the dump: its entries, more to come. */
	ck_assert_int_eq(labping_neigh_read(buf, len, 9, collect, &g), 0);
	ck_assert_uint_eq(g.n, 2);
	ck_assert_int_eq(g.v[0].ifindex, 2);
	ck_assert_mem_eq(&g.v[0].dst, a, 4);
	ck_assert_uint_eq(g.v[0].state, NUD_REACHABLE);
	ck_assert_int_eq(g.v[1].ifindex, 3);
	ck_assert_mem_eq(&g.v[1].dst, b, 4);
	ck_assert_uint_eq(g.v[1].state, NUD_PERMANENT);
	/* Its end. */
	g.n = 0;
	len = done_msg(buf, len, NLMSG_DONE, 9, 0);
	ck_assert_int_eq(labping_neigh_read(buf, len, 9, collect, &g), 1);
	ck_assert_uint_eq(g.n, 2);
	/* fn stops it. */
	g.n = 0;
	g.stop_at = 1;
	ck_assert_int_eq(labping_neigh_read(buf, len, 9, collect, &g), -ECANCELED);
	/* An error instead. */
	len = done_msg(buf, 0, NLMSG_ERROR, 9, -EPERM);
	ck_assert_int_eq(labping_neigh_read(buf, len, 9, collect, &g), -EPERM);
	ck_assert_int_eq(labping_neigh_read(buf, 0, 9, collect, &g), 0);
}
END_TEST

START_TEST(neigh_refused)
{
	_Alignas(4) uint8_t buf[256];
	const uint8_t a[4] = { 10, 0, 0, 2 };
	struct got g = { .stop_at = 8 };
	struct nlmsghdr *h = (struct nlmsghdr *)(void *)buf;
	size_t len = neigh_msg(buf, 0, RTM_NEWNEIGH, 9, AF_INET, 2, NUD_REACHABLE, a, 4);

	ck_assert_int_eq(labping_neigh_read(buf, len - 1, 9, collect, &g), -EINVAL);
	ck_assert_int_eq(labping_neigh_read(buf, 10, 9, collect, &g), -EINVAL);
	h->nlmsg_len = 8; /* shorter than its header */
	ck_assert_int_eq(labping_neigh_read(buf, len, 9, collect, &g), -EINVAL);
	len = neigh_msg(buf, 0, RTM_NEWNEIGH, 9, AF_INET, 2, NUD_REACHABLE, a, 4);
	buf[len - 8] = 0xff; /* the address attribute runs past its message */
	ck_assert_int_eq(labping_neigh_read(buf, len, 9, collect, &g), -EINVAL);
	len = neigh_msg(buf, 0, RTM_NEWNEIGH, 9, AF_INET, 2, NUD_REACHABLE, a, 4);
	h->nlmsg_len = NLMSG_LENGTH(4); /* less than an ndmsg */
	ck_assert_int_eq(labping_neigh_read(buf, NLMSG_ALIGN(h->nlmsg_len), 9, collect, &g),
	                 -EINVAL);
	len = done_msg(buf, 0, NLMSG_ERROR, 9, 0);
	h->nlmsg_len = NLMSG_HDRLEN + 2; /* an error without its number */
	ck_assert_int_eq(labping_neigh_read(buf, len, 9, collect, &g), -EINVAL);
	ck_assert_uint_eq(g.n, 0);
}
END_TEST

START_TEST(neigh_caused)
{
	const uint32_t lab[] = { htonl(0x0a000001), htonl(0x0a000002), htonl(0x0a000003) };
	const struct labping_neigh before[] = {
		{ .ifindex = 2, .dst = htonl(0x0a000003), .state = NUD_STALE },
	};
	struct labping_neigh n = { .ifindex = 2, .dst = htonl(0x0a000002), .state = NUD_REACHABLE };

	ck_assert(labping_neigh_caused(&n, before, 1, lab, 3));
	n.state = NUD_FAILED;
	ck_assert(labping_neigh_caused(&n, before, 1, lab, 3));
	n.state = NUD_PERMANENT;
	ck_assert(!labping_neigh_caused(&n, before, 1, lab, 3));
	n.state = NUD_NOARP;
	ck_assert(!labping_neigh_caused(&n, before, 1, lab, 3));
	n.state = NUD_STALE;
	n.dst = htonl(0x0a000003); /* there before */
	ck_assert(!labping_neigh_caused(&n, before, 1, lab, 3));
	n.ifindex = 3; /* the same address on another interface was not */
	ck_assert(labping_neigh_caused(&n, before, 1, lab, 3));
	n.dst = htonl(0x0a000009); /* not the lab's */
	ck_assert(!labping_neigh_caused(&n, before, 1, lab, 3));
	ck_assert(!labping_neigh_caused(&n, NULL, 0, lab, 0));
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
	tcase_add_test(t, pair_order);
	tcase_add_test(t, neigh_requests);
	tcase_add_test(t, neigh_read);
	tcase_add_test(t, neigh_refused);
	tcase_add_test(t, neigh_caused);
	suite_add_tcase(s, t);
	return s;
}

CHECK_MAIN(labping_suite)
