/* The text form of sha256 digests, the only form that may become part of a path in the
 * image store.  (Hashing is mocker's, with libcrypto: mocker/digest.h.) */
#pragma once

#include <stdbool.h>

#define DIGEST_HEX_LEN 64
/* "sha256:" + 64 hex digits + NUL */
#define DIGEST_STR_SIZE (7 + DIGEST_HEX_LEN + 1)

/* True when s is exactly "sha256:" followed by 64 lower-case hex digits. */
bool digest_valid(const char *s);

/* The 64 hex digits of a valid digest (a pointer into s). */
static inline const char *
digest_hex(const char *s)
{
	return s + 7;
}
