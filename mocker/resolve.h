/* From a reference to the image manifest for one platform, verified byte for byte. */
#pragma once

#include "manifest.h"
#include "registry.h"

struct resolved {
	char *body; /* the image manifest's exact bytes */
	size_t len;
	char digest[DIGEST_STR_SIZE];
	struct manifest m;
};

/* tag_or_digest names the manifest; the result is an image manifest, chosen from an index
 * for platform when the reference names one. */
int resolve_manifest(struct registry *reg, const char *tag_or_digest,
                     const struct platform *platform, struct resolved *ret, char **ret_error);
void resolved_done(struct resolved *r);
