#include "image.h"

#include "cleanup.h"
#include "fileio.h"
#include "imageconfig.h"
#include "imagestore.h"
#include "log.h"
#include "passwd.h"
#include "strv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define IMAGE_ETC_MAX (4u << 20)

int
image_parse_option(struct plan *p, int c, const char *arg)
{
	switch (c) {
	case IMAGE_OPT_IMAGE:
		p->image = arg;
		return 0;
	case IMAGE_OPT_ENTRYPOINT:
		p->entrypoint = arg;
		return 0;
	case IMAGE_OPT_PULL:
		if (strcmp(arg, "missing") != 0 && strcmp(arg, "never") != 0) {
			log_usage_error("--pull: 'missing' or 'never', not '%s'", arg);
			return -EINVAL;
		}
		p->pull_missing = strcmp(arg, "missing") == 0;
		return 0;
	case IMAGE_OPT_STORE:
		p->store = arg;
		return 0;
	case IMAGE_OPT_HOSTNAME:
		if (!plan_hostname_valid(arg)) {
			log_usage_error("--hostname: invalid host name '%s'", arg);
			return -EINVAL;
		}
		p->hostname = arg;
		return 0;
	case 'u':
		if (!plan_user_valid(arg)) {
			log_usage_error("-u: invalid user '%s'", arg);
			return -EINVAL;
		}
		p->user_spec = arg;
		return 0;
	default:
		return 1;
	}
}

/*
 * The file path of a root tree as the node will see it: resolved as if root were "/",
 * so that a symlink an image brings cannot lead to the host's files.  "" when missing.
 */
static int
root_file(const char *root, const char *path, char **ret, size_t *ret_len)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	_cleanup_close_ int dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -1;
	char proc[64];

	if (dfd < 0)
		return -errno;
	fd = (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
	if (fd < 0 && errno != ENOENT)
		return -errno;
	if (fd < 0) {
		*ret = strdup("");
		*ret_len = 0;
		return *ret ? 0 : -ENOMEM;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return read_file_at(AT_FDCWD, proc, IMAGE_ETC_MAX, ret, ret_len);
}

/* The node's file: TOP's when the changes kept there have one, else ROOT's. */
static int
node_file(const struct plan *p, const char *path, char **ret, size_t *ret_len)
{
	struct stat st;
	char *text;
	size_t len;

	if (p->top && !p->ephemeral && fstatat(AT_FDCWD, p->top, &st, 0) == 0 &&
	    root_file(p->top, path, &text, &len) >= 0) {
		if (len > 0) {
			*ret = text;
			*ret_len = len;
			return 0;
		}
		free(text);
	}
	return root_file(p->root ? p->root : "/", path, ret, ret_len);
}

static int
plan_user(struct plan *p, const char *spec, char **ret_home)
{
	_cleanup_free_ char *passwd = NULL, *group = NULL, *why = NULL;
	struct passwd_user u = { 0 };
	size_t plen, glen;
	int r;

	r = node_file(p, "etc/passwd", &passwd, &plen);
	if (r >= 0)
		r = node_file(p, "etc/group", &group, &glen);
	if (r < 0) {
		log_error_errno(r, "read the node's /etc/passwd and /etc/group");
		return r;
	}
	r = passwd_resolve(spec, passwd, plen, group, glen, &u, &why);
	if (r < 0) {
		if (why)
			log_error("user '%s': %s", spec, why);
		else
			log_error_errno(r, "user '%s'", spec);
		return r;
	}
	p->uid = u.uid;
	p->gid = u.gid;
	p->have_user = true;
	free(p->groups);
	/* As runc: the primary group too, then the user's others. */
	p->groups = TAKE_PTR(u.groups);
	p->n_groups = u.n_groups;
	if (ret_home)
		*ret_home = TAKE_PTR(u.home);
	passwd_user_done(&u);
	return 0;
}

int
image_plan_user(struct plan *p, const char *spec)
{
	return plan_user(p, spec, NULL);
}

/* mocker beside containode (as installed and as built), else along PATH. */
void
image_mocker_path(char *buf, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	snprintf(buf, size, "mocker");
	if (n <= 0)
		return;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = '\0';
	if ((size_t)snprintf(buf, size, "%s/mocker", self) >= size || access(buf, X_OK) < 0)
		snprintf(buf, size, "mocker");
}

/* `mocker --store STORE VERB REF`, its output on our stderr: stdout is the node's. */
static int
run_mocker(const char *store, const char *verb, const char *ref)
{
	char path[PATH_MAX];
	int status;
	pid_t pid;

	image_mocker_path(path, sizeof(path));
	log_debug("running %s --store %s %s %s", path, store, verb, ref);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char *argv[] = {
			"mocker", "--store", (char *)store, (char *)verb, (char *)ref, NULL
		};

		if (dup2(STDERR_FILENO, STDOUT_FILENO) >= 0)
			execvp(path, argv);
		fprintf(stderr, "containode: run '%s': %s\n", path, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_error("'mocker --store %s %s %s' failed", store, verb, ref);
		return -EIO;
	}
	return 0;
}

static int
find_image(const struct plan *p, const char *store, struct imagestore_image *ret)
{
	_cleanup_free_ char *why = NULL;
	int r;

	r = imagestore_open(store, p->image, ret, &why);
	if (r == -ENOENT && p->pull_missing) {
		r = run_mocker(store, "pull", p->image);
		if (r < 0)
			return r;
		free(why);
		why = NULL;
		r = imagestore_open(store, p->image, ret, &why);
	}
	if (r == -ENOENT)
		log_error("%s: run 'mocker --store %s pull %s' (or use --pull missing)",
		          why ? why : strerror(ENOENT), store, p->image);
	else if (r < 0)
		log_error("%s", why ? why : strerror(-r));
	return r;
}

/* The rootfs, unpacked by mocker when it is not yet, and held for the node's life. */
static int
hold_rootfs(struct plan *p, const char *store, const struct imagestore_image *img)
{
	int fd = imagestore_rootfs_hold(img->rootfs);

	if (fd == -ENOENT) {
		int r = run_mocker(store, "rootfs", img->name);
		if (r < 0)
			return r;
		fd = imagestore_rootfs_hold(img->rootfs);
	}
	if (fd < 0) {
		log_error_errno(fd, "hold the root file system '%s'", img->rootfs);
		return fd;
	}
	p->rootfs_fd = fd;
	p->root = strdup(img->rootfs);
	if (!p->root) {
		log_error_errno(-ENOMEM, "plan the root");
		return -ENOMEM;
	}
	return 0;
}

int
image_plan(struct plan *p, char *const *env)
{
	_cleanup_(imagestore_image_done) struct imagestore_image img = { 0 };
	_cleanup_(imageconfig_done) struct imageconfig cfg = { 0 };
	_cleanup_(imageconfig_run_done) struct imageconfig_run run = { 0 };
	_cleanup_free_ char *why = NULL, *home = NULL;
	const char *store = p->store;
	int r;

	if (!store)
		store = getenv("CONTAINET_STORE");
	if (!store || !*store)
		store = IMAGESTORE_DEFAULT;
	r = find_image(p, store, &img);
	if (r < 0)
		return r;
	r = hold_rootfs(p, store, &img);
	if (r < 0)
		return r;
	/* Nothing is ever written under the store: the changes go to -t or to memory. */
	if (!p->top)
		p->ephemeral = true;
	r = imageconfig_parse(img.config, img.config_len, &cfg, &why);
	if (r < 0) {
		log_error("image '%s': config: %s", p->image, why ? why : strerror(-r));
		return r;
	}
	struct imageconfig_options o = {
		.args = p->argv,
		.entrypoint = p->entrypoint,
		.env = env,
		.caller_env = environ,
		.workdir = p->cwd,
		.user = p->user_spec,
		.hostname = plan_hostname(p),
		.tty = p->tty,
	};
	r = imageconfig_apply(&cfg, &o, &run, &why);
	if (r < 0) {
		log_error("image '%s': %s", p->image, why ? why : strerror(-r));
		return r;
	}
	r = plan_user(p, run.user, &home);
	if (r < 0)
		return r;
	r = imageconfig_env_default(&run.env, "HOME", home);
	for (size_t i = 0; r >= 0 && run.env[i]; i++)
		r = plan_env_set(p, run.env[i], NULL);
	if (r < 0) {
		log_error_errno(r, "build the environment");
		return r;
	}
	p->image_argv = TAKE_PTR(run.argv);
	p->argv = p->image_argv;
	p->image_cwd = TAKE_PTR(run.workdir);
	p->cwd = p->image_cwd;
	p->make_cwd = true;
	p->stop_signal = run.stop_signal;
	return 0;
}

/* Whether path is the unpacked tree of an image: STORE/rootfs/<64 hex> beside
 * STORE/images/oci-layout. */
static bool
is_store_rootfs(const char *path)
{
	_cleanup_free_ char *real = realpath(path, NULL), *layout = NULL;
	char *name, *parent;
	struct stat st;

	if (!real || !(name = strrchr(real, '/')) || name == real)
		return false;
	*name++ = '\0';
	if (strlen(name) != 64 || strspn(name, "0123456789abcdef") != 64)
		return false;
	parent = strrchr(real, '/');
	if (!parent || strcmp(parent, "/rootfs") != 0)
		return false;
	*parent = '\0';
	if (asprintf(&layout, "%s/images/oci-layout", real) < 0)
		return false;
	return stat(layout, &st) == 0;
}

int
image_plan_root(struct plan *p)
{
	int fd;

	if (!p->root || !is_store_rootfs(p->root))
		return 0;
	/* As with --image: held while the node lives, and nothing written beside it. */
	fd = imagestore_rootfs_hold(p->root);
	if (fd < 0) {
		log_error_errno(fd, "hold the root file system '%s'", p->root);
		return fd;
	}
	p->rootfs_fd = fd;
	if (!p->top)
		p->ephemeral = true;
	return 0;
}

int
image_enter_workdir(const struct plan *p, struct setup_error *e)
{
	char path[PATH_MAX];

	if (!p->cwd)
		return 0;
	if (p->make_cwd && (size_t)snprintf(path, sizeof(path), "%s/", p->cwd) < sizeof(path)) {
		/* As Docker: created when missing, as root, and before the user changes. */
		for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
			*s = '\0';
			if (mkdir(path, 0755) < 0 && errno != EEXIST)
				return setup_fail(e, -errno, "create directory '%s'", path);
			*s = '/';
		}
	}
	if (chdir(p->cwd) < 0)
		return setup_fail(e, -errno, "change to directory '%s'", p->cwd);
	return 0;
}
