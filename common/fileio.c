#include "fileio.h"

#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
read_fd(int fd, size_t hint, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, size;

	/* The hint as a first guess (0 for /proc), grown as needed, one byte past max at most. */
	size = hint < max ? hint + 1 : max + 1;
	if (size < 4096)
		size = max + 1 < 4096 ? max + 1 : 4096;
	for (;;) {
		ssize_t n;

		if (len == size) {
			char *grown;

			if (size > max)
				return -EFBIG;
			size = size > max / 2 ? max + 1 : size * 2;
			grown = realloc(buf, size + 1);
			if (!grown)
				return -ENOMEM;
			buf = grown;
		} else if (!buf) {
			buf = malloc(size + 1);
			if (!buf)
				return -ENOMEM;
		}
		n = read(fd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max)
		return -EFBIG;
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int
read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len)
{
	/* O_NONBLOCK: opening a FIFO put in our way must not hang; regular files ignore it. */
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	return read_fd(fd, (size_t)st.st_size, max, ret, ret_len);
}

int
mkdir_p(const char *path, unsigned mode)
{
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

int
fsync_parent(const char *path)
{
	_cleanup_free_ char *p = strdup(path);
	_cleanup_close_ int fd = -1;

	if (!p)
		return -ENOMEM;
	fd = open(dirname(p), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

int
write_file_atomic(const char *path, const void *data, size_t len, unsigned flags)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	if (asprintf(&tmp, "%s.tmp-%d", path, getpid()) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r >= 0 && (flags & ATOMIC_SYNC) && fsync(fd) < 0)
		r = -errno;
	if (r >= 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	return (flags & ATOMIC_SYNC_DIR) ? fsync_parent(path) : 0;
}
