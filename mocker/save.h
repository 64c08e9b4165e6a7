/* `mocker save`: stored images into one OCI archive (a tar of an OCI image layout, as
 * `skopeo copy oci-archive:` reads it, with a manifest.json as `docker load` reads it), and
 * `mocker load`: such archives, and those of `docker save`, into the store.  They log their
 * errors. */
#pragma once

#include "manifest.h"
#include "store.h"

/* out: a file (written beside itself and renamed into place) or "-" for standard output. */
int save_images(const struct store *s, char **refs, const char *out);

struct load_opts {
	struct platform platform; /* the image to take from a multi-platform index */
	uint64_t max_size;        /* the limit on any one member, and on the unpacked images */
	bool unpack;
	bool quiet;
};

/* in: a file (any compression libarchive reads) or "-" for standard input. */
int load_images(struct store *s, const char *in, const struct load_opts *o);
