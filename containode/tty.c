#include "tty.h"

#include "cleanup.h"
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int
tty_open_pty(int *ret_master, int *ret_slave, char *ret_name, size_t size)
{
	_cleanup_close_ int master = -1, slave = -1;
	int unlock = 0, n;

	/* The container's devpts instance, so the pty belongs to it and shows in its /dev/pts. */
	master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return -errno;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0)
		return -errno;
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return -errno;
	snprintf(ret_name, size, "/dev/pts/%d", n);
	*ret_master = TAKE_FD(master);
	*ret_slave = TAKE_FD(slave);
	return 0;
}

int
tty_relay_start(struct tty_relay *t, int master)
{
	struct termios raw;

	*t = (struct tty_relay){ .master = master, .in_open = true, .out_open = true };
	tty_relay_winsize(t);
	if (tcgetattr(STDIN_FILENO, &t->saved) < 0)
		return -errno;
	raw = t->saved;
	cfmakeraw(&raw);
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) < 0)
		return -errno;
	t->raw = true;
	return 0;
}

void
tty_relay_winsize(struct tty_relay *t)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		(void)ioctl(t->master, TIOCSWINSZ, &ws);
}

void
tty_relay_input(struct tty_relay *t)
{
	char buf[4096];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		t->in_open = false;
		t->hung_up = true;
	} else if (write_all(t->master, buf, n) < 0) {
		t->in_open = false;
	}
}

void
tty_relay_output(struct tty_relay *t)
{
	char buf[4096];
	ssize_t n = read(t->master, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	/* EIO: every slave is closed, the container is done with the terminal. */
	if (n <= 0) {
		t->out_open = false;
	} else if (write_all(STDOUT_FILENO, buf, n) < 0) {
		t->out_open = false;
		t->hung_up = true;
	}
}

void
tty_relay_stop(struct tty_relay *t)
{
	if (t->master >= 0) {
		/* What the command wrote just before it exited is still in the pty. */
		(void)fcntl(t->master, F_SETFL, fcntl(t->master, F_GETFL) | O_NONBLOCK);
		while (t->out_open) {
			char buf[4096];
			ssize_t n = read(t->master, buf, sizeof(buf));

			if (n <= 0 || write_all(STDOUT_FILENO, buf, n) < 0)
				break;
		}
		t->master = safe_close(t->master);
	}
	if (t->raw)
		(void)tcsetattr(STDIN_FILENO, TCSADRAIN, &t->saved);
	t->raw = false;
}
