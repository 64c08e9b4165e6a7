/* sha256 digests: streaming hashing (libcrypto); their text form is common/digestname.h. */
#pragma once

#include "digestname.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
