#include "labjson.h"

#include "ident.h"
#include "json.h"

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
	    !add_strings(o, "hosts", lab->hosts, lab->n_hosts) ||
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
