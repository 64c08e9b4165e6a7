/*
 * Layer extraction with OCI semantics.
 *
 * Safety: nothing is ever resolved through a symbolic link inside the root.  Parent
 * directories are opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) and every
 * change is made with an *at() call on a single name relative to that fd, so neither an
 * entry of this layer nor one planted by an earlier layer can redirect a write, a removal
 * or a hard link outside the root.  Names are normalised first: absolute names and ".."
 * components are refused outright (layerpath.c).
 *
 * Atomicity: files, symlinks, device nodes and hard links are created under a temporary
 * name in their directory and renamed into place once complete, so a failed layer never
 * leaves a half-written file under its real name.  The caller unpacks into a directory
 * nobody uses yet and publishes it only on success.
 *
 * Ordering, as umoci does it: a whiteout never removes what this layer itself created
 * (whatever the order of the entries); directory modes and times are applied after the
 * whole layer is written, and a directory the layer changes without declaring keeps the
 * times it had.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "errtext.h"
#include "lazyarchive.h"
#include "layerpath.h"
#include "log.h"
#include "pathset.h"
#include "rmtree.h"
#include "unpack.h"

#define TMP_NAME_MAX 64

/* Metadata of a directory, applied once the layer is written: the header's for a
 * directory the layer declares, the previous times for one it only changed. */
struct dir_meta {
	bool declared;     /* mode and times from the layer */
	bool restore_mode; /* mode is the one it had, lifted to write into it without root */
	mode_t mode;
	struct timespec times[2];
};

struct unpacker {
	int rootfd;
	bool root;
	struct pathset *created; /* paths this layer wrote, with their ancestors */
	struct pathset *dirs;    /* directory path -> struct dir_meta */
	char *cache_path;        /* the parent directory resolved last, and its fd */
	int cache_fd;
	char *error;
	int pid; /* in temporary names */
	unsigned tmp_seq;
	uint64_t max_size; /* 0: none */
	uint64_t *size;    /* sizes of the files written so far */
	uint64_t own_size;
};

enum node_kind {
	NODE_FILE,
	NODE_SYMLINK,
	NODE_MKNOD,
	NODE_LINK,
};

struct node_spec {
	enum node_kind kind;
	const char *target; /* NODE_SYMLINK */
	mode_t mode;        /* NODE_MKNOD */
	dev_t dev;          /* NODE_MKNOD */
	int link_dirfd;     /* NODE_LINK */
	const char *link_name;
};

static bool have_openat2 = true;

/*
 * Opens path (relative, "" for the root) below rootfd one component at a time, each with
 * O_NOFOLLOW, the last with flags.  With mkdirs, missing components are made (0755, like
 * tar and umoci) on the way.
 */
static int
walk_beneath(int rootfd, const char *path, int flags, bool mkdirs)
{
	_cleanup_close_ int fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *copy = strdup(path);
	char *save = NULL;

	if (fd < 0)
		return -errno;
	if (!copy)
		return -ENOMEM;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		bool last = !save || !*save;
		int f = (last ? flags : O_RDONLY | O_DIRECTORY) | O_CLOEXEC | O_NOFOLLOW;
		int next = openat(fd, c, f);

		if (next < 0 && errno == ENOENT && mkdirs) {
			if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST)
				return -errno;
			next = openat(fd, c, f);
		}
		if (next < 0)
			return -errno;
		close(fd);
		fd = next;
	}
	return TAKE_FD(fd);
}

/* Opens path (relative, "" for the root) below rootfd without following any symlink. */
static int
open_beneath(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned)(flags | O_CLOEXEC | O_NOFOLLOW),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long r;

	if (have_openat2) {
		r = syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
		if (r >= 0)
			return (int)r;
		if (errno != ENOSYS)
			return -errno;
		/* Old kernels, and seccomp profiles that predate openat2. */
		have_openat2 = false;
	}

	/* Kernels before 5.6: one component at a time. */
	return walk_beneath(rootfd, path, flags, false);
}

/*
 * After open_beneath(dir) failed with ENOTDIR or ELOOP (which of the two depends on where
 * the kernel met the symlink): -ELOOP if a component of dir is a symlink, -ENOTDIR if one
 * is something else that is not a directory.  Only reads, never follows a link.
 */
static int
why_not_dir(int rootfd, const char *dir, int err)
{
	_cleanup_close_ int fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *copy = strdup(dir);
	char *save = NULL;

	if (fd < 0 || !copy)
		return err;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		struct stat st;
		int next;

		if (fstatat(fd, c, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		if (S_ISLNK(st.st_mode))
			return -ELOOP;
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
		next = openat(fd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			return -errno;
		close(fd);
		fd = next;
	}
	return err;
}

/* Opens directory dir below rootfd, never through a symlink; -ELOOP if one is in the
 * way, -ENOTDIR if something else is. */
static int
open_dir_beneath(int rootfd, const char *dir)
{
	int fd = open_beneath(rootfd, dir, O_RDONLY | O_DIRECTORY);

	if (fd == -ENOTDIR || fd == -ELOOP)
		return why_not_dir(rootfd, dir, fd);
	return fd;
}

static void
cache_drop(struct unpacker *u)
{
	u->cache_fd = safe_close(u->cache_fd);
	free(u->cache_path);
	u->cache_path = NULL;
}

/* Forgets the cached directory if path is it or one of its ancestors (it is going away). */
static void
cache_drop_at(struct unpacker *u, const char *path)
{
	size_t len = strlen(path);

	if (!u->cache_path)
		return;
	if (len == 0 || (strncmp(u->cache_path, path, len) == 0 &&
	                 (u->cache_path[len] == '\0' || u->cache_path[len] == '/')))
		cache_drop(u);
}

static int
oom(struct unpacker *u)
{
	return error_set_first(&u->error, -ENOMEM, "out of memory");
}

/*
 * Remembers the times of a directory the layer is about to change, unless known.  Without
 * root, a directory the owner cannot write (a read-only directory of a lower layer) is
 * opened up for the time of the layer and its mode restored at the end.
 */
static int
note_dir(struct unpacker *u, const char *path, int fd)
{
	struct dir_meta *m;
	struct stat st;
	void **slot;
	int r;

	r = pathset_add(u->dirs, path, &slot);
	if (r < 0)
		return oom(u);
	if (r == 0)
		return 0;
	m = calloc(1, sizeof(*m));
	if (!m)
		return oom(u);
	*slot = m;
	if (fstat(fd, &st) < 0)
		return error_set_first(&u->error, -errno, "'%s': stat: %m", *path ? path : ".");
	m->times[0] = st.st_atim;
	m->times[1] = st.st_mtim;
	if (!u->root && (st.st_mode & 0300) != 0300 &&
	    fchmod(fd, (st.st_mode & 07777) | 0300) == 0) {
		m->restore_mode = true;
		m->mode = st.st_mode & 07777;
	}
	return 0;
}

/* Creates the missing directories of dir, never following a symlink; returns an fd of dir. */
static int
make_dirs(struct unpacker *u, const char *dir)
{
	return walk_beneath(u->rootfd, dir, O_RDONLY | O_DIRECTORY, true);
}

/* Explains why the directory of an entry cannot be used. */
static int
dir_error(struct unpacker *u, int r, const char *entry, const char *dir)
{
	switch (r) {
	case -ELOOP:
		return error_set_first(&u->error, r,
		                       "'%s': refusing to write through a symbolic link in '%s'",
		                       entry, dir);
	case -EXDEV:
		return error_set_first(&u->error, r, "'%s': refusing a path that leaves the root",
		                       entry);
	case -ENOTDIR:
		return error_set_first(&u->error, r, "'%s': '%s' is not a directory", entry, dir);
	case -ENOMEM:
		return oom(u);
	default:
		return error_set_first(&u->error, r, "'%s': open directory '%s': %s", entry, dir,
		                       strerror(-r));
	}
}

/*
 * The directory holding path (its first len bytes), created if missing when create is
 * set.  The fd is borrowed from a one-entry cache: consecutive entries nearly always share
 * their directory.  Returns -errno without a reason; the caller explains.
 */
static int
parent_dir(struct unpacker *u, const char *path, size_t len, bool create)
{
	_cleanup_free_ char *dir = NULL;
	int fd, r;

	if (u->cache_path && strlen(u->cache_path) == len && memcmp(u->cache_path, path, len) == 0)
		return u->cache_fd;
	dir = strndup(path, len);
	if (!dir)
		return -ENOMEM;
	fd = open_dir_beneath(u->rootfd, dir);
	if (fd == -ENOENT && create)
		fd = make_dirs(u, dir);
	if (fd == -ENOTDIR || fd == -ELOOP)
		fd = why_not_dir(u->rootfd, dir, fd);
	if (fd < 0)
		return fd;
	cache_drop(u);
	u->cache_fd = fd;
	u->cache_path = TAKE_PTR(dir);
	r = note_dir(u, u->cache_path, fd);
	return r < 0 ? r : fd;
}

/* Adds path and its ancestors to the paths this layer created. */
static int
mark_created(struct unpacker *u, const char *path)
{
	size_t len = strlen(path);

	for (;;) {
		int r = pathset_add_len(u->created, path, len, NULL);

		if (r < 0)
			return oom(u);
		if (r == 0 || len == 0)
			return 0; /* ancestors of a known path are known */
		while (len > 0 && path[len - 1] != '/')
			len--;
		if (len > 0)
			len--;
	}
}

static int
remove_path(struct unpacker *u, int pfd, const char *name, const char *path)
{
	int r = rm_rf_at(pfd, name);

	cache_drop_at(u, path);
	if (r < 0)
		return error_set_first(&u->error, r, "'%s': remove: %s", path, strerror(-r));
	return 0;
}

/* ".wh.NAME": NAME of the lower layers goes, unless this layer itself wrote it. */
static int
apply_whiteout(struct unpacker *u, const char *path, size_t plen, const char *target)
{
	_cleanup_free_ char *victim = NULL;
	int pfd;

	pfd = parent_dir(u, path, plen, false);
	if (pfd == -ENOENT || pfd == -ENOTDIR)
		return 0; /* nothing below to hide */
	if (pfd < 0)
		return dir_error(u, pfd, path, plen ? strndupa(path, plen) : ".");
	if (asprintf(&victim, "%.*s%s%s", (int)plen, path, plen ? "/" : "", target) < 0)
		return oom(u);
	if (pathset_contains(u->created, victim))
		return 0;
	return remove_path(u, pfd, target, victim);
}

static int list_dir(int fd, char ***ret_names, size_t *ret_n);

/* Empties the directory at buf (an fd of it in dfd) of all that this layer did not
 * create, descending into the directories it kept. */
static int
clear_opaque(struct unpacker *u, int dfd, char *buf, size_t len)
{
	char **names = NULL;
	size_t n = 0;
	int r;

	r = list_dir(dfd, &names, &n);
	if (r < 0)
		return error_set_first(&u->error, r, "'%s': read directory: %s", len ? buf : ".",
		                       strerror(-r));
	for (size_t i = 0; i < n && r >= 0; i++) {
		size_t clen = len + (len ? 1 : 0) + strlen(names[i]);
		struct stat st;

		if (clen > LAYERPATH_MAX) {
			r = error_set_first(&u->error, -ENAMETOOLONG, "'%s/%s': path too long", buf,
			                    names[i]);
			break;
		}
		snprintf(buf + len, LAYERPATH_MAX + 1 - len, "%s%s", len ? "/" : "", names[i]);
		if (!pathset_contains(u->created, buf)) {
			r = remove_path(u, dfd, names[i], buf);
		} else if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		           S_ISDIR(st.st_mode)) {
			_cleanup_close_ int cfd = openat(
			        dfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			r = cfd < 0 ? error_set_first(&u->error, -errno, "'%s': open: %m", buf)
			            : clear_opaque(u, cfd, buf, clen);
		}
		buf[len] = '\0';
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

/* ".wh..wh..opq" in DIR: DIR keeps only what this layer puts in it, before or after. */
static int
apply_opaque(struct unpacker *u, const char *path, size_t plen)
{
	char buf[LAYERPATH_MAX + 1];
	int dfd;

	dfd = parent_dir(u, path, plen, false);
	if (dfd == -ENOENT || dfd == -ENOTDIR)
		return 0;
	if (dfd < 0)
		return dir_error(u, dfd, path, plen ? strndupa(path, plen) : ".");
	memcpy(buf, path, plen);
	buf[plen] = '\0';
	return clear_opaque(u, dfd, buf, plen);
}

/* The names in a directory (a fresh open file description, so no shared offset). */
static int
list_dir(int fd, char ***ret_names, size_t *ret_n)
{
	_cleanup_(closedirp) DIR *d = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int dfd, r = 0;

	dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			char **more = reallocarray(names, cap ? cap * 2 : 16, sizeof(*names));

			if (!more) {
				r = -ENOMEM;
				break;
			}
			names = more;
			cap = cap ? cap * 2 : 16;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	if (r == 0 && errno)
		r = -errno;
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return r;
	}
	*ret_names = names;
	*ret_n = n;
	return 0;
}

static void
entry_times(struct archive_entry *e, struct timespec ts[2])
{
	if (!archive_entry_mtime_is_set(e)) {
		ts[0].tv_sec = ts[1].tv_sec = 0;
		ts[0].tv_nsec = ts[1].tv_nsec = UTIME_NOW;
		return;
	}
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	if (archive_entry_atime_is_set(e)) {
		ts[0].tv_sec = archive_entry_atime(e);
		ts[0].tv_nsec = archive_entry_atime_nsec(e);
	} else {
		ts[0] = ts[1];
	}
}

/* Attributes never taken from a layer: SELinux labels belong to the host's policy, and
 * overlay's own attributes would let a layer steer overlayfs when the tree is a lower
 * layer (redirects, metacopy, opaque markers). */
static bool
xattr_ignored(const char *name)
{
	return strcmp(name, "security.selinux") == 0 ||
	       strncmp(name, "trusted.overlay.", strlen("trusted.overlay.")) == 0 ||
	       strncmp(name, "user.overlay.", strlen("user.overlay.")) == 0;
}

/* Sets the entry's xattrs on fd, or on proc_path (an lsetxattr path) when fd < 0. */
static int
set_xattrs(struct unpacker *u, struct archive_entry *e, int fd, const char *proc_path,
           const char *path)
{
	const char *name;
	const void *value;
	size_t size;

	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		int r;

		if (xattr_ignored(name))
			continue;
		r = fd >= 0 ? fsetxattr(fd, name, value, size, 0)
		            : lsetxattr(proc_path, name, value, size, 0);
		if (r < 0 && errno == ENOTSUP) {
			log_debug("'%s': xattr %s not supported here, ignoring", path, name);
			continue;
		}
		if (r < 0)
			return error_set_first(&u->error, -errno, "'%s': set xattr %s: %m", path,
			                       name);
	}
	return 0;
}

/* A directory declared again keeps its contents but takes exactly the new xattrs. */
static int
clear_xattrs(struct unpacker *u, int fd, const char *path)
{
	_cleanup_free_ char *list = NULL;
	ssize_t n;

	n = flistxattr(fd, NULL, 0);
	if (n <= 0)
		return 0;
	list = malloc(n);
	if (!list)
		return oom(u);
	n = flistxattr(fd, list, n);
	if (n < 0)
		return error_set_first(&u->error, -errno, "'%s': list xattrs: %m", path);
	for (char *p = list; p < list + n; p += strlen(p) + 1)
		if (!xattr_ignored(p) && fremovexattr(fd, p) < 0 && errno != ENODATA)
			return error_set_first(&u->error, -errno, "'%s': remove xattr %s: %m", path,
			                       p);
	return 0;
}

/* Owner (first: chown clears setuid), mode, xattrs and times of a node under a temporary
 * name; fd >= 0 for a regular file open on it. */
static int
apply_meta(struct unpacker *u, struct archive_entry *e, int pfd, const char *tmp, int fd,
           const char *path)
{
	bool symlink = archive_entry_filetype(e) == AE_IFLNK;
	mode_t mode = archive_entry_mode(e) & 07777;
	struct timespec ts[2];
	int r;

	if (u->root) {
		uid_t uid = (uid_t)archive_entry_uid(e);
		gid_t gid = (gid_t)archive_entry_gid(e);

		r = fd >= 0 ? fchown(fd, uid, gid)
		            : fchownat(pfd, tmp, uid, gid, AT_SYMLINK_NOFOLLOW);
		if (r < 0)
			return error_set_first(&u->error, -errno, "'%s': chown: %m", path);
	}
	/* The temporary name is ours and not a symlink: fchmodat may follow it. */
	if (!symlink) {
		r = fd >= 0 ? fchmod(fd, mode) : fchmodat(pfd, tmp, mode, 0);
		if (r < 0)
			return error_set_first(&u->error, -errno, "'%s': chmod: %m", path);
	}
	if (u->root) {
		char proc[64 + TMP_NAME_MAX];

		snprintf(proc, sizeof(proc), "/proc/self/fd/%d/%s", pfd, tmp);
		r = set_xattrs(u, e, fd, proc, path);
		if (r < 0)
			return r;
	}
	entry_times(e, ts);
	r = fd >= 0 ? futimens(fd, ts) : utimensat(pfd, tmp, ts, AT_SYMLINK_NOFOLLOW);
	if (r < 0)
		return error_set_first(&u->error, -errno, "'%s': set times: %m", path);
	return 0;
}

/* Creates a node under a fresh temporary name in pfd; returns the fd for NODE_FILE. */
static int
create_tmp(struct unpacker *u, int pfd, const struct node_spec *spec, char tmp[TMP_NAME_MAX])
{
	for (int tries = 0; tries < 64; tries++) {
		int r = -1;

		snprintf(tmp, TMP_NAME_MAX, ".mocker-unpack.%d.%u", u->pid, u->tmp_seq++);
		switch (spec->kind) {
		case NODE_FILE:
			r = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			           0600);
			break;
		case NODE_SYMLINK:
			r = symlinkat(spec->target, pfd, tmp);
			break;
		case NODE_MKNOD:
			r = mknodat(pfd, tmp, spec->mode, spec->dev);
			break;
		case NODE_LINK:
			r = linkat(spec->link_dirfd, spec->link_name, pfd, tmp, 0);
			break;
		}
		if (r >= 0)
			return r;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* Moves the finished node to its name, replacing a file or a whole directory tree. */
static int
install(struct unpacker *u, int pfd, const char *tmp, const char *name, const char *path,
        const struct stat *old)
{
	int r = 0;

	if (old && S_ISDIR(old->st_mode))
		r = remove_path(u, pfd, name, path);
	if (r >= 0 && renameat(pfd, tmp, pfd, name) < 0)
		r = error_set_first(&u->error, -errno, "'%s': rename into place: %m", path);
	return r;
}

/* Counts a file of size bytes against the image's limit, before it is written. */
static int
count_size(struct unpacker *u, uint64_t size, const char *path)
{
	if (u->max_size && (*u->size > u->max_size || size > u->max_size - *u->size))
		return error_set_first(&u->error, -EFBIG,
		                       "'%s': the image unpacks to more than its limit of %" PRIu64
		                       " bytes",
		                       path, u->max_size);
	*u->size += size;
	return 0;
}

static bool
all_zero(const char *p, size_t len)
{
	return len == 0 || (p[0] == 0 && memcmp(p, p + 1, len - 1) == 0);
}

/* Writes buf[from, to) of a block that belongs at off; *ret_end is the end of the data. */
static int
write_piece(struct unpacker *u, int fd, const char *buf, size_t from, size_t to, int64_t off,
            const char *path, int64_t *ret_end)
{
	const char *p = buf + from;
	size_t len = to - from;
	int64_t at = off + (int64_t)from;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return error_set_first(&u->error, -errno, "'%s': write: %m", path);
		p += n;
		len -= (size_t)n;
		at += n;
	}
	if (to > from)
		*ret_end = off + (int64_t)to;
	return 0;
}

/*
 * Writes a block of the file at off, leaving out the pieces (between HOLE_BLOCK
 * boundaries of the file) that are all zeros: the file is new, so they read as zeros
 * anyway, and take no space.
 */
#define HOLE_BLOCK 4096
static int
write_sparse(struct unpacker *u, int fd, const char *buf, size_t len, int64_t off, const char *path,
             int64_t *ret_end)
{
	size_t start = 0, pos = 0; /* start: of the data not written yet */

	while (pos < len) {
		size_t piece = HOLE_BLOCK - (size_t)((off + (int64_t)pos) % HOLE_BLOCK);

		if (piece > len - pos)
			piece = len - pos;
		if (all_zero(buf + pos, piece)) {
			int r = write_piece(u, fd, buf, start, pos, off, path, ret_end);
			if (r < 0)
				return r;
			start = pos + piece;
		}
		pos += piece;
	}
	return write_piece(u, fd, buf, start, len, off, path, ret_end);
}

static int
copy_data(struct unpacker *u, struct archive *a, int fd, const char *path, int64_t size)
{
	int64_t written = 0;

	for (;;) {
		const char *buf;
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(a, (const void **)&buf, &len, &off);

		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return error_set_first(
			        &u->error, archive_errno(a) > 0 ? -archive_errno(a) : -EIO,
			        "'%s': read layer: %s", path, archive_error_string(a));
		if (off < 0 || (uint64_t)off + len > (uint64_t)size)
			return error_set_first(&u->error, -EINVAL,
			                       "'%s': data beyond the %" PRId64 " bytes declared",
			                       path, size);
		r = write_sparse(u, fd, buf, len, off, path, &written);
		if (r < 0)
			return r;
	}
	/* A file that ends in zeros (or a sparse one in a hole) gets its size here. */
	if (size > written && ftruncate(fd, size) < 0)
		return error_set_first(&u->error, -errno, "'%s': truncate: %m", path);
	return 0;
}

static int
create_file(struct unpacker *u, struct archive *a, struct archive_entry *e, int pfd,
            const char *name, const char *path, const struct stat *old)
{
	const struct node_spec spec = { .kind = NODE_FILE };
	char tmp[TMP_NAME_MAX];
	int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
	_cleanup_close_ int fd = -1;
	int r;

	if (size < 0)
		return error_set_first(&u->error, -EINVAL, "'%s': negative size", path);
	r = count_size(u, (uint64_t)size, path);
	if (r < 0)
		return r;
	fd = create_tmp(u, pfd, &spec, tmp);
	if (fd < 0)
		return error_set_first(&u->error, fd, "'%s': create: %s", path, strerror(-fd));
	r = copy_data(u, a, fd, path, size);
	if (r >= 0)
		r = apply_meta(u, e, pfd, tmp, fd, path);
	if (r >= 0)
		r = install(u, pfd, tmp, name, path, old);
	if (r < 0)
		unlinkat(pfd, tmp, 0);
	return r;
}

/* Symlinks (their target kept as it is), device nodes and FIFOs. */
static int
create_node(struct unpacker *u, struct archive_entry *e, int pfd, const char *name,
            const char *path, const struct stat *old)
{
	struct node_spec spec = { .kind = NODE_MKNOD };
	char tmp[TMP_NAME_MAX];
	int r;

	switch (archive_entry_filetype(e)) {
	case AE_IFLNK:
		spec.kind = NODE_SYMLINK;
		spec.target = archive_entry_symlink(e);
		if (!spec.target)
			spec.target = archive_entry_symlink_utf8(e);
		if (!spec.target || !*spec.target)
			return error_set_first(&u->error, -EINVAL,
			                       "'%s': symbolic link without a target", path);
		break;
	case AE_IFCHR:
	case AE_IFBLK:
		if (!u->root) {
			log_debug("'%s': device node skipped when not unpacking as root", path);
			return 0;
		}
		spec.mode = (archive_entry_filetype(e) == AE_IFCHR ? S_IFCHR : S_IFBLK) | 0600;
		spec.dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
		break;
	case AE_IFIFO:
		spec.mode = S_IFIFO | 0600;
		break;
	default:
		return error_set_first(&u->error, -EINVAL, "'%s': unsupported entry type 0%o", path,
		                       (unsigned)archive_entry_filetype(e));
	}
	r = create_tmp(u, pfd, &spec, tmp);
	if (r < 0)
		return error_set_first(&u->error, r, "'%s': create: %s", path, strerror(-r));
	r = apply_meta(u, e, pfd, tmp, -1, path);
	if (r >= 0)
		r = install(u, pfd, tmp, name, path, old);
	if (r < 0)
		unlinkat(pfd, tmp, 0);
	return r;
}

/* A hard link, to a file of this layer or of an earlier one, resolved inside the root
 * like any other path.  Like umoci, it takes no metadata of its own. */
static int
create_hardlink(struct unpacker *u, const char *link, int pfd, const char *name, const char *path,
                const struct stat *old)
{
	_cleanup_free_ char *target = NULL, *tdir = NULL;
	_cleanup_close_ int tfd = -1;
	struct node_spec spec = { .kind = NODE_LINK };
	const char *reason = "";
	char tmp[TMP_NAME_MAX];
	struct stat st;
	int r;

	r = layerpath_normalize(link, &target, &reason);
	if (r == -ENOMEM)
		return oom(u);
	if (r < 0)
		return error_set_first(&u->error, r, "'%s': refusing hard link to '%s': %s", path,
		                       link, reason);
	if (!*target)
		return error_set_first(&u->error, -EINVAL,
		                       "'%s': refusing hard link to the root directory", path);
	tdir = strndup(target, layerpath_parent_len(target));
	if (!tdir)
		return oom(u);
	tfd = open_dir_beneath(u->rootfd, tdir);
	if (tfd == -ELOOP)
		return error_set_first(&u->error, tfd,
		                       "'%s': refusing hard link through a symbolic link: '%s'",
		                       path, link);
	if (tfd < 0 || fstatat(tfd, layerpath_base(target), &st, AT_SYMLINK_NOFOLLOW) < 0)
		return error_set_first(&u->error, tfd < 0 ? tfd : -errno,
		                       "'%s': hard link target '%s': %s", path, link,
		                       strerror(tfd < 0 ? -tfd : errno));
	if (S_ISDIR(st.st_mode))
		return error_set_first(&u->error, -EPERM,
		                       "'%s': refusing hard link to directory '%s'", path, link);
	/* rename() between two links of one inode does nothing: already done. */
	if (old && old->st_dev == st.st_dev && old->st_ino == st.st_ino)
		return 0;
	spec.link_dirfd = tfd;
	spec.link_name = layerpath_base(target);
	r = create_tmp(u, pfd, &spec, tmp);
	if (r < 0)
		return error_set_first(&u->error, r, "'%s': hard link to '%s': %s", path, link,
		                       strerror(-r));
	r = install(u, pfd, tmp, name, path, old);
	if (r < 0)
		unlinkat(pfd, tmp, 0);
	return r;
}

/* Owner and xattrs of a directory now; its mode and times once the layer is written. */
static int
declare_dir(struct unpacker *u, struct archive_entry *e, int dfd, const char *path, bool existed)
{
	struct dir_meta *m;
	struct stat st;
	void **slot;
	int r;

	/* Without root, a read-only directory must stay writable until the layer is done. */
	if (!u->root && existed && fstat(dfd, &st) == 0 && (st.st_mode & 0300) != 0300)
		(void)fchmod(dfd, (st.st_mode & 07777) | 0300);
	if (u->root) {
		if (fchown(dfd, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)) < 0)
			return error_set_first(&u->error, -errno, "'%s': chown: %m",
			                       *path ? path : ".");
		if (existed) {
			r = clear_xattrs(u, dfd, *path ? path : ".");
			if (r < 0)
				return r;
		}
		r = set_xattrs(u, e, dfd, NULL, *path ? path : ".");
		if (r < 0)
			return r;
	}
	r = pathset_add(u->dirs, path, &slot);
	if (r < 0)
		return oom(u);
	if (!*slot) {
		*slot = calloc(1, sizeof(struct dir_meta));
		if (!*slot)
			return oom(u);
	}
	m = *slot;
	m->declared = true;
	m->restore_mode = false;
	m->mode = archive_entry_mode(e) & 07777;
	entry_times(e, m->times);
	return 0;
}

/* A directory: an existing one keeps its contents; anything else in its place goes. */
static int
create_dir(struct unpacker *u, struct archive_entry *e, int pfd, const char *name, const char *path,
           const struct stat *old)
{
	_cleanup_close_ int dfd = -1;
	bool existed = old && S_ISDIR(old->st_mode);

	if (old && !existed && unlinkat(pfd, name, 0) < 0)
		return error_set_first(&u->error, -errno, "'%s': remove: %m", path);
	if (!existed && mkdirat(pfd, name, 0700) < 0)
		return error_set_first(&u->error, -errno, "'%s': mkdir: %m", path);
	dfd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return error_set_first(&u->error, -errno, "'%s': open: %m", path);
	return declare_dir(u, e, dfd, path, existed);
}

/* The entry "./": metadata of the root directory itself. */
static int
unpack_root_entry(struct unpacker *u, struct archive_entry *e, const char *name)
{
	_cleanup_close_ int fd = -1;

	if (archive_entry_hardlink(e) || archive_entry_filetype(e) != AE_IFDIR)
		return error_set_first(&u->error, -EINVAL,
		                       "'%s': refusing a root entry that is not a directory", name);
	fd = open_beneath(u->rootfd, "", O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return error_set_first(&u->error, fd, "open root directory: %s", strerror(-fd));
	return declare_dir(u, e, fd, "", true);
}

static int
create_entry(struct unpacker *u, struct archive *a, struct archive_entry *e, int pfd,
             const char *path)
{
	const char *name = layerpath_base(path);
	const char *link = archive_entry_hardlink(e);
	struct stat st;
	const struct stat *old = &st;

	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return error_set_first(&u->error, -errno, "'%s': stat: %m", path);
		old = NULL;
	}
	if (!link)
		link = archive_entry_hardlink_utf8(e);
	if (link)
		return create_hardlink(u, link, pfd, name, path, old);
	switch (archive_entry_filetype(e)) {
	case AE_IFDIR:
		return create_dir(u, e, pfd, name, path, old);
	case AE_IFREG:
		return create_file(u, a, e, pfd, name, path, old);
	default:
		return create_node(u, e, pfd, name, path, old);
	}
}

static int
unpack_entry(struct unpacker *u, struct archive *a, struct archive_entry *e)
{
	_cleanup_free_ char *path = NULL;
	const char *name, *reason = "", *target = NULL;
	size_t plen;
	int pfd, r;

	name = archive_entry_pathname(e);
	if (!name)
		name = archive_entry_pathname_utf8(e);
	if (!name)
		return error_set_first(&u->error, -EINVAL, "layer entry without a usable name");
	r = layerpath_normalize(name, &path, &reason);
	if (r == -ENOMEM)
		return oom(u);
	if (r < 0)
		return error_set_first(&u->error, r, "'%s': refusing entry: %s", name, reason);
	if (!*path)
		return unpack_root_entry(u, e, name);
	switch (layerpath_classify_dirs(path)) {
	case LAYERPATH_NORMAL:
		break;
	case LAYERPATH_META:
		return 0;
	default:
		return error_set_first(&u->error, -EINVAL, "'%s': refusing entry inside a whiteout",
		                       name);
	}

	plen = layerpath_parent_len(path);
	switch (layerpath_classify(layerpath_base(path), &target)) {
	case LAYERPATH_WHITEOUT:
		return apply_whiteout(u, path, plen, target);
	case LAYERPATH_OPAQUE:
		return apply_opaque(u, path, plen);
	case LAYERPATH_META:
		return 0;
	case LAYERPATH_INVALID:
		return error_set_first(&u->error, -EINVAL, "'%s': refusing invalid whiteout", name);
	case LAYERPATH_NORMAL:
		break;
	}

	pfd = parent_dir(u, path, plen, true);
	if (pfd < 0)
		return dir_error(u, pfd, path, plen ? strndupa(path, plen) : ".");
	r = create_entry(u, a, e, pfd, path);
	if (r < 0)
		return r;
	return mark_created(u, path);
}

static int
cmp_depth_desc(const void *a, const void *b)
{
	size_t da = layerpath_depth(*(const char *const *)a);
	size_t db = layerpath_depth(*(const char *const *)b);

	return da < db ? 1 : da > db ? -1 : 0;
}

/* Modes and times of the directories, deepest first (so a parent's mode never stands in
 * the way), once nothing will write into them any more. */
static int
apply_dir_meta(struct unpacker *u)
{
	_cleanup_free_ const char **keys = NULL;
	size_t n;

	keys = pathset_keys(u->dirs, &n);
	if (!keys && pathset_size(u->dirs) > 0)
		return oom(u);
	if (n > 1) /* keys is NULL for an empty set, which qsort must not be given */
		qsort(keys, n, sizeof(*keys), cmp_depth_desc);
	for (size_t i = 0; i < n; i++) {
		const struct dir_meta *m = *pathset_get(u->dirs, keys[i]);
		_cleanup_close_ int fd = open_beneath(u->rootfd, keys[i], O_RDONLY | O_DIRECTORY);
		const char *shown = *keys[i] ? keys[i] : ".";

		/* Gone or replaced by something else later in the layer. */
		if (fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP)
			continue;
		if (fd < 0)
			return error_set_first(&u->error, fd, "'%s': open: %s", shown,
			                       strerror(-fd));
		if ((m->declared || m->restore_mode) && fchmod(fd, m->mode) < 0)
			return error_set_first(&u->error, -errno, "'%s': chmod: %m", shown);
		if (futimens(fd, m->times) < 0)
			return error_set_first(&u->error, -errno, "'%s': set times: %m", shown);
	}
	return 0;
}

int
unpack_layer(int rootfd, struct archive *a, const struct unpack_opts *opts, char **ret_error)
{
	struct unpacker u = {
		.rootfd = rootfd,
		.root = opts && opts->root,
		.cache_fd = -1,
		.pid = (int)getpid(),
		.max_size = opts ? opts->max_size : 0,
	};
	int r = 0;

	u.size = opts && opts->size ? opts->size : &u.own_size;
	u.created = pathset_new();
	u.dirs = pathset_new();
	if (!u.created || !u.dirs)
		r = oom(&u);
	while (r >= 0) {
		struct archive_entry *e;
		int ar = archive_read_next_header(a, &e);

		if (ar == ARCHIVE_EOF)
			break;
		if (ar < ARCHIVE_WARN) {
			r = error_set_first(
			        &u.error, archive_errno(a) > 0 ? -archive_errno(a) : -EIO,
			        "read layer: %s", archive_error_string(a) ?: "unknown error");
			break;
		}
		r = unpack_entry(&u, a, e);
	}
	if (r >= 0)
		r = apply_dir_meta(&u);

	cache_drop(&u);
	pathset_free(u.created);
	pathset_free(u.dirs);
	if (r < 0 && ret_error)
		*ret_error = TAKE_PTR(u.error);
	free(u.error);
	return r < 0 ? r : 0;
}

int
unpack_layer_file(int rootfd, const char *path, const struct unpack_opts *opts, char **ret_error)
{
	struct archive *a = archive_read_new();
	int r;

	if (!a)
		return -ENOMEM;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_empty(a);
	if (archive_read_open_filename(a, path, 128 * 1024) != ARCHIVE_OK) {
		r = archive_errno(a) > 0 ? -archive_errno(a) : -EIO;
		if (ret_error && asprintf(ret_error, "open '%s': %s", path,
		                          archive_error_string(a) ?: strerror(-r)) < 0)
			*ret_error = NULL;
		archive_read_free(a);
		return r;
	}
	r = unpack_layer(rootfd, a, opts, ret_error);
	archive_read_free(a);
	return r;
}
