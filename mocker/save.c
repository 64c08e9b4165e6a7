#include "save.h"
#include "lazyarchive.h"

#include "archivejson.h"
#include "cleanup.h"
#include "digest.h"
#include "errtext.h"
#include "fileio.h"
#include "image.h"
#include "json.h"
#include "log.h"
#include "ref.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SAVE_BUF (256 * 1024)

DEFINE_CLEANUP_FUNC(struct archive_entry *, archive_entry_free)

struct saver {
	const struct store *store;
	struct archive *w;
	char **written; /* digests already in the archive */
	char *why;
	char *buf;
};

static bool
already(const struct saver *sv, const char *digest)
{
	for (char **d = sv->written; d && *d; d++)
		if (strcmp(*d, digest) == 0)
			return true;
	return false;
}

static int
put_header(struct saver *sv, const char *name, int64_t size)
{
	_cleanup_(archive_entry_freep) struct archive_entry *e = archive_entry_new();

	if (!e)
		return -ENOMEM;
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, size);
	if (archive_write_header(sv->w, e) != ARCHIVE_OK)
		return error_set(&sv->why, -EIO, "writing '%s': %s", name,
		                 archive_error_string(sv->w) ?: "failed");
	return 0;
}

static int
put_text(struct saver *sv, const char *name, const char *text)
{
	size_t len = strlen(text);
	int r = put_header(sv, name, (int64_t)len);

	if (r >= 0 && archive_write_data(sv->w, text, len) != (la_ssize_t)len)
		r = error_set(&sv->why, -EIO, "writing '%s': %s", name,
		              archive_error_string(sv->w) ?: "failed");
	return r;
}

/* A blob of the store, streamed and hashed on its way: a blob that no longer matches its
 * digest fails the save. */
static int
put_blob(struct saver *sv, const char *digest)
{
	_cleanup_free_ char *path = store_blob_path(sv->store, digest), *name = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_sha256_ struct sha256 *h = sha256_new();
	char actual[DIGEST_STR_SIZE];
	struct stat st;
	int64_t left;
	int r;

	if (already(sv, digest))
		return 0;
	if (!path || !h || asprintf(&name, "blobs/sha256/%s", digest_hex(digest)) < 0)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return error_set(&sv->why, -errno, "blob %s: %s", digest, strerror(errno));
	r = put_header(sv, name, st.st_size);
	for (left = st.st_size; r >= 0 && left > 0;) {
		ssize_t n = read(fd, sv->buf, SAVE_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return error_set(&sv->why, n < 0 ? -errno : -EIO, "reading blob %s: %s",
			                 digest, n < 0 ? strerror(errno) : "it shrank");
		if (n > left)
			n = (ssize_t)left;
		sha256_update(h, sv->buf, (size_t)n);
		if (archive_write_data(sv->w, sv->buf, (size_t)n) != n)
			return error_set(&sv->why, -EIO, "writing '%s': %s", name,
			                 archive_error_string(sv->w) ?: "failed");
		left -= n;
	}
	if (r < 0)
		return r;
	sha256_final(h, actual);
	if (strcmp(actual, digest) != 0)
		return error_set(&sv->why, -EBADMSG, "blob %s of the store holds %s", digest,
		                 actual);
	return strv_push(&sv->written, strdup(digest));
}

/* A manifest and what it references; an index's children that the store holds. */
static int
put_manifest(struct saver *sv, const char *digest, int depth, struct manifest *ret_image)
{
	_cleanup_free_ char *body = NULL;
	struct manifest m = { 0 };
	size_t len;
	int r;

	r = store_read_blob(sv->store, digest, MANIFEST_MAX, &body, &len);
	if (r < 0)
		return error_set(&sv->why, r, "manifest %s: %s", digest, strerror(-r));
	r = manifest_parse(body, len, NULL, &m, &sv->why);
	if (r >= 0 && m.kind == MANIFEST_IMAGE) {
		r = put_blob(sv, m.config.digest);
		for (size_t i = 0; r >= 0 && i < m.n_items; i++)
			r = put_blob(sv, m.items[i].digest);
	}
	for (size_t i = 0; r >= 0 && m.kind == MANIFEST_INDEX && i < m.n_items && depth < 2; i++)
		if (store_has_blob(sv->store, m.items[i].digest, m.items[i].size))
			r = put_manifest(sv, m.items[i].digest, depth + 1, NULL);
	if (r >= 0)
		r = put_blob(sv, digest);
	if (r >= 0 && ret_image && m.kind == MANIFEST_IMAGE)
		*ret_image = m;
	else
		manifest_done(&m);
	return r;
}

/* Docker's RepoTags spelling: the short form for Docker Hub's library images. */
static char *
docker_tag(const char *name)
{
	const char *p = name;
	char *out;

	if (strncmp(p, "docker.io/", 10) == 0) {
		p += 10;
		if (strncmp(p, "library/", 8) == 0)
			p += 8;
	}
	out = strdup(p);
	return out;
}

static int
add_docker_entry(cJSON *list, const struct manifest *m, const char *name)
{
	cJSON *e = cJSON_CreateObject(), *layers, *tags;
	_cleanup_free_ char *config = NULL, *tag = docker_tag(name);

	if (!e || !cJSON_AddItemToArray(list, e) || !tag ||
	    asprintf(&config, "blobs/sha256/%s", digest_hex(m->config.digest)) < 0 ||
	    !cJSON_AddStringToObject(e, "Config", config) ||
	    !(tags = cJSON_AddArrayToObject(e, "RepoTags")) ||
	    !cJSON_AddItemToArray(tags, cJSON_CreateString(tag)) ||
	    !(layers = cJSON_AddArrayToObject(e, "Layers")))
		return -ENOMEM;
	for (size_t i = 0; i < m->n_items; i++) {
		_cleanup_free_ char *l = NULL;
		if (asprintf(&l, "blobs/sha256/%s", digest_hex(m->items[i].digest)) < 0 ||
		    !cJSON_AddItemToArray(layers, cJSON_CreateString(l)))
			return -ENOMEM;
	}
	return 0;
}

static int
add_index_entry(cJSON *list, const cJSON *entry, const char *name)
{
	cJSON *e = cJSON_CreateObject(), *ann;

	if (!e || !cJSON_AddItemToArray(list, e) ||
	    !cJSON_AddStringToObject(e, "mediaType",
	                             json_string(entry, "mediaType") ?: MT_OCI_MANIFEST) ||
	    !cJSON_AddStringToObject(e, "digest", image_digest(entry)) ||
	    !cJSON_AddNumberToObject(e, "size", (double)json_uint(entry, "size", 0)) ||
	    !(ann = cJSON_AddObjectToObject(e, "annotations")) ||
	    !cJSON_AddStringToObject(ann, REF_NAME_ANNOTATION, name) ||
	    !cJSON_AddStringToObject(ann, CONTAINERD_NAME_ANNOTATION, name))
		return -ENOMEM;
	return 0;
}

static la_ssize_t
fd_write_cb(struct archive *a, void *userdata, const void *buf, size_t n)
{
	int r = write_all(*(int *)userdata, buf, n);

	if (r < 0) {
		archive_set_error(a, -r, "%s", strerror(-r));
		return -1;
	}
	return (la_ssize_t)n;
}

static int
save_run(struct saver *sv, char **refs, int *fd)
{
	_cleanup_json_ cJSON *index = NULL, *out_index = cJSON_CreateObject(),
	                     *docker = cJSON_CreateArray();
	_cleanup_free_ char *index_text = NULL, *docker_text = NULL;
	cJSON *list;
	int r;

	if (!out_index || !docker || !cJSON_AddNumberToObject(out_index, "schemaVersion", 2) ||
	    !cJSON_AddStringToObject(out_index, "mediaType", MT_OCI_INDEX) ||
	    !(list = cJSON_AddArrayToObject(out_index, "manifests")))
		return -ENOMEM;
	r = store_index_load(sv->store, &index);
	if (r < 0)
		return error_set(&sv->why, r, "reading the store: %s", strerror(-r));
	/* Every reference first: a typo costs no archive. */
	for (char **ref = refs; *ref; ref++) {
		cJSON *e;
		r = image_lookup(index, *ref, &e);
		if (r == -ENOENT)
			return error_set(&sv->why, r, "image '%s' is not in the store", *ref);
		if (r < 0)
			return error_set(&sv->why, r, "image '%s': %s", *ref, strerror(-r));
	}
	sv->w = archive_write_new();
	if (!sv->w)
		return -ENOMEM;
	if (archive_write_set_format_pax_restricted(sv->w) != ARCHIVE_OK ||
	    archive_write_open(sv->w, fd, NULL, fd_write_cb, NULL) != ARCHIVE_OK)
		return error_set(&sv->why, -EIO, "%s", archive_error_string(sv->w) ?: "tar");
	r = put_text(sv, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
	for (char **ref = refs; r >= 0 && *ref; ref++) {
		struct manifest m = { 0 };
		cJSON *e;
		const char *name;

		image_lookup(index, *ref, &e);
		name = json_string(cJSON_GetObjectItemCaseSensitive(e, "annotations"),
		                   REF_NAME_ANNOTATION);
		r = put_manifest(sv, image_digest(e), 0, &m);
		if (r >= 0 && name)
			r = add_index_entry(list, e, name);
		if (r >= 0 && name && m.config.digest[0])
			r = add_docker_entry(docker, &m, name);
		manifest_done(&m);
	}
	if (r >= 0 && (!(index_text = cJSON_PrintUnformatted(out_index)) ||
	               !(docker_text = cJSON_PrintUnformatted(docker))))
		r = -ENOMEM;
	if (r >= 0)
		r = put_text(sv, "index.json", index_text);
	if (r >= 0 && cJSON_GetArraySize(docker))
		r = put_text(sv, "manifest.json", docker_text);
	if (r >= 0 && archive_write_close(sv->w) != ARCHIVE_OK)
		r = error_set(&sv->why, -EIO, "%s", archive_error_string(sv->w) ?: "closing");
	return r;
}

int
save_images(const struct store *s, char **refs, const char *out)
{
	struct saver sv = { .store = s, .buf = malloc(SAVE_BUF) };
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int own = -1;
	int fd = STDOUT_FILENO, r;

	if (!sv.buf)
		return -ENOMEM;
	if (strcmp(out, "-") == 0 && isatty(STDOUT_FILENO)) {
		log_error("save: not writing an archive to a terminal (-o FILE)");
		free(sv.buf);
		return -EINVAL;
	}
	if (strcmp(out, "-") != 0) {
		if (asprintf(&tmp, "%s.tmp-XXXXXX", out) < 0) {
			free(sv.buf);
			return -ENOMEM;
		}
		own = fd = mkostemp(tmp, O_CLOEXEC);
		if (fd < 0) {
			log_error_errno(errno, "save: creating '%s'", tmp);
			free(sv.buf);
			return -errno;
		}
		fchmod(fd, 0644);
	}
	r = save_run(&sv, refs, &fd);
	if (r >= 0 && tmp && (fsync(fd) < 0 || rename(tmp, out) < 0))
		r = error_set(&sv.why, -errno, "writing '%s': %s", out, strerror(errno));
	if (r < 0) {
		if (tmp)
			unlink(tmp);
		log_error("save %s: %s", out, sv.why ?: strerror(-r));
	}
	if (sv.w)
		archive_write_free(sv.w);
	strv_free(sv.written);
	free(sv.why);
	free(sv.buf);
	return r;
}
