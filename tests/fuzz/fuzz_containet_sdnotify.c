/*
 * $NOTIFY_SOCKET values on random bytes (up to the first NUL).  Checks that a value is
 * either refused with -EINVAL/-ENAMETOOLONG or gives an AF_UNIX address whose length
 * stays inside struct sockaddr_un and whose bytes are the value's.
 */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "containet/sdnotify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct sockaddr_un sa;
	socklen_t len = 0;
	size_t n;
	int r;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	n = strlen(s);
	r = sdnotify_address(s, &sa, &len);
	assert(r == 0 || r == -EINVAL || r == -ENAMETOOLONG);
	if (r == 0) {
		assert(sa.sun_family == AF_UNIX);
		assert(len <= sizeof(sa) && len > offsetof(struct sockaddr_un, sun_path) + 1);
		assert(s[0] == '/' || s[0] == '@');
		assert(memcmp(sa.sun_path + 1, s + 1, n - 1) == 0);
		assert(sa.sun_path[0] == (s[0] == '@' ? '\0' : '/'));
	}
	free(s);
	return 0;
}
