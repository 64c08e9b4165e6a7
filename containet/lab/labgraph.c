/* A lab as a Graphviz graph (labgraph.h). */
#include "labgraph.h"

#include "ident.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing text; a failed allocation sticks (ok false) and the result is NULL. */
struct text {
	char *s;
	size_t len, cap;
	bool ok;
};

static void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!t->ok)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->ok = false;
			return;
		}
		if (t->s && t->len + (size_t)n < t->cap) {
			t->len += (size_t)n;
			return;
		}
		size_t nc = (t->cap ? t->cap : 1024);
		while (nc <= t->len + (size_t)n)
			nc *= 2;
		char *ns = realloc(t->s, nc);
		if (!ns) {
			t->ok = false;
			return;
		}
		t->s = ns;
		t->cap = nc;
	}
}

/* Text inside a DOT string: quotes and backslashes escaped (the lab's values have none). */
static void
text_quoted(struct text *t, const char *s)
{
	for (; *s; s++)
		text_add(t, "%s%c", *s == '"' || *s == '\\' ? "\\" : "", *s);
}

char *
labgraph_dot(const struct lab *lab, const char *name)
{
	struct text t = { .ok = true };

	text_add(&t, "graph \"");
	text_quoted(&t, name);
	text_add(&t, "\" {\n\tgraph [label=\"lab ");
	text_quoted(&t, name);
	text_add(&t, "\", labelloc=t, overlap=false];\n"
	             "\tnode [fontname=\"sans-serif\"];\n\tedge [fontname=\"sans-serif\", "
	             "fontsize=10];\n");
	for (size_t i = 0; i < lab->n_nodes; i++) {
		const struct lab_node *n = &lab->nodes[i];

		text_add(&t, "\t\"node:%s\" [shape=box, label=\"%s", n->name, n->name);
		if (n->val[LAB_NODE_IMAGE]) {
			text_add(&t, "\\n");
			text_quoted(&t, n->val[LAB_NODE_IMAGE]);
		}
		text_add(&t, "\"];\n");
	}
	for (size_t i = 0; i < lab->n_segments; i++) {
		const struct lab_segment *s = &lab->segments[i];

		text_add(&t,
		         "\t\"segment:%s\" [shape=ellipse, style=filled, fillcolor=lightgrey, "
		         "label=\"%s",
		         s->name, s->name);
		for (int k = 0; k < LAB_SEG_KEYS; k++)
			if (s->val[k]) {
				text_add(&t, "\\n%s ", labconf_seg_key_name(k));
				text_quoted(&t, s->val[k]);
			}
		text_add(&t, "\"];\n");
	}
	for (size_t i = 0; i < lab->n_nodes; i++) {
		const struct lab_node *n = &lab->nodes[i];

		for (size_t k = 0; k < n->n_ifaces; k++) {
			const struct lab_iface *f = &n->ifaces[k];
			char mac[MAC_STRLEN];

			text_add(&t, "\t\"node:%s\" -- \"segment:%s\" [label=\"eth%u", n->name,
			         lab->segments[f->segment].name, f->index);
			if (f->has_mac) {
				mac_format(f->mac, mac);
				text_add(&t, "\\n%s", mac);
			}
			if (f->ipv4) {
				text_add(&t, "\\n");
				text_quoted(&t, f->ipv4);
			}
			if (f->ipv6) {
				text_add(&t, "\\n");
				text_quoted(&t, f->ipv6);
			}
			text_add(&t, "\"];\n");
		}
	}
	text_add(&t, "}\n");
	if (!t.ok) {
		free(t.s);
		return NULL;
	}
	return t.s;
}
