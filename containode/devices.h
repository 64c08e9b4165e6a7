/*
 * /dev inside the container: six device nodes of the node's own, from a static table, symlinks,
 * the console; and the allow-list of the node's device cgroup.
 */
#pragma once

#include "devfilter.h"
#include "setup.h"

struct plan;

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define DEV_PTY_ONLY 1 /* made only with a terminal: a bind mount of the container's pty */

struct device_node {
	const char *name;
	mode_t mode; /* type and permissions of the node's device node */
	unsigned major, minor;
	unsigned flags;
};

#define DEVICES_MAX 8 /* room for the table, for arrays of one thing per node */

extern const struct device_node devices_table[];
extern const size_t devices_table_len;

/* The node's device allow-list: Docker's and crun's default, everything else denied. */
extern const struct device_rule devices_allow[];
extern const size_t devices_allow_len;

/* Whether the rules let a process open (access) the device of type 'c' or 'b'.  Pure. */
bool devices_rules_allow(const struct device_rule *rules, size_t n, char type, unsigned major,
                         unsigned minor, unsigned access);

/*
 * Whether the node needs the device cgroup's allow-list: whether anything in its reach
 * could open a device off the list without it.  Not when its root is an overlay of its
 * own and every mount it can write or bring in is nodev (the overlay, /dev, /dev/shm,
 * /run, the volumes: so a node made there opens nothing), it cannot mount (no
 * CAP_SYS_ADMIN) and none of its standard fds is such a device (reopened through
 * /proc/self/fd, with more access than given).  The host's root, --privileged,
 * SYS_ADMIN: yes.  Looks at fds 0, 1 and 2 (0 only when p->stdio_fd replaces the others),
 * which the parent and the child share: the parent makes the cgroup only where it is
 * needed, the child joins it only then.
 */
bool devices_cgroup_needed(const struct plan *p);

/*
 * The node's own device nodes for the table, made on a tmpfs of its own, as detached
 * read-only bind mounts (fds[i] for devices_table[i], -1 for those made otherwise), which
 * any mount namespace can attach, made before the root changes.  *ret_fs is the tmpfs's
 * own mount, to close once the node runs: closing it unmounts it, which waits for an RCU
 * grace period.  On failure nothing stays open.
 */
int devices_make_nodes(int fds[], int *ret_fs, struct setup_error *e);
/* Closes what devices_make_nodes left open. */
void devices_close_nodes(int fds[]);
/* Attaches the node's device nodes and makes the symlinks in dir (the container's fresh /dev). */
int devices_populate(const char *dir, const int fds[], struct setup_error *e);
/* Binds the pty slave (path) over dir/console. */
int devices_bind_console(const char *dir, const char *pty, struct setup_error *e);
