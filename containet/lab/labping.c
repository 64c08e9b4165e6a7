#include "labping.h"

#include "be.h"
#include "../pkt.h" /* the internet checksum */

#include <errno.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <string.h>

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8

void
labping_request(uint8_t buf[LABPING_LEN], uint16_t id, uint16_t seq, uint32_t nonce, uint32_t tag)
{
	memset(buf, 0, LABPING_LEN);
	buf[0] = ICMP_ECHO_REQUEST;
	be_put16(buf + 4, id);
	be_put16(buf + 6, seq);
	be_put32(buf + 8, nonce);
	be_put32(buf + 12, tag);
	be_put16(buf + 2, pkt_csum(buf, LABPING_LEN, 0));
}

int
labping_parse(const uint8_t *pkt, size_t len, uint16_t id, uint32_t nonce,
              struct labping_reply *ret)
{
	size_t ihl, total;
	const uint8_t *icmp;

	if (len < 20 || pkt[0] >> 4 != 4)
		return -EINVAL;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	total = be_get16(pkt + 2);
	/* The kernel hands a raw socket the whole datagram: the lengths must agree. */
	if (ihl < 20 || total < ihl + 8 || total > len || pkt[9] != 1)
		return -EINVAL;
	icmp = pkt + ihl;
	if (pkt_csum(icmp, total - ihl, 0) != 0)
		return -EINVAL;
	if (icmp[0] != ICMP_ECHO_REPLY || icmp[1] != 0 || total - ihl != LABPING_LEN ||
	    be_get16(icmp + 4) != id || be_get32(icmp + 8) != nonce)
		return -ENOMSG;
	memcpy(&ret->src, pkt + 12, 4);
	ret->seq = be_get16(icmp + 6);
	ret->tag = be_get32(icmp + 12);
	return 0;
}

bool
labping_next_pair(size_t nn, size_t *i, size_t *j)
{
	if (*j + 1 < nn) {
		++*j;
	} else {
		++*i;
		*j = *i + 1;
	}
	return *i + 1 < nn && *j < nn;
}

/* A request of type and flags with an ndmsg of ifindex: its header filled in. */
static struct nlmsghdr *
nl_request(uint8_t buf[LABPING_NL_LEN], uint16_t type, uint16_t flags, uint32_t seq, int ifindex)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(void *)buf;
	struct ndmsg *nd = NLMSG_DATA(h);

	memset(buf, 0, LABPING_NL_LEN);
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*nd));
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	h->nlmsg_seq = seq;
	nd->ndm_family = AF_INET;
	nd->ndm_ifindex = ifindex;
	return h;
}

size_t
labping_neigh_dump(uint8_t buf[LABPING_NL_LEN], uint32_t seq)
{
	return nl_request(buf, RTM_GETNEIGH, NLM_F_DUMP, seq, 0)->nlmsg_len;
}

size_t
labping_neigh_del(uint8_t buf[LABPING_NL_LEN], uint32_t seq, const struct labping_neigh *n)
{
	struct nlmsghdr *h = nl_request(buf, RTM_DELNEIGH, 0, seq, n->ifindex);
	struct rtattr *rta = (struct rtattr *)(void *)(buf + NLMSG_ALIGN(h->nlmsg_len));

	rta->rta_type = NDA_DST;
	rta->rta_len = RTA_LENGTH(sizeof(n->dst));
	memcpy(RTA_DATA(rta), &n->dst, sizeof(n->dst));
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return h->nlmsg_len;
}

/* An RTM_NEWNEIGH's entry: 1 and *ret when it is an IPv4 one with an address, else 0. */
static int
neigh_entry(const uint8_t *msg, size_t len, struct labping_neigh *ret)
{
	struct ndmsg nd;
	size_t off = NLMSG_ALIGN(sizeof(nd));
	bool dst = false;

	if (len < sizeof(nd))
		return -EINVAL;
	memcpy(&nd, msg, sizeof(nd));
	if (nd.ndm_family != AF_INET)
		return 0;
	while (off + sizeof(struct rtattr) <= len) {
		struct rtattr rta;

		memcpy(&rta, msg + off, sizeof(rta));
		if (rta.rta_len < sizeof(rta) || rta.rta_len > len - off)
			return -EINVAL;
		if (rta.rta_type == NDA_DST && rta.rta_len == RTA_LENGTH(sizeof(ret->dst))) {
			memcpy(&ret->dst, msg + off + RTA_LENGTH(0), sizeof(ret->dst));
			dst = true;
		}
		off += RTA_ALIGN(rta.rta_len);
	}
	if (!dst)
		return 0;
	ret->ifindex = nd.ndm_ifindex;
	ret->state = nd.ndm_state;
	return 1;
}

int
labping_neigh_read(const uint8_t *buf, size_t len, uint32_t seq,
                   int (*fn)(const struct labping_neigh *n, void *userdata), void *userdata)
{
	size_t off = 0;

	while (off < len) {
		struct nlmsghdr h;
		const uint8_t *body = buf + off + NLMSG_HDRLEN;
		size_t blen;
		int e;

		if (len - off < sizeof(h))
			return -EINVAL;
		memcpy(&h, buf + off, sizeof(h));
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len - off)
			return -EINVAL;
		blen = h.nlmsg_len - NLMSG_HDRLEN;
		off += NLMSG_ALIGN(h.nlmsg_len) < len - off ? NLMSG_ALIGN(h.nlmsg_len) : len - off;
		if (h.nlmsg_seq != seq)
			continue;
		if (h.nlmsg_type == NLMSG_DONE)
			return 1;
		if (h.nlmsg_type == NLMSG_ERROR) {
			int err;

			if (blen < sizeof(err))
				return -EINVAL;
			memcpy(&err, body, sizeof(err));
			return err < 0 && err > -4096 ? err : -EIO;
		}
		if (h.nlmsg_type == RTM_NEWNEIGH) {
			struct labping_neigh n;

			e = neigh_entry(body, blen, &n);
			if (e < 0)
				return e;
			if (e > 0 && (e = fn(&n, userdata)) < 0)
				return e;
		}
	}
	return 0;
}

bool
labping_neigh_caused(const struct labping_neigh *n, const struct labping_neigh *before,
                     size_t n_before, const uint32_t *lab, size_t n_lab)
{
	bool ours = false;

	if (n->state & (NUD_PERMANENT | NUD_NOARP))
		return false;
	for (size_t k = 0; k < n_lab && !ours; k++)
		ours = lab[k] == n->dst;
	for (size_t k = 0; k < n_before && ours; k++)
		ours = !(before[k].ifindex == n->ifindex && before[k].dst == n->dst);
	return ours;
}
