#include "icmp6.h"

#include "be.h"

#include <string.h>

enum icmp_err
icmp4_echo_parse(const struct pkt *pk)
{
	if (pk->type != PKT_ETH_IP4 || pk->proto != PKT_PROTO_ICMP)
		return ICMP_OTHER;
	if (pk->l4_len < 8)
		return ICMP_SHORT;
	if (pk->l4[0] != 8 || pk->l4[1] != 0)
		return ICMP_OTHER;
	if (pkt_csum(pk->l4, pk->l4_len, 0) != 0)
		return ICMP_BAD_CSUM;
	return ICMP_OK;
}

size_t
icmp4_echo_reply(uint8_t *buf, const struct pkt *pk, const uint8_t mac[6], uint32_t ip)
{
	size_t at = pkt_eth(buf, pk->src, mac, PKT_ETH_IP4);
	uint8_t *ic;

	at = pkt_ip4(buf, ip, pk->ip4_src, PKT_PROTO_ICMP, pk->l4_len);
	ic = buf + at;
	memcpy(ic, pk->l4, pk->l4_len);
	ic[0] = 0;
	be_put16(ic + 2, 0);
	be_put16(ic + 2, pkt_csum(ic, pk->l4_len, 0));
	return at + pk->l4_len;
}

/* The source link-layer address option of an RS or NS; false if an option is malformed. */
static bool
icmp6_options(const uint8_t *o, size_t len, struct icmp6_msg *m)
{
	while (len > 0) {
		size_t olen;

		if (len < 2)
			return false;
		olen = (size_t)o[1] * 8;
		if (olen == 0 || olen > len)
			return false;
		if (o[0] == 1 && olen == 8) {
			memcpy(m->lladdr, o + 2, 6);
			m->has_lladdr = true;
		}
		o += olen;
		len -= olen;
	}
	return true;
}

static bool
in6_unspecified(const struct in6_addr *a)
{
	static const struct in6_addr zero;

	return !memcmp(a, &zero, sizeof(zero));
}

enum icmp_err
icmp6_parse(const struct pkt *pk, struct icmp6_msg *ret)
{
	const uint8_t *ic = pk->l4;
	size_t len = pk->l4_len;

	memset(ret, 0, sizeof(*ret));
	if (pk->type != PKT_ETH_IP6 || pk->proto != PKT_PROTO_ICMP6)
		return ICMP_OTHER;
	if (len < 8)
		return ICMP_SHORT;
	if (ic[0] != ICMP6_RS && ic[0] != ICMP6_NS && ic[0] != ICMP6_ECHO_REQUEST)
		return ICMP_OTHER;
	if (pkt_csum(ic, len,
	             pkt_csum6_pseudo(&pk->ip6_src, &pk->ip6_dst, (uint32_t)len, PKT_PROTO_ICMP6)))
		return ICMP_BAD_CSUM;
	ret->type = ic[0];
	switch (ic[0]) {
	case ICMP6_ECHO_REQUEST:
		if (ic[1] != 0)
			return ICMP_OTHER;
		ret->echo = ic + 4;
		ret->echo_len = len - 4;
		return ICMP_OK;
	case ICMP6_RS:
		/* RFC 4861 6.1.1: hop limit 255 (from the link itself), code 0. */
		if (pk->hop_limit != 255 || ic[1] != 0 || !icmp6_options(ic + 8, len - 8, ret))
			return ICMP_BAD_ND;
		/* An unspecified source must not carry a link-layer address. */
		if (in6_unspecified(&pk->ip6_src) && ret->has_lladdr)
			return ICMP_BAD_ND;
		return ICMP_OK;
	default: /* NS, RFC 4861 7.1.1 */
		if (len < 24)
			return ICMP_SHORT;
		memcpy(&ret->target, ic + 8, 16);
		if (pk->hop_limit != 255 || ic[1] != 0 || ret->target.s6_addr[0] == 0xff ||
		    !icmp6_options(ic + 24, len - 24, ret))
			return ICMP_BAD_ND;
		if (in6_unspecified(&pk->ip6_src) && ret->has_lladdr)
			return ICMP_BAD_ND;
		return ICMP_OK;
	}
}

/* Finishes an ICMPv6 message of len bytes at buf + 54: IPv6 header and checksum. */
static size_t
icmp6_finish(uint8_t *buf, const struct in6_addr *src, const struct in6_addr *dst, size_t len)
{
	uint8_t *ic = buf + PKT_ETH_LEN + PKT_IP6_LEN;

	pkt_ip6(buf, src, dst, PKT_PROTO_ICMP6, 255, len);
	be_put16(ic + 2, 0);
	be_put16(ic + 2,
	         pkt_csum(ic, len, pkt_csum6_pseudo(src, dst, (uint32_t)len, PKT_PROTO_ICMP6)));
	return PKT_ETH_LEN + PKT_IP6_LEN + len;
}

size_t
icmp6_ra_build(uint8_t *buf, const uint8_t mac[6], const struct in6_addr *src,
               const uint8_t dst_mac[6], const struct in6_addr *dst, const struct icmp6_ra *ra)
{
	uint8_t *ic = buf + PKT_ETH_LEN + PKT_IP6_LEN, *o;
	unsigned ndns = ra->ndns < ICMP6_DNS_MAX ? ra->ndns : ICMP6_DNS_MAX;

	pkt_eth(buf, dst_mac, mac, PKT_ETH_IP6);
	memset(ic, 0, 16);
	ic[0] = ICMP6_RA;
	ic[4] = 64;          /* cur hop limit */
	ic[5] = 0;           /* neither M nor O: addresses by SLAAC */
	be_put16(ic + 6, 0); /* router lifetime 0: not a default router */
	o = ic + 16;
	/* Prefix information: on-link (L) and autonomous (A). */
	o[0] = 3;
	o[1] = 4;
	o[2] = 64;
	o[3] = 0xc0;
	be_put32(o + 4, ra->valid_s);
	be_put32(o + 8, ra->preferred_s);
	be_put32(o + 12, 0);
	memcpy(o + 16, &ra->prefix, 16);
	o += 32;
	o[0] = 1;
	o[1] = 1;
	memcpy(o + 2, mac, 6);
	o += 8;
	if (ra->mtu) {
		o[0] = 5;
		o[1] = 1;
		be_put16(o + 2, 0);
		be_put32(o + 4, ra->mtu);
		o += 8;
	}
	if (ndns) {
		o[0] = 25;
		o[1] = (uint8_t)(1 + 2 * ndns);
		be_put16(o + 2, 0);
		be_put32(o + 4, ra->dns_lifetime_s);
		memcpy(o + 8, ra->dns, 16 * ndns);
		o += 8 + 16 * ndns;
	}
	return icmp6_finish(buf, src, dst, o - ic);
}

size_t
icmp6_na_build(uint8_t *buf, const uint8_t mac[6], const struct in6_addr *target,
               const struct pkt *pk, const struct icmp6_msg *ns)
{
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	struct in6_addr all_nodes = { .s6_addr = { 0xff, 2, [15] = 1 } };
	bool dad = in6_unspecified(&pk->ip6_src);
	uint8_t *ic = buf + PKT_ETH_LEN + PKT_IP6_LEN;

	/* To a duplicate address check, the answer goes to all nodes, not solicited. */
	pkt_eth(buf, dad ? all_nodes_mac : ns->has_lladdr ? ns->lladdr : pk->src, mac, PKT_ETH_IP6);
	memset(ic, 0, 8);
	ic[0] = ICMP6_NA;
	ic[4] = dad ? 0x20 : 0x60; /* solicited unless DAD; override */
	memcpy(ic + 8, target, 16);
	ic[24] = 2; /* target link-layer address */
	ic[25] = 1;
	memcpy(ic + 26, mac, 6);
	return icmp6_finish(buf, target, dad ? &all_nodes : &pk->ip6_src, 32);
}

size_t
icmp6_echo_reply(uint8_t *buf, const uint8_t mac[6], const struct in6_addr *src,
                 const struct pkt *pk, const struct icmp6_msg *m)
{
	uint8_t *ic = buf + PKT_ETH_LEN + PKT_IP6_LEN;

	pkt_eth(buf, pk->src, mac, PKT_ETH_IP6);
	ic[0] = ICMP6_ECHO_REPLY;
	ic[1] = 0;
	memcpy(ic + 4, m->echo, m->echo_len);
	return icmp6_finish(buf, src, &pk->ip6_src, 4 + m->echo_len);
}

void
icmp6_solicited_node(const struct in6_addr *addr, struct in6_addr *ret, uint8_t ret_mac[6])
{
	memset(ret, 0, sizeof(*ret));
	ret->s6_addr[0] = 0xff;
	ret->s6_addr[1] = 0x02;
	ret->s6_addr[11] = 0x01;
	ret->s6_addr[12] = 0xff;
	memcpy(ret->s6_addr + 13, addr->s6_addr + 13, 3);
	ret_mac[0] = 0x33;
	ret_mac[1] = 0x33;
	memcpy(ret_mac + 2, ret->s6_addr + 12, 4);
}
