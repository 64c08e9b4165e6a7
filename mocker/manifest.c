#include "manifest.h"

#include "cleanup.h"
#include "errtext.h"
#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static void
descriptor_done(struct descriptor *d)
{
	free(d->media_type);
	free(d->os);
	free(d->arch);
	free(d->variant);
}

void
manifest_done(struct manifest *m)
{
	descriptor_done(&m->config);
	for (size_t i = 0; i < m->n_items; i++)
		descriptor_done(&m->items[i]);
	free(m->items);
	free(m->media_type);
	*m = (struct manifest){ 0 };
}

int
manifest_check_sizes(const struct manifest *m, uint64_t layer_max, char **ret_error)
{
	if (m->config.size > CONFIG_MAX)
		return error_set(ret_error, -EFBIG,
		                 "config %s declares %" PRIu64
		                 " bytes, more than the %u MiB allowed",
		                 m->config.digest, m->config.size, CONFIG_MAX >> 20);
	for (size_t i = 0; i < m->n_items; i++)
		if (m->items[i].size > layer_max)
			return error_set(ret_error, -EFBIG,
			                 "layer %s declares %" PRIu64
			                 " bytes, more than the whole image may unpack to (%" PRIu64
			                 ")",
			                 m->items[i].digest, m->items[i].size, layer_max);
	return 0;
}

static char *
strdup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int
parse_descriptor(const cJSON *o, struct descriptor *d, char **ret_error)
{
	const char *digest = json_string(o, "digest");
	const cJSON *size = cJSON_GetObjectItemCaseSensitive(o, "size");
	const cJSON *plat = cJSON_GetObjectItemCaseSensitive(o, "platform");
	const cJSON *ann = cJSON_GetObjectItemCaseSensitive(o, "annotations");
	const char *reftype = json_string(ann, "vnd.docker.reference.type");

	if (!cJSON_IsObject(o))
		return error_set(ret_error, -EINVAL, "descriptor is not an object");
	/* A digest becomes part of a path: nothing but sha256:<64 hex> passes. */
	if (!digest_valid(digest))
		return error_set(ret_error, -EINVAL, "bad or unsupported digest '%s'",
		                 digest ? digest : "(none)");
	if (!cJSON_IsNumber(size) || size->valuedouble < 0 || size->valuedouble > 1e15)
		return error_set(ret_error, -EINVAL, "descriptor %s has no valid size", digest);
	memcpy(d->digest, digest, DIGEST_STR_SIZE);
	d->size = (uint64_t)size->valuedouble;
	d->media_type = strdup_or_null(json_string(o, "mediaType"));
	if (cJSON_IsObject(plat)) {
		d->os = strdup_or_null(json_string(plat, "os"));
		d->arch = strdup_or_null(json_string(plat, "architecture"));
		d->variant = strdup_or_null(json_string(plat, "variant"));
	}
	d->attestation = reftype && strcmp(reftype, "attestation-manifest") == 0;
	return 0;
}

static bool
layer_type_ok(const char *mt)
{
	static const char *const ok[] = {
		"application/vnd.oci.image.layer.v1.tar",
		"application/vnd.oci.image.layer.v1.tar+gzip",
		"application/vnd.oci.image.layer.v1.tar+zstd",
		"application/vnd.docker.image.rootfs.diff.tar.gzip",
		"application/vnd.docker.image.rootfs.diff.tar.zstd",
		"application/vnd.docker.image.rootfs.diff.tar",
	};

	if (!mt)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (strcmp(mt, ok[i]) == 0)
			return true;
	return false;
}

static int
parse_items(const cJSON *arr, struct manifest *m, bool layers, char **ret_error)
{
	size_t n = cJSON_GetArraySize(arr);
	const cJSON *it;
	int r;

	if (n > 4096)
		return error_set(ret_error, -EINVAL, "too many entries (%zu)", n);
	m->items = calloc(n ? n : 1, sizeof(*m->items));
	if (!m->items)
		return -ENOMEM;
	cJSON_ArrayForEach(it, arr)
	{
		struct descriptor *d = &m->items[m->n_items];

		r = parse_descriptor(it, d, ret_error);
		m->n_items++;
		if (r < 0)
			return r;
		if (layers && !layer_type_ok(d->media_type))
			return error_set(ret_error, -EPROTONOSUPPORT, "unsupported layer type '%s'",
			                 d->media_type ? d->media_type : "(none)");
	}
	return 0;
}

static int
manifest_decode(const cJSON *root, const char *type, struct manifest *m, char **ret_error)
{
	const cJSON *arr;

	if (strcmp(type, MT_OCI_INDEX) == 0 || strcmp(type, MT_DOCKER_LIST) == 0) {
		m->kind = MANIFEST_INDEX;
		arr = cJSON_GetObjectItemCaseSensitive(root, "manifests");
		if (!cJSON_IsArray(arr))
			return error_set(ret_error, -EINVAL, "index without a manifests array");
		return parse_items(arr, m, false, ret_error);
	}
	if (strcmp(type, MT_OCI_MANIFEST) == 0 || strcmp(type, MT_DOCKER_MANIFEST) == 0) {
		int r;

		m->kind = MANIFEST_IMAGE;
		r = parse_descriptor(cJSON_GetObjectItemCaseSensitive(root, "config"), &m->config,
		                     ret_error);
		if (r < 0)
			return r;
		arr = cJSON_GetObjectItemCaseSensitive(root, "layers");
		if (!cJSON_IsArray(arr))
			return error_set(ret_error, -EINVAL,
			                 "image manifest without a layers array");
		return parse_items(arr, m, true, ret_error);
	}
	return error_set(ret_error, -EPROTONOSUPPORT, "unsupported manifest type '%s'", type);
}

int
manifest_parse(const char *body, size_t len, const char *content_type, struct manifest *ret,
               char **ret_error)
{
	_cleanup_json_ cJSON *root = NULL;
	struct manifest m = { 0 };
	_cleanup_free_ char *ct = NULL;
	const char *type;
	int r;

	r = json_parse_checked(body, len, cJSON_Object, &root);
	if (r < 0)
		return error_set(ret_error, r, "manifest %s",
		                 json_parse_failure(body, len, cJSON_Object));
	if (json_uint(root, "schemaVersion", 0) == 1 ||
	    (content_type && strstr(content_type, "distribution.manifest.v1+")))
		return error_set(
		        ret_error, -EPROTONOSUPPORT,
		        "image uses the obsolete Docker schema 1 manifest format, which is not "
		        "supported; push it again with a current client");
	if (json_uint(root, "schemaVersion", 0) != 2)
		return error_set(ret_error, -EINVAL, "unsupported schemaVersion");
	/* The response's type, stripped of parameters, unless it is generic. */
	if (content_type) {
		ct = strndup(content_type, strcspn(content_type, "; "));
		if (!ct)
			return -ENOMEM;
	}
	type = json_string(root, "mediaType");
	if (ct && strncmp(ct, "application/vnd.", 16) == 0)
		type = ct;
	if (!type) /* OCI allows mediaType to be left out */
		type = cJSON_GetObjectItemCaseSensitive(root, "manifests") ? MT_OCI_INDEX
		                                                           : MT_OCI_MANIFEST;
	r = manifest_decode(root, type, &m, ret_error);
	if (r >= 0 && !(m.media_type = strdup(type)))
		r = -ENOMEM;
	if (r < 0) {
		manifest_done(&m);
		return r;
	}
	*ret = m;
	return 0;
}

void
platform_normalize(struct platform *p)
{
	if (strcmp(p->arch, "x86_64") == 0 || strcmp(p->arch, "x86-64") == 0)
		strcpy(p->arch, "amd64");
	else if (strcmp(p->arch, "aarch64") == 0)
		strcpy(p->arch, "arm64");
	else if (strcmp(p->arch, "armhf") == 0 || strcmp(p->arch, "armv7l") == 0) {
		strcpy(p->arch, "arm");
		strcpy(p->variant, "v7");
	} else if (strcmp(p->arch, "i386") == 0 || strcmp(p->arch, "i686") == 0)
		strcpy(p->arch, "386");
	/* The defaults: arm64 means v8, plain arm means v7. */
	if (strcmp(p->arch, "arm64") == 0 && (!*p->variant || strcmp(p->variant, "8") == 0))
		strcpy(p->variant, "v8");
	if (strcmp(p->arch, "arm") == 0 && !*p->variant)
		strcpy(p->variant, "v7");
	if (strcmp(p->arch, "arm") == 0 && p->variant[0] >= '5' && p->variant[0] <= '8' &&
	    !p->variant[1]) {
		p->variant[1] = p->variant[0];
		p->variant[0] = 'v';
		p->variant[2] = '\0';
	}
}

static bool
field_ok(const char *s, size_t n)
{
	return n > 0 && n < 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") >= n;
}

int
platform_parse(const char *s, struct platform *ret)
{
	struct platform p = { 0 };
	const char *a = strchr(s, '/'), *v;
	size_t n;

	if (!a || !field_ok(s, a - s))
		return -EINVAL;
	memcpy(p.os, s, a - s);
	a++;
	v = strchr(a, '/');
	n = v ? (size_t)(v - a) : strlen(a);
	if (!field_ok(a, n))
		return -EINVAL;
	memcpy(p.arch, a, n);
	if (v) {
		v++;
		if (!field_ok(v, strlen(v)))
			return -EINVAL;
		strcpy(p.variant, v);
	}
	platform_normalize(&p);
	*ret = p;
	return 0;
}

void
platform_default(struct platform *ret)
{
	struct utsname u;
	struct platform p = { .os = "linux" };

	if (uname(&u) == 0)
		snprintf(p.arch, sizeof(p.arch), "%.31s", u.machine);
	else
		strcpy(p.arch, "amd64");
	platform_normalize(&p);
	*ret = p;
}

int
manifest_select(const struct manifest *index, const struct platform *want)
{
	for (size_t i = 0; i < index->n_items; i++) {
		const struct descriptor *d = &index->items[i];
		struct platform p = { 0 };

		if (d->attestation || !d->os || !d->arch)
			continue;
		if (d->media_type && strcmp(d->media_type, MT_OCI_MANIFEST) != 0 &&
		    strcmp(d->media_type, MT_DOCKER_MANIFEST) != 0)
			continue;
		if (strlen(d->os) >= sizeof(p.os) || strlen(d->arch) >= sizeof(p.arch) ||
		    (d->variant && strlen(d->variant) >= sizeof(p.variant)))
			continue;
		strcpy(p.os, d->os);
		strcpy(p.arch, d->arch);
		if (d->variant)
			strcpy(p.variant, d->variant);
		platform_normalize(&p);
		if (strcmp(p.os, want->os) == 0 && strcmp(p.arch, want->arch) == 0 &&
		    strcmp(p.variant, want->variant) == 0)
			return (int)i;
	}
	return -ENOENT;
}

int
config_diff_ids(const char *body, size_t len, char ***ret, size_t *ret_n)
{
	_cleanup_json_ cJSON *root = NULL;
	const cJSON *rootfs, *ids, *it;
	char **v;
	size_t n = 0;
	int r;

	r = json_parse_checked(body, len, cJSON_Object, &root);
	if (r < 0)
		return r;
	rootfs = cJSON_GetObjectItemCaseSensitive(root, "rootfs");
	ids = cJSON_GetObjectItemCaseSensitive(rootfs, "diff_ids");
	if (!cJSON_IsArray(ids) || cJSON_GetArraySize(ids) > 4096)
		return -EINVAL;
	v = calloc(cJSON_GetArraySize(ids) + 1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	cJSON_ArrayForEach(it, ids)
	{
		if (!cJSON_IsString(it) || !digest_valid(it->valuestring) ||
		    !(v[n] = strdup(it->valuestring))) {
			strv_free(v);
			return -EINVAL;
		}
		n++;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int
config_platform(const char *body, size_t len, struct platform *ret)
{
	_cleanup_json_ cJSON *root = NULL;
	const char *os, *arch, *variant;
	struct platform p = { 0 };
	int r;

	r = json_parse_checked(body, len, cJSON_Object, &root);
	if (r < 0)
		return r;
	os = json_string(root, "os");
	arch = json_string(root, "architecture");
	variant = json_string(root, "variant") ?: "";
	if (!os || !arch || !field_ok(os, strlen(os)) || !field_ok(arch, strlen(arch)) ||
	    (*variant && !field_ok(variant, strlen(variant))))
		return -EINVAL;
	strcpy(p.os, os);
	strcpy(p.arch, arch);
	strcpy(p.variant, variant);
	platform_normalize(&p);
	*ret = p;
	return 0;
}

bool
platform_matches(const struct platform *have, const struct platform *want)
{
	return strcmp(have->os, want->os) == 0 && strcmp(have->arch, want->arch) == 0 &&
	       (!*have->variant || !*want->variant || strcmp(have->variant, want->variant) == 0);
}
