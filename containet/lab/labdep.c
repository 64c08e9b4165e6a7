#include "labdep.h"

#include "cleanup.h"
#include "errtext.h"
#include "labread.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names the loop among the nodes not yet placed: every one of them depends on another. */
static int
dep_loop(struct labread *r, const bool *placed)
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
	return labread_fail(r, "dependency loop: %s", text);
}

/* Waves: a node goes in the first wave after all of its dependencies' waves. */
static int
dep_order(struct labread *r)
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
dep_line(struct labread *r, char *s)
{
	struct lab *lab = r->lab;
	size_t n = strspn(s, LABREAD_WORD_CHARS);
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
		if (*c == ' ' ? c == deps || c[1] == ' ' : !strchr(LABREAD_WORD_CHARS, *c))
			goto syntax;
	ni = labconf_node_index(lab, s);
	if (ni < 0)
		return labread_fail(r, "'%.64s' is not a node of lab.conf", s);
	node = &lab->nodes[ni];
	if (node->dep_line) {
		int err = labread_warn(
		        r, "'%s' already has dependencies (line %u): the last line wins",
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
		ssize_t di = labconf_node_index(lab, t);
		bool dup = false;

		if (di < 0)
			return labread_fail(
			        r, "'%s' depends on '%.64s', which is not a node of lab.conf",
			        node->name, t);
		for (size_t j = 0; j < node->n_deps; j++)
			dup |= node->deps[j] == (size_t)di;
		if (!dup)
			node->deps[node->n_deps++] = di;
	}
	return 0;
syntax:
	return labread_fail(r, "expected NODE: DEPENDENCY [DEPENDENCY...]");
}

int
labdep_parse(struct lab *lab, const char *buf, size_t len, const char *fname, char **ret_error)
{
	struct labread r = { .lab = lab, .fname = fname, .ret_error = ret_error };
	_cleanup_free_ struct labread_lines *l = NULL;
	char *raw, *s;
	int err;

	err = labread_lines_after_conf(&r, buf, len, &l);
	if (err < 0 || !l)
		return err;
	while ((err = labread_next_line(l, &r, &raw, &s)) > 0) {
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
