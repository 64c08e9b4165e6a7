/* A node's signature for lab test (labsig.h): sections of probe output into sorted lines. */
#include "labsig.h"

#include "cleanup.h"
#include "errtext.h"
#include "json.h"
#include "strprintf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char labsig_probe[] =
        "printf '@addr\\n'; ip -j addr show\n"
        "printf '\\n@route4\\n'; ip -j -4 route show\n"
        "printf '\\n@route6\\n'; ip -j -6 route show 2>/dev/null\n"
        "for t in tcp tcp6 udp udp6; do printf '\\n@%s\\n' $t; cat /proc/net/$t 2>/dev/null; "
        "done\n"
        "exit 0\n";

#define TOKEN_MAX 128 /* one word of a line (an address, a device, a protocol) */

/* The lines being made. */
struct lines {
	char **v;
	size_t n, cap;
	size_t max; /* 0: no bound */
};

static void
lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int lines_add(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int
lines_add(struct lines *l, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (l->max && l->n == l->max)
		return -E2BIG;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		char **nv = realloc(l->v, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = nc;
	}
	va_start(ap, fmt);
	s = vstrprintf(fmt, ap);
	va_end(ap);
	if (!s)
		return -ENOMEM;
	l->v[l->n++] = s;
	return 0;
}

/* A word a line may hold: printable ASCII without blanks, 1 to TOKEN_MAX-1 long. */
static bool
token_ok(const char *s)
{
	size_t n = 0;

	if (!s || !*s)
		return false;
	for (; s[n]; n++)
		if (s[n] <= ' ' || s[n] > '~' || n + 1 >= TOKEN_MAX)
			return false;
	return true;
}

static bool
in_list(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

/* One section's text (not NUL-terminated). */
struct section {
	const char *name;
	const char *p;
	size_t len;
	bool seen;
};

enum { SEC_ADDR, SEC_ROUTE4, SEC_ROUTE6, SEC_TCP, SEC_TCP6, SEC_UDP, SEC_UDP6, SEC_N };

static const char *const section_names[SEC_N] = { "addr", "route4", "route6", "tcp",
	                                          "tcp6", "udp",    "udp6" };

/* A section of ip -j output: an array (or nothing at all, when that family is off). */
static int
parse_json(const struct section *s, cJSON **ret, char **ret_error)
{
	cJSON *root;
	size_t i = 0;

	while (i < s->len && (s->p[i] == ' ' || s->p[i] == '\n' || s->p[i] == '\t'))
		i++;
	*ret = NULL;
	if (i == s->len)
		return 0;
	if (json_has_nul(s->p, s->len))
		return error_set(ret_error, -EINVAL, "@%s: a NUL byte", s->name);
	root = cJSON_ParseWithLength(s->p + i, s->len - i);
	if (!root)
		return cJSON_GetErrorPtr() ? error_set(ret_error, -EINVAL, "@%s: not JSON", s->name)
		                           : -ENOMEM;
	if (!cJSON_IsArray(root)) {
		cJSON_Delete(root);
		return error_set(ret_error, -EINVAL, "@%s: not a JSON array", s->name);
	}
	*ret = root;
	return 0;
}

/* A string field that must be a word when present: 0 (*ret NULL when absent) or -EINVAL. */
static int
word(const cJSON *o, const char *key, const char *sec, const char **ret, char **ret_error)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*ret = NULL;
	if (!v)
		return 0;
	if (!cJSON_IsString(v) || !token_ok(v->valuestring))
		return error_set(ret_error, -EINVAL, "@%s: \"%s\" is not a word", sec, key);
	*ret = v->valuestring;
	return 0;
}

static int
addr_lines(const struct section *s, char *const *mac_ifaces, struct lines *l, char **ret_error)
{
	_cleanup_json_ cJSON *root = NULL;
	const cJSON *ifc, *ai;
	int r = parse_json(s, &root, ret_error);

	if (r < 0)
		return r;
	if (!root)
		return error_set(ret_error, -EINVAL,
		                 "@addr: empty (is 'ip' installed in the node?)");
	cJSON_ArrayForEach(ifc, root)
	{
		const char *name, *mac;
		uint64_t mtu = json_uint(ifc, "mtu", 0);
		bool up = false, carrier = false;
		const cJSON *f;

		if (!cJSON_IsObject(ifc))
			return error_set(ret_error, -EINVAL,
			                 "@addr: an interface is not an object");
		if ((r = word(ifc, "ifname", "addr", &name, ret_error)) < 0 ||
		    (r = word(ifc, "address", "addr", &mac, ret_error)) < 0)
			return r;
		if (!name)
			return error_set(ret_error, -EINVAL,
			                 "@addr: an interface without \"ifname\"");
		if (strcmp(name, "lo") == 0)
			continue;
		/*
		 * The flags, not operstate: the kernel updates that a moment after the carrier
		 * changed (link watch), the flags at once.
		 */
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(ifc, "flags"))
		{
			up |= cJSON_IsString(f) && strcmp(f->valuestring, "UP") == 0;
			carrier |= cJSON_IsString(f) && strcmp(f->valuestring, "LOWER_UP") == 0;
		}
		r = lines_add(l, "link %s mtu %llu %s %s%s%s", name, (unsigned long long)mtu,
		              up ? "up" : "down", carrier ? "carrier" : "no-carrier",
		              mac && in_list(mac_ifaces, name) ? " mac " : "",
		              mac && in_list(mac_ifaces, name) ? mac : "");
		if (r < 0)
			return r;
		cJSON_ArrayForEach(ai, cJSON_GetObjectItemCaseSensitive(ifc, "addr_info"))
		{
			const char *local, *scope;
			uint64_t plen = json_uint(ai, "prefixlen", 999);

			if (!cJSON_IsObject(ai))
				return error_set(ret_error, -EINVAL,
				                 "@addr: %s: an address is not an object", name);
			if ((r = word(ai, "local", "addr", &local, ret_error)) < 0 ||
			    (r = word(ai, "scope", "addr", &scope, ret_error)) < 0)
				return r;
			if (!local || plen > 128)
				return error_set(
				        ret_error, -EINVAL,
				        "@addr: %s: an address without \"local\" or \"prefixlen\"",
				        name);
			/* Link-local ones follow the MAC, which the run may choose. */
			if (scope && (strcmp(scope, "link") == 0 || strcmp(scope, "host") == 0))
				continue;
			r = lines_add(l, "addr %s %s/%llu", name, local, (unsigned long long)plen);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int
route_lines(const struct section *s, struct lines *l, char **ret_error)
{
	_cleanup_json_ cJSON *root = NULL;
	const cJSON *rt;
	int r = parse_json(s, &root, ret_error);

	if (r < 0 || !root)
		return r;
	cJSON_ArrayForEach(rt, root)
	{
		const char *dst, *gw, *dev, *proto, *scope, *src, *type;
		uint64_t metric = json_uint(rt, "metric", 0);
		char m[32] = "";

		if (!cJSON_IsObject(rt))
			return error_set(ret_error, -EINVAL, "@%s: a route is not an object",
			                 s->name);
		if ((r = word(rt, "dst", s->name, &dst, ret_error)) < 0 ||
		    (r = word(rt, "gateway", s->name, &gw, ret_error)) < 0 ||
		    (r = word(rt, "dev", s->name, &dev, ret_error)) < 0 ||
		    (r = word(rt, "protocol", s->name, &proto, ret_error)) < 0 ||
		    (r = word(rt, "scope", s->name, &scope, ret_error)) < 0 ||
		    (r = word(rt, "prefsrc", s->name, &src, ret_error)) < 0 ||
		    (r = word(rt, "type", s->name, &type, ret_error)) < 0)
			return r;
		if (!dst)
			return error_set(ret_error, -EINVAL, "@%s: a route without \"dst\"",
			                 s->name);
		/* IPv6's link-local and multicast routes exist on every interface that is up. */
		if (strncmp(dst, "fe80:", 5) == 0 || strncmp(dst, "ff00:", 5) == 0)
			continue;
		if (metric)
			snprintf(m, sizeof(m), " metric %llu", (unsigned long long)metric);
		r = lines_add(l, "route %s%s%s%s%s%s%s%s%s%s%s%s%s%s", type ? type : "",
		              type ? " " : "", dst, gw ? " via " : "", gw ? gw : "",
		              dev ? " dev " : "", dev ? dev : "", proto ? " proto " : "",
		              proto ? proto : "", scope ? " scope " : "", scope ? scope : "",
		              src ? " src " : "", src ? src : "", m);
		if (r < 0)
			return r;
	}
	return 0;
}

/* "HEX:PORT" of /proc/net/tcp (4 bytes) or tcp6 (16), as the kernel printed them. */
static int
hex_endpoint(const char *s, bool v6, char *ret, size_t size)
{
	char buf[INET6_ADDRSTRLEN];
	uint32_t words[4];
	size_t nw = v6 ? 4 : 1;
	unsigned long port;
	char *end;

	for (size_t i = 0; i < nw; i++) {
		char w[9];

		for (int k = 0; k < 8; k++) {
			char c = s[i * 8 + k];

			if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') ||
			      (c >= 'a' && c <= 'f')))
				return -EINVAL;
			w[k] = c;
		}
		w[8] = '\0';
		/* The kernel prints each 32-bit word of the address as a number in its own order.
		 */
		words[i] = (uint32_t)strtoul(w, NULL, 16);
	}
	s += nw * 8;
	if (*s != ':' || !s[1])
		return -EINVAL;
	for (int k = 1; k <= 4; k++)
		if (!((s[k] >= '0' && s[k] <= '9') || (s[k] >= 'A' && s[k] <= 'F') ||
		      (s[k] >= 'a' && s[k] <= 'f')))
			return -EINVAL;
	if (s[5])
		return -EINVAL;
	port = strtoul(s + 1, &end, 16);
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, words, buf, sizeof(buf)))
		return -EINVAL;
	snprintf(ret, size, v6 ? "[%s]:%lu" : "%s:%lu", buf, port);
	return 0;
}

/* The listening sockets of /proc/net/{tcp,udp}[6]: TCP in LISTEN, UDP bound and unconnected. */
static int
socket_lines(const struct section *s, bool tcp, bool v6, struct lines *l, char **ret_error)
{
	const char *p = s->p, *end = s->p ? s->p + s->len : NULL;
	bool header = true;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[512], sl[32], local[64], remote[64], st[8], ep[INET6_ADDRSTRLEN + 16];
		int r;

		if (n >= sizeof(line))
			return error_set(ret_error, -EINVAL, "@%s: a line too long", s->name);
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (nl ? 1 : 0);
		if (memchr(line, '\0', n) || strspn(line, " \t") == n)
			continue;
		if (header) { /* "  sl  local_address rem_address   st ..." */
			header = false;
			if (strstr(line, "local_address"))
				continue;
		}
		if (sscanf(line, "%31s %63s %63s %7s", sl, local, remote, st) != 4 ||
		    sl[strlen(sl) - 1] != ':')
			return error_set(ret_error, -EINVAL, "@%s: not a socket line", s->name);
		if (tcp ? strcmp(st, "0A") != 0 : strcmp(st, "07") != 0)
			continue;
		if (!tcp && strspn(remote, "0") != strlen(remote) - 5)
			continue; /* a connected UDP socket is a client's */
		r = hex_endpoint(local, v6, ep, sizeof(ep));
		if (r < 0)
			return error_set(ret_error, r, "@%s: '%s' is not an address and port",
			                 s->name, local);
		r = lines_add(l, "listen %s%s %s", tcp ? "tcp" : "udp", v6 ? "6" : "", ep);
		if (r < 0)
			return r;
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines joined with "\n" after each, into *ret. */
static int
lines_join(const struct lines *l, char **ret)
{
	size_t total = 1, k = 0;
	char *s;

	for (size_t i = 0; i < l->n; i++)
		total += strlen(l->v[i]) + 1;
	s = malloc(total);
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		size_t n = strlen(l->v[i]);

		memcpy(s + k, l->v[i], n);
		k += n;
		s[k++] = '\n';
	}
	s[k] = '\0';
	*ret = s;
	return 0;
}

/* The lines sorted and repeats dropped. */
static void
lines_sort_unique(struct lines *l)
{
	size_t w = 0;

	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	for (size_t i = 0; i < l->n; i++) {
		if (w > 0 && strcmp(l->v[w - 1], l->v[i]) == 0) {
			free(l->v[i]);
			continue;
		}
		l->v[w++] = l->v[i];
	}
	l->n = w;
}

int
labsig_build(const char *out, size_t len, char *const *mac_ifaces, char **ret, char **ret_error)
{
	struct section sec[SEC_N] = {};
	struct lines l = { .max = LABSIG_LINES_MAX };
	const char *p = out, *end = out + len;
	struct section *cur = NULL;
	int r;

	*ret = NULL;
	for (int i = 0; i < SEC_N; i++)
		sec[i].name = section_names[i];
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n > 0 && p[0] == '@') {
			int i;

			for (i = 0; i < SEC_N; i++)
				if (strlen(sec[i].name) == n - 1 &&
				    !memcmp(p + 1, sec[i].name, n - 1))
					break;
			if (i == SEC_N)
				return error_set(ret_error, -EINVAL, "'%.*s' is not a section",
				                 (int)(n < 32 ? n : 32), p);
			if (sec[i].seen)
				return error_set(ret_error, -EINVAL, "@%s twice", sec[i].name);
			cur = &sec[i];
			cur->seen = true;
			cur->p = nl ? nl + 1 : end;
			cur->len = 0;
		} else if (!cur) {
			for (size_t k = 0; k < n; k++)
				if (p[k] != ' ' && p[k] != '\t')
					return error_set(ret_error, -EINVAL, "text before @addr");
		} else {
			cur->len = (size_t)((nl ? nl + 1 : end) - cur->p);
		}
		p += n + (nl ? 1 : 0);
	}
	if (!sec[SEC_ADDR].seen)
		return error_set(ret_error, -EINVAL, "no @addr section");
	r = addr_lines(&sec[SEC_ADDR], mac_ifaces, &l, ret_error);
	if (r == 0)
		r = route_lines(&sec[SEC_ROUTE4], &l, ret_error);
	if (r == 0)
		r = route_lines(&sec[SEC_ROUTE6], &l, ret_error);
	for (int i = SEC_TCP; r == 0 && i <= SEC_UDP6; i++)
		r = socket_lines(&sec[i], i == SEC_TCP || i == SEC_TCP6,
		                 i == SEC_TCP6 || i == SEC_UDP6, &l, ret_error);
	if (r == -E2BIG)
		r = error_set(ret_error, -EINVAL, "more than %d lines", LABSIG_LINES_MAX);
	if (r == 0) {
		lines_sort_unique(&l);
		r = lines_join(&l, ret);
	}
	lines_free(&l);
	return r;
}

/* Splits text into its lines (the last one may lack its "\n"), sorted. */
static int
split_sorted(const char *text, struct lines *l)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		int r = lines_add(l, "%.*s", (int)n, p);

		if (r < 0)
			return r;
		p += n + (nl ? 1 : 0);
	}
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	return 0;
}

int
labsig_diff(const char *want, const char *got, char **ret)
{
	struct lines a = {}, b = {}, d = {};
	size_t i = 0, j = 0;
	int r, count = 0;

	*ret = NULL;
	r = split_sorted(want, &a);
	if (r == 0)
		r = split_sorted(got, &b);
	while (r == 0 && (i < a.n || j < b.n)) {
		int c = i == a.n ? 1 : j == b.n ? -1 : strcmp(a.v[i], b.v[j]);

		if (c == 0) {
			i++, j++;
			continue;
		}
		r = c < 0 ? lines_add(&d, "- %s", a.v[i++]) : lines_add(&d, "+ %s", b.v[j++]);
		count++;
	}
	if (r == 0 && count == 0 && strcmp(want, got) != 0) {
		/* The same lines: in another order, or only a final newline differs. */
		size_t lw = strlen(want), lg = strlen(got);

		if (!(lw + 1 == lg && got[lw] == '\n') && !(lg + 1 == lw && want[lg] == '\n')) {
			r = lines_add(&d, "~ the same lines in another order");
			count = 1;
		}
	}
	if (r == 0)
		r = lines_join(&d, ret);
	lines_free(&a);
	lines_free(&b);
	lines_free(&d);
	return r < 0 ? r : count;
}
