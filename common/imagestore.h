/*
 * Read-only access to mocker's image store (see mocker/store.h for the layout): a
 * reference resolved through images/index.json to its manifest and config, the path of
 * its unpacked root filesystem, and the lock that keeps a root filesystem in use.
 * mocker stays the only writer; this never writes and needs no store lock (every write
 * of mocker's is a rename).
 *
 * The blobs are not hashed here (that needs libcrypto): mocker verified each one before
 * it renamed it into place, and only the store's owner reaches them (the root is 0700).
 * What is checked is what a stale or damaged store shows: the file is named by a valid
 * digest, is a regular file and has the size its descriptor says.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define IMAGESTORE_DEFAULT "/var/lib/containet"
#define IMAGESTORE_REF_ANNOTATION "org.opencontainers.image.ref.name"
#define IMAGESTORE_INDEX_MAX (64u << 20)
#define IMAGESTORE_BLOB_MAX (16u << 20)

/* A descriptor: what the index says about a manifest, or a manifest about its config. */
struct imagestore_desc {
	char *media_type;
	char digest[7 + 64 + 1];
	uint64_t size;
};

/*
 * The index entry named name (its ref.name annotation, as mocker writes it: the first
 * one, as mocker finds it).  Pure.  -ENOENT when none has the name; -EBADMSG for text
 * that is not an OCI index, or an entry with an invalid digest.
 */
int imagestore_index_find(const char *json, size_t len, const char *name,
                          struct imagestore_desc *ret);
/* The config descriptor of an image manifest.  Pure.  -EBADMSG when it is none. */
int imagestore_manifest_config(const char *json, size_t len, struct imagestore_desc *ret);
void imagestore_desc_done(struct imagestore_desc *d);

struct imagestore_image {
	char *name;     /* the reference as stored: "docker.io/library/busybox:latest" */
	char *manifest; /* its manifest's digest */
	char *config;   /* the config blob, NUL-terminated */
	size_t config_len;
	char *rootfs; /* STORE/rootfs/<hex of the manifest digest>; may not exist yet */
};

/*
 * Resolves ref (Docker's short or long form, normalised as `mocker pull` stores it; else
 * taken as it is) in the store at root.  -ENOENT when the image is not there; otherwise
 * -errno with the reason in *ret_error (allocated).
 */
int imagestore_open(const char *root, const char *ref, struct imagestore_image *ret,
                    char **ret_error);
void imagestore_image_done(struct imagestore_image *img);

/*
 * A shared lock on the root filesystem at path, held as long as the returned fd is open:
 * mocker removes no tree that is locked.  Waits while mocker removes it, then -ENOENT
 * when it is gone.
 */
int imagestore_rootfs_hold(const char *path);
/*
 * The exclusive lock a remover takes before it removes the tree at path (keeping the fd
 * open until it is done): -EBUSY when a node holds it.
 */
int imagestore_rootfs_claim(const char *path);
