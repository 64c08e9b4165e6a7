/*
 * A seccomp profile (`--seccomp FILE`), read, narrowed to a node (capabilities from the
 * first eight bytes, the architecture and kernel from the next two) and turned into a
 * filter that is never loaded.  A refusal names the element; the rules that apply are a
 * subset of the profile, in order.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "containode/seccomp_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const arches[] = { "amd64", "x86", "arm64", "s390x" };
	_cleanup_free_ char *error = NULL;
	_cleanup_free_ const struct seccomp_profile_rule **rules = NULL;
	struct seccomp_profile p;
	struct seccomp_profile_node node = { 0 };
	scmp_filter_ctx ctx;
	size_t n;

	if (size < 10)
		return 0;
	memcpy(&node.caps, data, sizeof(node.caps));
	node.arch = arches[data[8] % 4];
	node.kernel_major = data[9] >> 4;
	node.kernel_minor = data[9] & 15;
	if (seccomp_profile_parse((const char *)data + 10, size - 10, &p, &error) < 0) {
		assert(error);
		return 0;
	}
	assert(seccomp_profile_effective(&p, &node, &rules, &n) == 0);
	assert(n <= p.n_rules);
	for (size_t i = 0; i < n; i++) {
		assert(rules[i] >= p.rules && rules[i] < p.rules + p.n_rules);
		assert(i == 0 || rules[i] > rules[i - 1]);
	}
	if (seccomp_profile_build(&p, &node, &ctx, &error) == 0)
		seccomp_release(ctx);
	seccomp_profile_done(&p);
	return 0;
}
