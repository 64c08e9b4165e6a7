/*
 * A lab's three files: the input is lab.conf, then (after a NUL byte) lab.ext, then (after
 * another) lab.dep.  An accepted lab keeps the model's promises (labconf.h): interfaces
 * numbered 0..n-1, unique names, every node once in the start order and after its
 * dependencies; and it renders to JSON that parses again, as JSON and as a lab
 * (labjson_parse) that renders the same; split over its LAB_HOSTS, the VNIs are distinct
 * and each machine's part (labhost_part) is a lab of that machine's nodes.
 */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "json.h"
#include "containet/lab/labconf.h"
#include "containet/lab/labdep.h"
#include "containet/lab/labext.h"
#include "containet/lab/labhost.h"
#include "containet/lab/labjson.h"

/* The rendering parses back (labjson_parse) to a lab that renders the same, warnings aside. */
static void
round_trip(cJSON *j, const char *text)
{
	_cleanup_json_ cJSON *b = NULL;
	_cleanup_free_ char *ta = NULL, *tb = NULL, *err = NULL;
	struct lab *back = NULL;
	int r = labjson_parse(text, strlen(text), "lab.json", &back, &err);

	if (r == -ENOMEM)
		return;
	if (r != 0)
		fprintf(stderr, "%s\n%s\n", err, text);
	assert(r == 0);
	b = labjson_render(back);
	assert(b);
	cJSON_DeleteItemFromObject(j, "warnings");
	cJSON_DeleteItemFromObject(b, "warnings");
	ta = cJSON_PrintUnformatted(j);
	tb = cJSON_PrintUnformatted(b);
	assert(ta && tb);
	if (strcmp(ta, tb) != 0)
		fprintf(stderr, "%s\n%s\n", ta, tb);
	assert(strcmp(ta, tb) == 0);
	labconf_free(back);
}

/* The machines' plans and parts (the first few machines). */
static void
split(const struct lab *lab)
{
	_cleanup_free_ uint32_t *vnis = calloc(lab->n_segments + 1, sizeof(uint32_t));

	assert(vnis);
	labhost_vnis(lab, vnis);
	for (size_t s = 0; s < lab->n_segments; s++) {
		assert(vnis[s] >= 1 && vnis[s] <= 16777215);
		for (size_t t = s + 1; t < lab->n_segments; t++)
			assert(vnis[s] != vnis[t]);
	}
	for (size_t i = 0; i < lab->n_hosts && i < 4; i++) {
		struct labhost *h = NULL;
		struct lab *part = NULL;
		_cleanup_free_ char *err = NULL, *err2 = NULL;
		size_t mine = 0;
		int r = labhost_plan(lab, lab->hosts[i], &h, &err);

		if (r == -ENOMEM)
			return;
		assert(r == 0 && h->self == i);
		for (size_t n = 0; n < lab->n_nodes; n++)
			mine += h->node_host[n] == i;
		r = labhost_part(lab, h, &part, &err2);
		if (r == 0)
			assert(part->n_nodes == mine);
		else
			assert(r == -ENOMEM || (r == -EINVAL && mine == 0));
		labconf_free(part);
		labhost_free(h);
	}
}

static void
check(const struct lab *lab)
{
	_cleanup_free_ bool *seen = calloc(lab->n_nodes + 1, sizeof(bool));
	_cleanup_json_ cJSON *j = NULL, *again = NULL;
	_cleanup_free_ char *text = NULL;

	assert(seen);
	for (size_t i = 0; i < lab->n_nodes; i++) {
		const struct lab_node *n = &lab->nodes[i];

		assert(strlen(n->name) > 0 && strlen(n->name) <= LAB_NODE_NAME_MAX);
		for (size_t k = i + 1; k < lab->n_nodes; k++)
			assert(strcmp(n->name, lab->nodes[k].name) != 0);
		for (size_t k = 0; k < n->n_ifaces; k++) {
			assert(n->ifaces[k].index == k);
			assert(n->ifaces[k].segment < lab->n_segments);
			for (size_t m = k + 1; m < n->n_ifaces; m++)
				assert(n->ifaces[k].segment != n->ifaces[m].segment);
		}
		for (size_t k = 0; k < n->n_deps; k++)
			assert(lab->nodes[n->deps[k]].wave < n->wave);
	}
	for (size_t i = 0; i < lab->n_nodes; i++) {
		size_t ni = lab->order[i];

		assert(ni < lab->n_nodes && !seen[ni]);
		seen[ni] = true;
		assert(lab->nodes[ni].wave < lab->n_waves);
		if (i)
			assert(lab->nodes[lab->order[i - 1]].wave <= lab->nodes[ni].wave);
	}
	j = labjson_render(lab);
	assert(j);
	text = cJSON_PrintUnformatted(j);
	assert(text);
	again = cJSON_Parse(text);
	assert(again);
	round_trip(j, text);
	split(lab);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *part[3] = { NULL, NULL, NULL };
	size_t len[3] = { 0, 0, 0 };
	struct lab *lab = labconf_new();
	char *err = NULL;
	int r;

	assert(lab);
	for (int i = 0; i < 3 && p <= end; i++) {
		const char *nul = i < 2 ? memchr(p, '\0', end - p) : NULL;

		part[i] = p;
		len[i] = (nul ? nul : end) - p;
		p += len[i] + 1;
		if (!nul)
			break;
	}
	r = labconf_parse_conf(lab, part[0], len[0], "lab.conf", &err);
	if (r == 0 && part[1])
		r = labext_parse(lab, part[1], len[1], "lab.ext", &err);
	if (r == 0 && part[2])
		r = labdep_parse(lab, part[2], len[2], "lab.dep", &err);
	if (r == 0)
		check(lab);
	else
		assert(r == -EINVAL || r == -EFBIG || r == -ENOMEM);
	if (r == -EINVAL)
		assert(err && strncmp(err, "lab.", 4) == 0);
	free(err);
	labconf_free(lab);
	return 0;
}
