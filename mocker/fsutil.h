/* Small file system helpers. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* mkdir -p with mode; existing directories are fine. */
int mkdir_p(const char *path, unsigned mode);
/* Writes all of buf to fd. */
int write_all(int fd, const void *buf, size_t len);
/* Writes a whole file atomically: temp in the same directory, fsync, rename, and (when
 * sync_dir) fsync of the directory, which makes the rename durable. */
int write_file_atomic(const char *path, const void *data, size_t len, bool sync_dir);
/* Reads a whole file (at most max bytes; -EFBIG beyond), NUL-terminated. */
int read_file_max(const char *path, size_t max, char **ret, size_t *ret_len);
/* fsyncs the directory containing path. */
int fsync_parent(const char *path);
/* Removes a tree without following symlinks or crossing mounts; a missing path is fine. */
int rm_rf(const char *path);
