/*
 * A seccomp cache entry as read from disk: never taken for a filter unless whole and
 * made from the very key asked for; one that is taken holds 1 to BPF_MAXINSNS
 * instructions.  An entry made from the input (as the profile) reads back the same.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "containode/seccomp_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seccomp_cache_key key = {
		.profile = "{}",
		.profile_len = 2,
		.caps = 0xa80425fb,
		.arch = "amd64",
		.kernel_major = 6,
		.kernel_minor = 1,
		.build = { 1, 2, 3, 4 },
		.build_len = 4,
	};
	struct sock_filter prog[3] = { { 1, 2, 3, 4 }, { 5, 6, 7, 8 }, { 9, 10, 11, 12 } };
	struct sock_filter *back = NULL;
	void *blob = NULL;
	size_t n = 0, len;
	int r;

	r = seccomp_cache_decode(data, size, &key, &back, &n);
	assert(r == 0 || r == -EBADMSG || r == -ESTALE || r == -ENOMEM);
	if (r == 0) {
		assert(n >= 1 && n <= SECCOMP_CACHE_INSNS_MAX);
		free(back);
	}
	/* The input as the profile: the entry made of it reads back as it was. */
	key.profile = (const char *)data;
	key.profile_len = size;
	if (seccomp_cache_encode(&key, prog, 3, &blob, &len) == 0) {
		back = NULL;
		assert(seccomp_cache_decode(blob, len, &key, &back, &n) == 0);
		assert(n == 3 && memcmp(back, prog, sizeof(prog)) == 0);
		free(back);
		free(blob);
	}
	return 0;
}
