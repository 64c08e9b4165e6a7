#include "plan.h"

#include "caps.h"

#include "cleanup.h"
#include "parse.h"
#include "strv.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <linux/capability.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <sys/wait.h>

void
plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->rootfs_fd = -1;
	p->stop_signal = SIGTERM;
	p->stdio_fd = -1;
	p->ready_fd = -1;
}

void
plan_free(struct plan *p)
{
	free(p->root);
	free(p->top);
	free(p->work);
	free(p->resolv_conf);
	plan_net_free(&p->first);
	for (size_t i = 0; i < p->n_net; i++)
		plan_net_free(&p->net[i]);
	p->n_net = 0;
	for (size_t i = 0; i < p->n_env; i++)
		free(p->env[i]);
	p->n_env = 0;
	p->env[0] = NULL;
	/* The image's part. */
	free(p->groups);
	p->groups = NULL;
	p->n_groups = 0;
	p->rootfs_fd = safe_close(p->rootfs_fd);
	strv_free(p->image_argv);
	p->image_argv = NULL;
	free(p->image_cwd);
	p->image_cwd = NULL;
	for (size_t i = 0; i < p->n_volumes; i++) {
		free(p->volumes[i].src);
		free(p->volumes[i].dst);
	}
	p->n_volumes = 0;
}

const char *
plan_check(const struct plan *p)
{
	if (p->host_net && (p->n_net || p->first.keys || p->n_routes))
		return "-N keeps the host network: it cannot go with -s, -4, -6, -g, --net or --route";
	if (p->top && !p->root && !p->image)
		return "-t needs a root (-r or --image)";
	if (p->ephemeral && !p->root && !p->image)
		return "--ephemeral needs a root (-r or --image)";
	if (p->ephemeral && p->top)
		return "--ephemeral keeps no top directory: it cannot go with -t";
	if (p->image && p->root)
		return "--image is the root: it cannot go with -r";
	if (!p->image && (p->entrypoint || p->pull_missing))
		return "--entrypoint and --pull need an image (--image)";
	if (p->n_sysctl && p->host_net)
		return "--sysctl sets the node's own network: it cannot go with -N";
	if (p->privileged && p->seccomp && strcmp(p->seccomp, "unconfined") != 0)
		return "--privileged runs without seccomp: it cannot go with --seccomp FILE";
	return NULL;
}

char *
plan_strip_slashes(const char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	return strndup(path, n);
}

char *
plan_default_top(const char *root, const char *id)
{
	_cleanup_free_ char *r = plan_strip_slashes(root);
	char *top;

	if (!r || asprintf(&top, "%s.%s", r, id) < 0)
		return NULL;
	return top;
}

char *
plan_work_dir(const char *top)
{
	_cleanup_free_ char *t = plan_strip_slashes(top);
	const char *slash;
	char *work;
	int n;

	if (!t)
		return NULL;
	slash = strrchr(t, '/');
	if (!slash)
		n = asprintf(&work, ".%s.work", t);
	else if (slash == t)
		n = asprintf(&work, "/.%s.work", t + 1);
	else
		n = asprintf(&work, "%.*s/.%s.work", (int)(slash - t), t, slash + 1);
	return n < 0 ? NULL : work;
}

bool
plan_user_valid(const char *s)
{
	const char *colon = strchr(s, ':');

	if (!*s || *s == ':' || strpbrk(s, " \t\n"))
		return false;
	return !colon || (colon[1] && !strchr(colon + 1, ':'));
}

bool
plan_hostname_valid(const char *s)
{
	size_t label = 0, n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || ((s[i] == '-' || s[i] == '_') && label > 0)))
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && s[n - 1] != '-' && s[n - 1] != '_';
}

const char *
plan_hostname(const struct plan *p)
{
	return p->hostname ? p->hostname : p->id;
}

static ssize_t
plan_env_find(const struct plan *p, const char *key, size_t klen)
{
	for (size_t i = 0; i < p->n_env; i++)
		if (strncmp(p->env[i], key, klen) == 0 && p->env[i][klen] == '=')
			return i;
	return -1;
}

int
plan_env_set(struct plan *p, const char *kv, const char *host_value)
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);
	char *entry;
	ssize_t i;

	if (klen == 0)
		return -EINVAL;
	if (eq)
		entry = strdup(kv);
	else if (!host_value)
		return 0;
	else if (asprintf(&entry, "%s=%s", kv, host_value) < 0)
		entry = NULL;
	if (!entry)
		return -ENOMEM;
	i = plan_env_find(p, kv, klen);
	if (i >= 0) {
		free(p->env[i]);
		p->env[i] = entry;
		return 0;
	}
	if (p->n_env >= PLAN_ENV_MAX) {
		free(entry);
		return -E2BIG;
	}
	p->env[p->n_env++] = entry;
	p->env[p->n_env] = NULL;
	return 0;
}

const char *
plan_env_get(const struct plan *p, const char *key)
{
	ssize_t i = plan_env_find(p, key, strlen(key));

	return i < 0 ? NULL : p->env[i] + strlen(key) + 1;
}

int
plan_env_base(struct plan *p, const char *host_term)
{
	char buf[96];
	const char *term = p->tty ? (host_term && *host_term ? host_term : "xterm") : "dumb";
	int r;

	r = plan_env_set(p, "PATH=" PLAN_DEFAULT_PATH, NULL);
	if (r >= 0)
		r = plan_env_set(p, p->have_user && p->uid != 0 ? "HOME=/" : "HOME=/root", NULL);
	if (r >= 0)
		r = plan_env_set(p, "TERM", term);
	snprintf(buf, sizeof(buf), "HOSTNAME=%s", plan_hostname(p));
	if (r >= 0)
		r = plan_env_set(p, buf, NULL);
	return r;
}

static bool
resolv_line_is_loopback(const char *line, size_t n)
{
	char addr[64];

	if (n < 11 || strncmp(line, "nameserver", 10) != 0 || (line[10] != ' ' && line[10] != '\t'))
		return false;
	line += 10;
	n -= 10;
	while (n && (*line == ' ' || *line == '\t'))
		line++, n--;
	snprintf(addr, sizeof(addr), "%.*s", (int)(n < sizeof(addr) - 1 ? n : sizeof(addr) - 1),
	         line);
	addr[strcspn(addr, " \t\r")] = '\0';
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
}

char *
plan_resolv_conf(const char *host, bool host_net)
{
	size_t len = strlen(host);
	char *out = malloc(len + 2), *o = out;

	if (!out)
		return NULL;
	for (const char *l = host; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);

		if (host_net || !resolv_line_is_loopback(l, n)) {
			memcpy(o, l, n);
			o += n;
			*o++ = '\n';
		}
		l += n + (nl ? 1 : 0);
	}
	*o = '\0';
	return out;
}

char *
plan_resolv_switch(const char *domain, const char (*dns)[CTL_ADDR_MAX], size_t n)
{
	size_t size = n * (sizeof("nameserver \n") + CTL_ADDR_MAX) + sizeof("search \n") +
	              CTL_DOMAIN_MAX + 1,
	       len = 0;
	char *text = malloc(size);

	if (!text)
		return NULL;
	text[0] = '\0';
	if (domain && domain[0])
		len += snprintf(text, size, "search %.*s\n", CTL_DOMAIN_MAX - 1, domain);
	for (size_t i = 0; i < n; i++)
		len += snprintf(text + len, size - len, "nameserver %s\n", dns[i]);
	return text;
}

char *
plan_hosts(const struct plan *p)
{
	char addr[INET_ADDRSTRLEN] = "127.0.1.1";
	char *text;

	if (p->n_net && (p->net[0].keys & PLAN_NET_IPV4) && p->net[0].v4.s_addr)
		inet_ntop(AF_INET, &p->net[0].v4, addr, sizeof(addr));
	if (asprintf(&text,
	             "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n%s\t%s\n",
	             addr, plan_hostname(p)) < 0)
		return NULL;
	return text;
}

/* One name, "net_admin", "NET_ADMIN" or "CAP_NET_ADMIN": its number, or -EINVAL. */
static int
plan_cap_number(const char *name, size_t len)
{
	size_t skip = len > 4 && strncasecmp(name, "CAP_", 4) == 0 ? 4 : 0;

	return caps_from_name(name + skip, len - skip);
}

int
plan_parse_caps(const char *list, uint64_t *mask, bool *all)
{
	for (const char *s = list;;) {
		size_t len = strcspn(s, ",");
		int cap;

		if (len == 3 && strncasecmp(s, "ALL", 3) == 0) {
			*all = true;
		} else {
			cap = plan_cap_number(s, len);
			if (cap < 0)
				return cap;
			*mask |= UINT64_C(1) << cap;
		}
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

uint64_t
plan_caps(const struct plan *p, uint64_t defaults, uint64_t all_caps)
{
	/* Docker's order: an added ALL wins over a dropped one, a drop comes before an add. */
	if (p->privileged)
		return all_caps;
	if (p->cap_add_all)
		return all_caps & ~p->cap_drop;
	if (p->cap_drop_all)
		return p->cap_add & all_caps;
	return ((defaults & ~p->cap_drop) | p->cap_add) & all_caps;
}

const char *
plan_sysctl_check(const char *kv)
{
	const char *eq = strchr(kv, '=');

	if (!eq || eq == kv)
		return "--sysctl: not KEY=VALUE";
	if (strncmp(kv, "net.", 4) != 0)
		return "--sysctl: only net.* keys, the node's own network namespace, can be set";
	/* Components of letters, digits, '_', '-', '/': no '..', no way out of /proc/sys/net. */
	for (const char *c = kv, *prev = "."; c < eq; prev = c++) {
		if (*c == '.' && (*prev == '.' || c + 1 == eq))
			return "--sysctl: empty component in the key";
		if (*c == '/' && (*prev == '.' || *prev == '/' || c[1] == '.' || c + 1 == eq))
			return "--sysctl: '/' must be inside a component of the key";
		if (*c != '.' && *c != '/' && *c != '_' && *c != '-' && !isalnum((unsigned char)*c))
			return "--sysctl: invalid character in the key";
	}
	if (strchr(eq + 1, '\n'))
		return "--sysctl: newline in the value";
	return NULL;
}

int
plan_sysctl_path(const char *kv, char *buf, size_t size)
{
	size_t n = strcspn(kv, "=");

	if (n >= size)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < n; i++)
		buf[i] = kv[i] == '.' ? '/' : kv[i] == '/' ? '.' : kv[i];
	buf[n] = '\0';
	return 0;
}

bool
plan_proc_sys_net_writable(const struct plan *p)
{
	return !p->host_net && (p->caps & (UINT64_C(1) << CAP_NET_ADMIN));
}

unsigned long
plan_clone_flags(const struct plan *p)
{
	unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWCGROUP;

	if (!p->host_net)
		flags |= CLONE_NEWNET;
	if (!p->host_ipc)
		flags |= CLONE_NEWIPC;
	return flags;
}

int
plan_exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return EXIT_LAUNCHER;
}

int
plan_exec_exit_code(int err)
{
	err = err < 0 ? -err : err;
	return err == ENOENT || err == ENOTDIR ? EXIT_NOTFOUND : EXIT_NOEXEC;
}

/* Marks the end of a walk along PATH: distinct from any pointer into the string. */
static const char path_done[] = "";

bool
plan_path_next(const char *cmd, const char *path, const char **cursor, char *buf, size_t size)
{
	while (*cursor != path_done) {
		const char *dir, *end;
		size_t dlen;

		if (strchr(cmd, '/')) {
			*cursor = path_done;
			return (size_t)snprintf(buf, size, "%s", cmd) < size;
		}
		dir = *cursor ? *cursor : path;
		if (!dir)
			break;
		end = strchrnul(dir, ':');
		dlen = end - dir;
		*cursor = *end ? end + 1 : path_done;
		/* An empty element means the current directory, as in execvp. */
		if ((size_t)snprintf(buf, size, "%.*s%s%s", (int)dlen, dir, dlen ? "/" : "", cmd) <
		    size)
			return true;
	}
	return false;
}

/* --- The network part: --net, -s -4 -6 -n, -g, --route --- */

void
plan_net_free(struct plan_net *n)
{
	free(n->sock);
	n->sock = NULL;
}

/* Whether the first len bits of a and b (n bytes each, network order) agree. */
static bool
prefix_equal(const void *a, const void *b, size_t n, unsigned len)
{
	const uint8_t *x = a, *y = b;
	size_t whole = len / 8;

	if (len > n * 8)
		return false;
	if (memcmp(x, y, whole) != 0)
		return false;
	if (len % 8 == 0)
		return true;
	return ((x[whole] ^ y[whole]) & (uint8_t)(0xff << (8 - len % 8))) == 0;
}

/* Whether addr has no bits set past its first len. */
static bool
prefix_is_network(const void *addr, size_t n, unsigned len)
{
	const uint8_t *a = addr;

	for (size_t bit = len; bit < n * 8; bit++)
		if (a[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

static bool
ipv4_usable(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return h != 0 && h >> 28 != 0xe && h != 0xffffffff;
}

static bool
ipv6_usable(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a) && !IN6_IS_ADDR_MULTICAST(a);
}

/* "ADDR/LEN" (LEN 1 to 128), an address an interface can have. */
static int
parse_ipv6_prefix(const char *s, struct in6_addr *ret_addr, unsigned *ret_len)
{
	char buf[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	unsigned long len;

	if (!slash || slash == s || (size_t)(slash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, slash - s);
	buf[slash - s] = '\0';
	if (inet_pton(AF_INET6, buf, ret_addr) != 1 || parse_uint(slash + 1, 1, 128, &len) < 0)
		return -EINVAL;
	*ret_len = len;
	return 0;
}

/* What the kernel takes as a device name (dev_valid_name), and not the loopback's. */
static bool
ifname_valid(const char *s)
{
	if (!*s || strlen(s) >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, "..") || !strcmp(s, "lo"))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s == ' ' || (*s >= '\t' && *s <= '\r'))
			return false;
	return true;
}

static const struct {
	const char *key;
	unsigned bit;
} plan_net_keys[] = {
	{ "switch", PLAN_NET_SWITCH }, { "segment", PLAN_NET_SEGMENT },
	{ "ifname", PLAN_NET_IFNAME }, { "ipv4", PLAN_NET_IPV4 },
	{ "ipv6", PLAN_NET_IPV6 },     { "mac", PLAN_NET_MAC },
	{ "mtu", PLAN_NET_MTU },       { "access", PLAN_NET_ACCESS },
	{ "trunk", PLAN_NET_TRUNK },   { "native", PLAN_NET_NATIVE },
};

#define why_set(...) (snprintf(why, PLAN_WHY_MAX, __VA_ARGS__), -EINVAL)

int
plan_net_set(struct plan_net *n, const char *key, const char *value, char why[PLAN_WHY_MAX])
{
	unsigned bit = 0;
	unsigned long mtu;

	for (size_t i = 0; i < sizeof(plan_net_keys) / sizeof(plan_net_keys[0]); i++)
		if (!strcmp(key, plan_net_keys[i].key))
			bit = plan_net_keys[i].bit;
	if (!bit)
		return why_set(
		        "unknown key '%.32s' (switch, segment, ifname, ipv4, ipv6, mac, mtu, "
		        "access, trunk, native)",
		        key);
	if (n->keys & bit)
		return why_set("%s= given twice for one interface", key);
	switch (bit) {
	case PLAN_NET_SWITCH:
		if (!*value || strlen(value) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return why_set("invalid switch socket '%.64s'", value);
		n->sock = strdup(value);
		if (!n->sock)
			return -ENOMEM;
		break;
	case PLAN_NET_SEGMENT:
		if (!ctl_segment_valid(value))
			return why_set("invalid segment name '%.40s'", value);
		strcpy(n->segment, value);
		break;
	case PLAN_NET_IFNAME:
		if (!ifname_valid(value))
			return why_set("invalid interface name '%.40s'", value);
		strcpy(n->ifname, value);
		break;
	case PLAN_NET_IPV4:
		if (!strcmp(value, CTL_AUTO)) {
			n->v4_auto = true;
			break;
		}
		if (parse_ipv4_prefix(value, &n->v4, &n->v4_prefix) < 0 || !ipv4_usable(n->v4))
			return why_set("invalid IPv4 address '%.64s'", value);
		break;
	case PLAN_NET_IPV6:
		if (!strcmp(value, CTL_AUTO)) {
			n->v6_auto = true;
			break;
		}
		if (parse_ipv6_prefix(value, &n->v6, &n->v6_prefix) < 0 || !ipv6_usable(&n->v6))
			return why_set("invalid IPv6 address '%.64s' (ADDR/LEN)", value);
		break;
	case PLAN_NET_MAC:
		if (mac_parse(value, n->mac) < 0)
			return why_set("invalid MAC address '%.40s'", value);
		if (n->mac[0] & 1)
			return why_set("MAC address '%s' is a multicast one", value);
		if (!(n->mac[0] | n->mac[1] | n->mac[2] | n->mac[3] | n->mac[4] | n->mac[5]))
			return why_set("MAC address '%s' is all zeros", value);
		break;
	case PLAN_NET_MTU:
		if (parse_uint(value, PLAN_MTU_MIN, PLAN_MTU_MAX, &mtu) < 0)
			return why_set("invalid MTU '%.32s' (%d to %d)", value, PLAN_MTU_MIN,
			               PLAN_MTU_MAX);
		n->mtu = mtu;
		break;
	case PLAN_NET_ACCESS:
	case PLAN_NET_NATIVE:
		if (parse_uint(value, CTL_VLAN_MIN, CTL_VLAN_MAX, &mtu) < 0)
			return why_set("invalid VLAN ID '%.32s' for %s= (1 to 4094)", value, key);
		if (bit == PLAN_NET_ACCESS)
			n->vlan.access = mtu;
		else
			n->vlan.native = mtu;
		break;
	case PLAN_NET_TRUNK:
		n->keys |= bit; /* set before: the list may grow, item by item */
		return plan_net_trunk_add(n, value, why);
	}
	n->keys |= bit;
	return 0;
}

int
plan_net_trunk_add(struct plan_net *n, const char *list, char why[PLAN_WHY_MAX])
{
	_cleanup_free_ char *copy = strdup(list);
	char *item, *next;
	unsigned long vid;

	if (!copy)
		return -ENOMEM;
	for (item = copy; item; item = next) {
		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		if (parse_uint(item, CTL_VLAN_MIN, CTL_VLAN_MAX, &vid) < 0)
			return why_set("invalid VLAN ID '%.32s' in trunk= (1 to 4094)", item);
		if (n->vlan.trunk[vid / 64] >> (vid % 64) & 1)
			return why_set("VLAN %lu given twice in trunk=", vid);
		n->vlan.trunk[vid / 64] |= 1ULL << (vid % 64);
	}
	return 0;
}

int
plan_net_parse(struct plan_net *n, const char *s, char why[PLAN_WHY_MAX])
{
	_cleanup_free_ char *copy = strdup(s);
	char *item, *next;
	bool last_trunk = false;
	int r = 0;

	memset(n, 0, sizeof(*n));
	if (!copy)
		return -ENOMEM;
	if (!*copy)
		return why_set("empty; KEY=VALUE,... expected");
	for (item = copy; item && r >= 0; item = next) {
		char *eq;

		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		eq = strchr(item, '=');
		if (!eq && last_trunk && *item >= '0' && *item <= '9') {
			r = plan_net_trunk_add(n, item, why); /* trunk=10,20: one more VLAN */
			continue;
		}
		last_trunk = eq && eq - item == 5 && !strncmp(item, "trunk", 5);
		if (!eq || eq == item)
			r = why_set("'%.40s' is not KEY=VALUE", item);
		else {
			*eq = '\0';
			r = plan_net_set(n, item, eq + 1, why);
		}
	}
	if (r < 0)
		plan_net_free(n);
	return r;
}

int
plan_net_add(struct plan *p, struct plan_net *n)
{
	if (p->n_net >= PLAN_NET_MAX)
		return -E2BIG;
	p->net[p->n_net++] = *n;
	memset(n, 0, sizeof(*n));
	return 0;
}

static size_t
route_len(const struct plan_route *rt)
{
	return rt->family == AF_INET ? 4 : 16;
}

static const void *
route_bytes(const struct plan_route *rt, bool gw)
{
	if (rt->family == AF_INET)
		return gw ? (const void *)&rt->gw.v4 : &rt->dst.v4;
	return gw ? (const void *)&rt->gw.v6 : &rt->dst.v6;
}

static int
route_append(struct plan *p, const struct plan_route *rt, char why[PLAN_WHY_MAX])
{
	char text[128];

	plan_route_format(rt, text, sizeof(text));
	for (size_t i = 0; i < p->n_routes; i++) {
		const struct plan_route *o = &p->routes[i];

		if (o->family == rt->family && o->prefix == rt->prefix &&
		    !memcmp(route_bytes(o, false), route_bytes(rt, false), route_len(rt)))
			return why_set("%.110s: a second route to the same destination", text);
	}
	if (p->n_routes >= PLAN_ROUTE_MAX)
		return why_set("more than %d routes", PLAN_ROUTE_MAX);
	p->routes[p->n_routes++] = *rt;
	return 0;
}

/* A gateway: an address of family (any when AF_UNSPEC) that a host can be. */
static int
parse_gateway(const char *s, int family, struct plan_route *rt)
{
	if ((family == AF_UNSPEC || family == AF_INET) && inet_pton(AF_INET, s, &rt->gw.v4) == 1 &&
	    ipv4_usable(rt->gw.v4)) {
		rt->family = AF_INET;
		return 0;
	}
	if ((family == AF_UNSPEC || family == AF_INET6) &&
	    inet_pton(AF_INET6, s, &rt->gw.v6) == 1 && ipv6_usable(&rt->gw.v6)) {
		rt->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

/* "ADDR[/LEN]" of either family; without LEN the host's route. */
static int
parse_destination(const char *s, struct plan_route *rt)
{
	char buf[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long len;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, &rt->dst.v4) == 1)
		rt->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, &rt->dst.v6) == 1)
		rt->family = AF_INET6;
	else
		return -EINVAL;
	len = rt->family == AF_INET ? 32 : 128;
	if (slash && parse_uint(slash + 1, 0, len, &len) < 0)
		return -EINVAL;
	rt->prefix = len;
	return 0;
}

int
plan_route_add(struct plan *p, const char *s, char why[PLAN_WHY_MAX])
{
	char dst[INET6_ADDRSTRLEN + 8], via[8], gw[INET6_ADDRSTRLEN + 1], extra[2];
	struct plan_route rt = {};

	if (sscanf(s, "%50s %7s %46s %1s", dst, via, gw, extra) != 3 || strcmp(via, "via"))
		return why_set("'%.64s' is not DEST via GW", s);
	if (!strcmp(dst, "default")) {
		if (parse_gateway(gw, AF_UNSPEC, &rt) < 0)
			return why_set("invalid gateway '%s'", gw);
		return route_append(p, &rt, why);
	}
	if (parse_destination(dst, &rt) < 0)
		return why_set("invalid destination '%s' (ADDR[/LEN] or default)", dst);
	if (!prefix_is_network(route_bytes(&rt, false), route_len(&rt), rt.prefix))
		return why_set("destination '%s' has host bits set", dst);
	if (parse_gateway(gw, rt.family, &rt) < 0)
		return why_set("invalid gateway '%s' for %s", gw,
		               rt.family == AF_INET ? "an IPv4 route" : "an IPv6 route");
	return route_append(p, &rt, why);
}

int
plan_gateway_add(struct plan *p, const char *gw, char why[PLAN_WHY_MAX])
{
	struct plan_route rt = {};

	if (parse_gateway(gw, AF_INET, &rt) < 0)
		return why_set("invalid IPv4 gateway '%.64s'", gw);
	return route_append(p, &rt, why);
}

int
plan_path_normalize(const char *path, char *buf, size_t size)
{
	size_t len = 0;

	if (path[0] != '/')
		return -EINVAL;
	for (const char *c = path; *c;) {
		size_t n;

		while (*c == '/')
			c++;
		n = strcspn(c, "/");
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return -EINVAL;
		if (n && !(n == 1 && c[0] == '.')) {
			if (len + 1 + n >= size)
				return -ENAMETOOLONG;
			buf[len++] = '/';
			memcpy(buf + len, c, n);
			len += n;
		}
		c += n;
	}
	if (size < 2)
		return -ENAMETOOLONG;
	if (!len)
		buf[len++] = '/';
	buf[len] = '\0';
	return 0;
}

/* Whether path is dir or below it (both normalised). */
static bool
path_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int
plan_volume_add(struct plan *p, const char *s, char why[PLAN_WHY_MAX])
{
	const char *colon = strchr(s, ':'), *mode;
	char dst[PATH_MAX];
	_cleanup_free_ char *given = NULL;
	bool readonly = false;
	int r;

	if (!colon || colon == s)
		return why_set("'%.64s' is not SRC:DST[:ro]", s);
	given = strdup(colon + 1);
	if (!given)
		return -ENOMEM;
	mode = strchr(given, ':');
	if (mode) {
		given[mode - given] = '\0';
		mode++;
		if (strchr(mode, ':'))
			return why_set("'%.64s' has more than SRC:DST:MODE (no ':' in paths)", s);
		if (strcmp(mode, "ro") == 0)
			readonly = true;
		else if (strcmp(mode, "rw") != 0)
			return why_set("unknown mode '%.32s' (ro or rw)", mode);
	}
	if (!given[0])
		return why_set("'%.64s' has no DST", s);
	r = plan_path_normalize(given, dst, sizeof(dst));
	if (r == -ENAMETOOLONG)
		return why_set("DST is too long");
	if (r < 0 && given[0] != '/')
		return why_set("DST '%.64s' is not an absolute path", given);
	if (r < 0)
		return why_set("DST '%.64s' has a '..' component", given);
	if (strcmp(dst, "/") == 0)
		return why_set("DST '/' would replace the node's root");
	if (path_below(dst, "/proc") || path_below(dst, "/sys"))
		return why_set("DST '%.64s' is in the kernel's /proc or /sys", dst);
	for (size_t i = 0; i < p->n_volumes; i++)
		if (strcmp(p->volumes[i].dst, dst) == 0)
			return why_set("DST '%.64s' given twice", dst);
	if (p->n_volumes >= PLAN_VOLUME_MAX) {
		snprintf(why, PLAN_WHY_MAX, "more than %d volumes", PLAN_VOLUME_MAX);
		return -E2BIG;
	}
	p->volumes[p->n_volumes] = (struct plan_volume){
		.src = strndup(s, colon - s),
		.dst = strdup(dst),
		.readonly = readonly,
	};
	if (!p->volumes[p->n_volumes].src || !p->volumes[p->n_volumes].dst) {
		free(p->volumes[p->n_volumes].src);
		free(p->volumes[p->n_volumes].dst);
		return -ENOMEM;
	}
	p->n_volumes++;
	return 0;
}

void
plan_route_format(const struct plan_route *rt, char *buf, size_t size)
{
	char dst[INET6_ADDRSTRLEN], gw[INET6_ADDRSTRLEN];

	inet_ntop(rt->family, route_bytes(rt, false), dst, sizeof(dst));
	inet_ntop(rt->family, route_bytes(rt, true), gw, sizeof(gw));
	if (rt->prefix == 0)
		snprintf(buf, size, "default via %s", gw);
	else
		snprintf(buf, size, "%s/%u via %s", dst, rt->prefix, gw);
}

ssize_t
plan_route_net(const struct plan *p, const struct plan_route *rt)
{
	size_t n = route_len(rt);
	const void *gw = route_bytes(rt, true);

	for (size_t i = 0; i < p->n_net; i++) {
		const struct plan_net *net = &p->net[i];

		if (rt->family == AF_INET && (net->keys & PLAN_NET_IPV4) && !net->v4_auto &&
		    prefix_equal(gw, &net->v4, n, net->v4_prefix))
			return i;
		if (rt->family == AF_INET6 && (net->keys & PLAN_NET_IPV6) && !net->v6_auto &&
		    prefix_equal(gw, &net->v6, n, net->v6_prefix))
			return i;
	}
	return -1;
}

/* Whether an interface but self has that name. */
static bool
ifname_taken(const struct plan *p, size_t self, const char *name)
{
	for (size_t i = 0; i < p->n_net; i++)
		if (i != self && !strcmp(p->net[i].ifname, name))
			return true;
	return false;
}

int
plan_net_finish(struct plan *p, char why[PLAN_WHY_MAX])
{
	char text[128];
	bool shorthand = p->first.keys != 0;

	if (p->first.keys == PLAN_NET_IFNAME)
		return why_set("-n names the interface of -s, -4 or -6: give one of them too");
	if (shorthand) {
		if (p->n_net >= PLAN_NET_MAX)
			return why_set("more than %d interfaces", PLAN_NET_MAX);
		memmove(&p->net[1], &p->net[0], p->n_net * sizeof(p->net[0]));
		p->net[0] = p->first;
		memset(&p->first, 0, sizeof(p->first));
		p->n_net++;
	}
	for (size_t i = 0; i < p->n_net; i++)
		for (size_t j = i + 1; j < p->n_net; j++)
			if ((p->net[i].keys & p->net[j].keys & PLAN_NET_IFNAME) &&
			    !strcmp(p->net[i].ifname, p->net[j].ifname))
				return why_set("two interfaces named '%s'", p->net[i].ifname);
	/* --help promises eth0 to the shorthand: it must not quietly become eth1. */
	if (shorthand && !(p->net[0].keys & PLAN_NET_IFNAME) && ifname_taken(p, 0, "eth0"))
		return why_set(
		        "-s, -4 or -6 name eth0, and so does --net ifname=eth0: give -n NAME "
		        "or another ifname=");
	for (size_t i = 0, k = 0; i < p->n_net; i++) {
		if (p->net[i].keys & PLAN_NET_IFNAME)
			continue;
		do
			snprintf(p->net[i].ifname, IFNAMSIZ, "eth%zu", k++);
		while (ifname_taken(p, i, p->net[i].ifname));
	}
	for (size_t i = 0; i < p->n_net; i++) {
		const struct plan_net *n = &p->net[i];

		if ((n->keys & PLAN_NET_SEGMENT) && !n->sock)
			return why_set("%s: segment= needs switch=", n->ifname);
		if ((n->keys & (PLAN_NET_ACCESS | PLAN_NET_TRUNK)) && !n->sock)
			return why_set("%s: a VLAN role needs switch=", n->ifname);
		if ((n->keys & PLAN_NET_ACCESS) && (n->keys & PLAN_NET_TRUNK))
			return why_set("%s: access= or trunk=, not both", n->ifname);
		if ((n->keys & PLAN_NET_NATIVE) && !(n->keys & PLAN_NET_TRUNK))
			return why_set("%s: native= goes with trunk=", n->ifname);
		p->net[i].vlan.mode = n->keys & PLAN_NET_ACCESS  ? CTL_VLAN_ACCESS
		                      : n->keys & PLAN_NET_TRUNK ? CTL_VLAN_TRUNK
		                                                 : CTL_VLAN_NONE;
		if ((n->v4_auto || n->v6_auto) && !n->sock)
			return why_set(
			        "%s: an address 'auto' comes from a switch: give switch= (or -s)",
			        n->ifname);
		if ((n->keys & PLAN_NET_IPV6) && n->mtu && n->mtu < PLAN_MTU_MIN_V6)
			return why_set("%s: IPv6 needs an MTU of %d or more", n->ifname,
			               PLAN_MTU_MIN_V6);
		for (size_t j = i + 1; j < p->n_net; j++)
			if ((n->keys & p->net[j].keys & PLAN_NET_MAC) &&
			    !memcmp(n->mac, p->net[j].mac, 6))
				return why_set("%s and %s have the same MAC address", n->ifname,
				               p->net[j].ifname);
	}
	for (size_t i = 0; i < p->n_routes; i++) {
		if (plan_route_net(p, &p->routes[i]) >= 0)
			continue;
		plan_route_format(&p->routes[i], text, sizeof(text));
		return why_set("route %.110s: the gateway is on none of the interfaces' subnets",
		               text);
	}
	return 0;
}

void
plan_net_default_mac(const char *id, const char *ifname, uint8_t ret[6])
{
	char key[IDENT_MAX + 1 + IFNAMSIZ];

	/* '/' is in neither an identity nor an interface name: no two pairs give one key. */
	snprintf(key, sizeof(key), "%s/%s", id, ifname);
	ident_mac(key, ret);
}

int
plan_net_macs(struct plan *p, char why[PLAN_WHY_MAX])
{
	char mac[MAC_STRLEN];

	for (size_t i = 0; i < p->n_net; i++)
		if (!(p->net[i].keys & PLAN_NET_MAC))
			plan_net_default_mac(p->id, p->net[i].ifname, p->net[i].mac);
	for (size_t i = 0; i < p->n_net; i++)
		for (size_t j = i + 1; j < p->n_net; j++)
			if (!memcmp(p->net[i].mac, p->net[j].mac, 6)) {
				mac_format(p->net[i].mac, mac);
				return why_set("%s and %s would have the same MAC address %s",
				               p->net[i].ifname, p->net[j].ifname, mac);
			}
	return 0;
}
