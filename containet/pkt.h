/*
 * The frames the switch's local endpoint reads and writes: ethernet, ARP, IPv4, IPv6,
 * UDP and ICMP headers, parsed from a frame as it came from a tap and built into a buffer
 * with their checksums.  Pure: no I/O, no allocation.  Offsets count from the ethernet
 * header (the caller skips the virtio header).
 */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_ETH_LEN 14
#define PKT_IP4_LEN 20
#define PKT_IP6_LEN 40
#define PKT_UDP_LEN 8
#define PKT_ETH_IP4 0x0800
#define PKT_ETH_ARP 0x0806
#define PKT_ETH_IP6 0x86dd
#define PKT_PROTO_ICMP 1
#define PKT_PROTO_UDP 17
#define PKT_PROTO_ICMP6 58

/* What pkt_parse found.  l4 points into the frame; l4_len is what the IP header says. */
struct pkt {
	uint8_t dst[6], src[6];
	uint16_t type; /* PKT_ETH_*; 0 for anything else (tagged, LLC, ...) */
	/* ARP (request or reply, ethernet/IPv4 only) */
	uint16_t arp_op;
	uint8_t arp_sha[6];
	uint32_t arp_spa, arp_tpa; /* network order */
	/* IPv4 */
	uint32_t ip4_src, ip4_dst; /* network order */
	/* IPv6 */
	struct in6_addr ip6_src, ip6_dst;
	uint8_t hop_limit;
	uint8_t proto; /* PKT_PROTO_* (IPv4 protocol or IPv6 next header) */
	const uint8_t *l4;
	size_t l4_len;
	/* UDP */
	uint16_t sport, dport;
	const uint8_t *payload; /* after the UDP header */
	size_t payload_len;
};

enum pkt_err {
	PKT_OK = 0,
	PKT_SHORT,      /* cut short */
	PKT_BAD_HEADER, /* a length, version or option the endpoint does not take */
	PKT_FRAGMENT,   /* an IPv4 fragment or an IPv6 extension header: not for the endpoint */
	PKT_OTHER,      /* a kind of frame the endpoint never answers */
};

/* Parses an untagged frame of len bytes.  PKT_OK, or why not. */
enum pkt_err pkt_parse(const uint8_t *frame, size_t len, struct pkt *ret);

/* The internet checksum of len bytes, starting from sum (a partial sum, host order). */
uint16_t pkt_csum(const void *data, size_t len, uint32_t sum);
/* The partial sum of an IPv6 pseudo header. */
uint32_t pkt_csum6_pseudo(const struct in6_addr *src, const struct in6_addr *dst, uint32_t len,
                          uint8_t proto);

/* Writes an ethernet header; returns its length. */
size_t pkt_eth(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6], uint16_t type);

/* An ARP reply frame from (mac, ip) to the asker; returns its length (42). */
size_t pkt_arp_reply(uint8_t *buf, const uint8_t mac[6], uint32_t ip, const uint8_t to_mac[6],
                     uint32_t to_ip);

/*
 * Completes a frame whose ethernet header is written and whose UDP payload of plen bytes
 * sits at buf + 14 + 20 + 8: IPv4 and UDP headers with checksums.  Returns the frame's length.
 */
size_t pkt_udp4(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                size_t plen);
/* The same over IPv6: payload at buf + 14 + 40 + 8. */
size_t pkt_udp6(uint8_t *buf, const struct in6_addr *src, const struct in6_addr *dst,
                uint16_t sport, uint16_t dport, size_t plen);
/* An IPv4 header with checksum at buf + 14 for a payload of plen bytes; returns 14 + 20. */
size_t pkt_ip4(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t proto, size_t plen);
/* An IPv6 header at buf + 14; returns 14 + 40. */
size_t pkt_ip6(uint8_t *buf, const struct in6_addr *src, const struct in6_addr *dst, uint8_t proto,
               uint8_t hop_limit, size_t plen);

/* The modified EUI-64 interface identifier of mac in the low 64 bits of ret (RFC 4291). */
void pkt_eui64(const struct in6_addr *prefix, const uint8_t mac[6], struct in6_addr *ret);
