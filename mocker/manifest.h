/* Manifests and indexes (OCI and Docker schema 2): decoding, and the platform choice. */
#pragma once

#include "digest.h"
#include "strv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
/* What a registry is asked for: all four, never schema 1. */
#define MANIFEST_ACCEPT                                                                            \
	"Accept: " MT_OCI_INDEX ", " MT_OCI_MANIFEST ", " MT_DOCKER_LIST ", " MT_DOCKER_MANIFEST

/* What a descriptor may declare, checked before anything is fetched: manifests and indexes,
 * image configs.  Layers are bounded by the image's unpacked-size limit (see pull.h). */
#define MANIFEST_MAX (4u << 20)
#define CONFIG_MAX (16u << 20)

enum manifest_kind {
	MANIFEST_IMAGE,
	MANIFEST_INDEX,
};

struct descriptor {
	char *media_type;
	char digest[DIGEST_STR_SIZE];
	uint64_t size;
	/* index entries only */
	char *os, *arch, *variant;
	bool attestation;
};

struct manifest {
	enum manifest_kind kind;
	char *media_type;
	struct descriptor config; /* images only */
	struct descriptor *items; /* layers of an image, entries of an index */
	size_t n_items;
};

struct platform {
	char os[32], arch[32], variant[32]; /* variant "" when none */
};

/* Decodes a manifest or index.  content_type is the response's Content-Type (may be NULL;
 * the mediaType field decides then).  Schema 1, unknown types and bad descriptors are
 * -EINVAL / -EPROTONOSUPPORT with a malloc'd reason in *ret_error. */
int manifest_parse(const char *body, size_t len, const char *content_type, struct manifest *ret,
                   char **ret_error);
void manifest_done(struct manifest *m);

/* Checks the sizes an image manifest declares before any of its blobs is fetched: the
 * config at most CONFIG_MAX, each layer at most layer_max.  -EFBIG with a reason. */
int manifest_check_sizes(const struct manifest *m, uint64_t layer_max, char **ret_error);

/* "os/arch[/variant]"; -EINVAL otherwise.  arch and variant are normalized. */
int platform_parse(const char *s, struct platform *ret);
/* This machine's platform (linux, uname's machine in Go's names, default variant). */
void platform_default(struct platform *ret);
/* Go/OCI names: x86_64 -> amd64, aarch64 -> arm64 (variant v8), arm -> v7 when none. */
void platform_normalize(struct platform *p);
/* The index entry to pull for want, skipping attestations and other systems: its position,
 * or -ENOENT. */
int manifest_select(const struct manifest *index, const struct platform *want);

/* The platform an image config declares (os, architecture, variant), normalized;
 * -EINVAL when it declares none that is valid. */
int config_platform(const char *body, size_t len, struct platform *ret);
/* Same os and arch, and the same variant where both name one. */
bool platform_matches(const struct platform *have, const struct platform *want);

/* The rootfs.diff_ids of an image config: a NULL-terminated malloc'd array of valid digests. */
int config_diff_ids(const char *body, size_t len, char ***ret, size_t *ret_n);
