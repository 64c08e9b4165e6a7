#include "labrun.h"

#include "cleanup.h"
#include "fileio.h"
#include "json.h"
#include "labjson.h"
#include "labmgmtrun.h"
#include "labproc.h"
#include "labstate.h"
#include "log.h"
#include "rmtree.h"
#include "strprintf.h"
#include "strv.h"
#include "unixsock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SWITCH_READY_MS 10000
#define SWITCH_GRACE_MS 3000
#define SHUTDOWN_TIMEOUT_MS 10000
#define JOB_END_MS 120000 /* a node job's containode run, after its up was stopped */

/* Exit codes of a node's job (a child of `up`). */
enum { JOB_OK, JOB_START_FAILED, JOB_STARTUP_FAILED, JOB_STARTUP_TIMEOUT };

static char *state_path(const struct labrun *r, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static char *
state_path(const struct labrun *r, const char *fmt, ...)
{
	_cleanup_free_ char *leaf = NULL;
	va_list ap;
	char *s;

	va_start(ap, fmt);
	leaf = vstrprintf(fmt, ap);
	va_end(ap);
	if (!leaf || !(s = strprintf("%s/%s", r->plan.state_dir, leaf))) {
		log_error("out of memory");
		exit(1);
	}
	return s;
}

static bool
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* True when the lab's switch runs (it holds its pid file's lock); its pid and start time. */
static bool
switch_alive(const struct labrun *r, pid_t *ret_pid, unsigned long long *ret_start)
{
	_cleanup_free_ char *pidfile = state_path(r, "switch.pid");
	pid_t pid;
	unsigned long long start;

	if (labproc_lock_owner(pidfile, &pid, &start) != 1)
		return false;
	if (ret_pid)
		*ret_pid = pid, *ret_start = start;
	return true;
}

/* True when the lab is on a switch of up --switch and that switch answers. */
static bool
other_switch_alive(const struct labrun *r)
{
	_cleanup_free_ char *sock = state_path(r, "switch.sock");
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (lstat(sock, &st) < 0 || !S_ISLNK(st.st_mode))
		return false;
	fd = unix_connect(sock);
	return fd >= 0;
}

/* lab.json: the lab, and where it runs from; logs a failure. */
static int
write_topology(const struct labrun *r)
{
	_cleanup_json_ cJSON *run = cJSON_CreateObject();

	if (!run || !cJSON_AddStringToObject(run, "name", r->plan.name) ||
	    (r->plan.lab_dir && !cJSON_AddStringToObject(run, "directory", r->plan.lab_dir)) ||
	    (r->host && !cJSON_AddStringToObject(run, "host", r->host)))
		return LAB_FAIL(-ENOMEM, log_error("out of memory"));
	return labstate_write_lab(r->plan.state_dir, r->lab, run);
}

static int
start_switch(const struct labrun *r)
{
	_cleanup_free_ char *sock = state_path(r, "switch.sock"),
	                    *log = state_path(r, "switch.log"),
	                    *pidfile = state_path(r, "switch.pid"),
	                    *state = state_path(r, "switch");
	/*
	 * Its leases in the lab's own state: by default every lab's switch (each socket named
	 * switch.sock) would share /var/lib/containet/switch-switch.sock, and a lab's leases
	 * would outlive its down and land in the next lab's pools.
	 */
	char *argv[] = { (char *)r->containet, "-s", sock, "--state", state, NULL };
	struct timespec tick = { 0, 2 * 1000 * 1000 }; /* it answers within a few ms */
	pid_t pid;
	int err, st;

	if (r->switch_sock) {
		_cleanup_close_ int fd = unix_connect(r->switch_sock);

		if (fd < 0) {
			log_error_errno(fd, "no switch answers on '%s'", r->switch_sock);
			return fd;
		}
		if (symlink(r->switch_sock, sock) < 0) {
			log_error_errno(-errno, "link '%s' to '%s'", sock, r->switch_sock);
			return -errno;
		}
		return 0;
	}
	err = labproc_daemon(argv, log, pidfile, &pid);
	if (err < 0) {
		log_error_errno(err, "start the lab's switch '%s'", r->containet);
		return err;
	}
	for (int waited = 0; waited < SWITCH_READY_MS; waited += 2) {
		_cleanup_close_ int fd = unix_connect(sock);

		if (fd >= 0)
			return 0;
		if (labproc_wait(pid, 0, &st) == 0) {
			log_error("the lab's switch exited with status %d (see %s)", st, log);
			return -ECHILD;
		}
		nanosleep(&tick, NULL);
	}
	log_error("the lab's switch does not answer on '%s' (see %s)", sock, log);
	return -ETIMEDOUT;
}

/* Runs argv with stdout and stderr into a temporary log; on failure the log goes to stderr. */
static int
run_quiet(const struct labrun *r, char *const *argv, const char *what)
{
	_cleanup_free_ char *path = state_path(r, "log/run.%d", (int)getpid());
	_cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	char buf[4096];
	ssize_t n;
	int err, st = 0;

	if (fd < 0)
		return LAB_FAIL(-errno, log_error_errno(-errno, "open '%s'", path));
	unlink(path);
	err = labproc_run(argv, fd, fd, &st);
	if (err < 0) {
		log_error_errno(err, "%s: run '%s'", what, argv[0]);
		return err;
	}
	if (st == 0)
		return 0;
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		(void)!write(STDERR_FILENO, buf, n);
	log_error("%s: '%s' exited with status %d", what, argv[0], st);
	return -ECHILD;
}

/* A segment's lab.ext key given as a `segment add` option (the rest are link settings). */
static const char *
segment_option(enum lab_seg_key k)
{
	switch (k) {
	case LAB_SEG_SUBNET:
		return "--subnet";
	case LAB_SEG_SERVICE:
		return "--service";
	case LAB_SEG_DHCP:
		return "--dhcp";
	case LAB_SEG_DNS:
		return "--dns";
	case LAB_SEG_IPV6:
		return "--ipv6";
	case LAB_SEG_MTU:
		return "--mtu";
	default:
		return NULL;
	}
}

/* Whether k is one of the switch's link settings, spelt as its link set words. */
static bool
segment_link_key(enum lab_seg_key k)
{
	return k >= LAB_SEG_DELAY && k <= LAB_SEG_SEED;
}

/*
 * A segment stretched to other machines: the MTU its underlay carries, services on one
 * machine only (the others --no-services) and a slice of the pool per machine.
 */
static int
stretch_options(const struct lab_segment *s, const struct labnet_stretch *vx, char ***add)
{
	char *mtu = NULL, *slice = NULL;

	if (asprintf(&mtu, "%u", vx->mtu) < 0 || strv_push(add, strdup("--mtu")) < 0 ||
	    strv_push(add, mtu) < 0)
		return -ENOMEM;
	if (s->val[LAB_SEG_SUBNET] &&
	    (asprintf(&slice, "%u/%u", vx->slice, vx->slices) < 0 ||
	     strv_push(add, strdup("--slice")) < 0 || strv_push(add, slice) < 0))
		return -ENOMEM;
	if (!vx->services && strv_push(add, strdup("--no-services")) < 0)
		return -ENOMEM;
	return 0;
}

/* Its VXLAN port "vx<VNI>": head-end replication to the other machines that have it. */
static int
add_vxlan(const struct labrun *r, const struct lab_segment *s, const struct labnet_stretch *vx,
          const char *what)
{
	_cleanup_free_ char *sock = state_path(r, "switch.sock");
	char name[16], vni[16], port[8];

	snprintf(name, sizeof(name), "vx%u", vx->vni);
	snprintf(vni, sizeof(vni), "%u", vx->vni);
	snprintf(port, sizeof(port), "%u", vx->port);
	/* clang-format off */
	char *argv[] = { (char *)r->containet, "-s", sock, "vxlan", "add", name, "--vni", vni,
		         "--remote", vx->remotes, "--local", (char *)vx->local, "--dstport", port,
		         "--segment", (char *)s->name, NULL };
	/* clang-format on */
	return run_quiet(r, argv, what);
}

/*
 * The segments with lab.ext's settings: addressing and MTU as `segment add` options, then
 * the impairment as `link set SEG KEY=VALUE...` (egress, towards each member: the segment
 * keeps it for the ports that join later).  state=down comes once the nodes are there
 * (segment_states): a carrier belongs to a port.
 */
static int
add_segments(const struct labrun *r)
{
	_cleanup_free_ char *sock = state_path(r, "switch.sock");
	const struct lab *lab = r->lab;

	for (size_t i = 0; i < lab->n_segments; i++) {
		const struct lab_segment *s = &lab->segments[i];
		const struct labnet_stretch *vx = r->stretch ? &r->stretch[i] : NULL;
		_cleanup_strv_ char **add = NULL, **link = NULL;
		_cleanup_free_ char *what = NULL;
		int err = 0;

		if (asprintf(&what, "segment '%s'", s->name) < 0)
			return -ENOMEM;
		if (strv_push(&add, strdup(r->containet)) < 0 ||
		    strv_push(&add, strdup("-s")) < 0 || strv_push(&add, strdup(sock)) < 0 ||
		    strv_extend(&link, add) < 0 || strv_push(&add, strdup("segment")) < 0 ||
		    strv_push(&add, strdup("add")) < 0 || strv_push(&add, strdup(s->name)) < 0 ||
		    strv_push(&link, strdup("link")) < 0 || strv_push(&link, strdup("set")) < 0 ||
		    strv_push(&link, strdup(s->name)) < 0)
			return -ENOMEM;
		for (int k = 0; k < LAB_SEG_KEYS; k++) {
			const char *opt = segment_option(k);
			char *word;

			if (!s->val[k] || (k == LAB_SEG_MTU && vx && vx->on))
				continue;
			if (k == LAB_SEG_DNS) {
				if (strcmp(s->val[k], "true") == 0 &&
				    strv_push(&add, strdup(opt)) < 0)
					return -ENOMEM;
				/* LAB_DOMAIN: the segment's names answer as NODE.DOMAIN too. */
				if (strcmp(s->val[k], "true") == 0 && lab->domain &&
				    (strv_push(&add, strdup("--domain")) < 0 ||
				     strv_push(&add, strdup(lab->domain)) < 0))
					return -ENOMEM;
			} else if (opt) {
				if (strv_push(&add, strdup(opt)) < 0 ||
				    strv_push(&add, strdup(s->val[k])) < 0)
					return -ENOMEM;
			} else if (segment_link_key(k)) {
				if (asprintf(&word, "%s=%s", labconf_seg_key_name(k), s->val[k]) <
				            0 ||
				    strv_push(&link, word) < 0)
					return -ENOMEM;
			}
		}
		if (vx && vx->on && stretch_options(s, vx, &add) < 0)
			return -ENOMEM;
		if (strcmp(s->name, "default") != 0)
			err = run_quiet(r, add, what);
		if (err == 0 && vx && vx->on)
			err = add_vxlan(r, s, vx, what);
		if (err == 0 && strv_len(link) > 6)
			err = run_quiet(r, link, what);
		if (err < 0)
			return err;
	}
	return 0;
}

/* SEG[state]=down: the carrier of every member of the segment pulled, once they are there. */
static int
segment_states(const struct labrun *r)
{
	_cleanup_free_ char *sock = state_path(r, "switch.sock");
	const struct lab *lab = r->lab;

	for (size_t i = 0; i < lab->n_segments; i++) {
		const struct lab_segment *s = &lab->segments[i];
		char *argv[] = { (char *)r->containet, "-s",   sock, "link", "set",
			         (char *)s->name,      "down", NULL };
		_cleanup_free_ char *what = NULL;
		int err;

		if (!s->val[LAB_SEG_STATE] || strcmp(s->val[LAB_SEG_STATE], "down") != 0)
			continue;
		if (asprintf(&what, "segment '%s'", s->name) < 0)
			return -ENOMEM;
		err = run_quiet(r, argv, what);
		if (err < 0)
			return err;
	}
	return 0;
}

/*
 * SEG[capture]=FILE: the switch's capture of the segment for as long as the lab runs,
 * into FILE (a relative one in the lab directory), by a client started detached as the
 * switch is, found again by its pid file capture-SEG.pid: down stops it before the
 * switch, so that the file ends with its statistics.
 */
static int
start_captures(const struct labrun *r)
{
	_cleanup_free_ char *sock = state_path(r, "switch.sock");
	const struct lab *lab = r->lab;
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (size_t i = 0; i < lab->n_segments; i++) {
		const struct lab_segment *s = &lab->segments[i];
		const char *file = s->val[LAB_SEG_CAPTURE];
		_cleanup_free_ char *path = NULL, *cwd = NULL,
		                    *log = state_path(r, "log/capture-%s.log", s->name),
		                    *pidfile = state_path(r, "capture-%s.pid", s->name);
		struct stat st;
		pid_t pid;
		int err, status;

		if (!file)
			continue;
		if (file[0] == '/')
			path = strdup(file);
		else if (r->plan.lab_dir || (cwd = getcwd(NULL, 0)))
			if (asprintf(&path, "%s/%s", r->plan.lab_dir ? r->plan.lab_dir : cwd,
			             file) < 0)
				path = NULL;
		if (!path)
			return -ENOMEM;
		char *argv[] = { (char *)r->containet, "-s", sock, "capture",
			         (char *)s->name,      "-w", path, NULL };
		err = labproc_daemon(argv, log, pidfile, &pid);
		if (err < 0)
			return LAB_FAIL(err, log_error_errno(err, "segment '%s': start its capture",
			                                     s->name));
		/* Started once the switch has written the file's first blocks. */
		for (int waited = 0;; waited += 10) {
			if (stat(path, &st) == 0 && st.st_size > 0)
				break;
			if (labproc_wait(pid, 0, &status) == 0 || waited >= SWITCH_READY_MS)
				return LAB_FAIL(-EIO,
				                log_error("segment '%s': its capture into '%s' "
				                          "did not start (see %s)",
				                          s->name, path, log));
			nanosleep(&tick, NULL);
		}
	}
	return 0;
}

/* What a node's upper layer starts with: the lab's NODE/ and its scripts in /hostlab. */
static int
prefill_upper(const struct labrun *r, const struct lab_node *node, bool *ret_scripts)
{
	_cleanup_free_ char *upper = state_path(r, "upper/%s", node->name),
	                    *hostlab = state_path(r, "upper/%s/hostlab", node->name);
	_cleanup_strv_ char **cp = NULL;
	const char *dir = r->plan.lab_dir;
	const char *scripts[] = { "startup", "shutdown", "startup", "shutdown" };
	int err = 0;

	*ret_scripts = node->n_exec > 0;
	if (mkdir(upper, 0755) < 0 && errno != EEXIST)
		return LAB_FAIL(-errno, log_error_errno(-errno, "create '%s'", upper));
	if (!dir)
		return 0;
	{
		_cleanup_free_ char *src = NULL;

		if (asprintf(&src, "%s/%s", dir, node->name) < 0)
			return -ENOMEM;
		if (exists(src)) {
			_cleanup_free_ char *from = NULL;

			*ret_scripts = true; /* Kathara sets owners and modes of what it copies */

			if (asprintf(&from, "%s/.", src) < 0)
				return -ENOMEM;
			char *argv[] = { "cp", "-R", "--", from, upper, NULL };

			err = run_quiet(r, argv, node->name);
			if (err < 0)
				return err;
		}
	}
	if (strv_push(&cp, strdup("cp")) < 0 || strv_push(&cp, strdup("--")) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(scripts); i++) {
		char *p;

		if (asprintf(&p, "%s/%s.%s", dir, i < 2 ? node->name : "shared", scripts[i]) < 0)
			return -ENOMEM;
		if (!exists(p)) {
			free(p);
			continue;
		}
		if (strv_push(&cp, p) < 0)
			return -ENOMEM;
		if (i == 0 || i == 2)
			*ret_scripts = true;
	}
	if (strv_len(cp) == 2)
		return 0;
	if (mkdir(hostlab, 0755) < 0 && errno != EEXIST)
		return LAB_FAIL(-errno, log_error_errno(-errno, "create '%s'", hostlab));
	if (strv_push(&cp, strdup(hostlab)) < 0)
		return -ENOMEM;
	return run_quiet(r, cp, node->name);
}

/*
 * A child of `up`: starts one node, then its startup script.  Never returns.  Once up is
 * gone (down stopped it), it ends as soon as its containode run has returned: down waits
 * for that (the job holds up's lock), and starts nothing more.
 */
static void __attribute__((noreturn))
node_job(const struct labrun *r, size_t idx, bool scripts, pid_t up)
{
	const struct lab_node *node = &r->lab->nodes[idx];
	_cleanup_strv_ char **argv = NULL, **warnings = NULL, **exec = NULL;
	_cleanup_free_ char *script = NULL, *logp = state_path(r, "log/%s.startup", node->name);
	_cleanup_close_ int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC), logfd = -1;
	pid_t pid;
	int err, st;

	if (labplan_node_argv(r->lab, idx, &r->plan, r->containode, &argv, &warnings) < 0)
		_exit(JOB_START_FAILED);
	for (size_t i = 0; warnings && warnings[i]; i++)
		log_warn("%s", warnings[i]);
	err = labproc_run(argv, devnull, -1, &st);
	if (err < 0 || st != 0) {
		if (err < 0)
			log_error_errno(err, "node '%s': run '%s'", node->name, r->containode);
		else
			log_error("node '%s' did not start (containode exited with status %d)",
			          node->name, st);
		_exit(JOB_START_FAILED);
	}
	if (!scripts || getppid() != up)
		_exit(JOB_OK);
	script = labplan_startup_script(node);
	char *cmd[] = { "/bin/sh", "-c", script, NULL };
	logfd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (!script ||
	    labplan_exec_argv(&r->plan, r->containode, node->name, false, cmd, &exec) < 0)
		_exit(JOB_STARTUP_FAILED);
	err = labproc_spawn(exec, -1, logfd, logfd, &pid);
	for (unsigned waited = 100; err == 0; waited += 100) {
		err = labproc_wait(pid, 100, &st);
		if (err != -ETIME || waited >= r->startup_timeout_s * 1000)
			break;
		if (getppid() != up)
			_exit(JOB_OK); /* the startup goes on in the node, if the node does */
		err = 0;
	}
	if (err == -ETIME) {
		log_warn("node '%s': its startup still runs after %us; the node keeps running",
		         node->name, r->startup_timeout_s);
		_exit(JOB_STARTUP_TIMEOUT);
	}
	if (err < 0 || st != 0) {
		if (err < 0)
			log_warn_errno(err, "node '%s': run its startup", node->name);
		else
			log_warn("node '%s': its startup exited with status %d (see %s and "
			         "/var/log/startup.log in the node)",
			         node->name, st, logp);
		_exit(JOB_STARTUP_FAILED);
	}
	_exit(JOB_OK);
}

/* The nodes, wave by wave in lab.dep's order, at most r->jobs at once. */
static int
start_nodes(const struct labrun *r, unsigned counts[4], unsigned char *outcome)
{
	const struct lab *lab = r->lab;
	_cleanup_free_ pid_t *pids = calloc(lab->n_nodes ? lab->n_nodes : 1, sizeof(*pids));
	_cleanup_free_ bool *scripts = calloc(lab->n_nodes ? lab->n_nodes : 1, sizeof(*scripts));
	size_t next = 0, done = 0;
	unsigned running = 0, wave = 0;
	pid_t up = getpid();
	bool tty = isatty(STDERR_FILENO);

	if (!pids || !scripts)
		return -ENOMEM;
	for (size_t i = 0; i < lab->n_nodes; i++) {
		int err = prefill_upper(r, &lab->nodes[i], &scripts[i]);

		if (err < 0)
			return err;
	}
	fflush(NULL);
	while (done < lab->n_nodes) {
		pid_t pid;
		int st;

		while (next < lab->n_nodes && running < r->jobs &&
		       lab->nodes[lab->order[next]].wave == wave) {
			size_t idx = lab->order[next];

			pid = fork();
			if (pid < 0)
				return LAB_FAIL(-errno, log_error_errno(-errno, "fork"));
			if (pid == 0)
				node_job(r, idx, r->plan.startups && scripts[idx], up);
			pids[idx] = pid;
			running++;
			next++;
		}
		if (running == 0) {
			wave++; /* the wave is done: the next one may start */
			continue;
		}
		pid = waitpid(-1, &st, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			return LAB_FAIL(-errno, log_error_errno(-errno, "wait for the nodes"));
		}
		for (size_t i = 0; i < lab->n_nodes; i++)
			if (pids[i] == pid) {
				int code = WIFEXITED(st) ? WEXITSTATUS(st) : JOB_START_FAILED;

				code = code <= JOB_STARTUP_TIMEOUT ? code : JOB_START_FAILED;
				counts[code]++;
				outcome[i] = (unsigned char)code;
				pids[i] = 0;
				running--;
				done++;
				if (tty)
					fprintf(stderr, "\r%zu of %zu nodes up", done,
					        lab->n_nodes);
			}
	}
	if (tty && lab->n_nodes)
		fputc('\n', stderr);
	return 0;
}

/* up --json: the lab and each node's outcome; the exit status as up's line would give. */
static int
up_json(const struct labrun *r, const unsigned char *outcome, const unsigned counts[4])
{
	static const char *const says[] = { [JOB_OK] = "running",
		                            [JOB_START_FAILED] = "did not start",
		                            [JOB_STARTUP_FAILED] = "startup failed",
		                            [JOB_STARTUP_TIMEOUT] = "startup still running" };
	_cleanup_json_ cJSON *o = cJSON_CreateObject();
	_cleanup_free_ char *text = NULL;
	cJSON *nodes = o ? cJSON_AddArrayToObject(o, "nodes") : NULL;

	if (!nodes || !cJSON_AddStringToObject(o, "lab", r->plan.name) ||
	    !cJSON_AddNumberToObject(o, "segments", (double)r->lab->n_segments) ||
	    !cJSON_AddStringToObject(o, "switch", r->switch_sock ? r->switch_sock : "own"))
		return LAB_FAIL(1, log_error("out of memory"));
	for (size_t i = 0; i < r->lab->n_nodes; i++) {
		cJSON *n = cJSON_CreateObject();

		if (!n || !cJSON_AddItemToArray(nodes, n) ||
		    !cJSON_AddStringToObject(n, "name", r->lab->nodes[i].name) ||
		    !cJSON_AddStringToObject(n, "status", says[outcome[i]]))
			return LAB_FAIL(1, log_error("out of memory"));
	}
	text = cJSON_Print(o);
	if (!text)
		return LAB_FAIL(1, log_error("out of memory"));
	printf("%s\n", text);
	return counts[JOB_START_FAILED] ? 1 : 0;
}

int
labrun_up(struct labrun *r)
{
	_cleanup_free_ char *root = strdup(r->plan.state_dir), *logdir = state_path(r, "log"),
	                    *nodes = state_path(r, "nodes"), *upper = state_path(r, "upper"),
	                    *uplock = state_path(r, "up.pid");
	_cleanup_close_ int up_fd = -1;
	struct labmgmt mgmt;
	unsigned counts[4] = {};
	_cleanup_free_ unsigned char *outcome = NULL;
	char *slash;
	int err;

	if (!root)
		return LAB_FAIL(1, log_error("out of memory"));
	slash = strrchr(root, '/');
	if (slash && slash != root) {
		*slash = '\0';
		err = mkdir_p(root, 0755);
		if (err < 0)
			return LAB_FAIL(1, log_error_errno(err, "create '%s'", root));
	}
	if (mkdir(r->plan.state_dir, 0755) < 0) {
		if (errno != EEXIST)
			return LAB_FAIL(1,
			                log_error_errno(-errno, "create '%s'", r->plan.state_dir));
		if (switch_alive(r, NULL, NULL) || other_switch_alive(r))
			log_error("lab '%s' is up already (containet lab down --name %s)",
			          r->plan.name, r->plan.name);
		else
			log_error("lab '%s' has state left in '%s' from an interrupted run: "
			          "remove it with 'containet lab down --name %s'",
			          r->plan.name, r->plan.state_dir, r->plan.name);
		return 1;
	}
	/*
	 * Held by up and its node jobs for as long as they run: down stops an up it finds
	 * still at work before it removes anything.
	 */
	err = labproc_lock_new(uplock, &up_fd);
	if (err < 0)
		return LAB_FAIL(1, log_error_errno(err, "lock '%s'", uplock));
	if (mkdir(logdir, 0755) < 0 || mkdir(nodes, 0755) < 0 || mkdir(upper, 0755) < 0)
		return LAB_FAIL(
		        1, log_error_errno(-errno, "create the state of lab '%s'", r->plan.name));
	for (size_t i = 0; i < r->lab->n_warnings; i++)
		log_warn("%s", r->lab->warnings[i]);
	if (write_topology(r) < 0)
		return 1;
	if (start_switch(r) < 0 || add_segments(r) < 0 || start_captures(r) < 0 ||
	    labmgmtrun_up(r, &mgmt) < 0)
		goto failed;
	outcome = calloc(r->lab->n_nodes + 1, 1);
	if (!outcome)
		return LAB_FAIL(1, log_error("out of memory"));
	if (start_nodes(r, counts, outcome) < 0 || segment_states(r) < 0)
		goto failed;
	if (r->write_hosts && r->plan.mgmt && labmgmtrun_hosts(r, r->lab, &mgmt, false) < 0)
		goto failed;
	if (counts[JOB_START_FAILED])
		log_error("lab '%s': %u node%s did not start; the others are running, and "
		          "'containet lab down --name %s' removes them",
		          r->plan.name, counts[JOB_START_FAILED],
		          counts[JOB_START_FAILED] == 1 ? "" : "s", r->plan.name);
	if (r->json)
		return up_json(r, outcome, counts);
	printf("lab %s: %zu node%s, %zu segment%s", r->plan.name, r->lab->n_nodes,
	       r->lab->n_nodes == 1 ? "" : "s", r->lab->n_segments,
	       r->lab->n_segments == 1 ? "" : "s");
	if (counts[JOB_START_FAILED])
		printf(", %u did not start", counts[JOB_START_FAILED]);
	if (counts[JOB_STARTUP_FAILED])
		printf(", %u startup%s failed", counts[JOB_STARTUP_FAILED],
		       counts[JOB_STARTUP_FAILED] == 1 ? "" : "s");
	if (counts[JOB_STARTUP_TIMEOUT])
		printf(", %u startup%s still running", counts[JOB_STARTUP_TIMEOUT],
		       counts[JOB_STARTUP_TIMEOUT] == 1 ? "" : "s");
	printf("\n");
	return counts[JOB_START_FAILED] ? 1 : 0;
failed:
	log_error("lab '%s' is partly up: 'containet lab down --name %s' removes it", r->plan.name,
	          r->plan.name);
	return 1;
}

/* The names of the entries of a directory (none when it is missing). */
static int
list_dir(const char *path, char ***ret)
{
	_cleanup_(closedirp) DIR *d = opendir(path);
	_cleanup_strv_ char **v = NULL;
	struct dirent *e;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && strv_push(&v, strdup(e->d_name)) < 0)
			return -ENOMEM;
	*ret = TAKE_PTR(v);
	return 0;
}

static void
run_shutdowns(const struct labrun *r)
{
	_cleanup_free_ char *upper = state_path(r, "upper");
	_cleanup_strv_ char **names = NULL;

	if (list_dir(upper, &names) < 0)
		return;
	for (size_t i = 0; names && names[i]; i++) {
		struct lab_node node = {};
		_cleanup_free_ char *own = state_path(r, "upper/%s/hostlab/%s.shutdown", names[i],
		                                      names[i]),
		                    *shared = state_path(r, "upper/%s/hostlab/shared.shutdown",
		                                         names[i]),
		                    *script = NULL;
		_cleanup_strv_ char **argv = NULL;
		pid_t pid;
		int st;

		if (!exists(own) && !exists(shared))
			continue;
		snprintf(node.name, sizeof(node.name), "%s", names[i]);
		script = labplan_shutdown_script(&node);
		char *cmd[] = { "/bin/sh", "-c", script, NULL };
		if (!script ||
		    labplan_exec_argv(&r->plan, r->containode, names[i], false, cmd, &argv) < 0)
			continue;
		if (labproc_spawn(argv, -1, -1, -1, &pid) < 0)
			continue;
		if (labproc_wait(pid, SHUTDOWN_TIMEOUT_MS, &st) == -ETIME) {
			log_warn("node '%s': its shutdown still runs after %ds, going on", names[i],
			         SHUTDOWN_TIMEOUT_MS / 1000);
			kill(pid, SIGKILL);
			labproc_wait(pid, -1, &st);
		}
	}
}

/*
 * Every node of the lab, by `containode rm -f` of a share of them in each of up to
 * r->jobs processes at once: one rm stops its nodes one after the other, and most of a
 * node's stop is waiting for its supervisor and the kernel's teardown of its namespaces,
 * not CPU.
 */
static int
remove_nodes(const struct labrun *r)
{
	_cleanup_free_ char *dir = state_path(r, "nodes");
	_cleanup_strv_ char **ids = NULL, **left = NULL;
	_cleanup_close_ int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	_cleanup_free_ pid_t *pids = NULL;
	size_t n, procs, share;
	int err;

	err = list_dir(dir, &ids);
	if (err < 0)
		return LAB_FAIL(err, log_error_errno(err, "read '%s'", dir));
	n = strv_len(ids);
	procs = n < r->jobs ? n : r->jobs;
	share = procs ? (n + procs - 1) / procs : 0;
	pids = calloc(procs ? procs : 1, sizeof(*pids));
	if (!pids)
		return -ENOMEM;
	for (size_t p = 0; p < procs; p++) {
		_cleanup_strv_ char **argv = NULL;
		_cleanup_free_ char *sd = NULL;

		if (asprintf(&sd, "--state-dir=%s", dir) < 0 ||
		    strv_push(&argv, strdup(r->containode)) < 0 ||
		    strv_push(&argv, TAKE_PTR(sd)) < 0 || strv_push(&argv, strdup("rm")) < 0 ||
		    strv_push(&argv, strdup("-f")) < 0 || strv_push(&argv, strdup("--")) < 0)
			return -ENOMEM;
		for (size_t k = p * share; k < n && k < (p + 1) * share; k++)
			if (strv_push(&argv, strdup(ids[k])) < 0)
				return -ENOMEM;
		if (strv_len(argv) == 5)
			continue;
		/* it names each node it removed: to /dev/null */
		err = labproc_spawn(argv, -1, devnull, -1, &pids[p]);
		if (err < 0)
			log_error_errno(err, "run '%s'", r->containode);
	}
	for (size_t p = 0; p < procs; p++) {
		int st;

		if (pids[p] > 0)
			labproc_wait(pids[p], -1, &st);
	}
	err = list_dir(dir, &left);
	if (err == 0 && strv_len(left) > 0) {
		log_error("lab '%s': %zu node%s could not be removed (first: '%s')", r->plan.name,
		          strv_len(left), strv_len(left) == 1 ? "" : "s", left[0]);
		return -EBUSY;
	}
	return 0;
}

/*
 * rmdir of a cgroup directory and of the node cgroups left in it: containode leaves a
 * node's cgroup ("ID@PID") when its supervisor was killed, for the next containode in the
 * same parent to sweep; a lab's parent has no next one.  Only empty cgroups go (rmdir
 * refuses others); a cgroup whose last process is still exiting gets a moment.
 */
static int
remove_cgroup_dir(const char *path)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	_cleanup_strv_ char **entries = NULL;
	size_t n;
	int err = 0;

	if (list_dir(path, &entries) < 0)
		return 0;
	n = strv_len(entries);
	/* Each subdirectory, then (name NULL) the directory itself. */
	for (size_t i = 0; i <= n; i++) {
		_cleanup_free_ char *sub = NULL;
		const char *name = i < n ? entries[i] : NULL;
		struct stat st;

		if (name && asprintf(&sub, "%s/%s", path, name) < 0)
			return -ENOMEM;
		if (name && (lstat(sub, &st) < 0 || !S_ISDIR(st.st_mode)))
			continue;
		for (int waited = 0;; waited += 20) {
			if (rmdir(name ? sub : path) == 0 || errno == ENOENT) {
				err = 0;
				break;
			}
			err = -errno;
			if (err != -EBUSY || waited >= 2000)
				break;
			nanosleep(&tick, NULL);
		}
		if (err < 0)
			log_warn_errno(err, "remove cgroup '%s', ignoring", name ? sub : path);
	}
	return err;
}

/* The lab's parent cgroup in every hierarchy, with what containode left in it. */
static void
remove_cgroups(const struct labrun *r)
{
	_cleanup_strv_ char **mounts = NULL;
	_cleanup_free_ char *cg = labplan_cgroup(&r->plan), *top = NULL;

	if (!cg || list_dir("/sys/fs/cgroup", &mounts) < 0)
		return;
	if (asprintf(&top, "/sys/fs/cgroup%s", cg) >= 0)
		remove_cgroup_dir(top);
	for (size_t i = 0; mounts && mounts[i]; i++) {
		_cleanup_free_ char *p = NULL;

		if (asprintf(&p, "/sys/fs/cgroup/%s%s", mounts[i], cg) < 0)
			return;
		remove_cgroup_dir(p);
	}
}

/*
 * An up of this lab still at work is stopped, then its node jobs are waited for: each
 * ends once the containode run it has under way has returned (they hold up's lock), so
 * that no node appears after down has looked.
 */
static int
stop_up(const struct labrun *r)
{
	_cleanup_free_ char *uplock = state_path(r, "up.pid");
	unsigned long long start;
	pid_t pid;
	int err;

	if (labproc_lock_owner(uplock, &pid, &start) == 1) {
		log_info("lab '%s': stopping its up (pid %d)", r->plan.name, (int)pid);
		err = labproc_stop(pid, start, 0);
		if (err < 0)
			return LAB_FAIL(err,
			                log_error_errno(err, "stop the up of lab '%s' (pid %d)",
			                                r->plan.name, (int)pid));
	}
	err = labproc_lock_wait(uplock, JOB_END_MS);
	if (err < 0)
		return LAB_FAIL(err,
		                log_error("lab '%s': its up's node jobs do not end", r->plan.name));
	return 0;
}

/* The lab's segment captures (start_captures), each by its pid file's lock. */
static void
stop_captures(const struct labrun *r)
{
	_cleanup_strv_ char **names = NULL;

	if (list_dir(r->plan.state_dir, &names) < 0)
		return;
	for (size_t i = 0; names && names[i]; i++) {
		size_t n = strlen(names[i]);
		_cleanup_free_ char *pidfile = NULL;
		unsigned long long start;
		pid_t pid;
		int err;

		if (strncmp(names[i], "capture-", 8) != 0 || n < 12 ||
		    strcmp(names[i] + n - 4, ".pid") != 0)
			continue;
		pidfile = state_path(r, "%s", names[i]);
		if (labproc_lock_owner(pidfile, &pid, &start) != 1)
			continue;
		err = labproc_stop(pid, start, SWITCH_GRACE_MS);
		if (err == 0)
			err = labproc_lock_wait(pidfile, 5000);
		if (err < 0)
			log_warn_errno(err, "lab '%s': stop its capture (pid %d), going on",
			               r->plan.name, (int)pid);
	}
}

/*
 * The lab's switch, found by its pid file's lock.  A lock held with no pid in it yet is a
 * switch just forked by an up killed at that moment: it writes its pid as soon as it runs.
 */
static int
stop_switch(const struct labrun *r)
{
	_cleanup_free_ char *pidfile = state_path(r, "switch.pid");
	unsigned long long start;
	pid_t pid;
	int err = -EBADMSG;

	for (int tries = 0; err == -EBADMSG && tries < 30; tries++)
		err = labproc_lock_owner(pidfile, &pid, &start);
	if (err < 0)
		return LAB_FAIL(err,
		                log_error_errno(err, "find the switch of lab '%s'", r->plan.name));
	/*
	 * A free lock should mean no switch; but the pid and start time it was written with
	 * name exactly one process, so one still alive is stopped all the same (a SIGKILLed
	 * up has left one running with its lock free).
	 */
	if (err == 0 &&
	    (labproc_pidfile_read(pidfile, &pid, &start) < 0 || !labproc_alive(pid, start)))
		return 0;
	err = labproc_stop(pid, start, SWITCH_GRACE_MS);
	if (err == 0)
		err = labproc_lock_wait(pidfile, 5000);
	if (err < 0)
		return LAB_FAIL(err, log_error_errno(err, "stop the switch of lab '%s' (pid %d)",
		                                     r->plan.name, (int)pid));
	return 0;
}

DEFINE_CLEANUP_FUNC(struct lab *, labconf_free)

/* The lab that is up as lab.json has it, or NULL (a killed up may have written none). */
static struct lab *
state_lab(const struct labrun *r)
{
	_cleanup_free_ char *path = state_path(r, "lab.json"), *buf = NULL, *err = NULL;
	struct lab *lab = NULL;
	size_t len = 0;

	if (read_file_at(AT_FDCWD, path, LAB_FILE_MAX, &buf, &len) < 0 ||
	    labjson_parse(buf, len, path, &lab, &err) < 0)
		return NULL;
	return lab;
}

/* up --switch: the lab's segments leave the switch that stays (its nodes' ports are gone). */
static void
remove_segments(const struct labrun *r, const struct lab *lab)
{
	_cleanup_free_ char *sock = state_path(r, "switch.sock");

	for (size_t i = 0; lab && i < lab->n_segments; i++) {
		char *argv[] = { (char *)r->containet,  "-s", sock, "segment", "del",
			         lab->segments[i].name, NULL };
		_cleanup_free_ char *what = NULL;

		if (asprintf(&what, "remove segment '%s'", lab->segments[i].name) < 0 ||
		    run_quiet(r, argv, what) < 0)
			log_warn("lab '%s': segment '%s' stays on its switch", r->plan.name,
			         lab->segments[i].name);
	}
}

/* down --json: what down removed. */
static int
down_json(const struct labrun *r, const struct lab *lab, bool was_up, const char *external)
{
	_cleanup_json_ cJSON *o = cJSON_CreateObject();
	_cleanup_free_ char *text = NULL;
	cJSON *nodes = o ? cJSON_AddArrayToObject(o, "nodes") : NULL,
	      *segs = o ? cJSON_AddArrayToObject(o, "segments") : NULL;

	if (!nodes || !segs || !cJSON_AddStringToObject(o, "lab", r->plan.name) ||
	    !cJSON_AddBoolToObject(o, "was_up", was_up) ||
	    !cJSON_AddStringToObject(o, "switch",
	                             !was_up    ? "none"
	                             : external ? "left running"
	                                        : "stopped") ||
	    (external && !cJSON_AddStringToObject(o, "switch_socket", external)))
		return LAB_FAIL(1, log_error("out of memory"));
	for (size_t i = 0; lab && i < lab->n_nodes; i++)
		if (!cJSON_AddItemToArray(nodes, cJSON_CreateString(lab->nodes[i].name)))
			return LAB_FAIL(1, log_error("out of memory"));
	for (size_t i = 0; lab && i < lab->n_segments; i++)
		if (!cJSON_AddItemToArray(segs, cJSON_CreateString(lab->segments[i].name)))
			return LAB_FAIL(1, log_error("out of memory"));
	text = cJSON_Print(o);
	if (!text)
		return LAB_FAIL(1, log_error("out of memory"));
	printf("%s\n", text);
	return fflush(stdout) == 0 ? 0 : 1;
}

int
labrun_down(struct labrun *r)
{
	_cleanup_(labconf_freep) struct lab *lab = NULL;
	_cleanup_free_ char *sock = NULL, *external = NULL;
	struct stat st;
	int err;

	if (!exists(r->plan.state_dir)) {
		log_info("lab '%s' is not up", r->plan.name);
		return r->json ? down_json(r, NULL, false, NULL) : 0;
	}
	err = stop_up(r);
	if (err < 0)
		return 1;
	lab = state_lab(r);
	sock = state_path(r, "switch.sock");
	if (lstat(sock, &st) == 0 && S_ISLNK(st.st_mode)) {
		external = realpath(sock, NULL);
		if (!external)
			external = strdup(sock);
		if (!external)
			return LAB_FAIL(1, log_error("out of memory"));
	}
	run_shutdowns(r);
	err = remove_nodes(r);
	if (err < 0)
		return 1;
	stop_captures(r);
	if (external)
		remove_segments(r, lab);
	else if (stop_switch(r) < 0)
		return 1;
	remove_cgroups(r);
	labmgmtrun_down(r);
	err = rm_rf_at(AT_FDCWD, r->plan.state_dir);
	if (err < 0)
		return LAB_FAIL(1, log_error_errno(err, "remove '%s'", r->plan.state_dir));
	return r->json ? down_json(r, lab, true, external) : 0;
}
