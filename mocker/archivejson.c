#include "archivejson.h"

#include "cleanup.h"
#include "errtext.h"
#include "json.h"
#include "layerpath.h"
#include "store.h"
#include "strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

char *
archivejson_path(const char *name, const char **ret_why)
{
	char *out = NULL;

	if (name[0] == '/') {
		*ret_why = "absolute name";
		return NULL;
	}
	if (layerpath_normalize(name, &out, ret_why) < 0)
		return NULL;
	if (!*out) {
		free(out);
		*ret_why = "names the root";
		return NULL;
	}
	return out;
}

void
archivejson_oci_free(struct archivejson_oci *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].desc.media_type);
		free(v[i].name);
	}
	free(v);
}

int
archivejson_parse_index(const char *json, size_t len, struct archivejson_oci **ret, size_t *ret_n,
                        char **ret_error)
{
	_cleanup_json_ cJSON *root = NULL;
	const cJSON *list, *it;
	struct archivejson_oci *v;
	size_t n = 0;
	int r;

	r = json_parse_checked(json, len, cJSON_Object, &root);
	if (r < 0)
		return error_set(ret_error, r, "index.json %s",
		                 json_parse_failure(json, len, cJSON_Object));
	list = cJSON_GetObjectItemCaseSensitive(root, "manifests");
	if (!cJSON_IsArray(list))
		return error_set(ret_error, -EINVAL, "index.json has no manifests array");
	if (cJSON_GetArraySize(list) > ARCHIVEJSON_MAX_IMAGES)
		return error_set(ret_error, -EINVAL, "index.json lists more than %d images",
		                 ARCHIVEJSON_MAX_IMAGES);
	v = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	cJSON_ArrayForEach(it, list)
	{
		const char *digest = json_string(it, "digest"), *mt = json_string(it, "mediaType");
		const cJSON *ann = cJSON_GetObjectItemCaseSensitive(it, "annotations");
		const char *name = json_string(ann, CONTAINERD_NAME_ANNOTATION)
		                           ?: json_string(ann, REF_NAME_ANNOTATION);
		uint64_t size = json_uint(it, "size", UINT64_MAX);
		struct archivejson_oci *e = &v[n];

		if (!cJSON_IsObject(it) || !digest_valid(digest) || size == UINT64_MAX) {
			archivejson_oci_free(v, n);
			return error_set(ret_error, -EINVAL,
			                 "index.json: entry %zu has no valid digest and size",
			                 n + 1);
		}
		if (!mt ||
		    (strcmp(mt, MT_OCI_MANIFEST) != 0 && strcmp(mt, MT_OCI_INDEX) != 0 &&
		     strcmp(mt, MT_DOCKER_MANIFEST) != 0 && strcmp(mt, MT_DOCKER_LIST) != 0)) {
			archivejson_oci_free(v, n);
			return error_set(
			        ret_error, -EPROTONOSUPPORT,
			        "index.json: entry %zu has the unsupported media type '%s'", n + 1,
			        mt ?: "(none)");
		}
		memcpy(e->desc.digest, digest, DIGEST_STR_SIZE);
		e->desc.size = size;
		e->desc.media_type = strdup(mt);
		e->name = name && *name ? strdup(name) : NULL;
		n++;
		if (!e->desc.media_type || (name && *name && !e->name)) {
			archivejson_oci_free(v, n);
			return -ENOMEM;
		}
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

void
archivejson_docker_free(struct archivejson_docker *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].config);
		strv_free(v[i].layers);
		strv_free(v[i].tags);
	}
	free(v);
}

/* A list of member paths (paths) or of strings (tags). */
static int
string_list(const cJSON *arr, bool paths, const char *what, size_t image, char ***ret,
            size_t *ret_n, char **ret_error)
{
	_cleanup_strv_ char **v = calloc(1, sizeof(char *));
	const cJSON *it;
	size_t n = 0;

	if (!v)
		return -ENOMEM;
	if (arr && !cJSON_IsNull(arr) && !cJSON_IsArray(arr))
		return error_set(ret_error, -EINVAL, "manifest.json: %s of image %zu is not a list",
		                 what, image);
	if (cJSON_GetArraySize(arr) > 4096)
		return error_set(ret_error, -EINVAL, "manifest.json: image %zu has too many %s",
		                 image, what);
	const cJSON *list = cJSON_IsArray(arr) ? arr : NULL;

	cJSON_ArrayForEach(it, list)
	{
		const char *why;
		char *s;

		if (!cJSON_IsString(it) || !*it->valuestring)
			return error_set(ret_error, -EINVAL,
			                 "manifest.json: %s of image %zu holds a non-string", what,
			                 image);
		s = paths ? archivejson_path(it->valuestring, &why) : strdup(it->valuestring);
		if (!s && paths)
			return error_set(ret_error, -EINVAL,
			                 "manifest.json: %s '%s' of image %zu: %s", what,
			                 it->valuestring, image, why);
		if (strv_push(&v, s) < 0)
			return -ENOMEM;
		n++;
	}
	*ret = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}

int
archivejson_parse_docker(const char *json, size_t len, struct archivejson_docker **ret,
                         size_t *ret_n, char **ret_error)
{
	_cleanup_json_ cJSON *root = NULL;
	const cJSON *it;
	struct archivejson_docker *v;
	size_t n = 0, ntags;
	int r;

	r = json_parse_checked(json, len, cJSON_Array, &root);
	if (r < 0)
		return error_set(ret_error, r, "manifest.json %s",
		                 json_parse_failure(json, len, cJSON_Array));
	if (cJSON_GetArraySize(root) > ARCHIVEJSON_MAX_IMAGES)
		return error_set(ret_error, -EINVAL, "manifest.json lists more than %d images",
		                 ARCHIVEJSON_MAX_IMAGES);
	v = calloc((size_t)cJSON_GetArraySize(root) + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	cJSON_ArrayForEach(it, root)
	{
		struct archivejson_docker *e = &v[n];
		const char *config = json_string(it, "Config"), *why;

		n++;
		if (!config) {
			archivejson_docker_free(v, n);
			return error_set(ret_error, -EINVAL,
			                 "manifest.json: image %zu has no Config", n);
		}
		e->config = archivejson_path(config, &why);
		if (!e->config) {
			r = error_set(ret_error, -EINVAL,
			              "manifest.json: Config '%s' of image %zu: %s", config, n,
			              why);
			archivejson_docker_free(v, n);
			return r;
		}
		r = string_list(cJSON_GetObjectItemCaseSensitive(it, "Layers"), true, "Layers", n,
		                &e->layers, &e->n_layers, ret_error);
		if (r >= 0)
			r = string_list(cJSON_GetObjectItemCaseSensitive(it, "RepoTags"), false,
			                "RepoTags", n, &e->tags, &ntags, ret_error);
		if (r < 0) {
			archivejson_docker_free(v, n);
			return r;
		}
	}
	if (n == 0) {
		free(v);
		return error_set(ret_error, -EINVAL, "manifest.json lists no image");
	}
	*ret = v;
	*ret_n = n;
	return 0;
}
