#include "child.h"

#include "cgroup.h"
#include "childmsg.h"
#include "cleanup.h"
#include "devices.h"
#include "image.h"
#include "init.h"
#include "mounts.h"
#include "network.h"
#include "ns.h"
#include "security.h"
#include "setup.h"
#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* One fd of the given type from containode, in *ret_fd; what names it in the error. */
static int
child_receive(int sock, int type, int *ret_fd, const char *what, struct setup_error *e)
{
	struct child_msg m;
	int r, fd = -1;

	r = child_msg_recv(sock, &m, &fd);
	if (r <= 0 || m.type != type || fd < 0) {
		if (fd >= 0)
			close(fd);
		return setup_fail(e, r < 0 ? r : -EPIPE, "receive %s from containode", what);
	}
	*ret_fd = fd;
	return 0;
}

/*
 * The node's device nodes, taken while the host's /dev is still there; their tmpfs goes
 * to containode, whose close of it (an unmount, which waits for an RCU grace period) then
 * holds up no one.
 */
static int
child_make_devices(int sock, int devs[DEVICES_MAX], struct setup_error *e)
{
	_cleanup_close_ int fs = -1;
	int r;

	r = devices_make_nodes(devs, &fs, e);
	if (r < 0)
		return r;
	r = child_msg_send(sock, &(struct child_msg){ .type = CHILD_DEVFS }, fs);
	if (r < 0) {
		devices_close_nodes(devs);
		return setup_fail(e, r, "hand the device nodes' tmpfs to containode");
	}
	return 0;
}

/*
 * Into the network namespace that containode makes for the node meanwhile
 * (network_create): before /sys, which shows the network namespace of whoever mounts it,
 * and before the sysctls and addresses.
 */
static int
child_join_net(const struct plan *p, int sock, struct setup_error *e)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (p->host_net)
		return 0;
	r = child_receive(sock, CHILD_NETNS, &fd, "the network namespace", e);
	if (r < 0)
		return r;
	if (setns(fd, CLONE_NEWNET) < 0)
		return setup_fail(e, -errno, "enter the node's network namespace");
	return 0;
}

/* Mounts, devices, network namespace, terminal: the file system half of the setup. */
static int
child_setup_fs(const struct plan *p, int sock, int *ret_master, struct setup_error *e)
{
	_cleanup_close_ int master = -1, slave = -1;
	_cleanup_(mounts_volumes_close) struct mounts_volumes volumes = {};
	int devs[DEVICES_MAX];
	char pty[32];
	int r;

	r = child_make_devices(sock, devs, e);
	if (r < 0)
		return r;
	r = mounts_root(p, &volumes, e);
	if (r >= 0)
		r = devices_populate("/dev", devs, e);
	devices_close_nodes(devs);
	if (r >= 0)
		r = mounts_rest(p, e);
	/* What needs the network namespace, which containode makes meanwhile, comes last. */
	if (r >= 0)
		r = child_join_net(p, sock, e);
	if (r >= 0)
		r = mounts_finish(p, &volumes, e);
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
 * The mover's PID in the node's namespace: one the kernel hands out only after 298
 * others, so that the node's first process is PID 2 as if the mover had never been.
 * (An explicit PID leaves the namespace's next one as it was.)
 */
#define MOVER_PID 299

static pid_t
mover_clone(void)
{
	pid_t tid = MOVER_PID;
	struct clone_args args = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&tid,
		.set_tid_size = 1,
	};
	long pid = syscall(SYS_clone3, &args, sizeof(args));

	/* Without a PID namespace of its own (or where the PID is taken): any PID will do. */
	if (pid < 0)
		return fork();
	return (pid_t)pid;
}

/*
 * Into the node's cgroup, while the setup goes on: moving a process waits for an RCU
 * grace period (milliseconds), so a process of the child's own moves it (its parent: PID
 * 1 here) meanwhile, into all but the v2 directory it was born in (ns_clone).  Nothing of
 * the node runs before cgroup_join_finish, and the setup opens no device (it makes the
 * node's, and containode opens /dev/net/tun for the taps).  The v1 devices hierarchy is
 * left out when the allow-list would change nothing.  Returns the mover's pid, 0 when
 * there is nothing to move.
 */
static pid_t
cgroup_join_start(const struct plan *p, const struct cgroup_node *cg, struct setup_error *e)
{
	unsigned mask = ~0u;
	int fds[CGROUP_CONTROLLERS], n;
	pid_t pid;

	if (!devices_cgroup_needed(p))
		mask &= ~CGROUP_MASK(CGROUP_DEVICES);
	if (ns_child_born_in_cgroup())
		mask &= ~cgroup_node_unified_mask(cg);
	/* Opened here: the mover shares the mount namespace the setup is about to change. */
	n = cgroup_node_procs_open(cg, mask, fds);
	if (n < 0)
		return setup_fail(e, n, "open the node's cgroup '%s'", cgroup_node_path(cg));
	if (n == 0)
		return 0;
	pid = mover_clone();
	if (pid == 0) {
		int r = 0;

		for (int i = 0; i < n && r >= 0; i++)
			r = cgroup_procs_write(fds[i], getppid());
		_exit(-r & 0xff);
	}
	if (pid < 0)
		pid = setup_fail(e, -errno, "start joining the node's cgroup");
	for (int i = 0; i < n; i++)
		close(fds[i]);
	return pid;
}

/* Waits for the move; then a cgroup namespace rooted at the node's cgroup. */
static int
cgroup_join_finish(const struct plan *p, const struct cgroup_node *cg, pid_t mover,
                   struct setup_error *e)
{
	int status;

	if (mover > 0) {
		while (waitpid(mover, &status, 0) < 0)
			if (errno != EINTR)
				return setup_fail(e, -errno, "wait for joining the node's cgroup");
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			return setup_fail(e, WIFEXITED(status) ? -WEXITSTATUS(status) : -EINTR,
			                  "join the node's cgroup '%s'", cgroup_node_path(cg));
	}
	if ((plan_clone_flags(p) & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		return setup_fail(e, -errno, "create the cgroup namespace");
	return 0;
}

/* Rewrites the file that mounts.c bound over /etc/NAME, in place (the bind keeps its inode). */
static int
child_rewrite_etc(const char *name, const char *text, struct setup_error *e)
{
	char path[64];
	_cleanup_close_ int fd = -1;
	size_t len = strlen(text);

	snprintf(path, sizeof(path), "/run/containode/%s", name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return setup_fail(e, fd < 0 || errno ? -errno : -EIO, "write '%s'", path);
	return 0;
}

/*
 * What a switch handed out to each interface attached to it, which containode relays after
 * each attach, in the plan's order: the segment's MTU (unless mtu= chose one) and, for
 * ipv4=auto or ipv6=auto, the addresses, configured before the command runs, their name
 * servers (and the segment's domain, to search) into /etc/resolv.conf and the address into
 * /etc/hosts.  Taken
 * after the file system is ready, so that the attach (which saves the lease) overlaps
 * the mounts.
 */
static int
child_addresses(const struct plan *p, int sock, struct setup_error *e)
{
	/* The child's own copy of the plan (the clone shares no memory): its to complete. */
	struct plan *own = (struct plan *)p;
	char dns[CTL_DNS_MAX][CTL_ADDR_MAX], domain[CTL_DOMAIN_MAX] = "";
	size_t ndns = 0;
	bool any = false;
	int r;

	for (size_t i = 0; i < p->n_net; i++) {
		struct plan_net *n = &own->net[i];
		struct ctl_assign a;
		unsigned len;
		ssize_t got;

		if (!n->sock)
			continue;
		any |= n->v4_auto || n->v6_auto;
		do
			got = recv(sock, &a, sizeof(a), 0);
		while (got < 0 && errno == EINTR);
		if (got != (ssize_t)sizeof(a))
			return setup_fail(e, got < 0 ? -errno : -EPIPE,
			                  "receive the addresses of '%s' from containode",
			                  n->ifname);
		a.ipv4[sizeof(a.ipv4) - 1] = a.gateway[sizeof(a.gateway) - 1] = '\0';
		a.ipv6[sizeof(a.ipv6) - 1] = '\0';
		r = network_apply(n, &a, e);
		if (r < 0)
			return r;
		if (n->v4_auto && ctl_prefix_parse(a.ipv4, AF_INET, &n->v4, &len) == 0)
			n->v4_prefix = len;
		for (unsigned k = 0; k < a.ndns && k < CTL_DNS_MAX && ndns < CTL_DNS_MAX; k++) {
			a.dns[k][CTL_ADDR_MAX - 1] = '\0';
			strcpy(dns[ndns++], a.dns[k]);
		}
		/* The first switch that names a domain gives the one to search. */
		a.domain[CTL_DOMAIN_MAX - 1] = '\0';
		if (!domain[0] && a.ndns)
			strcpy(domain, a.domain);
	}
	if (!any)
		return 0;
	if (ndns) {
		_cleanup_free_ char *text =
		        plan_resolv_switch(domain, (const char(*)[CTL_ADDR_MAX])dns, ndns);

		r = text ? child_rewrite_etc("resolv.conf", text, e)
		         : setup_fail(e, -ENOMEM, "make /etc/resolv.conf");
		if (r < 0)
			return r;
	}
	{
		_cleanup_free_ char *hosts = plan_hosts(p);

		return hosts ? child_rewrite_etc("hosts", hosts, e)
		             : setup_fail(e, -ENOMEM, "make /etc/hosts");
	}
}

static int
child_setup(const struct plan *p, const struct cgroup_node *cg, int sock, struct setup_error *e)
{
	_cleanup_close_ int master = -1;
	struct child_msg ready = { .type = CHILD_READY };
	pid_t mover;
	int r;

	mover = cgroup_join_start(p, cg, e);
	if (mover < 0)
		return mover;
	if (sethostname(plan_hostname(p), strlen(plan_hostname(p))) < 0)
		return setup_fail(e, -errno, "set hostname '%s'", plan_hostname(p));
	r = child_setup_fs(p, sock, &master, e);
	if (r < 0)
		return r;
	r = cgroup_join_finish(p, cg, mover, e);
	if (r < 0)
		return r;
	r = image_enter_workdir(p, e);
	if (r < 0)
		return r;
	r = child_addresses(p, sock, e);
	if (r < 0)
		return r;
	r = security_apply(p, e);
	if (r < 0)
		return r;
	/* The parent's now: it must not reach the command. */
	if (master >= 0 &&
	    (r = child_msg_send(sock, &(struct child_msg){ .type = CHILD_PTY }, master)) < 0)
		return setup_fail(e, r, "hand the pty to containode");
	/*
	 * Only where the parent has its side to do before the command starts (the pty's
	 * relay): otherwise the exec (or a failure) is all it waits for, and waking it up in
	 * between would only take the CPU from this setup.  (The switches' attaches need no
	 * round trip: child_addresses waited for each.)
	 */
	if (!p->tty)
		return 0;
	r = child_msg_send(sock, &ready, -1);
	if (r < 0)
		return setup_fail(e, r, "report to containode");
	return 0;
}

/* Closes every fd from 3 up but a and b (-1: none). */
static void
close_fds_but(int a, int b)
{
	int keep[2] = { a < b ? a : b, a < b ? b : a };
	unsigned from = 3;

	for (size_t i = 0; i < 2; i++) {
		if (keep[i] < 3)
			continue;
		if ((unsigned)keep[i] > from)
			(void)syscall(SYS_close_range, from, keep[i] - 1, 0);
		from = keep[i] + 1;
	}
	(void)syscall(SYS_close_range, from, ~0u, 0);
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
child_run(const struct plan *p, const struct cgroup_node *cg, int sock)
{
	struct setup_error e = {};
	int r;

	/* Killed with containode, even by SIGKILL; no core or ptrace while still privileged. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 0);
	/* Detached: the log's pipe is the node's stdout and stderr, nothing its stdin. */
	if (p->stdio_fd >= 0 &&
	    (dup2(p->stdio_fd, STDOUT_FILENO) < 0 || dup2(p->stdio_fd, STDERR_FILENO) < 0))
		child_msg_fail(sock, EXIT_LAUNCHER, errno, "make the log stdout and stderr");
	/*
	 * Nothing of the parent's but the pipe (and a detached start's ready pipe): not its
	 * signalfd or switch connection, nor what containode's caller left open.  (The init
	 * never execs, so close-on-exec would not be enough there.)
	 */
	close_fds_but(sock, p->ready_fd);
	child_msg_set_ready(p->ready_fd);
	reset_signals();
	umask(022);
	r = child_setup(p, cg, sock, &e);
	if (r < 0)
		child_msg_fail(sock, EXIT_LAUNCHER, r, e.what);
	/* With nothing handed over, the parent has nothing to do: no round trip to wait. */
	if (p->tty && !child_wait_go(sock))
		_exit(EXIT_LAUNCHER);
	/* A session of its own: no way back to containode's terminal (TIOCSTI and the like). */
	if (setsid() < 0)
		child_msg_fail(sock, EXIT_LAUNCHER, errno, "start a session");
	if (p->tty && !p->init && ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
		child_msg_fail(sock, EXIT_LAUNCHER, errno, "make the pty the controlling terminal");
	r = security_close_fds();
	if (r < 0)
		child_msg_fail(sock, EXIT_LAUNCHER, r, "close inherited file descriptors");
	if (p->init)
		init_run(p, sock);
	r = ns_exec(p->argv, p->env, plan_env_get(p, "PATH"));
	snprintf(e.what, sizeof(e.what), "exec '%s'", p->argv[0]);
	child_msg_fail(sock, plan_exec_exit_code(r), r, e.what);
}
