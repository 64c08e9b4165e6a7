#include "labext.h"

#include "cleanup.h"
#include "errtext.h"
#include "labread.h"
#include "labvalue.h"
#include "netmask.h"
#include "tcvalue.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An address in its canonical text, with "/len" when len >= 0. */
static int
set_addr(char **slot, int family, const void *addr, int len)
{
	char text[INET6_ADDRSTRLEN + 16];

	if (!inet_ntop(family, addr, text, INET6_ADDRSTRLEN))
		return -errno;
	if (len >= 0)
		snprintf(text + strlen(text), 16, "/%d", len);
	return labread_set_text(slot, text);
}

/* node[N.ip]: "A.B.C.D/LEN", "ADDR6/LEN" or "auto" (IPv4 from the segment's subnet). */
static int
ext_iface_ip(struct labread *r, struct lab_node *node, struct lab_iface *iface, const char *v)
{
	struct in6_addr a6;
	struct in_addr a4;
	unsigned len;
	int ret;

	if (strcmp(v, "auto") == 0)
		ret = labread_set_text(&iface->ipv4, "auto");
	else if (labvalue_prefix(v, AF_INET, 0, 32, &a4, &len) == 0)
		ret = set_addr(&iface->ipv4, AF_INET, &a4, len);
	else if (labvalue_prefix(v, AF_INET6, 0, 128, &a6, &len) == 0)
		ret = set_addr(&iface->ipv6, AF_INET6, &a6, len);
	else
		return labread_fail(r, "address '%.64s' of %s eth%u is not ADDR/LEN or auto", v,
		                    node->name, iface->index);
	if (ret == 1)
		return labread_warn(
		        r, "%s eth%u already has an address of this family: the last one wins",
		        node->name, iface->index);
	return ret;
}

static int
vlan_id(const char *s, uint16_t *ret)
{
	uint64_t v;

	if (labvalue_uint(s, 1, 4094, &v) < 0)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* node[N.vlan]: "N" (access port of VLAN N) or "trunk:A,B,..[ native:N]". */
static int
ext_iface_vlan(struct labread *r, struct lab_node *node, struct lab_iface *iface, char *v)
{
	bool had = iface->access || iface->n_trunk;
	_cleanup_free_ uint16_t *trunk = NULL;
	uint16_t access = 0, native = 0;
	size_t n_trunk = 0;
	char *native_s, *save = NULL;

	if (strncmp(v, "trunk:", 6) != 0) {
		if (vlan_id(v, &access) < 0)
			goto bad;
		goto set;
	}
	native_s = strstr(v, " native:");
	if (native_s) {
		*native_s = '\0';
		if (vlan_id(native_s + 8, &native) < 0)
			goto bad;
	}
	if (!v[6] || v[6] == ',' || v[strlen(v) - 1] == ',' || strstr(v, ",,"))
		goto bad;
	trunk = calloc(LAB_TRUNK_MAX, sizeof(uint16_t));
	if (!trunk)
		return -ENOMEM;
	for (char *t = strtok_r(v + 6, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		uint16_t id;

		if (vlan_id(t, &id) < 0)
			goto bad;
		if (id == native)
			return labread_fail(r,
			                    "%s eth%u: native VLAN %u is also in the trunk's list",
			                    node->name, iface->index, id);
		for (size_t i = 0; i < n_trunk; i++)
			if (trunk[i] == id)
				return labread_fail(r,
				                    "%s eth%u: VLAN %u twice in the trunk's list",
				                    node->name, iface->index, id);
		if (n_trunk == LAB_TRUNK_MAX)
			return labread_fail(r, "%s eth%u: more than %d VLANs on a trunk",
			                    node->name, iface->index, LAB_TRUNK_MAX);
		trunk[n_trunk++] = id;
	}
set:
	free(iface->trunk);
	iface->trunk = TAKE_PTR(trunk);
	iface->n_trunk = n_trunk;
	iface->access = access;
	iface->native = native;
	if (had)
		return labread_warn(r, "%s eth%u already has a VLAN role: the last one wins",
		                    node->name, iface->index);
	return 0;
bad:
	return labread_fail(r,
	                    "VLAN of %s eth%u: expected N or trunk:N,M,..[ native:N], each 1-4094",
	                    node->name, iface->index);
}

/* A machine of LAB_HOSTS or node[host]: a DNS name or an address. */
static bool
host_valid(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;

	return labvalue_dns_name(s) == 0 || inet_pton(AF_INET, s, &a4) == 1 ||
	       inet_pton(AF_INET6, s, &a6) == 1;
}

static int
ext_node(struct labread *r, size_t ni, char *key, char *value)
{
	struct lab_node *node = &r->lab->nodes[ni];
	struct in6_addr a6;
	struct in_addr a4;
	uint64_t index;
	char *dot;
	int ret;

	if (strcmp(key, "gw") == 0) {
		if (inet_pton(AF_INET, value, &a4) == 1)
			ret = set_addr(&node->val[LAB_NODE_GW4], AF_INET, &a4, -1);
		else if (inet_pton(AF_INET6, value, &a6) == 1)
			ret = set_addr(&node->val[LAB_NODE_GW6], AF_INET6, &a6, -1);
		else
			return labread_fail(r, "gateway '%.64s' of '%s' is not an address", value,
			                    node->name);
	} else if (strcmp(key, "privileged") == 0) {
		ret = labread_set_bool(r, &node->val[LAB_NODE_PRIVILEGED], value, "privileged");
	} else if (strcmp(key, "host") == 0) {
		if (!host_valid(value))
			return labread_fail(r, "host '%.64s' of '%s' is not a host name or address",
			                    value, node->name);
		ret = labread_set_text(&node->val[LAB_NODE_HOST], value);
		node->host_line = r->line;
	} else if ((dot = strchr(key, '.')) && dot > key) {
		*dot = '\0';
		if (labvalue_uint(key, 0, UINT32_MAX, &index) < 0)
			goto unknown;
		if (index >= node->n_ifaces)
			return labread_fail(r, "node '%s' has no interface %s in lab.conf",
			                    node->name, key);
		node->ifaces[index].ext_line = r->line;
		if (strcmp(dot + 1, "ip") == 0)
			return ext_iface_ip(r, node, &node->ifaces[index], value);
		if (strcmp(dot + 1, "vlan") == 0)
			return ext_iface_vlan(r, node, &node->ifaces[index], value);
		*dot = '.';
		goto unknown;
	} else {
		goto unknown;
	}
	if (ret == 1)
		return labread_warn(r, "node '%s' already has a value for '%s': the last one wins",
		                    node->name, key);
	return ret;
unknown:
	return labread_fail(r,
	                    "unknown key '%.32s' for node '%s' (node keys: gw, privileged, host, "
	                    "N.ip, N.vlan)",
	                    key, node->name);
}

static int
seg_value(struct labread *r, struct lab_segment *seg, int k, char *value)
{
	struct in6_addr a6;
	struct in_addr a4, b4;
	unsigned len;
	uint64_t u;
	double pct, ge[4];
	char *dash;
	bool b;

	switch (k) {
	case LAB_SEG_SUBNET:
		if (labvalue_prefix(value, AF_INET, 1, 30, &a4, &len) < 0)
			return labread_fail(r,
			                    "subnet '%.64s' of '%s' is not A.B.C.D/LEN (LEN 1-30)",
			                    value, seg->name);
		if (!labvalue_prefix_is_network(AF_INET, &a4, len))
			return labread_fail(r, "subnet '%.64s' of '%s' has host bits set", value,
			                    seg->name);
		return set_addr(&seg->val[k], AF_INET, &a4, len);
	case LAB_SEG_SERVICE:
		if (labvalue_ipv4(value, &a4) < 0)
			return labread_fail(r, "service '%.64s' of '%s' is not an IPv4 address",
			                    value, seg->name);
		return set_addr(&seg->val[k], AF_INET, &a4, -1);
	case LAB_SEG_DHCP:
		dash = strchr(value, '-');
		if (dash)
			*dash = '\0';
		if (!dash || labvalue_ipv4(value, &a4) < 0 || labvalue_ipv4(dash + 1, &b4) < 0)
			return labread_fail(r, "dhcp range of '%s' is not A.B.C.D-A.B.C.D",
			                    seg->name);
		if (ntohl(a4.s_addr) > ntohl(b4.s_addr))
			return labread_fail(r, "dhcp range of '%s' ends before it starts",
			                    seg->name);
		*dash = '-';
		return labread_set_text(&seg->val[k], value);
	case LAB_SEG_DNS:
		return labread_set_bool(r, &seg->val[k], value, "dns");
	case LAB_SEG_IPV6:
		if (labvalue_prefix(value, AF_INET6, 1, 128, &a6, &len) < 0)
			return labread_fail(r,
			                    "ipv6 '%.64s' of '%s' is not an IPv6 prefix ADDR/LEN",
			                    value, seg->name);
		if (!labvalue_prefix_is_network(AF_INET6, &a6, len))
			return labread_fail(r, "ipv6 prefix '%.64s' of '%s' has host bits set",
			                    value, seg->name);
		return set_addr(&seg->val[k], AF_INET6, &a6, len);
	case LAB_SEG_MTU:
		return labread_set_uint(r, &seg->val[k], value, 68, 65535, "mtu");
	case LAB_SEG_DELAY:
	case LAB_SEG_JITTER:
		if (tcvalue_duration(value, &u) < 0)
			return labread_fail(
			        r,
			        "%s '%.64s' of '%s' is not a time as tc writes it (20ms, "
			        "1.5s, 100us)",
			        labconf_seg_key_name(k), value, seg->name);
		return labread_set_text(&seg->val[k], value);
	case LAB_SEG_LOSS:
	case LAB_SEG_DUPLICATE:
	case LAB_SEG_CORRUPT:
	case LAB_SEG_REORDER:
		if (tcvalue_percent(value, &pct) < 0)
			return labread_fail(r,
			                    "%s '%.64s' of '%s' is not a percentage (0.5%%, 0-100)",
			                    labconf_seg_key_name(k), value, seg->name);
		return labread_set_text(&seg->val[k], value);
	case LAB_SEG_LOSS_GE:
		if (tcvalue_loss_ge(value, ge) < 0)
			return labread_fail(
			        r, "loss_ge '%.64s' of '%s' is not p[,r[,1-h[,1-k]]] in percent",
			        value, seg->name);
		return labread_set_text(&seg->val[k], value);
	case LAB_SEG_RATE:
		if (tcvalue_rate(value, &u) < 0)
			return labread_fail(
			        r,
			        "rate '%.64s' of '%s' is not a rate as tc writes it (10mbit, "
			        "1gbit, 500kbps)",
			        value, seg->name);
		return labread_set_text(&seg->val[k], value);
	case LAB_SEG_LIMIT:
		return labread_set_uint(r, &seg->val[k], value, 1, UINT32_MAX, "limit");
	case LAB_SEG_SEED:
		return labread_set_uint(r, &seg->val[k], value, 0, UINT64_MAX, "seed");
	case LAB_SEG_STATE:
		if (strcmp(value, "up") != 0 && strcmp(value, "down") != 0)
			return labread_fail(r, "state of '%s' is not up or down", seg->name);
		return labread_set_text(&seg->val[k], value);
	case LAB_SEG_CAPTURE:
		if (labvalue_bool(value, &b) == 0)
			return labread_fail(r, "capture of '%s' is a file name, not a boolean",
			                    seg->name);
		return labread_set_text(&seg->val[k], value);
	case LAB_SEG_VXLAN:
		return labread_set_uint(r, &seg->val[k], value, 1, 16777215, "vxlan (a VNI)");
	}
	return -EINVAL;
}

static int
ext_segment(struct labread *r, size_t si, const char *key, char *value)
{
	struct lab_segment *seg = &r->lab->segments[si];
	int ret;

	for (int k = 0; k < LAB_SEG_KEYS; k++) {
		if (strcmp(key, labconf_seg_key_name(k)) != 0)
			continue;
		ret = seg_value(r, seg, k, value);
		seg->line[k] = r->line;
		if (ret == 1)
			return labread_warn(
			        r, "segment '%s' already has a value for '%s': the last one wins",
			        seg->name, key);
		return ret;
	}
	return labread_fail(
	        r,
	        "unknown key '%.32s' for segment '%s' (segment keys: subnet, service, dhcp, "
	        "dns, ipv6, mtu, delay, jitter, loss, loss_ge, duplicate, corrupt, "
	        "reorder, rate, limit, seed, state, capture, vxlan)",
	        key, seg->name);
}

/*
 * Kathara's own lab.ext ("SEGMENT IFACE[.VLAN]", host interfaces), which this one is not.
 * Its tutorials leave the interface for the reader to fill in ("A <physical_interface>"):
 * any word does.
 */
static bool
kathara_ext_line(const char *s)
{
	size_t n = strspn(s, LABREAD_WORD_CHARS), ws, m;

	if (n == 0)
		return false;
	ws = strspn(s + n, " \t");
	m = strcspn(s + n + ws, " \t");
	return ws > 0 && m > 0 && s[n + ws + m + strspn(s + n + ws + m, " \t")] == '\0';
}

/* LAB_HOSTS="NAME=ADDR ...": a machine's name and underlay address, or either alone. */
static int
ext_hosts(struct labread *r, char *value)
{
	struct lab *lab = r->lab;
	char *save = NULL;
	int err;

	if (!lab->hosts_line)
		lab->hosts_line = r->line;
	for (char *t = strtok_r(value, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(t, '='), *addr = NULL;
		struct in6_addr a6;
		struct in_addr a4;
		size_t n = lab->n_hosts;

		if (eq) {
			*eq = '\0';
			addr = eq + 1;
			if (labvalue_dns_name(t) < 0)
				return labread_fail(r, "LAB_HOSTS: '%.64s' is not a host name", t);
			if (inet_pton(AF_INET, addr, &a4) != 1 &&
			    inet_pton(AF_INET6, addr, &a6) != 1)
				return labread_fail(r,
				                    "LAB_HOSTS: the address '%.64s' of '%.64s' is "
				                    "not an IP address",
				                    addr, t);
		} else if (!host_valid(t)) {
			return labread_fail(r, "LAB_HOSTS: '%.64s' is not a host name or address",
			                    t);
		}
		for (size_t i = 0; i < lab->n_hosts; i++)
			if (strcmp(lab->hosts[i], t) == 0)
				return labread_fail(r, "LAB_HOSTS: '%.64s' given twice", t);
		/* host_addrs grows first: it is never shorter than hosts. */
		err = labread_grow(&lab->host_addrs, &n, sizeof(char *), LAB_LIST_MAX);
		if (err == 0)
			err = labread_add_string(r, &lab->hosts, &lab->n_hosts, t, "hosts");
		else if (err == -E2BIG)
			err = labread_fail(r, "more than %d hosts", LAB_LIST_MAX);
		if (err < 0)
			return err;
		if (addr && !(lab->host_addrs[n - 1] = strdup(addr)))
			return -ENOMEM;
	}
	return 0;
}

static int
ext_top(struct labread *r, const char *name, char *value)
{
	struct lab *lab = r->lab;
	char *save = NULL;
	int err;

	if (strcmp(name, "LAB_DOMAIN") == 0) {
		if (labvalue_dns_name(value) < 0)
			return labread_fail(r, "LAB_DOMAIN '%.64s' is not a DNS name", value);
		err = labread_set_text(&lab->domain, value);
		if (err == 1)
			return labread_warn(r, "LAB_DOMAIN given again: the last one wins");
		return err;
	}
	if (strcmp(name, "LAB_HOSTS") == 0)
		return ext_hosts(r, value);
	if (strcmp(name, "LAB_VXLAN_PORT") == 0) {
		err = labread_set_uint(r, &lab->vxlan_port, value, 1, 65535, "LAB_VXLAN_PORT");
		if (err == 1)
			return labread_warn(r, "LAB_VXLAN_PORT given again: the last one wins");
		return err;
	}
	/* IMAGE_MAP="FROM=TO FROM=TO", repeatable. */
	for (char *t = strtok_r(value, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(t, '=');

		if (!eq || eq == t || !eq[1] || strchr(eq + 1, '='))
			return labread_fail(r, "IMAGE_MAP: '%.64s' is not FROM=TO", t);
		*eq = '\0';
		err = labread_set_pair(r, &lab->image_map, &lab->n_image_map, t, eq + 1,
		                       "image maps");
		if (err == 1)
			err = labread_warn(r, "IMAGE_MAP: '%.64s' mapped again: the last one wins",
			                   t);
		if (err < 0)
			return err;
	}
	return 0;
}

static bool
in_subnet(const struct lab_segment *seg, const char *addr)
{
	struct in_addr net, a;
	unsigned len;

	return labvalue_prefix(seg->val[LAB_SEG_SUBNET], AF_INET, 0, 32, &net, &len) == 0 &&
	       labvalue_ipv4(addr, &a) == 0 && labvalue_ipv4_in(&a, &net, len);
}

/* Neither the network nor the broadcast address of the segment's subnet. */
static bool
host_address(const struct lab_segment *seg, const char *addr)
{
	struct in_addr net, a;
	unsigned len;
	uint32_t host, hostmask;

	if (labvalue_prefix(seg->val[LAB_SEG_SUBNET], AF_INET, 0, 32, &net, &len) < 0 ||
	    labvalue_ipv4(addr, &a) < 0)
		return false;
	hostmask = ~netmask_v4(len);
	host = ntohl(a.s_addr) & hostmask;
	return host != 0 && host != hostmask;
}

/* What one key alone cannot tell: the keys of a segment and of a node against each other. */
static int
ext_cross_check(struct labread *r)
{
	struct lab *lab = r->lab;

	for (size_t i = 0; i < lab->n_segments; i++) {
		struct lab_segment *s = &lab->segments[i];
		char **v = s->val;

		if (v[LAB_SEG_SERVICE]) {
			r->line = s->line[LAB_SEG_SERVICE];
			if (!v[LAB_SEG_SUBNET])
				return labread_fail(r, "service of '%s' needs a subnet", s->name);
			if (!in_subnet(s, v[LAB_SEG_SERVICE]))
				return labread_fail(r, "service %s of '%s' is not in its subnet %s",
				                    v[LAB_SEG_SERVICE], s->name, v[LAB_SEG_SUBNET]);
			if (!host_address(s, v[LAB_SEG_SERVICE]))
				return labread_fail(r,
				                    "service %s of '%s' is its subnet's network or "
				                    "broadcast address",
				                    v[LAB_SEG_SERVICE], s->name);
		}
		if (v[LAB_SEG_DHCP]) {
			char range[INET_ADDRSTRLEN * 2 + 2], *dash;

			r->line = s->line[LAB_SEG_DHCP];
			if (!v[LAB_SEG_SERVICE])
				return labread_fail(
				        r, "dhcp of '%s' needs a service address to serve it",
				        s->name);
			snprintf(range, sizeof(range), "%s", v[LAB_SEG_DHCP]);
			dash = strchr(range, '-');
			*dash = '\0';
			if (!in_subnet(s, range) || !in_subnet(s, dash + 1))
				return labread_fail(r,
				                    "dhcp range %s of '%s' is not in its subnet %s",
				                    v[LAB_SEG_DHCP], s->name, v[LAB_SEG_SUBNET]);
		}
		if (v[LAB_SEG_DNS] && strcmp(v[LAB_SEG_DNS], "true") == 0 && !v[LAB_SEG_SERVICE]) {
			r->line = s->line[LAB_SEG_DNS];
			return labread_fail(r, "dns of '%s' needs a service address to answer",
			                    s->name);
		}
		if (v[LAB_SEG_IPV6] && v[LAB_SEG_MTU] && strtoul(v[LAB_SEG_MTU], NULL, 10) < 1280) {
			r->line = s->line[LAB_SEG_MTU];
			return labread_fail(r, "mtu of '%s' is under 1280, the least IPv6 needs",
			                    s->name);
		}
		if (v[LAB_SEG_JITTER] && !v[LAB_SEG_DELAY]) {
			r->line = s->line[LAB_SEG_JITTER];
			return labread_fail(r, "jitter of '%s' needs a delay", s->name);
		}
		for (size_t j = 0; v[LAB_SEG_VXLAN] && j < i; j++)
			if (lab->segments[j].val[LAB_SEG_VXLAN] &&
			    strcmp(lab->segments[j].val[LAB_SEG_VXLAN], v[LAB_SEG_VXLAN]) == 0) {
				r->line = s->line[LAB_SEG_VXLAN];
				return labread_fail(r, "vxlan %s of '%s' is the VNI of '%s' too",
				                    v[LAB_SEG_VXLAN], s->name,
				                    lab->segments[j].name);
			}
		if (v[LAB_SEG_LOSS] && v[LAB_SEG_LOSS_GE]) {
			r->line = s->line[LAB_SEG_LOSS_GE];
			return labread_fail(r, "'%s' has both loss and loss_ge: one loss model",
			                    s->name);
		}
	}
	for (size_t i = 0; i < lab->n_nodes; i++) {
		struct lab_node *node = &lab->nodes[i];
		const char *host = node->val[LAB_NODE_HOST];
		bool known = false;

		for (size_t j = 0; j < node->n_ifaces; j++) {
			struct lab_iface *f = &node->ifaces[j];

			r->line = f->ext_line;
			if (f->ipv4 && strcmp(f->ipv4, "auto") == 0 &&
			    !lab->segments[f->segment].val[LAB_SEG_SUBNET])
				return labread_fail(
				        r, "%s eth%u: ip auto needs a subnet on segment '%s'",
				        node->name, f->index, lab->segments[f->segment].name);
		}
		if (!host)
			continue;
		r->line = node->host_line;
		for (size_t j = 0; j < lab->n_hosts; j++)
			known |= strcmp(lab->hosts[j], host) == 0;
		if (!known)
			return labread_fail(r, "host '%s' of '%s' is not in LAB_HOSTS", host,
			                    node->name);
	}
	return 0;
}

int
labext_parse(struct lab *lab, const char *buf, size_t len, const char *fname, char **ret_error)
{
	static const char *const top[] = { "LAB_HOSTS", "LAB_DOMAIN", "IMAGE_MAP",
		                           "LAB_VXLAN_PORT" };
	struct labread r = { .lab = lab, .fname = fname, .ret_error = ret_error };
	_cleanup_free_ struct labread_lines *l = NULL;
	char *raw, *s;
	int err;

	err = labread_lines_after_conf(&r, buf, len, &l);
	if (err < 0 || !l)
		return err;
	while ((err = labread_next_line(l, &r, &raw, &s)) > 0) {
		const char *name = NULL;
		struct labread_entry e;
		ssize_t i;

		if (raw[0] == '#' || !*s)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(top); k++)
			if (raw == s && strncmp(s, top[k], strlen(top[k])) == 0 &&
			    s[strlen(top[k])] == '=')
				name = top[k];
		if (name) {
			char *value;

			err = labread_parse_value(&r, s + strlen(name) + 1, &value);
			if (err < 0)
				return err;
			err = ext_top(&r, name, value);
			if (err < 0)
				return err;
			continue;
		}
		if (kathara_ext_line(s))
			return labread_fail(
			        &r, "this is Kathara's lab.ext (host interfaces), which "
			            "containet does not read; its lab.ext holds KEY[ARG]=VALUE "
			            "lines");
		err = labread_parse_entry(&r, s, LABREAD_WORD_CHARS, LABREAD_EXT_ARG_CHARS, &e);
		if (err < 0)
			return err;
		if ((i = labconf_node_index(lab, e.name)) >= 0) {
			err = ext_node(&r, i, e.key, e.value);
		} else if ((i = labconf_segment_index(lab, e.name)) >= 0) {
			err = ext_segment(&r, i, e.key, e.value);
		} else {
			err = labread_fail(
			        &r, "'%.64s' is neither a node nor a segment of lab.conf", e.name);
		}
		if (err < 0)
			return err;
	}
	if (err < 0)
		return err;
	return ext_cross_check(&r);
}
