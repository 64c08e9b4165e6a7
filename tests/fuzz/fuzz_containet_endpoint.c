/*
 * The local endpoint's parsers on hostile frames.  Input: an ethernet frame as a node
 * sends it (no virtio header).  Everything pkt_parse accepts goes on to the parser of its
 * kind (ICMP echo, ICMPv6 neighbour discovery, DHCP, DNS), and what those accept is
 * answered with the builders the endpoint uses.  Checks: no parser reads past the frame,
 * every answer fits its buffer and parses back as what it claims to be, with good
 * checksums.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "containet/dhcp.h"
#include "containet/dns.h"
#include "containet/icmp6.h"
#include "containet/pkt.h"

#define OUT_MAX 2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t me[6] = { 0x02, 0, 0, 0, 0, 1 };

static void
check_frame(const uint8_t *out, size_t n, uint16_t type)
{
	struct pkt back;

	assert(n <= OUT_MAX);
	assert(pkt_parse(out, n, &back) == PKT_OK);
	assert(back.type == type);
	if (back.type == PKT_ETH_IP6 && back.proto == PKT_PROTO_ICMP6)
		assert(pkt_csum(back.l4, back.l4_len,
		                pkt_csum6_pseudo(&back.ip6_src, &back.ip6_dst,
		                                 (uint32_t)back.l4_len, PKT_PROTO_ICMP6)) == 0);
}

static void
fuzz_udp(const struct pkt *pk, uint8_t *out)
{
	struct dhcp_msg m;
	struct dns_query q;
	struct dns_answer a = { .type = DNS_TYPE_A, .addr = { 10, 0, 0, 1 } };
	size_t n;

	if (dhcp_parse(pk->payload, pk->payload_len, &m) == DHCP_OK) {
		struct dhcp_offer of = { .type = DHCP_OFFER,
			                 .yiaddr = 0x0100000a,
			                 .server = 1,
			                 .netmask = 0xffffff,
			                 .ndns = 3,
			                 .mtu = 1500,
			                 .lease_s = 3600,
			                 .hostname = m.hostname,
			                 .domain = "lab" };

		assert(m.type >= DHCP_DISCOVER && m.type <= DHCP_INFORM && m.type != DHCP_OFFER);
		assert(strlen(m.hostname) < DHCP_HOSTNAME_MAX);
		n = dhcp_build(out + 42, &m, &of);
		assert(n <= DHCP_REPLY_MAX);
		pkt_eth(out, m.chaddr, me, PKT_ETH_IP4);
		check_frame(out, pkt_udp4(out, 1, 2, 67, 68, n), PKT_ETH_IP4);
	}
	switch (dns_parse(pk->payload, pk->payload_len, &q)) {
	case DNS_OK: {
		char name[DNS_NAME_MAX];
		enum dns_scope sc = dns_scope(q.name, "lab", name);

		assert(strlen(q.name) < DNS_NAME_MAX);
		/* a name under the domain is shorter by it and its dot; others stay whole */
		if (sc == DNS_SCOPE_DOMAIN)
			assert(strlen(name) + 4 == strlen(q.name) && name[0]);
		else
			assert(!strcmp(name, q.name));
		assert(sc != DNS_SCOPE_LABEL || (name[0] && !strchr(name, '.')));
		assert(q.question + q.question_len <= pk->payload + pk->payload_len);
		n = dns_build(out + 42, &q, DNS_RCODE_NOERROR, &a, 1, 5);
		assert(n <= DNS_REPLY_MAX);
		pkt_eth(out, pk->src, me, PKT_ETH_IP4);
		check_frame(out, pkt_udp4(out, 1, 2, 53, pk->sport, n), PKT_ETH_IP4);
		break;
	}
	case DNS_FORMERR:
	case DNS_NOTIMP:
		assert(dns_build(out + 42, &q, DNS_RCODE_FORMERR, NULL, 0, 0) <= DNS_REPLY_MAX);
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *frame = malloc(size ? size : 1), out[OUT_MAX];
	struct icmp6_msg m;
	struct pkt pk;

	/* A copy of exactly size bytes, so ASan sees any read past the end. */
	memcpy(frame, data, size);
	if (pkt_parse(frame, size, &pk) != PKT_OK)
		goto out;
	if (pk.l4)
		assert(pk.l4 + pk.l4_len <= frame + size);
	if (pk.payload)
		assert(pk.payload + pk.payload_len <= frame + size);
	if (pk.type == PKT_ETH_ARP && pk.arp_op == 1)
		check_frame(out, pkt_arp_reply(out, me, 1, pk.arp_sha, pk.arp_spa), PKT_ETH_ARP);
	if (pk.type == PKT_ETH_IP4 && icmp4_echo_parse(&pk) == ICMP_OK && pk.l4_len <= 1400) {
		size_t n = icmp4_echo_reply(out, &pk, me, 1);

		check_frame(out, n, PKT_ETH_IP4);
		assert(pkt_csum(out + 34, n - 34, 0) == 0);
	}
	if (pk.proto == PKT_PROTO_UDP)
		fuzz_udp(&pk, out);
	if (icmp6_parse(&pk, &m) == ICMP_OK) {
		struct in6_addr src = { .s6_addr = { 0xfe, 0x80, [15] = 1 } };
		struct icmp6_ra ra = { .valid_s = 1, .ndns = 3 };

		if (m.type == ICMP6_RS)
			check_frame(out, icmp6_ra_build(out, me, &src, pk.src, &pk.ip6_src, &ra),
			            PKT_ETH_IP6);
		else if (m.type == ICMP6_NS)
			check_frame(out, icmp6_na_build(out, me, &m.target, &pk, &m), PKT_ETH_IP6);
		else if (m.echo_len <= 1400)
			check_frame(out, icmp6_echo_reply(out, me, &src, &pk, &m), PKT_ETH_IP6);
	}
out:
	free(frame);
	return 0;
}
