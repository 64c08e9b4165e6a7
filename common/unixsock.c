#include "unixsock.h"

#include "cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int
unix_addr(const char *path, struct sockaddr_un *ret)
{
	size_t n = strlen(path);

	if (n == 0)
		return -EINVAL;
	if (n >= sizeof(ret->sun_path))
		return -ENAMETOOLONG;
	memset(ret, 0, sizeof(*ret));
	ret->sun_family = AF_UNIX;
	memcpy(ret->sun_path, path, n);
	return 0;
}

int
unix_connect(const char *path)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un sa;
	int r;

	r = unix_addr(path, &sa);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return TAKE_FD(fd);
}

/*
 * Removes path if it is a socket nobody listens on.  A connect alone proves little: the
 * socket of a process being killed accepts into its backlog for a moment; alive(), given
 * the connected socket, tells (1 alive, 0 not).
 */
static int
unix_remove_stale(const char *path, int (*alive)(int fd))
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = unix_connect(path);
	if (fd >= 0) {
		r = alive ? alive(fd) : 1;
		close(fd);
		if (r != 0)
			return r < 0 ? r : -EADDRINUSE;
	} else if (fd != -ECONNREFUSED) {
		return fd;
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int
unix_listen(const char *path, mode_t mode, gid_t gid, int (*alive)(int fd))
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un sa;
	char tmp[sizeof(sa.sun_path)];
	mode_t old_umask;
	int r;

	r = unix_addr(path, &sa);
	if (r < 0)
		return r;
	r = unix_remove_stale(path, alive);
	if (r < 0)
		return r;
	/*
	 * Bound and listening under a temporary name, then renamed into place: a client
	 * never finds the path before it accepts connections.
	 */
	if (snprintf(tmp, sizeof(tmp), "%s.%d", path, getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	r = unix_addr(tmp, &sa);
	if (r < 0)
		return r;
	(void)unlink(tmp);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Created closed, opened up by chmod: no window in which others may connect. */
	old_umask = umask(0777);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_umask);
	if (r < 0)
		return -errno;
	if (listen(fd, 128) < 0 || (gid != (gid_t)-1 && chown(tmp, (uid_t)-1, gid) < 0) ||
	    chmod(tmp, mode) < 0 || rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	return TAKE_FD(fd);
}
