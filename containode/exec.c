/*
 * `containode exec`: a command in a running detached node, with what the node's own
 * command has and never more: every namespace of the node (setns through a pidfd, all at
 * once), its cgroup, its capabilities, no_new_privs and seccomp filter (security.c, from
 * what state.json keeps of the plan), its user unless -u says otherwise, and a pty in
 * the node's /dev/pts with -t.  containode stays the command's parent and relays the
 * terminal and signals as in the foreground form (supervise.c).
 */
#include "cgroup.h"
#include "cleanup.h"
#include "fileio.h"
#include "life.h"
#include "log.h"
#include "ns.h"
#include "passwd.h"
#include "proc.h"
#include "security.h"
#include "setup.h"
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* clang-format off */
static const char exec_usage[] =
	"Usage: containode exec [OPTION]... ID CMD [ARG]...\n"
	"Run CMD in the running node ID: its namespaces, cgroup, capabilities, no_new_privs\n"
	"and seccomp filter.  The exit status is CMD's (128+N when killed by signal N).\n"
	"  -i, --interactive     keep stdin (without it CMD reads nothing)\n"
	"  -t, --tty             a terminal (a pty of the node) as in the foreground form;\n"
	"                        with -i, stdin must be a terminal\n"
	"  -u, --user=USER[:GRP] run as USER (name or uid), resolved in the node's files\n"
	"                        (default: the node's own user)\n"
	"  -w, --workdir=DIR     working directory (default: the node's)\n"
	"  -e, --env=K=V         set K in the environment (repeatable)\n"
	"      --state-dir=DIR   the nodes' states (default $CONTAINODE_STATE or " STATE_DIR_DEFAULT ")\n";
/* clang-format on */

struct exec_options {
	bool interactive, tty;
	const char *user, *cwd;
	const char *env[PLAN_ENV_MAX];
	size_t n_env;
};

/* The namespaces to join: those of the node that are not already ours. */
static int
exec_ns_flags(pid_t pid)
{
	static const struct {
		const char *name;
		int flag;
	} ns[] = {
		{ "user", CLONE_NEWUSER },     { "mnt", CLONE_NEWNS },  { "uts", CLONE_NEWUTS },
		{ "ipc", CLONE_NEWIPC },       { "net", CLONE_NEWNET }, { "pid", CLONE_NEWPID },
		{ "cgroup", CLONE_NEWCGROUP },
	};
	int flags = 0;

	for (size_t i = 0; i < sizeof(ns) / sizeof(*ns); i++) {
		char path[64];
		struct stat a, b;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns[i].name);
		if (stat(path, &a) < 0)
			return -errno;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i].name);
		if (stat(path, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
			flags |= ns[i].flag;
	}
	return flags;
}

/* The node's environment with -e over it, into p. */
static int
exec_env(struct plan *p, const struct node_state *s, const struct exec_options *o)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && s->env[i]; i++)
		r = plan_env_set(p, s->env[i], NULL);
	for (size_t i = 0; r >= 0 && i < o->n_env; i++)
		r = plan_env_set(p, o->env[i], getenv(o->env[i]));
	return r;
}

/* -u resolved in the node's /etc/passwd and /etc/group (we are in its mount namespace). */
static int
exec_user(struct plan *p, const char *spec)
{
	_cleanup_free_ char *passwd = NULL, *group = NULL, *error = NULL;
	size_t plen = 0, glen = 0;
	struct passwd_user u;
	int r;

	if (read_file_at(AT_FDCWD, "/etc/passwd", 4 << 20, &passwd, &plen) < 0)
		plen = 0;
	if (read_file_at(AT_FDCWD, "/etc/group", 4 << 20, &group, &glen) < 0)
		glen = 0;
	r = passwd_resolve(spec, passwd ? passwd : "", plen, group ? group : "", glen, &u, &error);
	if (r < 0) {
		log_error("-u %s: %s", spec, error ? error : strerror(-r));
		return r;
	}
	free(p->groups);
	p->groups = u.groups;
	p->n_groups = u.n_groups;
	u.groups = NULL;
	p->have_user = true;
	p->uid = u.uid;
	p->gid = u.gid;
	passwd_user_done(&u);
	return 0;
}

/*
 * The node's cgroups as exec joins them: born in the v2 one (its directory, opened while
 * the host's paths still lead there), moved into the v1 ones by their cgroup.procs.
 */
struct exec_cgroups {
	int v2_dir;   /* O_PATH, for CLONE_INTO_CGROUP; -1 when the node has none */
	int v2_procs; /* for a kernel that cannot clone into it */
	int procs[STATE_CGROUPS_MAX];
	size_t n_procs;
};

static void
exec_cgroups_close(struct exec_cgroups *c)
{
	c->v2_dir = safe_close(c->v2_dir);
	c->v2_procs = safe_close(c->v2_procs);
	while (c->n_procs)
		close(c->procs[--c->n_procs]);
}

/* Moves the calling child into what it was not born in. */
static int
exec_cgroups_join(const struct exec_cgroups *c)
{
	if (c->v2_procs >= 0 && !ns_child_born_in_cgroup() && write(c->v2_procs, "0", 1) != 1)
		return -errno;
	for (size_t i = 0; i < c->n_procs; i++)
		if (write(c->procs[i], "0", 1) != 1)
			return -errno;
	return 0;
}

/* The command's side, after the fork: cgroup, terminal, directory, privileges, exec. */
static _Noreturn void
exec_child(const struct plan *p, char **argv, const struct exec_cgroups *cgroups, int slave,
           bool interactive)
{
	struct setup_error e = {};
	sigset_t none;
	int r;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	r = exec_cgroups_join(cgroups);
	if (r < 0) {
		log_error_errno(r, "join the node's cgroup");
		_exit(EXIT_LAUNCHER);
	}
	(void)setsid();
	if (slave >= 0) {
		if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0 ||
		    ioctl(0, TIOCSCTTY, 0) < 0) {
			log_error_errno(errno, "make the pty the controlling terminal");
			_exit(EXIT_LAUNCHER);
		}
	} else if (!interactive) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (null < 0 || dup2(null, 0) < 0) {
			log_error_errno(errno, "open /dev/null");
			_exit(EXIT_LAUNCHER);
		}
	}
	if (chdir(p->cwd ? p->cwd : "/") < 0) {
		log_error_errno(errno, "change to directory '%s'", p->cwd);
		_exit(EXIT_LAUNCHER);
	}
	r = security_apply(p, &e);
	if (r >= 0)
		r = security_close_fds();
	if (r < 0) {
		log_error_errno(r, "%s", e.what[0] ? e.what : "close inherited file descriptors");
		_exit(EXIT_LAUNCHER);
	}
	r = ns_exec(argv, p->env, plan_env_get(p, "PATH"));
	log_error_errno(r, "exec '%s'", argv[0]);
	_exit(plan_exec_exit_code(r));
}

/*
 * Back to the host's mounts and PIDs once the command is forked (or failed before):
 * what we still do (a sanitizer at exit reads /proc/self and clones a tracer) must not
 * see the node's /proc nor start anything in its PID namespace.
 */
static void
exec_return(int hostmnt, int hostpid, bool *joined)
{
	if (!*joined)
		return;
	*joined = false;
	if (setns(hostmnt, CLONE_NEWNS) < 0 || setns(hostpid, CLONE_NEWPID) < 0)
		log_warn_errno(errno, "return to the host's namespaces, ignoring");
}

/* Whether pid is listed in the cgroup.procs file at path. */
static bool
exec_node_in(const char *path, pid_t pid)
{
	_cleanup_free_ char *text = NULL;
	char want[32];
	size_t len;

	if (read_file_at(AT_FDCWD, path, 1 << 22, &text, NULL) < 0)
		return false;
	len = (size_t)snprintf(want, sizeof(want), "%d\n", (int)pid);
	for (const char *line = text; line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (strncmp(line, want, len) == 0)
			return true;
	return false;
}

/* Joins the node and runs the command: its exit code. */
static int
exec_run(const struct node_state *s, const struct exec_options *o, char **argv)
{
	_cleanup_close_ int pidfd = -1, master = -1, slave = -1, hostmnt = -1, hostpid = -1;
	struct tty_relay tty = { .master = -1 };
	struct supervisor sv = { .pidfd = -1, .sigfd = -1, .log_fd = -1 };
	_cleanup_free_ char *error = NULL;
	struct exec_cgroups cg = { .v2_dir = -1, .v2_procs = -1 };
	struct plan p;
	char pty[32];
	int flags, r, code = EXIT_LAUNCHER, status;
	bool joined = false;
	sigset_t set;
	uint64_t start;

	plan_init(&p);
	p.caps = s->caps;
	p.privileged = s->privileged;
	p.seccomp = s->seccomp;
	p.have_user = s->have_user;
	p.uid = s->uid;
	p.gid = s->gid;
	p.cwd = o->cwd ? o->cwd : s->cwd;
	if (s->n_groups && (p.groups = calloc(s->n_groups, sizeof(*p.groups)))) {
		memcpy(p.groups, s->groups, s->n_groups * sizeof(*p.groups));
		p.n_groups = s->n_groups;
	}
	if (exec_env(&p, s, o) < 0) {
		log_error("-e: invalid or too many variables");
		code = EXIT_USAGE;
		goto out;
	}
	/* The filter is built from the host's profile, before leaving the host's mounts. */
	r = security_seccomp_prepare(&p, &error);
	if (r < 0) {
		log_error("%s", error ? error : strerror(-r));
		goto out;
	}
	pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
	if (pidfd < 0 || proc_start(s->pid, &start) < 0 || start != s->pid_start) {
		log_error("node '%s' is not running", s->id);
		goto out;
	}
	for (size_t i = 0; i < s->n_cgroups; i++) {
		bool v2 = s->cgroups[i].version == CGROUP_V2 && cg.v2_dir < 0;
		char path[PATH_MAX];
		int fd;

		snprintf(path, sizeof(path), "%s/cgroup.procs", s->cgroups[i].path);
		/* Only those the node is in: a v1 devices cgroup may be left out (child.c). */
		if (!exec_node_in(path, s->pid))
			continue;
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || (v2 && (cg.v2_dir = open(s->cgroups[i].path,
		                                       O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)) {
			log_error_errno(errno, "open '%s'", fd < 0 ? path : s->cgroups[i].path);
			if (fd >= 0)
				close(fd);
			goto out;
		}
		if (v2)
			cg.v2_procs = fd;
		else
			cg.procs[cg.n_procs++] = fd;
	}
	flags = exec_ns_flags(s->pid);
	hostmnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	hostpid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (hostmnt < 0 || hostpid < 0) {
		log_error_errno(errno, "open our own namespaces");
		goto out;
	}
	if (flags < 0 || setns(pidfd, flags) < 0) {
		log_error_errno(flags < 0 ? flags : errno, "join the namespaces of node '%s'",
		                s->id);
		goto out;
	}
	joined = true;
	/* Nothing of the node may ptrace or look into what is still privileged here. */
	prctl(PR_SET_DUMPABLE, 0);
	if (o->user && exec_user(&p, o->user) < 0)
		goto out;
	if (o->tty && (r = tty_open_pty(&master, &slave, pty, sizeof(pty))) < 0) {
		log_error_errno(r, "open a pty in the node's /dev/pts");
		goto out;
	}
	supervise_sigset(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sv.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sv.sigfd < 0) {
		log_error_errno(errno, "set up signal handling");
		goto out;
	}
	/* Born in the node's v2 cgroup: a move would wait for an RCU grace period. */
	sv.pid = ns_clone_into(0, cg.v2_dir, &sv.pidfd);
	if (sv.pid < 0) {
		log_error_errno(sv.pid, "start the command");
		goto out;
	}
	if (sv.pid == 0)
		exec_child(&p, argv, &cg, slave, o->interactive);
	exec_return(hostmnt, hostpid, &joined);
	slave = safe_close(slave);
	if (master >= 0) {
		if (tty_relay_start(&tty, TAKE_FD(master)) < 0)
			log_debug("stdin is not a terminal: no raw mode");
		/* Without -i the command gets no input: stdin's end must not hang it up. */
		if (!o->interactive)
			tty.in_open = false;
		sv.tty = &tty;
	}
	status = supervise_run(&sv);
	tty_relay_stop(&tty);
	code = status < 0 ? EXIT_LAUNCHER : plan_exit_code(status);
out:
	exec_return(hostmnt, hostpid, &joined);
	exec_cgroups_close(&cg);
	if (sv.sigfd >= 0)
		close(sv.sigfd);
	if (sv.pidfd >= 0)
		close(sv.pidfd);
	security_seccomp_release(&p);
	plan_free(&p);
	return code;
}

int
exec_main(const char *state_dir, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interactive", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "user", required_argument, NULL, 'u' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "env", required_argument, NULL, 'e' },
		{ "state-dir", required_argument, NULL, LIFE_OPT_STATE_DIR },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct exec_options o = {};
	struct node_state s;
	enum state_status st;
	int c, code;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:itu:w:e:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o.interactive = true;
			break;
		case 't':
			o.tty = true;
			break;
		case 'u':
			if (!plan_user_valid(optarg))
				return log_usage_error("exec: -u: invalid user '%s'", optarg),
				       EXIT_USAGE;
			o.user = optarg;
			break;
		case 'w':
			if (optarg[0] != '/')
				return log_usage_error("exec: -w: not an absolute path: '%s'",
				                       optarg),
				       EXIT_USAGE;
			o.cwd = optarg;
			break;
		case 'e':
			if (o.n_env >= PLAN_ENV_MAX || !*optarg || *optarg == '=')
				return log_usage_error("exec: -e: invalid or too many variables at "
				                       "'%s'",
				                       optarg),
				       EXIT_USAGE;
			o.env[o.n_env++] = optarg;
			break;
		case LIFE_OPT_STATE_DIR:
			state_dir = optarg;
			break;
		case 'h':
			fputs(exec_usage, stdout);
			return 0;
		case ':':
			return log_usage_error("exec: option '%s' needs an argument",
			                       argv[optind - 1]),
			       EXIT_USAGE;
		default:
			return log_usage_error("exec: unrecognized option '%s'", argv[optind - 1]),
			       EXIT_USAGE;
		}
	}
	if (argc - optind < 2)
		return log_usage_error("exec: give the node and the command (ID CMD...)"),
		       EXIT_USAGE;
	/* As Docker: the pty would wait for a terminal's input that never comes. */
	if (o.interactive && o.tty && !isatty(STDIN_FILENO)) {
		log_error("the input device is not a TTY");
		return 1;
	}
	if (life_load(life_state_dir(state_dir), argv[optind], &s, NULL) < 0)
		return EXIT_LAUNCHER;
	st = life_status(&s);
	if (st != STATE_RUNNING) {
		log_error("node '%s' is %s: exec needs a running node", s.id,
		          state_status_name(st));
		code = EXIT_LAUNCHER;
	} else {
		code = exec_run(&s, &o, argv + optind + 1);
	}
	state_free(&s);
	return code;
}
