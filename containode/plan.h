/*
 * The launch plan: what the command line asks for, completed with defaults, and the
 * pure decisions derived from it (names, environment, exit codes).  No syscalls that
 * change anything here, so that all of it can be unit-tested without root.
 */
#pragma once

#include "cgroup.h"
#include "ctl.h"
#include "ident.h"
#include "portspec.h"

#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Exit codes of containode itself, as docker and crun use them. */
#define EXIT_LAUNCHER 125 /* containode failed */
#define EXIT_NOEXEC 126   /* the command exists but cannot be run */
#define EXIT_NOTFOUND 127 /* the command was not found */
#define EXIT_USAGE 2

#define PLAN_ENV_MAX 256
#define PLAN_SYSCTL_MAX 64
#define PLAN_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* --- The node's network (--net, its shorthand -s -4 -6 -n, -g, --route) --- */
#define PLAN_NET_MAX 8
#define PLAN_ROUTE_MAX 32
#define PLAN_MTU_MIN 68    /* what IPv4 needs */
#define PLAN_MTU_MAX 65521 /* a tap's largest */
#define PLAN_MTU_MIN_V6 1280
#define PLAN_WHY_MAX 256 /* room for a reason quoting the value */

/* The keys of one interface, to refuse one given twice. */
enum {
	PLAN_NET_SWITCH = 1 << 0,
	PLAN_NET_SEGMENT = 1 << 1,
	PLAN_NET_IFNAME = 1 << 2,
	PLAN_NET_IPV4 = 1 << 3,
	PLAN_NET_IPV6 = 1 << 4,
	PLAN_NET_MAC = 1 << 5,
	PLAN_NET_MTU = 1 << 6,
	PLAN_NET_ACCESS = 1 << 7,
	PLAN_NET_TRUNK = 1 << 8,
	PLAN_NET_NATIVE = 1 << 9,
};

/* One interface of the node: a tap, its own port on its switch. */
struct plan_net {
	unsigned keys;                 /* PLAN_NET_* given */
	char *sock;                    /* switch=: the control socket, or NULL */
	char segment[CTL_SEGMENT_MAX]; /* segment=, "" for the switch's default */
	char ifname[IFNAMSIZ];         /* ifname=, or the first free eth<N> */
	struct in_addr v4;             /* ipv4= */
	unsigned v4_prefix;
	struct in6_addr v6; /* ipv6= */
	unsigned v6_prefix;
	bool v4_auto, v6_auto; /* ipv4=auto, ipv6=auto: the switch's addressing says */
	uint8_t mac[6];        /* mac=, or from the identity and the ifname */
	unsigned mtu;          /* mtu=, 0 for the kernel's default */
	struct ctl_vlan vlan;  /* access=, or trunk= and native=: the port's VLAN role */
};

/* DEST via GW; -g is the IPv4 default route.  dst has no host bits. */
struct plan_route {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} dst, gw;
	unsigned prefix;
};
/* --- end of the network part --- */

/* --volume SRC:DST[:ro]: a host file or directory bound into the node. */
#define PLAN_VOLUME_MAX 32

struct plan_volume {
	char *src;     /* the host's path, as given */
	char *dst;     /* in the node: absolute, without "", "." or ".." components */
	bool readonly; /* :ro */
};

struct plan {
	/* Network: net[0] is the shorthand's interface when -s, -4 or -6 is given. */
	struct plan_net net[PLAN_NET_MAX];
	size_t n_net;
	struct plan_net first; /* -s -4 -6 -n while parsing, moved to net[0] */
	struct plan_route routes[PLAN_ROUTE_MAX];
	size_t n_routes;
	char *root;              /* -r, trailing slashes removed; NULL = host root */
	char *top;               /* -t, or ROOT.ID */
	char *work;              /* overlay work dir beside TOP */
	bool ephemeral;          /* tmpfs upper layer */
	bool volatile_upper;     /* --volatile: overlayfs never syncs a disk upper layer */
	char id[IDENT_MAX + 1];  /* -i or random */
	bool host_net, host_ipc; /* -N, -I */
	bool quiet, init, tty;
	const char *cwd; /* -w */
	bool have_user;
	uid_t uid; /* -u */
	gid_t gid;
	char *env[PLAN_ENV_MAX + 1]; /* the container's environment, NULL-terminated */
	size_t n_env;
	char *resolv_conf; /* contents for the container's /etc/resolv.conf */
	char **argv;       /* the command; never empty once planned */

	/* Privileges: --cap-add, --cap-drop, --privileged, --seccomp, --sysctl. */
	uint64_t cap_add, cap_drop;     /* bit n: capability n, as named */
	bool cap_add_all, cap_drop_all; /* ALL */
	uint64_t caps;                  /* the node's capabilities, by plan_caps */
	bool privileged;
	const char *seccomp;                 /* a profile, "unconfined", or NULL for the default */
	struct sock_filter *seccomp_filter;  /* the filter's BPF program, NULL for none */
	size_t seccomp_filter_len;           /* its instructions */
	const char *sysctl[PLAN_SYSCTL_MAX]; /* "KEY=VALUE", as given */
	size_t n_sysctl;

	/* The image and the user (--image, -u, --hostname): containode/image.c. */
	const char *image;      /* --image REF */
	const char *entrypoint; /* --entrypoint, NULL when not given */
	const char *store;      /* --store, else $CONTAINET_STORE, else the default */
	bool pull_missing;      /* --pull missing: `mocker pull` an image not stored */
	const char *user_spec;  /* -u: name, uid, name:group or uid:gid */
	gid_t *groups;          /* setgroups(): the primary, then the user's others */
	size_t n_groups;
	bool make_cwd;        /* create the working directory when missing */
	const char *hostname; /* --hostname; plan_hostname() falls back on the id */
	int rootfs_fd;        /* the image's rootfs, held shared while the node lives */
	int stop_signal;      /* the image's StopSignal, SIGTERM by default */
	char **image_argv;    /* what p->argv and p->cwd point to in image mode */
	char *image_cwd;

	/* Resources: --memory, --cpus, --pids-limit (0: none), --cgroup-parent (NULL: default) */
	struct cgroup_limits limits;
	const char *cgroup_parent;

	/* Volumes: bound in the order given (a later one may sit inside an earlier one). */
	struct plan_volume volumes[PLAN_VOLUME_MAX];
	size_t n_volumes;
	/* -p: ports the supervisor publishes (containode/publish.c). */
	struct portspec publish[PORTSPEC_MAX];
	size_t n_publish;
	/* Detached (run -d): the node's stdout and stderr, its log's pipe; -1 to inherit. */
	int stdio_fd;
	/*
	 * Detached: the ready pipe to the waiting `run -d` (close-on-exec), which the node
	 * holds until its exec closes it, and on which it says when it failed; -1 for none.
	 */
	int ready_fd;
};

void plan_init(struct plan *p);
void plan_free(struct plan *p);

/* Checks combinations of options; NULL if fine, else a static one-line reason. */
const char *plan_check(const struct plan *p);

/* --- The network part --- */

/* /etc/resolv.conf for the name servers a switch handed out (n of them), with its domain
 * ("" or NULL for none) to search. */
char *plan_resolv_switch(const char *domain, const char (*dns)[CTL_ADDR_MAX], size_t n);

/*
 * Sets one KEY=VALUE of an interface: switch, segment, ifname, ipv4, ipv6, mac, mtu,
 * access, trunk (VLAN IDs separated by commas), native.
 * Returns 0, or -EINVAL with a one-line reason in why (a key given twice, a bad value),
 * -ENOMEM.
 */
int plan_net_set(struct plan_net *n, const char *key, const char *value, char why[PLAN_WHY_MAX]);
/*
 * One --net value, "KEY=VALUE,...", onto n (zeroed first); as plan_net_set.  The items
 * after trunk= that are bare numbers are more of its VLANs: "trunk=10,20,mtu=1400".
 */
int plan_net_parse(struct plan_net *n, const char *s, char why[PLAN_WHY_MAX]);
/* More VLANs ("10,20") for the trunk= of n; as plan_net_set. */
int plan_net_trunk_add(struct plan_net *n, const char *list, char why[PLAN_WHY_MAX]);
/* Appends --net's interface (taking n's memory), or -E2BIG. */
int plan_net_add(struct plan *p, struct plan_net *n);
void plan_net_free(struct plan_net *n);
/* "DEST via GW" (DEST: ADDR[/LEN] or "default"; v4 or v6) appended to the routes. */
int plan_route_add(struct plan *p, const char *s, char why[PLAN_WHY_MAX]);
/* -g GW: the IPv4 default route. */
int plan_gateway_add(struct plan *p, const char *gw, char why[PLAN_WHY_MAX]);
/*
 * After the options: the shorthand's interface first, names for the unnamed ones (the
 * first free eth<N>), and the checks that need them all (names unique, each gateway
 * on an interface's subnet...).  0, or -EINVAL with the reason in why.
 */
int plan_net_finish(struct plan *p, char why[PLAN_WHY_MAX]);
/* Once the identity is known: the MACs not given, and none twice.  As above. */
int plan_net_macs(struct plan *p, char why[PLAN_WHY_MAX]);
/* The MAC an interface gets when none is given: a hash of the identity and its name. */
void plan_net_default_mac(const char *id, const char *ifname, uint8_t ret[6]);
/* The interface whose subnet holds rt's gateway, or -1. */
ssize_t plan_route_net(const struct plan *p, const struct plan_route *rt);
/* "10.2.0.0/24 via 10.1.0.1", "default via fd00::1", for messages. */
void plan_route_format(const struct plan_route *rt, char *buf, size_t size);
/* --- end of the network part --- */

/*
 * One --volume value, "SRC:DST[:ro|:rw]", appended to the volumes.  DST must be absolute,
 * without "..", neither "/" nor in /proc or /sys, and given once.  0, -ENOMEM, or -EINVAL
 * (-E2BIG: too many) with a one-line reason in why.
 */
int plan_volume_add(struct plan *p, const char *s, char why[PLAN_WHY_MAX]);
/*
 * An absolute path with its empty and "." components dropped, into buf: "/a//b/./c/"
 * is "/a/b/c".  -EINVAL for a relative path or a ".." component, -ENAMETOOLONG.
 */
int plan_path_normalize(const char *path, char *buf, size_t size);

/* "ROOT.ID" with ROOT's trailing slashes removed (the original tool's default TOP). */
char *plan_default_top(const char *root, const char *id);
/* The overlay work dir for top: ".NAME.work" in TOP's parent directory (same fs). */
char *plan_work_dir(const char *top);
/* Copy of path without trailing slashes ("/" stays "/"). */
char *plan_strip_slashes(const char *path);

/* Whether s has the form of a -u spec: USER or USER:GROUP, neither empty. */
bool plan_user_valid(const char *s);
/* Whether s can be a host name: RFC 1123 labels, with Docker's "_" inside one too (Kathara's
 * labs name nodes leaf_1_0_1); at most 64 characters. */
bool plan_hostname_valid(const char *s);
/* The node's host name: --hostname, else the identity. */
const char *plan_hostname(const struct plan *p);

/*
 * Sets KEY=VALUE in the environment (replacing KEY if present).  "KEY" alone takes
 * the value from host_value, or is ignored when that is NULL.  -EINVAL for an empty or
 * malformed key, -E2BIG when full.
 */
int plan_env_set(struct plan *p, const char *kv, const char *host_value);
/* The value of key in the planned environment, or NULL. */
const char *plan_env_get(const struct plan *p, const char *key);
/* PATH, HOME, TERM, HOSTNAME: the clean base environment, set before any -e. */
int plan_env_base(struct plan *p, const char *host_term);

/*
 * The host's resolv.conf made fit for the container: without the host's network,
 * loopback name servers (systemd-resolved's stub and the like) cannot be reached and
 * are dropped.  Returns a malloc'd text or NULL on allocation failure.
 */
char *plan_resolv_conf(const char *host, bool host_net);
/* The container's /etc/hosts. */
char *plan_hosts(const struct plan *p);

/*
 * A --cap-add or --cap-drop list, "NET_ADMIN,CAP_SYS_TIME" or "ALL", any case, into
 * *mask (or *all).  -EINVAL for a name libcap does not know.
 */
int plan_parse_caps(const char *list, uint64_t *mask, bool *all);
/*
 * The node's capabilities as Docker decides them: all with --privileged or
 * --cap-add ALL (less --cap-drop), only --cap-add with --cap-drop ALL, else defaults
 * less --cap-drop plus --cap-add.  all_caps: every capability the kernel has.
 */
uint64_t plan_caps(const struct plan *p, uint64_t defaults, uint64_t all_caps);
/*
 * Checks a --sysctl KEY=VALUE: NULL if fine, else a static reason.  Only net.* keys,
 * which belong to the node's own network namespace.
 */
const char *plan_sysctl_check(const char *kv);
/*
 * The file under /proc/sys for KEY=VALUE's key ("net/ipv4/ip_forward"); a '/' in a key
 * stands for a '.' in a name, as sysctl(8) has it ("net.ipv4.conf.eth0/1.forwarding").
 * -ENAMETOOLONG.
 */
int plan_sysctl_path(const char *kv, char *buf, size_t size);
/* Whether the node's /proc/sys/net is writable: its own network, NET_ADMIN. */
bool plan_proc_sys_net_writable(const struct plan *p);

/* The clone flags for the namespaces the plan wants. */
unsigned long plan_clone_flags(const struct plan *p);

/* containode's exit code for a wait status: the code, or 128+N for signal N. */
int plan_exit_code(int wstatus);
/* 127 when exec failed because the command does not exist, 126 otherwise. */
int plan_exec_exit_code(int err);

/*
 * The next candidate for execve when looking cmd up along path: writes it to buf and
 * advances *cursor; returns false when exhausted.  cmd with a '/' is used as it is.
 */
bool plan_path_next(const char *cmd, const char *path, const char **cursor, char *buf, size_t size);
