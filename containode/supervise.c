#include "supervise.h"

#include "cleanup.h"
#include "log.h"
#include "monotime.h"

#include <errno.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How often a lost switch is looked for again. */
#define SUPERVISE_RETRY_MS 200

void
supervise_sigset(sigset_t *ret)
{
	sigemptyset(ret);
	sigaddset(ret, SIGINT);
	sigaddset(ret, SIGTERM);
	sigaddset(ret, SIGHUP);
	sigaddset(ret, SIGQUIT);
	sigaddset(ret, SIGWINCH);
	sigaddset(ret, SIGCHLD);
	/* A relay writing to a closed terminal gets EPIPE instead of dying. */
	sigaddset(ret, SIGPIPE);
}

/* The terminal went away: SIGHUP now, SIGKILL after the grace period. */
static void
supervise_hangup(struct supervisor *s, const char *why)
{
	if (s->hangup_kill_at)
		return;
	log_debug("%s: sending SIGHUP to the node", why);
	kill(s->pid, SIGHUP);
	s->hangup_kill_at = monotime_ms() + SUPERVISE_HANGUP_GRACE_MS;
}

static void
supervise_interrupt(struct supervisor *s)
{
	long long now = monotime_ms();

	if (s->last_interrupt && now - s->last_interrupt < SUPERVISE_INTERRUPT_MS) {
		log_warn("interrupted again: killing the node (SIGKILL)");
		kill(s->pid, SIGKILL);
		return;
	}
	s->last_interrupt = now;
	log_debug("forwarding signal %u", SIGINT);
	kill(s->pid, SIGINT);
}

static void
supervise_signal(struct supervisor *s)
{
	struct signalfd_siginfo si;

	while (read(s->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			/* A detached supervisor has no terminal to lose. */
			if (!s->detached)
				supervise_hangup(s, "hang-up");
			break;
		case SIGINT:
			supervise_interrupt(s);
			break;
		case SIGTERM:
		case SIGQUIT:
			log_debug("forwarding signal %u", si.ssi_signo);
			kill(s->pid, si.ssi_signo);
			break;
		case SIGWINCH:
			if (s->tty)
				tty_relay_winsize(s->tty);
			break;
		default:
			break;
		}
	}
}

/* A switch hung up (or sent something unasked for, which it never does). */
static void
supervise_conn(struct switchport *pt)
{
	char buf[256];
	ssize_t n = recv(pt->conn, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		log_debug("lost the switch at '%s', attaching '%s' again when it is back", pt->sock,
		          pt->ifname);
		switchport_detached(pt);
	}
}

/* The fixed slots, then one per port. */
enum {
	SLOT_PID,
	SLOT_SIG,
	SLOT_STDIN,
	SLOT_MASTER,
	SLOT_LOG,
	SLOT_PUBLISH,
	SLOT_CONN,
	SLOT_N = SLOT_CONN + PLAN_NET_MAX
};

/* What the node wrote, into its log; all of it when drain, else one read's worth. */
static void
supervise_log(struct supervisor *s, bool drain)
{
	char buf[65536];
	ssize_t n;

	do {
		n = read(s->log_fd, buf, sizeof(buf));
		if (n > 0)
			logs_sink_write(s->log, buf, (size_t)n);
	} while (drain && (n > 0 || (n < 0 && errno == EINTR)));
}

static bool
supervise_port_lost(const struct switchport *pt)
{
	return pt->sock && pt->conn < 0;
}

/* Fills the poll set; returns the timeout. */
static int
supervise_pollset(struct supervisor *s, struct pollfd *pfd)
{
	int timeout = -1;

	for (int i = 0; i < SLOT_N; i++)
		pfd[i] = (struct pollfd){ .fd = -1, .events = POLLIN };
	pfd[SLOT_PID].fd = s->pidfd;
	pfd[SLOT_SIG].fd = s->sigfd;
	pfd[SLOT_LOG].fd = s->log ? s->log_fd : -1;
	pfd[SLOT_PUBLISH].fd = s->publish ? publish_fd(s->publish) : -1;
	for (size_t i = 0; i < s->n_ports; i++) {
		pfd[SLOT_CONN + i].fd = s->ports[i].sock ? s->ports[i].conn : -1;
		if (supervise_port_lost(&s->ports[i]))
			timeout = SUPERVISE_RETRY_MS;
	}
	if (s->tty && s->tty->in_open)
		pfd[SLOT_STDIN].fd = STDIN_FILENO;
	if (s->tty && s->tty->out_open)
		pfd[SLOT_MASTER].fd = s->tty->master;
	if (s->hangup_kill_at > 0) {
		long long left = s->hangup_kill_at - monotime_ms();

		left = left < 0 ? 0 : left;
		if (timeout < 0 || left < timeout)
			timeout = left;
	}
	return timeout;
}

/* The grace period after a hang-up is over and the node is still there. */
static void
supervise_hangup_timer(struct supervisor *s)
{
	if (s->hangup_kill_at <= 0 || monotime_ms() < s->hangup_kill_at)
		return;
	log_warn("the node outlived its terminal by %d ms: killing it (SIGKILL)",
	         SUPERVISE_HANGUP_GRACE_MS);
	kill(s->pid, SIGKILL);
	s->hangup_kill_at = -1;
}

/* While any port is detached, one attempt per period, however busy the terminal is. */
static void
supervise_retry(struct supervisor *s, long long *next)
{
	long long now;
	bool lost = false;

	for (size_t i = 0; i < s->n_ports; i++)
		lost |= supervise_port_lost(&s->ports[i]);
	if (!lost)
		return;
	now = monotime_ms();
	if (now < *next)
		return;
	*next = now + SUPERVISE_RETRY_MS;
	for (size_t i = 0; i < s->n_ports; i++)
		if (supervise_port_lost(&s->ports[i]))
			(void)switchport_reattach(&s->ports[i]);
}

int
supervise_run(struct supervisor *s)
{
	struct pollfd pfd[SLOT_N];
	long long next_retry = 0;
	siginfo_t si = {};

	for (;;) {
		int timeout = supervise_pollset(s, pfd);
		int n = poll(pfd, SLOT_N, timeout);

		if (n < 0 && errno != EINTR)
			return -errno;
		supervise_retry(s, &next_retry);
		supervise_hangup_timer(s);
		if (n <= 0)
			continue;
		if (pfd[SLOT_SIG].revents)
			supervise_signal(s);
		for (size_t i = 0; i < s->n_ports; i++)
			if (pfd[SLOT_CONN + i].revents)
				supervise_conn(&s->ports[i]);
		if (pfd[SLOT_STDIN].revents)
			tty_relay_input(s->tty);
		if (pfd[SLOT_MASTER].revents)
			tty_relay_output(s->tty);
		if (pfd[SLOT_LOG].revents)
			supervise_log(s, false);
		if (pfd[SLOT_PUBLISH].revents)
			publish_dispatch(s->publish);
		if (s->tty && s->tty->hung_up)
			supervise_hangup(s, "the terminal is gone");
		if (pfd[SLOT_PID].revents)
			break;
	}
	if (s->log)
		supervise_log(s, true);
	if (waitid(P_PIDFD, s->pidfd, &si, WEXITED) < 0)
		return -errno;
	if (si.si_code == CLD_EXITED)
		return W_EXITCODE(si.si_status, 0);
	return W_EXITCODE(0, si.si_status);
}
