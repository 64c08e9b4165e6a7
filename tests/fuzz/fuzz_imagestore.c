/*
 * The store's index.json as containode reads it, and a manifest for its config
 * descriptor.  Framing: one byte, the name's length; the name; the rest is the text,
 * NUL-terminated past its length as read_file_at() hands it over.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "digestname.h"
#include "imagestore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int r, struct imagestore_desc *d)
{
	if (r < 0) {
		assert(r == -ENOENT || r == -EBADMSG || r == -ENOMEM);
		return;
	}
	/* Whatever is accepted may become a path: a valid digest, nothing else. */
	assert(digest_valid(d->digest));
	assert(d->size <= (1ull << 53));
	imagestore_desc_done(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *name = NULL, *text = NULL;
	struct imagestore_desc d = { 0 };
	size_t name_len;

	if (size < 1)
		return 0;
	name_len = data[0];
	data++;
	size--;
	if (name_len > size)
		name_len = size;
	name = strndup((const char *)data, name_len);
	text = malloc(size - name_len + 1);
	if (!name || !text)
		return 0;
	memcpy(text, data + name_len, size - name_len);
	text[size - name_len] = '\0';

	check(imagestore_index_find(text, size - name_len, name, &d), &d);
	check(imagestore_manifest_config(text, size - name_len, &d), &d);
	return 0;
}
