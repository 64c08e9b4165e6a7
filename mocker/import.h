/* `mocker import`: a root filesystem (a directory or a tar) becomes a one-layer image of
 * the store, or one more layer on a stored image (the upper directory of an overlay, its
 * whiteouts turned into OCI's); and `mocker tag`.  They log their errors. */
#pragma once

#include "manifest.h"
#include "store.h"

struct import_opts {
	char **changes;           /* --change lines, NULL-terminated (may be NULL) */
	struct platform platform; /* the image's platform (without a base) */
	const char *base;         /* the image the layer goes on, or NULL */
	bool overlay;             /* the source directory is an overlayfs upper directory */
	bool quiet;
	bool unpack;           /* unpack the new image's root filesystem, as pull does */
	uint64_t max_unpacked; /* the limit on it */
};

/* src: a directory, a tar file (any compression libarchive reads), or "-" for a tar on
 * standard input. */
int import_image(struct store *s, const char *src, const char *ref, const struct import_opts *o);
/* dst names the image src names. */
int import_tag(struct store *s, const char *src, const char *dst);
