#include "ipam.h"

#include "lab/labvalue.h"
#include "netmask.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* auto looks for a free address among this many from the start of the subnet. */
#define IPAM_SCAN_MAX 65536u

static uint32_t
ipam_mask(unsigned len)
{
	return netmask_v4(len);
}

static bool
ipam_in_subnet(const struct ipam_pool *p, uint32_t a)
{
	return p->len && (a & ipam_mask(p->len)) == p->net;
}

/* A host address of the subnet: neither its network nor its broadcast address. */
static bool
ipam_host(const struct ipam_pool *p, uint32_t a)
{
	return ipam_in_subnet(p, a) && a != p->net && a != (p->net | ~ipam_mask(p->len));
}

static bool
ipam_in_dhcp(const struct ipam_pool *p, uint32_t a)
{
	return p->dhcp_first && a >= p->dhcp_first && a <= p->dhcp_last;
}

bool
ipam_pool_has(const struct ipam_pool *p, uint32_t a)
{
	return ipam_host(p, a) && a != p->service && a != p->gateway && !ipam_in_dhcp(p, a);
}

bool
ipam_auto_has(const struct ipam_pool *p, uint32_t a)
{
	return ipam_pool_has(p, a) && a >= p->auto_first && a <= p->auto_last;
}

static bool
ipam_in(uint32_t a, uint32_t first, uint32_t last)
{
	return a && a >= first && a <= last;
}

uint32_t
ipam_pool_size(const struct ipam_pool *p)
{
	uint32_t n;

	if (!p->len)
		return 0;
	n = p->auto_last - p->auto_first + 1;
	n -= ipam_in(p->service, p->auto_first, p->auto_last);
	n -= ipam_in(p->gateway, p->auto_first, p->auto_last);
	if (p->dhcp_first && p->dhcp_first <= p->auto_last && p->dhcp_last >= p->auto_first) {
		uint32_t lo = p->dhcp_first > p->auto_first ? p->dhcp_first : p->auto_first;
		uint32_t hi = p->dhcp_last < p->auto_last ? p->dhcp_last : p->auto_last;

		n -= hi - lo + 1;
	}
	return n;
}

#define FAIL(msg)                                                                                  \
	do {                                                                                       \
		*ret_error = (msg);                                                                \
		return -EINVAL;                                                                    \
	} while (0)

static bool
given(const char *s)
{
	return s && s[0];
}

/* An address of the subnet's hosts, in host order. */
static int
ipam_host_parse(const struct ipam_pool *p, const char *s, uint32_t *ret)
{
	struct in_addr a;

	if (labvalue_ipv4(s, &a) < 0)
		return -EINVAL;
	*ret = ntohl(a.s_addr);
	return ipam_host(p, *ret) ? 0 : -ERANGE;
}

static int
ipam_range_parse(const struct ipam_pool *p, const char *s, uint32_t *ret_first, uint32_t *ret_last)
{
	char first[INET_ADDRSTRLEN];
	const char *dash = strchr(s, '-');

	if (!dash || (size_t)(dash - s) >= sizeof(first))
		return -EINVAL;
	memcpy(first, s, dash - s);
	first[dash - s] = '\0';
	if (ipam_host_parse(p, first, ret_first) < 0 ||
	    ipam_host_parse(p, dash + 1, ret_last) < 0 || *ret_first > *ret_last)
		return -EINVAL;
	return 0;
}

int
ipam_pool_parse(const char *subnet, const char *service, const char *gateway, const char *dhcp,
                const char *ipv6, bool dns, struct ipam_pool *ret, const char **ret_error)
{
	struct ipam_pool p = { .dns = dns };
	struct in_addr net;
	unsigned len;
	int r;

	if (given(subnet)) {
		r = labvalue_prefix(subnet, AF_INET, 8, 30, &net, &len);
		if (r == -ERANGE)
			FAIL("\"subnet\" must have a prefix length from 8 to 30");
		if (r < 0)
			FAIL("\"subnet\" is not an IPv4 network (A.B.C.D/L)");
		if (!labvalue_prefix_is_network(AF_INET, &net, len))
			FAIL("\"subnet\" has host bits set: give its network address");
		p.net = ntohl(net.s_addr);
		p.len = len;
		p.auto_first = p.net + 1;
		p.auto_last = (p.net | ~ipam_mask(len)) - 1;
	} else if (given(service) || given(gateway) || given(dhcp)) {
		FAIL("\"service\", \"gateway\" and \"dhcp\" need \"subnet\"");
	}
	if (given(service) && ipam_host_parse(&p, service, &p.service) < 0)
		FAIL("\"service\" is not a host address of the subnet");
	if (given(gateway) && ipam_host_parse(&p, gateway, &p.gateway) < 0)
		FAIL("\"gateway\" is not a host address of the subnet");
	if (p.service && p.service == p.gateway)
		FAIL("\"service\" and \"gateway\" are the same address: the switch is no router");
	if (given(dhcp)) {
		if (ipam_range_parse(&p, dhcp, &p.dhcp_first, &p.dhcp_last) < 0)
			FAIL("\"dhcp\" is not a range FIRST-LAST of host addresses of the subnet");
		if (!p.service)
			FAIL("\"dhcp\" needs \"service\": the server's address");
		if (ipam_in_dhcp(&p, p.service) || ipam_in_dhcp(&p, p.gateway))
			FAIL("\"dhcp\" range holds the service or the gateway address");
		p.dhcp_lo = p.dhcp_first;
		p.dhcp_hi = p.dhcp_last;
	}
	if (dns && !p.service)
		FAIL("\"dns\" needs \"service\": the name server's address");
	if (given(ipv6)) {
		r = labvalue_prefix(ipv6, AF_INET6, 64, 64, &p.v6, &len);
		if (r == -ERANGE)
			FAIL("\"ipv6\" must be a /64 prefix (SLAAC needs 64 bits of interface id)");
		if (r < 0 || !labvalue_prefix_is_network(AF_INET6, &p.v6, len))
			FAIL("\"ipv6\" is not an IPv6 network prefix (X:Y::/64)");
		p.has_v6 = true;
	}
	*ret = p;
	return 0;
}

/* Narrows [*first, *last] to its part i of n (1-based; the last part takes the rest). */
static int
ipam_slice(unsigned i, unsigned n, uint32_t *first, uint32_t *last)
{
	uint32_t size = (*last - *first + 1) / n;

	if (!size)
		return -ERANGE;
	*first += (i - 1) * size;
	if (i < n)
		*last = *first + size - 1;
	return 0;
}

int
ipam_pool_options(struct ipam_pool *p, const char *domain, const char *slice, bool no_services,
                  const char **ret_error)
{
	struct ipam_pool q = *p;

	if (given(domain)) {
		if (!ctl_domain_valid(domain))
			FAIL("\"domain\" is not a DNS domain (labels of A-Z a-z 0-9 -, "
			     "dot-separated)");
		snprintf(q.domain, sizeof(q.domain), "%s", domain);
	}
	if (given(slice)) {
		const char *slash = strchr(slice, '/');
		char first[16];
		uint64_t i, n;

		if (!q.len)
			FAIL("\"slice\" needs \"subnet\": it is a part of its pool");
		if (!slash || (size_t)(slash - slice) >= sizeof(first))
			FAIL("\"slice\" is not I/N (part I of N, 1 <= I <= N)");
		memcpy(first, slice, slash - slice);
		first[slash - slice] = '\0';
		if (labvalue_uint(slash + 1, 1, 65536, &n) < 0 ||
		    labvalue_uint(first, 1, n, &i) < 0)
			FAIL("\"slice\" is not I/N (part I of N, 1 <= I <= N <= 65536)");
		if (ipam_slice(i, n, &q.auto_first, &q.auto_last) < 0 ||
		    (q.dhcp_first && ipam_slice(i, n, &q.dhcp_lo, &q.dhcp_hi) < 0))
			FAIL("\"slice\" cuts the subnet or the DHCP range into parts without an "
			     "address");
		q.slice_i = i;
		q.slice_n = n;
	}
	q.no_services = no_services;
	*p = q;
	return 0;
}

void
ipam_free(struct ipam *t)
{
	free(t->v);
	*t = (struct ipam){};
}

static bool
ipam_same_seg(const struct ipam_lease *l, const char *seg)
{
	return !strcmp(l->segment, seg);
}

static bool
ipam_is_node(const struct ipam_lease *l, const char *node, const char *ifname)
{
	return l->kind != IPAM_DHCP && !strcmp(l->node, node) && !strcmp(l->ifname, ifname);
}

static bool
ipam_expired(const struct ipam_lease *l, uint64_t now)
{
	return l->kind == IPAM_DHCP && l->time <= now;
}

const struct ipam_lease *
ipam_find_addr(const struct ipam *t, const char *seg, uint32_t addr)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (t->v[i].addr == addr && ipam_same_seg(&t->v[i], seg))
			return &t->v[i];
	return NULL;
}

const struct ipam_lease *
ipam_find_node(const struct ipam *t, const char *seg, const char *node, const char *ifname)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (ipam_is_node(&t->v[i], node, ifname) && ipam_same_seg(&t->v[i], seg))
			return &t->v[i];
	return NULL;
}

/* mac's DHCP lease in seg, expired or not. */
static struct ipam_lease *
ipam_find_dhcp(const struct ipam *t, const char *seg, const uint8_t mac[6])
{
	for (uint32_t i = 0; i < t->n; i++)
		if (t->v[i].kind == IPAM_DHCP && !memcmp(t->v[i].mac, mac, 6) &&
		    ipam_same_seg(&t->v[i], seg))
			return &t->v[i];
	return NULL;
}

const struct ipam_lease *
ipam_find_mac(const struct ipam *t, const char *seg, const uint8_t mac[6], uint64_t now)
{
	const struct ipam_lease *l = ipam_find_dhcp(t, seg, mac);

	return l && !ipam_expired(l, now) ? l : NULL;
}

static void
ipam_remove(struct ipam *t, const struct ipam_lease *l)
{
	t->v[l - t->v] = t->v[--t->n];
	t->dirty = t->urgent = true;
}

static struct ipam_lease *
ipam_add(struct ipam *t, const char *seg)
{
	struct ipam_lease *l;

	if (t->n == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 64;
		struct ipam_lease *v;

		if (t->cap >= IPAM_LEASES_MAX)
			return NULL;
		v = realloc(t->v, sizeof(*v) * cap);
		if (!v)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	l = &t->v[t->n++];
	memset(l, 0, sizeof(*l));
	snprintf(l->segment, sizeof(l->segment), "%s", seg);
	t->dirty = t->urgent = true;
	return l;
}

/* A bitmap of the addresses from first on that leases of seg hold (count bits). */
static uint8_t *
ipam_taken(const struct ipam *t, const char *seg, uint32_t first, uint32_t count)
{
	uint8_t *bits = calloc(count / 8 + 1, 1);

	for (uint32_t i = 0; bits && i < t->n; i++) {
		uint32_t off = t->v[i].addr - first;

		if (t->v[i].addr >= first && off < count && ipam_same_seg(&t->v[i], seg))
			bits[off / 8] |= 1 << (off % 8);
	}
	return bits;
}

/* The first address from first to last that no lease of seg holds and ok accepts, or 0. */
static int
ipam_first_free(const struct ipam *t, const char *seg, const struct ipam_pool *p, uint32_t first,
                uint32_t last, bool dhcp, uint32_t *ret)
{
	uint32_t count = last - first + 1 < IPAM_SCAN_MAX ? last - first + 1 : IPAM_SCAN_MAX;
	uint8_t *bits = ipam_taken(t, seg, first, count);

	if (!bits)
		return -ENOMEM;
	*ret = 0;
	for (uint32_t off = 0; off < count; off++) {
		uint32_t a = first + off;

		if (bits[off / 8] & (1 << (off % 8)))
			continue;
		if (dhcp ? ipam_in_dhcp(p, a) : ipam_pool_has(p, a)) {
			*ret = a;
			break;
		}
	}
	free(bits);
	return 0;
}

int
ipam_auto(struct ipam *t, const char *seg, const struct ipam_pool *pool, const char *node,
          const char *ifname, uint64_t now, ipam_busy_fn busy, void *userdata, uint32_t *ret_addr)
{
	struct ipam_lease *l = (struct ipam_lease *)ipam_find_node(t, seg, node, ifname);
	struct ipam_lease *oldest = NULL;
	uint32_t addr;
	int r;

	if (!pool->len)
		return -EINVAL;
	if (l && ipam_auto_has(pool, l->addr)) {
		l->time = now;
		t->dirty = true;
		*ret_addr = l->addr;
		return 0;
	}
	if (l)
		ipam_remove(t, l); /* from another subnet or slice of a segment of that name */
	r = ipam_first_free(t, seg, pool, pool->auto_first, pool->auto_last, false, &addr);
	if (r < 0)
		return r;
	if (!addr) {
		for (uint32_t i = 0; i < t->n; i++) {
			l = &t->v[i];
			if (l->kind == IPAM_DHCP || !ipam_same_seg(l, seg) ||
			    !ipam_auto_has(pool, l->addr) || busy(l, userdata))
				continue;
			if (!oldest || l->time < oldest->time)
				oldest = l;
		}
		if (!oldest)
			return -ENOSPC;
		addr = oldest->addr;
		ipam_remove(t, oldest);
	}
	l = ipam_add(t, seg);
	if (!l)
		return -ENOMEM;
	l->kind = IPAM_AUTO;
	snprintf(l->node, sizeof(l->node), "%s", node);
	snprintf(l->ifname, sizeof(l->ifname), "%s", ifname);
	l->addr = addr;
	l->time = now;
	*ret_addr = addr;
	return 0;
}

int
ipam_static(struct ipam *t, const char *seg, const struct ipam_pool *pool, const char *node,
            const char *ifname, uint32_t addr, uint64_t now, ipam_busy_fn busy, void *userdata,
            const struct ipam_lease **ret_holder)
{
	const struct ipam_lease *h = ipam_find_addr(t, seg, addr);
	struct ipam_lease *l;

	if (!ipam_in_subnet(pool, addr))
		return 0;
	if (h && !ipam_is_node(h, node, ifname)) {
		bool held = h->kind == IPAM_DHCP ? !ipam_expired(h, now) : busy(h, userdata);

		if (held) {
			*ret_holder = h;
			return -EADDRINUSE;
		}
		ipam_remove(t, h);
	}
	l = (struct ipam_lease *)ipam_find_node(t, seg, node, ifname);
	if (!l) {
		l = ipam_add(t, seg);
		if (!l)
			return -ENOMEM;
		snprintf(l->node, sizeof(l->node), "%s", node);
		snprintf(l->ifname, sizeof(l->ifname), "%s", ifname);
	}
	if (l->kind != IPAM_STATIC || l->addr != addr)
		t->urgent = true;
	l->kind = IPAM_STATIC;
	l->addr = addr;
	l->time = now;
	t->dirty = true;
	return 0;
}

int
ipam_dhcp_offer(struct ipam *t, const char *seg, const struct ipam_pool *pool, const uint8_t mac[6],
                uint32_t requested, uint64_t now, uint32_t *ret_addr)
{
	const struct ipam_lease *l = ipam_find_dhcp(t, seg, mac), *h, *oldest = NULL;
	uint32_t addr;
	int r;

	if (!pool->dhcp_first)
		return -EINVAL;
	if (l && ipam_in_dhcp(pool, l->addr)) {
		*ret_addr = l->addr;
		return 0;
	}
	h = ipam_find_addr(t, seg, requested);
	if (ipam_in(requested, pool->dhcp_lo, pool->dhcp_hi) && (!h || ipam_expired(h, now))) {
		*ret_addr = requested;
		return 0;
	}
	r = ipam_first_free(t, seg, pool, pool->dhcp_lo, pool->dhcp_hi, true, &addr);
	if (r < 0)
		return r;
	if (addr) {
		*ret_addr = addr;
		return 0;
	}
	for (uint32_t i = 0; i < t->n; i++) {
		l = &t->v[i];
		if (ipam_same_seg(l, seg) && ipam_in(l->addr, pool->dhcp_lo, pool->dhcp_hi) &&
		    ipam_expired(l, now) && (!oldest || l->time < oldest->time))
			oldest = l;
	}
	if (!oldest)
		return -ENOSPC;
	*ret_addr = oldest->addr;
	return 0;
}

int
ipam_dhcp_bind(struct ipam *t, const char *seg, const struct ipam_pool *pool, const uint8_t mac[6],
               uint32_t addr, const char *hostname, uint64_t now, uint32_t lease_s)
{
	const struct ipam_lease *h = ipam_find_addr(t, seg, addr);
	struct ipam_lease *l;

	if (!ipam_in_dhcp(pool, addr))
		return -EINVAL;
	if (h && !(h->kind == IPAM_DHCP && !memcmp(h->mac, mac, 6))) {
		if (!ipam_expired(h, now))
			return -EADDRINUSE;
		ipam_remove(t, h);
	}
	l = ipam_find_dhcp(t, seg, mac);
	if (l && l->addr == addr && !strcmp(l->node, hostname ? hostname : "")) {
		l->time = now + lease_s;
		t->dirty = true;
		return 0; /* a renewal: only the end moved */
	}
	if (!l) {
		l = ipam_add(t, seg);
		if (!l)
			return -ENOMEM;
		l->kind = IPAM_DHCP;
		memcpy(l->mac, mac, 6);
	}
	l->addr = addr;
	l->time = now + lease_s;
	snprintf(l->node, sizeof(l->node), "%s", hostname ? hostname : "");
	t->dirty = t->urgent = true;
	return 1;
}

void
ipam_dhcp_release(struct ipam *t, const char *seg, const uint8_t mac[6], uint32_t addr)
{
	struct ipam_lease *l = ipam_find_dhcp(t, seg, mac);

	/* Kept, expired: the client gets the same address when it comes back. */
	if (l && l->addr == addr) {
		l->time = 0;
		t->dirty = t->urgent = true;
	}
}

int
ipam_dhcp_decline(struct ipam *t, const char *seg, const struct ipam_pool *pool,
                  const uint8_t mac[6], uint32_t addr, uint64_t now)
{
	const struct ipam_lease *h = ipam_find_addr(t, seg, addr);
	struct ipam_lease *l;

	if (!ipam_in_dhcp(pool, addr))
		return -EINVAL;
	if (h && !(h->kind == IPAM_DHCP && !memcmp(h->mac, mac, 6)))
		return -EADDRINUSE; /* held by someone else: not this client's to decline */
	if (h)
		ipam_remove(t, h);
	l = ipam_add(t, seg);
	if (!l)
		return -ENOMEM;
	l->kind = IPAM_DHCP;
	l->addr = addr;
	l->time = now + IPAM_DECLINED_S;
	return 0;
}

uint32_t
ipam_used(const struct ipam *t, const char *seg, const struct ipam_pool *pool, uint64_t now)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < t->n; i++)
		n += ipam_same_seg(&t->v[i], seg) && ipam_host(pool, t->v[i].addr) &&
		     !ipam_expired(&t->v[i], now);
	return n;
}

const char *
ipam_kind_name(enum ipam_kind k)
{
	return k == IPAM_AUTO ? "auto" : k == IPAM_STATIC ? "static" : "dhcp";
}

int
ipam_lease_format(const struct ipam_lease *l, char *buf, size_t size)
{
	char addr[INET_ADDRSTRLEN], mac[MAC_STRLEN];
	struct in_addr a = { htonl(l->addr) };
	int n;

	inet_ntop(AF_INET, &a, addr, sizeof(addr));
	if (l->kind == IPAM_DHCP) {
		mac_format(l->mac, mac);
		n = snprintf(buf, size, "%s dhcp %s %s %" PRIu64 " %s\n", l->segment, mac, addr,
		             l->time, l->node[0] ? l->node : "-");
	} else {
		n = snprintf(buf, size, "%s %s %s %s %s %" PRIu64 "\n", l->segment,
		             ipam_kind_name(l->kind), l->node, l->ifname, addr, l->time);
	}
	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}

/* A host name as DHCP clients send it: printable, no spaces, shorter than the field. */
static bool
ipam_hostname_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > IDENT_MAX)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static bool
ipam_ifname_valid(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < IFNAMSIZ && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..") &&
	       ipam_hostname_valid(s);
}

int
ipam_lease_parse(const char *line, struct ipam_lease *ret)
{
	char copy[512], *w[7], *save = NULL, *tok;
	struct ipam_lease l = {};
	struct in_addr a;
	uint64_t time;
	size_t n = 0;
	bool dhcp;

	if (strlen(line) >= sizeof(copy))
		return -EINVAL;
	strcpy(copy, line);
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (n == 6)
			return -EINVAL;
		w[n++] = tok;
	}
	if (n != 6 || !ctl_segment_valid(w[0]))
		return -EINVAL;
	strcpy(l.segment, w[0]);
	dhcp = !strcmp(w[1], "dhcp");
	if (dhcp) {
		l.kind = IPAM_DHCP;
		if (mac_parse(w[2], l.mac) < 0 || labvalue_ipv4(w[3], &a) < 0 ||
		    labvalue_uint(w[4], 0, UINT64_MAX, &time) < 0)
			return -EINVAL;
		if (strcmp(w[5], "-")) {
			if (!ipam_hostname_valid(w[5]))
				return -EINVAL;
			strcpy(l.node, w[5]);
		}
	} else {
		if (!strcmp(w[1], "auto"))
			l.kind = IPAM_AUTO;
		else if (!strcmp(w[1], "static"))
			l.kind = IPAM_STATIC;
		else
			return -EINVAL;
		if (!ident_valid(w[2]) || !ipam_ifname_valid(w[3]) || labvalue_ipv4(w[4], &a) < 0 ||
		    labvalue_uint(w[5], 0, UINT64_MAX, &time) < 0)
			return -EINVAL;
		strcpy(l.node, w[2]);
		strcpy(l.ifname, w[3]);
	}
	l.addr = ntohl(a.s_addr);
	l.time = time;
	*ret = l;
	return 0;
}

int
ipam_load(struct ipam *t, const struct ipam_lease *l)
{
	struct ipam_lease *d;

	for (uint32_t i = 0; i < t->n;) {
		const struct ipam_lease *o = &t->v[i];
		bool same_key = l->kind == IPAM_DHCP
		                        ? o->kind == IPAM_DHCP && !memcmp(o->mac, l->mac, 6) &&
		                                  memcmp(l->mac, (uint8_t[6]){}, 6)
		                        : ipam_is_node(o, l->node, l->ifname);

		if (ipam_same_seg(o, l->segment) && (same_key || o->addr == l->addr))
			ipam_remove(t, o);
		else
			i++;
	}
	if (t->n >= IPAM_LEASES_MAX)
		return -ENOSPC;
	d = ipam_add(t, l->segment);
	if (!d)
		return -ENOMEM;
	*d = *l;
	return 0;
}
