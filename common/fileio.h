/* Reading a whole file, the one copy of the project. */
#pragma once

#include <stddef.h>

/*
 * Reads the regular file path (relative to dirfd, or AT_FDCWD) to its end into a malloc'd,
 * NUL-terminated buffer.  It reads until EOF rather than trusting st_size, so files of
 * /proc and /sys (which say 0) read whole.  More than max bytes is -EFBIG; anything but a
 * regular file is -EINVAL; otherwise -errno of open or read.  ret_len may be NULL.
 */
int read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len);
