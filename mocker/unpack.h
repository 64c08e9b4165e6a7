/* Layer extraction with OCI semantics: whiteouts, opaque directories, links, modes, and
 * refusal of hostile entries (absolute paths, "..", writes through symlinks, links that
 * leave the root).  Nothing outside the destination directory is ever touched. */
#pragma once

#include "lazyarchive.h"

#include <stdbool.h>
#include <stdint.h>

/* The default limit on what an image unpacks to: far above any real image (the largest
 * common ones, CUDA and ML toolkits, unpack to 10-25 GiB), yet a bound on what a small
 * hostile layer can make us write. */
#define UNPACK_MAX_DEFAULT (64ull << 30)

struct unpack_opts {
	bool root;         /* apply ownership, device nodes, xattrs (when running as root) */
	uint64_t max_size; /* limit on the sizes of the regular files the layers write; 0: none */
	uint64_t *size;    /* the count so far, over all layers of an image; NULL: this layer */
};

/* Applies one layer, read from the open libarchive reader a (any compression; the caller
 * configured it with archive_read_support_filter_all + archive_read_support_format_tar or
 * similar), onto the directory rootfd with exact OCI semantics (whiteouts, opaque dirs,
 * links, modes) and the hostile-entry checks.  Returns 0 or -errno, with a malloc'd one-line
 * reason in *ret_error for bad layer content (ret_error may be NULL).
 *
 * On failure *ret_error is set for every cause (refused entry, unreadable layer, failed
 * syscall; NULL only when out of memory), and the tree below rootfd holds part of the layer
 * (never a partly written file under its real name): unpack into a directory nobody uses
 * yet, discard it on failure (rm_rf_at) and publish it by rename on success.
 * Symlinks are never followed; a hard link or a write that would need to go through one is
 * refused, as are absolute names and ".." components.  A file whose size would take the
 * count past opts->max_size is refused (-EFBIG) before it is written; runs of zeros are
 * written as holes. */
int unpack_layer(int rootfd, struct archive *a, const struct unpack_opts *opts, char **ret_error);

/* Convenience: opens path (any compression libarchive reads) and calls unpack_layer. */
int unpack_layer_file(int rootfd, const char *path, const struct unpack_opts *opts,
                      char **ret_error);
