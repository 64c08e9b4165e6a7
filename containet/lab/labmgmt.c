#include "labmgmt.h"

#include "cleanup.h"
#include "labplan.h"
#include "parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned
labmgmt_preferred(const char *lab_name)
{
	uint32_t h = labplan_hash32(lab_name);

	/* Fold the hash: lab names that differ in their last character spread too. */
	return (h ^ (h >> 8) ^ (h >> 16) ^ (h >> 24)) & 0xff;
}

int
labmgmt_pick(const char *lab_name, const bool taken[256], unsigned *ret)
{
	unsigned first = labmgmt_preferred(lab_name);

	for (unsigned i = 0; i < 256; i++) {
		unsigned net = (first + i) & 0xff;

		if (!taken[net]) {
			*ret = net;
			return 0;
		}
	}
	return -ENOSPC;
}

void
labmgmt_port_name(const char *state_dir, char ret[IFNAMSIZ])
{
	snprintf(ret, IFNAMSIZ, "ctm%08" PRIx32, labplan_hash32(state_dir));
}

void
labmgmt_addr(const struct labmgmt *m, unsigned host, char buf[16])
{
	snprintf(buf, 16, LABMGMT_PREFIX ".%u.%u", m->net & 0xff, host & 0xff);
}

const struct labmgmt_node *
labmgmt_node(const struct labmgmt *m, const char *name)
{
	for (size_t i = 0; i < m->n_nodes; i++)
		if (strcmp(m->nodes[i].name, name) == 0)
			return &m->nodes[i];
	return NULL;
}

static bool
host_used(const struct labmgmt *m, unsigned host)
{
	for (size_t i = 0; i < m->n_nodes; i++)
		if (m->nodes[i].host == host)
			return true;
	return false;
}

static int
add_node_at(struct labmgmt *m, const char *name, unsigned host)
{
	struct labmgmt_node *n;

	if (!labplan_node_name_valid(name) || host < 1 || host > LABMGMT_HOSTS_MAX)
		return -EINVAL;
	if (labmgmt_node(m, name))
		return -EEXIST;
	if (host_used(m, host) || m->n_nodes == LABMGMT_HOSTS_MAX)
		return -ENOSPC;
	n = &m->nodes[m->n_nodes++];
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->host = host;
	return 0;
}

int
labmgmt_add_node(struct labmgmt *m, const char *name)
{
	for (unsigned h = 1; h <= LABMGMT_HOSTS_MAX; h++)
		if (!host_used(m, h))
			return add_node_at(m, name, h);
	return -ENOSPC;
}

bool
labmgmt_del_node(struct labmgmt *m, const char *name)
{
	for (size_t i = 0; i < m->n_nodes; i++)
		if (strcmp(m->nodes[i].name, name) == 0) {
			memmove(&m->nodes[i], &m->nodes[i + 1],
			        (m->n_nodes - i - 1) * sizeof(m->nodes[0]));
			m->n_nodes--;
			return true;
		}
	return false;
}

char *
labmgmt_format(const struct labmgmt *m)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	_cleanup_fclose_ FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f, "net %u\nport %s\n", m->net, m->port);
	for (size_t i = 0; i < m->n_nodes; i++)
		fprintf(f, "node %s %u\n", m->nodes[i].name, m->nodes[i].host);
	if (fflush(f) || ferror(f))
		return NULL;
	fclose(TAKE_PTR(f));
	return TAKE_PTR(text);
}

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"

/* A port name as the switch's host ports take it with masquerade: A-Z a-z 0-9 _ . -. */
static bool
port_name_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n < IFNAMSIZ && strspn(s, NAME_CHARS) == n && s[0] != '.' && s[0] != '-';
}

/* A number as labmgmt_format writes it: decimal, no sign, no leading zero. */
static int
number(const char *s, unsigned long min, unsigned long max, unsigned long *ret)
{
	if (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1]))
		return -EINVAL;
	return parse_uint(s, min, max, ret);
}

int
labmgmt_parse(const char *buf, size_t len, struct labmgmt *ret)
{
	struct labmgmt m = {};
	bool have_net = false, have_port = false;
	const char *p = buf, *end = buf + len;

	if (len > LABMGMT_STATE_MAX || memchr(buf, '\0', len))
		return -EINVAL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char line[128], *w[4], *save = NULL;
		size_t n = 0, ll;
		unsigned long v;

		if (!nl)
			return -EINVAL; /* every line ends with its newline */
		ll = (size_t)(nl - p);
		if (ll == 0 || ll >= sizeof(line))
			return -EINVAL;
		memcpy(line, p, ll);
		line[ll] = '\0';
		p = nl + 1;
		/* Single spaces between words, none around them. */
		if (line[0] == ' ' || line[ll - 1] == ' ' || strstr(line, "  ") ||
		    strpbrk(line, "\t\r"))
			return -EINVAL;
		for (char *t = strtok_r(line, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
			if (n == 3)
				return -EINVAL;
			w[n++] = t;
		}
		if (n == 2 && strcmp(w[0], "net") == 0 && !have_net) {
			if (number(w[1], 0, 255, &v) < 0)
				return -EINVAL;
			m.net = (unsigned)v;
			have_net = true;
		} else if (n == 2 && strcmp(w[0], "port") == 0 && have_net && !have_port) {
			if (!port_name_valid(w[1]))
				return -EINVAL;
			snprintf(m.port, sizeof(m.port), "%s", w[1]);
			have_port = true;
		} else if (n == 3 && strcmp(w[0], "node") == 0 && have_net && have_port) {
			if (number(w[2], 1, LABMGMT_HOSTS_MAX, &v) < 0 ||
			    add_node_at(&m, w[1], (unsigned)v) < 0)
				return -EINVAL;
		} else {
			return -EINVAL;
		}
	}
	if (!have_net || !have_port)
		return -EINVAL;
	*ret = m;
	return 0;
}

/* --- /etc/hosts --- */

/* A name for /etc/hosts: letters, digits, '-', '_' and inner dots; nothing that ends a line. */
static bool
host_name_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 253 && strspn(s, NAME_CHARS) == n && s[0] != '.' && s[0] != '-' &&
	       s[n - 1] != '.' && !strstr(s, "..");
}

/* The line [p, end of line) equals s followed by its newline (or the text's end). */
static bool
line_is(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) >= n && memcmp(p, s, n) == 0 && (p + n == end || p[n] == '\n');
}

/* The start of the line after the one at p. */
static const char *
next_line(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl + 1 : end;
}

int
labmgmt_hosts_edit(const char *text, size_t len, const char *lab, const struct labmgmt_host *hosts,
                   size_t n, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *begin = NULL, *begin_nl = NULL, *stop = NULL, *out = NULL;
	const char *end = text + len, *b = NULL, *e = NULL;
	bool added_nl = false; /* the block's begin says the newline before it is the lab's */
	size_t out_len = 0;
	_cleanup_fclose_ FILE *f = NULL;
	struct in_addr a;

	if (!labplan_name_valid(lab) || memchr(text, '\0', len))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (inet_pton(AF_INET, hosts[i].addr, &a) != 1 ||
		    !labplan_node_name_valid(hosts[i].node) || !host_name_valid(hosts[i].domain))
			return -EINVAL;
	if (asprintf(&begin, "# containet lab %s begin", lab) < 0 ||
	    asprintf(&begin_nl, "# containet lab %s begin, after a newline of its own", lab) < 0 ||
	    asprintf(&stop, "# containet lab %s end", lab) < 0)
		return -ENOMEM;
	/* The block: one begin, then its end; anything else is a damaged file. */
	for (const char *p = text; p < end; p = next_line(p, end)) {
		if (line_is(p, end, begin) || line_is(p, end, begin_nl)) {
			if (b)
				return -EINVAL;
			b = p;
			added_nl = line_is(p, end, begin_nl);
		} else if (line_is(p, end, stop)) {
			if (!b || e)
				return -EINVAL;
			e = next_line(p, end);
		}
	}
	if (b && !e)
		return -EINVAL;
	f = open_memstream(&out, &out_len);
	if (!f)
		return -ENOMEM;
	if (!b && n > 0 && len > 0 && text[len - 1] != '\n')
		added_nl = true;
	/*
	 * A file whose last line had no newline gets one before the block, and gets it
	 * removed with the block when the block is still the file's end: so that down leaves
	 * the file byte for byte as it was.
	 */
	if (b && n == 0 && added_nl && e == end && b > text)
		fwrite(text, 1, (size_t)(b - text) - 1, f);
	else
		fwrite(text, 1, b ? (size_t)(b - text) : len, f);
	if (n > 0) {
		if (!b && added_nl)
			fputc('\n', f);
		fprintf(f, "%s\n", added_nl ? begin_nl : begin);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%s\t%s.%s %s\n", hosts[i].addr, hosts[i].node, hosts[i].domain,
			        hosts[i].node);
		fprintf(f, "%s\n", stop);
	}
	if (b)
		fwrite(e, 1, (size_t)(end - e), f);
	if (fflush(f) || ferror(f))
		return -ENOMEM;
	fclose(TAKE_PTR(f));
	*ret_len = out_len;
	*ret = TAKE_PTR(out);
	return 0;
}
