/*
 * The strings a user or a registry hands mocker before anything is fetched: an image
 * reference (first byte even) and a WWW-Authenticate challenge (odd).  An accepted
 * reference prints as a reference that parses to the same thing.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "mocker/auth.h"
#include "ref.h"

static int
same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void
reference(const char *s)
{
	struct ref r, again;
	_cleanup_free_ char *text = NULL;

	if (ref_parse(s, &r) < 0)
		return;
	assert(r.domain && r.path && (r.tag || r.digest));
	assert(ref_api_host(&r));
	text = ref_string(&r);
	if (text) {
		assert(ref_parse(text, &again) == 0);
		assert(same(r.domain, again.domain) && same(r.path, again.path));
		assert(same(r.tag, again.tag));
		if (!r.tag)
			assert(same(r.digest, again.digest));
		ref_done(&again);
	}
	ref_done(&r);
}

static void
challenge(const char *s)
{
	struct auth_challenge c;

	if (auth_parse_challenge(s, &c) < 0)
		return;
	if (c.scheme == AUTH_BEARER)
		assert(c.realm);
	auth_challenge_done(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = NULL;

	if (size < 1)
		return 0;
	/* Both take C strings: the input up to its first NUL. */
	s = strndup((const char *)data + 1, size - 1);
	if (!s)
		return 0;
	if (data[0] & 1)
		challenge(s);
	else
		reference(s);
	return 0;
}
