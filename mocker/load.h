/* `mocker load`: OCI archives (mocker save's, skopeo's) and those of `docker save`, into
 * the store.  It logs its errors. */
#pragma once

#include "manifest.h"
#include "store.h"

struct load_opts {
	struct platform platform; /* the image to take from a multi-platform index */
	uint64_t max_size;        /* the limit on any one member, and on the unpacked images */
	bool unpack;
	bool quiet;
};

/* in: a file (any compression libarchive reads) or "-" for standard input. */
int load_images(struct store *s, const char *in, const struct load_opts *o);
