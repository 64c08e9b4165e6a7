#include "labconf.h"

#include "cleanup.h"
#include "errtext.h"
#include "labvalue.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGITS "0123456789"
#define NODE_CHARS LOWER DIGITS "_"	     /* Kathara's device names */
#define WORD_CHARS LOWER UPPER DIGITS "_"    /* Python's \w, ASCII */
#define EXT_ARG_CHARS WORD_CHARS "."	     /* lab.ext's "N.ip" */

static const char *const meta_names[LAB_META_KEYS] = {
	[LAB_META_NAME] = "LAB_NAME",	  [LAB_META_DESCRIPTION] = "LAB_DESCRIPTION",
	[LAB_META_VERSION] = "LAB_VERSION", [LAB_META_AUTHOR] = "LAB_AUTHOR",
	[LAB_META_EMAIL] = "LAB_EMAIL",	  [LAB_META_WEB] = "LAB_WEB",
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

/* One more zeroed element at the end of *arr (n elements of size), capacity doubling. */
static int
grow(void *arr, size_t *n, size_t size, size_t max)
{
	void **p = arr;
	void *bigger;

	if (*n >= max)
		return -E2BIG;
	if ((*n & (*n - 1)) == 0) {
		bigger = reallocarray(*p, *n ? *n * 2 : 1, size);
		if (!bigger)
			return -ENOMEM;
		*p = bigger;
	}
	memset((char *)*p + *n * size, 0, size);
	(*n)++;
	return 0;
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
	for (size_t i = 0; i < lab->n_hosts; i++)
		free(lab->hosts[i]);
	free(lab->hosts);
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

/* The state of one file being read: where messages point. */
struct reader {
	struct lab *lab;
	const char *fname;
	unsigned line;
	char **ret_error;
};

static int __attribute__((format(printf, 2, 3)))
fail(struct reader *r, const char *fmt, ...)
{
	_cleanup_free_ char *why = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&why, fmt, ap) < 0)
		why = NULL;
	va_end(ap);
	if (!why)
		return -ENOMEM;
	if (r->line == 0)
		return error_set(r->ret_error, -EINVAL, "%s: %s", r->fname, why);
	return error_set(r->ret_error, -EINVAL, "%s:%u: %s", r->fname, r->line, why);
}

static int __attribute__((format(printf, 2, 3)))
warn(struct reader *r, const char *fmt, ...)
{
	struct lab *lab = r->lab;
	_cleanup_free_ char *why = NULL;
	char *text;
	va_list ap;
	int err;

	if (lab->n_warnings >= LAB_WARNINGS_MAX)
		return 0;
	va_start(ap, fmt);
	if (vasprintf(&why, fmt, ap) < 0)
		why = NULL;
	va_end(ap);
	if (!why)
		return -ENOMEM;
	if (lab->n_warnings == LAB_WARNINGS_MAX - 1)
		err = asprintf(&text, "%s:%u: more warnings, not shown", r->fname, r->line);
	else if (r->line == 0)
		err = asprintf(&text, "%s: %s", r->fname, why);
	else
		err = asprintf(&text, "%s:%u: %s", r->fname, r->line, why);
	if (err < 0)
		return -ENOMEM;
	err = grow(&lab->warnings, &lab->n_warnings, sizeof(char *), LAB_WARNINGS_MAX);
	if (err < 0) {
		free(text);
		return err;
	}
	lab->warnings[lab->n_warnings - 1] = text;
	return 0;
}

/* Replaces *slot with a copy of value; 1 when there was one before. */
static int
set_text(char **slot, const char *value)
{
	char *copy = strdup(value);
	bool had = *slot != NULL;

	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return had;
}

static ssize_t
node_index(const struct lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->n_nodes; i++)
		if (strcmp(lab->nodes[i].name, name) == 0)
			return i;
	return -1;
}

static ssize_t
segment_index(const struct lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->n_segments; i++)
		if (strcmp(lab->segments[i].name, name) == 0)
			return i;
	return -1;
}

/*
 * The lines of a file, one at a time, checked for what no key accepts: over-long lines,
 * NUL bytes, bad UTF-8, control characters.  *ret_raw is the line as written (for the
 * first-column rules), *ret_s the same with surrounding whitespace stripped; both in buf.
 */
struct lines {
	const char *p;
	const char *end;
	char raw[LAB_LINE_MAX + 1];
};

static int
lines_next(struct lines *l, struct reader *r, char **ret_raw, char **ret_s)
{
	const char *nl;
	size_t n;
	char *s, *e;

	if (l->p >= l->end)
		return 0;
	nl = memchr(l->p, '\n', l->end - l->p);
	n = (nl ? nl : l->end) - l->p;
	r->line++;
	if (n > LAB_LINE_MAX)
		return fail(r, "line longer than %d bytes", LAB_LINE_MAX);
	memcpy(l->raw, l->p, n);
	l->raw[n] = '\0';
	l->p += n + (nl != NULL);
	if (memchr(l->raw, '\0', n))
		return fail(r, "NUL byte in the line");
	if (!labvalue_utf8(l->raw, n))
		return fail(r, "not UTF-8 text");
	s = l->raw;
	while (*s && isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			return fail(r, "control character 0x%02x in the line", (unsigned char)*c);
		else if (*c == 0x7f)
			return fail(r, "control character 0x7f in the line");
	*ret_raw = l->raw;
	*ret_s = s;
	return 1;
}

static bool
comment_tail(const char *t)
{
	size_t ws = 0;

	while (t[ws] && isspace((unsigned char)t[ws]))
		ws++;
	return ws > 0 && t[ws] == '#';
}

/*
 * The VALUE of "KEY=VALUE" as Kathara's regex reads it: quoted ('...' or "...") with an
 * optional "  # comment" after the quote, or bare up to the end of the line; values never
 * hold a quote, so a bare value followed by a quote only parses when a comment holds it.
 */
static int
value_parse(struct reader *r, char *v, char **ret)
{
	size_t n;

	if (*v == '"' || *v == '\'') {
		char q = *v;

		n = strcspn(v + 1, "\"'");
		if (n == 0)
			return fail(r, v[1] ? "empty value" : "unclosed quote");
		if (v[1 + n] == '\0')
			return fail(r, "unclosed quote");
		if (v[1 + n] != q)
			return fail(r, "unmatched quotes");
		if (v[2 + n] && !comment_tail(v + 2 + n))
			return fail(r, "text after the closing quote");
		v[1 + n] = '\0';
		*ret = v + 1;
		return 0;
	}
	n = strcspn(v, "\"'");
	if (n == 0)
		return fail(r, "empty value");
	if (v[n]) {
		/* The regex backtracks to the last "<space>#" before the quote. */
		size_t k = n;

		while (k > 1 && !(v[k] == '#' && isspace((unsigned char)v[k - 1])))
			k--;
		if (k <= 1)
			return fail(r, "a quote inside a value");
		v[k - 1] = '\0';
	}
	*ret = v;
	return 0;
}

struct entry {
	char *name; /* node or segment */
	char *key;  /* between the brackets */
	char *value;
};

/* "NAME[KEY]=VALUE" with the name and key characters given. */
static int
entry_parse(struct reader *r, char *s, const char *name_chars, const char *key_chars,
	    struct entry *ret)
{
	size_t n = strspn(s, name_chars), k;

	if (n == 0 || s[n] != '[')
		return fail(r, "expected NAME[KEY]=VALUE, a comment (# in the first column) or a "
			       "LAB_ line");
	k = strspn(s + n + 1, key_chars);
	if (k == 0 || s[n + 1 + k] != ']' || s[n + 2 + k] != '=')
		return fail(r, "expected NAME[KEY]=VALUE");
	s[n] = '\0';
	s[n + 1 + k] = '\0';
	ret->name = s;
	ret->key = s + n + 1;
	return value_parse(r, s + n + 3 + k, &ret->value);
}

static int
node_name_check(struct reader *r, const char *name)
{
	if (strlen(name) > LAB_NODE_NAME_MAX)
		return fail(r, "node name '%.64s' longer than %d characters", name,
			    LAB_NODE_NAME_MAX);
	if (strcmp(name, "shared") == 0 || strcmp(name, "_test") == 0)
		return fail(r, "'%s' is a reserved name, not usable for a node", name);
	return 0;
}

static int
node_get(struct reader *r, const char *name, size_t *ret)
{
	struct lab *lab = r->lab;
	ssize_t i = node_index(lab, name);
	int err;

	if (i < 0) {
		err = node_name_check(r, name);
		if (err < 0)
			return err;
		err = grow(&lab->nodes, &lab->n_nodes, sizeof(struct lab_node), LAB_NODES_MAX);
		if (err == -E2BIG)
			return fail(r, "more than %d nodes", LAB_NODES_MAX);
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
conf_iface(struct reader *r, size_t ni, const char *num, char *value)
{
	struct lab *lab = r->lab;
	struct lab_node *node = &lab->nodes[ni];
	char *seg = value, *mac = NULL;
	struct lab_iface *iface;
	uint64_t index;
	ssize_t si;
	int err;

	if (labvalue_uint(num, 0, LAB_IFACES_MAX - 1, &index) < 0)
		return fail(r, "interface number %.32s out of range (0-%d)", num,
			    LAB_IFACES_MAX - 1);
	/* Kathara splits at '/', drops empty parts and wants two: "A/MAC", "A//MAC". */
	if (strchr(value, '/')) {
		char *parts[2] = { NULL, NULL }, *save = NULL;
		int np = 0;

		for (char *t = strtok_r(value, "/", &save); t; t = strtok_r(NULL, "/", &save))
			if (np++ < 2)
				parts[np - 1] = t;
		if (np != 2)
			return fail(r, "invalid interface definition: expected SEGMENT or "
				       "SEGMENT/MAC");
		seg = parts[0];
		mac = parts[1];
	}
	if (!*seg || seg[strspn(seg, WORD_CHARS)])
		return fail(r, "segment name '%.64s' has characters other than letters, digits "
			       "and '_'",
			    seg);
	if (strlen(seg) > LAB_SEGMENT_NAME_MAX)
		return fail(r, "segment name '%.64s...' longer than %d characters", seg,
			    LAB_SEGMENT_NAME_MAX);
	for (size_t i = 0; i < node->n_ifaces; i++)
		if (node->ifaces[i].index == index)
			return fail(r, "interface %u already set on node '%s'", (unsigned)index,
				    node->name);
	si = segment_index(lab, seg);
	if (si >= 0) {
		for (size_t i = 0; i < node->n_ifaces; i++)
			if (node->ifaces[i].segment == (size_t)si)
				return fail(r, "node '%s' is already connected to segment '%s'",
					    node->name, seg);
	} else {
		err = grow(&lab->segments, &lab->n_segments, sizeof(struct lab_segment),
			   LAB_SEGMENTS_MAX);
		if (err == -E2BIG)
			return fail(r, "more than %d segments", LAB_SEGMENTS_MAX);
		if (err < 0)
			return err;
		si = lab->n_segments - 1;
		strcpy(lab->segments[si].name, seg);
	}
	err = grow(&node->ifaces, &node->n_ifaces, sizeof(struct lab_iface), LAB_IFACES_MAX);
	if (err < 0)
		return err; /* the index check above bounds the count */
	iface = &node->ifaces[node->n_ifaces - 1];
	iface->index = index;
	iface->segment = si;
	iface->line = r->line;
	if (mac) {
		if (labvalue_mac(mac, iface->mac) < 0)
			return fail(r, "invalid MAC address '%.32s' for interface %u of '%s'", mac,
				    (unsigned)index, node->name);
		iface->has_mac = true;
	}
	return 0;
}

static int
warn_once(struct reader *r, const char *meta, const char *why)
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
	err = grow(&lab->warned, &lab->n_warned, sizeof(char *), SIZE_MAX);
	if (err < 0) {
		free(copy);
		return err;
	}
	lab->warned[lab->n_warned - 1] = copy;
	return warn(r, "meta '%s' %s, ignoring (and any further ones)", meta, why);
}

static int
add_string(struct reader *r, char ***list, size_t *n, const char *value, const char *what)
{
	char *copy = strdup(value);
	int err;

	if (!copy)
		return -ENOMEM;
	err = grow(list, n, sizeof(char *), LAB_LIST_MAX);
	if (err < 0) {
		free(copy);
		return err == -E2BIG ? fail(r, "more than %d %s", LAB_LIST_MAX, what) : err;
	}
	(*list)[*n - 1] = copy;
	return 0;
}

/* Sets key=value in a list of pairs; 1 when the key had a value. */
static int
set_pair(struct reader *r, struct lab_pair **list, size_t *n, const char *key, const char *value,
	 const char *what)
{
	struct lab_pair p = { 0 };
	int err;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i].key, key) == 0)
			return set_text(&(*list)[i].value, value) < 0 ? -ENOMEM : 1;
	p.key = strdup(key);
	p.value = strdup(value);
	if (!p.key || !p.value) {
		pair_done(&p);
		return -ENOMEM;
	}
	err = grow(list, n, sizeof(struct lab_pair), LAB_LIST_MAX);
	if (err < 0) {
		pair_done(&p);
		return err == -E2BIG ? fail(r, "more than %d %s", LAB_LIST_MAX, what) : err;
	}
	(*list)[*n - 1] = p;
	return 0;
}

static void
strip(char **s)
{
	char *e;

	while (isspace((unsigned char)**s))
		(*s)++;
	e = *s + strlen(*s);
	while (e > *s && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
}

/* node[sysctl]="net.x.y=V": Kathara's rule, the net. namespace only. */
static int
meta_sysctl(struct reader *r, struct lab_node *node, char *value)
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
	for (dot = key + 3; *dot == '.'; dot += 1 + strspn(dot + 1, WORD_CHARS "-"), parts++)
		if (!dot[1] || !strchr(WORD_CHARS "-", dot[1]))
			goto bad;
	if (*dot || parts < 2)
		goto bad;
	strip(&v);
	return set_pair(r, &node->sysctl, &node->n_sysctl, key, v, "sysctls");
bad:
	return fail(r, "invalid sysctl for '%s': expected net.KEY=VALUE", node->name);
}

/* node[env]="KEY=VALUE" */
static int
meta_env(struct reader *r, struct lab_node *node, char *value)
{
	char *eq = strchr(value, '='), *v;

	if (!eq || eq == value || value + strspn(value, WORD_CHARS) != eq)
		return fail(r, "invalid env for '%s': expected KEY=VALUE", node->name);
	*eq = '\0';
	v = eq + 1;
	strip(&v);
	return set_pair(r, &node->env, &node->n_env, value, v, "env entries");
}

/* node[port]="[HOST:]GUEST[/PROTOCOL]", HOST 3000 when not given (as Kathara). */
static int
meta_port(struct reader *r, struct lab_node *node, char *value)
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
			return fail(r, "port protocol '%.16s' of '%s' is not tcp, udp or sctp",
				    proto, node->name);
	}
	colon = strchr(value, ':');
	if (colon)
		*colon = '\0';
	if ((colon && labvalue_uint(value, 1, 65535, &host) < 0) ||
	    labvalue_uint(colon ? colon + 1 : value, 1, 65535, &guest) < 0)
		return fail(r, "invalid port for '%s': expected [HOST:]GUEST[/PROTOCOL]",
			    node->name);
	p.host = host;
	p.guest = guest;
	strcpy(p.proto, proto ? proto : "tcp");
	for (size_t i = 0; i < node->n_ports; i++)
		if (node->ports[i].host == p.host && strcmp(node->ports[i].proto, p.proto) == 0) {
			node->ports[i] = p;
			return 1;
		}
	err = grow(&node->ports, &node->n_ports, sizeof(struct lab_port), LAB_LIST_MAX);
	if (err < 0)
		return err == -E2BIG ? fail(r, "more than %d ports", LAB_LIST_MAX) : err;
	node->ports[node->n_ports - 1] = p;
	return 0;
}

static int
set_bool(struct reader *r, char **slot, const char *value, const char *what)
{
	bool b;

	if (labvalue_bool(value, &b) < 0)
		return fail(r, "%s: '%.32s' is not a boolean (true/false, yes/no, on/off, 1/0)",
			    what, value);
	return set_text(slot, b ? "true" : "false");
}

static int
set_uint(struct reader *r, char **slot, const char *value, uint64_t min, uint64_t max,
	 const char *what)
{
	char text[24];
	uint64_t v;

	if (labvalue_uint(value, min, max, &v) < 0)
		return fail(r, "%s: '%.32s' is not a number from %llu to %llu", what, value,
			    (unsigned long long)min, (unsigned long long)max);
	snprintf(text, sizeof(text), "%llu", (unsigned long long)v);
	return set_text(slot, text);
}

/* node[mem]: Kathara's rule, N with an optional unit b, k, m or g; a bare N is megabytes. */
static int
meta_mem(struct reader *r, struct lab_node *node, const char *value)
{
	size_t n = strlen(value);
	char unit = 'm', text[32];
	uint64_t v;

	if (n > 1 && strchr("bkmgBKMG", value[n - 1])) {
		unit = tolower((unsigned char)value[n - 1]);
		n--;
	}
	if (n >= 21 || n != strspn(value, DIGITS))
		goto bad;
	memcpy(text, value, n);
	text[n] = '\0';
	if (labvalue_uint(text, 1, UINT64_MAX, &v) < 0)
		goto bad;
	snprintf(text, sizeof(text), "%llu%c", (unsigned long long)v, unit);
	return set_text(&node->val[LAB_NODE_MEM], text);
bad:
	return fail(r, "memory '%.32s' of '%s' is not N[b|k|m|g]", value, node->name);
}

/* node[cpus]: a positive decimal, "0.5", "2". */
static int
meta_cpus(struct reader *r, struct lab_node *node, const char *value)
{
	size_t n = strspn(value, DIGITS);

	if (n && value[n] == '.' && value[n + 1])
		n += 1 + strspn(value + n + 1, DIGITS);
	if (n == 0 || value[n] || n > 16 || strtod(value, NULL) <= 0)
		return fail(r, "cpus '%.32s' of '%s' is not a positive number", value,
			    node->name);
	return set_text(&node->val[LAB_NODE_CPUS], value);
}

static int
conf_meta(struct reader *r, size_t ni, const char *key, char *value)
{
	struct lab_node *node = &r->lab->nodes[ni];
	int k = -1, ret;

	for (size_t i = 0; i < ARRAY_SIZE(unsupported_metas); i++)
		if (strcmp(key, unsupported_metas[i]) == 0)
			return warn_once(r, key, "is not supported");
	if (strcmp(key, "exec") == 0)
		return add_string(r, &node->exec, &node->n_exec, value, "exec commands");
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
			return warn_once(r, key, "is unknown");
		case LAB_NODE_IMAGE:
			if (value[strcspn(value, " \t")])
				return fail(r, "image '%.64s' of '%s' has a space in it", value,
					    node->name);
			ret = set_text(&node->val[k], value);
			break;
		case LAB_NODE_MEM:
			ret = meta_mem(r, node, value);
			break;
		case LAB_NODE_CPUS:
			ret = meta_cpus(r, node, value);
			break;
		case LAB_NODE_NUM_TERMS:
			ret = set_uint(r, &node->val[k], value, 0, 1000, "num_terms");
			break;
		case LAB_NODE_IPV6:
		case LAB_NODE_BRIDGED:
		case LAB_NODE_PRIVILEGED:
			ret = set_bool(r, &node->val[k], value, key);
			break;
		default:
			ret = set_text(&node->val[k], value);
			break;
		}
	}
	if (ret == 1)
		return warn(r, "node '%s' already has a value for meta '%s': the last one wins",
			    node->name, key);
	return ret;
}

/* LAB_DESCRIPTION=... : Kathara's reading, the text after '=' with all quotes removed. */
static int
conf_lab_meta(struct reader *r, int k, const char *raw)
{
	const char *eq = strchr(raw, '=');
	_cleanup_free_ char *v = NULL;
	char *w, *s;
	int err;

	if (strchr(eq + 1, '='))
		return fail(r, "%s has a second '='", meta_names[k]);
	v = strdup(eq + 1);
	if (!v)
		return -ENOMEM;
	for (w = s = v; *s; s++)
		if (*s != '"' && *s != '\'')
			*w++ = *s;
	*w = '\0';
	s = v;
	strip(&s);
	err = set_text(&r->lab->meta[k], s);
	if (err == 1)
		return warn(r, "%s given again: the last one wins", meta_names[k]);
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
	struct reader r = { .lab = lab, .fname = fname, .ret_error = ret_error };
	_cleanup_free_ struct lines *l = NULL;
	char *raw, *s;
	int err;

	if (lab->conf_done)
		return error_set(ret_error, -EINVAL, "%s: a lab has one lab.conf", fname);
	if (len > LAB_FILE_MAX)
		return error_set(ret_error, -EFBIG, "%s: larger than %d bytes", fname,
				 LAB_FILE_MAX);
	if (len == 0)
		return error_set(ret_error, -EINVAL, "%s: the file is empty", fname);
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->p = buf;
	l->end = buf + len;
	while ((err = lines_next(l, &r, &raw, &s)) > 0) {
		struct entry e;
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
		err = entry_parse(&r, s, NODE_CHARS, WORD_CHARS, &e);
		if (err < 0)
			return err;
		err = node_get(&r, e.name, &ni);
		if (err < 0)
			return err;
		if (e.key[strspn(e.key, DIGITS)] == '\0')
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
				return fail(&r, "interface %zu of node '%s' is missing (interfaces "
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

/* An address in its canonical text, with "/len" when len >= 0. */
static int
set_addr(char **slot, int family, const void *addr, int len)
{
	char text[INET6_ADDRSTRLEN + 16];

	if (!inet_ntop(family, addr, text, INET6_ADDRSTRLEN))
		return -errno;
	if (len >= 0)
		snprintf(text + strlen(text), 16, "/%d", len);
	return set_text(slot, text);
}

/* node[N.ip]: "A.B.C.D/LEN", "ADDR6/LEN" or "auto" (IPv4 from the segment's subnet). */
static int
ext_iface_ip(struct reader *r, struct lab_node *node, struct lab_iface *iface, const char *v)
{
	struct in6_addr a6;
	struct in_addr a4;
	unsigned len;
	int ret;

	if (strcmp(v, "auto") == 0)
		ret = set_text(&iface->ipv4, "auto");
	else if (labvalue_prefix(v, AF_INET, 0, 32, &a4, &len) == 0)
		ret = set_addr(&iface->ipv4, AF_INET, &a4, len);
	else if (labvalue_prefix(v, AF_INET6, 0, 128, &a6, &len) == 0)
		ret = set_addr(&iface->ipv6, AF_INET6, &a6, len);
	else
		return fail(r, "address '%.64s' of %s eth%u is not ADDR/LEN or auto", v,
			    node->name, iface->index);
	if (ret == 1)
		return warn(r, "%s eth%u already has an address of this family: the last one wins",
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
ext_iface_vlan(struct reader *r, struct lab_node *node, struct lab_iface *iface, char *v)
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
			return fail(r, "%s eth%u: native VLAN %u is also in the trunk's list",
				    node->name, iface->index, id);
		for (size_t i = 0; i < n_trunk; i++)
			if (trunk[i] == id)
				return fail(r, "%s eth%u: VLAN %u twice in the trunk's list",
					    node->name, iface->index, id);
		if (n_trunk == LAB_TRUNK_MAX)
			return fail(r, "%s eth%u: more than %d VLANs on a trunk", node->name,
				    iface->index, LAB_TRUNK_MAX);
		trunk[n_trunk++] = id;
	}
set:
	free(iface->trunk);
	iface->trunk = TAKE_PTR(trunk);
	iface->n_trunk = n_trunk;
	iface->access = access;
	iface->native = native;
	if (had)
		return warn(r, "%s eth%u already has a VLAN role: the last one wins", node->name,
			    iface->index);
	return 0;
bad:
	return fail(r, "VLAN of %s eth%u: expected N or trunk:N,M,..[ native:N], each 1-4094",
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
ext_node(struct reader *r, size_t ni, char *key, char *value)
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
			return fail(r, "gateway '%.64s' of '%s' is not an address", value,
				    node->name);
	} else if (strcmp(key, "privileged") == 0) {
		ret = set_bool(r, &node->val[LAB_NODE_PRIVILEGED], value, "privileged");
	} else if (strcmp(key, "host") == 0) {
		if (!host_valid(value))
			return fail(r, "host '%.64s' of '%s' is not a host name or address", value,
				    node->name);
		ret = set_text(&node->val[LAB_NODE_HOST], value);
		node->host_line = r->line;
	} else if ((dot = strchr(key, '.')) && dot > key) {
		*dot = '\0';
		if (labvalue_uint(key, 0, UINT32_MAX, &index) < 0)
			goto unknown;
		if (index >= node->n_ifaces)
			return fail(r, "node '%s' has no interface %s in lab.conf", node->name, key);
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
		return warn(r, "node '%s' already has a value for '%s': the last one wins",
			    node->name, key);
	return ret;
unknown:
	return fail(r, "unknown key '%.32s' for node '%s' (node keys: gw, privileged, host, "
		       "N.ip, N.vlan)",
		    key, node->name);
}

/* SEG[loss_ge]: "p[,r[,1-h[,1-k]]]", tc's Gilbert-Elliott model, each a percentage. */
static int
loss_ge_check(char *v)
{
	_cleanup_free_ char *copy = strdup(v);
	char *save = NULL;
	int n = 0;
	double pct;

	if (!copy)
		return -ENOMEM;
	if (v[0] == ',' || v[strlen(v) - 1] == ',' || strstr(v, ",,"))
		return -EINVAL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (++n > 4 || labvalue_percent(t, &pct) < 0)
			return -EINVAL;
	return 0;
}

static int
seg_value(struct reader *r, struct lab_segment *seg, int k, char *value)
{
	struct in6_addr a6;
	struct in_addr a4, b4;
	unsigned len;
	uint64_t u;
	double pct;
	char *dash;
	bool b;

	switch (k) {
	case LAB_SEG_SUBNET:
		if (labvalue_prefix(value, AF_INET, 1, 30, &a4, &len) < 0)
			return fail(r, "subnet '%.64s' of '%s' is not A.B.C.D/LEN (LEN 1-30)", value,
				    seg->name);
		if (!labvalue_prefix_is_network(AF_INET, &a4, len))
			return fail(r, "subnet '%.64s' of '%s' has host bits set", value,
				    seg->name);
		return set_addr(&seg->val[k], AF_INET, &a4, len);
	case LAB_SEG_SERVICE:
		if (labvalue_ipv4(value, &a4) < 0)
			return fail(r, "service '%.64s' of '%s' is not an IPv4 address", value,
				    seg->name);
		return set_addr(&seg->val[k], AF_INET, &a4, -1);
	case LAB_SEG_DHCP:
		dash = strchr(value, '-');
		if (dash)
			*dash = '\0';
		if (!dash || labvalue_ipv4(value, &a4) < 0 || labvalue_ipv4(dash + 1, &b4) < 0)
			return fail(r, "dhcp range of '%s' is not A.B.C.D-A.B.C.D", seg->name);
		if (ntohl(a4.s_addr) > ntohl(b4.s_addr))
			return fail(r, "dhcp range of '%s' ends before it starts", seg->name);
		*dash = '-';
		return set_text(&seg->val[k], value);
	case LAB_SEG_DNS:
		return set_bool(r, &seg->val[k], value, "dns");
	case LAB_SEG_IPV6:
		if (labvalue_prefix(value, AF_INET6, 1, 128, &a6, &len) < 0)
			return fail(r, "ipv6 '%.64s' of '%s' is not an IPv6 prefix ADDR/LEN", value,
				    seg->name);
		if (!labvalue_prefix_is_network(AF_INET6, &a6, len))
			return fail(r, "ipv6 prefix '%.64s' of '%s' has host bits set", value,
				    seg->name);
		return set_addr(&seg->val[k], AF_INET6, &a6, len);
	case LAB_SEG_MTU:
		return set_uint(r, &seg->val[k], value, 68, 65535, "mtu");
	case LAB_SEG_DELAY:
	case LAB_SEG_JITTER:
		if (labvalue_duration(value, &u) < 0)
			return fail(r, "%s '%.64s' of '%s' is not a time as tc writes it (20ms, "
				       "1.5s, 100us)",
				    seg_keys[k].name, value, seg->name);
		return set_text(&seg->val[k], value);
	case LAB_SEG_LOSS:
	case LAB_SEG_DUPLICATE:
	case LAB_SEG_CORRUPT:
	case LAB_SEG_REORDER:
		if (labvalue_percent(value, &pct) < 0)
			return fail(r, "%s '%.64s' of '%s' is not a percentage (0.5%%, 0-100)",
				    seg_keys[k].name, value, seg->name);
		return set_text(&seg->val[k], value);
	case LAB_SEG_LOSS_GE:
		if (loss_ge_check(value) < 0)
			return fail(r, "loss_ge '%.64s' of '%s' is not p[,r[,1-h[,1-k]]] in percent",
				    value, seg->name);
		return set_text(&seg->val[k], value);
	case LAB_SEG_RATE:
		if (labvalue_rate(value, &u) < 0)
			return fail(r, "rate '%.64s' of '%s' is not a rate as tc writes it (10mbit, "
				       "1gbit, 500kbps)",
				    value, seg->name);
		return set_text(&seg->val[k], value);
	case LAB_SEG_LIMIT:
		return set_uint(r, &seg->val[k], value, 1, UINT32_MAX, "limit");
	case LAB_SEG_SEED:
		return set_uint(r, &seg->val[k], value, 0, UINT64_MAX, "seed");
	case LAB_SEG_STATE:
		if (strcmp(value, "up") != 0 && strcmp(value, "down") != 0)
			return fail(r, "state of '%s' is not up or down", seg->name);
		return set_text(&seg->val[k], value);
	case LAB_SEG_CAPTURE:
		if (labvalue_bool(value, &b) == 0)
			return fail(r, "capture of '%s' is a file name, not a boolean", seg->name);
		return set_text(&seg->val[k], value);
	case LAB_SEG_VXLAN:
		return set_uint(r, &seg->val[k], value, 1, 16777215, "vxlan (a VNI)");
	}
	return -EINVAL;
}

static int
ext_segment(struct reader *r, size_t si, const char *key, char *value)
{
	struct lab_segment *seg = &r->lab->segments[si];
	int ret;

	for (int k = 0; k < LAB_SEG_KEYS; k++) {
		if (strcmp(key, seg_keys[k].name) != 0)
			continue;
		ret = seg_value(r, seg, k, value);
		seg->line[k] = r->line;
		if (ret == 1)
			return warn(r, "segment '%s' already has a value for '%s': the last one wins",
				    seg->name, key);
		return ret;
	}
	return fail(r, "unknown key '%.32s' for segment '%s' (segment keys: subnet, service, dhcp, "
		       "dns, ipv6, mtu, delay, jitter, loss, loss_ge, duplicate, corrupt, "
		       "reorder, rate, limit, seed, state, capture, vxlan)",
		    key, seg->name);
}

/* Kathara's own lab.ext ("SEGMENT IFACE[.VLAN]", host interfaces), which this one is not. */
static bool
kathara_ext_line(const char *s)
{
	size_t n = strspn(s, WORD_CHARS), ws, m;

	if (n == 0)
		return false;
	ws = strspn(s + n, " \t");
	m = strspn(s + n + ws, WORD_CHARS ".");
	return ws > 0 && m > 0 && s[n + ws + m] == '\0';
}

static int
ext_top(struct reader *r, const char *name, char *value)
{
	struct lab *lab = r->lab;
	char *save = NULL;
	int err;

	if (strcmp(name, "LAB_DOMAIN") == 0) {
		if (labvalue_dns_name(value) < 0)
			return fail(r, "LAB_DOMAIN '%.64s' is not a DNS name", value);
		err = set_text(&lab->domain, value);
		if (err == 1)
			return warn(r, "LAB_DOMAIN given again: the last one wins");
		return err;
	}
	if (strcmp(name, "LAB_HOSTS") == 0) {
		for (char *t = strtok_r(value, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
			if (!host_valid(t))
				return fail(r, "LAB_HOSTS: '%.64s' is not a host name or address", t);
			for (size_t i = 0; i < lab->n_hosts; i++)
				if (strcmp(lab->hosts[i], t) == 0)
					return fail(r, "LAB_HOSTS: '%.64s' given twice", t);
			err = add_string(r, &lab->hosts, &lab->n_hosts, t, "hosts");
			if (err < 0)
				return err;
		}
		return 0;
	}
	/* IMAGE_MAP="FROM=TO FROM=TO", repeatable. */
	for (char *t = strtok_r(value, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(t, '=');

		if (!eq || eq == t || !eq[1] || strchr(eq + 1, '='))
			return fail(r, "IMAGE_MAP: '%.64s' is not FROM=TO", t);
		*eq = '\0';
		err = set_pair(r, &lab->image_map, &lab->n_image_map, t, eq + 1, "image maps");
		if (err == 1)
			err = warn(r, "IMAGE_MAP: '%.64s' mapped again: the last one wins", t);
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
	uint32_t host;

	if (labvalue_prefix(seg->val[LAB_SEG_SUBNET], AF_INET, 0, 32, &net, &len) < 0 ||
	    labvalue_ipv4(addr, &a) < 0)
		return false;
	host = ntohl(a.s_addr) & (len == 0 ? ~0U : ~(~0U << (32 - len)));
	return host != 0 && host != (len == 0 ? ~0U : ~(~0U << (32 - len)));
}

/* What one key alone cannot tell: the keys of a segment and of a node against each other. */
static int
ext_cross_check(struct reader *r)
{
	struct lab *lab = r->lab;

	for (size_t i = 0; i < lab->n_segments; i++) {
		struct lab_segment *s = &lab->segments[i];
		char **v = s->val;

		if (v[LAB_SEG_SERVICE]) {
			r->line = s->line[LAB_SEG_SERVICE];
			if (!v[LAB_SEG_SUBNET])
				return fail(r, "service of '%s' needs a subnet", s->name);
			if (!in_subnet(s, v[LAB_SEG_SERVICE]))
				return fail(r, "service %s of '%s' is not in its subnet %s",
					    v[LAB_SEG_SERVICE], s->name, v[LAB_SEG_SUBNET]);
			if (!host_address(s, v[LAB_SEG_SERVICE]))
				return fail(r, "service %s of '%s' is its subnet's network or "
					       "broadcast address",
					    v[LAB_SEG_SERVICE], s->name);
		}
		if (v[LAB_SEG_DHCP]) {
			char range[INET_ADDRSTRLEN * 2 + 2], *dash;

			r->line = s->line[LAB_SEG_DHCP];
			if (!v[LAB_SEG_SERVICE])
				return fail(r, "dhcp of '%s' needs a service address to serve it",
					    s->name);
			snprintf(range, sizeof(range), "%s", v[LAB_SEG_DHCP]);
			dash = strchr(range, '-');
			*dash = '\0';
			if (!in_subnet(s, range) || !in_subnet(s, dash + 1))
				return fail(r, "dhcp range %s of '%s' is not in its subnet %s",
					    v[LAB_SEG_DHCP], s->name, v[LAB_SEG_SUBNET]);
		}
		if (v[LAB_SEG_DNS] && strcmp(v[LAB_SEG_DNS], "true") == 0 && !v[LAB_SEG_SERVICE]) {
			r->line = s->line[LAB_SEG_DNS];
			return fail(r, "dns of '%s' needs a service address to answer", s->name);
		}
		if (v[LAB_SEG_IPV6] && v[LAB_SEG_MTU] && strtoul(v[LAB_SEG_MTU], NULL, 10) < 1280) {
			r->line = s->line[LAB_SEG_MTU];
			return fail(r, "mtu of '%s' is under 1280, the least IPv6 needs", s->name);
		}
		if (v[LAB_SEG_JITTER] && !v[LAB_SEG_DELAY]) {
			r->line = s->line[LAB_SEG_JITTER];
			return fail(r, "jitter of '%s' needs a delay", s->name);
		}
		if (v[LAB_SEG_LOSS] && v[LAB_SEG_LOSS_GE]) {
			r->line = s->line[LAB_SEG_LOSS_GE];
			return fail(r, "'%s' has both loss and loss_ge: one loss model", s->name);
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
				return fail(r, "%s eth%u: ip auto needs a subnet on segment '%s'",
					    node->name, f->index, lab->segments[f->segment].name);
		}
		if (!host)
			continue;
		r->line = node->host_line;
		for (size_t j = 0; j < lab->n_hosts; j++)
			known |= strcmp(lab->hosts[j], host) == 0;
		if (!known)
			return fail(r, "host '%s' of '%s' is not in LAB_HOSTS", host, node->name);
	}
	return 0;
}

int
labconf_parse_ext(struct lab *lab, const char *buf, size_t len, const char *fname,
		  char **ret_error)
{
	static const char *const top[] = { "LAB_HOSTS", "LAB_DOMAIN", "IMAGE_MAP" };
	struct reader r = { .lab = lab, .fname = fname, .ret_error = ret_error };
	_cleanup_free_ struct lines *l = NULL;
	char *raw, *s;
	int err;

	if (!lab->conf_done)
		return error_set(ret_error, -EINVAL, "%s: read lab.conf first", fname);
	if (len > LAB_FILE_MAX)
		return error_set(ret_error, -EFBIG, "%s: larger than %d bytes", fname,
				 LAB_FILE_MAX);
	if (len == 0)
		return warn(&r, "the file is empty, ignoring");
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->p = buf;
	l->end = buf + len;
	while ((err = lines_next(l, &r, &raw, &s)) > 0) {
		const char *name = NULL;
		struct entry e;
		ssize_t i;

		if (raw[0] == '#' || !*s)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(top); k++)
			if (raw == s && strncmp(s, top[k], strlen(top[k])) == 0 &&
			    s[strlen(top[k])] == '=')
				name = top[k];
		if (name) {
			char *value;

			err = value_parse(&r, s + strlen(name) + 1, &value);
			if (err < 0)
				return err;
			err = ext_top(&r, name, value);
			if (err < 0)
				return err;
			continue;
		}
		if (kathara_ext_line(s))
			return fail(&r, "this is Kathara's lab.ext (host interfaces), which "
					"containet does not read; its lab.ext holds KEY[ARG]=VALUE "
					"lines");
		err = entry_parse(&r, s, WORD_CHARS, EXT_ARG_CHARS, &e);
		if (err < 0)
			return err;
		if ((i = node_index(lab, e.name)) >= 0) {
			err = ext_node(&r, i, e.key, e.value);
		} else if ((i = segment_index(lab, e.name)) >= 0) {
			err = ext_segment(&r, i, e.key, e.value);
		} else {
			err = fail(&r, "'%.64s' is neither a node nor a segment of lab.conf",
				   e.name);
		}
		if (err < 0)
			return err;
	}
	if (err < 0)
		return err;
	return ext_cross_check(&r);
}

/* Names the loop among the nodes not yet placed: every one of them depends on another. */
static int
dep_loop(struct reader *r, const bool *placed)
{
	struct lab *lab = r->lab;
	_cleanup_free_ size_t *path = calloc(lab->n_nodes + 1, sizeof(size_t));
	_cleanup_free_ ssize_t *seen = calloc(lab->n_nodes, sizeof(ssize_t));
	_cleanup_free_ char *text = NULL;
	size_t n = 0, cur = 0, start;
	FILE *f;

	if (!path || !seen)
		return -ENOMEM;
	while (placed[cur])
		cur++;
	for (size_t i = 0; i < lab->n_nodes; i++)
		seen[i] = -1;
	while (seen[cur] < 0) {
		seen[cur] = n;
		path[n++] = cur;
		for (size_t j = 0; j < lab->nodes[cur].n_deps; j++)
			if (!placed[lab->nodes[cur].deps[j]]) {
				cur = lab->nodes[cur].deps[j];
				break;
			}
	}
	start = seen[cur];
	{
		size_t size = 0;

		f = open_memstream(&text, &size);
		if (!f)
			return -ENOMEM;
		for (size_t i = start; i < n; i++)
			fprintf(f, "%s -> ", lab->nodes[path[i]].name);
		fprintf(f, "%s", lab->nodes[cur].name);
		if (fclose(f) != 0)
			return -ENOMEM;
	}
	r->line = lab->nodes[path[start]].dep_line;
	return fail(r, "dependency loop: %s", text);
}

/* Waves: a node goes in the first wave after all of its dependencies' waves. */
static int
dep_order(struct reader *r)
{
	struct lab *lab = r->lab;
	_cleanup_free_ bool *placed = calloc(lab->n_nodes + 1, sizeof(bool));
	_cleanup_free_ bool *ready = calloc(lab->n_nodes + 1, sizeof(bool));
	_cleanup_free_ size_t *order = calloc(lab->n_nodes + 1, sizeof(size_t));
	size_t n_placed = 0;
	unsigned wave = 0;

	if (!placed || !ready || !order)
		return -ENOMEM;
	while (n_placed < lab->n_nodes) {
		size_t before = n_placed;

		for (size_t i = 0; i < lab->n_nodes; i++) {
			ready[i] = !placed[i];
			for (size_t j = 0; ready[i] && j < lab->nodes[i].n_deps; j++)
				ready[i] = placed[lab->nodes[i].deps[j]];
		}
		for (size_t i = 0; i < lab->n_nodes; i++)
			if (ready[i]) {
				placed[i] = true;
				lab->nodes[i].wave = wave;
				order[n_placed++] = i;
			}
		if (n_placed == before)
			return dep_loop(r, placed);
		wave++;
	}
	free(lab->order);
	lab->order = TAKE_PTR(order);
	lab->n_waves = wave;
	return 0;
}

/* "NODE: DEP DEP": Kathara's regex, one optional blank after ':' and single spaces after. */
static int
dep_line(struct reader *r, char *s)
{
	struct lab *lab = r->lab;
	size_t n = strspn(s, WORD_CHARS);
	struct lab_node *node;
	char *deps, *save = NULL;
	ssize_t ni;

	if (n == 0 || s[n] != ':')
		goto syntax;
	s[n] = '\0';
	deps = s + n + 1;
	if (isspace((unsigned char)*deps))
		deps++;
	if (!*deps)
		goto syntax;
	for (char *c = deps; *c; c++)
		if (*c == ' ' ? c == deps || c[1] == ' ' : !strchr(WORD_CHARS, *c))
			goto syntax;
	ni = node_index(lab, s);
	if (ni < 0)
		return fail(r, "'%.64s' is not a node of lab.conf", s);
	node = &lab->nodes[ni];
	if (node->dep_line) {
		int err = warn(r, "'%s' already has dependencies (line %u): the last line wins",
			       node->name, node->dep_line);

		if (err < 0)
			return err;
	}
	node->dep_line = r->line;
	free(node->deps);
	node->n_deps = 0;
	node->deps = calloc(lab->n_nodes, sizeof(size_t));
	if (!node->deps)
		return -ENOMEM;
	for (char *t = strtok_r(deps, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		ssize_t di = node_index(lab, t);
		bool dup = false;

		if (di < 0)
			return fail(r, "'%s' depends on '%.64s', which is not a node of lab.conf",
				    node->name, t);
		for (size_t j = 0; j < node->n_deps; j++)
			dup |= node->deps[j] == (size_t)di;
		if (!dup)
			node->deps[node->n_deps++] = di;
	}
	return 0;
syntax:
	return fail(r, "expected NODE: DEPENDENCY [DEPENDENCY...]");
}

int
labconf_parse_dep(struct lab *lab, const char *buf, size_t len, const char *fname,
		  char **ret_error)
{
	struct reader r = { .lab = lab, .fname = fname, .ret_error = ret_error };
	_cleanup_free_ struct lines *l = NULL;
	char *raw, *s;
	int err;

	if (!lab->conf_done)
		return error_set(ret_error, -EINVAL, "%s: read lab.conf first", fname);
	if (len > LAB_FILE_MAX)
		return error_set(ret_error, -EFBIG, "%s: larger than %d bytes", fname,
				 LAB_FILE_MAX);
	if (len == 0)
		return warn(&r, "the file is empty, ignoring");
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->p = buf;
	l->end = buf + len;
	while ((err = lines_next(l, &r, &raw, &s)) > 0) {
		if (!*s || s[0] == '#')
			continue;
		err = dep_line(&r, s);
		if (err < 0)
			return err;
	}
	if (err < 0)
		return err;
	r.line = 0;
	return dep_order(&r);
}
