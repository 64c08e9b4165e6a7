/* The commands that work on the store (images, inspect, rmi, prune, rootfs, unpack), and
 * the lookup of a user's reference among the stored images.  They log their errors. */
#pragma once

#include "store.h"

/* The index entry for what the user typed: a reference in Docker's short or long form, or
 * a (prefix of a) manifest digest.  -ENOENT when there is none. */
int image_lookup(const cJSON *index, const char *what, cJSON **ret_entry);
/* The manifest digest of the entry (validated). */
const char *image_digest(const cJSON *entry);

/* The table of images, their names alone (quiet), or a JSON array of objects with name,
 * digest, media_type, size (config and compressed layers) and created. */
int image_list(const struct store *s, bool quiet, bool json);
int image_inspect(const struct store *s, const char *what);
int image_remove(struct store *s, char **refs);
int image_prune(struct store *s, bool quiet);
/* Prints the path of the image's root filesystem, unpacking it first when needed. */
int image_rootfs(struct store *s, const char *what, uint64_t max_unpacked);
/* Unpacks the image into dir (created when missing; must be empty). */
int image_unpack(struct store *s, const char *what, const char *dir, uint64_t max_unpacked);
/* Unpacks the tar at path ("-": standard input) into the existing directory dir, with the
 * checks and the semantics of a layer (no store involved). */
int image_extract(const char *path, const char *dir, uint64_t max_unpacked);
