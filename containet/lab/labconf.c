#include "labconf.h"

#include "cleanup.h"
#include "errtext.h"
#include "labread.h"
#include "labvalue.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const meta_names[LAB_META_KEYS] = {
	[LAB_META_NAME] = "LAB_NAME",       [LAB_META_DESCRIPTION] = "LAB_DESCRIPTION",
	[LAB_META_VERSION] = "LAB_VERSION", [LAB_META_AUTHOR] = "LAB_AUTHOR",
	[LAB_META_EMAIL] = "LAB_EMAIL",     [LAB_META_WEB] = "LAB_WEB",
};

static const struct {
	const char *name;
	enum labconf_kind kind;
} node_keys[LAB_NODE_KEYS] = {
	[LAB_NODE_IMAGE] = { "image", LABCONF_STRING },
	[LAB_NODE_ENTRYPOINT] = { "entrypoint", LABCONF_STRING },
	[LAB_NODE_ARGS] = { "args", LABCONF_STRING },
	[LAB_NODE_SHELL] = { "shell", LABCONF_STRING },
	[LAB_NODE_MEM] = { "mem", LABCONF_STRING },
	[LAB_NODE_CPUS] = { "cpus", LABCONF_NUMBER },
	[LAB_NODE_NUM_TERMS] = { "num_terms", LABCONF_NUMBER },
	[LAB_NODE_IPV6] = { "ipv6", LABCONF_BOOL },
	[LAB_NODE_BRIDGED] = { "bridged", LABCONF_BOOL },
	[LAB_NODE_PRIVILEGED] = { "privileged", LABCONF_BOOL },
	[LAB_NODE_GW4] = { "gateway", LABCONF_STRING },
	[LAB_NODE_GW6] = { "gateway6", LABCONF_STRING },
	[LAB_NODE_HOST] = { "host", LABCONF_STRING },
};

static const struct {
	const char *name;
	enum labconf_kind kind;
} seg_keys[LAB_SEG_KEYS] = {
	[LAB_SEG_SUBNET] = { "subnet", LABCONF_STRING },
	[LAB_SEG_SERVICE] = { "service", LABCONF_STRING },
	[LAB_SEG_DHCP] = { "dhcp", LABCONF_STRING },
	[LAB_SEG_DNS] = { "dns", LABCONF_BOOL },
	[LAB_SEG_IPV6] = { "ipv6", LABCONF_STRING },
	[LAB_SEG_MTU] = { "mtu", LABCONF_NUMBER },
	[LAB_SEG_DELAY] = { "delay", LABCONF_STRING },
	[LAB_SEG_JITTER] = { "jitter", LABCONF_STRING },
	[LAB_SEG_LOSS] = { "loss", LABCONF_STRING },
	[LAB_SEG_LOSS_GE] = { "loss_ge", LABCONF_STRING },
	[LAB_SEG_DUPLICATE] = { "duplicate", LABCONF_STRING },
	[LAB_SEG_CORRUPT] = { "corrupt", LABCONF_STRING },
	[LAB_SEG_REORDER] = { "reorder", LABCONF_STRING },
	[LAB_SEG_RATE] = { "rate", LABCONF_STRING },
	[LAB_SEG_LIMIT] = { "limit", LABCONF_NUMBER },
	[LAB_SEG_SEED] = { "seed", LABCONF_NUMBER },
	[LAB_SEG_STATE] = { "state", LABCONF_STRING },
	[LAB_SEG_CAPTURE] = { "capture", LABCONF_STRING },
	[LAB_SEG_VXLAN] = { "vxlan", LABCONF_NUMBER },
};

/* Kathara metas this project does not do (see the header). */
static const char *const unsupported_metas[] = { "ulimit", "volume" };

const char *
labconf_meta_name(enum lab_meta key)
{
	return meta_names[key];
}

const char *
labconf_node_key_name(enum lab_node_key key)
{
	return node_keys[key].name;
}

const char *
labconf_seg_key_name(enum lab_seg_key key)
{
	return seg_keys[key].name;
}

enum labconf_kind
labconf_node_key_kind(enum lab_node_key key)
{
	return node_keys[key].kind;
}

enum labconf_kind
labconf_seg_key_kind(enum lab_seg_key key)
{
	return seg_keys[key].kind;
}

static void
pair_done(struct lab_pair *p)
{
	free(p->key);
	free(p->value);
}

static void
node_done(struct lab_node *n)
{
	for (size_t i = 0; i < n->n_ifaces; i++) {
		free(n->ifaces[i].ipv4);
		free(n->ifaces[i].ipv6);
		free(n->ifaces[i].trunk);
	}
	free(n->ifaces);
	for (int k = 0; k < LAB_NODE_KEYS; k++)
		free(n->val[k]);
	for (size_t i = 0; i < n->n_exec; i++)
		free(n->exec[i]);
	free(n->exec);
	for (size_t i = 0; i < n->n_sysctl; i++)
		pair_done(&n->sysctl[i]);
	free(n->sysctl);
	for (size_t i = 0; i < n->n_env; i++)
		pair_done(&n->env[i]);
	free(n->env);
	free(n->ports);
	free(n->deps);
}

struct lab *
labconf_new(void)
{
	return calloc(1, sizeof(struct lab));
}

struct lab *
labconf_free(struct lab *lab)
{
	if (!lab)
		return NULL;
	for (int k = 0; k < LAB_META_KEYS; k++)
		free(lab->meta[k]);
	free(lab->domain);
	for (size_t i = 0; i < lab->n_hosts; i++) {
		free(lab->hosts[i]);
		free(lab->host_addrs[i]);
	}
	free(lab->hosts);
	free(lab->host_addrs);
	free(lab->vxlan_port);
	for (size_t i = 0; i < lab->n_image_map; i++)
		pair_done(&lab->image_map[i]);
	free(lab->image_map);
	for (size_t i = 0; i < lab->n_nodes; i++)
		node_done(&lab->nodes[i]);
	free(lab->nodes);
	for (size_t i = 0; i < lab->n_segments; i++)
		for (int k = 0; k < LAB_SEG_KEYS; k++)
			free(lab->segments[i].val[k]);
	free(lab->segments);
	free(lab->order);
	for (size_t i = 0; i < lab->n_warnings; i++)
		free(lab->warnings[i]);
	free(lab->warnings);
	for (size_t i = 0; i < lab->n_warned; i++)
		free(lab->warned[i]);
	free(lab->warned);
	free(lab);
	return NULL;
}

const struct lab_node *
labconf_node(const struct lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->n_nodes; i++)
		if (strcmp(lab->nodes[i].name, name) == 0)
			return &lab->nodes[i];
	return NULL;
}

bool
labconf_node_flag(const struct lab_node *node, enum lab_node_key key, bool def)
{
	const char *v = node->val[key];

	return v ? strcmp(v, "true") == 0 : def;
}

ssize_t
labconf_node_index(const struct lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->n_nodes; i++)
		if (strcmp(lab->nodes[i].name, name) == 0)
			return i;
	return -1;
}

ssize_t
labconf_segment_index(const struct lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->n_segments; i++)
		if (strcmp(lab->segments[i].name, name) == 0)
			return i;
	return -1;
}

static int
node_name_check(struct labread *r, const char *name)
{
	if (strlen(name) > LAB_NODE_NAME_MAX)
		return labread_fail(r, "node name '%.64s' longer than %d characters", name,
		                    LAB_NODE_NAME_MAX);
	if (strcmp(name, "shared") == 0 || strcmp(name, "_test") == 0)
		return labread_fail(r, "'%s' is a reserved name, not usable for a node", name);
	return 0;
}

static int
node_get(struct labread *r, const char *name, size_t *ret)
{
	struct lab *lab = r->lab;
	ssize_t i = labconf_node_index(lab, name);
	int err;

	if (i < 0) {
		err = node_name_check(r, name);
		if (err < 0)
			return err;
		err = labread_grow(&lab->nodes, &lab->n_nodes, sizeof(struct lab_node),
		                   LAB_NODES_MAX);
		if (err == -E2BIG)
			return labread_fail(r, "more than %d nodes", LAB_NODES_MAX);
		if (err < 0)
			return err;
		i = lab->n_nodes - 1;
		strcpy(lab->nodes[i].name, name);
	}
	*ret = i;
	return 0;
}

/* node[N]="SEGMENT[/MAC]" */
static int
conf_iface(struct labread *r, size_t ni, const char *num, char *value)
{
	struct lab *lab = r->lab;
	struct lab_node *node = &lab->nodes[ni];
	char *seg = value, *mac = NULL;
	struct lab_iface *iface;
	uint64_t index;
	ssize_t si;
	int err;

	if (labvalue_uint(num, 0, LAB_IFACES_MAX - 1, &index) < 0)
		return labread_fail(r, "interface number %.32s out of range (0-%d)", num,
		                    LAB_IFACES_MAX - 1);
	/* Kathara splits at '/', drops empty parts and wants two: "A/MAC", "A//MAC". */
	if (strchr(value, '/')) {
		char *parts[2] = { NULL, NULL }, *save = NULL;
		int np = 0;

		for (char *t = strtok_r(value, "/", &save); t; t = strtok_r(NULL, "/", &save))
			if (np++ < 2)
				parts[np - 1] = t;
		if (np != 2)
			return labread_fail(r, "invalid interface definition: expected SEGMENT or "
			                       "SEGMENT/MAC");
		seg = parts[0];
		mac = parts[1];
	}
	if (!*seg || seg[strspn(seg, LABREAD_WORD_CHARS)])
		return labread_fail(
		        r,
		        "segment name '%.64s' has characters other than letters, digits "
		        "and '_'",
		        seg);
	if (strlen(seg) > LAB_SEGMENT_NAME_MAX)
		return labread_fail(r, "segment name '%.64s...' longer than %d characters", seg,
		                    LAB_SEGMENT_NAME_MAX);
	for (size_t i = 0; i < node->n_ifaces; i++)
		if (node->ifaces[i].index == index)
			return labread_fail(r, "interface %u already set on node '%s'",
			                    (unsigned)index, node->name);
	si = labconf_segment_index(lab, seg);
	if (si >= 0) {
		for (size_t i = 0; i < node->n_ifaces; i++)
			if (node->ifaces[i].segment == (size_t)si)
				return labread_fail(
				        r, "node '%s' is already connected to segment '%s'",
				        node->name, seg);
	} else {
		err = labread_grow(&lab->segments, &lab->n_segments, sizeof(struct lab_segment),
		                   LAB_SEGMENTS_MAX);
		if (err == -E2BIG)
			return labread_fail(r, "more than %d segments", LAB_SEGMENTS_MAX);
		if (err < 0)
			return err;
		si = lab->n_segments - 1;
		strcpy(lab->segments[si].name, seg);
	}
	err = labread_grow(&node->ifaces, &node->n_ifaces, sizeof(struct lab_iface),
	                   LAB_IFACES_MAX);
	if (err < 0)
		return err; /* the index check above bounds the count */
	iface = &node->ifaces[node->n_ifaces - 1];
	iface->index = index;
	iface->segment = si;
	iface->line = r->line;
	if (mac) {
		if (labvalue_mac(mac, iface->mac) < 0)
			return labread_fail(r,
			                    "invalid MAC address '%.32s' for interface %u of '%s'",
			                    mac, (unsigned)index, node->name);
		iface->has_mac = true;
	}
	return 0;
}

static int
warn_once(struct labread *r, const char *meta, const char *why)
{
	struct lab *lab = r->lab;
	char *copy;
	int err;

	/* Once warnings are full nothing more is said: stop remembering (and searching). */
	if (lab->n_warnings >= LAB_WARNINGS_MAX)
		return 0;
	for (size_t i = 0; i < lab->n_warned; i++)
		if (strcmp(lab->warned[i], meta) == 0)
			return 0;
	copy = strdup(meta);
	if (!copy)
		return -ENOMEM;
	err = labread_grow(&lab->warned, &lab->n_warned, sizeof(char *), SIZE_MAX);
	if (err < 0) {
		free(copy);
		return err;
	}
	lab->warned[lab->n_warned - 1] = copy;
	return labread_warn(r, "meta '%s' %s, ignoring (and any further ones)", meta, why);
}

/* node[sysctl]="net.x.y=V": Kathara's rule, the net. namespace only. */
static int
meta_sysctl(struct labread *r, struct lab_node *node, char *value)
{
	char *eq = strchr(value, '='), *key = value, *v, *dot;
	int parts = 0;

	if (!eq || strchr(eq + 1, '='))
		goto bad;
	*eq = '\0';
	v = eq + 1;
	if (strncmp(key, "net.", 4) != 0)
		goto bad;
	/* net(\.[\w-]+){2,}: at least two non-empty parts after "net" */
	for (dot = key + 3; *dot == '.';
	     dot += 1 + strspn(dot + 1, LABREAD_WORD_CHARS "-"), parts++)
		if (!dot[1] || !strchr(LABREAD_WORD_CHARS "-", dot[1]))
			goto bad;
	if (*dot || parts < 2)
		goto bad;
	labread_strip(&v);
	return labread_set_pair(r, &node->sysctl, &node->n_sysctl, key, v, "sysctls");
bad:
	return labread_fail(r, "invalid sysctl for '%s': expected net.KEY=VALUE", node->name);
}

/* node[env]="KEY=VALUE" */
static int
meta_env(struct labread *r, struct lab_node *node, char *value)
{
	char *eq = strchr(value, '='), *v;

	if (!eq || eq == value || value + strspn(value, LABREAD_WORD_CHARS) != eq)
		return labread_fail(r, "invalid env for '%s': expected KEY=VALUE", node->name);
	*eq = '\0';
	v = eq + 1;
	labread_strip(&v);
	return labread_set_pair(r, &node->env, &node->n_env, value, v, "env entries");
}

/* node[port]="[HOST:]GUEST[/PROTOCOL]", HOST 3000 when not given (as Kathara). */
static int
meta_port(struct labread *r, struct lab_node *node, char *value)
{
	char *proto = strchr(value, '/'), *colon;
	struct lab_port p = { .host = 3000 };
	uint64_t host = 3000, guest;
	int err;

	if (proto) {
		*proto++ = '\0';
		for (char *c = proto; *c; c++)
			*c = tolower((unsigned char)*c);
		if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0 &&
		    strcmp(proto, "sctp") != 0)
			return labread_fail(r,
			                    "port protocol '%.16s' of '%s' is not tcp, udp or sctp",
			                    proto, node->name);
	}
	colon = strchr(value, ':');
	if (colon)
		*colon = '\0';
	if ((colon && labvalue_uint(value, 1, 65535, &host) < 0) ||
	    labvalue_uint(colon ? colon + 1 : value, 1, 65535, &guest) < 0)
		return labread_fail(r, "invalid port for '%s': expected [HOST:]GUEST[/PROTOCOL]",
		                    node->name);
	p.host = host;
	p.guest = guest;
	strcpy(p.proto, proto ? proto : "tcp");
	for (size_t i = 0; i < node->n_ports; i++)
		if (node->ports[i].host == p.host && strcmp(node->ports[i].proto, p.proto) == 0) {
			node->ports[i] = p;
			return 1;
		}
	err = labread_grow(&node->ports, &node->n_ports, sizeof(struct lab_port), LAB_LIST_MAX);
	if (err < 0)
		return err == -E2BIG ? labread_fail(r, "more than %d ports", LAB_LIST_MAX) : err;
	node->ports[node->n_ports - 1] = p;
	return 0;
}

/* node[mem]: Kathara's rule, N with an optional unit b, k, m or g; a bare N is megabytes. */
static int
meta_mem(struct labread *r, struct lab_node *node, const char *value)
{
	size_t n = strlen(value);
	char unit = 'm', text[32];
	uint64_t v;

	if (n > 1 && strchr("bkmgBKMG", value[n - 1])) {
		unit = tolower((unsigned char)value[n - 1]);
		n--;
	}
	if (n >= 21 || n != strspn(value, LABREAD_DIGITS))
		goto bad;
	memcpy(text, value, n);
	text[n] = '\0';
	if (labvalue_uint(text, 1, UINT64_MAX, &v) < 0)
		goto bad;
	snprintf(text, sizeof(text), "%llu%c", (unsigned long long)v, unit);
	return labread_set_text(&node->val[LAB_NODE_MEM], text);
bad:
	return labread_fail(r, "memory '%.32s' of '%s' is not N[b|k|m|g]", value, node->name);
}

/* node[cpus]: a positive decimal, "0.5", "2". */
static int
meta_cpus(struct labread *r, struct lab_node *node, const char *value)
{
	size_t n = strspn(value, LABREAD_DIGITS);

	if (n && value[n] == '.' && value[n + 1])
		n += 1 + strspn(value + n + 1, LABREAD_DIGITS);
	if (n == 0 || value[n] || n > 16 || strtod(value, NULL) <= 0)
		return labread_fail(r, "cpus '%.32s' of '%s' is not a positive number", value,
		                    node->name);
	return labread_set_text(&node->val[LAB_NODE_CPUS], value);
}

static int
conf_meta(struct labread *r, size_t ni, const char *key, char *value)
{
	struct lab_node *node = &r->lab->nodes[ni];
	int k = -1, ret;

	for (size_t i = 0; i < ARRAY_SIZE(unsupported_metas); i++)
		if (strcmp(key, unsupported_metas[i]) == 0)
			return warn_once(r, key, "is not supported");
	if (strcmp(key, "exec") == 0)
		return labread_add_string(r, &node->exec, &node->n_exec, value, "exec commands");
	if (strcmp(key, "sysctl") == 0)
		ret = meta_sysctl(r, node, value);
	else if (strcmp(key, "env") == 0)
		ret = meta_env(r, node, value);
	else if (strcmp(key, "port") == 0)
		ret = meta_port(r, node, value);
	else {
		for (int i = 0; i <= LAB_NODE_PRIVILEGED; i++)
			if (strcmp(key, node_keys[i].name) == 0)
				k = i;
		switch (k) {
		case -1:
			/* Kathara stores any meta; one it does not know is a typo to say. */
			return labread_fail(r,
			                    "node '%s': unknown meta '%.32s' (Kathara's: image, "
			                    "mem, cpus, port, bridged, ipv6, privileged, exec, "
			                    "sysctl, env, shell, num_terms, entrypoint, args, "
			                    "ulimit, volume)",
			                    node->name, key);
		case LAB_NODE_IMAGE:
			if (value[strcspn(value, " \t")])
				return labread_fail(r, "image '%.64s' of '%s' has a space in it",
				                    value, node->name);
			ret = labread_set_text(&node->val[k], value);
			break;
		case LAB_NODE_MEM:
			ret = meta_mem(r, node, value);
			break;
		case LAB_NODE_CPUS:
			ret = meta_cpus(r, node, value);
			break;
		case LAB_NODE_NUM_TERMS:
			ret = labread_set_uint(r, &node->val[k], value, 0, 1000, "num_terms");
			break;
		case LAB_NODE_IPV6:
		case LAB_NODE_BRIDGED:
		case LAB_NODE_PRIVILEGED:
			ret = labread_set_bool(r, &node->val[k], value, key);
			break;
		default:
			ret = labread_set_text(&node->val[k], value);
			break;
		}
	}
	if (ret == 1)
		return labread_warn(
		        r, "node '%s' already has a value for meta '%s': the last one wins",
		        node->name, key);
	return ret;
}

/* LAB_DESCRIPTION=... : Kathara's reading, the text after '=' with all quotes removed. */
static int
conf_lab_meta(struct labread *r, int k, const char *raw)
{
	const char *eq = strchr(raw, '=');
	_cleanup_free_ char *v = NULL;
	char *w, *s;
	int err;

	if (strchr(eq + 1, '='))
		return labread_fail(r, "%s has a second '='", meta_names[k]);
	v = strdup(eq + 1);
	if (!v)
		return -ENOMEM;
	for (w = s = v; *s; s++)
		if (*s != '"' && *s != '\'')
			*w++ = *s;
	*w = '\0';
	s = v;
	labread_strip(&s);
	err = labread_set_text(&r->lab->meta[k], s);
	if (err == 1)
		return labread_warn(r, "%s given again: the last one wins", meta_names[k]);
	return err;
}

static int
iface_cmp(const void *a, const void *b)
{
	const struct lab_iface *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/* One wave with every node: the order when there is no lab.dep. */
static int
order_default(struct lab *lab)
{
	size_t *order = calloc(lab->n_nodes ? lab->n_nodes : 1, sizeof(size_t));

	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < lab->n_nodes; i++) {
		order[i] = i;
		lab->nodes[i].wave = 0;
	}
	free(lab->order);
	lab->order = order;
	lab->n_waves = lab->n_nodes ? 1 : 0;
	return 0;
}

int
labconf_parse_conf(struct lab *lab, const char *buf, size_t len, const char *fname,
                   char **ret_error)
{
	struct labread r = { .lab = lab, .fname = fname, .ret_error = ret_error };
	_cleanup_free_ struct labread_lines *l = NULL;
	char *raw, *s;
	int err;

	if (lab->conf_done)
		return error_set(ret_error, -EINVAL, "%s: a lab has one lab.conf", fname);
	if (len == 0)
		return error_set(ret_error, -EINVAL, "%s: the file is empty", fname);
	err = labread_lines_new(&r, buf, len, &l);
	if (err < 0)
		return err;
	while ((err = labread_next_line(l, &r, &raw, &s)) > 0) {
		struct labread_entry e;
		size_t ni = 0;
		int k = -1;

		if (raw[0] == '#' || !*s)
			continue;
		for (int i = 0; i < LAB_META_KEYS; i++)
			if (strncmp(raw, meta_names[i], strlen(meta_names[i])) == 0 &&
			    raw[strlen(meta_names[i])] == '=')
				k = i;
		if (k >= 0) {
			err = conf_lab_meta(&r, k, raw);
			if (err < 0)
				return err;
			continue;
		}
		err = labread_parse_entry(&r, s, LABREAD_NODE_CHARS, LABREAD_WORD_CHARS, &e);
		if (err < 0)
			return err;
		err = node_get(&r, e.name, &ni);
		if (err < 0)
			return err;
		if (e.key[strspn(e.key, LABREAD_DIGITS)] == '\0')
			err = conf_iface(&r, ni, e.key, e.value);
		else
			err = conf_meta(&r, ni, e.key, e.value);
		if (err < 0)
			return err;
	}
	if (err < 0)
		return err;

	/* Kathara's integrity check: a node's interfaces are numbered 0..n-1. */
	for (size_t i = 0; i < lab->n_nodes; i++) {
		struct lab_node *node = &lab->nodes[i];

		if (node->n_ifaces)
			qsort(node->ifaces, node->n_ifaces, sizeof(*node->ifaces), iface_cmp);
		for (size_t j = 0; j < node->n_ifaces; j++)
			if (node->ifaces[j].index != j) {
				r.line = node->ifaces[j].line;
				return labread_fail(
				        &r,
				        "interface %zu of node '%s' is missing (interfaces "
				        "are numbered from 0 without a gap)",
				        j, node->name);
			}
	}
	err = order_default(lab);
	if (err < 0)
		return err;
	lab->conf_done = true;
	return 0;
}
