#include "labplan.h"

#include "cleanup.h"
#include "errtext.h"
#include "ident.h"
#include "strv.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-."

bool
labplan_node_name_valid(const char *name)
{
	size_t n = strlen(name);

	return n >= 1 && n <= LAB_NODE_NAME_MAX &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

bool
labplan_name_valid(const char *name)
{
	size_t n = strlen(name);

	return n >= 1 && n <= LABPLAN_NAME_MAX && strspn(name, NAME_CHARS) == n && name[0] != '-' &&
	       name[0] != '.';
}

/* FNV-1a, 64 bits: stable across machines and versions, which is all a name needs. */
static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

uint32_t
labplan_hash32(const char *s)
{
	return (uint32_t)fnv1a(s);
}

void
labplan_default_name(const char *user, const char *key, char ret[LABPLAN_NAME_MAX + 1])
{
	char u[17];
	size_t n = 0;

	for (; user && user[n] && n < sizeof(u) - 1; n++)
		u[n] = strchr(NAME_CHARS, user[n]) ? user[n] : '_';
	u[n] = '\0';
	if (n == 0 || u[0] == '-' || u[0] == '.')
		u[0] = '_', u[n ? n : 1] = '\0';
	/* splitmix64's finaliser spreads paths that differ in one character over all bits. */
	uint64_t h = fnv1a(key);

	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
	h ^= h >> 31;
	snprintf(ret, LABPLAN_NAME_MAX + 1, "%s-%08" PRIx32, u, (uint32_t)h);
}

char *
labplan_identity(const struct labplan *p, const char *node)
{
	char *s;

	return asprintf(&s, "%s-%s", p->name, node) < 0 ? NULL : s;
}

char *
labplan_cgroup(const struct labplan *p)
{
	char *s;

	/* The state directory's hash too: labs of one name under two roots stay apart. */
	return asprintf(&s, "%s/%s.%08" PRIx32, LABPLAN_CGROUP_BASE, p->name,
	                (uint32_t)fnv1a(p->state_dir)) < 0
	               ? NULL
	               : s;
}

/* "kathara/frr" names "kathara/frr:latest" too, as a registry reads it. */
static bool
image_matches(const char *from, const char *image)
{
	size_t n = strlen(from);

	if (strcmp(from, image) == 0)
		return true;
	if (strncmp(from, image, n) == 0 && strcmp(image + n, ":latest") == 0)
		return true;
	n = strlen(image);
	return strncmp(image, from, n) == 0 && strcmp(from + n, ":latest") == 0;
}

static const char *
map_image(const struct lab *lab, const struct labplan *p, const char *image)
{
	for (size_t i = 0; i < p->n_image_map; i++)
		if (image_matches(p->image_map[i].key, image))
			return p->image_map[i].value;
	for (size_t i = 0; i < lab->n_image_map; i++)
		if (image_matches(lab->image_map[i].key, image))
			return lab->image_map[i].value;
	return image;
}

const char *
labplan_image(const struct lab *lab, const struct lab_node *node, const struct labplan *p)
{
	const char *image =
	        node->val[LAB_NODE_IMAGE] ? node->val[LAB_NODE_IMAGE] : p->default_image;

	return image ? map_image(lab, p, image) : NULL;
}

static int
push(char ***v, const char *s)
{
	return strv_push(v, strdup(s));
}

/* A sysctl list where a later key replaces an earlier one, in first-set order. */
struct sysctls {
	char **keys;
	char **vals;
};

static int
sysctl_set(struct sysctls *s, const char *key, const char *val)
{
	for (size_t i = 0; s->keys && s->keys[i]; i++)
		if (strcmp(s->keys[i], key) == 0) {
			char *v = strdup(val);

			if (!v)
				return -ENOMEM;
			free(s->vals[i]);
			s->vals[i] = v;
			return 0;
		}
	if (push(&s->keys, key) < 0 || push(&s->vals, val) < 0)
		return -ENOMEM;
	return 0;
}

static void
sysctls_done(struct sysctls *s)
{
	strv_free(s->keys);
	strv_free(s->vals);
}

/* Kathara's sysctls for a device, then the node's own (see labplan.h). */
static int
node_sysctls(const struct lab_node *node, struct sysctls *s)
{
	static const char *const v4[][2] = {
		{ "net.ipv4.conf.all.rp_filter", "0" }, { "net.ipv4.conf.default.rp_filter", "0" },
		{ "net.ipv4.conf.lo.rp_filter", "0" },  { "net.ipv4.ip_forward", "1" },
		{ "net.ipv4.icmp_ratelimit", "0" },
	};
	static const char *const v6_on[][2] = {
		{ "net.ipv6.conf.all.forwarding", "1" },
		{ "net.ipv6.conf.all.accept_ra", "0" },
		{ "net.ipv6.icmp.ratelimit", "0" },
		{ "net.ipv6.conf.default.disable_ipv6", "0" },
		{ "net.ipv6.conf.all.disable_ipv6", "0" },
	};
	static const char *const v6_off[][2] = {
		{ "net.ipv6.conf.default.disable_ipv6", "1" },
		{ "net.ipv6.conf.all.disable_ipv6", "1" },
		{ "net.ipv6.conf.default.forwarding", "0" },
		{ "net.ipv6.conf.all.forwarding", "0" },
	};
	bool ipv6 = labconf_node_flag(node, LAB_NODE_IPV6, false);
	char key[64];
	int r = 0;

	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(v4); i++)
		r = sysctl_set(s, v4[i][0], v4[i][1]);
	for (size_t i = 0; r == 0 && i < (ipv6 ? ARRAY_SIZE(v6_on) : ARRAY_SIZE(v6_off)); i++)
		r = ipv6 ? sysctl_set(s, v6_on[i][0], v6_on[i][1])
		         : sysctl_set(s, v6_off[i][0], v6_off[i][1]);
	/* What Kathara hands Docker per interface (driver_opt sysctls). */
	for (size_t i = 0; r == 0 && i < node->n_ifaces; i++) {
		unsigned n = node->ifaces[i].index;

		snprintf(key, sizeof(key), "net.ipv4.conf.eth%u.rp_filter", n);
		r = sysctl_set(s, key, "0");
		snprintf(key, sizeof(key), "net.ipv6.conf.eth%u.disable_ipv6", n);
		if (r == 0)
			r = sysctl_set(s, key, ipv6 ? "0" : "1");
		snprintf(key, sizeof(key), "net.ipv6.conf.eth%u.forwarding", n);
		if (r == 0 && ipv6)
			r = sysctl_set(s, key, "1");
	}
	for (size_t i = 0; r == 0 && i < node->n_sysctl; i++)
		r = sysctl_set(s, node->sysctl[i].key, node->sysctl[i].value);
	return r;
}

/* Splits words on blanks, as far as a command line without quotes goes. */
static int
push_words(char ***v, const char *s)
{
	_cleanup_free_ char *copy = strdup(s);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		if (push(v, w) < 0)
			return -ENOMEM;
	return 0;
}

/*
 * Kathara attaches a bridged node's network after its last interface, and the node's
 * default route goes there (Docker's bridge); here unless the lab gives one (node[gw]).
 */
static int
mgmt_net(const struct lab_node *node, const struct labplan *p, char ***v, char ***warn)
{
	const struct labmgmt_node *m = p->mgmt ? labmgmt_node(p->mgmt, node->name) : NULL;
	unsigned idx = node->n_ifaces ? node->ifaces[node->n_ifaces - 1].index + 1 : 0;
	char addr[16], gw[16];
	int r;

	if (!m)
		return strv_pushf(warn,
		                  "%s: bridged, but the lab has no management segment, ignoring",
		                  node->name);
	labmgmt_addr(p->mgmt, m->host, addr);
	labmgmt_addr(p->mgmt, LABMGMT_GATEWAY, gw);
	r = strv_pushf(v,
	               "--net=switch=%s/switch.sock,segment=" LABMGMT_SEGMENT
	               ",ifname=eth%u,ipv4=%s/24",
	               p->state_dir, idx, addr);
	if (r == 0 && !node->val[LAB_NODE_GW4])
		r = strv_pushf(v, "--gateway=%s", gw);
	return r;
}

/* The node's command when the lab names none: it waits, as Kathara's shell on a tty does. */
#define KEEP_ALIVE "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"

int
labplan_node_argv(const struct lab *lab, size_t idx, const struct labplan *p,
                  const char *containode, char ***ret_argv, char ***ret_warnings)
{
	const struct lab_node *node = &lab->nodes[idx];
	const char *image = labplan_image(lab, node, p);
	_cleanup_strv_ char **v = NULL, **warn = NULL;
	_cleanup_free_ char *id = labplan_identity(p, node->name), *cg = labplan_cgroup(p);
	_cleanup_(sysctls_done) struct sysctls sc = {};
	int r = 0;

	if (!id || !cg)
		return -ENOMEM;
	r |= push(&v, containode);
	r |= strv_pushf(&v, "--state-dir=%s/nodes", p->state_dir);
	r |= push(&v, "run");
	r |= push(&v, "-d");
	r |= strv_pushf(&v, "--name=%s", id);
	r |= strv_pushf(&v, "--hostname=%s", node->name);
	r |= strv_pushf(&v, "--cgroup-parent=%s", cg);
	r |= push(&v, "--init");
	if (image)
		r |= strv_pushf(&v, "--image=%s", image);
	if (image && p->pull)
		r |= strv_pushf(&v, "--pull=%s", p->pull);
	if (!image)
		r |= push(&v, "--root=/");
	r |= strv_pushf(&v, "--top=%s/upper/%s", p->state_dir, node->name);
	if (labconf_node_flag(node, LAB_NODE_PRIVILEGED, false))
		r |= push(&v, "--privileged");
	else
		r |= push(&v, "--cap-add=" LABPLAN_CAPS);
	if (r)
		return -ENOMEM;
	r = node_sysctls(node, &sc);
	for (size_t i = 0; r == 0 && sc.keys && sc.keys[i]; i++)
		r = strv_pushf(&v, "--sysctl=%s=%s", sc.keys[i], sc.vals[i]);
	for (size_t i = 0; r == 0 && i < node->n_ifaces; i++) {
		const struct lab_iface *f = &node->ifaces[i];
		_cleanup_free_ char *net = NULL;
		char mac[MAC_STRLEN];

		if (f->has_mac)
			mac_format(f->mac, mac);
		/* node[N.vlan]: the port's VLAN role, as containode's --net spells it. */
		char vlan[LAB_TRUNK_MAX * 5 + 32] = "";
		size_t vn = 0;

		if (f->access)
			vn = (size_t)snprintf(vlan, sizeof(vlan), ",access=%u", f->access);
		for (size_t t = 0; t < f->n_trunk && vn < sizeof(vlan); t++)
			vn += (size_t)snprintf(vlan + vn, sizeof(vlan) - vn, "%s%u",
			                       t ? "," : ",trunk=", f->trunk[t]);
		if (f->n_trunk && f->native && vn < sizeof(vlan))
			snprintf(vlan + vn, sizeof(vlan) - vn, ",native=%u", f->native);
		if (asprintf(&net, "switch=%s/switch.sock,segment=%s,ifname=eth%u%s%s%s%s%s%s%s",
		             p->state_dir, lab->segments[f->segment].name, f->index,
		             f->has_mac ? ",mac=" : "", f->has_mac ? mac : "",
		             f->ipv4 ? ",ipv4=" : "", f->ipv4 ? f->ipv4 : "",
		             f->ipv6 ? ",ipv6=" : "", f->ipv6 ? f->ipv6 : "", vlan) < 0)
			return -ENOMEM;
		r = strv_pushf(&v, "--net=%s", net);
	}
	if (r == 0 && node->val[LAB_NODE_GW4])
		r = strv_pushf(&v, "--gateway=%s", node->val[LAB_NODE_GW4]);
	if (r == 0 && node->val[LAB_NODE_GW6])
		r = strv_pushf(&v, "--route=default via %s", node->val[LAB_NODE_GW6]);
	for (size_t i = 0; r == 0 && i < node->n_env; i++)
		r = strv_pushf(&v, "--env=%s=%s", node->env[i].key, node->env[i].value);
	for (size_t i = 0; r == 0 && i < node->n_ports; i++)
		r = strv_pushf(&v, "--publish=%u:%u/%s", node->ports[i].host, node->ports[i].guest,
		               node->ports[i].proto);
	if (r == 0 && node->val[LAB_NODE_MEM])
		r = strv_pushf(&v, "--memory=%s", node->val[LAB_NODE_MEM]);
	if (r == 0 && node->val[LAB_NODE_CPUS])
		r = strv_pushf(&v, "--cpus=%s", node->val[LAB_NODE_CPUS]);
	if (r == 0 && p->shared)
		r = strv_pushf(&v, "--volume=%s/shared:/shared", p->lab_dir);
	if (r == 0 && labconf_node_flag(node, LAB_NODE_BRIDGED, false))
		r = mgmt_net(node, p, &v, &warn);
	if (r < 0)
		return r;
	/* The command: the lab's entrypoint and args, else one that waits. */
	if (image && node->val[LAB_NODE_ENTRYPOINT])
		r = strv_pushf(&v, "--entrypoint=%s", node->val[LAB_NODE_ENTRYPOINT]);
	else if (image && !node->val[LAB_NODE_ARGS])
		r = push(&v, "--entrypoint=");
	if (r == 0)
		r = push(&v, "--");
	if (r == 0 && node->val[LAB_NODE_ARGS])
		r = push_words(&v, node->val[LAB_NODE_ARGS]);
	else if (r == 0 && !(image && node->val[LAB_NODE_ENTRYPOINT]))
		r = (push(&v, "/bin/sh") | push(&v, "-c") | push(&v, KEEP_ALIVE)) ? -ENOMEM : 0;
	if (r < 0)
		return r;
	*ret_argv = TAKE_PTR(v);
	*ret_warnings = TAKE_PTR(warn);
	return 0;
}

/* The shell the lab's scripts run with: node[shell], else bash where there is one. */
static const char *
script_shell(const struct lab_node *node)
{
	return node->val[LAB_NODE_SHELL] ? node->val[LAB_NODE_SHELL] : "$S";
}

#define PICK_SHELL "S=/bin/sh; [ -x /bin/bash ] && S=/bin/bash; "

char *
labplan_startup_script(const struct lab_node *node)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	_cleanup_fclose_ FILE *f = open_memstream(&text, &len);
	const char *sh = script_shell(node);

	if (!f)
		return NULL;
	/* What Kathara's STARTUP_COMMANDS do besides the scripts, for the files of NODE/. */
	fprintf(f,
	        PICK_SHELL
	        "mkdir -p /var/log; "
	        "if [ -d /var/www ]; then chmod -R 777 /var/www/* 2>/dev/null; fi; "
	        "if [ -d /etc/quagga ]; then chown -R quagga:quagga /etc/quagga/; "
	        "chmod 640 /etc/quagga/*; fi; "
	        "if [ -d /etc/frr ]; then chown -R frr:frr /etc/frr/; chmod 640 /etc/frr/*; fi; "
	        "if [ -f /hostlab/shared.startup ]; then %s -x /hostlab/shared.startup "
	        ">/var/log/shared.log 2>&1; fi; "
	        "if [ -f /hostlab/%s.startup ]; then %s -x /hostlab/%s.startup "
	        ">/var/log/startup.log 2>&1 || exit $?; fi",
	        sh, node->name, sh, node->name);
	for (size_t i = 0; i < node->n_exec; i++)
		fprintf(f, "; echo '++ exec %zu' >>/var/log/startup.log; %s", i + 1, node->exec[i]);
	if (fflush(f) || ferror(f))
		return NULL;
	fclose(TAKE_PTR(f));
	return TAKE_PTR(text);
}

char *
labplan_shutdown_script(const struct lab_node *node)
{
	const char *sh = script_shell(node);
	char *s;

	if (asprintf(&s,
	             PICK_SHELL
	             "if [ -f /hostlab/%s.shutdown ]; then %s /hostlab/%s.shutdown; "
	             "fi; if [ -f /hostlab/shared.shutdown ]; then %s /hostlab/shared.shutdown; fi",
	             node->name, sh, node->name, sh) < 0)
		return NULL;
	return s;
}

int
labplan_exec_argv(const struct labplan *p, const char *containode, const char *node,
                  bool interactive, char *const *cmd, char ***ret_argv)
{
	_cleanup_strv_ char **v = NULL;
	_cleanup_free_ char *id = labplan_identity(p, node);
	int r = 0;

	if (!id)
		return -ENOMEM;
	r |= push(&v, containode);
	r |= strv_pushf(&v, "--state-dir=%s/nodes", p->state_dir);
	r |= push(&v, "exec");
	if (interactive)
		r |= push(&v, "-i") | push(&v, "-t");
	/* "--": the node's name and command are never taken for containode's options. */
	r |= push(&v, "--");
	r |= push(&v, id);
	if (r || strv_extend(&v, cmd) < 0)
		return -ENOMEM;
	*ret_argv = TAKE_PTR(v);
	return 0;
}

int
labplan_target(const struct lab *lab, const struct labplan *p, const char *arg,
               struct labplan_target *ret, char **ret_error)
{
	const char *colon = strchr(arg, ':');
	char node[LAB_NODE_NAME_MAX + 1];
	const char *ifname = colon ? colon + 1 : "eth0";
	const struct lab_node *n;
	ssize_t idx;
	unsigned long k;
	char *end;

	memset(ret, 0, sizeof(*ret));
	if (!colon && labconf_segment_index(lab, arg) >= 0) {
		ret->segment = true;
		snprintf(ret->name, sizeof(ret->name), "%s", arg);
		return 0;
	}
	if ((colon ? (size_t)(colon - arg) : strlen(arg)) > LAB_NODE_NAME_MAX)
		return error_set(ret_error, -EINVAL, "'%s' is no node or segment of lab '%s'", arg,
		                 p->name);
	snprintf(node, sizeof(node), "%.*s", (int)(colon ? colon - arg : (ptrdiff_t)strlen(arg)),
	         arg);
	idx = labconf_node_index(lab, node);
	if (idx < 0)
		return error_set(ret_error, -EINVAL, "'%s' is no %s of lab '%s'", node,
		                 colon ? "node" : "node or segment", p->name);
	n = &lab->nodes[idx];
	if (n->n_ifaces == 0)
		return error_set(ret_error, -EINVAL, "node '%s' has no interfaces", node);
	if (strncmp(ifname, "eth", 3) != 0 || !(ifname[3] >= '0' && ifname[3] <= '9') ||
	    (k = strtoul(ifname + 3, &end, 10), *end) || (ifname[3] == '0' && ifname[4]) ||
	    k >= n->n_ifaces)
		return error_set(ret_error, -EINVAL,
		                 "node '%s' has no interface '%s' (it has eth0 to eth%zu)", node,
		                 ifname, n->n_ifaces ? n->n_ifaces - 1 : 0);
	ret->node = (size_t)idx;
	ret->iface = (unsigned)k;
	if (snprintf(ret->name, sizeof(ret->name), "%s-%s-eth%lu", p->name, node, k) >=
	    (int)sizeof(ret->name))
		return error_set(ret_error, -EINVAL, "'%s': the port's name is too long", arg);
	return 0;
}
