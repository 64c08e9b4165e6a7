#include "ctl.h"

#include "fdpass.h"
#include "tcvalue.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static const char *const op_names[] = {
	[CTL_ATTACH] = "attach",
	[CTL_DETACH] = "detach",
	[CTL_PORTS] = "ports",
	[CTL_FDB] = "fdb",
	[CTL_SEGMENT_ADD] = "segment-add",
	[CTL_SEGMENT_DEL] = "segment-del",
	[CTL_SEGMENTS] = "segments",
	[CTL_HOST_ADD] = "host-add",
	[CTL_HOST_DEL] = "host-del",
	[CTL_CAPTURE] = "capture",
	[CTL_CAPTURE_STOP] = "capture-stop",
	[CTL_CAPTURES] = "captures",
	[CTL_LINK_SET] = "link-set",
	[CTL_LINK_SHOW] = "link-show",
	[CTL_LEASES] = "leases",
	[CTL_VXLAN_ADD] = "vxlan-add",
	[CTL_VXLAN_DEL] = "vxlan-del",
	[CTL_FDB_ADD] = "fdb-add",
	[CTL_FDB_DEL] = "fdb-del",
};

const char *
ctl_op_name(enum ctl_op op)
{
	return (unsigned)op < ARRAY_SIZE(op_names) ? op_names[op] : "?";
}

/* The kernel's own rule (dev_valid_name), minus what a port name cannot carry. */
static bool
ifname_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || (unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

bool
ctl_segment_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CTL_SEGMENT_MAX || *s == '-' || *s == '.')
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.") == n;
}

bool
ctl_domain_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CTL_DOMAIN_MAX)
		return false;
	for (const char *l = s;;) {
		size_t k = strspn(
		        l, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-");

		if (k == 0 || k > 63 || l[0] == '-' || l[k - 1] == '-')
			return false;
		if (!l[k])
			return true;
		if (l[k] != '.')
			return false;
		l += k + 1;
	}
}

int
ctl_prefix_parse(const char *s, int family, void *ret_addr, unsigned *ret_len)
{
	char addr[CTL_PREFIX_MAX];
	const char *slash = strchr(s, '/');
	unsigned max = family == AF_INET ? 32 : 128, len = 0;
	size_t n;

	if (!slash || (size_t)(slash - s) >= sizeof(addr) || !slash[1])
		return -EINVAL;
	/* Decimal digits only, no sign, no leading zero: "24", never "+24" or "024". */
	n = strspn(slash + 1, "0123456789");
	if (slash[1 + n] || n > 3 || (n > 1 && slash[1] == '0'))
		return -EINVAL;
	for (const char *d = slash + 1; *d; d++)
		len = len * 10 + (*d - '0');
	if (len > max)
		return -EINVAL;
	memcpy(addr, s, slash - s);
	addr[slash - s] = '\0';
	if (inet_pton(family, addr, ret_addr) != 1)
		return -EINVAL;
	*ret_len = len;
	return 0;
}

int
ctl_port_name(const char *node, const char *ifname, char ret[CTL_PORT_NAME_MAX])
{
	int n = snprintf(ret, CTL_PORT_NAME_MAX, "%s-%s", node, ifname);

	return n < 0 || n >= CTL_PORT_NAME_MAX ? -ENAMETOOLONG : 0;
}

/* Copies string member key into ret (size bytes), if present; -1 when present but unusable. */
static int
copy_member(const cJSON *obj, const char *key, char *ret, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v)
		return 0;
	if (!cJSON_IsString(v) || strlen(v->valuestring) >= size)
		return -1;
	strcpy(ret, v->valuestring);
	return 1;
}

#define BAD(msg)                                                                                   \
	do {                                                                                       \
		*ret_error = (msg);                                                                \
		return -EBADMSG;                                                                   \
	} while (0)

/* The segment name of a request's "name" (required) or "segment" (optional) member. */
static int
segment_member(const cJSON *obj, const char *key, char ret[CTL_SEGMENT_MAX], bool required)
{
	int r = copy_member(obj, key, ret, CTL_SEGMENT_MAX);

	if (r < 0 || (r == 0 && required) || (r > 0 && !ctl_segment_valid(ret)))
		return -1;
	return 0;
}

/* An address with its prefix length in member key, if present. */
static int
prefix_member(const cJSON *obj, const char *key, int family, char ret[CTL_PREFIX_MAX])
{
	unsigned char addr[16];
	unsigned len;
	int r = copy_member(obj, key, ret, CTL_PREFIX_MAX);

	if (r < 0 || (r > 0 && ctl_prefix_parse(ret, family, addr, &len) < 0))
		return -1;
	return 0;
}

/* attach's "ipv4" or "ipv6": "auto", or an address with its prefix length. */
static int
assign_member(const cJSON *obj, const char *key, int family, char ret[CTL_PREFIX_MAX])
{
	int r = copy_member(obj, key, ret, CTL_PREFIX_MAX);

	if (r > 0 && !strcmp(ret, CTL_AUTO))
		return 0;
	return prefix_member(obj, key, family, ret);
}

static int
decode_attach(const cJSON *root, struct ctl_request *req, const char **ret_error)
{
	int r;

	if (copy_member(root, "ifname", req->ifname, sizeof(req->ifname)) <= 0 ||
	    !ifname_valid(req->ifname))
		BAD("attach needs \"ifname\", a valid interface name");
	r = copy_member(root, "segment", req->segment, sizeof(req->segment));
	if (r < 0 || (r && !ctl_segment_valid(req->segment)))
		BAD("\"segment\" is not a valid segment name (1-31 of A-Z a-z 0-9 _ - .)");
	if (assign_member(root, "ipv4", AF_INET, req->ipv4) < 0)
		BAD("\"ipv4\" is neither \"auto\" nor an IPv4 address with its prefix length");
	if (assign_member(root, "ipv6", AF_INET6, req->ipv6) < 0)
		BAD("\"ipv6\" is neither \"auto\" nor an IPv6 address with its prefix length");
	r = copy_member(root, "hostname", req->hostname, sizeof(req->hostname));
	if (r < 0 || (r && !ident_valid(req->hostname)))
		BAD("\"hostname\" is not a valid host name (1-63 of A-Z a-z 0-9 - _ .)");
	return 0;
}

/* segment-add's addressing: the strings as given (the switch checks what they say). */
static int
decode_segment_add(const cJSON *root, struct ctl_request *req, const char **ret_error)
{
	const cJSON *v;
	int r;

	if (copy_member(root, "subnet", req->subnet, sizeof(req->subnet)) < 0)
		BAD("\"subnet\" is not a string A.B.C.D/L");
	if (copy_member(root, "service", req->service, sizeof(req->service)) < 0)
		BAD("\"service\" is not an address string");
	if (copy_member(root, "gateway", req->gateway, sizeof(req->gateway)) < 0)
		BAD("\"gateway\" is not an address string");
	if (copy_member(root, "dhcp", req->dhcp, sizeof(req->dhcp)) < 0)
		BAD("\"dhcp\" is not a range string FIRST-LAST");
	if (copy_member(root, "ipv6", req->ipv6, sizeof(req->ipv6)) < 0)
		BAD("\"ipv6\" is not a prefix string X::/64");
	v = cJSON_GetObjectItemCaseSensitive(root, "dns");
	if (v && !cJSON_IsBool(v))
		BAD("\"dns\" is not true or false");
	req->dns = cJSON_IsTrue(v);
	r = copy_member(root, "domain", req->domain, sizeof(req->domain));
	if (r < 0 || (r > 0 && !ctl_domain_valid(req->domain)))
		BAD("\"domain\" is not a DNS domain (labels of A-Z a-z 0-9 -, dot-separated)");
	v = cJSON_GetObjectItemCaseSensitive(root, "services");
	if (v && !cJSON_IsBool(v))
		BAD("\"services\" is not true or false");
	req->no_services = cJSON_IsFalse(v);
	if (copy_member(root, "slice", req->slice, sizeof(req->slice)) < 0)
		BAD("\"slice\" is not a string I/N");
	return 0;
}

/* The host-add request's fields. */
static int
decode_host_add(const cJSON *root, struct ctl_request *req, const char **ret_error)
{
	const cJSON *v;

	if (segment_member(root, "segment", req->segment, false) < 0)
		BAD("\"segment\" is not a valid segment name (1-31 of A-Z a-z 0-9 _ - .)");
	if (prefix_member(root, "ipv4", AF_INET, req->ipv4) < 0)
		BAD("\"ipv4\" is not an IPv4 address with its prefix length (A.B.C.D/L)");
	if (prefix_member(root, "ipv6", AF_INET6, req->ipv6) < 0)
		BAD("\"ipv6\" is not an IPv6 address with its prefix length (X::Y/L)");
	v = cJSON_GetObjectItemCaseSensitive(root, "masquerade");
	if (v && !cJSON_IsBool(v))
		BAD("\"masquerade\" is not true or false");
	req->masquerade = cJSON_IsTrue(v);
	if (req->masquerade && !req->ipv4[0])
		BAD("\"masquerade\" needs \"ipv4\": the host's address on the segment");
	return 0;
}

/* A whole number in [min, max], or -1. */
static int64_t
number_value(const cJSON *v, double min, double max)
{
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= min && v->valuedouble <= max) ||
	    v->valuedouble != (double)(int64_t)v->valuedouble)
		return -1;
	return (int64_t)v->valuedouble;
}

static bool
vlan_has(const uint64_t *set, unsigned vid)
{
	return set[vid / 64] >> (vid % 64) & 1;
}

/* attach's VLAN role: "access":N, or "trunk":[N,...] with an optional "native":N. */
static int
decode_vlan(const cJSON *root, struct ctl_vlan *ret, const char **ret_error)
{
	const cJSON *access = cJSON_GetObjectItemCaseSensitive(root, "access");
	const cJSON *trunk = cJSON_GetObjectItemCaseSensitive(root, "trunk");
	const cJSON *native = cJSON_GetObjectItemCaseSensitive(root, "native");
	const cJSON *e;
	int64_t vid;

	if (access && trunk)
		BAD("a port is \"access\" or \"trunk\", not both");
	if (native && !trunk)
		BAD("\"native\" goes with \"trunk\"");
	if (access) {
		vid = number_value(access, CTL_VLAN_MIN, CTL_VLAN_MAX);
		if (vid < 0)
			BAD("\"access\" is not a VLAN ID from 1 to 4094");
		ret->mode = CTL_VLAN_ACCESS;
		ret->access = (uint16_t)vid;
	}
	if (!trunk)
		return 0;
	if (!cJSON_IsArray(trunk))
		BAD("\"trunk\" is not a list of VLAN IDs");
	if (cJSON_GetArraySize(trunk) > CTL_VLAN_MAX)
		BAD("\"trunk\" lists more than 4094 VLANs");
	ret->mode = CTL_VLAN_TRUNK;
	cJSON_ArrayForEach(e, trunk)
	{
		vid = number_value(e, CTL_VLAN_MIN, CTL_VLAN_MAX);
		if (vid < 0)
			BAD("\"trunk\" holds something other than a VLAN ID from 1 to 4094");
		if (vlan_has(ret->trunk, (unsigned)vid))
			BAD("\"trunk\" lists a VLAN twice");
		ret->trunk[vid / 64] |= 1ULL << (vid % 64);
	}
	if (native) {
		vid = number_value(native, CTL_VLAN_MIN, CTL_VLAN_MAX);
		if (vid < 0)
			BAD("\"native\" is not a VLAN ID from 1 to 4094");
		ret->native = (uint16_t)vid;
	}
	if (!cJSON_GetArraySize(trunk) && !ret->native)
		BAD("\"trunk\" carries no VLAN: list some, or give \"native\"");
	return 0;
}

/* capture's "ports" and "segments" lists, and "snaplen" and "count". */
static int
decode_capture(const cJSON *root, struct ctl_request *req, const char **ret_error)
{
	const cJSON *ports = cJSON_GetObjectItemCaseSensitive(root, "ports");
	const cJSON *segs = cJSON_GetObjectItemCaseSensitive(root, "segments");
	const cJSON *v, *e;
	int64_t n;

	if (ports && (!cJSON_IsArray(ports) || cJSON_GetArraySize(ports) > CTL_CAPTURE_NAMES))
		BAD("\"ports\" is not a list of at most 64 port names");
	if (segs && (!cJSON_IsArray(segs) || cJSON_GetArraySize(segs) > CTL_CAPTURE_NAMES))
		BAD("\"segments\" is not a list of at most 64 segment names");
	cJSON_ArrayForEach(e, ports)
	{
		if (!cJSON_IsString(e) || !e->valuestring[0] ||
		    strlen(e->valuestring) >= CTL_PORT_NAME_MAX)
			BAD("\"ports\" holds something other than a port name");
		strcpy(req->cap_ports[req->n_cap_ports++], e->valuestring);
	}
	cJSON_ArrayForEach(e, segs)
	{
		if (!cJSON_IsString(e) || !ctl_segment_valid(e->valuestring))
			BAD("\"segments\" holds something other than a segment name");
		strcpy(req->cap_segments[req->n_cap_segments++], e->valuestring);
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "snaplen");
	if (v) {
		n = number_value(v, 64, CTL_SNAPLEN_DEFAULT);
		if (n < 0)
			BAD("\"snaplen\" is not a whole number from 64 to 262144");
		req->snaplen = (uint32_t)n;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "count");
	if (v) {
		n = number_value(v, 1, 1e15);
		if (n < 0)
			BAD("\"count\" is not a whole number from 1 to 10^15");
		req->count = (uint64_t)n;
	}
	return 0;
}

/* The link settings' names on the wire and in the CLI, in CTL_LINK_* bit order. */
static const char *const link_keys[] = {
	"delay",   "jitter",  "distribution", "loss",  "loss_ge", "duplicate",
	"corrupt", "reorder", "rate",         "limit", "seed",
};
static const char *const dir_names[] = { "egress", "ingress" };

/* What each setting takes, for error texts. */
static const char *const link_wants[] = {
	"a time as tc writes it (20ms, 1.5s, 100us)",
	"a time as tc writes it (20ms, 1.5s, 100us)",
	"uniform or normal",
	"a percentage from 0% to 100% (0.5%)",
	"p[,r[,1-h[,1-k]]], percentages (1%,25%)",
	"a percentage from 0% to 100% (0.5%)",
	"a percentage from 0% to 100% (0.5%)",
	"a percentage from 0% to 100% (0.5%)",
	"a rate as tc writes it (10mbit, 1gbit, 500kbps)",
	"a whole number from 1 to 4294967295",
	"a whole number from 0 to 2^53-1",
};

/* One setting k from its text; -EINVAL or -ERANGE when the text is not one. */
static int
link_value(struct ctl_link *l, unsigned k, const char *v)
{
	uint64_t u = 0;
	double d = 0, ge[4];
	int r = 0;

	switch (1U << k) {
	case CTL_LINK_DELAY:
	case CTL_LINK_JITTER:
		r = tcvalue_duration(v, &u);
		if (!r)
			*(k == 0 ? &l->delay_ns : &l->jitter_ns) = u;
		break;
	case CTL_LINK_DISTRIBUTION:
		if (strcmp(v, "uniform") && strcmp(v, "normal"))
			return -EINVAL;
		l->normal = !strcmp(v, "normal");
		break;
	case CTL_LINK_LOSS:
	case CTL_LINK_DUPLICATE:
	case CTL_LINK_CORRUPT:
	case CTL_LINK_REORDER:
		r = tcvalue_percent(v, &d);
		if (!r)
			*(k == 3   ? &l->loss
			  : k == 5 ? &l->duplicate
			  : k == 6 ? &l->corrupt
			           : &l->reorder) = d;
		break;
	case CTL_LINK_LOSS_GE:
		r = tcvalue_loss_ge(v, ge);
		if (!r)
			memcpy(l->ge, ge, sizeof(ge));
		break;
	case CTL_LINK_RATE:
		r = tcvalue_rate(v, &l->rate_bps);
		break;
	case CTL_LINK_LIMIT:
	case CTL_LINK_SEED:
		if (!v[0] || strspn(v, "0123456789") != strlen(v) || strlen(v) > 16)
			return -EINVAL;
		u = strtoull(v, NULL, 10);
		if (k == 9 && (u < 1 || u > UINT32_MAX))
			return -ERANGE;
		if (k == 10 && u > CTL_SEED_MAX)
			return -ERANGE;
		if (k == 9)
			l->limit = u;
		else
			l->seed = u;
		break;
	}
	if (r < 0)
		return r;
	/* loss and loss_ge replace each other. */
	if (k == 3)
		l->set &= ~CTL_LINK_LOSS_GE;
	if (k == 4)
		l->set &= ~CTL_LINK_LOSS;
	l->set |= 1U << k;
	return 0;
}

/* The text of setting k of l. */
static void
link_text(const struct ctl_link *l, unsigned k, char ret[4 * TCVALUE_TEXT_MAX])
{
	switch (1U << k) {
	case CTL_LINK_DELAY:
		tcvalue_format_duration(l->delay_ns, ret);
		break;
	case CTL_LINK_JITTER:
		tcvalue_format_duration(l->jitter_ns, ret);
		break;
	case CTL_LINK_DISTRIBUTION:
		strcpy(ret, l->normal ? "normal" : "uniform");
		break;
	case CTL_LINK_LOSS:
		tcvalue_format_percent(l->loss, ret);
		break;
	case CTL_LINK_LOSS_GE:
		tcvalue_format_loss_ge(l->ge, ret);
		break;
	case CTL_LINK_DUPLICATE:
		tcvalue_format_percent(l->duplicate, ret);
		break;
	case CTL_LINK_CORRUPT:
		tcvalue_format_percent(l->corrupt, ret);
		break;
	case CTL_LINK_REORDER:
		tcvalue_format_percent(l->reorder, ret);
		break;
	case CTL_LINK_RATE:
		tcvalue_format_rate(l->rate_bps, ret);
		break;
	case CTL_LINK_LIMIT:
		snprintf(ret, TCVALUE_TEXT_MAX, "%u", l->limit);
		break;
	case CTL_LINK_SEED:
		snprintf(ret, TCVALUE_TEXT_MAX, "%llu", (unsigned long long)l->seed);
		break;
	}
}

/* The link-set request's fields; the error names the field. */
static int
decode_link_set(const cJSON *root, struct ctl_request *req, const char **ret_error)
{
	static char why[160];
	const cJSON *v;
	const char *s;

	s = json_string(root, "dir");
	v = cJSON_GetObjectItemCaseSensitive(root, "dir");
	req->dir = CTL_DIR_EGRESS;
	if (v && (!s || (strcmp(s, "egress") && strcmp(s, "ingress") && strcmp(s, "both"))))
		BAD("\"dir\" is not egress, ingress or both");
	if (s)
		req->dir = !strcmp(s, "egress")    ? CTL_DIR_EGRESS
		           : !strcmp(s, "ingress") ? CTL_DIR_INGRESS
		                                   : CTL_DIR_BOTH;
	for (unsigned k = 0; k < ARRAY_SIZE(link_keys); k++) {
		char num[32];

		v = cJSON_GetObjectItemCaseSensitive(root, link_keys[k]);
		if (!v)
			continue;
		s = v->valuestring;
		if ((1U << k) & (CTL_LINK_LIMIT | CTL_LINK_SEED)) {
			/* Whole numbers: JSON numbers, checked as their decimal text. */
			s = NULL;
			if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 0x1p63 &&
			    v->valuedouble == (double)(uint64_t)v->valuedouble) {
				snprintf(num, sizeof(num), "%llu",
				         (unsigned long long)v->valuedouble);
				s = num;
			}
		} else if (!cJSON_IsString(v)) {
			s = NULL;
		}
		if (!s || link_value(&req->link, k, s) < 0) {
			snprintf(why, sizeof(why), "\"%s\" is not %s", link_keys[k], link_wants[k]);
			BAD(why);
		}
	}
	s = json_string(root, "carrier");
	v = cJSON_GetObjectItemCaseSensitive(root, "carrier");
	if (v && (!s || (strcmp(s, "up") && strcmp(s, "down"))))
		BAD("\"carrier\" is not up or down");
	req->carrier = !s ? CTL_CARRIER_KEEP : !strcmp(s, "up") ? CTL_CARRIER_UP : CTL_CARRIER_DOWN;
	v = cJSON_GetObjectItemCaseSensitive(root, "clear");
	if (v && !cJSON_IsBool(v))
		BAD("\"clear\" is not true or false");
	req->clear = cJSON_IsTrue(v);
	if (!req->link.set && req->carrier == CTL_CARRIER_KEEP && !req->clear)
		BAD("link-set needs a setting, \"carrier\" or \"clear\"");
	return 0;
}

/* "port" or "segment" of a link request: exactly one for link-set, at most one for show. */
static int
decode_link_target(const cJSON *root, struct ctl_request *req, bool required,
                   const char **ret_error)
{
	int has_port = copy_member(root, "port", req->port, sizeof(req->port));

	if (has_port < 0 || (has_port && !req->port[0]))
		BAD("\"port\" is not a valid port name");
	if (segment_member(root, "segment", req->segment, false) < 0)
		BAD("\"segment\" is not a valid segment name (1-31 of A-Z a-z 0-9 _ - .)");
	if (has_port && req->segment[0])
		BAD("a link is a \"port\" or a \"segment\", not both");
	if (required && !has_port && !req->segment[0])
		BAD("link-set needs \"port\" or \"segment\"");
	return 0;
}

static int
encode_link(cJSON *o, const struct ctl_link *l)
{
	char text[4 * TCVALUE_TEXT_MAX];

	for (unsigned k = 0; k < ARRAY_SIZE(link_keys); k++) {
		if (!(l->set & (1U << k)))
			continue;
		if ((1U << k) & CTL_LINK_LIMIT) {
			if (!cJSON_AddNumberToObject(o, link_keys[k], l->limit))
				return -ENOMEM;
			continue;
		}
		if ((1U << k) & CTL_LINK_SEED) {
			if (!cJSON_AddNumberToObject(o, link_keys[k], (double)l->seed))
				return -ENOMEM;
			continue;
		}
		link_text(l, k, text);
		if (!cJSON_AddStringToObject(o, link_keys[k], text))
			return -ENOMEM;
	}
	return 0;
}

/* An IPv4 or IPv6 address in ret (CTL_ADDR_MAX bytes); false when it is not one. */
static bool
addr_valid(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

static int
addr_member(const cJSON *v, char ret[CTL_ADDR_MAX])
{
	if (!cJSON_IsString(v) || strlen(v->valuestring) >= CTL_ADDR_MAX ||
	    !addr_valid(v->valuestring))
		return -1;
	strcpy(ret, v->valuestring);
	return 0;
}

/* The vxlan-add request's fields. */
static int
decode_vxlan_add(const cJSON *root, struct ctl_request *req, const char **ret_error)
{
	const cJSON *v, *e;

	v = cJSON_GetObjectItemCaseSensitive(root, "vni");
	if (!v)
		BAD("vxlan-add needs \"vni\"");
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= CTL_VNI_MAX) ||
	    v->valuedouble != (uint32_t)v->valuedouble)
		BAD("\"vni\" is not a whole number from 0 to 16777215");
	req->vni = (uint32_t)v->valuedouble;
	req->has_vni = true;
	v = cJSON_GetObjectItemCaseSensitive(root, "remote");
	if (cJSON_IsString(v)) {
		if (addr_member(v, req->remote[0]) < 0)
			BAD("\"remote\" is not an IPv4 or IPv6 address");
		req->nremote = 1;
	} else if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(e, v)
		{
			if (req->nremote == CTL_REMOTES_MAX)
				BAD("\"remote\" has more than 16 addresses");
			if (addr_member(e, req->remote[req->nremote]) < 0)
				BAD("\"remote\" has an item that is not an IPv4 or IPv6 address");
			req->nremote++;
		}
	}
	if (!req->nremote)
		BAD("vxlan-add needs \"remote\", one address or a list of them");
	v = cJSON_GetObjectItemCaseSensitive(root, "local");
	if (v && addr_member(v, req->local) < 0)
		BAD("\"local\" is not an IPv4 or IPv6 address");
	v = cJSON_GetObjectItemCaseSensitive(root, "dstport");
	if (v && (!cJSON_IsNumber(v) || !(v->valuedouble >= 1 && v->valuedouble <= 65535) ||
	          v->valuedouble != (uint16_t)v->valuedouble))
		BAD("\"dstport\" is not a whole number from 1 to 65535");
	req->dstport = v ? (uint16_t)v->valuedouble : 0;
	if (segment_member(root, "segment", req->segment, false) < 0)
		BAD("\"segment\" is not a valid segment name (1-31 of A-Z a-z 0-9 _ - .)");
	return 0;
}

/* The fdb-add and fdb-del requests' fields. */
static int
decode_fdb_edit(const cJSON *root, struct ctl_request *req, const char **ret_error)
{
	const char *mac = json_string(root, "mac");
	const cJSON *v;

	if (!mac || mac_parse(mac, req->mac) < 0)
		BAD("\"mac\" is not a MAC address (xx:xx:xx:xx:xx:xx)");
	if ((req->mac[0] & 1) || !memcmp(req->mac, "\0\0\0\0\0\0", 6))
		BAD("\"mac\" must be a unicast address");
	if (req->op == CTL_FDB_DEL) {
		if (segment_member(root, "segment", req->segment, false) < 0)
			BAD("\"segment\" is not a valid segment name (1-31 of A-Z a-z 0-9 _ - .)");
		return 0;
	}
	if (copy_member(root, "port", req->port, sizeof(req->port)) <= 0 || !req->port[0])
		BAD("fdb-add needs \"port\", the port the address sits behind");
	v = cJSON_GetObjectItemCaseSensitive(root, "remote");
	if (v) {
		if (addr_member(v, req->remote[0]) < 0)
			BAD("\"remote\" is not an IPv4 or IPv6 address");
		req->nremote = 1;
	}
	return 0;
}

static int
encode_link_request(cJSON *o, const struct ctl_request *req)
{
	if (req->op == CTL_LINK_SET) {
		if (!cJSON_AddStringToObject(o, "dir",
		                             req->dir == CTL_DIR_BOTH      ? "both"
		                             : req->dir == CTL_DIR_INGRESS ? "ingress"
		                                                           : "egress"))
			return -ENOMEM;
		if (encode_link(o, &req->link) < 0)
			return -ENOMEM;
		if (req->carrier != CTL_CARRIER_KEEP &&
		    !cJSON_AddStringToObject(o, "carrier",
		                             req->carrier == CTL_CARRIER_UP ? "up" : "down"))
			return -ENOMEM;
		if (req->clear && !cJSON_AddTrueToObject(o, "clear"))
			return -ENOMEM;
	}
	return 0;
}

static const char *const counter_keys[] = {
	"delayed", "dropped_loss", "dropped_queue", "duplicated", "corrupted", "queued",
};

static uint64_t *
counter(struct ctl_link_counters *c, unsigned i)
{
	uint64_t *f[] = { &c->delayed,    &c->dropped_loss, &c->dropped_queue,
		          &c->duplicated, &c->corrupted,    &c->queued };

	return f[i];
}

cJSON *
ctl_link_to_json(const struct ctl_link_entry *e)
{
	_cleanup_json_ cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	if (e->port[0] && (!cJSON_AddStringToObject(o, "port", e->port) ||
	                   !cJSON_AddStringToObject(o, "carrier", e->carrier_down ? "down" : "up")))
		return NULL;
	if (!cJSON_AddStringToObject(o, "segment", e->segment))
		return NULL;
	for (unsigned d = 0; d < 2; d++) {
		cJSON *dir = cJSON_AddObjectToObject(o, dir_names[d]);
		struct ctl_link_counters c = e->cnt[d];

		if (!dir || encode_link(dir, &e->dir[d]) < 0)
			return NULL;
		for (unsigned i = 0; e->port[0] && i < ARRAY_SIZE(counter_keys); i++)
			if (!cJSON_AddNumberToObject(dir, counter_keys[i], *counter(&c, i)))
				return NULL;
	}
	return TAKE_PTR(o);
}

int
ctl_link_from_json(const cJSON *o, struct ctl_link_entry *ret)
{
	struct ctl_link_entry e = {};
	const char *carrier = json_string(o, "carrier");

	if (!cJSON_IsObject(o) || copy_member(o, "port", e.port, sizeof(e.port)) < 0 ||
	    copy_member(o, "segment", e.segment, sizeof(e.segment)) < 0)
		return -EBADMSG;
	e.carrier_down = carrier && !strcmp(carrier, "down");
	for (unsigned d = 0; d < 2; d++) {
		const cJSON *dir = cJSON_GetObjectItemCaseSensitive(o, dir_names[d]);
		struct ctl_request r = {};
		const char *err;

		if (!cJSON_IsObject(dir))
			continue;
		/* The settings read as a link-set's would; bad ones are left out. */
		for (unsigned k = 0; k < ARRAY_SIZE(link_keys); k++) {
			_cleanup_json_ cJSON *one = cJSON_CreateObject();
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(dir, link_keys[k]);

			if (!v || !one ||
			    !cJSON_AddItemToObject(one, link_keys[k], cJSON_Duplicate(v, false)))
				continue;
			r.link = e.dir[d];
			if (decode_link_set(one, &r, &err) == 0)
				e.dir[d] = r.link;
		}
		for (unsigned i = 0; i < ARRAY_SIZE(counter_keys); i++)
			*counter(&e.cnt[d], i) = json_uint(dir, counter_keys[i], 0);
	}
	*ret = e;
	return 0;
}

char *
ctl_reply_link_set(void)
{
	_cleanup_json_ cJSON *o = ctl_reply_ok();

	return o ? cJSON_PrintUnformatted(o) : NULL;
}

char *
ctl_reply_link_show(const struct ctl_link_entry *ports, size_t nports,
                    const struct ctl_link_entry *segments, size_t nsegments)
{
	_cleanup_json_ cJSON *o = ctl_reply_ok();
	cJSON *links, *segs;

	if (!o || !(links = cJSON_AddArrayToObject(o, "links")) ||
	    !(segs = cJSON_AddArrayToObject(o, "segments")))
		return NULL;
	for (size_t i = 0; i < nports + nsegments; i++) {
		cJSON *e = ctl_link_to_json(i < nports ? &ports[i] : &segments[i - nports]);

		if (!e || !cJSON_AddItemToArray(i < nports ? links : segs, e)) {
			cJSON_Delete(e);
			return NULL;
		}
	}
	return cJSON_PrintUnformatted(o);
}

void
ctl_link_format(const struct ctl_link *l, char *ret, size_t size)
{
	char text[4 * TCVALUE_TEXT_MAX];
	size_t n = 0;

	if (size)
		ret[0] = '\0';
	for (unsigned k = 0; k < ARRAY_SIZE(link_keys); k++) {
		if (!(l->set & (1U << k)))
			continue;
		link_text(l, k, text);
		n += snprintf(ret + (n < size ? n : size), n < size ? size - n : 0, "%s%s=%s",
		              n ? " " : "", link_keys[k], text);
	}
	if (!n && size > 1)
		snprintf(ret, size, "-");
}

int
ctl_link_parse_word(const char *word, struct ctl_link *l, const char **ret_error)
{
	static char why[200];
	const char *eq = strchr(word, '=');

	for (unsigned k = 0; eq && k < ARRAY_SIZE(link_keys); k++) {
		if (strlen(link_keys[k]) != (size_t)(eq - word) ||
		    strncmp(word, link_keys[k], eq - word))
			continue;
		if (link_value(l, k, eq + 1) == 0)
			return 0;
		snprintf(why, sizeof(why), "%s: '%.40s' is not %s", link_keys[k], eq + 1,
		         link_wants[k]);
		*ret_error = why;
		return -EINVAL;
	}
	snprintf(why, sizeof(why),
	         "unknown link setting '%.40s' (delay= jitter= distribution= loss= loss_ge= "
	         "duplicate= corrupt= reorder= rate= limit= seed=, or down, up, clear)",
	         word);
	*ret_error = why;
	return -EINVAL;
}

int
ctl_request_decode(const char *buf, size_t len, struct ctl_request *ret, const char **ret_error)
{
	const cJSON *v;
	_cleanup_json_ cJSON *root = NULL;
	struct ctl_request req = {};
	const char *end = NULL, *op;
	int has_node, has_port, r;

	if (len == 0)
		BAD("empty request");
	if (len > CTL_MSG_MAX)
		BAD("request too long");
	if (memchr(buf, '\0', len))
		BAD("request contains a NUL byte");
	root = cJSON_ParseWithLengthOpts(buf, len, &end, false);
	if (!root)
		BAD("request is not valid JSON");
	while (end < buf + len && strchr(" \t\r\n", *end))
		end++;
	if (end != buf + len)
		BAD("trailing data after the JSON request");
	if (json_has_nul(buf, len))
		BAD("a string in the request contains a NUL character (\\u0000)");
	if (!cJSON_IsObject(root))
		BAD("request is not a JSON object");
	op = json_string(root, "op");
	if (!op)
		BAD("request has no \"op\" string");
	for (req.op = 0; req.op < ARRAY_SIZE(op_names); req.op++)
		if (!strcmp(op, op_names[req.op]))
			break;
	if (req.op == ARRAY_SIZE(op_names))
		BAD("unknown op");

	has_node = copy_member(root, "node", req.node, sizeof(req.node));
	if (has_node < 0 || (has_node && !ident_valid(req.node)))
		BAD("\"node\" is not a valid identity (1-63 of A-Z a-z 0-9 - _ .)");
	switch (req.op) {
	case CTL_ATTACH:
		if (!has_node)
			BAD("attach needs \"node\"");
		r = decode_attach(root, &req, ret_error);
		if (r < 0)
			return r;
		r = decode_vlan(root, &req.vlan, ret_error);
		if (r < 0)
			return r;
		break;
	case CTL_DETACH:
		has_port = copy_member(root, "port", req.port, sizeof(req.port));
		if (has_port < 0 || (has_port && !req.port[0]))
			BAD("\"port\" is not a valid port name");
		if (has_port == has_node)
			BAD("detach needs exactly one of \"port\" and \"node\"");
		break;
	case CTL_SEGMENT_ADD:
		v = cJSON_GetObjectItemCaseSensitive(root, "mtu");
		if (v && (!cJSON_IsNumber(v) ||
		          !(v->valuedouble >= CTL_MTU_MIN && v->valuedouble <= CTL_MTU_MAX) ||
		          v->valuedouble != (uint32_t)v->valuedouble))
			BAD("\"mtu\" is not a whole number from 68 to 65535");
		req.mtu = v ? (uint32_t)v->valuedouble : 0;
		r = decode_segment_add(root, &req, ret_error);
		if (r < 0)
			return r;
		/* fall through */
	case CTL_SEGMENT_DEL:
		if (segment_member(root, "name", req.name, true) < 0)
			BAD("\"name\" is not a valid segment name (1-31 of A-Z a-z 0-9 _ - .)");
		break;
	case CTL_HOST_ADD:
		r = decode_host_add(root, &req, ret_error);
		if (r < 0)
			return r;
		/* fall through */
	case CTL_HOST_DEL:
		if (copy_member(root, "name", req.name, IFNAMSIZ) <= 0 || !ifname_valid(req.name))
			BAD("\"name\" is not a valid interface name");
		break;
	case CTL_CAPTURE:
		r = decode_capture(root, &req, ret_error);
		if (r < 0)
			return r;
		break;
	case CTL_CAPTURE_STOP:
		v = cJSON_GetObjectItemCaseSensitive(root, "capture");
		if (number_value(v, 0, UINT32_MAX) < 0)
			BAD("capture-stop needs \"capture\", the ID the capture request gave");
		req.capture = (uint32_t)v->valuedouble;
		break;
	case CTL_LINK_SET:
		r = decode_link_target(root, &req, true, ret_error);
		if (r < 0)
			return r;
		r = decode_link_set(root, &req, ret_error);
		if (r < 0)
			return r;
		break;
	case CTL_LINK_SHOW:
		r = decode_link_target(root, &req, false, ret_error);
		if (r < 0)
			return r;
		break;
	case CTL_LEASES:
		if (segment_member(root, "segment", req.segment, false) < 0)
			BAD("\"segment\" is not a valid segment name (1-31 of A-Z a-z 0-9 _ - .)");
		break;
	case CTL_VXLAN_ADD:
		r = decode_vxlan_add(root, &req, ret_error);
		if (r < 0)
			return r;
		/* fall through */
	case CTL_VXLAN_DEL:
		if (copy_member(root, "name", req.name, IFNAMSIZ) <= 0 || !ifname_valid(req.name))
			BAD("\"name\" is not a valid port name (an interface name: 1-15 characters)");
		break;
	case CTL_FDB_ADD:
	case CTL_FDB_DEL:
		r = decode_fdb_edit(root, &req, ret_error);
		if (r < 0)
			return r;
		break;
	case CTL_PORTS:
	case CTL_FDB:
	case CTL_SEGMENTS:
	case CTL_CAPTURES:
		break;
	}
	*ret = req;
	return 0;
}

/* A role's members, as attach takes them and "ports" shows them; none for no role. */
static int
vlan_to_json(cJSON *o, const struct ctl_vlan *v)
{
	cJSON *arr;

	switch (v->mode) {
	case CTL_VLAN_NONE:
		return 0;
	case CTL_VLAN_ACCESS:
		return cJSON_AddNumberToObject(o, "access", v->access) ? 0 : -ENOMEM;
	case CTL_VLAN_TRUNK:
		arr = cJSON_AddArrayToObject(o, "trunk");
		if (!arr)
			return -ENOMEM;
		for (unsigned vid = CTL_VLAN_MIN; vid <= CTL_VLAN_MAX; vid++) {
			cJSON *n;

			if (!vlan_has(v->trunk, vid))
				continue;
			n = cJSON_CreateNumber(vid);
			if (!n || !cJSON_AddItemToArray(arr, n)) {
				cJSON_Delete(n);
				return -ENOMEM;
			}
		}
		if (v->native && !cJSON_AddNumberToObject(o, "native", v->native))
			return -ENOMEM;
		return 0;
	}
	return 0;
}

static int
capture_to_json(cJSON *o, const struct ctl_request *req)
{
	cJSON *arr;

	if (req->n_cap_ports) {
		arr = cJSON_AddArrayToObject(o, "ports");
		for (uint32_t i = 0; arr && i < req->n_cap_ports; i++)
			if (!cJSON_AddItemToArray(arr, cJSON_CreateString(req->cap_ports[i])))
				return -ENOMEM;
		if (!arr)
			return -ENOMEM;
	}
	if (req->n_cap_segments) {
		arr = cJSON_AddArrayToObject(o, "segments");
		for (uint32_t i = 0; arr && i < req->n_cap_segments; i++)
			if (!cJSON_AddItemToArray(arr, cJSON_CreateString(req->cap_segments[i])))
				return -ENOMEM;
		if (!arr)
			return -ENOMEM;
	}
	if (req->snaplen && !cJSON_AddNumberToObject(o, "snaplen", req->snaplen))
		return -ENOMEM;
	if (req->count && !cJSON_AddNumberToObject(o, "count", (double)req->count))
		return -ENOMEM;
	return 0;
}

int
ctl_vlan_set_format(const uint64_t set[CTL_VLAN_WORDS], char *buf, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return -ENOSPC;
	buf[0] = '\0';
	for (unsigned v = CTL_VLAN_MIN; v <= CTL_VLAN_MAX; v++) {
		unsigned hi = v;
		int w;

		if (!vlan_has(set, v))
			continue;
		while (hi < CTL_VLAN_MAX && vlan_has(set, hi + 1))
			hi++;
		if (hi == v)
			w = snprintf(buf + n, size - n, "%s%u", n ? "," : "", v);
		else
			w = snprintf(buf + n, size - n, "%s%u-%u", n ? "," : "", v, hi);
		if (w < 0 || (size_t)w >= size - n) {
			buf[0] = '\0';
			return -ENOSPC;
		}
		n += (size_t)w;
		v = hi;
	}
	return (int)n;
}

void
ctl_vlan_describe(const struct ctl_vlan *v, char *buf, size_t size)
{
	char set[64];

	switch (v->mode) {
	case CTL_VLAN_ACCESS:
		snprintf(buf, size, "access %u", v->access);
		return;
	case CTL_VLAN_TRUNK:
		if (ctl_vlan_set_format(v->trunk, set, sizeof(set)) < 0)
			strcpy(set, "...");
		if (v->native)
			snprintf(buf, size, "trunk %s native %u", set[0] ? set : "-", v->native);
		else
			snprintf(buf, size, "trunk %s", set[0] ? set : "-");
		return;
	case CTL_VLAN_NONE:
		break;
	}
	snprintf(buf, size, "-");
}

/* A port's role from "access", or "trunk" and "native", as "ports" shows them. */
static int
vlan_from_json(const cJSON *o, struct ctl_vlan *ret)
{
	const char *err;

	return decode_vlan(o, ret, &err) < 0 ? -EBADMSG : 0;
}

char *
ctl_request_encode(const struct ctl_request *req)
{
	_cleanup_json_ cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddStringToObject(o, "op", ctl_op_name(req->op)))
		return NULL;
	if (req->node[0] && !cJSON_AddStringToObject(o, "node", req->node))
		return NULL;
	if (req->ifname[0] && !cJSON_AddStringToObject(o, "ifname", req->ifname))
		return NULL;
	if (req->port[0] && !cJSON_AddStringToObject(o, "port", req->port))
		return NULL;
	if (req->segment[0] && !cJSON_AddStringToObject(o, "segment", req->segment))
		return NULL;
	if (req->name[0] && !cJSON_AddStringToObject(o, "name", req->name))
		return NULL;
	if (req->mtu && !cJSON_AddNumberToObject(o, "mtu", req->mtu))
		return NULL;
	if (req->ipv4[0] && !cJSON_AddStringToObject(o, "ipv4", req->ipv4))
		return NULL;
	if (req->ipv6[0] && !cJSON_AddStringToObject(o, "ipv6", req->ipv6))
		return NULL;
	if (req->masquerade && !cJSON_AddTrueToObject(o, "masquerade"))
		return NULL;
	if (vlan_to_json(o, &req->vlan) < 0)
		return NULL;
	if (req->op == CTL_CAPTURE && capture_to_json(o, req) < 0)
		return NULL;
	if (req->op == CTL_CAPTURE_STOP && !cJSON_AddNumberToObject(o, "capture", req->capture))
		return NULL;
	if (encode_link_request(o, req) < 0)
		return NULL;
	if (req->hostname[0] && !cJSON_AddStringToObject(o, "hostname", req->hostname))
		return NULL;
	if (req->subnet[0] && !cJSON_AddStringToObject(o, "subnet", req->subnet))
		return NULL;
	if (req->service[0] && !cJSON_AddStringToObject(o, "service", req->service))
		return NULL;
	if (req->gateway[0] && !cJSON_AddStringToObject(o, "gateway", req->gateway))
		return NULL;
	if (req->dhcp[0] && !cJSON_AddStringToObject(o, "dhcp", req->dhcp))
		return NULL;
	if (req->dns && !cJSON_AddTrueToObject(o, "dns"))
		return NULL;
	if (req->domain[0] && !cJSON_AddStringToObject(o, "domain", req->domain))
		return NULL;
	if (req->no_services && !cJSON_AddFalseToObject(o, "services"))
		return NULL;
	if (req->slice[0] && !cJSON_AddStringToObject(o, "slice", req->slice))
		return NULL;
	if (req->has_vni && !cJSON_AddNumberToObject(o, "vni", req->vni))
		return NULL;
	if (req->op == CTL_VXLAN_ADD) {
		cJSON *arr = cJSON_AddArrayToObject(o, "remote");

		if (!arr)
			return NULL;
		for (unsigned i = 0; i < req->nremote; i++) {
			cJSON *e = cJSON_CreateString(req->remote[i]);

			if (!e || !cJSON_AddItemToArray(arr, e))
				return NULL;
		}
	} else if (req->nremote && !cJSON_AddStringToObject(o, "remote", req->remote[0])) {
		return NULL;
	}
	if (req->local[0] && !cJSON_AddStringToObject(o, "local", req->local))
		return NULL;
	if (req->dstport && !cJSON_AddNumberToObject(o, "dstport", req->dstport))
		return NULL;
	if (req->op == CTL_FDB_ADD || req->op == CTL_FDB_DEL) {
		char mac[MAC_STRLEN];

		mac_format(req->mac, mac);
		if (!cJSON_AddStringToObject(o, "mac", mac))
			return NULL;
	}
	return cJSON_PrintUnformatted(o);
}

cJSON *
ctl_reply_ok(void)
{
	cJSON *o = cJSON_CreateObject();

	if (o && !cJSON_AddTrueToObject(o, "ok"))
		o = (cJSON_Delete(o), NULL);
	return o;
}

char *
ctl_reply_error(const char *fmt, ...)
{
	_cleanup_json_ cJSON *o = cJSON_CreateObject();
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!o || !cJSON_AddFalseToObject(o, "ok") || !cJSON_AddStringToObject(o, "error", text))
		return NULL;
	return cJSON_PrintUnformatted(o);
}

/* The member holding the list of a listing op's reply. */
static const char *
list_name(enum ctl_op op)
{
	switch (op) {
	case CTL_PORTS:
		return "ports";
	case CTL_FDB:
		return "fdb";
	case CTL_SEGMENTS:
		return "segments";
	case CTL_LEASES:
		return "leases";
	case CTL_CAPTURES:
		return "captures";
	case CTL_LINK_SHOW:
		return "links";
	default:
		return NULL;
	}
}

cJSON *
ctl_reply_list(enum ctl_op op, cJSON **ret_list)
{
	_cleanup_json_ cJSON *o = NULL;
	const char *name = list_name(op);

	if (!name || !(o = ctl_reply_ok()) || !(*ret_list = cJSON_AddArrayToObject(o, name)))
		return NULL;
	return TAKE_PTR(o);
}

const cJSON *
ctl_reply_list_get(const cJSON *reply, enum ctl_op op)
{
	const char *name = list_name(op);
	const cJSON *list = name ? cJSON_GetObjectItemCaseSensitive(reply, name) : NULL;

	return cJSON_IsArray(list) ? list : NULL;
}

char *
ctl_reply_detach(unsigned n)
{
	_cleanup_json_ cJSON *o = ctl_reply_ok();

	if (!o || !cJSON_AddNumberToObject(o, "detached", n))
		return NULL;
	return cJSON_PrintUnformatted(o);
}

char *
ctl_reply_port(const char *name, const char *segment)
{
	_cleanup_json_ cJSON *o = ctl_reply_ok();

	if (!o || !cJSON_AddStringToObject(o, "port", name) ||
	    (segment && !cJSON_AddStringToObject(o, "segment", segment)))
		return NULL;
	return cJSON_PrintUnformatted(o);
}

cJSON *
ctl_segment_to_json(const struct ctl_segment *s)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	if (!cJSON_AddStringToObject(o, "name", s->name) ||
	    !cJSON_AddNumberToObject(o, "mtu", s->mtu) ||
	    !cJSON_AddNumberToObject(o, "ports", s->ports) ||
	    (s->subnet[0] && !cJSON_AddStringToObject(o, "subnet", s->subnet)) ||
	    (s->service[0] && !cJSON_AddStringToObject(o, "service", s->service)) ||
	    (s->gateway[0] && !cJSON_AddStringToObject(o, "gateway", s->gateway)) ||
	    (s->dhcp[0] && !cJSON_AddStringToObject(o, "dhcp", s->dhcp)) ||
	    (s->ipv6[0] && !cJSON_AddStringToObject(o, "ipv6", s->ipv6)) ||
	    (s->dns && !cJSON_AddTrueToObject(o, "dns")) ||
	    (s->domain[0] && !cJSON_AddStringToObject(o, "domain", s->domain)) ||
	    (s->no_services && !cJSON_AddFalseToObject(o, "services")) ||
	    (s->slice[0] && !cJSON_AddStringToObject(o, "slice", s->slice)) ||
	    (s->subnet[0] && (!cJSON_AddNumberToObject(o, "addresses", s->addresses) ||
	                      !cJSON_AddNumberToObject(o, "leased", s->leased))) ||
	    (s->has_endpoint &&
	     !cJSON_AddNumberToObject(o, "endpoint_drops", (double)s->endpoint_drops))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int
ctl_segment_from_json(const cJSON *o, struct ctl_segment *ret)
{
	struct ctl_segment s = {};

	if (!cJSON_IsObject(o) || copy_member(o, "name", s.name, sizeof(s.name)) <= 0)
		return -EBADMSG;
	s.mtu = json_uint(o, "mtu", 0) <= CTL_MTU_MAX ? json_uint(o, "mtu", 0) : 0;
	s.ports = json_uint(o, "ports", 0) <= UINT32_MAX ? json_uint(o, "ports", 0) : 0;
	if (copy_member(o, "subnet", s.subnet, sizeof(s.subnet)) < 0 ||
	    copy_member(o, "service", s.service, sizeof(s.service)) < 0 ||
	    copy_member(o, "gateway", s.gateway, sizeof(s.gateway)) < 0 ||
	    copy_member(o, "dhcp", s.dhcp, sizeof(s.dhcp)) < 0 ||
	    copy_member(o, "ipv6", s.ipv6, sizeof(s.ipv6)) < 0 ||
	    copy_member(o, "domain", s.domain, sizeof(s.domain)) < 0 ||
	    copy_member(o, "slice", s.slice, sizeof(s.slice)) < 0)
		return -EBADMSG;
	s.dns = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "dns"));
	s.no_services = cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(o, "services"));
	s.addresses = json_uint(o, "addresses", 0) <= UINT32_MAX ? json_uint(o, "addresses", 0) : 0;
	s.leased = json_uint(o, "leased", 0) <= UINT32_MAX ? json_uint(o, "leased", 0) : 0;
	s.has_endpoint = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "endpoint_drops"));
	s.endpoint_drops = json_uint(o, "endpoint_drops", 0);
	*ret = s;
	return 0;
}

char *
ctl_reply_attach(const char *name, const char *segment, const struct ctl_assign *a)
{
	_cleanup_json_ cJSON *o = ctl_reply_ok();
	cJSON *dns;

	if (!o || !cJSON_AddStringToObject(o, "port", name) ||
	    !cJSON_AddStringToObject(o, "segment", segment))
		return NULL;
	if (a->ipv4[0] && !cJSON_AddStringToObject(o, "ipv4", a->ipv4))
		return NULL;
	if (a->gateway[0] && !cJSON_AddStringToObject(o, "gateway", a->gateway))
		return NULL;
	if (a->ndns) {
		dns = cJSON_AddArrayToObject(o, "dns");
		for (unsigned i = 0; dns && i < a->ndns && i < CTL_DNS_MAX; i++)
			if (!cJSON_AddItemToArray(dns, cJSON_CreateString(a->dns[i])))
				dns = NULL;
		if (!dns)
			return NULL;
	}
	if (a->mtu && !cJSON_AddNumberToObject(o, "mtu", a->mtu))
		return NULL;
	if (a->ipv6[0] && !cJSON_AddStringToObject(o, "ipv6", a->ipv6))
		return NULL;
	if (a->domain[0] && !cJSON_AddStringToObject(o, "domain", a->domain))
		return NULL;
	return cJSON_PrintUnformatted(o);
}

int
ctl_assign_from_json(const cJSON *o, struct ctl_assign *ret)
{
	struct ctl_assign a = {};
	const cJSON *dns = cJSON_GetObjectItemCaseSensitive(o, "dns"), *e;
	unsigned char addr[16];
	unsigned len;

	if (copy_member(o, "ipv4", a.ipv4, sizeof(a.ipv4)) < 0 ||
	    copy_member(o, "gateway", a.gateway, sizeof(a.gateway)) < 0 ||
	    copy_member(o, "ipv6", a.ipv6, sizeof(a.ipv6)) < 0 ||
	    copy_member(o, "domain", a.domain, sizeof(a.domain)) < 0)
		return -EBADMSG;
	if ((a.domain[0] && !ctl_domain_valid(a.domain)) ||
	    (a.ipv4[0] && ctl_prefix_parse(a.ipv4, AF_INET, addr, &len) < 0) ||
	    (a.gateway[0] && inet_pton(AF_INET, a.gateway, addr) != 1) ||
	    (a.ipv6[0] && ctl_prefix_parse(a.ipv6, AF_INET6, addr, &len) < 0))
		return -EBADMSG;
	if (dns && !cJSON_IsArray(dns))
		return -EBADMSG;
	cJSON_ArrayForEach(e, dns)
	{
		if (a.ndns == CTL_DNS_MAX)
			break;
		if (!cJSON_IsString(e) || strlen(e->valuestring) >= CTL_ADDR_MAX ||
		    (inet_pton(AF_INET, e->valuestring, addr) != 1 &&
		     inet_pton(AF_INET6, e->valuestring, addr) != 1))
			return -EBADMSG;
		strcpy(a.dns[a.ndns++], e->valuestring);
	}
	a.mtu = json_uint(o, "mtu", 0) <= CTL_MTU_MAX ? json_uint(o, "mtu", 0) : 0;
	*ret = a;
	return 0;
}

cJSON *
ctl_lease_to_json(const struct ctl_lease *l)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	if (!cJSON_AddStringToObject(o, "segment", l->segment) ||
	    !cJSON_AddStringToObject(o, "kind", l->kind) ||
	    !cJSON_AddStringToObject(o, "ipv4", l->ipv4) ||
	    (l->node[0] && !cJSON_AddStringToObject(o, "node", l->node)) ||
	    (l->ifname[0] && !cJSON_AddStringToObject(o, "ifname", l->ifname)) ||
	    (l->mac[0] && !cJSON_AddStringToObject(o, "mac", l->mac)) ||
	    (l->mac[0] && !cJSON_AddNumberToObject(o, "expires", l->expires)) ||
	    (!l->mac[0] && !cJSON_AddBoolToObject(o, "attached", l->attached))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int
ctl_lease_from_json(const cJSON *o, struct ctl_lease *ret)
{
	struct ctl_lease l = {};

	if (!cJSON_IsObject(o) || copy_member(o, "segment", l.segment, sizeof(l.segment)) <= 0 ||
	    copy_member(o, "kind", l.kind, sizeof(l.kind)) <= 0 ||
	    copy_member(o, "ipv4", l.ipv4, sizeof(l.ipv4)) <= 0 ||
	    copy_member(o, "node", l.node, sizeof(l.node)) < 0 ||
	    copy_member(o, "ifname", l.ifname, sizeof(l.ifname)) < 0 ||
	    copy_member(o, "mac", l.mac, sizeof(l.mac)) < 0)
		return -EBADMSG;
	l.expires = json_uint(o, "expires", 0);
	l.attached = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "attached"));
	*ret = l;
	return 0;
}

char *
ctl_reply_segment(const struct ctl_segment *s)
{
	_cleanup_json_ cJSON *o = ctl_reply_ok();
	cJSON *e = ctl_segment_to_json(s);

	if (!o || !e || !cJSON_AddItemToObject(o, "segment", e)) {
		cJSON_Delete(e);
		return NULL;
	}
	return cJSON_PrintUnformatted(o);
}

static int
port_vxlan_to_json(cJSON *o, const struct ctl_port_vxlan *v)
{
	cJSON *arr, *drops;

	if (!cJSON_AddNumberToObject(o, "vni", v->vni) ||
	    !(arr = cJSON_AddArrayToObject(o, "remote")))
		return -ENOMEM;
	for (unsigned i = 0; i < v->nremote && i < CTL_REMOTES_MAX; i++)
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(v->remote[i])))
			return -ENOMEM;
	if ((v->local[0] && !cJSON_AddStringToObject(o, "local", v->local)) ||
	    !cJSON_AddNumberToObject(o, "dstport", v->dstport) ||
	    !cJSON_AddNumberToObject(o, "underlay_mtu", v->underlay_mtu) ||
	    !cJSON_AddNumberToObject(o, "gro_merged", (double)v->gro_merged) ||
	    !cJSON_AddNumberToObject(o, "gro_segments", (double)v->gro_segments) ||
	    !(drops = cJSON_AddObjectToObject(o, "vxlan_drops")))
		return -ENOMEM;
	for (unsigned i = 0; i < v->ndrops && i < CTL_VXLAN_DROPS_MAX; i++)
		if (!cJSON_AddNumberToObject(drops, v->drop_reason[i], (double)v->drops[i]))
			return -ENOMEM;
	return 0;
}

cJSON *
ctl_port_to_json(const struct ctl_port *p)
{
	cJSON *o = cJSON_CreateObject();
	char mac[MAC_STRLEN];

	if (!o)
		return NULL;
	mac_format(p->mac, mac);
	if (!cJSON_AddStringToObject(o, "name", p->name) ||
	    !cJSON_AddStringToObject(o, "node", p->node) ||
	    !cJSON_AddStringToObject(o, "ifname", p->ifname) ||
	    !cJSON_AddStringToObject(o, "state", p->state) ||
	    !cJSON_AddStringToObject(o, "kind", p->kind) ||
	    !cJSON_AddStringToObject(o, "segment", p->segment) ||
	    (p->has_mac && !cJSON_AddStringToObject(o, "mac", mac)) ||
	    (p->ipv4[0] && !cJSON_AddStringToObject(o, "ipv4", p->ipv4)) ||
	    !cJSON_AddNumberToObject(o, "rx_frames", p->rx_frames) ||
	    !cJSON_AddNumberToObject(o, "rx_bytes", p->rx_bytes) ||
	    !cJSON_AddNumberToObject(o, "tx_frames", p->tx_frames) ||
	    !cJSON_AddNumberToObject(o, "tx_bytes", p->tx_bytes) ||
	    !cJSON_AddNumberToObject(o, "drops", p->drops) || vlan_to_json(o, &p->vlan) < 0 ||
	    !cJSON_AddNumberToObject(o, "rx_drops", p->rx_drops) ||
	    !cJSON_AddNumberToObject(o, "tx_drops", p->tx_drops) ||
	    (p->has_vxlan && port_vxlan_to_json(o, &p->vxlan) < 0)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int
ctl_port_from_json(const cJSON *o, struct ctl_port *ret)
{
	struct ctl_port p = {};
	const char *mac;

	if (!cJSON_IsObject(o) || copy_member(o, "name", p.name, sizeof(p.name)) <= 0 ||
	    copy_member(o, "node", p.node, sizeof(p.node)) < 0 ||
	    copy_member(o, "ifname", p.ifname, sizeof(p.ifname)) < 0 ||
	    copy_member(o, "state", p.state, sizeof(p.state)) < 0 ||
	    copy_member(o, "kind", p.kind, sizeof(p.kind)) < 0 ||
	    copy_member(o, "segment", p.segment, sizeof(p.segment)) < 0 ||
	    copy_member(o, "ipv4", p.ipv4, sizeof(p.ipv4)) < 0)
		return -EBADMSG;
	mac = json_string(o, "mac");
	if (mac && mac_parse(mac, p.mac) < 0)
		return -EBADMSG;
	p.has_mac = mac;
	if (vlan_from_json(o, &p.vlan) < 0)
		return -EBADMSG;
	p.rx_frames = json_uint(o, "rx_frames", 0);
	p.rx_bytes = json_uint(o, "rx_bytes", 0);
	p.tx_frames = json_uint(o, "tx_frames", 0);
	p.tx_bytes = json_uint(o, "tx_bytes", 0);
	p.drops = json_uint(o, "drops", 0);
	p.rx_drops = json_uint(o, "rx_drops", 0);
	p.tx_drops = json_uint(o, "tx_drops", 0);
	*ret = p;
	return 0;
}

cJSON *
ctl_fdb_to_json(const struct ctl_fdb_entry *e)
{
	cJSON *o = cJSON_CreateObject();
	char mac[MAC_STRLEN];

	if (!o)
		return NULL;
	mac_format(e->mac, mac);
	if (!cJSON_AddStringToObject(o, "mac", mac) ||
	    !cJSON_AddStringToObject(o, "port", e->port) ||
	    !cJSON_AddStringToObject(o, "segment", e->segment) ||
	    !cJSON_AddNumberToObject(o, "vlan", e->vlan) ||
	    !cJSON_AddNumberToObject(o, "age", e->age) ||
	    (e->remote[0] && !cJSON_AddStringToObject(o, "remote", e->remote)) ||
	    (e->fixed && !cJSON_AddTrueToObject(o, "static"))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int
ctl_fdb_from_json(const cJSON *o, struct ctl_fdb_entry *ret)
{
	struct ctl_fdb_entry e = {};
	const char *mac = json_string(o, "mac");

	if (!mac || mac_parse(mac, e.mac) < 0 ||
	    copy_member(o, "port", e.port, sizeof(e.port)) <= 0 ||
	    copy_member(o, "segment", e.segment, sizeof(e.segment)) < 0)
		return -EBADMSG;
	if (copy_member(o, "remote", e.remote, sizeof(e.remote)) < 0)
		return -EBADMSG;
	e.fixed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "static"));
	e.age = json_uint(o, "age", 0);
	e.vlan = json_uint(o, "vlan", 0) < 4096 ? json_uint(o, "vlan", 0) : 0;
	*ret = e;
	return 0;
}

int
ctl_fdb_counters_to_json(cJSON *reply, uint64_t learn_refused)
{
	return cJSON_AddNumberToObject(reply, "learn_refused", learn_refused) ? 0 : -ENOMEM;
}

cJSON *
ctl_capture_to_json(const struct ctl_capture *c)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	if (!cJSON_AddNumberToObject(o, "capture", c->id) ||
	    !cJSON_AddNumberToObject(o, "frames", (double)c->frames) ||
	    !cJSON_AddNumberToObject(o, "dropped", (double)c->dropped) ||
	    !cJSON_AddBoolToObject(o, "done", c->done)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int
ctl_capture_from_json(const cJSON *o, struct ctl_capture *ret)
{
	const cJSON *done = cJSON_GetObjectItemCaseSensitive(o, "done");
	struct ctl_capture c = {};

	if (!cJSON_IsObject(o) || !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "frames")))
		return -EBADMSG;
	c.id = json_uint(o, "capture", 0) <= UINT32_MAX ? json_uint(o, "capture", 0) : 0;
	c.frames = json_uint(o, "frames", 0);
	c.dropped = json_uint(o, "dropped", 0);
	c.done = cJSON_IsTrue(done);
	*ret = c;
	return 0;
}

char *
ctl_reply_capture(uint32_t id)
{
	_cleanup_json_ cJSON *o = ctl_reply_ok();

	if (!o || !cJSON_AddNumberToObject(o, "capture", id))
		return NULL;
	return cJSON_PrintUnformatted(o);
}

int
ctl_reply_capture_id(const cJSON *reply, uint32_t *ret)
{
	uint64_t id = json_uint(reply, "capture", UINT64_MAX);

	if (id > UINT32_MAX)
		return -EBADMSG;
	*ret = id;
	return 0;
}

char *
ctl_reply_capture_stop(const struct ctl_capture *c)
{
	_cleanup_json_ cJSON *o = ctl_reply_ok();

	if (!o || !cJSON_AddNumberToObject(o, "frames", (double)c->frames) ||
	    !cJSON_AddNumberToObject(o, "dropped", (double)c->dropped))
		return NULL;
	return cJSON_PrintUnformatted(o);
}

int
ctl_reply_decode(const char *buf, size_t len, cJSON **ret, char **ret_error)
{
	_cleanup_json_ cJSON *root = cJSON_ParseWithLength(buf, len);
	const cJSON *ok;
	const char *err;

	if (!cJSON_IsObject(root) || json_has_nul(buf, len))
		return -EBADMSG;
	ok = cJSON_GetObjectItemCaseSensitive(root, "ok");
	if (cJSON_IsTrue(ok)) {
		*ret = TAKE_PTR(root);
		return 0;
	}
	if (!cJSON_IsFalse(ok))
		return -EBADMSG;
	err = json_string(root, "error");
	*ret_error = strdup(err ? err : "unspecified error");
	return *ret_error ? -EREMOTEIO : -ENOMEM;
}

int
ctl_call(int sock, const struct ctl_request *req, int fd, cJSON **ret, char **ret_error)
{
	_cleanup_free_ char *text = ctl_request_encode(req);
	_cleanup_free_ char *buf = NULL;
	int rfd = -1;
	ssize_t n;
	int r;

	if (!text)
		return -ENOMEM;
	r = fdpass_send(sock, text, strlen(text), fd);
	if (r < 0)
		return r;
	/* Replies may be longer than requests ("ports" on a big switch): size it first. */
	do
		n = recv(sock, NULL, 0, MSG_PEEK | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	buf = malloc(n + 1);
	if (!buf)
		return -ENOMEM;
	n = fdpass_recv(sock, buf, n + 1, &rfd);
	if (rfd >= 0)
		close(rfd);
	if (n < 0)
		return n;
	if (n == 0)
		return -ECONNRESET;
	return ctl_reply_decode(buf, n, ret, ret_error);
}

int
ctl_probe(int sock)
{
	struct timeval tv = { .tv_sec = CTL_PROBE_TIMEOUT_MS / 1000,
		              .tv_usec = CTL_PROBE_TIMEOUT_MS % 1000 * 1000 };
	struct ctl_request req = { .op = CTL_PORTS };
	_cleanup_json_ cJSON *reply = NULL;
	_cleanup_free_ char *err = NULL;
	int r;

	if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	r = ctl_call(sock, &req, -1, &reply, &err);
	if (r == -ECONNRESET || r == -EPIPE || r == -ECONNREFUSED || r == -ENOTCONN)
		return 0;
	/*
	 * Any reply, even a refusal or garbage, and silence past the timeout alike mean
	 * that something holds the socket: do not take its place.
	 */
	return 1;
}
