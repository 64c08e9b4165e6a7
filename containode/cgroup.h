/*
 * The node's cgroup: created by containode before the child runs, joined by the child
 * while it sets itself up (before it unshares its cgroup namespace, which is then rooted
 * there, and before anything of the node runs), removed by containode once the node is
 * gone.  Each controller is looked up on its
 * own, v1 (a hierarchy of its own) or v2 (the unified one), so that a node can sit in
 * several hierarchies at once; the node's directory is CALLER/PARENT/ID@PID in each,
 * CALLER being containode's own cgroup there (so that a delegated or nested containode
 * stays inside what it was given), PARENT containet/ or --cgroup-parent, and PID
 * containode's: identities may repeat.  What a killed containode leaves behind in PARENT,
 * the next one removes.  Where a v2 hierarchy is mounted at all, the node has a directory
 * there too (CGROUP_UNIFIED), even without controllers: for cgroup.kill and cgroup.freeze.
 */
#pragma once

struct device_rule;

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum cgroup_version {
	CGROUP_NONE,
	CGROUP_V1,
	CGROUP_V2,
};

enum cgroup_controller {
	CGROUP_DEVICES,
	CGROUP_MEMORY,
	CGROUP_CPU,
	CGROUP_PIDS,
	CGROUP_UNIFIED, /* no controller: the v2 hierarchy itself, wherever it is mounted */
	CGROUP_FREEZER, /* v1 only, in place of CGROUP_UNIFIED when no v2 is mounted */
	CGROUP_CONTROLLERS,
};

/* The default parent of the nodes' cgroups, below containode's own. */
#define CGROUP_PARENT "containet"
/* The CFS period for --cpus: the quota is the period times the CPUs. */
#define CGROUP_CPU_PERIOD_US 100000u

#define CGROUP_MASK(c) (1u << (c))

/* The node's directory in one hierarchy, and the controllers it serves there. */
struct cgroup_dir {
	enum cgroup_version version;
	char *path;
	unsigned controllers; /* CGROUP_MASK bits */
	size_t base_len;      /* path[0..base_len) is CALLER: what is above it is not ours */
};

/* The node's resource limits; 0 is "no limit". */
struct cgroup_limits {
	uint64_t memory;    /* bytes, RAM and swap together */
	uint32_t cpu_quota; /* microseconds per CGROUP_CPU_PERIOD_US */
	uint64_t pids;
};

struct cgroup_node {
	struct cgroup_dir dirs[CGROUP_CONTROLLERS];
	size_t n;
};

/* The controller's name in mount options and /proc/self/cgroup. */
const char *cgroup_controller_name(enum cgroup_controller c);

/*
 * Where the caller's cgroup for controller c lies, from the text of /proc/self/mountinfo
 * and /proc/self/cgroup: the v1 hierarchy that holds c, else the v2 one.  Writes the
 * version and the directory (allocated) on success; -ENOENT when there is none.  Pure.
 * The v2 hierarchy holds a controller only if cgroup.controllers lists it, which the
 * caller checks (devices has no such entry: it is a BPF program there).
 */
int cgroup_locate(const char *mountinfo, const char *self, enum cgroup_controller c,
                  enum cgroup_version *ret_version, char **ret_dir);

/* "N", "Nk", "Nm", "Ng" (binary multiples) into bytes; -EINVAL, -ERANGE.  Pure. */
int cgroup_parse_bytes(const char *s, uint64_t *ret);
/* "N" or "N.N" CPUs (up to 3 decimals, 0.01 to 1024) into a quota per period.  Pure. */
int cgroup_parse_cpus(const char *s, uint32_t *ret_quota);
/* A relative cgroup path of plain names ("lab1", "containet/lab1"): no "", ".", "..". */
bool cgroup_parent_valid(const char *s);
/* The controllers (CGROUP_MASK bits) that the limits need. */
unsigned cgroup_limits_mask(const struct cgroup_limits *l);
/*
 * The "oom_kill N" count in the text of memory.oom_control (v1) or memory.events (v2).
 * -ENODATA when there is none (kernels before 4.13).  Pure.
 */
int64_t cgroup_oom_kill_count(const char *text);

/*
 * Creates the node's cgroup (PARENT/ID@PID) in every hierarchy holding one of the
 * controllers in mask, first removing what killed containodes left in PARENT, and
 * enabling the controllers down to it on v2.  When no v2 hierarchy is mounted,
 * CGROUP_UNIFIED is replaced by the v1 freezer (CGROUP_FREEZER), skipped if absent too.  On failure nothing is left and node is empty; -ENOENT when a
 * controller is on no hierarchy.
 */
int cgroup_node_create(struct cgroup_node *node, const char *parent, const char *id, unsigned mask);
/* Moves the calling process into the node's cgroup, in every hierarchy. */
int cgroup_node_join(const struct cgroup_node *node);
/*
 * The cgroup.procs files (opened for writing) of the node's directories that serve any
 * controller of mask, into fds; returns how many, or -errno with none left open.  For
 * moving a process with cgroup_procs_write once paths no longer lead there.
 */
int cgroup_node_procs_open(const struct cgroup_node *node, unsigned mask,
                           int fds[CGROUP_CONTROLLERS]);
/* Moves process pid (as the caller's PID namespace numbers it) with a cgroup.procs fd. */
int cgroup_procs_write(int fd, pid_t pid);
/* Lets the node open only the devices the rules allow (and make any, per the rules). */
int cgroup_node_allow_devices(const struct cgroup_node *node, const struct device_rule *rules,
                              size_t n);
/* Sets the limits, in the hierarchies that hold their controllers. */
int cgroup_node_set_limits(const struct cgroup_node *node, const struct cgroup_limits *l);
/* How many processes of the node the OOM killer killed; -ENOENT without a memory cgroup. */
int64_t cgroup_node_oom_kills(const struct cgroup_node *node);
/* The node's v2 directory (for cgroup.kill, cgroup.freeze), or NULL. */
const char *cgroup_node_unified(const struct cgroup_node *node);
/* The controllers (CGROUP_MASK bits) that directory serves, 0 without one. */
unsigned cgroup_node_unified_mask(const struct cgroup_node *node);
/*
 * Kills what is left in the node (v2 cgroup.kill), removes the node's directories and
 * the parents above them that no other node uses, and frees node.  Returns the first
 * failure, the rest being done anyway.
 */
int cgroup_node_remove(struct cgroup_node *node);
/* The node's first directory, for messages ("" when there is none). */
const char *cgroup_node_path(const struct cgroup_node *node);
