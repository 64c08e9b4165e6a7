/* sha256 digests: validation of their text form, and streaming hashing (libcrypto). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DIGEST_HEX_LEN 64
/* "sha256:" + 64 hex digits + NUL */
#define DIGEST_STR_SIZE (7 + DIGEST_HEX_LEN + 1)

/* True when s is exactly "sha256:" followed by 64 lower-case hex digits: the only form that
 * may become part of a path. */
bool digest_valid(const char *s);

/* The 64 hex digits of a valid digest (a pointer into s). */
static inline const char *
digest_hex(const char *s)
{
	return s + 7;
}

struct sha256;

struct sha256 *sha256_new(void);
struct sha256 *sha256_free(struct sha256 *h);
void sha256_update(struct sha256 *h, const void *data, size_t len);
/* Writes "sha256:<hex>" into out; the context is finished and must be freed. */
void sha256_final(struct sha256 *h, char out[DIGEST_STR_SIZE]);
/* One-shot digest of a buffer. */
int digest_buffer(const void *data, size_t len, char out[DIGEST_STR_SIZE]);

static inline void
sha256_freep(struct sha256 **h)
{
	if (*h)
		sha256_free(*h);
}
#define _cleanup_sha256_ __attribute__((cleanup(sha256_freep)))
