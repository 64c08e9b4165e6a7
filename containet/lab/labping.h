/*
 * lab pingall's ICMP echo, by pure code: the request a node's raw socket sends (type 8,
 * an identifier, a sequence number, and 8 bytes of payload: a nonce of the run and the
 * pair's tag), and what that socket reads back (an IPv4 header, then the ICMP message),
 * told apart from everything else the node's ICMP traffic brings.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LABPING_LEN 16 /* the request's ICMP header and payload */

struct labping_reply {
	uint32_t src; /* the replying address, network order */
	uint16_t seq;
	uint32_t tag;
};

/* An echo request into buf, its checksum computed. */
void labping_request(uint8_t buf[LABPING_LEN], uint16_t id, uint16_t seq, uint32_t nonce,
                     uint32_t tag);

/*
 * A packet read from a raw IPv4 ICMP socket: 0 and *ret when it is an echo reply to one of
 * our requests (id and nonce), -ENOMSG when it is well formed but not that, -EINVAL when
 * it is not a whole IPv4 ICMP packet with a right checksum.
 */
int labping_parse(const uint8_t *pkt, size_t len, uint16_t id, uint32_t nonce,
                  struct labping_reply *ret);

/*
 * The pair order: (i, j) for i < j, row by row (node 0 with every other, then node 1 with
 * those above it, ...), so that a node is done with all its pairs early and pingall can
 * remove the neighbour entries it caused there.  From (*i, *j), the next such pair in
 * nn nodes: true, or false past the last.  Start from (0, 0).
 */
bool labping_next_pair(size_t nn, size_t *i, size_t *j);

/*
 * A node's neighbour table, read and trimmed over NETLINK_ROUTE: the messages pingall
 * sends (an RTM_GETNEIGH dump of the IPv4 entries, an RTM_DELNEIGH of one) and the
 * entries read from a dump's replies.
 */
struct labping_neigh {
	int ifindex;
	uint32_t dst;   /* network order */
	uint16_t state; /* NUD_* */
};

#define LABPING_NL_LEN 64 /* room for either request */

/* The dump request into buf: its length. */
size_t labping_neigh_dump(uint8_t buf[LABPING_NL_LEN], uint32_t seq);

/* The request that deletes entry n into buf: its length. */
size_t labping_neigh_del(uint8_t buf[LABPING_NL_LEN], uint32_t seq, const struct labping_neigh *n);

/*
 * One read of a dump's replies (messages of sequence seq; others are passed over): each
 * IPv4 entry with an address to fn, which returns < 0 to stop.  1 when the dump ended in
 * it (NLMSG_DONE), 0 when more is to come, an NLMSG_ERROR's -errno, fn's error, or
 * -EINVAL when the bytes are not netlink messages.
 */
int labping_neigh_read(const uint8_t *buf, size_t len, uint32_t seq,
                       int (*fn)(const struct labping_neigh *n, void *userdata), void *userdata);

/*
 * Whether pingall caused entry n, so removes it: one of the lab's addresses (lab, n_lab),
 * not permanent nor NOARP, and not among the entries the node had before (before).
 */
bool labping_neigh_caused(const struct labping_neigh *n, const struct labping_neigh *before,
                          size_t n_before, const uint32_t *lab, size_t n_lab);
