/*
 * The parent's life after the container started: one poll loop over the container's
 * pidfd, a signalfd (forwarded signals, SIGWINCH), the terminal relay and the switch
 * connections, one per port (each re-attached when its switch comes back).
 */
#pragma once

#include "logs.h"
#include "switchport.h"
#include "publish.h"
#include "tty.h"

#include <signal.h>
#include <sys/types.h>

struct supervisor {
	pid_t pid;
	int pidfd;
	int sigfd;
	struct switchport *ports; /* n_ports of them; those with no sock are on no switch */
	size_t n_ports;
	struct tty_relay *tty;    /* NULL without a terminal */
	long long hangup_kill_at; /* after a hang-up: when SIGKILL follows; 0 before, -1 after */
	long long last_interrupt; /* when the last SIGINT came, 0 for never */
	bool detached;            /* run -d: no terminal, SIGHUP means nothing */
	int log_fd;               /* detached: the node's stdout and stderr, -1 when none */
	struct logs_sink *log;    /* where they go */
	struct publish *publish;  /* -p: the relays, or NULL */
};

/* A node still there this long after its terminal went away is killed. */
#define SUPERVISE_HANGUP_GRACE_MS 2000
/* A second SIGINT within this time kills the node. */
#define SUPERVISE_INTERRUPT_MS 2000

/* The signals containode handles through its signalfd (blocked for the whole run). */
void supervise_sigset(sigset_t *ret);

/*
 * Runs until the container exits; returns its wait status, or -errno.  When the
 * terminal goes away (SIGHUP, or the relay's hung_up) the node gets SIGHUP, then SIGKILL
 * after the grace period: a shell that is PID 1 ignores SIGHUP.  A second SIGINT within
 * SUPERVISE_INTERRUPT_MS sends SIGKILL, with a word on stderr.
 */
int supervise_run(struct supervisor *s);
