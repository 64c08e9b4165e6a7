#include "labhost.h"

#include "cleanup.h"
#include "errtext.h"
#include "json.h"
#include "labjson.h"
#include "labread.h"
#include "strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VNI_MAX 16777215u

struct labhost *
labhost_free(struct labhost *h)
{
	if (!h)
		return NULL;
	free(h->node_host);
	free(h->on);
	free(h->segments);
	free(h);
	return NULL;
}

DEFINE_CLEANUP_FUNC(struct labhost *, labhost_free)
DEFINE_CLEANUP_FUNC(struct lab *, labconf_free)

size_t
labhost_node_host(const struct lab *lab, size_t node)
{
	const char *host = lab->nodes[node].val[LAB_NODE_HOST];

	for (size_t i = 0; host && i < lab->n_hosts; i++)
		if (strcmp(lab->hosts[i], host) == 0)
			return i;
	return 0;
}

static uint32_t
fnv1a32(uint32_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

/*
 * FNV-1a of the lab's LAB_NAME (else its LAB_HOSTS names: what every machine has alike,
 * unlike the lab's local name, which holds a user and a path) and the segment's name,
 * into 1..16777215.  The caller moves it on past a VNI already taken.
 */
static uint32_t
vni_hash(const struct lab *lab, size_t segment)
{
	uint32_t h = 2166136261u;

	if (lab->meta[LAB_META_NAME])
		h = fnv1a32(h, lab->meta[LAB_META_NAME]);
	else
		for (size_t i = 0; i < lab->n_hosts; i++)
			h = fnv1a32(fnv1a32(h, lab->hosts[i]), " ");
	h = fnv1a32(fnv1a32(h, "/"), lab->segments[segment].name);
	return h % VNI_MAX + 1;
}

/* Given ones anywhere, derived ones of the segments before this one (in vnis[]). */
static bool
vni_taken(const struct lab *lab, const uint32_t *vnis, size_t segment, uint32_t vni)
{
	for (size_t j = 0; j < lab->n_segments; j++) {
		const char *v = lab->segments[j].val[LAB_SEG_VXLAN];

		if (j != segment &&
		    ((v && strtoul(v, NULL, 10) == vni) || (!v && j < segment && vnis[j] == vni)))
			return true;
	}
	return false;
}

void
labhost_vnis(const struct lab *lab, uint32_t *ret)
{
	for (size_t s = 0; s < lab->n_segments; s++) {
		const char *v = lab->segments[s].val[LAB_SEG_VXLAN];

		if (v) {
			ret[s] = strtoul(v, NULL, 10);
			continue;
		}
		ret[s] = vni_hash(lab, s);
		while (vni_taken(lab, ret, s, ret[s]))
			ret[s] = ret[s] % VNI_MAX + 1;
	}
}

bool
labhost_stretched(const struct labhost *h, size_t segment)
{
	return h->segments[segment].machines > 1 && h->segments[segment].slice > 0;
}

int
labhost_plan(const struct lab *lab, const char *self, struct labhost **ret, char **ret_error)
{
	_cleanup_(labhost_freep) struct labhost *h = NULL;
	size_t nh = lab->n_hosts;
	bool found = false;
	_cleanup_free_ uint32_t *vnis = calloc(lab->n_segments + 1, sizeof(uint32_t));

	if (nh == 0)
		return error_set(ret_error, -EINVAL,
		                 "--host %s: the lab has no LAB_HOSTS in lab.ext to split it over "
		                 "machines",
		                 self);
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->n_hosts = nh;
	for (size_t i = 0; i < nh && !found; i++)
		if (strcmp(lab->hosts[i], self) == 0)
			h->self = i, found = true;
	if (!found) {
		_cleanup_free_ char *list = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&list, &len);

		if (!f)
			return -ENOMEM;
		for (size_t i = 0; i < nh; i++)
			fprintf(f, "%s%s", i ? ", " : "", lab->hosts[i]);
		if (fclose(f) != 0)
			return -ENOMEM;
		return error_set(ret_error, -EINVAL,
		                 "lab.ext:%u: --host '%s' is not one of LAB_HOSTS (%s)",
		                 lab->hosts_line, self, list);
	}
	h->port =
	        lab->vxlan_port ? (uint16_t)strtoul(lab->vxlan_port, NULL, 10) : LABHOST_VXLAN_PORT;
	h->node_host = calloc(lab->n_nodes ? lab->n_nodes : 1, sizeof(*h->node_host));
	h->on = calloc(lab->n_segments * nh + 1, sizeof(*h->on));
	h->segments = calloc(lab->n_segments + 1, sizeof(*h->segments));
	if (!h->node_host || !h->on || !h->segments || !vnis)
		return -ENOMEM;
	for (size_t i = 0; i < lab->n_nodes; i++) {
		const struct lab_node *n = &lab->nodes[i];

		h->node_host[i] = labhost_node_host(lab, i);
		for (size_t k = 0; k < n->n_ifaces; k++)
			h->on[n->ifaces[k].segment * nh + h->node_host[i]] = true;
	}
	labhost_vnis(lab, vnis);
	for (size_t s = 0; s < lab->n_segments; s++) {
		struct labhost_segment *g = &h->segments[s];
		bool owned = false;

		g->vni = vnis[s];
		for (size_t i = 0; i < nh; i++) {
			if (!h->on[s * nh + i])
				continue;
			if (!owned)
				g->owner = i, owned = true;
			g->machines++;
			if (i == h->self)
				g->slice = g->machines;
		}
	}
	*ret = TAKE_PTR(h);
	return 0;
}

/* Removes from arr the strings for which keep() is false. */
static void
filter_strings(cJSON *arr, const struct lab *lab, const struct labhost *h,
               bool (*keep)(const struct lab *, const struct labhost *, const char *))
{
	cJSON *v = arr ? arr->child : NULL;

	while (v) {
		cJSON *next = v->next;

		if (cJSON_IsString(v) && !keep(lab, h, v->valuestring))
			cJSON_Delete(cJSON_DetachItemViaPointer(arr, v));
		v = next;
	}
}

static bool
node_here(const struct lab *lab, const struct labhost *h, const char *name)
{
	ssize_t i = labconf_node_index(lab, name);

	return i >= 0 && h->node_host[i] == h->self;
}

static bool
segment_here(const struct lab *lab, const struct labhost *h, const char *name)
{
	ssize_t i = labconf_segment_index(lab, name);

	return i >= 0 && h->on[i * h->n_hosts + h->self];
}

static int
add_warning(struct lab *lab, const char *text)
{
	size_t n = lab->n_warnings;
	char *copy = strdup(text);

	if (!copy)
		return -ENOMEM;
	if (labread_grow(&lab->warnings, &n, sizeof(char *), LAB_WARNINGS_MAX) < 0) {
		free(copy);
		return 0; /* as many warnings as a lab keeps */
	}
	lab->warnings[n - 1] = copy;
	lab->n_warnings = n;
	return 0;
}

int
labhost_part(const struct lab *lab, const struct labhost *h, struct lab **ret, char **ret_error)
{
	_cleanup_json_ cJSON *o = labjson_render(lab);
	_cleanup_(labconf_freep) struct lab *part = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_strv_ char **dropped = NULL;
	cJSON *nodes, *segs, *v, *next;
	int r;

	if (!o)
		return -ENOMEM;
	nodes = cJSON_GetObjectItemCaseSensitive(o, "nodes");
	segs = cJSON_GetObjectItemCaseSensitive(o, "segments");
	for (v = nodes ? nodes->child : NULL; v; v = next) {
		const char *name =
		        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "name"));
		cJSON *deps = cJSON_GetObjectItemCaseSensitive(v, "depends");

		next = v->next;
		if (!name || !node_here(lab, h, name)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(nodes, v));
			continue;
		}
		for (cJSON *d = deps ? deps->child : NULL; d; d = d->next) {
			char *w;

			if (!cJSON_IsString(d) || node_here(lab, h, d->valuestring))
				continue;
			if (asprintf(&w,
			             "lab.dep: '%s' depends on '%s', which runs on another "
			             "machine: not waited for here",
			             name, d->valuestring) < 0 ||
			    strv_push(&dropped, w) < 0)
				return -ENOMEM;
		}
		filter_strings(deps, lab, h, node_here);
	}
	if (!nodes || !nodes->child)
		return error_set(ret_error, -EINVAL, "machine '%s' has no node of the lab",
		                 lab->hosts[h->self]);
	for (v = segs ? segs->child : NULL; v; v = next) {
		const char *name =
		        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "name"));

		next = v->next;
		if (!name || !segment_here(lab, h, name))
			cJSON_Delete(cJSON_DetachItemViaPointer(segs, v));
	}
	text = cJSON_PrintUnformatted(o);
	if (!text)
		return -ENOMEM;
	r = labjson_parse(text, strlen(text), "the lab (this machine's part)", &part, ret_error);
	if (r < 0)
		return r;
	/* The whole lab's warnings, not the ones of the text it went through. */
	for (size_t i = 0; i < part->n_warnings; i++)
		free(part->warnings[i]);
	part->n_warnings = 0;
	for (size_t i = 0; i < lab->n_warnings; i++)
		if (add_warning(part, lab->warnings[i]) < 0)
			return -ENOMEM;
	for (size_t i = 0; dropped && dropped[i]; i++)
		if (add_warning(part, dropped[i]) < 0)
			return -ENOMEM;
	*ret = TAKE_PTR(part);
	return 0;
}
