/*
 * lab pingall's ICMP echo, by pure code: the request a node's raw socket sends (type 8,
 * an identifier, a sequence number, and 8 bytes of payload: a nonce of the run and the
 * pair's tag), and what that socket reads back (an IPv4 header, then the ICMP message),
 * told apart from everything else the node's ICMP traffic brings.
 */
#pragma once

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
