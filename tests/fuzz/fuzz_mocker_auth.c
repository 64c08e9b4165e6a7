/*
 * What a Docker config file and a credential helper hand mocker: config.json text (first
 * byte even; the byte picks the registry it is asked about) and the output of
 * "docker-credential-NAME get" (odd).  A helper named is always a valid name (it becomes
 * a program name), and credentials are always "user:password" without line breaks.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "mocker/auth.h"

static void
config(const char *text, size_t len, uint8_t pick)
{
	static const char *const domains[] = { "docker.io", "127.0.0.1:5000", "gcr.io", "quay.io" };
	struct auth_config_entry e;
	char *why = NULL;

	if (auth_config_parse(text, len, domains[(pick >> 1) & 3], &e, &why) < 0) {
		free(why);
		return;
	}
	assert(!why);
	assert(!e.helper || (auth_helper_name_valid(e.helper) && e.server));
	assert(!e.userpass || strchr(e.userpass, ':'));
	auth_config_entry_done(&e);
}

static void
helper(const char *text, size_t len)
{
	char *up = NULL, *why = NULL;

	if (auth_helper_parse(text, len, &up, &why) < 0) {
		free(why);
		return;
	}
	assert(up && strchr(up, ':') && !strpbrk(up, "\r\n"));
	free(up);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = NULL;

	if (size < 1)
		return 0;
	/* The parsers take a length, but the text is NUL-terminated as read_file_at leaves it. */
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if (data[0] & 1)
		helper(s, size - 1);
	else
		config(s, size - 1, data[0]);
	return 0;
}
