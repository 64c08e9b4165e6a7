#include "rmtree.h"

#include "cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Which mount a directory is on: its device, and the mount id where file handles tell it
 * (a bind mount of the same file system has the same device). */
struct rm_mount {
	dev_t dev;
	int mnt_id; /* -1 when unknown */
};

struct rm_ctx {
	struct rm_mount top;
	uid_t euid;
};

static void
mount_of(int fd, const struct stat *st, struct rm_mount *ret)
{
	struct {
		struct file_handle h;
		unsigned char space[MAX_HANDLE_SZ];
	} fh = { .h.handle_bytes = MAX_HANDLE_SZ };

	ret->dev = st->st_dev;
	if (name_to_handle_at(fd, "", &fh.h, &ret->mnt_id, AT_EMPTY_PATH) < 0)
		ret->mnt_id = -1;
}

static bool
same_mount(const struct rm_mount *a, const struct rm_mount *b)
{
	return a->dev == b->dev && (a->mnt_id < 0 || b->mnt_id < 0 || a->mnt_id == b->mnt_id);
}

/* Gives the owner full permissions on directory fd, when we are the owner and lack them. */
static int
grant(const struct rm_ctx *c, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_uid != c->euid || (st.st_mode & 0700) == 0700)
		return -EACCES;
	return fchmod(fd, (st.st_mode & 07777) | 0700) < 0 ? -errno : 0;
}

/* unlinkat, and once more after grant() on the parent when it said EACCES and may. */
static int
unlink_entry(const struct rm_ctx *c, int pfd, const char *name, int flags, bool may_grant)
{
	if (unlinkat(pfd, name, flags) == 0 || errno == ENOENT)
		return 0;
	if (errno != EACCES || !may_grant || grant(c, pfd) < 0)
		return -errno;
	if (unlinkat(pfd, name, flags) == 0 || errno == ENOENT)
		return 0;
	return -errno;
}

/* Opens directory name in pfd to empty it; a directory of ours that we may not read is
 * given u+rwx first, through an O_PATH fd so that nothing else can be changed. */
static int
open_dir(const struct rm_ctx *c, int pfd, const char *name, const struct stat *st)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	_cleanup_close_ int path_fd = -1;
	char proc[64];
	int fd;

	fd = openat(pfd, name, flags);
	if (fd >= 0 || errno != EACCES || st->st_uid != c->euid)
		return fd >= 0 ? fd : -errno;
	path_fd = openat(pfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (path_fd < 0)
		return -errno;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", path_fd);
	if (chmod(proc, (st->st_mode & 07777) | 0700) < 0)
		return -EACCES;
	fd = openat(pfd, name, flags);
	return fd >= 0 ? fd : -errno;
}

static int rm_entry(struct rm_ctx *c, int pfd, const char *name, bool may_grant, bool top);

/* Removes what directory fd holds; the first error, after trying every entry. */
static int
empty_dir(struct rm_ctx *c, DIR *d)
{
	struct dirent *de;
	int first = 0;

	rewinddir(d);
	while ((errno = 0, de = readdir(d))) {
		int r;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = rm_entry(c, dirfd(d), de->d_name, true, false);
		if (r < 0 && first == 0)
			first = r;
	}
	if (errno && first == 0)
		first = -errno;
	return first;
}

static int
rm_dir(struct rm_ctx *c, int pfd, const char *name, const struct stat *st, bool may_grant, bool top)
{
	struct rm_mount here;
	struct stat dst;
	DIR *d;
	int fd, r = 0;

	fd = open_dir(c, pfd, name, st);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	if (fstat(fd, &dst) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	mount_of(fd, &dst, &here);
	if (top) {
		c->top = here;
	} else if (!same_mount(&c->top, &here)) {
		close(fd);
		return -EXDEV; /* a mount point: neither it nor what is below it is ours */
	}
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	/* Entries added while we read are possible: a few rounds. */
	for (int tries = 0; tries < 8; tries++) {
		r = empty_dir(c, d);
		if (r < 0)
			break;
		r = unlink_entry(c, pfd, name, AT_REMOVEDIR, may_grant);
		if (r != -ENOTEMPTY)
			break;
	}
	closedir(d);
	return r;
}

static int
rm_entry(struct rm_ctx *c, int pfd, const char *name, bool may_grant, bool top)
{
	struct stat st;

	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode))
		return rm_dir(c, pfd, name, &st, may_grant, top);
	return unlink_entry(c, pfd, name, 0, may_grant);
}

int
rm_rf_at(int dirfd, const char *name)
{
	struct rm_ctx c = { .euid = geteuid() };

	if (!name || !*name)
		return -EINVAL;
	/* dirfd is the caller's: its permissions are never changed. */
	return rm_entry(&c, dirfd, name, false, true);
}
