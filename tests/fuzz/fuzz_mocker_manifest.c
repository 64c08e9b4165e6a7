/*
 * What a registry sends about an image: a manifest or an index (with the Content-Type it
 * claims, picked by the first byte), the platform choice in an index, and an image
 * config's diff_ids.  Every accepted descriptor must hold a digest mocker can use.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "mocker/manifest.h"

static const char *const content_types[] = {
	NULL,           MT_OCI_INDEX,       MT_OCI_MANIFEST,
	MT_DOCKER_LIST, MT_DOCKER_MANIFEST, "application/json",
	"text/html",
};

static void
check_descriptor(const struct descriptor *d)
{
	assert(strncmp(d->digest, "sha256:", 7) == 0 && strlen(d->digest) == DIGEST_STR_SIZE - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *ct;
	const char *body;
	struct manifest m;
	_cleanup_free_ char *error = NULL;
	char **ids = NULL;
	size_t n_ids, i;
	int r;

	if (size < 1)
		return 0;
	ct = content_types[data[0] % (sizeof(content_types) / sizeof(content_types[0]))];
	body = (const char *)data + 1;
	size--;

	r = manifest_parse(body, size, ct, &m, &error);
	if (r == 0) {
		if (m.kind == MANIFEST_IMAGE)
			check_descriptor(&m.config);
		for (i = 0; i < m.n_items; i++)
			check_descriptor(&m.items[i]);
		if (m.kind == MANIFEST_INDEX) {
			struct platform want;
			int pos;

			platform_default(&want);
			pos = manifest_select(&m, &want);
			assert(pos == -ENOENT || (pos >= 0 && (size_t)pos < m.n_items));
		}
		manifest_done(&m);
	} else {
		assert(error || r == -ENOMEM);
	}

	if (config_diff_ids(body, size, &ids, &n_ids) == 0) {
		for (i = 0; i < n_ids; i++)
			assert(ids[i]);
		assert(ids[n_ids] == NULL);
		strv_free(ids);
	}
	return 0;
}
