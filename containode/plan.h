/*
 * The launch plan: what the command line asks for, completed with defaults, and the
 * pure decisions derived from it (names, environment, exit codes).  No syscalls that
 * change anything here, so that all of it can be unit-tested without root.
 */
#pragma once

#include "cgroup.h"
#include "ident.h"

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Exit codes of containode itself, as docker and crun use them. */
#define EXIT_LAUNCHER 125  /* containode failed */
#define EXIT_NOEXEC 126    /* the command exists but cannot be run */
#define EXIT_NOTFOUND 127  /* the command was not found */
#define EXIT_USAGE 2

#define PLAN_ENV_MAX 256
#define PLAN_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct plan {
	const char *sock;           /* -s: the switch's control socket, or NULL */
	bool have_addr, have_gw;
	struct in_addr addr, gw;    /* -4, -g */
	unsigned prefix;
	char ifname[IFNAMSIZ];      /* -n */
	char *root;                 /* -r, trailing slashes removed; NULL = host root */
	char *top;                  /* -t, or ROOT.ID */
	char *work;                 /* overlay work dir beside TOP */
	bool ephemeral;             /* tmpfs upper layer */
	char id[IDENT_MAX + 1];     /* -i or random */
	bool host_net, host_ipc;    /* -N, -I */
	bool quiet, init, tty;
	const char *cwd;            /* -w */
	bool have_user;
	uid_t uid;                  /* -u */
	gid_t gid;
	char *env[PLAN_ENV_MAX + 1];/* the container's environment, NULL-terminated */
	size_t n_env;
	char *resolv_conf;          /* contents for the container's /etc/resolv.conf */
	char **argv;                /* the command; never empty once planned */
	/* Resources: --memory, --cpus, --pids-limit (0: none), --cgroup-parent (NULL: default) */
	struct cgroup_limits limits;
	const char *cgroup_parent;
};

void plan_init(struct plan *p);
void plan_free(struct plan *p);

/* Checks combinations of options; NULL if fine, else a static one-line reason. */
const char *plan_check(const struct plan *p);

/* "ROOT.ID" with ROOT's trailing slashes removed (the original tool's default TOP). */
char *plan_default_top(const char *root, const char *id);
/* The overlay work dir for top: ".NAME.work" in TOP's parent directory (same fs). */
char *plan_work_dir(const char *top);
/* Copy of path without trailing slashes ("/" stays "/"). */
char *plan_strip_slashes(const char *path);

/* "UID" or "UID:GID", numeric; GID defaults to UID. */
int plan_parse_user(const char *s, uid_t *ret_uid, gid_t *ret_gid);

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
bool plan_path_next(const char *cmd, const char *path, const char **cursor, char *buf,
		    size_t size);
