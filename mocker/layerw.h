/* Writes a layer blob into the store in one pass: the entries go into a tar stream whose
 * bytes are hashed (the diff_id) and gzip-compressed into a temp file of the store, whose
 * bytes are hashed too (the blob's digest).  Nothing is held in memory but buffers. */
#pragma once

#include "digest.h"
#include "lazyarchive.h"
#include "store.h"

#include <stdint.h>

#define LAYERW_MEDIA_TYPE "application/vnd.oci.image.layer.v1.tar+gzip"

struct layerw;

/* A new writer whose temp file lives in the store. */
int layerw_new(const struct store *s, struct layerw **ret);
/* The tar writer to give the entries to (archive_write_header, archive_write_data). */
struct archive *layerw_archive(struct layerw *w);
/* Ends the tar and the gzip stream and renames the blob into place (unsynced: call
 * store_sync_blobs() before anything refers to it).  The digests and the compressed size. */
int layerw_finish(struct layerw *w, char ret_diff_id[DIGEST_STR_SIZE],
                  char ret_digest[DIGEST_STR_SIZE], uint64_t *ret_size, char **ret_error);
/* Frees the writer, removing the temp file when the blob was not finished. */
struct layerw *layerw_free(struct layerw *w);
DEFINE_CLEANUP_FUNC(struct layerw *, layerw_free)
