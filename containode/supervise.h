/*
 * The parent's life after the container started: one poll loop over the container's
 * pidfd, a signalfd (forwarded signals, SIGWINCH), the terminal relay and the switch
 * connections, one per port (each re-attached when its switch comes back).
 */
#pragma once

#include "port.h"
#include "tty.h"

#include <signal.h>
#include <sys/types.h>

struct supervisor {
	pid_t pid;
	int pidfd;
	int sigfd;
	struct port *ports; /* n_ports of them; those with no sock are on no switch */
	size_t n_ports;
	struct tty_relay *tty; /* NULL without a terminal */
};

/* The signals containode handles through its signalfd (blocked for the whole run). */
void supervise_sigset(sigset_t *ret);

/* Runs until the container exits; returns its wait status, or -errno. */
int supervise_run(struct supervisor *s);
