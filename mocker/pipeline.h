/* One pull's blobs in flight: the config and the layers download in parallel into temp
 * files, each committed to the store once verified, while an extraction thread applies the
 * layers in order as their bytes arrive (one pass per layer: download, hash, decompress,
 * extract), checking each against the config's diff_ids. */
#pragma once

#include "manifest.h"
#include "registry.h"
#include "store.h"

#include <stdbool.h>

struct pipeline;

/* Opens what the store already has and temp files for the blobs it lacks; the layers may
 * unpack to max_unpacked bytes. */
int pipeline_new(struct store *s, const struct manifest *image, bool progress,
                 uint64_t max_unpacked, struct pipeline **ret);
struct pipeline *pipeline_free(struct pipeline *p);
DEFINE_CLEANUP_FUNC(struct pipeline *, pipeline_free)

/* Downloads what is missing, parallel at a time, and extracts into rootfd when it is >= 0.
 * Checks the config's diff_ids (their number always, their values while extracting). */
int pipeline_run(struct pipeline *p, struct registry *reg, int rootfd, unsigned parallel,
                 char **ret_error);
/* True when the run put new blobs in the store. */
bool pipeline_downloaded(const struct pipeline *p);
/* Removes the blobs this run put in the store: after a failure, the store is as before. */
void pipeline_rollback(struct pipeline *p);
