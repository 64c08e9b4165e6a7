/* The image store: an OCI image layout under images/ (tags in the ref.name annotation),
 * unpacked root filesystems under rootfs/, temp files under tmp/.  Every write is a temp
 * file, fsync, rename, so a store interrupted at any moment stays valid. */
#pragma once

#include "json.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_DEFAULT "/var/lib/containet"
#define REF_NAME_ANNOTATION "org.opencontainers.image.ref.name"
/* The root's mode: only its owner reaches what images bring (see store.c). */
#define STORE_ROOT_MODE 0700

struct store {
	char *root;
	int lock_fd;
};

/* Opens the store at root, creating it when create, and then (as store_lock() does) makes
 * its root STORE_ROOT_MODE when it is ours.  A store that does not exist reads as empty;
 * store_lock() fails on it with -ENOENT. */
int store_open(const char *root, bool create, struct store *ret);
void store_close(struct store *s);
/* Exclusive lock for anything that writes; readers need none (renames are atomic). */
int store_lock(struct store *s);

/* Removes what interrupted writers left (tmp/, rootfs/.tmp-*, images/index.json.tmp-*);
 * needs the lock. */
void store_sweep(const struct store *s);

char *store_blob_path(const struct store *s, const char *digest);
/* True when the blob exists with this size. */
bool store_has_blob(const struct store *s, const char *digest, uint64_t size);
/* A new temp file in the store: its fd (O_RDWR) and path. */
int store_tmpfile(const struct store *s, char **ret_path);
/* fsync fd and rename tmp_path to the blob's name.  The rename is durable after
 * store_sync_blobs(), which must come before anything refers to the blob. */
int store_commit_blob(const struct store *s, int fd, const char *tmp_path, const char *digest);
/* fsyncs the blobs directory: every rename before it is on disk. */
int store_sync_blobs(const struct store *s);
/* Writes data as a blob after checking it hashes to digest. */
int store_put_blob(const struct store *s, const void *data, size_t len, const char *digest);
/* Reads a blob (at most max bytes) and checks its digest; -EBADMSG when it does not match. */
int store_read_blob(const struct store *s, const char *digest, size_t max, char **ret,
                    size_t *ret_len);
int store_remove_blob(const struct store *s, const char *digest);

/* index.json as a cJSON tree. */
int store_index_load(const struct store *s, cJSON **ret);
int store_index_save(const struct store *s, const cJSON *index);
/* The index entry whose ref.name is ref, or NULL. */
cJSON *store_index_find(const cJSON *index, const char *ref);
/* Adds or replaces the entry for ref. */
int store_index_set(cJSON *index, const char *ref, const char *media_type, const char *digest,
                    uint64_t size);

/* STORE/rootfs/<hex of the manifest digest> */
char *store_rootfs_path(const struct store *s, const char *manifest_digest);
