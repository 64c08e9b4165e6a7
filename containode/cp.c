/*
 * containode cp: copies between the host and a running node, through file descriptors
 * only.  The node's side is reached from /proc/PID/root with openat2(RESOLVE_IN_ROOT), so
 * every symlink in the node, absolute or not, resolves inside the node; below the
 * resolved directory, every entry is opened with O_NOFOLLOW relative to its parent, so a
 * node that swaps a directory for a symlink meanwhile gains nothing.  A tar goes in
 * through mocker (its layer unpacker refuses what would leave the directory).
 */
#include "cp.h"

#include "cleanup.h"
#include "image.h"
#include "life.h"
#include "log.h"
#include "plan.h"
#include "proc.h"
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CP_DEPTH_MAX 256
#define CP_BUF (128 * 1024)

/* clang-format off */
static const char cp_usage[] =
        "Usage: containode cp [OPTIONS] SRC ID:DST\n"
        "       containode cp [OPTIONS] ID:SRC DST\n"
        "       containode cp -a FILE.tar ID:DIR\n"
        "Copy a file or a tree from the host into a running node, or out of it, as docker cp:\n"
        "to an existing directory DST the copy goes inside it, else it becomes DST.  Modes,\n"
        "owners and times are kept; symlinks are copied as they are.  With -a, the tar FILE (any\n"
        "compression; - for standard input) is unpacked into the node's directory DIR.\n"
        "  -a, --archive         SRC is a tar to unpack into ID:DIR\n"
        "      --state-dir=DIR   the nodes' states (default $CONTAINODE_STATE or " STATE_DIR_DEFAULT
        ")\n";
/* clang-format on */

/* The directory fd of path below root (the node's root when rootfd >= 0: resolved in it). */
static int
open_dir(int rootfd, const char *path)
{
	if (rootfd < 0)
		return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, rootfd, *path ? path : "/", &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

/* path as its parent directory (opened) and last component; "." for the parent of "x". */
static int
split_path(int rootfd, const char *path, int *ret_dir, char **ret_name)
{
	_cleanup_free_ char *copy = strdup(path);
	char *slash, *name;
	int fd;

	if (!copy)
		return -ENOMEM;
	/* Trailing slashes say "a directory"; the caller has seen them. */
	for (size_t n = strlen(copy); n > 1 && copy[n - 1] == '/'; n--)
		copy[n - 1] = '\0';
	slash = strrchr(copy, '/');
	if (!slash) {
		name = copy;
		fd = open_dir(rootfd, rootfd < 0 ? "." : "/");
	} else if (slash == copy) {
		name = slash + 1;
		fd = open_dir(rootfd, "/");
	} else {
		*slash = '\0';
		name = slash + 1;
		fd = open_dir(rootfd, copy);
	}
	if (fd < 0)
		return fd;
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		/* "/", "." or "..": the directory itself, named from its own parent. */
		int dir = openat(fd, *name ? name : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		if (dir < 0)
			return -errno;
		*ret_dir = dir;
		*ret_name = strdup(".");
		return *ret_name ? 0 : -ENOMEM;
	}
	*ret_dir = fd;
	*ret_name = strdup(name);
	return *ret_name ? 0 : -ENOMEM;
}

struct copier {
	char *buf;
	const char *what; /* for messages: the source as the user named it */
};

static int
copy_meta(int fd, const struct stat *st)
{
	struct timespec t[2] = { st->st_atim, st->st_mtim };

	/* Owner first: chown drops setuid bits, chmod puts them back. */
	if (fchown(fd, st->st_uid, st->st_gid) < 0 || fchmod(fd, st->st_mode & 07777) < 0 ||
	    futimens(fd, t) < 0)
		return -errno;
	return 0;
}

static int
copy_data(struct copier *c, int in, int out)
{
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n > 0)
			continue;
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
			return -errno;
		break;
	}
	for (;;) {
		ssize_t n = read(in, c->buf, CP_BUF), w;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		for (ssize_t off = 0; off < n; off += w) {
			w = write(out, c->buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w < 0)
				return -errno;
		}
	}
}

/* Whatever is at dname in ddir, gone, unless it is a directory and keep_dir. */
static int
clear_target(int ddir, const char *dname, bool keep_dir)
{
	struct stat st;

	if (fstatat(ddir, dname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode)) {
		if (keep_dir)
			return 0;
		return -EISDIR;
	}
	return unlinkat(ddir, dname, 0) < 0 ? -errno : 0;
}

static int copy_entry(struct copier *c, int sdir, const char *sname, int ddir, const char *dname,
                      int depth);

static int
copy_tree(struct copier *c, int sfd, int dfd, int depth)
{
	_cleanup_(closedirp) DIR *d = fdopendir(dup(sfd));
	struct dirent *de;
	int r;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = copy_entry(c, sfd, de->d_name, dfd, de->d_name, depth + 1);
		if (r < 0)
			return r;
	}
	return 0;
}

static int
copy_entry(struct copier *c, int sdir, const char *sname, int ddir, const char *dname, int depth)
{
	struct stat st;
	int r;

	if (depth > CP_DEPTH_MAX)
		return -ELOOP;
	if (fstatat(sdir, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int sfd = -1, dfd = -1;
		r = clear_target(ddir, dname, true);
		if (r < 0)
			return r;
		if (mkdirat(ddir, dname, 0700) < 0 && errno != EEXIST)
			return -errno;
		sfd = openat(sdir, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		dfd = openat(ddir, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sfd < 0 || dfd < 0)
			return -errno;
		r = copy_tree(c, sfd, dfd, depth);
		return r < 0 ? r : copy_meta(dfd, &st);
	}
	r = clear_target(ddir, dname, false);
	if (r < 0)
		return r;
	if (S_ISREG(st.st_mode)) {
		_cleanup_close_ int in = openat(sdir, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_close_ int out = -1;
		if (in < 0)
			return -errno;
		out = openat(ddir, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		             0600);
		if (out < 0)
			return -errno;
		r = copy_data(c, in, out);
		return r < 0 ? r : copy_meta(out, &st);
	}
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		struct timespec t[2] = { st.st_atim, st.st_mtim };
		ssize_t n = readlinkat(sdir, sname, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		if (symlinkat(target, ddir, dname) < 0 ||
		    fchownat(ddir, dname, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
		    utimensat(ddir, dname, t, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		return 0;
	}
	if (S_ISSOCK(st.st_mode))
		return 0; /* a socket is a live thing, not a file to copy */
	if (mknodat(ddir, dname, st.st_mode & (S_IFMT | 0777), st.st_rdev) < 0)
		return -errno;
	_cleanup_close_ int fd = openat(ddir, dname, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	char proc[64];
	struct timespec t[2] = { st.st_atim, st.st_mtim };
	if (fd < 0)
		return -errno;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (chown(proc, st.st_uid, st.st_gid) < 0 || chmod(proc, st.st_mode & 07777) < 0 ||
	    utimensat(AT_FDCWD, proc, t, 0) < 0)
		return -errno;
	return 0;
}

/* ID:PATH -> the node's part and the path; NULL when arg names no node. */
static char *
node_part(const char *arg, const char **ret_path)
{
	const char *colon = strchr(arg, ':');

	/* As docker: a path with a slash before the colon is a local path. */
	if (!colon || colon == arg || memchr(arg, '/', (size_t)(colon - arg)))
		return NULL;
	*ret_path = colon + 1;
	return strndup(arg, (size_t)(colon - arg));
}

/* The root of the running node, as an O_PATH fd checked to be of that very process. */
static int
node_root(const char *state_dir, const char *id, char **ret_id)
{
	struct node_state st;
	char path[64];
	uint64_t start;
	int fd = -1, r;

	state_init(&st);
	r = life_load(state_dir, id, &st, NULL);
	if (r < 0)
		goto out;
	if (life_status(&st) != STATE_RUNNING && life_status(&st) != STATE_PAUSED) {
		log_error("node '%s' is %s: cp needs it running", st.id,
		          state_status_name(life_status(&st)));
		r = -ESRCH;
		goto out;
	}
	snprintf(path, sizeof(path), "/proc/%d/root", (int)st.pid);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* Checked after the open: the fd is then of that very process. */
	if (fd < 0 || proc_start(st.pid, &start) < 0 || start != st.pid_start) {
		log_error("node '%s' is gone", st.id);
		r = -ESRCH;
		goto out;
	}
	*ret_id = strdup(st.id);
	r = *ret_id ? 0 : -ENOMEM;
out:
	state_free(&st);
	if (r < 0 && fd >= 0)
		close(fd);
	return r < 0 ? r : fd;
}

/* cp SRC DST, each side in its root (-1: the host). */
static int
copy_path(int sroot, const char *src, int droot, const char *dst, const char *what_src,
          const char *what_dst)
{
	_cleanup_free_ char *sname = NULL, *dname = NULL, *buf = malloc(CP_BUF);
	_cleanup_close_ int sdir = -1, ddir = -1, inside = -1;
	struct copier c = { .buf = buf, .what = what_src };
	struct stat sst, dst_st;
	size_t slen = strlen(src);
	bool src_dot = (slen >= 2 && strcmp(src + slen - 2, "/.") == 0) || strcmp(src, ".") == 0;
	int r;

	if (!buf)
		return -ENOMEM;
	r = split_path(sroot, src, &sdir, &sname);
	if (r >= 0 && fstatat(sdir, sname, &sst, AT_SYMLINK_NOFOLLOW) < 0)
		r = -errno;
	if (r < 0) {
		log_error_errno(r, "cp: source '%s'", what_src);
		return r;
	}
	/* An existing directory (symlinks followed, in the node's root for the node): the
	 * copy goes inside it, or its contents for "SRC/.". */
	inside = open_dir(droot, dst);
	if (inside >= 0) {
		if (src_dot) {
			_cleanup_close_ int sfd = openat(
			        sdir, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			r = sfd < 0 ? -errno : copy_tree(&c, sfd, inside, 0);
		} else {
			r = copy_entry(&c, sdir, sname, inside, sname, 0);
		}
	} else if (dst[strlen(dst) - 1] == '/') {
		log_error("cp: destination '%s' is not a directory", what_dst);
		return -ENOTDIR;
	} else {
		r = split_path(droot, dst, &ddir, &dname);
		if (r < 0) {
			log_error_errno(r, "cp: destination '%s'", what_dst);
			return r;
		}
		if (S_ISDIR(sst.st_mode) &&
		    fstatat(ddir, dname, &dst_st, AT_SYMLINK_NOFOLLOW) == 0) {
			log_error("cp: cannot copy the directory '%s' over '%s'", what_src,
			          what_dst);
			return -ENOTDIR;
		}
		r = copy_entry(&c, sdir, sname, ddir, dname, 0);
	}
	if (r < 0)
		log_error_errno(r, "cp '%s' to '%s'", what_src, what_dst);
	return r;
}

/* mocker extract TAR /proc/self/fd/N: the tar unpacked into the directory fd. */
static int
extract_tar(int dirfd, const char *tar, const char *what)
{
	char path[PATH_MAX], target[64];
	int status;
	pid_t pid;

	image_mocker_path(path, sizeof(path));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* Fd 3 in mocker: the node's directory, reached by no path of the host. */
		if (dup2(dirfd, 3) < 0)
			_exit(127);
		snprintf(target, sizeof(target), "/proc/self/fd/3");
		char *argv[] = { "mocker", "extract", (char *)tar, target, NULL };
		execvp(path, argv);
		fprintf(stderr, "containode: run '%s': %s\n", path, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_error("cp: unpacking '%s' into '%s' failed", tar, what);
		return -EIO;
	}
	return 0;
}

int
cp_main(const char *state_dir, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "archive", no_argument, NULL, 'a' },
		{ "state-dir", required_argument, NULL, LIFE_OPT_STATE_DIR },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_free_ char *sid = NULL, *did = NULL, *id = NULL;
	_cleanup_close_ int root = -1;
	const char *spath = NULL, *dpath = NULL, *src, *dst;
	bool archive = false;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:ah", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			archive = true;
			break;
		case LIFE_OPT_STATE_DIR:
			state_dir = optarg;
			break;
		case 'h':
			fputs(cp_usage, stdout);
			return 0;
		case ':':
			log_usage_error("cp: option '%s' needs an argument", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			log_usage_error("cp: unrecognized option '%s'", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		log_usage_error("cp: want a source and a destination (SRC ID:DST or ID:SRC DST)");
		return EXIT_USAGE;
	}
	src = argv[optind];
	dst = argv[optind + 1];
	sid = node_part(src, &spath);
	did = node_part(dst, &dpath);
	if (!!sid == !!did || !*src || !*dst) {
		log_usage_error("cp: exactly one of SRC and DST names a node (ID:PATH)");
		return EXIT_USAGE;
	}
	if (archive && !did) {
		log_usage_error("cp: -a unpacks a tar into a node: FILE.tar ID:DIR");
		return EXIT_USAGE;
	}
	if ((sid && !*spath) || (did && !*dpath)) {
		log_usage_error("cp: no path after the node's name");
		return EXIT_USAGE;
	}
	state_dir = life_state_dir(state_dir);
	root = node_root(state_dir, sid ? sid : did, &id);
	if (root < 0)
		return 1;
	if (archive) {
		_cleanup_close_ int dir = open_dir(root, dpath);
		if (dir < 0) {
			log_error_errno(dir, "cp: directory '%s' of node '%s'", dpath, id);
			return 1;
		}
		r = extract_tar(dir, strcmp(src, "-") == 0 ? "/dev/stdin" : src, dst);
	} else if (sid) {
		r = copy_path(root, spath, -1, dst, src, dst);
	} else {
		r = copy_path(-1, src, root, dpath, src, dst);
	}
	return r < 0 ? 1 : 0;
}
