/*
 * A segment's local endpoint: the switch's own station on a segment with addressing.  It
 * answers ARP and ping for the service address, serves DHCPv4 from the segment's range
 * and DNS for the names of the nodes attached to it, and sends IPv6 router
 * advertisements (router lifetime 0: the switch routes nothing) for SLAAC.
 *
 * It sees a frame at ingress when the frame is addressed to its MAC (then the frame goes
 * nowhere else) or to a group (then it is flooded as usual as well).  Its answers are
 * built in local buffers of the pool and leave through the normal egress of the port the
 * question came from.  The wire formats are pure code (pkt, dhcp, dns, icmp6); a
 * malformed frame is counted and dropped, never answered.
 */
#include "switch.h"

#include "dhcp.h"
#include "dns.h"
#include "icmp6.h"
#include "log.h"
#include "netmask.h"
#include "pkt.h"
#include "tap.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000ULL
#define EP_RA_INTERVAL_S 10 /* unsolicited advertisements (RFC 4861 allows 4 to 1800 s) */
#define EP_RA_VALID_S 86400
#define EP_RA_PREFERRED_S 14400
#define EP_RDNSS_S 600
#define EP_DNS_TTL 5 /* nodes come and go: short */

#define EP_WAITS 32 /* DHCP ACKs waiting for their lease to be on disk; more are dropped */

/* A DHCP ACK that goes once the save of its lease ends: to port (of generation gen). */
struct ep_wait {
	uint64_t need; /* the save (lease_need) */
	uint32_t port;
	uint16_t gen;
	uint32_t addr; /* the client's address, network order */
	struct dhcp_msg m;
};

struct endpoint {
	struct ep_wait waits[EP_WAITS];
	uint32_t nwaits;
	uint8_t mac[6];
	uint32_t service;   /* network order, 0: none */
	struct in6_addr ll; /* fe80::/64 with the interface id of mac */
	struct in6_addr v6; /* the segment's prefix with it, when has_v6 */
	uint64_t next_ra;   /* monotonic ns */
	uint64_t drops;     /* malformed or hostile frames addressed to it */
};

static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

int
endpoint_new(struct sw *sw, uint32_t seg)
{
	struct segment *s = &sw->segs[seg];
	static const struct in6_addr ll_prefix = { .s6_addr = { 0xfe, 0x80 } };
	char id[sizeof(s->name) + 128];
	struct endpoint *ep;

	/* A stretched segment's services run on its owner, another switch. */
	if ((!s->addr.service && !s->addr.has_v6) || s->addr.no_services)
		return 0;
	ep = calloc(1, sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	/* Stable across restarts of this switch; two switches' endpoints differ. */
	snprintf(id, sizeof(id), "containet:%.100s:%s",
	         sw->cfg.socket_path ? sw->cfg.socket_path : "", s->name);
	ident_mac(id, ep->mac);
	ep->service = htonl(s->addr.service);
	pkt_eui64(&ll_prefix, ep->mac, &ep->ll);
	if (s->addr.has_v6)
		pkt_eui64(&s->addr.v6, ep->mac, &ep->v6);
	s->ep = ep;
	return 0;
}

void
endpoint_free(struct sw *sw, uint32_t seg)
{
	free(sw->segs[seg].ep);
	sw->segs[seg].ep = NULL;
}

uint64_t
endpoint_drops(const struct sw *sw, uint32_t seg)
{
	return sw->segs[seg].ep ? sw->segs[seg].ep->drops : 0;
}

/* A local buffer for an answer: its frame starts after the virtio header.  NULL: none. */
static uint8_t *
ep_buffer(struct sw *sw, uint16_t *ret_bid)
{
	uint8_t *b;

	if (pool_local_get(sw, ret_bid) < 0)
		return NULL;
	b = pool_data(sw, *ret_bid);
	memset(b, 0, TAP_VNET_HDR_LEN);
	return b + TAP_VNET_HDR_LEN;
}

static void
ep_send(struct sw *sw, uint32_t out, uint16_t bid, size_t len)
{
	/* Untagged on that port: its access VLAN, a trunk's native one, or none. */
	struct frame f = { .bid = bid,
		           .len = (uint32_t)(len + TAP_VNET_HDR_LEN),
		           .data = pool_data(sw, bid),
		           .vid = sw->ports[out].vlan.pvid };

	port_send(sw, out, &f);
	pool_put(sw, bid);
}

static void
ep_arp(struct sw *sw, struct endpoint *ep, uint32_t in, const struct pkt *pk)
{
	uint16_t bid;
	uint8_t *b;

	if (pk->arp_op != 1 || !ep->service || pk->arp_tpa != ep->service)
		return;
	b = ep_buffer(sw, &bid);
	if (b)
		ep_send(sw, in, bid,
		        pkt_arp_reply(b, ep->mac, ep->service, pk->arp_sha, pk->arp_spa));
}

static void
ep_echo4(struct sw *sw, struct endpoint *ep, uint32_t in, const struct pkt *pk)
{
	uint16_t bid;
	uint8_t *b;

	if (icmp4_echo_parse(pk) != ICMP_OK) {
		ep->drops++;
		return;
	}
	b = ep_buffer(sw, &bid);
	if (b)
		ep_send(sw, in, bid, icmp4_echo_reply(b, pk, ep->mac, ep->service));
}

/* --- DHCP --- */

static void
ep_dhcp_reply(struct sw *sw, struct endpoint *ep, uint32_t in, const struct dhcp_msg *m,
              const struct dhcp_offer *of)
{
	uint32_t dst_ip = INADDR_BROADCAST;
	const uint8_t *dst_mac = bcast_mac;
	uint16_t bid;
	uint8_t *b;
	size_t n;

	/* RFC 2131 4.1: to ciaddr when the client has one, else broadcast if it asks, else to
	 * the address offered at its hardware address. */
	if (of->type != DHCP_NAK && m->ciaddr) {
		dst_ip = m->ciaddr;
		dst_mac = m->chaddr;
	} else if (of->type != DHCP_NAK && !(ntohs(m->flags) & 0x8000) && of->yiaddr) {
		dst_ip = of->yiaddr;
		dst_mac = m->chaddr;
	}
	b = ep_buffer(sw, &bid);
	if (!b)
		return;
	pkt_eth(b, dst_mac, ep->mac, PKT_ETH_IP4);
	n = dhcp_build(b + PKT_ETH_LEN + PKT_IP4_LEN + PKT_UDP_LEN, m, of);
	ep_send(sw, in, bid,
	        pkt_udp4(b, ep->service, dst_ip, DHCP_SERVER_PORT, DHCP_CLIENT_PORT, n));
}

static void
ep_dhcp_options(const struct segment *s, struct dhcp_offer *of)
{
	of->server = htonl(s->addr.service);
	of->netmask = htonl(netmask_v4(s->addr.len));
	of->broadcast = htonl(s->addr.net | ~netmask_v4(s->addr.len));
	of->router = s->addr.gateway ? htonl(s->addr.gateway) : 0;
	if (s->addr.dns)
		of->dns[of->ndns++] = htonl(s->addr.service);
	of->mtu = s->mtu <= UINT16_MAX ? (uint16_t)s->mtu : 0;
	of->domain = s->addr.domain[0] ? s->addr.domain : NULL;
}

/* The answer to a REQUEST bound to addr (network order): an ACK, a NAK when the lease
 * could not be saved (the client starts over). */
static void
ep_dhcp_ack(struct sw *sw, struct endpoint *ep, uint32_t in, const struct dhcp_msg *m,
            uint32_t addr, bool saved)
{
	const struct segment *s = &sw->segs[sw->ports[in].seg];
	struct dhcp_offer of = {};
	char text[INET_ADDRSTRLEN];

	if (!saved) {
		of.type = DHCP_NAK;
		of.server = htonl(s->addr.service);
		of.message = "address not available";
		ep_dhcp_reply(sw, ep, in, m, &of);
		return;
	}
	ep_dhcp_options(s, &of);
	of.type = DHCP_ACK;
	of.yiaddr = addr;
	of.lease_s = IPAM_DHCP_LEASE_S;
	inet_ntop(AF_INET, &of.yiaddr, text, sizeof(text));
	log_debug("segment %s: DHCP lease %s", s->name, text);
	ep_dhcp_reply(sw, ep, in, m, &of);
}

/* The ACK goes once save need ended.  A client asking again while it waits is one wait. */
static void
ep_dhcp_wait(const struct sw *sw, struct endpoint *ep, uint32_t in, const struct dhcp_msg *m,
             uint32_t addr, uint64_t need)
{
	struct ep_wait *w = NULL;

	for (uint32_t i = 0; i < ep->nwaits && !w; i++)
		if (!memcmp(ep->waits[i].m.chaddr, m->chaddr, 6))
			w = &ep->waits[i];
	if (!w && ep->nwaits == EP_WAITS) {
		ep->drops++; /* the client asks again */
		return;
	}
	if (!w)
		w = &ep->waits[ep->nwaits++];
	*w = (struct ep_wait){
		.need = need, .port = in, .gen = sw->ports[in].gen, .addr = addr, .m = *m
	};
}

void
endpoint_leases_saved(struct sw *sw)
{
	for (uint32_t i = 0; i < SEGMENT_MAX; i++) {
		struct endpoint *ep = sw->segs[i].ep;

		if (!sw->segs[i].name[0] || !ep)
			continue;
		for (uint32_t k = 0; k < ep->nwaits;) {
			struct ep_wait w = ep->waits[k];
			const struct port *p = &sw->ports[w.port];
			int r = lease_state(sw, w.need);

			if (r == 0) {
				k++;
				continue;
			}
			ep->waits[k] = ep->waits[--ep->nwaits];
			/* Its port may have gone, or gone to another segment, meanwhile. */
			if (p->fd >= 0 && !p->closing && p->gen == w.gen && p->seg == i)
				ep_dhcp_ack(sw, ep, w.port, &w.m, w.addr, r > 0);
		}
	}
}

static void
ep_dhcp(struct sw *sw, struct endpoint *ep, uint32_t in, const struct pkt *pk)
{
	struct segment *s = &sw->segs[sw->ports[in].seg];
	struct dhcp_offer of = {};
	uint64_t now = lease_clock(), need;
	struct dhcp_msg m;
	enum dhcp_err e;
	uint32_t addr, want;
	int r;

	e = dhcp_parse(pk->payload, pk->payload_len, &m);
	if (e != DHCP_OK) {
		ep->drops++;
		log_debug("segment %s: DHCP message dropped: %s", s->name, dhcp_err_name(e));
		return;
	}
	if (!s->addr.dhcp_first)
		return;
	if (m.server_id && m.server_id != ep->service)
		return; /* for another server, or the client chose another one's offer */
	ep_dhcp_options(s, &of);
	switch (m.type) {
	case DHCP_DISCOVER:
		/* An offer is tentative: nothing is bound, nothing saved. */
		r = ipam_dhcp_offer(&sw->ipam, s->name, &s->addr, m.chaddr, ntohl(m.requested), now,
		                    &addr);
		if (r < 0) {
			log_warn_errno(r, "segment %s: no address to offer", s->name);
			return;
		}
		of.type = DHCP_OFFER;
		of.yiaddr = htonl(addr);
		of.lease_s = IPAM_DHCP_LEASE_S;
		break;
	case DHCP_REQUEST:
		want = ntohl(m.requested ? m.requested : m.ciaddr);
		r = ipam_dhcp_bind(&sw->ipam, s->name, &s->addr, m.chaddr, want, m.hostname, now,
		                   IPAM_DHCP_LEASE_S);
		if (r < 0) {
			/* A client in INIT-REBOOT asking for another network's address, or one
			 * that is taken: it must start over. */
			memset(&of, 0, sizeof(of));
			of.type = DHCP_NAK;
			of.server = htonl(s->addr.service);
			of.message = r == -EADDRINUSE ? "address in use" : "address not available";
			break;
		}
		/* A new binding is on disk before the client hears of it (the ACK waits for
		 * the save on the ring); a renewal, which only moves the end, goes with the
		 * next tick. */
		need = lease_need(sw);
		r = lease_state(sw, need);
		if (r == 0)
			ep_dhcp_wait(sw, ep, in, &m, htonl(want), need);
		else
			ep_dhcp_ack(sw, ep, in, &m, htonl(want), r > 0);
		return;
	case DHCP_INFORM:
		of.type = DHCP_ACK;
		break;
	case DHCP_RELEASE:
		ipam_dhcp_release(&sw->ipam, s->name, m.chaddr, ntohl(m.ciaddr));
		return; /* saved by the next tick */
	case DHCP_DECLINE:
		ipam_dhcp_decline(&sw->ipam, s->name, &s->addr, m.chaddr, ntohl(m.requested), now);
		return; /* saved by the next tick */
	default:
		return;
	}
	ep_dhcp_reply(sw, ep, in, &m, &of);
}

/* --- DNS --- */

static bool
ep_name_is(const char *q, const char *name)
{
	return name[0] && !strcasecmp(q, name);
}

/* The answers of type qtype for the node called name on segment seg; false when no node
 * has that name. */
static bool
ep_dns_lookup(struct sw *sw, uint32_t seg, const char *name, uint16_t qtype, struct dns_answer *a,
              size_t *ret_n)
{
	const struct segment *s = &sw->segs[seg];
	uint64_t now = lease_clock();
	bool known = false;
	size_t n = 0;

	for (uint32_t i = 0; i < s->nmembers; i++) {
		const struct port *p = &sw->ports[s->members[i]];

		if (!ep_name_is(name, p->hostname) && !ep_name_is(name, p->node))
			continue;
		known = true;
		if (qtype == DNS_TYPE_A && p->ipv4 && n < DNS_ANSWERS_MAX) {
			uint32_t v = htonl(p->ipv4);

			a[n].type = DNS_TYPE_A;
			memcpy(a[n++].addr, &v, 4);
		}
		if (qtype == DNS_TYPE_AAAA && s->addr.has_v6 && p->has_mac && n < DNS_ANSWERS_MAX) {
			struct in6_addr v6;

			pkt_eui64(&s->addr.v6, p->mac, &v6);
			a[n].type = DNS_TYPE_AAAA;
			memcpy(a[n++].addr, &v6, 16);
		}
	}
	for (uint32_t i = 0; i < sw->ipam.n; i++) {
		const struct ipam_lease *l = &sw->ipam.v[i];

		if (l->kind != IPAM_DHCP || l->time <= now || strcmp(l->segment, s->name) ||
		    !ep_name_is(name, l->node))
			continue;
		known = true;
		if (qtype == DNS_TYPE_A && n < DNS_ANSWERS_MAX) {
			uint32_t v = htonl(l->addr);

			a[n].type = DNS_TYPE_A;
			memcpy(a[n++].addr, &v, 4);
		}
	}
	*ret_n = n;
	return known;
}

/* The answer to a DNS query in pk's UDP payload, written at b's UDP payload; its length. */
static size_t
ep_dns_answer(struct sw *sw, struct endpoint *ep, uint32_t in, const struct pkt *pk,
              uint8_t *payload)
{
	const struct segment *s = &sw->segs[sw->ports[in].seg];
	struct dns_answer a[DNS_ANSWERS_MAX];
	char name[DNS_NAME_MAX];
	struct dns_query q;
	enum dns_err e;
	size_t n = 0;
	uint8_t rcode;

	e = dns_parse(pk->payload, pk->payload_len, &q);
	switch (e) {
	case DNS_OK:
		break;
	case DNS_FORMERR:
		return dns_build(payload, &q, DNS_RCODE_FORMERR, NULL, 0, 0);
	case DNS_NOTIMP:
		return dns_build(payload, &q, DNS_RCODE_NOTIMP, NULL, 0, 0);
	default:
		ep->drops++;
		return 0;
	}
	if (q.qclass != DNS_CLASS_IN)
		return dns_build(payload, &q, DNS_RCODE_REFUSED, NULL, 0, 0);
	switch (dns_scope(q.name, s->addr.domain, name)) {
	case DNS_SCOPE_APEX:
		rcode = DNS_RCODE_NOERROR;
		break;
	case DNS_SCOPE_LABEL:
	case DNS_SCOPE_DOMAIN:
		/* A node name, or a name under the segment's domain: this server knows them all. */
		rcode = ep_dns_lookup(sw, sw->ports[in].seg, name, q.qtype, a, &n)
		                ? DNS_RCODE_NOERROR
		                : DNS_RCODE_NXDOMAIN;
		break;
	default:
		/* A node's name may hold dots; anything else is the wider world's, which this
		 * server does not recurse into. */
		rcode = name[0] && ep_dns_lookup(sw, sw->ports[in].seg, name, q.qtype, a, &n)
		                ? DNS_RCODE_NOERROR
		                : DNS_RCODE_REFUSED;
		break;
	}
	return dns_build(payload, &q, rcode, a, n, EP_DNS_TTL);
}

static void
ep_dns4(struct sw *sw, struct endpoint *ep, uint32_t in, const struct pkt *pk)
{
	uint16_t bid;
	uint8_t *b = ep_buffer(sw, &bid);
	size_t n;

	if (!b)
		return;
	n = ep_dns_answer(sw, ep, in, pk, b + PKT_ETH_LEN + PKT_IP4_LEN + PKT_UDP_LEN);
	if (!n) {
		pool_put(sw, bid);
		return;
	}
	pkt_eth(b, pk->src, ep->mac, PKT_ETH_IP4);
	ep_send(sw, in, bid, pkt_udp4(b, ep->service, pk->ip4_src, DNS_PORT, pk->sport, n));
}

static void
ep_dns6(struct sw *sw, struct endpoint *ep, uint32_t in, const struct pkt *pk)
{
	uint16_t bid;
	uint8_t *b = ep_buffer(sw, &bid);
	size_t n;

	if (!b)
		return;
	n = ep_dns_answer(sw, ep, in, pk, b + PKT_ETH_LEN + PKT_IP6_LEN + PKT_UDP_LEN);
	if (!n) {
		pool_put(sw, bid);
		return;
	}
	pkt_eth(b, pk->src, ep->mac, PKT_ETH_IP6);
	ep_send(sw, in, bid, pkt_udp6(b, &pk->ip6_dst, &pk->ip6_src, DNS_PORT, pk->sport, n));
}

/* --- IPv6 --- */

static void
ep_ra(struct sw *sw, struct endpoint *ep, uint32_t out)
{
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	static const struct in6_addr all_nodes = { .s6_addr = { 0xff, 2, [15] = 1 } };
	const struct segment *s = &sw->segs[sw->ports[out].seg];
	struct icmp6_ra ra = {
		.prefix = s->addr.v6,
		.valid_s = EP_RA_VALID_S,
		.preferred_s = EP_RA_PREFERRED_S,
		.mtu = s->mtu,
		.dns_lifetime_s = EP_RDNSS_S,
	};
	uint16_t bid;
	uint8_t *b;

	if (s->addr.dns)
		ra.dns[ra.ndns++] = ep->v6;
	b = ep_buffer(sw, &bid);
	if (b)
		ep_send(sw, out, bid,
		        icmp6_ra_build(b, ep->mac, &ep->ll, all_nodes_mac, &all_nodes, &ra));
}

static bool
ep_is_mine6(const struct endpoint *ep, const struct in6_addr *a, bool has_v6)
{
	return !memcmp(a, &ep->ll, 16) || (has_v6 && !memcmp(a, &ep->v6, 16));
}

static void
ep_icmp6(struct sw *sw, struct endpoint *ep, uint32_t in, const struct pkt *pk)
{
	const struct segment *s = &sw->segs[sw->ports[in].seg];
	struct icmp6_msg m;
	enum icmp_err e;
	uint16_t bid;
	uint8_t *b;

	e = icmp6_parse(pk, &m);
	if (e == ICMP_OTHER)
		return;
	if (e != ICMP_OK) {
		ep->drops++;
		return;
	}
	switch (m.type) {
	case ICMP6_RS:
		if (s->addr.has_v6)
			ep_ra(sw, ep, in);
		break;
	case ICMP6_NS:
		if (!ep_is_mine6(ep, &m.target, s->addr.has_v6))
			break;
		b = ep_buffer(sw, &bid);
		if (b)
			ep_send(sw, in, bid, icmp6_na_build(b, ep->mac, &m.target, pk, &m));
		break;
	case ICMP6_ECHO_REQUEST:
		if (!ep_is_mine6(ep, &pk->ip6_dst, s->addr.has_v6))
			break;
		b = ep_buffer(sw, &bid);
		if (b)
			ep_send(sw, in, bid, icmp6_echo_reply(b, ep->mac, &pk->ip6_dst, pk, &m));
		break;
	}
}

bool
endpoint_input(struct sw *sw, uint32_t in, const struct frame *f)
{
	const struct segment *s = &sw->segs[sw->ports[in].seg];
	struct endpoint *ep = s->ep;
	const uint8_t *frame = f->data + TAP_VNET_HDR_LEN;
	size_t len = f->len > TAP_VNET_HDR_LEN ? f->len - TAP_VNET_HDR_LEN : 0;
	bool mine, group;
	struct pkt pk;

	if (len < PKT_ETH_LEN)
		return false;
	mine = !memcmp(frame, ep->mac, 6);
	group = frame[0] & 1;
	if (!mine && !group)
		return false;
	if (pkt_parse(frame, len, &pk) != PKT_OK) {
		ep->drops += mine;
		return mine;
	}
	switch (pk.type) {
	case PKT_ETH_ARP:
		ep_arp(sw, ep, in, &pk);
		break;
	case PKT_ETH_IP4:
		if (pk.proto == PKT_PROTO_UDP && pk.dport == DHCP_SERVER_PORT &&
		    (pk.ip4_dst == INADDR_BROADCAST || (mine && pk.ip4_dst == ep->service)))
			ep_dhcp(sw, ep, in, &pk);
		else if (!mine || !ep->service || pk.ip4_dst != ep->service)
			break;
		else if (pk.proto == PKT_PROTO_ICMP)
			ep_echo4(sw, ep, in, &pk);
		else if (pk.proto == PKT_PROTO_UDP && pk.dport == DNS_PORT && s->addr.dns)
			ep_dns4(sw, ep, in, &pk);
		break;
	case PKT_ETH_IP6:
		if (pk.proto == PKT_PROTO_ICMP6)
			ep_icmp6(sw, ep, in, &pk);
		else if (mine && pk.proto == PKT_PROTO_UDP && pk.dport == DNS_PORT && s->addr.dns &&
		         ep_is_mine6(ep, &pk.ip6_dst, s->addr.has_v6))
			ep_dns6(sw, ep, in, &pk);
		break;
	}
	return mine;
}

void
endpoint_port_added(struct sw *sw, uint32_t idx)
{
	const struct segment *s = &sw->segs[sw->ports[idx].seg];

	if (s->ep && s->addr.has_v6)
		ep_ra(sw, s->ep, idx);
}

void
endpoint_tick(struct sw *sw)
{
	for (uint32_t i = 0; i < SEGMENT_MAX; i++) {
		struct segment *s = &sw->segs[i];

		if (!s->name[0] || !s->ep || !s->addr.has_v6 || sw->now < s->ep->next_ra)
			continue;
		s->ep->next_ra = sw->now + EP_RA_INTERVAL_S * NS_PER_S;
		for (uint32_t k = 0; k < s->nmembers; k++)
			ep_ra(sw, s->ep, s->members[k]);
	}
}
