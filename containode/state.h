/*
 * A detached node's state, as containode keeps it in STATE_DIR/<identity>/state.json:
 * the JSON encoding and decoding, the resolution of an identity from a unique prefix, and
 * the start time of a process read from /proc/PID/stat.  Pure: the callers read and write
 * the files (containode/life.c).
 */
#pragma once

#include "ident.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Where the nodes' states live unless --state-dir or $CONTAINODE_STATE says otherwise. */
#define STATE_DIR_DEFAULT "/run/containode"
/* A state.json is a few kilobytes; this bounds what a wrong file could cost. */
#define STATE_FILE_MAX (1 << 20)
#define STATE_STRV_MAX 4096 /* entries of command, env, groups */
#define STATE_CGROUPS_MAX 8
#define STATE_PORTS_MAX 64

/* What state.json says; ps adds what it sees (paused, dead). */
enum state_status {
	STATE_RUNNING,
	STATE_EXITED,
	STATE_PAUSED, /* seen: the node's cgroup is frozen */
	STATE_DEAD,   /* seen: the supervisor is gone without saying how the node ended */
};

/* One of the node's cgroup directories, as cgroup.c made it. */
struct state_cgroup {
	char *path;
	int version;          /* enum cgroup_version */
	unsigned controllers; /* CGROUP_MASK bits */
	size_t base_len;
};

/* One of the node's ports on a switch. */
struct state_switch_port {
	char *sock;
	char *ifname;
	char *segment;
};

struct node_state {
	char id[IDENT_MAX + 1];
	enum state_status status;
	int exit_code;      /* -1 while it runs */
	pid_t pid;          /* the node's PID 1, as the host sees it */
	uint64_t pid_start; /* its start time (clock ticks after boot), so a reused pid is not it */
	pid_t supervisor;   /* the containode that is its parent */
	uint64_t supervisor_start;
	char *created;  /* RFC 3339, UTC */
	char *image;    /* --image REF, or NULL */
	char *root;     /* the lower layer, NULL for the host's root */
	char *top;      /* the upper layer on disk, NULL when in memory */
	char *work;     /* the overlay's work dir beside it */
	bool top_owned; /* containode chose top (ROOT.ID): rm removes it */
	char *hostname;
	char **command; /* NULL-terminated */
	char **env;     /* NULL-terminated */
	char *cwd;      /* NULL: / */
	int stop_signal;
	/* What exec needs to give a command the node's privileges, never more. */
	uint64_t caps;
	bool privileged;
	char *seccomp; /* a profile's path, "unconfined", or NULL for the default */
	bool have_user;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	size_t n_groups;
	struct state_cgroup cgroups[STATE_CGROUPS_MAX];
	size_t n_cgroups;
	char **ports; /* published ports, "[IP:]HOSTPORT:PORT/PROTO" (NULL-terminated) */
	struct state_switch_port switch_ports[STATE_PORTS_MAX];
	size_t n_switch_ports;
};

void state_init(struct node_state *s);
void state_free(struct node_state *s);

const char *state_status_name(enum state_status status);

/* The state as a JSON text (malloc'd, a newline at its end); -ENOMEM. */
int state_encode(const struct node_state *s, char **ret);
/*
 * The node's state from a state.json text of len bytes.  On failure -EINVAL with a
 * one-line reason naming the field in why (at least 128 bytes), -ENOMEM.  *ret is set
 * only on success.
 */
int state_decode(const char *text, size_t len, struct node_state *ret, char *why, size_t why_size);
/*
 * Which of names (n of them) query means: the one equal to it, else the only one it
 * begins.  0 with the index; -ENOENT when none; -ENOTUNIQ when several begin with it.
 */
int state_resolve(const char *const *names, size_t n, const char *query, size_t *ret);
/*
 * The state letter (field 3: 'Z' for a zombie, 'X' for dead) and the start time (field 22)
 * from the text of /proc/PID/stat; -EINVAL when malformed.
 */
int state_stat_start(const char *text, char *ret_state, uint64_t *ret_start);
