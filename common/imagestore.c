#include "imagestore.h"

#include "cleanup.h"
#include "digestname.h"
#include "errtext.h"
#include "fileio.h"
#include "json.h"
#include "ref.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const manifest_types[] = {
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.v2+json",
};

void
imagestore_desc_done(struct imagestore_desc *d)
{
	free(d->media_type);
	*d = (struct imagestore_desc){ 0 };
}

/* A descriptor object: a valid digest and a size that JSON numbers hold exactly. */
static int
desc_read(const cJSON *obj, struct imagestore_desc *ret)
{
	const char *digest = json_string(obj, "digest"), *mt = json_string(obj, "mediaType");
	const cJSON *size = cJSON_GetObjectItemCaseSensitive(obj, "size");

	if (!digest_valid(digest) || !cJSON_IsNumber(size) || !(size->valuedouble >= 0) ||
	    size->valuedouble > 0x1p53 || size->valuedouble != (double)(uint64_t)size->valuedouble)
		return -EBADMSG;
	*ret = (struct imagestore_desc){ .size = (uint64_t)size->valuedouble };
	if (mt && !(ret->media_type = strdup(mt)))
		return -ENOMEM;
	strcpy(ret->digest, digest);
	return 0;
}

static cJSON *
parse_object(const char *json, size_t len)
{
	cJSON *j;

	return json_parse_checked(json, len, cJSON_Object, &j) < 0 ? NULL : j;
}

int
imagestore_index_find(const char *json, size_t len, const char *name, struct imagestore_desc *ret)
{
	_cleanup_json_ cJSON *j = parse_object(json, len);
	const cJSON *m, *e;

	if (!j)
		return -EBADMSG;
	m = cJSON_GetObjectItemCaseSensitive(j, "manifests");
	/* As mocker reads it: no list is an empty store. */
	if (m && !cJSON_IsArray(m))
		return -EBADMSG;
	cJSON_ArrayForEach(e, m)
	{
		const char *n = json_string(cJSON_GetObjectItemCaseSensitive(e, "annotations"),
		                            IMAGESTORE_REF_ANNOTATION);
		if (n && strcmp(n, name) == 0)
			return desc_read(e, ret);
	}
	return -ENOENT;
}

static bool
is_manifest_type(const char *mt)
{
	for (size_t i = 0; i < ARRAY_SIZE(manifest_types); i++)
		if (strcmp(mt, manifest_types[i]) == 0)
			return true;
	return false;
}

int
imagestore_manifest_config(const char *json, size_t len, struct imagestore_desc *ret)
{
	_cleanup_json_ cJSON *j = parse_object(json, len);
	const char *mt;

	if (!j)
		return -EBADMSG;
	/* An index (several platforms) has "manifests" and no config: mocker stores none. */
	mt = json_string(j, "mediaType");
	if ((mt && !is_manifest_type(mt)) || json_uint(j, "schemaVersion", 0) != 2)
		return -EBADMSG;
	return desc_read(cJSON_GetObjectItemCaseSensitive(j, "config"), ret);
}

/* A blob whose file has the size its descriptor says. */
static int
blob_read(const char *root, const struct imagestore_desc *d, char **ret, size_t *ret_len,
          char **ret_error)
{
	_cleanup_free_ char *path = NULL, *buf = NULL;
	size_t len;
	int r;

	if (d->size > IMAGESTORE_BLOB_MAX)
		return error_set_first(ret_error, -EFBIG, "blob %s is too large (%llu bytes)",
		                       d->digest, (unsigned long long)d->size);
	if (asprintf(&path, "%s/images/blobs/sha256/%s", root, digest_hex(d->digest)) < 0)
		return -ENOMEM;
	r = read_file_at(AT_FDCWD, path, IMAGESTORE_BLOB_MAX, &buf, &len);
	if (r < 0)
		return error_set_first(ret_error, r, "reading blob %s: %s", d->digest,
		                       strerror(-r));
	if (len != d->size)
		return error_set_first(ret_error, -EBADMSG, "blob %s has %zu bytes, not %llu",
		                       d->digest, len, (unsigned long long)d->size);
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

void
imagestore_image_done(struct imagestore_image *img)
{
	free(img->name);
	free(img->manifest);
	free(img->config);
	free(img->rootfs);
	*img = (struct imagestore_image){ 0 };
}

/* The name the index knows ref by: the normalised reference, else ref as it is. */
static int
index_lookup(const char *text, size_t len, const char *ref, char **ret_name,
             struct imagestore_desc *ret)
{
	_cleanup_free_ char *name = NULL;
	struct ref parsed;
	int r = -ENOENT;

	if (ref_parse(ref, &parsed) >= 0) {
		name = ref_string(&parsed);
		ref_done(&parsed);
		if (!name)
			return -ENOMEM;
		r = imagestore_index_find(text, len, name, ret);
	}
	if (r == -ENOENT) {
		free(name);
		name = strdup(ref);
		if (!name)
			return -ENOMEM;
		r = imagestore_index_find(text, len, name, ret);
	}
	if (r >= 0)
		*ret_name = TAKE_PTR(name);
	return r;
}

int
imagestore_open(const char *root, const char *ref, struct imagestore_image *ret, char **ret_error)
{
	_cleanup_free_ char *path = NULL, *index = NULL, *manifest = NULL, *name = NULL;
	struct imagestore_desc md = { 0 }, cd = { 0 };
	struct imagestore_image img = { 0 };
	size_t len;
	int r;

	if (asprintf(&path, "%s/images/index.json", root) < 0)
		return -ENOMEM;
	r = read_file_at(AT_FDCWD, path, IMAGESTORE_INDEX_MAX, &index, &len);
	/* No store, or none yet: no image in it. */
	if (r == -ENOENT)
		return error_set_first(ret_error, r, "image '%s' is not in the store '%s'", ref,
		                       root);
	if (r < 0)
		return error_set_first(ret_error, r, "reading '%s': %s", path, strerror(-r));
	r = index_lookup(index, len, ref, &name, &md);
	if (r == -ENOENT)
		return error_set_first(ret_error, r, "image '%s' is not in the store '%s'", ref,
		                       root);
	if (r < 0)
		return error_set_first(ret_error, r, "'%s': %s", path,
		                       r == -EBADMSG ? "not a valid image index" : strerror(-r));
	r = blob_read(root, &md, &manifest, &len, ret_error);
	if (r >= 0) {
		r = imagestore_manifest_config(manifest, len, &cd);
		if (r == -EBADMSG)
			error_set_first(ret_error, r, "manifest %s is not an image manifest",
			                md.digest);
	}
	if (r >= 0)
		r = blob_read(root, &cd, &img.config, &img.config_len, ret_error);
	if (r >= 0 && (!(img.manifest = strdup(md.digest)) ||
	               asprintf(&img.rootfs, "%s/rootfs/%s", root, digest_hex(md.digest)) < 0))
		r = -ENOMEM;
	imagestore_desc_done(&md);
	imagestore_desc_done(&cd);
	if (r < 0) {
		imagestore_image_done(&img);
		return error_set_first(ret_error, r, "image '%s': %s", ref, strerror(-r));
	}
	img.name = TAKE_PTR(name);
	*ret = img;
	return 0;
}

static int
rootfs_lock(const char *path, int op)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	struct stat held, now;

	if (fd < 0)
		return -errno;
	while (flock(fd, op) < 0) {
		if (errno == EWOULDBLOCK)
			return -EBUSY;
		if (errno != EINTR)
			return -errno;
	}
	/* Removed (or replaced) while we waited: that tree is not the image's any more. */
	if (fstat(fd, &held) < 0)
		return -errno;
	if (stat(path, &now) < 0)
		return -errno;
	if (held.st_dev != now.st_dev || held.st_ino != now.st_ino)
		return -ENOENT;
	return TAKE_FD(fd);
}

int
imagestore_rootfs_hold(const char *path)
{
	return rootfs_lock(path, LOCK_SH);
}

int
imagestore_rootfs_claim(const char *path)
{
	return rootfs_lock(path, LOCK_EX | LOCK_NB);
}
