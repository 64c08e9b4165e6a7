/* Reading a whole file, the one copy of the project. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * Reads the regular file path (relative to dirfd, or AT_FDCWD) to its end into a malloc'd,
 * NUL-terminated buffer.  It reads until EOF rather than trusting st_size, so files of
 * /proc and /sys (which say 0) read whole.  More than max bytes is -EFBIG; anything but a
 * regular file is -EINVAL; otherwise -errno of open or read.  ret_len may be NULL.
 */
int read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len);
/* The same for what an open fd (a pipe, a socket) gives until EOF; hint: its likely size. */
int read_fd(int fd, size_t hint, size_t max, char **ret, size_t *ret_len);

/* mkdir -p with mode; existing directories are fine. */
int mkdir_p(const char *path, unsigned mode);
/* Writes all of buf to fd. */
int write_all(int fd, const void *buf, size_t len);
enum {
	ATOMIC_SYNC = 1 << 0,     /* fsync the temp file before the rename */
	ATOMIC_SYNC_DIR = 1 << 1, /* fsync the directory after: the rename is durable */
};
/* Writes a whole file atomically: a temp file in the same directory renamed over path. */
int write_file_atomic(const char *path, const void *data, size_t len, unsigned flags);
/* fsyncs the directory containing path. */
int fsync_parent(const char *path);
