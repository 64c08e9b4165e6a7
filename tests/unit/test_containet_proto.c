/*
 * The local endpoint's wire formats: frames parsed and built (ARP, IPv4, IPv6, UDP,
 * checksums), DHCP messages, DNS questions and answers, ICMP echo and neighbour discovery.
 */
#include "containet/dhcp.h"
#include "containet/dns.h"
#include "containet/icmp6.h"
#include "containet/pkt.h"

#include "check_main.h"

#include <arpa/inet.h>
#include <string.h>

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0xa };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0xb };
static uint8_t buf[2048], out[2048];

static uint32_t
ip4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static struct in6_addr
ip6(const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	return a;
}

START_TEST(csum_known_values)
{
	/* RFC 1071's example words sum to ddf2; the checksum is its complement. */
	const uint8_t w[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	ck_assert_uint_eq(pkt_csum(w, sizeof(w), 0), (uint16_t)~0xddf2);
	ck_assert_uint_eq(pkt_csum("\x01", 1, 0), (uint16_t)~0x0100);
}
END_TEST

START_TEST(udp4_round_trip)
{
	struct pkt pk;
	size_t n;

	pkt_eth(buf, mac_b, mac_a, PKT_ETH_IP4);
	memcpy(buf + 42, "hello", 5);
	n = pkt_udp4(buf, ip4("10.0.0.1"), ip4("10.0.0.2"), 1000, 53, 5);
	ck_assert_uint_eq(n, 47);
	ck_assert_int_eq(pkt_parse(buf, n, &pk), PKT_OK);
	ck_assert_uint_eq(pk.type, PKT_ETH_IP4);
	ck_assert_uint_eq(pk.proto, PKT_PROTO_UDP);
	ck_assert_uint_eq(pk.ip4_src, ip4("10.0.0.1"));
	ck_assert_uint_eq(pk.sport, 1000);
	ck_assert_uint_eq(pk.dport, 53);
	ck_assert_uint_eq(pk.payload_len, 5);
	ck_assert_mem_eq(pk.payload, "hello", 5);
	/* the UDP checksum with its pseudo header comes out right */
	{
		uint32_t s = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + 13;

		ck_assert_uint_eq(pkt_csum(buf + 34, 13, s), 0);
	}
	/* cut short, a wrong version, a fragment, a bad header checksum */
	ck_assert_int_eq(pkt_parse(buf, 30, &pk), PKT_SHORT);
	ck_assert_int_eq(pkt_parse(buf, 46, &pk), PKT_SHORT);
	buf[14] = 0x46;
	ck_assert_int_eq(pkt_parse(buf, n, &pk), PKT_BAD_HEADER);
	buf[14] = 0x45;
	buf[20] = 0x20; /* more fragments */
	ck_assert_int_eq(pkt_parse(buf, n, &pk), PKT_FRAGMENT);
	buf[20] = 0x40;
	buf[24] ^= 1;
	ck_assert_int_eq(pkt_parse(buf, n, &pk), PKT_BAD_HEADER);
	buf[24] ^= 1;
	/* a UDP length beyond the IP payload */
	buf[39] = 200;
	ck_assert_int_eq(pkt_parse(buf, n, &pk), PKT_BAD_HEADER);
	buf[12] = 0x81;
	buf[13] = 0x00;
	ck_assert_int_eq(pkt_parse(buf, n, &pk), PKT_OTHER);
}
END_TEST

START_TEST(arp_request_and_reply)
{
	struct pkt pk;
	size_t n = pkt_arp_reply(buf, mac_a, ip4("10.0.0.253"), mac_b, ip4("10.0.0.5"));

	ck_assert_uint_eq(n, 42);
	ck_assert_int_eq(pkt_parse(buf, n, &pk), PKT_OK);
	ck_assert_uint_eq(pk.type, PKT_ETH_ARP);
	ck_assert_uint_eq(pk.arp_op, 2);
	ck_assert_mem_eq(pk.arp_sha, mac_a, 6);
	ck_assert_uint_eq(pk.arp_spa, ip4("10.0.0.253"));
	ck_assert_uint_eq(pk.arp_tpa, ip4("10.0.0.5"));
	ck_assert_mem_eq(pk.dst, mac_b, 6);
	ck_assert_int_eq(pkt_parse(buf, 41, &pk), PKT_SHORT);
	buf[19] = 16; /* an IPv6 "ARP" */
	ck_assert_int_eq(pkt_parse(buf, n, &pk), PKT_BAD_HEADER);
}
END_TEST

START_TEST(icmp4_echo)
{
	struct pkt pk, rp;
	uint8_t *ic = buf + 34;
	size_t n;

	pkt_eth(buf, mac_a, mac_b, PKT_ETH_IP4);
	memcpy(ic, "\x08\x00\x00\x00\x12\x34\x00\x01payload!", 16);
	ic[2] = 0;
	ic[3] = 0;
	{
		uint16_t c = pkt_csum(ic, 16, 0);

		ic[2] = c >> 8;
		ic[3] = c & 0xff;
	}
	pkt_ip4(buf, ip4("10.0.0.5"), ip4("10.0.0.253"), PKT_PROTO_ICMP, 16);
	ck_assert_int_eq(pkt_parse(buf, 50, &pk), PKT_OK);
	ck_assert_int_eq(icmp4_echo_parse(&pk), ICMP_OK);
	n = icmp4_echo_reply(out, &pk, mac_a, ip4("10.0.0.253"));
	ck_assert_uint_eq(n, 50);
	ck_assert_int_eq(pkt_parse(out, n, &rp), PKT_OK);
	ck_assert_uint_eq(rp.l4[0], 0);
	ck_assert_uint_eq(pkt_csum(rp.l4, rp.l4_len, 0), 0);
	ck_assert_mem_eq(rp.l4 + 4, "\x12\x34\x00\x01payload!", 12);
	ck_assert_uint_eq(rp.ip4_dst, ip4("10.0.0.5"));
	ck_assert_mem_eq(rp.dst, mac_b, 6);
	ic[10] ^= 0xff; /* the checksum no longer holds */
	ck_assert_int_eq(pkt_parse(buf, 50, &pk), PKT_OK);
	ck_assert_int_eq(icmp4_echo_parse(&pk), ICMP_BAD_CSUM);
}
END_TEST

/* A DHCP client message: fixed part, cookie, then the options given. */
static size_t
dhcp_msg(uint8_t *p, const void *opts, size_t olen)
{
	memset(p, 0, 240);
	p[0] = 1;
	p[1] = 1;
	p[2] = 6;
	memcpy(p + 4, "\xde\xad\xbe\xef", 4);
	memcpy(p + 28, mac_a, 6);
	memcpy(p + 236, "\x63\x82\x53\x63", 4);
	memcpy(p + 240, opts, olen);
	return 240 + olen;
}

START_TEST(dhcp_parse_client_messages)
{
	struct dhcp_msg m;
	size_t n;

	n = dhcp_msg(buf,
	             "\x35\x01\x03\x32\x04\x0a\x00\x00\x07\x36\x04\x0a\x00\x00\xfd"
	             "\x0c\x03web\x3d\x07\x01\x02\x00\x00\x00\x00\x0a\xff",
	             30);
	ck_assert_int_eq(dhcp_parse(buf, n, &m), DHCP_OK);
	ck_assert_uint_eq(m.type, DHCP_REQUEST);
	ck_assert_uint_eq(m.requested, ip4("10.0.0.7"));
	ck_assert_uint_eq(m.server_id, ip4("10.0.0.253"));
	ck_assert_str_eq(m.hostname, "web");
	ck_assert_uint_eq(m.client_id_len, 7);
	ck_assert_mem_eq(m.chaddr, mac_a, 6);
	/* pads, no end option */
	n = dhcp_msg(buf, "\x00\x00\x35\x01\x01", 5);
	ck_assert_int_eq(dhcp_parse(buf, n, &m), DHCP_OK);
	ck_assert_uint_eq(m.type, DHCP_DISCOVER);
	/* what is dropped */
	ck_assert_int_eq(dhcp_parse(buf, 239, &m), DHCP_SHORT);
	n = dhcp_msg(buf, "\x35\x01\x02\xff", 4);
	ck_assert_int_eq(dhcp_parse(buf, n, &m), DHCP_NO_TYPE); /* an OFFER from a "client" */
	n = dhcp_msg(buf, "\xff", 1);
	ck_assert_int_eq(dhcp_parse(buf, n, &m), DHCP_NO_TYPE);
	n = dhcp_msg(buf, "\x35\x05\x01", 3);
	ck_assert_int_eq(dhcp_parse(buf, n, &m), DHCP_BAD_OPTION);
	n = dhcp_msg(buf, "\x35\x02\x01\x01", 4);
	ck_assert_int_eq(dhcp_parse(buf, n, &m), DHCP_BAD_OPTION);
	n = dhcp_msg(buf, "\x32\x03\x0a\x00\x00\x35\x01\x01", 8);
	ck_assert_int_eq(dhcp_parse(buf, n, &m), DHCP_BAD_OPTION);
	n = dhcp_msg(buf, "\x35\x01\x01", 3);
	buf[0] = 2;
	ck_assert_int_eq(dhcp_parse(buf, n, &m), DHCP_NOT_REQUEST);
	buf[0] = 1;
	buf[2] = 16;
	ck_assert_int_eq(dhcp_parse(buf, n, &m), DHCP_BAD_HW);
	buf[2] = 6;
	buf[239] = 0;
	ck_assert_int_eq(dhcp_parse(buf, n, &m), DHCP_BAD_COOKIE);
	/* a host name with control characters is not taken */
	n = dhcp_msg(buf, "\x35\x01\x01\x0c\x03w\x01b", 8);
	ck_assert_int_eq(dhcp_parse(buf, n, &m), DHCP_OK);
	ck_assert_str_eq(m.hostname, "");
	/* options overloaded into the file field */
	n = dhcp_msg(buf, "\x34\x01\x01\xff", 4);
	memcpy(buf + 108, "\x35\x01\x07\xff", 4);
	ck_assert_int_eq(dhcp_parse(buf, n, &m), DHCP_OK);
	ck_assert_uint_eq(m.type, DHCP_RELEASE);
}
END_TEST

/* The value of option code in a reply of n bytes, or NULL. */
static const uint8_t *
dhcp_opt(const uint8_t *p, size_t n, uint8_t code, uint8_t *ret_len)
{
	for (size_t i = 240; i + 1 < n;) {
		if (p[i] == 0) {
			i++;
			continue;
		}
		if (p[i] == 255)
			break;
		if (p[i] == code) {
			*ret_len = p[i + 1];
			return p + i + 2;
		}
		i += 2 + p[i + 1];
	}
	return NULL;
}

START_TEST(dhcp_build_replies)
{
	struct dhcp_msg m;
	struct dhcp_offer of = {
		.type = DHCP_ACK,
		.yiaddr = ip4("10.0.0.7"),
		.server = ip4("10.0.0.253"),
		.netmask = ip4("255.255.255.0"),
		.router = ip4("10.0.0.254"),
		.broadcast = ip4("10.0.0.255"),
		.dns = { ip4("10.0.0.253") },
		.ndns = 1,
		.mtu = 1400,
		.lease_s = 3600,
		.domain = "lab",
	};
	const uint8_t *v;
	uint8_t len;
	size_t n;

	n = dhcp_msg(buf, "\x35\x01\x03\xff", 4);
	ck_assert_int_eq(dhcp_parse(buf, n, &m), DHCP_OK);
	n = dhcp_build(out, &m, &of);
	ck_assert_uint_ge(n, 300);
	ck_assert_uint_le(n, DHCP_REPLY_MAX);
	ck_assert_uint_eq(out[0], 2);
	ck_assert_mem_eq(out + 4, "\xde\xad\xbe\xef", 4);
	ck_assert_mem_eq(out + 16, &of.yiaddr, 4);
	ck_assert_mem_eq(out + 28, mac_a, 6);
	ck_assert_ptr_nonnull(v = dhcp_opt(out, n, 53, &len));
	ck_assert_uint_eq(v[0], DHCP_ACK);
	ck_assert_ptr_nonnull(v = dhcp_opt(out, n, 51, &len));
	ck_assert_mem_eq(v, "\x00\x00\x0e\x10", 4);
	ck_assert_ptr_nonnull(v = dhcp_opt(out, n, 58, &len));
	ck_assert_mem_eq(v, "\x00\x00\x07\x08", 4);
	ck_assert_ptr_nonnull(v = dhcp_opt(out, n, 59, &len));
	ck_assert_mem_eq(v, "\x00\x00\x0c\x4e", 4);
	ck_assert_ptr_nonnull(v = dhcp_opt(out, n, 26, &len));
	ck_assert_mem_eq(v, "\x05\x78", 2);
	ck_assert_ptr_nonnull(v = dhcp_opt(out, n, 15, &len));
	ck_assert_uint_eq(len, 3);
	ck_assert_ptr_nonnull(dhcp_opt(out, n, 1, &len));
	ck_assert_ptr_nonnull(dhcp_opt(out, n, 3, &len));
	ck_assert_ptr_nonnull(dhcp_opt(out, n, 6, &len));
	ck_assert_ptr_nonnull(dhcp_opt(out, n, 28, &len));
	ck_assert_ptr_nonnull(dhcp_opt(out, n, 54, &len));
	/* A NAK says little: no address, no lease, no configuration. */
	of = (struct dhcp_offer){ .type = DHCP_NAK, .server = ip4("10.0.0.253"), .message = "no" };
	n = dhcp_build(out, &m, &of);
	ck_assert_ptr_null(dhcp_opt(out, n, 51, &len));
	ck_assert_ptr_null(dhcp_opt(out, n, 1, &len));
	ck_assert_ptr_nonnull(dhcp_opt(out, n, 56, &len));
	ck_assert_mem_eq(out + 16, "\0\0\0\0", 4);
}
END_TEST

/* A DNS query for name (dotted) of qtype. */
static size_t
dns_query(uint8_t *p, const char *name, uint16_t qtype)
{
	size_t at = 12;

	memcpy(p, "\xab\xcd\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		p[at++] = (uint8_t)l;
		memcpy(p + at, name, l);
		at += l;
		name += l + (dot ? 1 : 0);
	}
	p[at++] = 0;
	p[at++] = qtype >> 8;
	p[at++] = qtype & 0xff;
	p[at++] = 0;
	p[at++] = 1;
	return at;
}

START_TEST(dns_queries_and_answers)
{
	struct dns_answer a[2] = { { .type = DNS_TYPE_A, .addr = { 10, 0, 0, 7 } },
		                   { .type = DNS_TYPE_A, .addr = { 10, 0, 0, 8 } } };
	struct dns_query q;
	size_t n = dns_query(buf, "Web.Lab", DNS_TYPE_A), r;

	ck_assert_int_eq(dns_parse(buf, n, &q), DNS_OK);
	ck_assert_str_eq(q.name, "web.lab");
	ck_assert_uint_eq(q.qtype, DNS_TYPE_A);
	ck_assert_uint_eq(q.id, 0xabcd);
	ck_assert(q.rd);
	r = dns_build(out, &q, DNS_RCODE_NOERROR, a, 2, 5);
	ck_assert_uint_eq(r, n + 2 * 16);
	ck_assert_uint_eq(out[2], 0x85); /* QR AA RD */
	ck_assert_uint_eq(out[3], 0);
	ck_assert_uint_eq(out[7], 2);
	ck_assert_mem_eq(out + 12, buf + 12, n - 12);
	ck_assert_mem_eq(out + n,
	                 "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x05\x00\x04\x0a\x00\x00\x07", 16);
	r = dns_build(out, &q, DNS_RCODE_NXDOMAIN, NULL, 0, 5);
	ck_assert_uint_eq(out[3], 3);
	ck_assert_uint_eq(out[7], 0);
	/* the root, a response, an inverse query, two questions, bad names */
	n = dns_query(buf, "", DNS_TYPE_A);
	ck_assert_int_eq(dns_parse(buf, n, &q), DNS_OK);
	ck_assert_str_eq(q.name, "");
	ck_assert_int_eq(dns_parse(buf, 11, &q), DNS_SHORT);
	buf[2] = 0x81;
	ck_assert_int_eq(dns_parse(buf, n, &q), DNS_NOT_QUERY);
	buf[2] = 0x08;
	ck_assert_int_eq(dns_parse(buf, n, &q), DNS_NOTIMP);
	buf[2] = 0x01;
	buf[5] = 2;
	ck_assert_int_eq(dns_parse(buf, n, &q), DNS_NOTIMP);
	n = dns_query(buf, "web", DNS_TYPE_A);
	buf[12] = 0xc0; /* a pointer in a question */
	ck_assert_int_eq(dns_parse(buf, n, &q), DNS_FORMERR);
	n = dns_query(buf, "web", DNS_TYPE_A);
	ck_assert_int_eq(dns_parse(buf, n - 1, &q), DNS_FORMERR);
	buf[13] = ' ';
	ck_assert_int_eq(dns_parse(buf, n, &q), DNS_FORMERR);
	/* an error answer without a question */
	q = (struct dns_query){ .id = 7 };
	ck_assert_uint_eq(dns_build(out, &q, DNS_RCODE_NOTIMP, NULL, 0, 0), 12);
	ck_assert_uint_eq(out[5], 0);
}
END_TEST

/* An ICMPv6 message (len bytes at buf + 54) wrapped in IPv6 with its checksum. */
static size_t
icmp6_frame(const struct in6_addr *src, const struct in6_addr *dst, const void *msg, size_t len,
            uint8_t hops)
{
	uint8_t *ic = buf + 54;
	uint16_t c;

	pkt_eth(buf, mac_a, mac_b, PKT_ETH_IP6);
	pkt_ip6(buf, src, dst, PKT_PROTO_ICMP6, hops, len);
	memcpy(ic, msg, len);
	ic[2] = ic[3] = 0;
	c = pkt_csum(ic, len, pkt_csum6_pseudo(src, dst, (uint32_t)len, PKT_PROTO_ICMP6));
	ic[2] = c >> 8;
	ic[3] = c & 0xff;
	return 54 + len;
}

START_TEST(dns_names_and_the_domain)
{
	char n[DNS_NAME_MAX];

	ck_assert_int_eq(dns_scope("web", "", n), DNS_SCOPE_LABEL);
	ck_assert_str_eq(n, "web");
	ck_assert_int_eq(dns_scope("web.lab", "", n), DNS_SCOPE_OUTSIDE);
	ck_assert_str_eq(n, "web.lab");
	ck_assert_int_eq(dns_scope("", "lab", n), DNS_SCOPE_OUTSIDE);
	ck_assert_int_eq(dns_scope("web", "lab", n), DNS_SCOPE_LABEL);
	ck_assert_int_eq(dns_scope("web.lab", "Lab", n), DNS_SCOPE_DOMAIN);
	ck_assert_str_eq(n, "web");
	ck_assert_int_eq(dns_scope("a.b.lab1.example", "lab1.example", n), DNS_SCOPE_DOMAIN);
	ck_assert_str_eq(n, "a.b");
	ck_assert_int_eq(dns_scope("lab", "lab", n), DNS_SCOPE_APEX);
	ck_assert_int_eq(dns_scope(".lab", "lab", n), DNS_SCOPE_OUTSIDE);
	ck_assert_int_eq(dns_scope("weblab", "lab", n), DNS_SCOPE_LABEL);
	ck_assert_int_eq(dns_scope("web.xlab", "lab", n), DNS_SCOPE_OUTSIDE);
	ck_assert_int_eq(dns_scope("example.com", "lab", n), DNS_SCOPE_OUTSIDE);
	ck_assert_str_eq(n, "example.com");
}
END_TEST

START_TEST(nd_solicitations_and_advertisements)
{
	struct in6_addr node = ip6("fe80::1"), all_routers = ip6("ff02::2"),
	                me = ip6("fe80::ff:fe00:a");
	struct in6_addr zero = {}, sn;
	uint8_t rs[16] = { ICMP6_RS, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 0, 0, 0, 0, 0xb };
	uint8_t ns[32] = { ICMP6_NS };
	struct icmp6_msg m;
	struct icmp6_ra ra = { .prefix = ip6("fd00:1::"),
		               .valid_s = 100,
		               .preferred_s = 50,
		               .mtu = 1500,
		               .dns = { ip6("fd00:1::53") },
		               .ndns = 1,
		               .dns_lifetime_s = 60 };
	struct pkt pk, rp;
	uint8_t sn_mac[6];
	size_t n;

	n = icmp6_frame(&node, &all_routers, rs, 16, 255);
	ck_assert_int_eq(pkt_parse(buf, n, &pk), PKT_OK);
	ck_assert_int_eq(icmp6_parse(&pk, &m), ICMP_OK);
	ck_assert_uint_eq(m.type, ICMP6_RS);
	ck_assert(m.has_lladdr);
	/* not from the link itself, an option of length 0, from :: with an address option */
	n = icmp6_frame(&node, &all_routers, rs, 16, 64);
	pkt_parse(buf, n, &pk);
	ck_assert_int_eq(icmp6_parse(&pk, &m), ICMP_BAD_ND);
	rs[9] = 0;
	n = icmp6_frame(&node, &all_routers, rs, 16, 255);
	pkt_parse(buf, n, &pk);
	ck_assert_int_eq(icmp6_parse(&pk, &m), ICMP_BAD_ND);
	rs[9] = 1;
	n = icmp6_frame(&zero, &all_routers, rs, 16, 255);
	pkt_parse(buf, n, &pk);
	ck_assert_int_eq(icmp6_parse(&pk, &m), ICMP_BAD_ND);
	n = icmp6_frame(&node, &all_routers, rs, 16, 255);
	buf[n - 1] ^= 1;
	pkt_parse(buf, n, &pk);
	ck_assert_int_eq(icmp6_parse(&pk, &m), ICMP_BAD_CSUM);

	/* the advertisement: router lifetime 0, prefix with L and A, MTU, RDNSS */
	n = icmp6_ra_build(out, mac_a, &me, (const uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 1 },
	                   &(struct in6_addr){ .s6_addr = { 0xff, 2, [15] = 1 } }, &ra);
	ck_assert_uint_eq(n, 54 + 16 + 32 + 8 + 8 + 24);
	ck_assert_int_eq(pkt_parse(out, n, &rp), PKT_OK);
	ck_assert_uint_eq(rp.hop_limit, 255);
	ck_assert_uint_eq(pkt_csum(rp.l4, rp.l4_len,
	                           pkt_csum6_pseudo(&rp.ip6_src, &rp.ip6_dst, (uint32_t)rp.l4_len,
	                                            PKT_PROTO_ICMP6)),
	                  0);
	ck_assert_uint_eq(rp.l4[0], ICMP6_RA);
	ck_assert_uint_eq(rp.l4[6] | rp.l4[7], 0);
	ck_assert_uint_eq(rp.l4[16], 3);
	ck_assert_uint_eq(rp.l4[18], 64);
	ck_assert_uint_eq(rp.l4[19], 0xc0);
	ck_assert_mem_eq(rp.l4 + 32, &ra.prefix, 16);
	ck_assert_uint_eq(rp.l4[48], 1); /* source link-layer address */
	ck_assert_mem_eq(rp.l4 + 50, mac_a, 6);
	ck_assert_uint_eq(rp.l4[56], 5);
	ck_assert_uint_eq(rp.l4[64], 25);
	ck_assert_uint_eq(rp.l4[65], 3);
	ck_assert_mem_eq(rp.l4 + 72, &ra.dns[0], 16);

	/* a neighbour solicitation for the endpoint's address, and the answer */
	memcpy(ns + 8, &me, 16);
	ns[24] = 1;
	ns[25] = 1;
	memcpy(ns + 26, mac_b, 6);
	icmp6_solicited_node(&me, &sn, sn_mac);
	ck_assert_mem_eq(sn_mac, "\x33\x33\xff\x00\x00\x0a", 6);
	n = icmp6_frame(&node, &sn, ns, 32, 255);
	ck_assert_int_eq(pkt_parse(buf, n, &pk), PKT_OK);
	ck_assert_int_eq(icmp6_parse(&pk, &m), ICMP_OK);
	ck_assert_mem_eq(&m.target, &me, 16);
	n = icmp6_na_build(out, mac_a, &me, &pk, &m);
	ck_assert_int_eq(pkt_parse(out, n, &rp), PKT_OK);
	ck_assert_uint_eq(rp.l4[0], ICMP6_NA);
	ck_assert_uint_eq(rp.l4[4], 0x60);
	ck_assert_mem_eq(rp.dst, mac_b, 6);
	ck_assert_mem_eq(&rp.ip6_dst, &node, 16);
	ck_assert_mem_eq(rp.l4 + 26, mac_a, 6);
	/* a multicast target is refused */
	ns[8] = 0xff;
	n = icmp6_frame(&node, &sn, ns, 32, 255);
	pkt_parse(buf, n, &pk);
	ck_assert_int_eq(icmp6_parse(&pk, &m), ICMP_BAD_ND);
}
END_TEST

START_TEST(icmp6_echo)
{
	struct in6_addr node = ip6("fd00::1"), me = ip6("fd00::2");
	uint8_t req[12] = { ICMP6_ECHO_REQUEST, 0, 0, 0, 0x12, 0x34, 0, 1, 'a', 'b', 'c', 'd' };
	struct icmp6_msg m;
	struct pkt pk, rp;
	size_t n = icmp6_frame(&node, &me, req, sizeof(req), 64);

	ck_assert_int_eq(pkt_parse(buf, n, &pk), PKT_OK);
	ck_assert_int_eq(icmp6_parse(&pk, &m), ICMP_OK);
	n = icmp6_echo_reply(out, mac_a, &me, &pk, &m);
	ck_assert_int_eq(pkt_parse(out, n, &rp), PKT_OK);
	ck_assert_uint_eq(rp.l4[0], ICMP6_ECHO_REPLY);
	ck_assert_mem_eq(rp.l4 + 4, req + 4, 8);
	ck_assert_mem_eq(&rp.ip6_dst, &node, 16);
	/* an extension header: not for the endpoint */
	buf[20] = 0;
	ck_assert_int_eq(pkt_parse(buf, n, &pk), PKT_FRAGMENT);
}
END_TEST

START_TEST(eui64)
{
	struct in6_addr p = ip6("fd00:1::"), r, want = ip6("fd00:1::ff:fe00:a");

	pkt_eui64(&p, mac_a, &r);
	ck_assert_mem_eq(&r, &want, 16);
}
END_TEST

static Suite *
proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *tc = tcase_create("proto");

	tcase_add_test(tc, csum_known_values);
	tcase_add_test(tc, udp4_round_trip);
	tcase_add_test(tc, arp_request_and_reply);
	tcase_add_test(tc, icmp4_echo);
	tcase_add_test(tc, dhcp_parse_client_messages);
	tcase_add_test(tc, dhcp_build_replies);
	tcase_add_test(tc, dns_queries_and_answers);
	tcase_add_test(tc, dns_names_and_the_domain);
	tcase_add_test(tc, nd_solicitations_and_advertisements);
	tcase_add_test(tc, icmp6_echo);
	tcase_add_test(tc, eui64);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(proto_suite)
