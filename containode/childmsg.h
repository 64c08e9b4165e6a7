/*
 * The child pipe: a close-on-exec SOCK_SEQPACKET pair between containode and the
 * container child, one fixed-size message at a time (with an fd where one is handed
 * over).  The parent hands the child its network namespace; the child hands over the
 * tmpfs of its device nodes, its pty
 * fd, says it is ready, and on failure sends what failed as its last word; when its exec
 * succeeds the parent sees the pipe close.
 */
#pragma once

#include "setup.h"

enum child_msg_type {
	CHILD_NETNS, /* fd: the node's network namespace, from the parent */
	CHILD_DEVFS, /* fd: the device nodes' tmpfs, for the parent to close once the node runs */
	CHILD_PTY,   /* fd: the pty master, for the relay */
	CHILD_READY, /* setup done, waiting for the go byte */
	CHILD_ERROR, /* setup or exec failed: err, code and what */
};

struct child_msg {
	int type;
	int err;  /* positive errno */
	int code; /* the exit code containode should use */
	char what[SETUP_ERROR_MAX];
};

/* Sends a message (with fd when fd >= 0) over the child pipe. */
int child_msg_send(int sock, const struct child_msg *m, int fd);
/* Receives one: 1 with *m (and *ret_fd or -1), 0 at end of stream, or -errno. */
int child_msg_recv(int sock, struct child_msg *m, int *ret_fd);
/*
 * In the child: the ready pipe of a detached start (plan's ready_fd), on which
 * child_msg_fail also says that the start failed; -1 for none.
 */
void child_msg_set_ready(int fd);
/* Reports a failure to the parent and exits with code: the child's last word. */
_Noreturn void child_msg_fail(int sock, int code, int err, const char *what);
