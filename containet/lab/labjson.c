#include "labjson.h"

#include "errtext.h"
#include "ident.h"
#include "json.h"
#include "labdep.h"
#include "labext.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
add_value(cJSON *obj, const char *name, enum labconf_kind kind, const char *v)
{
	if (kind == LABCONF_BOOL)
		return cJSON_AddBoolToObject(obj, name, strcmp(v, "true") == 0);
	/* Exact in a double: counts, sizes and fractions like "0.5"; the rest stay text. */
	if (kind == LABCONF_NUMBER && strlen(v) < 16)
		return cJSON_AddNumberToObject(obj, name, strtod(v, NULL));
	return cJSON_AddStringToObject(obj, name, v);
}

static bool
add_strings(cJSON *obj, const char *name, char *const *list, size_t n)
{
	cJSON *arr = cJSON_AddArrayToObject(obj, name);

	for (size_t i = 0; arr && i < n; i++)
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(list[i])))
			return false;
	return arr != NULL;
}

/* LAB_HOSTS as written: NAME=ADDR, or the name (or address) alone. */
static bool
add_hosts(cJSON *obj, const struct lab *lab)
{
	cJSON *arr = cJSON_AddArrayToObject(obj, "hosts");

	for (size_t i = 0; arr && i < lab->n_hosts; i++) {
		_cleanup_free_ char *t = NULL;

		if (lab->host_addrs[i] &&
		    asprintf(&t, "%s=%s", lab->hosts[i], lab->host_addrs[i]) < 0)
			return false;
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(t ? t : lab->hosts[i])))
			return false;
	}
	return arr != NULL;
}

static bool
add_pairs(cJSON *obj, const char *name, const struct lab_pair *p, size_t n)
{
	cJSON *map = cJSON_AddObjectToObject(obj, name);

	for (size_t i = 0; map && i < n; i++)
		if (!cJSON_AddStringToObject(map, p[i].key, p[i].value))
			return false;
	return map != NULL;
}

static cJSON *
render_iface(const struct lab *lab, const struct lab_iface *f)
{
	_cleanup_json_ cJSON *o = cJSON_CreateObject();
	char name[16], mac[MAC_STRLEN];
	cJSON *trunk;

	if (!o)
		return NULL;
	snprintf(name, sizeof(name), "eth%u", f->index);
	if (!cJSON_AddNumberToObject(o, "index", f->index) ||
	    !cJSON_AddStringToObject(o, "name", name) ||
	    !cJSON_AddStringToObject(o, "segment", lab->segments[f->segment].name))
		return NULL;
	if (f->has_mac) {
		mac_format(f->mac, mac);
		if (!cJSON_AddStringToObject(o, "mac", mac))
			return NULL;
	}
	if ((f->ipv4 && !cJSON_AddStringToObject(o, "ipv4", f->ipv4)) ||
	    (f->ipv6 && !cJSON_AddStringToObject(o, "ipv6", f->ipv6)) ||
	    (f->access && !cJSON_AddNumberToObject(o, "access", f->access)))
		return NULL;
	if (f->n_trunk) {
		trunk = cJSON_AddArrayToObject(o, "trunk");
		for (size_t i = 0; trunk && i < f->n_trunk; i++)
			if (!cJSON_AddItemToArray(trunk, cJSON_CreateNumber(f->trunk[i])))
				return NULL;
		if (!trunk || (f->native && !cJSON_AddNumberToObject(o, "native", f->native)))
			return NULL;
	}
	return TAKE_PTR(o);
}

static cJSON *
render_node(const struct lab *lab, const struct lab_node *n)
{
	_cleanup_json_ cJSON *o = cJSON_CreateObject();
	cJSON *arr, *port;

	if (!o || !cJSON_AddStringToObject(o, "name", n->name) ||
	    !cJSON_AddNumberToObject(o, "wave", n->wave))
		return NULL;
	arr = cJSON_AddArrayToObject(o, "depends");
	for (size_t i = 0; arr && i < n->n_deps; i++)
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(lab->nodes[n->deps[i]].name)))
			return NULL;
	arr = arr ? cJSON_AddArrayToObject(o, "interfaces") : NULL;
	for (size_t i = 0; arr && i < n->n_ifaces; i++)
		if (!cJSON_AddItemToArray(arr, render_iface(lab, &n->ifaces[i])))
			return NULL;
	if (!arr)
		return NULL;
	for (int k = 0; k < LAB_NODE_KEYS; k++)
		if (n->val[k] &&
		    !add_value(o, labconf_node_key_name(k), labconf_node_key_kind(k), n->val[k]))
			return NULL;
	if (!add_strings(o, "exec", n->exec, n->n_exec) ||
	    !add_pairs(o, "sysctl", n->sysctl, n->n_sysctl) ||
	    !add_pairs(o, "env", n->env, n->n_env))
		return NULL;
	arr = cJSON_AddArrayToObject(o, "ports");
	for (size_t i = 0; arr && i < n->n_ports; i++) {
		port = cJSON_CreateObject();
		if (!cJSON_AddItemToArray(arr, port) ||
		    !cJSON_AddNumberToObject(port, "host", n->ports[i].host) ||
		    !cJSON_AddNumberToObject(port, "guest", n->ports[i].guest) ||
		    !cJSON_AddStringToObject(port, "protocol", n->ports[i].proto))
			return NULL;
	}
	return arr ? TAKE_PTR(o) : NULL;
}

static cJSON *
render_segment(const struct lab *lab, size_t si)
{
	const struct lab_segment *s = &lab->segments[si];
	_cleanup_json_ cJSON *o = cJSON_CreateObject();
	cJSON *nodes;

	if (!o || !cJSON_AddStringToObject(o, "name", s->name))
		return NULL;
	nodes = cJSON_AddArrayToObject(o, "nodes");
	for (size_t i = 0; nodes && i < lab->n_nodes; i++)
		for (size_t j = 0; j < lab->nodes[i].n_ifaces; j++)
			if (lab->nodes[i].ifaces[j].segment == si &&
			    !cJSON_AddItemToArray(nodes, cJSON_CreateString(lab->nodes[i].name)))
				return NULL;
	if (!nodes)
		return NULL;
	for (int k = 0; k < LAB_SEG_KEYS; k++)
		if (s->val[k] &&
		    !add_value(o, labconf_seg_key_name(k), labconf_seg_key_kind(k), s->val[k]))
			return NULL;
	return TAKE_PTR(o);
}

static bool
render_waves(const struct lab *lab, cJSON *o)
{
	cJSON *waves = cJSON_AddArrayToObject(o, "waves"), *wave = NULL;

	for (size_t i = 0; waves && i < lab->n_nodes; i++) {
		const struct lab_node *n = &lab->nodes[lab->order[i]];

		if (i == 0 || n->wave != lab->nodes[lab->order[i - 1]].wave) {
			wave = cJSON_CreateArray();
			if (!cJSON_AddItemToArray(waves, wave))
				return false;
		}
		if (!cJSON_AddItemToArray(wave, cJSON_CreateString(n->name)))
			return false;
	}
	return waves != NULL;
}

cJSON *
labjson_render(const struct lab *lab)
{
	_cleanup_json_ cJSON *o = cJSON_CreateObject();
	cJSON *arr;

	if (!o)
		return NULL;
	for (int k = 0; k < LAB_META_KEYS; k++) {
		/* "LAB_DESCRIPTION" -> "description" */
		char name[32];
		const char *m = labconf_meta_name(k) + 4;
		size_t i;

		for (i = 0; m[i] && i < sizeof(name) - 1; i++)
			name[i] = m[i] - 'A' + 'a';
		name[i] = '\0';
		if (lab->meta[k] && !cJSON_AddStringToObject(o, name, lab->meta[k]))
			return NULL;
	}
	if ((lab->domain && !cJSON_AddStringToObject(o, "domain", lab->domain)) ||
	    !add_hosts(o, lab) ||
	    (lab->vxlan_port && !cJSON_AddNumberToObject(o, "vxlan_port", atoi(lab->vxlan_port))) ||
	    !add_pairs(o, "image_map", lab->image_map, lab->n_image_map))
		return NULL;
	arr = cJSON_AddArrayToObject(o, "nodes");
	for (size_t i = 0; arr && i < lab->n_nodes; i++)
		if (!cJSON_AddItemToArray(arr, render_node(lab, &lab->nodes[i])))
			return NULL;
	arr = arr ? cJSON_AddArrayToObject(o, "segments") : NULL;
	for (size_t i = 0; arr && i < lab->n_segments; i++)
		if (!cJSON_AddItemToArray(arr, render_segment(lab, i)))
			return NULL;
	if (!arr || !render_waves(lab, o) ||
	    !add_strings(o, "warnings", lab->warnings, lab->n_warnings))
		return NULL;
	return TAKE_PTR(o);
}

/* The text of one file being written, and where its messages point. */
struct jtext {
	FILE *f;
	char *buf;
	size_t len;
};

/*
 * lab.conf orders nodes by their first line and segments by their first interface line:
 * each node's other lines and its interface lines are held, then written in an order that
 * gives both orders back (jorder).
 */
struct jline {
	size_t node;
	const char *segment;
	char *text;
	bool done;
};

struct jlines {
	struct jline *v;
	size_t n;
	char **meta; /* per node: its lines other than interfaces ("" when none) */
	const char **names;
	size_t n_meta;
};

static void
jlines_done(struct jlines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].text);
	for (size_t i = 0; i < l->n_meta; i++)
		free(l->meta[i]);
	free(l->v);
	free(l->meta);
	free(l->names);
}

static void
jtext_done(struct jtext *t)
{
	if (t->f)
		fclose(t->f);
	free(t->buf);
}

/* Fails with "FNAME: PATH: why". */
static int
jfail(char **ret_error, const char *fname, const char *path, const char *why, const char *what)
{
	return error_set(ret_error, -EINVAL, "%s: %s: %s%s%s%s", fname, path, why, what ? " '" : "",
	                 what ? what : "", what ? "'" : "");
}

/*
 * A member's value as text for a file: strings without quotes or control characters but
 * the tab (the files have no way to hold them), booleans as "true"/"false", numbers as integers
 * or as the shortest decimal that reads back the same.
 */
static int
jvalue(const cJSON *v, char *buf, size_t size, const char **ret, char **ret_error,
       const char *fname, const char *path)
{
	if (cJSON_IsString(v)) {
		for (const char *s = v->valuestring; *s; s++)
			if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f || *s == '"')
				return jfail(ret_error, fname, path,
				             "a value holds a quote or a control character", NULL);
		*ret = v->valuestring;
		return 0;
	}
	if (cJSON_IsBool(v)) {
		*ret = cJSON_IsTrue(v) ? "true" : "false";
		return 0;
	}
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (!(d >= -1e15 && d <= 1e15))
			return jfail(ret_error, fname, path, "a number out of range", NULL);
		if (d == (double)(long long)d)
			snprintf(buf, size, "%lld", (long long)d);
		else
			snprintf(buf, size, "%.15g", d);
		*ret = buf;
		return 0;
	}
	return jfail(ret_error, fname, path, "wants a string, a number or a boolean", NULL);
}

static bool
member_in(const char *name, const char *const *names)
{
	for (; *names; names++)
		if (strcmp(name, *names) == 0)
			return true;
	return false;
}

static int
jnode_key(const char *name, bool *ret_ext, const char **ret_file_key)
{
	for (int k = 0; k < LAB_NODE_KEYS; k++)
		if (strcmp(name, labconf_node_key_name(k)) == 0) {
			*ret_ext = k == LAB_NODE_GW4 || k == LAB_NODE_GW6 || k == LAB_NODE_HOST;
			*ret_file_key = k == LAB_NODE_GW4 || k == LAB_NODE_GW6 ? "gw" : name;
			return 0;
		}
	return -ENOENT;
}

static int
jiface(const cJSON *f, const char *node, size_t i, FILE *line, const char **ret_segment,
       struct jtext *ext, const char *fname, char **ret_error)
{
	static const char *const known[] = { "index", "name",   "segment", "mac",    "ipv4",
		                             "ipv6",  "access", "trunk",   "native", NULL };
	char path[96], num[32];
	const cJSON *m, *seg = cJSON_GetObjectItemCaseSensitive(f, "segment"),
	                *index = cJSON_GetObjectItemCaseSensitive(f, "index"),
	                *mac = cJSON_GetObjectItemCaseSensitive(f, "mac");
	const char *s;
	double d;
	int r;

	snprintf(path, sizeof(path), "node '%s': interfaces[%zu]", node, i);
	if (!cJSON_IsObject(f))
		return jfail(ret_error, fname, path, "is not an object", NULL);
	cJSON_ArrayForEach(m, f) if (!member_in(m->string, known)) return jfail(
	        ret_error, fname, path, "unknown member", m->string);
	d = cJSON_IsNumber(index) ? index->valuedouble : -1;
	if (!(d >= 0 && d < LAB_IFACES_MAX) || d != (double)(unsigned)d)
		return jfail(ret_error, fname, path, "wants an index from 0 to 63", NULL);
	if (!cJSON_IsString(seg))
		return jfail(ret_error, fname, path, "wants a segment", NULL);
	r = jvalue(seg, num, sizeof(num), &s, ret_error, fname, path);
	if (r < 0)
		return r;
	*ret_segment = s;
	fprintf(line, "%s[%u]=\"%s", node, (unsigned)d, s);
	if (mac) {
		r = jvalue(mac, num, sizeof(num), &s, ret_error, fname, path);
		if (r < 0)
			return r;
		fprintf(line, "/%s", s);
	}
	fprintf(line, "\"\n");
	for (int fam = 0; fam < 2; fam++) {
		m = cJSON_GetObjectItemCaseSensitive(f, fam ? "ipv6" : "ipv4");
		if (!m)
			continue;
		r = jvalue(m, num, sizeof(num), &s, ret_error, fname, path);
		if (r < 0)
			return r;
		fprintf(ext->f, "%s[%u.ip]=\"%s\"\n", node, (unsigned)d, s);
	}
	m = cJSON_GetObjectItemCaseSensitive(f, "access");
	if (m) {
		r = jvalue(m, num, sizeof(num), &s, ret_error, fname, path);
		if (r < 0)
			return r;
		fprintf(ext->f, "%s[%u.vlan]=%s\n", node, (unsigned)d, s);
	}
	m = cJSON_GetObjectItemCaseSensitive(f, "trunk");
	if (m) {
		const cJSON *v, *native = cJSON_GetObjectItemCaseSensitive(f, "native");
		const char *sep = "";

		if (!cJSON_IsArray(m) || cJSON_GetArraySize(m) == 0)
			return jfail(ret_error, fname, path, "trunk wants a list of VLANs", NULL);
		fprintf(ext->f, "%s[%u.vlan]=trunk:", node, (unsigned)d);
		cJSON_ArrayForEach(v, m)
		{
			if (!cJSON_IsNumber(v))
				return jfail(ret_error, fname, path, "trunk wants numbers", NULL);
			r = jvalue(v, num, sizeof(num), &s, ret_error, fname, path);
			if (r < 0)
				return r;
			fprintf(ext->f, "%s%s", sep, s);
			sep = ",";
		}
		if (native) {
			r = jvalue(native, num, sizeof(num), &s, ret_error, fname, path);
			if (r < 0)
				return r;
			fprintf(ext->f, " native:%s", s);
		}
		fprintf(ext->f, "\n");
	} else if (cJSON_GetObjectItemCaseSensitive(f, "native")) {
		return jfail(ret_error, fname, path, "native without trunk", NULL);
	}
	return 0;
}

/* An object of KEY: VALUE strings as "node[what]=KEY=VALUE" lines. */
static int
jpairs(const cJSON *o, const char *node, const char *what, struct jtext *conf, const char *fname,
       const char *path, char **ret_error)
{
	const cJSON *m;
	char num[32];
	const char *s;
	int r;

	if (!cJSON_IsObject(o))
		return jfail(ret_error, fname, path, "wants an object", NULL);
	cJSON_ArrayForEach(m, o)
	{
		for (const char *k = m->string; *k; k++)
			if ((unsigned char)*k < 0x20 || *k == '"' || *k == '=')
				return jfail(ret_error, fname, path, "a bad key", NULL);
		r = jvalue(m, num, sizeof(num), &s, ret_error, fname, path);
		if (r < 0)
			return r;
		fprintf(conf->f, "%s[%s]=\"%s=%s\"\n", node, what, m->string, s);
	}
	return 0;
}

static int
jnode(const cJSON *n, size_t i, struct jtext *ext, struct jtext *dep, struct jlines *lines,
      const char *fname, char **ret_error)
{
	_cleanup_(jtext_done) struct jtext own = {};
	struct jtext *conf = &own;
	void *grown;
	static const char *const lists[] = { "name",   "wave", "depends", "interfaces", "exec",
		                             "sysctl", "env",  "ports",   NULL };
	const cJSON *m, *v, *name = cJSON_GetObjectItemCaseSensitive(n, "name");
	char path[64], num[32];
	const char *s, *node, *key;
	size_t k = 0;
	bool in_ext;
	int r = 0;

	snprintf(path, sizeof(path), "nodes[%zu]", i);
	own.f = open_memstream(&own.buf, &own.len);
	grown = realloc(lines->meta, (lines->n_meta + 1) * sizeof(*lines->meta));
	if (!own.f || !grown)
		return -ENOMEM;
	lines->meta = grown;
	lines->meta[lines->n_meta] = NULL;
	grown = realloc(lines->names, (lines->n_meta + 1) * sizeof(*lines->names));
	if (!grown)
		return -ENOMEM;
	lines->names = grown;
	lines->names[lines->n_meta] = NULL;
	if (!cJSON_IsObject(n))
		return jfail(ret_error, fname, path, "is not an object", NULL);
	if (!cJSON_IsString(name) || !*name->valuestring ||
	    strlen(name->valuestring) > LAB_NODE_NAME_MAX ||
	    strspn(name->valuestring, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
	            strlen(name->valuestring))
		return jfail(ret_error, fname, path, "wants a name of 1 to 30 of a-z 0-9 _", NULL);
	node = name->valuestring;
	snprintf(path, sizeof(path), "node '%s'", node);
	cJSON_ArrayForEach(m, n)
	{
		if (member_in(m->string, lists))
			continue;
		if (jnode_key(m->string, &in_ext, &key) < 0)
			return jfail(ret_error, fname, path, "unknown member", m->string);
		r = jvalue(m, num, sizeof(num), &s, ret_error, fname, path);
		if (r < 0)
			return r;
		fprintf(in_ext ? ext->f : conf->f, "%s[%s]=\"%s\"\n", node, key, s);
	}
	m = cJSON_GetObjectItemCaseSensitive(n, "exec");
	if (m && !cJSON_IsArray(m))
		return jfail(ret_error, fname, path, "exec wants a list", NULL);
	cJSON_ArrayForEach(v, m)
	{
		r = jvalue(v, num, sizeof(num), &s, ret_error, fname, path);
		if (r < 0)
			return r;
		fprintf(conf->f, "%s[exec]=\"%s\"\n", node, s);
	}
	for (int p = 0; p < 2; p++) {
		m = cJSON_GetObjectItemCaseSensitive(n, p ? "env" : "sysctl");
		if (m) {
			r = jpairs(m, node, p ? "env" : "sysctl", conf, fname, path, ret_error);
			if (r < 0)
				return r;
		}
	}
	m = cJSON_GetObjectItemCaseSensitive(n, "ports");
	if (m && !cJSON_IsArray(m))
		return jfail(ret_error, fname, path, "ports wants a list", NULL);
	cJSON_ArrayForEach(v, m)
	{
		const cJSON *proto = cJSON_GetObjectItemCaseSensitive(v, "protocol");
		uint64_t host = json_uint(v, "host", 1u << 20),
		         guest = json_uint(v, "guest", 1u << 20);

		if (host > 65535 || guest > 65535 || (proto && !cJSON_IsString(proto)))
			return jfail(ret_error, fname, path,
			             "a port wants host and guest numbers and a protocol", NULL);
		r = proto ? jvalue(proto, num, sizeof(num), &s, ret_error, fname, path) : 0;
		if (r < 0)
			return r;
		fprintf(conf->f, "%s[port]=\"%u:%u/%s\"\n", node, (unsigned)host, (unsigned)guest,
		        proto ? s : "tcp");
	}
	m = cJSON_GetObjectItemCaseSensitive(n, "interfaces");
	if (m && !cJSON_IsArray(m))
		return jfail(ret_error, fname, path, "interfaces wants a list", NULL);
	cJSON_ArrayForEach(v, m)
	{
		_cleanup_free_ char *text = NULL;
		size_t len = 0;
		FILE *line = open_memstream(&text, &len);
		const char *seg = NULL;

		if (!line)
			return -ENOMEM;
		r = jiface(v, node, k++, line, &seg, ext, fname, ret_error);
		fclose(line);
		if (r < 0)
			return r;
		grown = realloc(lines->v, (lines->n + 1) * sizeof(*lines->v));
		if (!grown)
			return -ENOMEM;
		lines->v = grown;
		lines->v[lines->n++] = (struct jline){ lines->n_meta, seg, TAKE_PTR(text), false };
	}
	if (fflush(own.f))
		return -ENOMEM;
	lines->names[lines->n_meta] = node;
	lines->meta[lines->n_meta++] = own.buf ? strndup(own.buf, own.len) : strdup("");
	if (!lines->meta[lines->n_meta - 1])
		return -ENOMEM;
	m = cJSON_GetObjectItemCaseSensitive(n, "depends");
	if (m && !cJSON_IsArray(m))
		return jfail(ret_error, fname, path, "depends wants a list", NULL);
	if (cJSON_GetArraySize(m) > 0) {
		const char *sep = " ";

		fprintf(dep->f, "%s:", node);
		cJSON_ArrayForEach(v, m)
		{
			if (!cJSON_IsString(v))
				return jfail(ret_error, fname, path, "depends wants names", NULL);
			r = jvalue(v, num, sizeof(num), &s, ret_error, fname, path);
			if (r < 0)
				return r;
			fprintf(dep->f, "%s%s", sep, s);
		}
		fprintf(dep->f, "\n");
	}
	return 0;
}

static int
jsegment(const cJSON *g, size_t i, struct jtext *ext, const char *fname, char **ret_error)
{
	const cJSON *m, *name = cJSON_GetObjectItemCaseSensitive(g, "name");
	char path[96], num[32];
	const char *s;
	int r;

	snprintf(path, sizeof(path), "segments[%zu]", i);
	if (!cJSON_IsObject(g) || !cJSON_IsString(name))
		return jfail(ret_error, fname, path, "wants an object with a name", NULL);
	r = jvalue(name, num, sizeof(num), &s, ret_error, fname, path);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "segment '%.64s'", s);
	cJSON_ArrayForEach(m, g)
	{
		bool known = false;

		if (strcmp(m->string, "name") == 0 || strcmp(m->string, "nodes") == 0)
			continue;
		for (int k = 0; k < LAB_SEG_KEYS && !known; k++)
			known = strcmp(m->string, labconf_seg_key_name(k)) == 0;
		if (!known)
			return jfail(ret_error, fname, path, "unknown member", m->string);
		r = jvalue(m, num, sizeof(num), &s, ret_error, fname, path);
		if (r < 0)
			return r;
		fprintf(ext->f, "%s[%s]=\"%s\"\n", name->valuestring, m->string, s);
	}
	return 0;
}

/*
 * The first line not yet written of a node in [node_min, node_max) on segment seg, or (with
 * any_seg) on a segment that usable() accepts, or on any segment when usable is NULL.
 */
static struct jline *
jline_of(struct jlines *l, size_t node_min, size_t node_max, const char *seg, bool any_seg,
         bool (*usable)(struct jlines *, const char *))
{
	for (size_t k = 0; k < l->n; k++) {
		struct jline *x = &l->v[k];

		if (x->done || x->node < node_min || x->node >= node_max)
			continue;
		if ((seg && strcmp(x->segment, seg) == 0) ||
		    (any_seg && (!usable || usable(l, x->segment))))
			return x;
	}
	return NULL;
}

/* Segments already named by a written line. */
static bool
jseg_used(struct jlines *l, const char *seg)
{
	for (size_t k = 0; k < l->n; k++)
		if (l->v[k].done && strcmp(l->v[k].segment, seg) == 0)
			return true;
	return false;
}

static void
jemit(struct jline *x, FILE *f)
{
	fputs(x->text, f);
	x->done = true;
}

/*
 * Writes the held lines so that nodes first appear in their order and segments in the
 * order of the "segments" list (then in order of use): a node's other lines first when it
 * has some; else one of its interface lines on a segment already named or the next one
 * due, after naming due segments through nodes already written.
 */
static int
jorder(struct jlines *l, const cJSON *segments, FILE *f)
{
	_cleanup_free_ const char **order =
	        calloc(l->n + cJSON_GetArraySize(segments) + 1, sizeof(*order));
	size_t n_order = 0, si = 0;
	const cJSON *v;

	if (!order)
		return -ENOMEM;
	cJSON_ArrayForEach(v, segments) order[n_order++] = json_string(v, "name");
	for (size_t k = 0; k < l->n; k++)
		order[n_order++] = l->v[k].segment;
	for (size_t ni = 0; ni < l->n_meta;) {
		struct jline *x;

		while (si < n_order && jseg_used(l, order[si]))
			si++;
		if (l->meta[ni][0]) {
			fputs(l->meta[ni++], f);
			continue;
		}
		x = jline_of(l, ni, ni + 1, si < n_order ? order[si] : NULL, true, jseg_used);
		if (x) {
			jemit(x, f);
			ni++;
			continue;
		}
		x = si < n_order ? jline_of(l, 0, ni, order[si], false, jseg_used) : NULL;
		if (x) {
			jemit(x, f);
			continue;
		}
		/*
		 * The node has no line that keeps both orders (or none at all): one of the metas
		 * Kathara has and this project ignores (with a warning) names it.
		 */
		fprintf(f, "%s[ulimit]=\"-\"\n", l->names[ni++]);
	}
	for (size_t s = 0; s < n_order; s++)
		for (size_t k = 0; k < l->n; k++)
			if (!l->v[k].done && strcmp(l->v[k].segment, order[s]) == 0)
				jemit(&l->v[k], f);
	return 0;
}

static int
jtop(const cJSON *o, struct jtext *conf, struct jtext *ext, struct jtext *dep, const char *fname,
     char **ret_error)
{
	static const char *const derived[] = { "nodes",    "segments",   "waves",     "warnings",
		                               "lab",      "hosts",      "image_map", "domain",
		                               "machines", "vxlan_port", NULL };
	_cleanup_(jlines_done) struct jlines lines = {};
	const cJSON *m, *v;
	char num[32];
	const char *s;
	size_t i = 0;
	int r;

	if (!cJSON_IsObject(o))
		return error_set(ret_error, -EINVAL, "%s: not a JSON object", fname);
	cJSON_ArrayForEach(m, o)
	{
		char meta[32];
		bool known = false;

		if (member_in(m->string, derived))
			continue;
		for (int k = 0; k < LAB_META_KEYS && !known; k++) {
			const char *mn = labconf_meta_name(k);

			snprintf(meta, sizeof(meta), "%s", mn);
			for (char *c = meta + 4; *c; c++)
				*c = *c - 'A' + 'a';
			known = strcmp(meta + 4, m->string) == 0;
			if (known) {
				r = jvalue(m, num, sizeof(num), &s, ret_error, fname, m->string);
				if (r < 0)
					return r;
				if (strpbrk(s, "'="))
					return jfail(ret_error, fname, m->string,
					             "a quote or '=' in a LAB_ line", NULL);
				fprintf(conf->f, "%s=\"%s\"\n", mn, s);
			}
		}
		if (!known)
			return jfail(ret_error, fname, "the lab", "unknown member", m->string);
	}
	m = cJSON_GetObjectItemCaseSensitive(o, "domain");
	if (m) {
		r = jvalue(m, num, sizeof(num), &s, ret_error, fname, "domain");
		if (r < 0)
			return r;
		fprintf(ext->f, "LAB_DOMAIN=\"%s\"\n", s);
	}
	m = cJSON_GetObjectItemCaseSensitive(o, "hosts");
	cJSON_ArrayForEach(v, m)
	{
		r = jvalue(v, num, sizeof(num), &s, ret_error, fname, "hosts");
		if (r < 0)
			return r;
		fprintf(ext->f, "LAB_HOSTS=\"%s\"\n", s);
	}
	m = cJSON_GetObjectItemCaseSensitive(o, "vxlan_port");
	if (m) {
		r = jvalue(m, num, sizeof(num), &s, ret_error, fname, "vxlan_port");
		if (r < 0)
			return r;
		fprintf(ext->f, "LAB_VXLAN_PORT=\"%s\"\n", s);
	}
	m = cJSON_GetObjectItemCaseSensitive(o, "image_map");
	if (m && !cJSON_IsObject(m))
		return jfail(ret_error, fname, "image_map", "wants an object", NULL);
	cJSON_ArrayForEach(v, m)
	{
		r = jvalue(v, num, sizeof(num), &s, ret_error, fname, "image_map");
		if (r < 0)
			return r;
		if (strpbrk(v->string, "\"= \t") || strpbrk(s, " \t"))
			return jfail(ret_error, fname, "image_map", "a bad image name", v->string);
		fprintf(ext->f, "IMAGE_MAP=\"%s=%s\"\n", v->string, s);
	}
	m = cJSON_GetObjectItemCaseSensitive(o, "nodes");
	if (!cJSON_IsArray(m))
		return jfail(ret_error, fname, "the lab", "wants a list of nodes", NULL);
	cJSON_ArrayForEach(v, m)
	{
		r = jnode(v, i++, ext, dep, &lines, fname, ret_error);
		if (r < 0)
			return r;
	}
	i = 0;
	m = cJSON_GetObjectItemCaseSensitive(o, "segments");
	if (m && !cJSON_IsArray(m))
		return jfail(ret_error, fname, "segments", "wants a list", NULL);
	cJSON_ArrayForEach(v, m)
	{
		r = jsegment(v, i++, ext, fname, ret_error);
		if (r < 0)
			return r;
	}
	return jorder(&lines, m, conf->f);
}

DEFINE_CLEANUP_FUNC(struct lab *, labconf_free)

int
labjson_parse(const char *json, size_t len, const char *fname, struct lab **ret_lab,
              char **ret_error)
{
	_cleanup_(jtext_done) struct jtext conf = {}, ext = {}, dep = {};
	_cleanup_(labconf_freep) struct lab *lab = NULL;
	_cleanup_json_ cJSON *o = NULL;
	_cleanup_free_ char *fconf = NULL, *fext = NULL, *fdep = NULL;
	int r;

	if (len > LAB_FILE_MAX)
		return error_set(ret_error, -EFBIG, "%s: larger than %d bytes", fname,
		                 LAB_FILE_MAX);
	if (json_has_nul(json, len))
		return error_set(ret_error, -EINVAL, "%s: a NUL character", fname);
	o = cJSON_ParseWithLength(json, len);
	if (!o)
		return error_set(ret_error, -EINVAL, "%s: not JSON", fname);
	conf.f = open_memstream(&conf.buf, &conf.len);
	ext.f = open_memstream(&ext.buf, &ext.len);
	dep.f = open_memstream(&dep.buf, &dep.len);
	if (!conf.f || !ext.f || !dep.f)
		return -ENOMEM;
	/* A lab.conf of blanks is a lab without nodes; an empty one is refused. */
	fprintf(conf.f, "# %s\n", "lab.json");
	r = jtop(o, &conf, &ext, &dep, fname, ret_error);
	if (r < 0)
		return r;
	if (fflush(conf.f) || fflush(ext.f) || fflush(dep.f))
		return -ENOMEM;
	if (asprintf(&fconf, "%s (as lab.conf)", fname) < 0 ||
	    asprintf(&fext, "%s (as lab.ext)", fname) < 0 ||
	    asprintf(&fdep, "%s (as lab.dep)", fname) < 0)
		return -ENOMEM;
	lab = labconf_new();
	if (!lab)
		return -ENOMEM;
	r = labconf_parse_conf(lab, conf.buf, conf.len, fconf, ret_error);
	if (r == 0)
		r = labext_parse(lab, ext.buf, ext.len, fext, ret_error);
	if (r == 0 && dep.len)
		r = labdep_parse(lab, dep.buf, dep.len, fdep, ret_error);
	if (r < 0)
		return r;
	*ret_lab = TAKE_PTR(lab);
	return 0;
}
