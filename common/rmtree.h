/* Tree removal, the one copy of the project: never through a symbolic link, never across
 * a mount point, and through read-only directories of our own (an image unpacked without
 * root has them). */
#pragma once

/*
 * Removes name (relative to dirfd, or a path with AT_FDCWD) and, when it is a directory,
 * everything below it.  Symlinks are removed, never followed (the last component of name
 * included); a directory on another mount is left alone (-EXDEV); a directory that refuses
 * us (EACCES) is given u+rwx and tried again when we own it.  It goes on past errors, so
 * that as much as possible goes, and returns the first one, or 0.  A missing name is fine.
 */
int rm_rf_at(int dirfd, const char *name);
