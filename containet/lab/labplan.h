/*
 * What a lab's runner does, decided by pure code: the lab's name and paths, the identity
 * and image of each node, and the command lines of the programs it runs (containode for
 * the nodes, the switch's client for the segments).  No I/O: labrun.c executes the plan.
 *
 * Nodes run as Kathara runs its devices (Kathara's DockerMachine.py and Machine.py): the
 * capabilities NET_ADMIN, NET_RAW, NET_BROADCAST, NET_BIND_SERVICE and SYS_ADMIN on top of
 * the default set (every capability with node[privileged]), IPv4 forwarding, rp_filter 0
 * on all, default, lo and every interface, no ICMP rate limit, and IPv6 off unless
 * node[ipv6] (then on, forwarding, no router advertisements accepted); the node's own
 * sysctls last, so they win.
 */
#pragma once

#include "labconf.h"
#include "labmgmt.h"

#include <stdbool.h>
#include <stdint.h>

#define LABPLAN_NAME_MAX 32 /* so that "<lab>-<node>" is an identity (common/ident.h) */
#define LABPLAN_ROOT_DEFAULT "/run/containet/lab"
#define LABPLAN_CGROUP_BASE "/containet/lab" /* the labs' parent cgroups, from the top */
#define LABPLAN_TARGET_MAX 128 /* a switch port's name ("<lab>-<node>-ethN") and more */
#define LABPLAN_CAPS "NET_ADMIN,NET_RAW,NET_BROADCAST,NET_BIND_SERVICE,SYS_ADMIN"

struct labplan {
	const char *name;          /* the lab's name */
	const char *state_dir;     /* ROOT/<name> */
	const char *lab_dir;       /* the lab directory; NULL for --topo and FILE.json */
	const char *default_image; /* --image: for nodes that name none; NULL: the host's root */
	const struct lab_pair *image_map; /* --image-map FROM=TO, before lab.ext's IMAGE_MAP */
	size_t n_image_map;
	const struct labmgmt *mgmt; /* the management segment; NULL: none */
	bool shared;                /* lab_dir/shared exists: mounted at /shared */
	bool startups;              /* run startup scripts (the runner knows which exist) */
	const char *pull;           /* --pull for the nodes with an image; NULL: containode's */
};

/* A node's name as lab.conf allows it: 1 to LAB_NODE_NAME_MAX of a-z 0-9 _. */
bool labplan_node_name_valid(const char *name);

/* Letters, digits, '_', '-' and '.', 1 to LABPLAN_NAME_MAX, not starting with '-' or '.'. */
bool labplan_name_valid(const char *name);

/*
 * A lab's default name: the user's name (at most 16 characters, others than the above
 * made '_') and 8 hex digits of a hash of key (the lab directory's real path), so that
 * the same directory of the same user always gets the same name and others another one.
 */
void labplan_default_name(const char *user, const char *key, char ret[LABPLAN_NAME_MAX + 1]);

/* The low 32 bits of FNV-1a of s: stable across machines and versions (names, cgroups). */
uint32_t labplan_hash32(const char *s);

/* "<lab>-<node>", malloc'd; NULL when out of memory. */
char *labplan_identity(const struct labplan *p, const char *node);

/* The image a node runs: its own (mapped), else --image (mapped), else NULL (the host's root). */
const char *labplan_image(const struct lab *lab, const struct lab_node *node,
                          const struct labplan *p);

/*
 * The cgroup parent of the lab's nodes, malloc'd: LABPLAN_CGROUP_BASE "/<name>.<hash>",
 * the hash of the state directory's path (two roots may hold labs of one name).
 */
char *labplan_cgroup(const struct labplan *p);

/*
 * containode's command line (argv[0] is containode) that starts the node detached:
 * `containode --state-dir ST/nodes run -d --name ID --hostname NODE ...`.  0 or -ENOMEM.
 * Warnings for what the node asks and cannot have yet go to *ret_warnings (a strv).
 * A bridged node (node[bridged]) gets one more interface, eth<last + 1>, on the
 * management segment with its address from p->mgmt, and its IPv4 default route through
 * the management segment's host port unless node[gw] gives one (labmgmt.h).
 */
int labplan_node_argv(const struct lab *lab, size_t node, const struct labplan *p,
                      const char *containode, char ***ret_argv, char ***ret_warnings);

/*
 * The shell text a node runs once started, as Kathara's startup commands: the owners and
 * modes of /etc/frr, /etc/quagga and /var/www as Kathara sets them, then shared.startup,
 * then NODE.startup (traced, into /var/log/shared.log and /var/log/startup.log), then the
 * node's exec lines.  NULL when out of memory.
 */
char *labplan_startup_script(const struct lab_node *node);

/* The same for NODE.shutdown then shared.shutdown. */
char *labplan_shutdown_script(const struct lab_node *node);

/* `containode --state-dir ST/nodes exec [-i -t] ID ARGV...`; 0 or -ENOMEM. */
int labplan_exec_argv(const struct labplan *p, const char *containode, const char *node,
                      bool interactive, char *const *cmd, char ***ret_argv);

/* What lab capture and lab link mean by a name: a segment, or a node's interface (port). */
struct labplan_target {
	bool segment;
	char name[LABPLAN_TARGET_MAX]; /* the segment's, or the port's "<lab>-<node>-<if>" */
	size_t node;                   /* a port's node (index into lab->nodes) */
	unsigned iface;                /* and interface: eth<iface> */
};

/*
 * Resolves a lab's name for the switch: "NODE:IF" is a node's interface (IF eth<N>); a
 * bare name is the segment of that name when the lab has one, else the node's eth0.
 * 0 and *ret, or -EINVAL with the reason in *ret_error (naming the node, the segment or
 * the interface, and what the lab has), or -ENOMEM.
 */
int labplan_target(const struct lab *lab, const struct labplan *p, const char *arg,
                   struct labplan_target *ret, char **ret_error);
