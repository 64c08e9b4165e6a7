/*
 * The container process: created once by clone3 in new namespaces, it sets itself up
 * and talks to the parent over a close-on-exec SOCK_SEQPACKET pair ("the child pipe"):
 * it hands over its tap and pty fds, says it is ready, waits until the parent has done
 * its side (attached the tap to the switch, set up the terminal) and then execs.  Any
 * failure travels back as one message and is reported by the parent; when exec
 * succeeds the parent simply sees the pipe close.
 */
#pragma once

#include "plan.h"

struct cgroup_node;

#include <stdarg.h>
#include <stdbool.h>
#include <sys/types.h>

/* What failed in the child, as "what failed" text for the parent's one error line. */
struct setup_error {
	char what[240];
};

/* Formats what failed into e and returns r (a -errno), for "return setup_fail(...)". */
int setup_fail(struct setup_error *e, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

enum child_msg_type {
	CHILD_TAP,   /* fd: the tap, for the switch */
	CHILD_PTY,   /* fd: the pty master, for the relay */
	CHILD_READY, /* setup done, waiting for the go byte */
	CHILD_ERROR, /* setup or exec failed: err, code and what */
};

struct child_msg {
	int type;
	int err;  /* positive errno */
	int code; /* the exit code containode should use */
	char what[240];
};

/*
 * clone3 into the namespaces in flags, fork-like (no shared memory, no separate
 * stack, which keeps it simple and ASan-friendly), and into cg's v2 cgroup where it has
 * one (cg may be NULL).  Returns 0 in the child; in the parent the child's pid, with a
 * pidfd for it in *ret_pidfd.  CLONE_NEWCGROUP is left to the child, which first joins
 * the rest of its cgroup.
 */
pid_t ns_clone(unsigned long flags, const struct cgroup_node *cg, int *ret_pidfd);
/*
 * The same into the v2 cgroup directory cgroup_fd (O_PATH; -1 for none), for a caller
 * whose paths no longer lead there (exec, inside the node's mount namespace).
 */
pid_t ns_clone_into(unsigned long flags, int cgroup_fd, int *ret_pidfd);
/* In the child: whether it was born in the cgroup asked for (else it must move there). */
bool ns_child_born_in_cgroup(void);

/* The child: joins cg, sets up the container and execs its command; never returns. */
_Noreturn void ns_child(const struct plan *p, const struct cgroup_node *cg, int sock);

/* Sends a message (with fd when fd >= 0) over the child pipe. */
int child_msg_send(int sock, const struct child_msg *m, int fd);
/* Receives one: 1 with *m (and *ret_fd or -1), 0 at end of stream, or -errno. */
int child_msg_recv(int sock, struct child_msg *m, int *ret_fd);
/* Reports a failure to the parent and exits with code: the child's last word. */
_Noreturn void child_fail(int sock, int code, int err, const char *what);

/*
 * Executes argv with env, looking argv[0] up along the environment's PATH.  Returns
 * only on failure, with the most telling -errno (EACCES over ENOENT, as execvp).
 */
int ns_exec(char *const argv[], char *const env[], const char *path);
