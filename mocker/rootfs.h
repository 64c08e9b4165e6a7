/* Unpacked root filesystems: STORE/rootfs/<hex of the manifest digest>, made in a temp
 * directory and renamed into place, so a half-unpacked tree is never visible. */
#pragma once

#include "store.h"
#include "unpack.h"

/* A fresh temp directory for the rootfs of manifest_digest: its path and an O_DIRECTORY fd. */
int rootfs_begin(const struct store *s, const char *manifest_digest, char **ret_tmp);
/* Renames the finished temp tree into place (keeping an existing one). */
int rootfs_commit(const struct store *s, const char *tmp, const char *manifest_digest);

/* Applies all layers of the stored image onto dirfd, verifying each diff_id; opts->size
 * NULL counts the sizes over all layers. */
int rootfs_unpack_stored(const struct store *s, const char *manifest_digest, int dirfd,
                         const struct unpack_opts *opts, char **ret_error);
/* The rootfs of manifest_digest, unpacked first (to at most max_unpacked bytes) when it is
 * not there yet. */
int rootfs_ensure(struct store *s, const char *manifest_digest, uint64_t max_unpacked,
                  char **ret_path, char **ret_error);
