/* Small file system helpers. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

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
