/*
 * A detached node's state.json as every verb reads it: whatever decodes must be what
 * the verbs may act on (a valid identity, a command, absolute cgroup paths) and encode
 * back to a text that decodes to the same.  The input is the file's text.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "containode/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = malloc(size + 1), *encoded = NULL, *again = NULL;
	struct node_state s, d;
	char why[256];
	uint64_t start;
	char st;
	int r;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	(void)state_stat_start(text, &st, &start);
	r = state_decode(text, size, &s, why, sizeof(why));
	if (r < 0) {
		assert(r == -EINVAL || r == -ENOMEM);
		assert(why[0]);
		return 0;
	}
	assert(ident_valid(s.id));
	assert(s.command && s.command[0]);
	for (size_t i = 0; i < s.n_cgroups; i++)
		assert(s.cgroups[i].path[0] == '/' &&
		       s.cgroups[i].base_len <= strlen(s.cgroups[i].path));
	assert(state_encode(&s, &encoded) == 0);
	assert(state_decode(encoded, strlen(encoded), &d, why, sizeof(why)) == 0);
	assert(state_encode(&d, &again) == 0);
	assert(strcmp(encoded, again) == 0);
	state_free(&s);
	state_free(&d);
	return 0;
}
