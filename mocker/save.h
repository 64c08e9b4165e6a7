/* `mocker save`: stored images into one OCI archive (a tar of an OCI image layout, as
 * `skopeo copy oci-archive:` reads it, with a manifest.json as `docker load` reads it).
 * It logs its errors. */
#pragma once

#include "manifest.h"
#include "store.h"

/* out: a file (written beside itself and renamed into place) or "-" for standard output. */
int save_images(const struct store *s, char **refs, const char *out);
