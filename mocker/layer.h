/* Applies one layer blob onto a root filesystem in a single pass: decompress (any of
 * gzip, zstd, none), hash the uncompressed tar for its diff_id, and extract it with
 * unpack_layer(), all from one read of the blob. */
#pragma once

#include "unpack.h"

#include <stdint.h>
#include <sys/types.h>

struct layer_src {
	/* Fills buf with up to len bytes: the count, 0 at the end, or -errno. */
	ssize_t (*read)(void *ctx, void *buf, size_t len);
	void *ctx;
};

/* Applies the layer read from src onto rootfd; fails with -EBADMSG when the uncompressed
 * stream does not hash to diff_id, after which rootfd's tree must be thrown away. */
int layer_apply(int rootfd, const struct layer_src *src, const char *diff_id,
                const struct unpack_opts *opts, char **ret_error);

/* A layer_src reading a file descriptor from offset 0 with pread. */
struct layer_fd_src {
	int fd;
	uint64_t off;
};
ssize_t layer_fd_read(void *ctx, void *buf, size_t len);
