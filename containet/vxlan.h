/*
 * VXLAN (RFC 7348) as the kernel's vxlan and Open vSwitch speak it: pure, no I/O.  The
 * header, the checks a received datagram passes before its inner frame is forwarded,
 * the outer source port from a hash of the inner flow, the MTU a stretched segment may
 * have, and the remote list of a VXLAN port.
 *
 * Header: flags exactly 08 00 00 00 on send (the I flag, nothing else), then the VNI in
 * 24 bits and a reserved byte.  On receive the I flag must be set and every reserved bit
 * clear; anything else is dropped, never forwarded.
 */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VXLAN_PORT 4789
#define VXLAN_HDR_LEN 8
#define VXLAN_FLAG_I 0x08
#define VXLAN_VNI_MAX 0xffffff
/* The kernel's default range for outer source ports. */
#define VXLAN_SPORT_MIN 32768
#define VXLAN_SPORT_MAX 60999
/* Outer ethernet + IP + UDP + VXLAN: what a segment's MTU gives up to the underlay. */
#define VXLAN_OVERHEAD4 50
#define VXLAN_OVERHEAD6 70
#define VXLAN_INNER_MIN 14 /* an inner ethernet header */
#define VXLAN_REMOTES_MAX 16

enum vxlan_verdict {
	VXLAN_OK,
	VXLAN_DROP_SHORT,     /* shorter than the header and an inner ethernet header */
	VXLAN_DROP_FLAGS,     /* the I flag is not set */
	VXLAN_DROP_RESERVED,  /* a reserved bit is set */
	VXLAN_DROP_INNER_SRC, /* the inner source MAC is multicast or zero */
	VXLAN_DROP_UNKNOWN_VNI,
	VXLAN_DROP_REMOTE,    /* from an address that is not one of the VNI's remotes */
	VXLAN_DROP_LOCAL_SRC, /* the inner source is a station on this switch */
	VXLAN_DROP_OVERSIZE,  /* truncated, or larger than the segment takes */
	VXLAN_VERDICTS,
};

/* An underlay address, IPv4 or IPv6 (IPv4 kept as such, never mapped). */
struct vxlan_addr {
	sa_family_t family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

/* Writes the 8-byte header for vni (<= VXLAN_VNI_MAX). */
void vxlan_encap(uint8_t hdr[VXLAN_HDR_LEN], uint32_t vni);

/*
 * Checks a received UDP payload (VXLAN header, then the inner ethernet frame).  On
 * VXLAN_OK, *ret_vni is the VNI; the inner frame starts at dgram + VXLAN_HDR_LEN.
 */
enum vxlan_verdict vxlan_decap(const uint8_t *dgram, size_t len, uint32_t *ret_vni);

const char *vxlan_verdict_name(enum vxlan_verdict v);

/*
 * The outer UDP source port for an inner frame: a keyed hash of its flow (IP addresses,
 * protocol and ports for TCP and UDP over IPv4 or IPv6, else the MAC addresses and
 * ethertype), in VXLAN_SPORT_MIN..VXLAN_SPORT_MAX, so one flow keeps one path through
 * an ECMP underlay and different flows spread.
 */
uint16_t vxlan_source_port(const uint8_t *frame, size_t len, uint64_t key);

/* The largest MTU of a segment carried over an underlay of underlay_mtu (0 if none). */
uint32_t vxlan_segment_mtu(uint32_t underlay_mtu, bool ipv6);

/* Parses one address, IPv4 or IPv6.  0 or -EINVAL. */
int vxlan_addr_parse(const char *text, struct vxlan_addr *ret);
/* Writes it as inet_ntop does into buf (INET6_ADDRSTRLEN bytes). */
void vxlan_addr_format(const struct vxlan_addr *a, char buf[INET6_ADDRSTRLEN]);
bool vxlan_addr_equal(const struct vxlan_addr *a, const struct vxlan_addr *b);
/* The index of a in list (n entries), or -1. */
int vxlan_addr_find(const struct vxlan_addr *list, unsigned n, const struct vxlan_addr *a);

/*
 * Parses a remote list, "IP[,IP...]": unicast addresses of one family, no duplicates,
 * at most VXLAN_REMOTES_MAX.  Returns the count, or -EINVAL / -E2BIG with a static
 * message in *ret_error; ret is written only on success.
 */
int vxlan_remotes_parse(const char *text, struct vxlan_addr ret[VXLAN_REMOTES_MAX],
                        const char **ret_error);
