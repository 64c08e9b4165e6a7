/*
 * The node's cgroup: created by containode before the child runs, joined by the child
 * first thing (before it unshares its cgroup namespace, which is then rooted there),
 * removed by containode once the node is gone.  Each controller is looked up on its
 * own, v1 (a hierarchy of its own) or v2 (the unified one), so that a node can sit in
 * several hierarchies at once; the node's directory is CALLER/containode/ID@PID in each,
 * CALLER being containode's own cgroup there and PID containode's: identities may repeat.
 * What a killed containode leaves behind, the next one removes.  Today the device
 * allow-list is its one use; limits and freezing are further cgroup_node_* steps of the
 * same kind.
 */
#pragma once

#include "devices.h"

#include <stddef.h>

enum cgroup_version {
	CGROUP_NONE,
	CGROUP_V1,
	CGROUP_V2,
};

enum cgroup_controller {
	CGROUP_DEVICES,
	CGROUP_CONTROLLERS,
};

#define CGROUP_MASK(c) (1u << (c))

/* The node's directory in one hierarchy, and the controllers it serves there. */
struct cgroup_dir {
	enum cgroup_version version;
	char *path;
	unsigned controllers; /* CGROUP_MASK bits */
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

/*
 * Creates the node's cgroup (named id@pid) in every hierarchy holding one of the
 * controllers in mask, first removing what killed containodes left there.
 * On failure nothing is left and node is empty.
 */
int cgroup_node_create(struct cgroup_node *node, const char *id, unsigned mask);
/* Moves the calling process into the node's cgroup, in every hierarchy. */
int cgroup_node_join(const struct cgroup_node *node);
/* Lets the node open only the devices the rules allow (and make any, per the rules). */
int cgroup_node_allow_devices(const struct cgroup_node *node, const struct device_rule *rules,
			      size_t n);
/*
 * Removes the node's directories (and containode/ above them when no other node uses it)
 * and frees node.  Returns the first failure, the rest being done anyway.
 */
int cgroup_node_remove(struct cgroup_node *node);
/* The node's first directory, for messages ("" when there is none). */
const char *cgroup_node_path(const struct cgroup_node *node);
