/*
 * ICMP for the switch's local endpoint: IPv4 echo, and the ICMPv6 of neighbour discovery
 * (RFC 4861: router solicitations and advertisements, neighbour solicitations and
 * advertisements) with RDNSS (RFC 8106), and IPv6 echo.  Parsers take what pkt_parse
 * found; builders write whole frames.  Pure: no I/O, no allocation.
 */
#pragma once

#include "pkt.h"

#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define ICMP6_RS 133
#define ICMP6_RA 134
#define ICMP6_NS 135
#define ICMP6_NA 136
#define ICMP6_DNS_MAX 3

enum icmp_err {
	ICMP_OK = 0,
	ICMP_SHORT,
	ICMP_BAD_CSUM,
	ICMP_BAD_ND, /* neighbour discovery not from the link (hop limit), bad code or option */
	ICMP_OTHER,  /* a type the endpoint does not answer */
};

/* An ICMPv6 message the endpoint answers. */
struct icmp6_msg {
	uint8_t type;
	struct in6_addr target; /* NS */
	bool has_lladdr;        /* source link-layer address option (RS, NS) */
	uint8_t lladdr[6];
	const uint8_t *echo; /* echo request: identifier, sequence and data */
	size_t echo_len;
};

/* ICMPv4 echo request in pk (IPv4, protocol ICMP)?  ICMP_OK or why not. */
enum icmp_err icmp4_echo_parse(const struct pkt *pk);
/* The echo reply to pk from (mac, ip), into buf; returns its length (at most pk's + 14). */
size_t icmp4_echo_reply(uint8_t *buf, const struct pkt *pk, const uint8_t mac[6], uint32_t ip);

/* Parses the ICMPv6 message of pk.  ICMP_OK, or why it is dropped. */
enum icmp_err icmp6_parse(const struct pkt *pk, struct icmp6_msg *ret);

/* What a router advertisement carries. */
struct icmp6_ra {
	struct in6_addr prefix; /* a /64 */
	uint32_t valid_s, preferred_s;
	uint32_t mtu; /* 0: no MTU option */
	struct in6_addr dns[ICMP6_DNS_MAX];
	unsigned ndns;
	uint32_t dns_lifetime_s;
};

/*
 * A router advertisement from (mac, link-local src) to dst_mac/dst: router lifetime 0,
 * one prefix with the L and A flags, the source link-layer address, MTU and RDNSS.
 * Returns the frame's length (at most 14 + 40 + 16 + 32 + 8 + 8 + 8 + 16 * 3).
 */
size_t icmp6_ra_build(uint8_t *buf, const uint8_t mac[6], const struct in6_addr *src,
                      const uint8_t dst_mac[6], const struct in6_addr *dst,
                      const struct icmp6_ra *ra);
/* A solicited neighbour advertisement for target from mac, answering pk's NS. */
size_t icmp6_na_build(uint8_t *buf, const uint8_t mac[6], const struct in6_addr *target,
                      const struct pkt *pk, const struct icmp6_msg *ns);
/* The echo reply to pk's request m, from (mac, src). */
size_t icmp6_echo_reply(uint8_t *buf, const uint8_t mac[6], const struct in6_addr *src,
                        const struct pkt *pk, const struct icmp6_msg *m);

/* ff02::1:ffXX:XXXX, the solicited-node multicast group of addr, and its MAC. */
void icmp6_solicited_node(const struct in6_addr *addr, struct in6_addr *ret, uint8_t ret_mac[6]);
