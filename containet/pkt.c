#include "pkt.h"

#include "be.h"

#include <arpa/inet.h>
#include <string.h>

static enum pkt_err
pkt_udp(struct pkt *r)
{
	size_t ulen;

	if (r->proto != PKT_PROTO_UDP)
		return PKT_OK;
	if (r->l4_len < PKT_UDP_LEN)
		return PKT_SHORT;
	ulen = be_get16(r->l4 + 4);
	if (ulen < PKT_UDP_LEN || ulen > r->l4_len)
		return PKT_BAD_HEADER;
	r->sport = be_get16(r->l4);
	r->dport = be_get16(r->l4 + 2);
	r->payload = r->l4 + PKT_UDP_LEN;
	r->payload_len = ulen - PKT_UDP_LEN;
	return PKT_OK;
}

static enum pkt_err
pkt_ip4_parse(const uint8_t *p, size_t len, struct pkt *r)
{
	size_t ihl, total;

	if (len < PKT_IP4_LEN)
		return PKT_SHORT;
	ihl = (size_t)(p[0] & 0xf) * 4;
	total = be_get16(p + 2);
	if (p[0] >> 4 != 4 || ihl < PKT_IP4_LEN || total < ihl)
		return PKT_BAD_HEADER;
	if (total > len)
		return PKT_SHORT;
	/* More fragments, or an offset: reassembly is no job of the endpoint's. */
	if (be_get16(p + 6) & 0x3fff)
		return PKT_FRAGMENT;
	if (pkt_csum(p, ihl, 0) != 0)
		return PKT_BAD_HEADER;
	r->proto = p[9];
	r->hop_limit = p[8];
	memcpy(&r->ip4_src, p + 12, 4);
	memcpy(&r->ip4_dst, p + 16, 4);
	r->l4 = p + ihl;
	r->l4_len = total - ihl;
	return pkt_udp(r);
}

static enum pkt_err
pkt_ip6_parse(const uint8_t *p, size_t len, struct pkt *r)
{
	size_t plen;

	if (len < PKT_IP6_LEN)
		return PKT_SHORT;
	if (p[0] >> 4 != 6)
		return PKT_BAD_HEADER;
	plen = be_get16(p + 4);
	if (plen > len - PKT_IP6_LEN)
		return PKT_SHORT;
	r->proto = p[6];
	r->hop_limit = p[7];
	if (r->proto != PKT_PROTO_UDP && r->proto != PKT_PROTO_ICMP6)
		return PKT_FRAGMENT;
	memcpy(&r->ip6_src, p + 8, 16);
	memcpy(&r->ip6_dst, p + 24, 16);
	r->l4 = p + PKT_IP6_LEN;
	r->l4_len = plen;
	return pkt_udp(r);
}

enum pkt_err
pkt_parse(const uint8_t *f, size_t len, struct pkt *r)
{
	const uint8_t *p = f + PKT_ETH_LEN;

	memset(r, 0, sizeof(*r));
	if (len < PKT_ETH_LEN)
		return PKT_SHORT;
	memcpy(r->dst, f, 6);
	memcpy(r->src, f + 6, 6);
	len -= PKT_ETH_LEN;
	switch (be_get16(f + 12)) {
	case PKT_ETH_ARP:
		r->type = PKT_ETH_ARP;
		if (len < 28)
			return PKT_SHORT;
		/* Ethernet hardware, IPv4 protocol, their lengths. */
		if (be_get16(p) != 1 || be_get16(p + 2) != PKT_ETH_IP4 || p[4] != 6 || p[5] != 4)
			return PKT_BAD_HEADER;
		r->arp_op = be_get16(p + 6);
		memcpy(r->arp_sha, p + 8, 6);
		memcpy(&r->arp_spa, p + 14, 4);
		memcpy(&r->arp_tpa, p + 24, 4);
		return PKT_OK;
	case PKT_ETH_IP4:
		r->type = PKT_ETH_IP4;
		return pkt_ip4_parse(p, len, r);
	case PKT_ETH_IP6:
		r->type = PKT_ETH_IP6;
		return pkt_ip6_parse(p, len, r);
	default:
		return PKT_OTHER;
	}
}

uint16_t
pkt_csum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *b = data;
	uint64_t s = sum;

	for (; len > 1; len -= 2, b += 2)
		s += be_get16(b);
	if (len)
		s += (uint32_t)b[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

uint32_t
pkt_csum6_pseudo(const struct in6_addr *src, const struct in6_addr *dst, uint32_t len,
                 uint8_t proto)
{
	uint32_t s = 0;

	for (int i = 0; i < 16; i += 2)
		s += be_get16(src->s6_addr + i) + be_get16(dst->s6_addr + i);
	s += len >> 16;
	s += len & 0xffff;
	s += proto;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

size_t
pkt_eth(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	be_put16(buf + 12, type);
	return PKT_ETH_LEN;
}

size_t
pkt_arp_reply(uint8_t *buf, const uint8_t mac[6], uint32_t ip, const uint8_t to_mac[6],
              uint32_t to_ip)
{
	uint8_t *p = buf + pkt_eth(buf, to_mac, mac, PKT_ETH_ARP);

	be_put16(p, 1);
	be_put16(p + 2, PKT_ETH_IP4);
	p[4] = 6;
	p[5] = 4;
	be_put16(p + 6, 2);
	memcpy(p + 8, mac, 6);
	memcpy(p + 14, &ip, 4);
	memcpy(p + 18, to_mac, 6);
	memcpy(p + 24, &to_ip, 4);
	return PKT_ETH_LEN + 28;
}

size_t
pkt_ip4(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t proto, size_t plen)
{
	uint8_t *ip = buf + PKT_ETH_LEN;

	ip[0] = 0x45;
	ip[1] = 0;
	be_put16(ip + 2, (uint16_t)(PKT_IP4_LEN + plen));
	be_put16(ip + 4, 0);
	be_put16(ip + 6, 0x4000); /* don't fragment */
	ip[8] = 64;
	ip[9] = proto;
	be_put16(ip + 10, 0);
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	be_put16(ip + 10, pkt_csum(ip, PKT_IP4_LEN, 0));
	return PKT_ETH_LEN + PKT_IP4_LEN;
}

size_t
pkt_ip6(uint8_t *buf, const struct in6_addr *src, const struct in6_addr *dst, uint8_t proto,
        uint8_t hop_limit, size_t plen)
{
	uint8_t *ip = buf + PKT_ETH_LEN;

	memset(ip, 0, 4);
	ip[0] = 0x60;
	be_put16(ip + 4, (uint16_t)plen);
	ip[6] = proto;
	ip[7] = hop_limit;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	return PKT_ETH_LEN + PKT_IP6_LEN;
}

static void
pkt_udp_header(uint8_t *u, uint16_t sport, uint16_t dport, size_t plen)
{
	be_put16(u, sport);
	be_put16(u + 2, dport);
	be_put16(u + 4, (uint16_t)(PKT_UDP_LEN + plen));
	be_put16(u + 6, 0);
}

size_t
pkt_udp4(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, size_t plen)
{
	uint8_t *u = buf + PKT_ETH_LEN + PKT_IP4_LEN;
	size_t ulen = PKT_UDP_LEN + plen;
	uint32_t s;
	uint16_t c;

	pkt_ip4(buf, src, dst, PKT_PROTO_UDP, ulen);
	pkt_udp_header(u, sport, dport, plen);
	s = (ntohl(src) >> 16) + (ntohl(src) & 0xffff) + (ntohl(dst) >> 16) +
	    (ntohl(dst) & 0xffff) + PKT_PROTO_UDP + (uint32_t)ulen;
	c = pkt_csum(u, ulen, s);
	be_put16(u + 6, c ? c : 0xffff);
	return PKT_ETH_LEN + PKT_IP4_LEN + ulen;
}

size_t
pkt_udp6(uint8_t *buf, const struct in6_addr *src, const struct in6_addr *dst, uint16_t sport,
         uint16_t dport, size_t plen)
{
	uint8_t *u = buf + PKT_ETH_LEN + PKT_IP6_LEN;
	size_t ulen = PKT_UDP_LEN + plen;
	uint16_t c;

	pkt_ip6(buf, src, dst, PKT_PROTO_UDP, 64, ulen);
	pkt_udp_header(u, sport, dport, plen);
	c = pkt_csum(u, ulen, pkt_csum6_pseudo(src, dst, (uint32_t)ulen, PKT_PROTO_UDP));
	be_put16(u + 6, c ? c : 0xffff);
	return PKT_ETH_LEN + PKT_IP6_LEN + ulen;
}

void
pkt_eui64(const struct in6_addr *prefix, const uint8_t mac[6], struct in6_addr *ret)
{
	memcpy(ret->s6_addr, prefix->s6_addr, 8);
	ret->s6_addr[8] = mac[0] ^ 0x02;
	ret->s6_addr[9] = mac[1];
	ret->s6_addr[10] = mac[2];
	ret->s6_addr[11] = 0xff;
	ret->s6_addr[12] = 0xfe;
	ret->s6_addr[13] = mac[3];
	ret->s6_addr[14] = mac[4];
	ret->s6_addr[15] = mac[5];
}
