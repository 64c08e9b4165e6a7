/*
 * The JSON files of an image archive that mocker load decodes: index.json of an OCI
 * archive (first byte even) and manifest.json of docker save (odd).  Whatever is accepted
 * has valid digests and only member paths with no "..", no leading "/" and no "." parts.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mocker/archivejson.h"

static void
check_path(const char *p)
{
	assert(p && *p && p[0] != '/');
	assert(strcmp(p, "..") != 0 && strncmp(p, "../", 3) != 0 && !strstr(p, "/../"));
	assert(!strstr(p, "//") && strcmp(p, ".") != 0 && strncmp(p, "./", 2) != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data + 1;
	char *why = NULL;
	size_t n = 0;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		struct archivejson_docker *v = NULL;
		if (archivejson_parse_docker(json, size - 1, &v, &n, &why) == 0) {
			for (size_t i = 0; i < n; i++) {
				check_path(v[i].config);
				for (size_t j = 0; j < v[i].n_layers; j++)
					check_path(v[i].layers[j]);
				assert(!v[i].layers[v[i].n_layers]);
			}
			archivejson_docker_free(v, n);
		}
	} else {
		struct archivejson_oci *v = NULL;
		if (archivejson_parse_index(json, size - 1, &v, &n, &why) == 0) {
			for (size_t i = 0; i < n; i++)
				assert(digest_valid(v[i].desc.digest) && v[i].desc.media_type);
			archivejson_oci_free(v, n);
		}
	}
	free(why);
	return 0;
}
