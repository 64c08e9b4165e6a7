#include "namespaces.h"

#include "cgroup.h"
#include "cleanup.h"
#include "devices.h"
#include "fdpass.h"
#include "image.h"
#include "init.h"
#include "mounts.h"
#include "network.h"
#include "security.h"
#include "tty.h"

#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int
setup_fail(struct setup_error *e, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->what, sizeof(e->what), fmt, ap);
	va_end(ap);
	return r;
}

pid_t
ns_clone(unsigned long flags, int *ret_pidfd)
{
	int pidfd = -1;
	struct clone_args args = {
		/* The child unshares its cgroup namespace itself, once in its own cgroup. */
		.flags = (flags & ~(unsigned long)CLONE_NEWCGROUP) | CLONE_PIDFD,
		.pidfd = (uintptr_t)&pidfd,
		.exit_signal = SIGCHLD,
	};
	long pid;

	/* Buffered output would otherwise be written twice. */
	fflush(NULL);
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0)
		return -errno;
	if (pid > 0)
		*ret_pidfd = pidfd;
	return pid;
}

int
child_msg_send(int sock, const struct child_msg *m, int fd)
{
	return fdpass_send(sock, m, sizeof(*m), fd);
}

int
child_msg_recv(int sock, struct child_msg *m, int *ret_fd)
{
	ssize_t n;

	n = fdpass_recv(sock, m, sizeof(*m), ret_fd);
	if (n < 0)
		return n;
	if (n == 0)
		return 0;
	if ((size_t)n != sizeof(*m)) {
		if (*ret_fd >= 0)
			*ret_fd = safe_close(*ret_fd);
		return -EBADMSG;
	}
	m->what[sizeof(m->what) - 1] = '\0';
	return 1;
}

_Noreturn void
child_fail(int sock, int code, int err, const char *what)
{
	struct child_msg m = { .type = CHILD_ERROR, .err = err < 0 ? -err : err, .code = code };

	snprintf(m.what, sizeof(m.what), "%s", what);
	(void)child_msg_send(sock, &m, -1);
	_exit(code);
}

int
ns_exec(char *const argv[], char *const env[], const char *path)
{
	const char *cursor = NULL;
	char buf[4096];
	int r = -ENOENT;

	while (plan_path_next(argv[0], path, &cursor, buf, sizeof(buf))) {
		execve(buf, argv, env);
		/* As execvp: keep looking after these, remember that one was not allowed. */
		if (errno == EACCES)
			r = -EACCES;
		else if (errno != ENOENT && errno != ENOTDIR)
			return -errno;
	}
	return r;
}

/* A signal handler or mask inherited from whoever started containode must not leak. */
static void
reset_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Mounts, devices, terminal: the file system half of the setup. */
static int
child_setup_fs(const struct plan *p, int *ret_master, struct setup_error *e)
{
	_cleanup_close_ int master = -1, slave = -1;
	_cleanup_(mounts_volumes_close) struct mounts_volumes volumes = {};
	int devs[DEVICES_MAX];
	char pty[32];
	int r;

	/* Taken while the host's /dev is still there, attached once the new /dev is. */
	r = devices_open_host(devs, e);
	if (r < 0)
		return r;
	r = mounts_root(p, &volumes, e);
	if (r >= 0)
		r = devices_populate("/dev", devs, e);
	devices_close_host(devs);
	if (r < 0)
		return r;
	r = mounts_rest(p, &volumes, e);
	if (r < 0)
		return r;
	if (p->tty) {
		r = tty_open_pty(&master, &slave, pty, sizeof(pty));
		if (r < 0)
			return setup_fail(e, r, "open a pty in the container's /dev/pts");
		r = devices_bind_console("/dev", pty, e);
		if (r < 0)
			return r;
		if (dup2(slave, STDIN_FILENO) < 0 || dup2(slave, STDOUT_FILENO) < 0 ||
		    dup2(slave, STDERR_FILENO) < 0)
			return setup_fail(e, -errno, "make the pty stdin, stdout and stderr");
	}
	*ret_master = TAKE_FD(master);
	return 0;
}

/*
 * Into the node's cgroup before anything else, so that its device allow-list holds for
 * all the setup does; then a cgroup namespace rooted there.
 */
static int
child_join_cgroup(const struct plan *p, const struct cgroup_node *cg, struct setup_error *e)
{
	int r;

	r = cgroup_node_join(cg);
	if (r < 0)
		return setup_fail(e, r, "join the node's cgroup '%s'", cgroup_node_path(cg));
	if ((plan_clone_flags(p) & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		return setup_fail(e, -errno, "create the cgroup namespace");
	return 0;
}

static int
child_setup(const struct plan *p, const struct cgroup_node *cg, int sock, struct setup_error *e)
{
	_cleanup_close_ int master = -1;
	struct child_msg ready = { .type = CHILD_READY };
	int taps[PLAN_NET_MAX];
	int r;

	r = child_join_cgroup(p, cg, e);
	if (r < 0)
		return r;
	r = network_setup(p, taps, e);
	if (r < 0)
		return r;
	/* Handed over at once, in the plan's order: the parent attaches them meanwhile. */
	for (size_t i = 0; i < PLAN_NET_MAX; i++) {
		if (r >= 0 && taps[i] >= 0 &&
		    (r = child_msg_send(sock, &(struct child_msg){ .type = CHILD_TAP }, taps[i])) < 0)
			setup_fail(e, r, "hand tap '%s' to containode", p->net[i].ifname);
		taps[i] = safe_close(taps[i]);
	}
	if (r < 0)
		return r;
	if (sethostname(plan_hostname(p), strlen(plan_hostname(p))) < 0)
		return setup_fail(e, -errno, "set hostname '%s'", plan_hostname(p));
	r = child_setup_fs(p, &master, e);
	if (r < 0)
		return r;
	r = image_enter_workdir(p, e);
	if (r < 0)
		return r;
	r = security_apply(p, e);
	if (r < 0)
		return r;
	/* The parent's now: it must not reach the command. */
	if (master >= 0 &&
	    (r = child_msg_send(sock, &(struct child_msg){ .type = CHILD_PTY }, master)) < 0)
		return setup_fail(e, r, "hand the pty to containode");
	r = child_msg_send(sock, &ready, -1);
	if (r < 0)
		return setup_fail(e, r, "report to containode");
	return 0;
}

/* Blocks until the parent has done its side: true for "go", false when it is gone. */
static bool
child_wait_go(int sock)
{
	char go;
	ssize_t n;

	do
		n = recv(sock, &go, 1, 0);
	while (n < 0 && errno == EINTR);
	return n == 1;
}

_Noreturn void
ns_child(const struct plan *p, const struct cgroup_node *cg, int sock)
{
	struct setup_error e = {};
	int r;

	/* Killed with containode, even by SIGKILL; no core or ptrace while still privileged. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 0);
	/* Detached: the log's pipe is the node's stdout and stderr, nothing its stdin. */
	if (p->stdio_fd >= 0 && (dup2(p->stdio_fd, STDOUT_FILENO) < 0 ||
				 dup2(p->stdio_fd, STDERR_FILENO) < 0))
		child_fail(sock, EXIT_LAUNCHER, errno, "make the log stdout and stderr");
	/*
	 * Nothing of the parent's but the pipe: not its signalfd or switch connection, nor
	 * what containode's caller left open.  (The init never execs, so close-on-exec
	 * would not be enough there.)
	 */
	if (sock > 3)
		(void)syscall(SYS_close_range, 3, sock - 1, 0);
	(void)syscall(SYS_close_range, sock + 1, ~0u, 0);
	reset_signals();
	umask(022);
	r = child_setup(p, cg, sock, &e);
	if (r < 0)
		child_fail(sock, EXIT_LAUNCHER, r, e.what);
	/* With nothing handed over, the parent has nothing to do: no round trip to wait. */
	if ((p->tty || network_wants_tap(p)) && !child_wait_go(sock))
		_exit(EXIT_LAUNCHER);
	/* A session of its own: no way back to containode's terminal (TIOCSTI and the like). */
	if (setsid() < 0)
		child_fail(sock, EXIT_LAUNCHER, errno, "start a session");
	if (p->tty && !p->init && ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
		child_fail(sock, EXIT_LAUNCHER, errno, "make the pty the controlling terminal");
	r = security_close_fds();
	if (r < 0)
		child_fail(sock, EXIT_LAUNCHER, r, "close inherited file descriptors");
	if (p->init)
		init_run(p, sock);
	r = ns_exec(p->argv, p->env, plan_env_get(p, "PATH"));
	snprintf(e.what, sizeof(e.what), "exec '%s'", p->argv[0]);
	child_fail(sock, plan_exec_exit_code(r), r, e.what);
}
