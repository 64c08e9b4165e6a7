#include "ctl.h"

#include "fdpass.h"

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
		if (copy_member(root, "ifname", req.ifname, sizeof(req.ifname)) <= 0 ||
		    !ifname_valid(req.ifname))
			BAD("attach needs \"ifname\", a valid interface name");
		r = copy_member(root, "segment", req.segment, sizeof(req.segment));
		if (r < 0 || (r && !ctl_segment_valid(req.segment)))
			BAD("\"segment\" is not a valid segment name (1-31 of A-Z a-z 0-9 _ - .)");
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
		break;
	}
	*ret = req;
	return 0;
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
	    !cJSON_AddNumberToObject(o, "ports", s->ports)) {
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
	*ret = s;
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
	    !cJSON_AddNumberToObject(o, "rx_frames", p->rx_frames) ||
	    !cJSON_AddNumberToObject(o, "rx_bytes", p->rx_bytes) ||
	    !cJSON_AddNumberToObject(o, "tx_frames", p->tx_frames) ||
	    !cJSON_AddNumberToObject(o, "tx_bytes", p->tx_bytes) ||
	    !cJSON_AddNumberToObject(o, "drops", p->drops)) {
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
	    copy_member(o, "segment", p.segment, sizeof(p.segment)) < 0)
		return -EBADMSG;
	mac = json_string(o, "mac");
	if (mac && mac_parse(mac, p.mac) < 0)
		return -EBADMSG;
	p.has_mac = mac;
	p.rx_frames = json_uint(o, "rx_frames", 0);
	p.rx_bytes = json_uint(o, "rx_bytes", 0);
	p.tx_frames = json_uint(o, "tx_frames", 0);
	p.tx_bytes = json_uint(o, "tx_bytes", 0);
	p.drops = json_uint(o, "drops", 0);
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
	if (!cJSON_AddStringToObject(o, "mac", mac) || !cJSON_AddStringToObject(o, "port", e->port) ||
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

	if (!mac || mac_parse(mac, e.mac) < 0 || copy_member(o, "port", e.port, sizeof(e.port)) <= 0 ||
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
