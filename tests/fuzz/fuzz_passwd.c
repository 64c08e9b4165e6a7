/*
 * A user spec against an image's /etc/passwd and /etc/group.  Framing: one byte, the
 * spec's length; two bytes (little-endian), the passwd file's length; the spec, the
 * passwd file, and the rest is the group file.  Both files are buffers with no NUL at
 * the end, as the caller hands them over.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "passwd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *spec = NULL, *error = NULL;
	size_t spec_len, passwd_len;
	struct passwd_user u;
	int r;

	if (size < 3)
		return 0;
	spec_len = data[0];
	passwd_len = (size_t)data[1] | (size_t)data[2] << 8;
	data += 3;
	size -= 3;
	if (spec_len > size)
		spec_len = size;
	spec = strndup((const char *)data, spec_len);
	if (!spec)
		return 0;
	data += spec_len;
	size -= spec_len;
	if (passwd_len > size)
		passwd_len = size;

	r = passwd_resolve(spec, (const char *)data, passwd_len, (const char *)data + passwd_len,
	                   size - passwd_len, &u, &error);
	if (r < 0) {
		/* Every refusal but a failed allocation says why. */
		assert(r == -ENOMEM || error);
		return 0;
	}
	assert(u.n_groups >= 1 && u.groups[0] == u.gid);
	for (size_t i = 0; i < u.n_groups; i++)
		for (size_t j = i + 1; j < u.n_groups; j++)
			assert(u.groups[i] != u.groups[j]);
	assert(u.uid != (uid_t)-1 && u.gid != (gid_t)-1);
	assert(u.home && *u.home);
	passwd_user_done(&u);
	return 0;
}
