#include "life.h"

#include "cleanup.h"
#include "fileio.h"
#include "json.h"
#include "log.h"
#include "monotime.h"
#include "parse.h"
#include "proc.h"
#include "rmtree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long rm -f and stop wait for a supervisor to finish once its node is gone. */
#define LIFE_SUPERVISOR_WAIT_MS 5000
/* How long pause and resume wait for the cgroup to say it is (un)frozen. */
#define LIFE_FREEZE_WAIT_MS 2000

/* Logs "what failed: why" once and hands r back. */
static int fail(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(int r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_error_errno(r, "%s", buf);
	return r;
}

const char *
life_state_dir(const char *option)
{
	const char *env = getenv("CONTAINODE_STATE");

	if (option)
		return option;
	return env && *env ? env : STATE_DIR_DEFAULT;
}

/* Whether the node's supervisor is still the process it was. */
static bool
life_supervisor_alive(const struct node_state *s)
{
	return proc_is(s->supervisor, s->supervisor_start);
}

/* The node's v2 directory (cgroup.kill, cgroup.freeze), or NULL. */
static const char *
life_unified(const struct node_state *s)
{
	for (size_t i = 0; i < s->n_cgroups; i++)
		if (s->cgroups[i].version == CGROUP_V2)
			return s->cgroups[i].path;
	return NULL;
}

/* The node's v1 freezer directory (freezer.state), there only when it has no v2 one. */
static const char *
life_freezer(const struct node_state *s)
{
	for (size_t i = 0; i < s->n_cgroups; i++)
		if (s->cgroups[i].version == CGROUP_V1 &&
		    (s->cgroups[i].controllers & CGROUP_MASK(CGROUP_FREEZER)))
			return s->cgroups[i].path;
	return NULL;
}

static int
cgroup_file_write(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	size_t len = strlen(text);

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		return -errno;
	return 0;
}

/* "frozen 1" in v2's cgroup.events, or "FROZEN" in v1's freezer.state. */
static bool
life_frozen(const char *dir, bool v1)
{
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
	                     v1 ? "freezer.state" : "cgroup.events") >= sizeof(path) ||
	    read_file_at(AT_FDCWD, path, 4096, &text, NULL) < 0)
		return false;
	return v1 ? strncmp(text, "FROZEN", 6) == 0 : strstr(text, "frozen 1") != NULL;
}

/*
 * Freezes or thaws the node with whichever freezer it has, and waits until the cgroup says
 * it is done (v1 passes through FREEZING while a task resists); -EOPNOTSUPP without one.
 */
static int
life_freeze(const struct node_state *s, bool freeze)
{
	const char *v2 = life_unified(s), *v1 = v2 ? NULL : life_freezer(s);
	const char *dir = v2 ?: v1;
	int r;

	if (!dir)
		return -EOPNOTSUPP;
	r = v2 ? cgroup_file_write(v2, "cgroup.freeze", freeze ? "1" : "0")
	       : cgroup_file_write(v1, "freezer.state", freeze ? "FROZEN" : "THAWED");
	if (r < 0)
		return r;
	for (int i = 0; i < LIFE_FREEZE_WAIT_MS / 5 && life_frozen(dir, v1) != freeze; i++) {
		/* v1 retries a freeze only when asked again. */
		if (v1 && freeze)
			(void)cgroup_file_write(v1, "freezer.state", "FROZEN");
		poll(NULL, 0, 5);
	}
	return life_frozen(dir, v1) == freeze ? 0 : -ETIMEDOUT;
}

enum state_status
life_status(const struct node_state *s)
{
	const char *v2, *v1;

	if (s->status == STATE_EXITED)
		return STATE_EXITED;
	if (!life_supervisor_alive(s))
		return STATE_DEAD;
	v2 = life_unified(s);
	v1 = v2 ? NULL : life_freezer(s);
	return (v2 && life_frozen(v2, false)) || (v1 && life_frozen(v1, true)) ? STATE_PAUSED
	                                                                       : STATE_RUNNING;
}

/* --- the state directory --- */

static int
names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The identities in the state directory, sorted; n in *ret_n. */
static int
life_list(int dirfd, char ***ret, size_t *ret_n)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, cap = 0;
	int fd = dup(dirfd);

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (!ident_valid(de->d_name) || de->d_type != DT_DIR)
			continue;
		if (n == cap) {
			char **nv = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof(*v));

			if (!nv)
				goto oom;
			v = nv;
		}
		if (!(v[n] = strdup(de->d_name)))
			goto oom;
		n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), names_cmp);
	*ret = v;
	*ret_n = n;
	return 0;
oom:
	while (n)
		free(v[--n]);
	free(v);
	return -ENOMEM;
}

static void
names_free(char **v, size_t n)
{
	while (n)
		free(v[--n]);
	free(v);
}

static int
life_open_dir(const char *state_dir)
{
	int fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return fd;
}

/* STATE/ID/state.json into *ret; messages are the caller's. */
static int
life_read(int nodefd, struct node_state *ret, char *why, size_t why_size)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	r = read_file_at(nodefd, "state.json", STATE_FILE_MAX, &text, &len);
	if (r < 0) {
		snprintf(why, why_size, "%s", strerror(-r));
		return r;
	}
	return state_decode(text, len, ret, why, why_size);
}

int
life_load(const char *state_dir, const char *query, struct node_state *ret, int *ret_nodefd)
{
	_cleanup_close_ int dirfd = -1, nodefd = -1;
	char **names = NULL;
	size_t n = 0, i;
	char why[256];
	int r;

	dirfd = life_open_dir(state_dir);
	if (dirfd == -ENOENT) {
		log_error("no node '%s': there is no state directory '%s'", query, state_dir);
		return -ENOENT;
	}
	if (dirfd < 0)
		return fail(dirfd, "open the state directory '%s'", state_dir);
	r = life_list(dirfd, &names, &n);
	if (r < 0)
		return fail(r, "read the state directory '%s'", state_dir);
	r = state_resolve((const char *const *)names, n, query, &i);
	if (r == -ENOENT)
		log_error("no node '%s' in '%s'", query, state_dir);
	else if (r == -ENOTUNIQ)
		log_error("'%s' is the beginning of several nodes' identities: give more of it",
		          query);
	if (r < 0) {
		names_free(names, n);
		return r;
	}
	nodefd = openat(dirfd, names[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (nodefd < 0) {
		r = -errno;
		log_error_errno(r, "open the state of node '%s'", names[i]);
	} else if ((r = life_read(nodefd, ret, why, sizeof(why))) < 0) {
		log_error("state of node '%s' ('%s/%s/state.json'): %s", names[i], state_dir,
		          names[i], why);
		/* Which node it was, for rm -f of a state that cannot be read. */
		state_init(ret);
		snprintf(ret->id, sizeof(ret->id), "%s", names[i]);
		r = -EBADMSG;
	}
	names_free(names, n);
	if (r >= 0 && ret_nodefd)
		*ret_nodefd = TAKE_FD(nodefd);
	return r;
}

/*
 * state.json, temp + rename: a reader sees the old state or the new, never a mix, and a
 * supervisor killed at any point leaves one of them.  Not fsynced: the state describes
 * processes, which a crash of the machine ends together with anything it could have
 * saved (the pid and its start time then match nothing: ps says dead, rm cleans up),
 * while on a disk (a state directory outside a tmpfs /run) each fsync costs a journal
 * commit and a cache flush, milliseconds at every start and every end of a node.
 */
static int
life_save(int nodefd, const struct node_state *s)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	size_t len, done = 0;
	int r;

	r = state_encode(s, &text);
	if (r < 0)
		return r;
	len = strlen(text);
	fd = openat(nodefd, "state.json.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	            0600);
	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t w = write(fd, text + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		done += (size_t)w;
	}
	if (renameat(nodefd, "state.json.tmp", nodefd, "state.json") < 0)
		return -errno;
	return 0;
}

/* --- run -d --- */

int
life_detach(struct life_run *lr, const char *state_dir, struct plan *p, int *ret_code)
{
	_cleanup_close_ int dirfd = -1;
	int ready[2], logp[2], status;
	ssize_t n;
	char c;
	pid_t pid;

	*lr = (struct life_run){ .nodefd = -1, .ready = -1, .log_r = -1, .log_w = -1 };
	state_init(&lr->state);
	if (mkdir(state_dir, 0700) < 0 && errno != EEXIST)
		return fail(-errno, "create the state directory '%s'", state_dir);
	dirfd = life_open_dir(state_dir);
	if (dirfd < 0)
		return fail(dirfd, "open the state directory '%s'", state_dir);
	if (mkdirat(dirfd, p->id, 0700) < 0) {
		int r = -errno;

		if (r == -EEXIST)
			log_error("the name '%s' is in use by a node in '%s' (containode rm %s)",
			          p->id, state_dir, p->id);
		else
			log_error_errno(r, "create the state of node '%s' in '%s'", p->id,
			                state_dir);
		return r;
	}
	lr->nodefd = openat(dirfd, p->id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (lr->nodefd < 0 || pipe2(ready, O_CLOEXEC) < 0 ||
	    pipe2(logp, O_CLOEXEC | O_NONBLOCK) < 0) {
		int r = -errno;

		log_error_errno(r, "prepare the state of node '%s'", p->id);
		(void)unlinkat(dirfd, p->id, AT_REMOVEDIR);
		return r;
	}
	/* The node writes blocking; the supervisor reads without. */
	fcntl(logp[1], F_SETFL, 0);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int r = -errno;

		log_error_errno(r, "start the supervisor of node '%s'", p->id);
		(void)unlinkat(dirfd, p->id, AT_REMOVEDIR);
		return r;
	}
	if (pid > 0) {
		close(ready[1]);
		close(logp[0]);
		close(logp[1]);
		lr->nodefd = safe_close(lr->nodefd);
		do
			n = read(ready[0], &c, 1);
		while (n < 0 && errno == EINTR);
		if (n == 0) {
			printf("%s\n", p->id);
			*ret_code = fflush(stdout) == 0 ? 0 : EXIT_LAUNCHER;
		} else {
			/* The supervisor said why on our stderr. */
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			*ret_code = plan_exit_code(status) ?: EXIT_LAUNCHER;
			(void)rm_rf_at(dirfd, p->id);
		}
		close(ready[0]);
		return 1;
	}
	/* The supervisor: a session of its own, no terminal; the log its node's output. */
	close(ready[0]);
	(void)setsid();
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		close(null);
	}
	lr->ready = ready[1];
	lr->log_r = logp[0];
	lr->log_w = logp[1];
	p->stdio_fd = lr->log_w;
	p->ready_fd = lr->ready;
	if (logs_sink_open(&lr->log, lr->nodefd) < 0)
		log_warn_errno(errno, "open the log of node '%s', ignoring", p->id);
	return 0;
}

static char **
strv_copy(char *const *v)
{
	size_t n = 0;
	char **c;

	while (v && v[n])
		n++;
	c = calloc(n + 1, sizeof(*c));
	for (size_t i = 0; c && i < n; i++)
		if (!(c[i] = strdup(v[i]))) {
			while (i)
				free(c[--i]);
			free(c);
			return NULL;
		}
	return c;
}

static char *
strdup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The parts of the plan a later verb needs (exec, rm, ps). */
static int
life_state_fill(struct node_state *s, const struct plan *p, const struct cgroup_node *cg)
{
	char created[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	strcpy(s->id, p->id);
	s->status = STATE_RUNNING;
	s->exit_code = -1;
	s->created = strdup(created);
	s->image = strdup_or_null(p->image);
	s->root = strdup_or_null(p->root);
	if (!p->ephemeral) {
		s->top = strdup_or_null(p->top);
		s->work = strdup_or_null(p->work);
	}
	s->hostname = strdup(plan_hostname(p));
	s->command = strv_copy(p->argv);
	s->env = strv_copy(p->env);
	s->cwd = strdup_or_null(p->cwd);
	s->stop_signal = p->stop_signal;
	s->caps = p->caps;
	s->privileged = p->privileged;
	if (p->seccomp && strcmp(p->seccomp, "unconfined") != 0)
		s->seccomp = realpath(p->seccomp, NULL);
	else
		s->seccomp = strdup_or_null(p->seccomp);
	s->have_user = p->have_user;
	s->uid = p->uid;
	s->gid = p->gid;
	if (p->n_groups) {
		s->groups = calloc(p->n_groups, sizeof(*s->groups));
		if (!s->groups)
			return -ENOMEM;
		memcpy(s->groups, p->groups, p->n_groups * sizeof(*s->groups));
		s->n_groups = p->n_groups;
	}
	for (size_t i = 0; i < cg->n && i < STATE_CGROUPS_MAX; i++) {
		s->cgroups[i] = (struct state_cgroup){
			.path = strdup(cg->dirs[i].path),
			.version = cg->dirs[i].version,
			.controllers = cg->dirs[i].controllers,
			.base_len = cg->dirs[i].base_len,
		};
		s->n_cgroups++;
		if (!s->cgroups[i].path)
			return -ENOMEM;
	}
	for (size_t i = 0; i < p->n_net; i++) {
		struct state_switch_port *sp = &s->switch_ports[s->n_switch_ports];

		if (!p->net[i].sock)
			continue;
		s->n_switch_ports++;
		sp->sock = strdup(p->net[i].sock);
		sp->ifname = strdup(p->net[i].ifname);
		sp->segment = strdup(p->net[i].segment);
		if (!sp->sock || !sp->ifname || !sp->segment)
			return -ENOMEM;
	}
	s->ports = calloc(p->n_publish + 1, sizeof(*s->ports));
	for (size_t i = 0; s->ports && i < p->n_publish; i++) {
		char spec[PORTSPEC_STRLEN];

		portspec_format(&p->publish[i], spec);
		if (!(s->ports[i] = strdup(spec)))
			return -ENOMEM;
	}
	if (!s->created || !s->hostname || !s->command || !s->env || !s->ports ||
	    (p->image && !s->image) || (p->root && !s->root))
		return -ENOMEM;
	return 0;
}

int
life_started(struct life_run *lr, const struct plan *p, pid_t pid, const struct cgroup_node *cg)
{
	struct node_state *s = &lr->state;
	int r;

	r = life_state_fill(s, p, cg);
	s->pid = pid;
	s->supervisor = getpid();
	if (r >= 0)
		r = proc_start(pid, &s->pid_start);
	if (r >= 0)
		r = proc_start(s->supervisor, &s->supervisor_start);
	if (r >= 0)
		r = life_save(lr->nodefd, s);
	if (r < 0)
		log_error_errno(r, "write the state of node '%s'", p->id);
	return r;
}

void
life_release(struct life_run *lr)
{
	lr->ready = safe_close(lr->ready);
}

void
life_start_failed(struct life_run *lr)
{
	if (lr->ready >= 0)
		(void)!write(lr->ready, "x", 1);
	lr->ready = safe_close(lr->ready);
}

void
life_ready(struct life_run *lr)
{
	/* From now on the supervisor's own words go to the log. */
	fflush(NULL);
	dup2(lr->log_w, STDOUT_FILENO);
	dup2(lr->log_w, STDERR_FILENO);
	life_release(lr);
}

void
life_ended(struct life_run *lr, int code)
{
	int r;

	lr->state.status = STATE_EXITED;
	lr->state.exit_code = code < 0 || code > 255 ? EXIT_LAUNCHER : code;
	r = lr->state.pid ? life_save(lr->nodefd, &lr->state) : 0;
	if (r < 0)
		log_error_errno(r, "write the state of node '%s'", lr->state.id);
	logs_sink_close(&lr->log);
	state_free(&lr->state);
}

/* --- the verbs --- */

#define LIFE_COMMON_OPTIONS                                                                        \
	{ "state-dir", required_argument, NULL, LIFE_OPT_STATE_DIR },                              \
	{                                                                                          \
		"help", no_argument, NULL, 'h'                                                     \
	}

/* The usage error's hint names the verb. */
static int verb_usage(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
verb_usage(const char *verb, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_usage_error("%s: %s", verb, what);
	return EXIT_USAGE;
}

/* The options every verb shares: 0 handled, 1 not one of them, 2 done with *ret_code. */
static int
verb_common(int c, const char *verb, const char *usage, const char **state_dir, char **argv,
            int *ret_code)
{
	switch (c) {
	case LIFE_OPT_STATE_DIR:
		*state_dir = optarg;
		return 0;
	case 'h':
		fputs(usage, stdout);
		*ret_code = 0;
		return 2;
	case ':':
		*ret_code = verb_usage(verb, "option '%s' needs an argument", argv[optind - 1]);
		return 2;
	case '?':
		*ret_code = verb_usage(verb, "unrecognized option '%s'", argv[optind - 1]);
		return 2;
	default:
		return 1;
	}
}

static pid_t
pidfd_open_checked(pid_t pid, uint64_t start)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	/* Checked after the open: the pidfd then holds that very process. */
	if (fd >= 0 && !proc_is(pid, start)) {
		close(fd);
		return -ESRCH;
	}
	return fd < 0 ? -errno : fd;
}

static int
pidfd_signal(int pidfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

/* How many pidfds pidfds_wait polls at once: a bounded array, no allocation. */
#define PIDFDS_CHUNK 64

/*
 * Waits until every process of fds has ended, at most ms for them all; an entry that has
 * ended becomes -1, as does one that was -1 (nothing to wait for).  The fds are polled a
 * chunk at a time: one still running holds the wait on its chunk, and the ones of later
 * chunks that ended meanwhile are then found at once.
 */
static void
pidfds_wait(int *fds, size_t n, long long ms)
{
	struct pollfd pfd[PIDFDS_CHUNK];
	int64_t t0 = monotime_ms();
	long long left = ms;
	size_t base = 0;

	while (base < n) {
		size_t m = n - base < PIDFDS_CHUNK ? n - base : PIDFDS_CHUNK;
		int *f = fds + base;
		size_t alive = 0;

		for (size_t i = 0; i < m; i++) {
			pfd[i] = (struct pollfd){ .fd = f[i], .events = POLLIN };
			alive += f[i] >= 0;
		}
		if (!alive) {
			base += m;
			continue;
		}
		if (poll(pfd, m, (int)(left > INT_MAX ? INT_MAX : left)) < 0 && errno != EINTR)
			return;
		for (size_t i = 0; i < m; i++)
			if (f[i] >= 0 && pfd[i].revents)
				f[i] = -1;
		if (left == 0) {
			base += m; /* had its last look */
			continue;
		}
		left = ms - (monotime_ms() - t0);
		if (left < 0)
			left = 0; /* one last look */
	}
}

/* Waits for the process of pidfd to end, at most ms; whether it did. */
static bool
pidfd_wait(int pidfd, long long ms)
{
	int fd = pidfd;

	pidfds_wait(&fd, 1, ms);
	return fd < 0;
}

/* Waits until the supervisor has written the node's end and gone. */
static void
life_wait_supervisor(const struct node_state *s)
{
	_cleanup_close_ int fd = pidfd_open_checked(s->supervisor, s->supervisor_start);

	if (fd >= 0 && !pidfd_wait(fd, LIFE_SUPERVISOR_WAIT_MS))
		log_warn("the supervisor of node '%s' (pid %d) has not ended, ignoring", s->id,
		         (int)s->supervisor);
}

/* One node of a stop or rm of many: its state, its first process, how it went. */
struct life_target {
	struct node_state s;
	int pidfd;
	int r;
	bool loaded;
	bool stopping; /* signalled (stop) or killed (rm -f): to be waited for */
};

static void
life_targets_free(struct life_target *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++) {
		if (t[i].pidfd >= 0)
			close(t[i].pidfd);
		if (t[i].loaded)
			state_free(&t[i].s);
	}
	free(t);
}

/* Waits for the first processes of the targets being stopped; the ones left become -1. */
static void
life_targets_wait(struct life_target *t, size_t n, int *fds, long long ms)
{
	for (size_t i = 0; i < n; i++)
		fds[i] = t[i].stopping ? t[i].pidfd : -1;
	pidfds_wait(fds, n, ms);
}

/* Waits until the supervisors of the targets have written their nodes' ends and gone. */
static void
life_targets_wait_supervisors(struct life_target *t, size_t n, int *fds)
{
	_cleanup_free_ int *sup = calloc(n ? n : 1, sizeof(*sup));

	if (!sup) {
		for (size_t i = 0; i < n; i++)
			if (t[i].stopping)
				life_wait_supervisor(&t[i].s);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		sup[i] = t[i].stopping
		                 ? pidfd_open_checked(t[i].s.supervisor, t[i].s.supervisor_start)
		                 : -1;
		fds[i] = sup[i];
	}
	pidfds_wait(fds, n, LIFE_SUPERVISOR_WAIT_MS);
	for (size_t i = 0; i < n; i++) {
		if (fds[i] >= 0)
			log_warn("the supervisor of node '%s' (pid %d) has not ended, ignoring",
			         t[i].s.id, (int)t[i].s.supervisor);
		if (sup[i] >= 0)
			close(sup[i]);
	}
}

/*
 * SIGKILL to every pid of a v1 cgroup, frozen meanwhile: a frozen process can neither
 * fork nor end, so none escapes and no pid is reused under us.  Thawed after, to die.
 */
static int
life_kill_frozen_v1(const struct node_state *s, const char *dir)
{
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX], *line, *save = NULL;
	int r;

	/* Not frozen in time (a task stuck in the kernel): the kill still goes to each pid. */
	if (life_freeze(s, true) == -EOPNOTSUPP)
		return -EOPNOTSUPP;
	if ((size_t)snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= sizeof(path))
		r = -ENAMETOOLONG;
	else
		r = read_file_at(AT_FDCWD, path, 16 << 20, &text, NULL);
	for (line = r < 0 ? NULL : strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long pid;

		if (parse_uint(line, 1, INT_MAX, &pid) == 0 && kill((pid_t)pid, SIGKILL) < 0 &&
		    errno != ESRCH)
			r = -errno;
	}
	(void)life_freeze(s, false);
	return r;
}

/*
 * Every process of the node: cgroup.kill where its cgroup is on v2 (no race with a
 * fork); v1's freezer, then each pid, where there is no v2; and SIGKILL to its PID 1,
 * whose end takes its whole PID namespace with it, whatever else did.
 */
static int
life_kill_all(const struct node_state *s, int pidfd)
{
	const char *v2 = life_unified(s), *v1 = v2 ? NULL : life_freezer(s);
	int r = v2   ? cgroup_file_write(v2, "cgroup.kill", "1")
	        : v1 ? life_kill_frozen_v1(s, v1)
	             : -ENOENT;

	if (pidfd >= 0) {
		int q = pidfd_signal(pidfd, SIGKILL);

		if (r < 0 && q < 0 && q != -ESRCH)
			return q;
	}
	return 0;
}

/* Sends a running node its stop signal; t->stopping says there is a process to wait for. */
static int
life_stop_signal(const char *state_dir, const char *query, struct life_target *t)
{
	enum state_status st;
	int r;

	r = life_load(state_dir, query, &t->s, NULL);
	if (r < 0)
		return r;
	t->loaded = true;
	st = life_status(&t->s);
	if (st != STATE_RUNNING && st != STATE_PAUSED)
		return 0;
	t->pidfd = pidfd_open_checked(t->s.pid, t->s.pid_start);
	if (t->pidfd < 0)
		return 0;
	/* A frozen node would only get the signal once thawed. */
	if (st == STATE_PAUSED)
		(void)life_freeze(&t->s, false);
	r = pidfd_signal(t->pidfd, t->s.stop_signal);
	if (r < 0 && r != -ESRCH)
		log_warn_errno(r, "send signal %d to node '%s', ignoring", t->s.stop_signal,
		               t->s.id);
	t->stopping = true;
	return 0;
}

/*
 * Every node is signalled first, then all are waited for against one deadline, and the
 * ones still there killed: a hundred nodes that ignore the signal take one timeout, not
 * a hundred.
 */
static int
life_stop_many(const char *state_dir, char **ids, size_t n, long long timeout_ms)
{
	struct life_target *t = calloc(n, sizeof(*t));
	_cleanup_free_ int *fds = calloc(n, sizeof(*fds));
	int code = 0;

	if (!t || !fds) {
		free(t);
		return fail(-ENOMEM, "stop %zu nodes", n);
	}
	for (size_t i = 0; i < n; i++) {
		t[i].pidfd = -1;
		t[i].r = life_stop_signal(state_dir, ids[i], &t[i]);
	}
	life_targets_wait(t, n, fds, timeout_ms);
	for (size_t i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		log_debug("node '%s' outlived its stop timeout: killing it", t[i].s.id);
		t[i].r = life_kill_all(&t[i].s, t[i].pidfd);
		if (t[i].r < 0)
			log_error_errno(t[i].r, "kill node '%s'", t[i].s.id);
	}
	life_targets_wait(t, n, fds, LIFE_SUPERVISOR_WAIT_MS);
	life_targets_wait_supervisors(t, n, fds);
	for (size_t i = 0; i < n; i++)
		if (t[i].r < 0 && t[i].r != -ESRCH)
			code = 1;
		else
			printf("%s\n", ids[i]);
	life_targets_free(t, n);
	return code;
}

/* Starts a verb's option parsing over argv (argv[0] being the verb). */
static void
verb_getopt_reset(void)
{
	optind = 0;
	opterr = 0;
}

/* At least one ID left, else a usage error. */
static int
verb_need_ids(const char *verb, int argc, char **argv, int min, int max)
{
	int left = argc - optind;
	const char *argv_extra = left > max ? argv[optind + max] : "";

	if (left < min)
		return verb_usage(verb, "no node given (ID)");
	if (max && left > max)
		return verb_usage(verb, "unexpected argument '%s'", argv_extra);
	return 0;
}

/* clang-format off */
static const char stop_usage[] =
	"Usage: containode stop [-t SECONDS] ID...\n"
	"Send each node its stop signal (the image's StopSignal, else SIGTERM), then kill every\n"
	"process of it once SECONDS (default 10) have passed.\n"
	"  -t, --time=SECONDS    how long the node has to end by itself\n"
	"      --state-dir=DIR   the nodes' states (default $CONTAINODE_STATE or " STATE_DIR_DEFAULT ")\n";
/* clang-format on */

int
life_stop(const char *state_dir, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "time", required_argument, NULL, 't' },
		LIFE_COMMON_OPTIONS,
		{},
	};
	unsigned long secs = 10;
	int c, code = 0;

	verb_getopt_reset();
	while ((c = getopt_long(argc, argv, "+:t:h", opts, NULL)) != -1) {
		if (verb_common(c, "stop", stop_usage, &state_dir, argv, &code) == 2)
			return code;
		if (c == 't' && parse_uint(optarg, 0, 86400, &secs) < 0)
			return verb_usage("stop", "-t: invalid number of seconds '%s'", optarg);
	}
	if ((code = verb_need_ids("stop", argc, argv, 1, 0)))
		return code;
	return life_stop_many(life_state_dir(state_dir), argv + optind, (size_t)(argc - optind),
	                      (long long)secs * 1000);
}

/* "KILL", "SIGKILL", "kill", "9". */
static int
signal_parse(const char *s)
{
	unsigned long n;

	if (parse_uint(s, 1, SIGRTMAX, &n) == 0)
		return (int)n;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		const char *name = sigabbrev_np(sig);

		if (name && strcasecmp(name, s) == 0)
			return sig;
	}
	return -EINVAL;
}

/* clang-format off */
static const char kill_usage[] =
	"Usage: containode kill [-s SIGNAL] ID...\n"
	"Send SIGNAL (default KILL: every process of the node) to each node's first process.\n"
	"  -s, --signal=SIGNAL   a name (TERM, SIGTERM) or a number\n"
	"      --state-dir=DIR   the nodes' states (default $CONTAINODE_STATE or " STATE_DIR_DEFAULT ")\n";
/* clang-format on */

static int
life_kill_one(const char *state_dir, const char *query, int sig)
{
	_cleanup_close_ int pidfd = -1;
	struct node_state s;
	enum state_status st;
	int r;

	r = life_load(state_dir, query, &s, NULL);
	if (r < 0)
		return r;
	st = life_status(&s);
	pidfd = st == STATE_RUNNING || st == STATE_PAUSED ? pidfd_open_checked(s.pid, s.pid_start)
	                                                  : -ESRCH;
	if (pidfd < 0) {
		log_error("node '%s' is not running (%s)", s.id, state_status_name(st));
		state_free(&s);
		return -ESRCH;
	}
	r = sig == SIGKILL ? life_kill_all(&s, pidfd) : pidfd_signal(pidfd, sig);
	if (r < 0)
		log_error_errno(r, "send signal %d to node '%s'", sig, s.id);
	state_free(&s);
	return r;
}

int
life_kill(const char *state_dir, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "signal", required_argument, NULL, 's' },
		LIFE_COMMON_OPTIONS,
		{},
	};
	int c, code = 0, sig = SIGKILL;

	verb_getopt_reset();
	while ((c = getopt_long(argc, argv, "+:s:h", opts, NULL)) != -1) {
		if (verb_common(c, "kill", kill_usage, &state_dir, argv, &code) == 2)
			return code;
		if (c == 's' && (sig = signal_parse(optarg)) < 0)
			return verb_usage("kill", "-s: unknown signal '%s'", optarg);
	}
	if ((code = verb_need_ids("kill", argc, argv, 1, 0)))
		return code;
	for (int i = optind; i < argc; i++)
		if (life_kill_one(life_state_dir(state_dir), argv[i], sig) < 0)
			code = 1;
	return code;
}

/* clang-format off */
static const char pause_usage[] =
	"Usage: containode pause|resume ID...\n"
	"Freeze every process of each node (cgroup.freeze, or v1's freezer.state), or thaw them.\n"
	"      --state-dir=DIR   the nodes' states (default $CONTAINODE_STATE or " STATE_DIR_DEFAULT ")\n";
/* clang-format on */

static int
life_freeze_one(const char *state_dir, const char *query, bool freeze)
{
	struct node_state s;
	enum state_status st;
	int r;

	r = life_load(state_dir, query, &s, NULL);
	if (r < 0)
		return r;
	st = life_status(&s);
	if (st != STATE_RUNNING && st != STATE_PAUSED) {
		log_error("node '%s' is not running (%s)", s.id, state_status_name(st));
		r = -ESRCH;
	} else if ((r = life_freeze(&s, freeze)) == -EOPNOTSUPP) {
		log_error("node '%s' has no cgroup to freeze (neither a v2 hierarchy nor v1's "
		          "freezer is mounted)",
		          s.id);
	} else if (r == -ETIMEDOUT) {
		log_error("node '%s' is not %s after %d ms", s.id, freeze ? "frozen" : "thawed",
		          LIFE_FREEZE_WAIT_MS);
	} else if (r < 0) {
		log_error_errno(r, "%s node '%s' ('%s')", freeze ? "freeze" : "thaw", s.id,
		                life_unified(&s) ?: life_freezer(&s));
	}
	state_free(&s);
	return r;
}

int
life_pause(const char *state_dir, int argc, char **argv)
{
	static const struct option opts[] = { LIFE_COMMON_OPTIONS, {} };
	bool freeze = strcmp(argv[0], "pause") == 0;
	int c, code = 0;

	verb_getopt_reset();
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1)
		if (verb_common(c, argv[0], pause_usage, &state_dir, argv, &code) == 2)
			return code;
	if ((code = verb_need_ids(argv[0], argc, argv, 1, 0)))
		return code;
	for (int i = optind; i < argc; i++)
		if (life_freeze_one(life_state_dir(state_dir), argv[i], freeze) < 0)
			code = 1;
	return code;
}

/* clang-format off */
static const char rm_usage[] =
	"Usage: containode rm [-f] ID...\n"
	"Remove each node that is no longer running: its state, log, cgroups, and the upper\n"
	"layer containode chose for it (one given with -t/--top stays).\n"
	"  -f, --force           kill a node that still runs first\n"
	"      --state-dir=DIR   the nodes' states (default $CONTAINODE_STATE or " STATE_DIR_DEFAULT ")\n";
/* clang-format on */

/* What a supervisor that was killed could not remove: cgroups, the overlay's work dir. */
static int
life_remove_leftovers(const struct node_state *s)
{
	struct cgroup_node cg = {};
	int r = 0, q;

	for (size_t i = 0; i < s->n_cgroups; i++) {
		struct stat st;

		if (stat(s->cgroups[i].path, &st) < 0)
			continue;
		cg.dirs[cg.n] = (struct cgroup_dir){
			.version = s->cgroups[i].version,
			.path = strdup(s->cgroups[i].path),
			.controllers = s->cgroups[i].controllers,
			.base_len = s->cgroups[i].base_len,
		};
		if (cg.dirs[cg.n].path)
			cg.n++;
	}
	if (cg.n && (r = cgroup_node_remove(&cg)) < 0)
		log_error_errno(r, "remove the cgroups of node '%s'", s->id);
	if (s->work && (q = rm_rf_at(AT_FDCWD, s->work)) < 0) {
		log_error_errno(q, "remove the work dir '%s' of node '%s'", s->work, s->id);
		r = r ?: q;
	}
	if (s->top && s->top_owned && (q = rm_rf_at(AT_FDCWD, s->top)) < 0) {
		log_error_errno(q, "remove the upper layer '%s' of node '%s'", s->top, s->id);
		r = r ?: q;
	}
	return r;
}

/*
 * A state that cannot be read (a file cut short by a crash of the machine, which does
 * not wait for it to reach the disk): with -f its directory goes; what else the node had
 * (cgroups, mounts, processes) a crash has ended already.
 */
static int
life_rm_broken(const char *state_dir, const char *id, bool force)
{
	_cleanup_close_ int dirfd = -1;
	int r;

	if (!force) {
		log_error("rm -f %s removes the state directory '%s/%s' as it is", id, state_dir,
		          id);
		return -EBADMSG;
	}
	dirfd = life_open_dir(state_dir);
	r = dirfd < 0 ? dirfd : rm_rf_at(dirfd, id);
	if (r < 0)
		log_error_errno(r, "remove the state of node '%s' ('%s/%s')", id, state_dir, id);
	return r;
}

/* Loads a node to remove; with force one that runs is killed, to be waited for. */
static int
life_rm_begin(const char *state_dir, const char *query, bool force, struct life_target *t)
{
	enum state_status st;
	int r;

	r = life_load(state_dir, query, &t->s, NULL);
	if (r == -EBADMSG) {
		r = life_rm_broken(state_dir, t->s.id, force);
		return r < 0 ? r : 1; /* done already */
	}
	if (r < 0)
		return r;
	t->loaded = true;
	st = life_status(&t->s);
	if (st != STATE_RUNNING && st != STATE_PAUSED)
		return 0;
	if (!force) {
		log_error("node '%s' is %s: stop it first, or rm -f", t->s.id,
		          state_status_name(st));
		return -EBUSY;
	}
	t->pidfd = pidfd_open_checked(t->s.pid, t->s.pid_start);
	(void)life_kill_all(&t->s, t->pidfd);
	t->stopping = true;
	return 0;
}

/* What is left of a node once nothing of it runs: cgroups, work dir, its state. */
static int
life_rm_finish(const char *state_dir, const struct node_state *s)
{
	_cleanup_close_ int dirfd = -1;
	int r;

	r = life_remove_leftovers(s);
	dirfd = life_open_dir(state_dir);
	if (r >= 0 && dirfd >= 0 && (r = rm_rf_at(dirfd, s->id)) < 0)
		log_error_errno(r, "remove the state of node '%s' ('%s/%s')", s->id, state_dir,
		                s->id);
	return r;
}

/* As stop: every node killed first, then all waited for together. */
static int
life_rm_many(const char *state_dir, char **ids, size_t n, bool force)
{
	struct life_target *t = calloc(n, sizeof(*t));
	_cleanup_free_ int *fds = calloc(n, sizeof(*fds));
	int code = 0;

	if (!t || !fds) {
		free(t);
		return fail(-ENOMEM, "remove %zu nodes", n);
	}
	for (size_t i = 0; i < n; i++) {
		t[i].pidfd = -1;
		t[i].r = life_rm_begin(state_dir, ids[i], force, &t[i]);
	}
	life_targets_wait(t, n, fds, LIFE_SUPERVISOR_WAIT_MS);
	life_targets_wait_supervisors(t, n, fds);
	for (size_t i = 0; i < n; i++) {
		if (t[i].r == 0)
			t[i].r = life_rm_finish(state_dir, &t[i].s);
		if (t[i].r < 0)
			code = 1;
		else
			printf("%s\n", ids[i]);
	}
	life_targets_free(t, n);
	return code;
}

int
life_rm(const char *state_dir, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		LIFE_COMMON_OPTIONS,
		{},
	};
	bool force = false;
	int c, code = 0;

	verb_getopt_reset();
	while ((c = getopt_long(argc, argv, "+:fh", opts, NULL)) != -1) {
		if (verb_common(c, "rm", rm_usage, &state_dir, argv, &code) == 2)
			return code;
		if (c == 'f')
			force = true;
	}
	if ((code = verb_need_ids("rm", argc, argv, 1, 0)))
		return code;
	return life_rm_many(life_state_dir(state_dir), argv + optind, (size_t)(argc - optind),
	                    force);
}

/* --- ps, inspect --- */

/* clang-format off */
static const char ps_usage[] =
	"Usage: containode ps [-a] [--json]\n"
	"List the detached nodes: running, paused and dead ones (a supervisor that was killed);\n"
	"with -a the exited ones too.\n"
	"  -a, --all             every node, exited ones included\n"
	"      --json            a JSON array of objects (id, pid, status, exit_code, image,\n"
	"                        root, command, created, ports, switch_ports)\n"
	"  -q, --quiet           identities only\n"
	"      --state-dir=DIR   the nodes' states (default $CONTAINODE_STATE or " STATE_DIR_DEFAULT ")\n";
/* clang-format on */

static cJSON *
strv_json(char *const *v)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a && v && v[i]; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

/* One node as ps --json shows it. */
static cJSON *
ps_json(const struct node_state *s, enum state_status st)
{
	cJSON *o = cJSON_CreateObject(), *sw = cJSON_CreateArray();

	if (!o || !sw) {
		cJSON_Delete(o);
		cJSON_Delete(sw);
		return NULL;
	}
	cJSON_AddStringToObject(o, "id", s->id);
	cJSON_AddNumberToObject(o, "pid", s->pid);
	cJSON_AddStringToObject(o, "status", state_status_name(st));
	cJSON_AddNumberToObject(o, "exit_code", s->exit_code);
	if (s->image)
		cJSON_AddStringToObject(o, "image", s->image);
	else
		cJSON_AddNullToObject(o, "image");
	if (s->root)
		cJSON_AddStringToObject(o, "root", s->root);
	else
		cJSON_AddNullToObject(o, "root");
	cJSON_AddItemToObject(o, "command", strv_json(s->command));
	cJSON_AddStringToObject(o, "created", s->created);
	cJSON_AddItemToObject(o, "ports", strv_json(s->ports));
	for (size_t i = 0; i < s->n_switch_ports; i++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "switch", s->switch_ports[i].sock);
		cJSON_AddStringToObject(e, "ifname", s->switch_ports[i].ifname);
		cJSON_AddStringToObject(e, "segment", s->switch_ports[i].segment);
		cJSON_AddItemToArray(sw, e);
	}
	cJSON_AddItemToObject(o, "switch_ports", sw);
	return o;
}

/* "a b c" cut at width, for the table. */
static void
join_cut(char *const *v, char *buf, size_t width)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; v && v[i] && len < width; i++)
		len += (size_t)snprintf(buf + len, width + 1 - len, "%s%s", i ? " " : "", v[i]);
	if (len >= width && width > 3)
		strcpy(buf + width - 3, "...");
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static void
ps_row(const struct node_state *s, enum state_status st)
{
	char cmd[32], status[24], ports[64] = "", sw[64] = "";
	size_t len = 0;

	join_cut(s->command, cmd, 24);
	if (st == STATE_EXITED)
		snprintf(status, sizeof(status), "exited (%d)", s->exit_code);
	else
		snprintf(status, sizeof(status), "%s", state_status_name(st));
	join_cut(s->ports, ports, 30);
	for (size_t i = 0; i < s->n_switch_ports && len < 40; i++)
		len += (size_t)snprintf(sw + len, sizeof(sw) - len, "%s%s-%s", i ? "," : "", s->id,
		                        s->switch_ports[i].ifname);
	printf("%-20s %-24s %-26s %-20s %-12s %-20s %s\n", s->id,
	       s->image  ? s->image
	       : s->root ? s->root
	                 : "/",
	       cmd, s->created, status, ports[0] ? ports : "-", sw[0] ? sw : "-");
}

int
life_ps(const char *state_dir, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		LIFE_COMMON_OPTIONS,
		{},
	};
	_cleanup_close_ int dirfd = -1;
	_cleanup_json_ cJSON *all = NULL;
	bool show_all = false, json = false, quiet = false;
	char **names = NULL;
	size_t n = 0;
	int c, r, code = 0;

	verb_getopt_reset();
	while ((c = getopt_long(argc, argv, "+:aqh", opts, NULL)) != -1) {
		if (verb_common(c, "ps", ps_usage, &state_dir, argv, &code) == 2)
			return code;
		show_all |= c == 'a';
		json |= c == 'j';
		quiet |= c == 'q';
	}
	if (optind < argc)
		return verb_usage("ps", "unexpected argument '%s'", argv[optind]);
	state_dir = life_state_dir(state_dir);
	dirfd = life_open_dir(state_dir);
	if (dirfd < 0 && dirfd != -ENOENT) {
		log_error_errno(dirfd, "open the state directory '%s'", state_dir);
		return 1;
	}
	if (dirfd >= 0 && (r = life_list(dirfd, &names, &n)) < 0) {
		log_error_errno(r, "read the state directory '%s'", state_dir);
		return 1;
	}
	all = cJSON_CreateArray();
	if (!all) {
		names_free(names, n);
		return 1;
	}
	if (!json && !quiet)
		printf("%-20s %-24s %-26s %-20s %-12s %-20s %s\n", "ID", "IMAGE", "COMMAND",
		       "CREATED", "STATUS", "PORTS", "SWITCH PORTS");
	for (size_t i = 0; i < n; i++) {
		_cleanup_close_ int nodefd =
		        openat(dirfd, names[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		struct node_state s;
		enum state_status st;
		char why[256];

		/* A node still starting has no state yet; a broken one is said once. */
		if (nodefd < 0 || faccessat(nodefd, "state.json", F_OK, 0) < 0)
			continue;
		if (life_read(nodefd, &s, why, sizeof(why)) < 0) {
			log_warn("state of node '%s': %s, ignoring", names[i], why);
			continue;
		}
		st = life_status(&s);
		if (show_all || st != STATE_EXITED) {
			if (json)
				cJSON_AddItemToArray(all, ps_json(&s, st));
			else if (quiet)
				printf("%s\n", s.id);
			else
				ps_row(&s, st);
		}
		state_free(&s);
	}
	names_free(names, n);
	if (json) {
		_cleanup_free_ char *text = cJSON_PrintUnformatted(all);

		if (!text)
			return 1;
		printf("%s\n", text);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* clang-format off */
static const char inspect_usage[] =
	"Usage: containode inspect ID\n"
	"The node's state as JSON, with its status as it is now.\n"
	"      --state-dir=DIR   the nodes' states (default $CONTAINODE_STATE or " STATE_DIR_DEFAULT ")\n";
/* clang-format on */

int
life_inspect(const char *state_dir, int argc, char **argv)
{
	static const struct option opts[] = { LIFE_COMMON_OPTIONS, {} };
	_cleanup_free_ char *text = NULL;
	struct node_state s;
	int c, code = 0;

	verb_getopt_reset();
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1)
		if (verb_common(c, "inspect", inspect_usage, &state_dir, argv, &code) == 2)
			return code;
	if ((code = verb_need_ids("inspect", argc, argv, 1, 1)))
		return code;
	if (life_load(life_state_dir(state_dir), argv[optind], &s, NULL) < 0)
		return 1;
	s.status = life_status(&s);
	c = state_encode(&s, &text);
	state_free(&s);
	if (c < 0)
		return 1;
	fputs(text, stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* clang-format off */
static const char logs_usage[] =
	"Usage: containode logs [-f] [--tail N] [--timestamps] ID\n"
	"What the node wrote to stdout and stderr, in the order it came.\n"
	"  -f, --follow          go on showing what it writes, until it ends\n"
	"  -n, --tail=N          only the last N lines (or 'all')\n"
	"  -t, --timestamps      each line after the time it came (RFC 3339, UTC)\n"
	"      --state-dir=DIR   the nodes' states (default $CONTAINODE_STATE or " STATE_DIR_DEFAULT ")\n";
/* clang-format on */

int
life_logs(const char *state_dir, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "tail", required_argument, NULL, 'n' },
		{ "timestamps", no_argument, NULL, 't' },
		LIFE_COMMON_OPTIONS,
		{},
	};
	struct logs_options o = { .tail_all = true };
	_cleanup_close_ int nodefd = -1;
	struct node_state s;
	int c, r, code = 0;

	verb_getopt_reset();
	while ((c = getopt_long(argc, argv, "+:fn:th", opts, NULL)) != -1) {
		if (verb_common(c, "logs", logs_usage, &state_dir, argv, &code) == 2)
			return code;
		if (c == 'f')
			o.follow = true;
		else if (c == 't')
			o.timestamps = true;
		else if (c == 'n' && strcmp(optarg, "all") == 0)
			o.tail_all = true;
		else if (c == 'n' && parse_uint(optarg, 0, ULONG_MAX, &o.tail) < 0)
			return verb_usage("logs", "--tail: invalid number of lines '%s'", optarg);
		else if (c == 'n')
			o.tail_all = false;
	}
	if ((code = verb_need_ids("logs", argc, argv, 1, 1)))
		return code;
	if (life_load(life_state_dir(state_dir), argv[optind], &s, &nodefd) < 0)
		return 1;
	r = logs_show(nodefd, &s, &o);
	if (r < 0)
		log_error_errno(r, "show the log of node '%s'", s.id);
	state_free(&s);
	return r < 0 ? 1 : 0;
}
