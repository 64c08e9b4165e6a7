/*
 * The terminal: the child opens a pty in the container's own /dev/pts, the parent puts
 * its terminal in raw mode and relays bytes and the window size.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

/* Child: opens /dev/pts/ptmx (the container's instance); master and slave fds. */
int tty_open_pty(int *ret_master, int *ret_slave, char *ret_name, size_t size);

struct tty_relay {
	int master; /* pty master, -1 when none */
	bool raw;   /* stdin's terminal was put in raw mode */
	struct termios saved;
	bool in_open;  /* stdin still readable */
	bool out_open; /* master still readable */
	bool hung_up;  /* the terminal went away: EOF or an error on stdin or stdout */
};

/* Parent: takes over master, puts stdin in raw mode, copies the window size. */
int tty_relay_start(struct tty_relay *t, int master);
/* Parent: copies stdin's window size to the pty (at start and on SIGWINCH). */
void tty_relay_winsize(struct tty_relay *t);
/*
 * Parent: moves what is readable; a side that is done is closed.  In raw mode stdin
 * ends only with its terminal (^D is a byte): EOF or EIO there, or a failed write to
 * stdout, sets hung_up.
 */
void tty_relay_input(struct tty_relay *t);
void tty_relay_output(struct tty_relay *t);
/* Parent: copies what is left on the master, restores the terminal, closes. */
void tty_relay_stop(struct tty_relay *t);
