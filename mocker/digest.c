#include "digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

struct sha256 *
sha256_new(void)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx)
		return NULL;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return NULL;
	}
	return (struct sha256 *)ctx;
}

struct sha256 *
sha256_free(struct sha256 *h)
{
	EVP_MD_CTX_free((EVP_MD_CTX *)h);
	return NULL;
}

void
sha256_update(struct sha256 *h, const void *data, size_t len)
{
	EVP_DigestUpdate((EVP_MD_CTX *)h, data, len);
}

void
sha256_final(struct sha256 *h, char out[DIGEST_STR_SIZE])
{
	unsigned char md[32];
	unsigned int n = 0;

	EVP_DigestFinal_ex((EVP_MD_CTX *)h, md, &n);
	memcpy(out, "sha256:", 7);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
}

int
digest_buffer(const void *data, size_t len, char out[DIGEST_STR_SIZE])
{
	_cleanup_sha256_ struct sha256 *h = sha256_new();

	if (!h)
		return -ENOMEM;
	sha256_update(h, data, len);
	sha256_final(h, out);
	return 0;
}
