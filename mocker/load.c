/* mocker load: one pass over the archive, every member streamed into a temp directory of
 * the store while it is hashed; then the JSON files say what the images are, every blob is
 * checked against its digest and size, and only then is anything renamed into the store. */
#include "load.h"
#include "lazyarchive.h"

#include "archivejson.h"
#include "cleanup.h"
#include "digest.h"
#include "errtext.h"
#include "fileio.h"
#include "fileio.h"
#include "json.h"
#include "log.h"
#include "ref.h"
#include "rmtree.h"
#include "rootfs.h"
#include "strv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOAD_BUF (256 * 1024)
#define LOAD_MAX_MEMBERS 100000
#define LOAD_MAX_LINKS 8
#define MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar"

DEFINE_CLEANUP_FUNC(struct archive *, archive_read_free)

struct member {
	char *name; /* normalised */
	char *link; /* a symlink's or hard link's target, normalised; NULL for a file */
	char digest[DIGEST_STR_SIZE];
	uint64_t size;
	size_t file; /* tmpdir/<file> */
};

struct image {
	char **names;
	char digest[DIGEST_STR_SIZE];
	const char *media_type;
	uint64_t size;
	char *manifest; /* made here (docker save archives): stored with store_put_blob */
};

struct loader {
	struct store *store;
	const struct load_opts *o;
	const char *in;
	char *tmpdir;
	int tmpfd;
	struct member *m;
	size_t n, cap;
	struct member **commit; /* blobs to store */
	size_t n_commit, cap_commit;
	struct image *img;
	size_t n_img;
	char **added;  /* blobs this load put into the store */
	char **rootfs; /* root filesystems it unpacked */
	char *why;
	char *buf;
};

static void
loader_done(struct loader *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->m[i].name);
		free(l->m[i].link);
	}
	free(l->m);
	free(l->commit);
	for (size_t i = 0; i < l->n_img; i++) {
		strv_free(l->img[i].names);
		free(l->img[i].manifest);
	}
	free(l->img);
	strv_free(l->added);
	strv_free(l->rootfs);
	safe_close(l->tmpfd);
	if (l->tmpdir)
		rm_rf_at(AT_FDCWD, l->tmpdir);
	free(l->tmpdir);
	free(l->why);
	free(l->buf);
}

static struct member *
member_new(struct loader *l)
{
	if (l->n == LOAD_MAX_MEMBERS)
		return NULL;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct member *m = realloc(l->m, cap * sizeof(*m));
		if (!m)
			return NULL;
		l->m = m;
		l->cap = cap;
	}
	l->m[l->n] = (struct member){ .file = l->n };
	return &l->m[l->n++];
}

/* A regular member: into tmpdir/<index>, hashed on its way. */
static int
stream_member(struct loader *l, struct archive *a, struct member *m, int64_t declared)
{
	_cleanup_sha256_ struct sha256 *h = sha256_new();
	_cleanup_close_ int fd = -1;
	char file[32];
	uint64_t got = 0;

	snprintf(file, sizeof(file), "%zu", m->file);
	fd = openat(l->tmpfd, file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (!h || fd < 0)
		return error_set(&l->why, fd < 0 ? -errno : -ENOMEM, "a temp file in '%s': %s",
		                 l->tmpdir, strerror(fd < 0 ? errno : ENOMEM));
	for (;;) {
		la_ssize_t n = archive_read_data(a, l->buf, LOAD_BUF);
		int r;

		if (n == 0)
			break;
		if (n < 0)
			return error_set(&l->why, -EIO, "'%s': %s", m->name,
			                 archive_error_string(a) ?: "unreadable");
		got += (uint64_t)n;
		if (got > (uint64_t)declared)
			return error_set(&l->why, -EIO, "'%s' is longer than it says", m->name);
		sha256_update(h, l->buf, (size_t)n);
		r = write_all(fd, l->buf, (size_t)n);
		if (r < 0)
			return error_set(&l->why, r, "writing '%s' to '%s': %s", m->name, l->tmpdir,
			                 strerror(-r));
	}
	sha256_final(h, m->digest);
	m->size = got;
	return 0;
}

/* The target of a symlink named name, as a member name: ".." resolved inside the
 * archive, never above its root. */
static char *
symlink_target(const char *name, const char *target, const char **ret_why)
{
	_cleanup_free_ char *joined = NULL, *out = NULL;
	const char *slash = strrchr(name, '/');
	size_t n = 0;

	*ret_why = "out of memory";
	if (target[0] == '/') {
		*ret_why = "absolute symlink";
		return NULL;
	}
	if (asprintf(&joined, "%.*s%s%s", slash ? (int)(slash - name) : 0, name, slash ? "/" : "",
	             target) < 0 ||
	    !(out = malloc(strlen(joined) + 1)))
		return NULL;
	for (char *save = NULL, *c = strtok_r(joined, "/", &save); c;
	     c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			if (n == 0) {
				*ret_why = "leaves the archive";
				return NULL;
			}
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--; /* the slash */
			continue;
		}
		if (n)
			out[n++] = '/';
		memcpy(out + n, c, strlen(c));
		n += strlen(c);
	}
	out[n] = '\0';
	return archivejson_path(out, ret_why);
}

static int
read_archive(struct loader *l)
{
	_cleanup_(archive_read_freep) struct archive *a = archive_read_new();
	struct archive_entry *e;
	int x, r;

	if (!a)
		return -ENOMEM;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	x = strcmp(l->in, "-") == 0 ? archive_read_open_fd(a, STDIN_FILENO, LOAD_BUF)
	                            : archive_read_open_filename(a, l->in, LOAD_BUF);
	if (x != ARCHIVE_OK)
		return error_set(&l->why, archive_errno(a) > 0 ? -archive_errno(a) : -EINVAL, "%s",
		                 archive_error_string(a) ?: "unreadable");
	while ((x = archive_read_next_header(a, &e)) == ARCHIVE_OK || x == ARCHIVE_WARN) {
		const char *raw = archive_entry_pathname(e) ?: "", *why;
		mode_t type = archive_entry_filetype(e);
		_cleanup_free_ char *name = archivejson_path(raw, &why);
		struct member *m;

		if (!name && type == AE_IFDIR && strcmp(why, "names the root") == 0)
			continue;
		if (!name)
			return error_set(&l->why, -EINVAL, "member '%s' refused: %s", raw, why);
		if (type != AE_IFREG && type != AE_IFLNK && !archive_entry_hardlink(e))
			continue; /* directories, devices: nothing an image archive needs */
		if (type == AE_IFREG && !archive_entry_hardlink(e) &&
		    archive_entry_size(e) > (int64_t)l->o->max_size)
			return error_set(&l->why, -EFBIG,
			                 "member '%s' declares %" PRId64
			                 " bytes, more than the %" PRIu64
			                 " allowed (--max-unpacked)",
			                 raw, archive_entry_size(e), l->o->max_size);
		m = member_new(l);
		if (!m)
			return error_set(&l->why, -E2BIG, "more than %d members", LOAD_MAX_MEMBERS);
		m->name = TAKE_PTR(name);
		if (archive_entry_hardlink(e)) {
			m->link = archivejson_path(archive_entry_hardlink(e), &why);
			if (!m->link)
				return error_set(&l->why, -EINVAL,
				                 "hard link '%s' to '%s' refused: %s", raw,
				                 archive_entry_hardlink(e), why);
		} else if (type == AE_IFLNK) {
			m->link = symlink_target(m->name, archive_entry_symlink(e) ?: "", &why);
			if (!m->link)
				return error_set(&l->why, -EINVAL,
				                 "symlink '%s' to '%s' refused: %s", raw,
				                 archive_entry_symlink(e) ?: "", why);
		} else {
			r = stream_member(l, a, m, archive_entry_size(e));
			if (r < 0)
				return r;
		}
	}
	if (x != ARCHIVE_EOF)
		return error_set(&l->why, -EINVAL, "%s", archive_error_string(a) ?: "unreadable");
	return 0;
}

/* The member named name (the last of that name, as tar extracts), links followed. */
static struct member *
find(struct loader *l, const char *name)
{
	for (int hops = 0; hops <= LOAD_MAX_LINKS; hops++) {
		struct member *m = NULL;
		for (size_t i = l->n; i-- > 0;)
			if (strcmp(l->m[i].name, name) == 0) {
				m = &l->m[i];
				break;
			}
		if (!m || !m->link)
			return m;
		name = m->link;
	}
	return NULL;
}

static int
member_text(struct loader *l, const struct member *m, size_t max, char **ret, size_t *ret_len)
{
	char file[32];
	int r;

	if (m->size > max)
		return error_set(&l->why, -EFBIG, "'%s' is %" PRIu64 " bytes, more than %zu",
		                 m->name, m->size, max);
	snprintf(file, sizeof(file), "%zu", m->file);
	r = read_file_at(l->tmpfd, file, max, ret, ret_len);
	if (r < 0)
		return error_set(&l->why, r, "reading '%s': %s", m->name, strerror(-r));
	return 0;
}

static int
want_commit(struct loader *l, struct member *m)
{
	if (l->n_commit == l->cap_commit) {
		size_t cap = l->cap_commit ? 2 * l->cap_commit : 32;
		struct member **v = realloc(l->commit, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->commit = v;
		l->cap_commit = cap;
	}
	l->commit[l->n_commit++] = m;
	return 0;
}

/* The member blobs/sha256/<hex> of a descriptor: there, of that size, hashing to it. */
static int
blob(struct loader *l, const char *digest, uint64_t size, const char *what, struct member **ret)
{
	_cleanup_free_ char *name = NULL;
	struct member *m;

	if (asprintf(&name, "blobs/sha256/%s", digest_hex(digest)) < 0)
		return -ENOMEM;
	m = find(l, name);
	if (!m || m->link)
		return error_set(&l->why, -ENOENT, "%s %s is not in the archive", what, digest);
	if (strcmp(m->digest, digest) != 0)
		return error_set(&l->why, -EBADMSG, "%s %s: the blob holds %s", what, digest,
		                 m->digest);
	if (m->size != size)
		return error_set(&l->why, -EBADMSG,
		                 "%s %s: the blob is %" PRIu64
		                 " bytes, its descriptor says %" PRIu64,
		                 what, digest, m->size, size);
	*ret = m;
	return want_commit(l, m);
}

static struct image *
image_new(struct loader *l)
{
	struct image *v = realloc(l->img, (l->n_img + 1) * sizeof(*v));

	if (!v)
		return NULL;
	l->img = v;
	v[l->n_img] = (struct image){ 0 };
	return &v[l->n_img++];
}

/* A name of the archive as the store spells it. */
static int
add_name(struct loader *l, struct image *img, const char *name)
{
	struct ref r;
	char *s;

	if (ref_parse(name, &r) < 0)
		return error_set(&l->why, -EINVAL,
		                 "the archive names an image '%s': not a valid "
		                 "reference",
		                 name);
	s = r.tag ? ref_string(&r) : NULL;
	ref_done(&r);
	if (!s)
		return error_set(&l->why, -EINVAL, "the archive names an image '%s': not a tag",
		                 name);
	return strv_push(&img->names, s);
}

/* An image of another platform than the one asked for is loaded as it is, and said. */
static void
check_platform(struct loader *l, const char *config, size_t len, const char *digest)
{
	struct platform have;
	const struct platform *want = &l->o->platform;

	if (config_platform(config, len, &have) < 0 || platform_matches(&have, want))
		return;
	log_warn("image %s is %s/%s%s%s, not the %s/%s%s%s asked for; loaded as it is", digest,
	         have.os, have.arch, *have.variant ? "/" : "", have.variant, want->os, want->arch,
	         *want->variant ? "/" : "", want->variant);
}

/* An image manifest of the archive, its config and layers. */
static int
oci_image(struct loader *l, const char *digest, uint64_t size, struct image *img)
{
	_cleanup_free_ char *text = NULL;
	struct manifest m = { 0 };
	struct member *mm, *b;
	size_t len;
	int r;

	r = blob(l, digest, size, "manifest", &mm);
	if (r >= 0)
		r = member_text(l, mm, MANIFEST_MAX, &text, &len);
	if (r >= 0)
		r = manifest_parse(text, len, NULL, &m, &l->why);
	if (r >= 0 && m.kind != MANIFEST_IMAGE)
		r = error_set(&l->why, -EINVAL, "%s is an index inside an index", digest);
	if (r >= 0)
		r = manifest_check_sizes(&m, l->o->max_size, &l->why);
	if (r >= 0)
		r = blob(l, m.config.digest, m.config.size, "config", &b);
	if (r >= 0) {
		_cleanup_free_ char *cfg = NULL;
		size_t clen;
		r = member_text(l, b, CONFIG_MAX, &cfg, &clen);
		if (r >= 0)
			check_platform(l, cfg, clen, digest);
	}
	for (size_t i = 0; r >= 0 && i < m.n_items; i++)
		r = blob(l, m.items[i].digest, m.items[i].size, "layer", &b);
	if (r >= 0) {
		memcpy(img->digest, digest, DIGEST_STR_SIZE);
		img->media_type = strcmp(m.media_type, MT_DOCKER_MANIFEST) == 0 ? MT_DOCKER_MANIFEST
		                                                                : MT_OCI_MANIFEST;
		img->size = size;
	}
	manifest_done(&m);
	return r;
}

static int
load_oci(struct loader *l, struct member *index)
{
	_cleanup_free_ char *text = NULL;
	struct archivejson_oci *v = NULL;
	size_t len, n = 0;
	int r;

	r = member_text(l, index, MANIFEST_MAX, &text, &len);
	if (r >= 0)
		r = archivejson_parse_index(text, len, &v, &n, &l->why);
	if (r >= 0 && n == 0)
		r = error_set(&l->why, -EINVAL, "index.json lists no image");
	for (size_t i = 0; r >= 0 && i < n; i++) {
		struct image *img = image_new(l);
		const struct descriptor *d = &v[i].desc;
		_cleanup_free_ char *itext = NULL;
		struct manifest idx = { 0 };
		struct member *im;
		size_t ilen;

		if (!img) {
			r = -ENOMEM;
			break;
		}
		if (v[i].name)
			r = add_name(l, img, v[i].name);
		if (r >= 0 && (strcmp(d->media_type, MT_OCI_INDEX) == 0 ||
		               strcmp(d->media_type, MT_DOCKER_LIST) == 0)) {
			/* A multi-platform image: this machine's (or --platform's). */
			r = blob(l, d->digest, d->size, "index", &im);
			if (r >= 0)
				r = member_text(l, im, MANIFEST_MAX, &itext, &ilen);
			if (r >= 0)
				r = manifest_parse(itext, ilen, NULL, &idx, &l->why);
			if (r >= 0 && idx.kind != MANIFEST_INDEX)
				r = error_set(&l->why, -EINVAL, "%s is not an index", d->digest);
			if (r >= 0 && (r = manifest_select(&idx, &l->o->platform)) < 0)
				error_set(&l->why, r, "index %s has no image for %s/%s%s%s",
				          d->digest, l->o->platform.os, l->o->platform.arch,
				          *l->o->platform.variant ? "/" : "",
				          l->o->platform.variant);
			else if (r >= 0)
				d = &idx.items[r];
		}
		if (r >= 0)
			r = oci_image(l, d->digest, d->size, img);
		manifest_done(&idx);
	}
	archivejson_oci_free(v, n);
	return r;
}

/* The media type of a docker save layer from its first bytes. */
static const char *
sniff_layer(struct loader *l, const struct member *m)
{
	unsigned char b[4] = { 0 };
	char file[32];
	_cleanup_close_ int fd = -1;

	snprintf(file, sizeof(file), "%zu", m->file);
	fd = openat(l->tmpfd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pread(fd, b, sizeof(b), 0) < 0)
		return NULL;
	if (b[0] == 0x1f && b[1] == 0x8b)
		return MT_DOCKER_LAYER ".gzip";
	if (b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
		return MT_DOCKER_LAYER ".zstd";
	return MT_DOCKER_LAYER;
}

static cJSON *
descriptor(const char *mt, const char *digest, uint64_t size)
{
	cJSON *d = cJSON_CreateObject();

	if (d && cJSON_AddStringToObject(d, "mediaType", mt) &&
	    cJSON_AddNumberToObject(d, "size", (double)size) &&
	    cJSON_AddStringToObject(d, "digest", digest))
		return d;
	cJSON_Delete(d);
	return NULL;
}

/* One image of manifest.json: a Docker schema 2 manifest made for it. */
static int
docker_image(struct loader *l, const struct archivejson_docker *d, size_t nth, struct image *img)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ cJSON *man = cJSON_CreateObject();
	char **ids = NULL;
	cJSON *layers, *desc;
	struct member *cfg;
	size_t len, n_ids = 0;
	int r = 0;

	cfg = find(l, d->config);
	if (!cfg)
		return error_set(&l->why, -ENOENT,
		                 "manifest.json: Config '%s' of image %zu is not "
		                 "in the archive",
		                 d->config, nth);
	r = member_text(l, cfg, CONFIG_MAX, &text, &len);
	if (r >= 0 && config_diff_ids(text, len, &ids, &n_ids) < 0)
		r = error_set(&l->why, -EINVAL, "config '%s' has no valid rootfs.diff_ids",
		              d->config);
	if (r >= 0)
		check_platform(l, text, len, d->config);
	if (r >= 0 && n_ids != d->n_layers)
		r = error_set(&l->why, -EINVAL,
		              "image %zu has %zu layers but its config %zu diff_ids", nth,
		              d->n_layers, n_ids);
	if (r >= 0 && (!man || !cJSON_AddNumberToObject(man, "schemaVersion", 2) ||
	               !cJSON_AddStringToObject(man, "mediaType", MT_DOCKER_MANIFEST) ||
	               !(desc = descriptor(MT_DOCKER_CONFIG, cfg->digest, cfg->size)) ||
	               !cJSON_AddItemToObject(man, "config", desc) ||
	               !(layers = cJSON_AddArrayToObject(man, "layers"))))
		r = -ENOMEM;
	if (r >= 0)
		r = want_commit(l, cfg);
	for (size_t i = 0; r >= 0 && i < d->n_layers; i++) {
		struct member *m = find(l, d->layers[i]);
		const char *mt;

		if (!m) {
			r = error_set(&l->why, -ENOENT,
			              "layer '%s' of image %zu is not in the archive", d->layers[i],
			              nth);
			break;
		}
		mt = sniff_layer(l, m);
		if (!mt) {
			r = error_set(&l->why, -EIO, "reading layer '%s'", d->layers[i]);
			break;
		}
		/* An uncompressed layer is its own diff_id; a compressed one is checked when it
		 * is unpacked. */
		if (strcmp(mt, MT_DOCKER_LAYER) == 0 && strcmp(m->digest, ids[i]) != 0) {
			r = error_set(&l->why, -EBADMSG, "layer '%s' is %s, but the config says %s",
			              d->layers[i], m->digest, ids[i]);
			break;
		}
		if (!(desc = descriptor(mt, m->digest, m->size)) ||
		    !cJSON_AddItemToArray(layers, desc))
			r = -ENOMEM;
		if (r >= 0)
			r = want_commit(l, m);
	}
	strv_free(ids);
	if (r >= 0 && !(img->manifest = cJSON_PrintUnformatted(man)))
		r = -ENOMEM;
	if (r >= 0)
		r = digest_buffer(img->manifest, strlen(img->manifest), img->digest);
	img->media_type = MT_DOCKER_MANIFEST;
	img->size = img->manifest ? strlen(img->manifest) : 0;
	for (char **t = d->tags; r >= 0 && t && *t; t++)
		r = add_name(l, img, *t);
	return r;
}

static int
load_docker(struct loader *l, struct member *manifest)
{
	_cleanup_free_ char *text = NULL;
	struct archivejson_docker *v = NULL;
	size_t len, n = 0;
	int r;

	r = member_text(l, manifest, MANIFEST_MAX, &text, &len);
	if (r >= 0)
		r = archivejson_parse_docker(text, len, &v, &n, &l->why);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		struct image *img = image_new(l);
		r = img ? docker_image(l, &v[i], i + 1, img) : -ENOMEM;
	}
	archivejson_docker_free(v, n);
	return r;
}

static int
added(struct loader *l, const char *digest)
{
	return strv_push(&l->added, strdup(digest));
}

/* Every blob into the store (those it has stay as they are), durable before the index. */
static int
commit_blobs(struct loader *l)
{
	int r;

	for (size_t i = 0; i < l->n_commit; i++) {
		struct member *m = l->commit[i];
		_cleanup_free_ char *dst = NULL;
		_cleanup_close_ int fd = -1;
		char file[32];

		if (store_has_blob(l->store, m->digest, m->size))
			continue;
		snprintf(file, sizeof(file), "%zu", m->file);
		dst = store_blob_path(l->store, m->digest);
		fd = openat(l->tmpfd, file, O_RDONLY | O_CLOEXEC);
		if (!dst || fd < 0 || fsync(fd) < 0 || renameat(l->tmpfd, file, AT_FDCWD, dst) < 0)
			return error_set(&l->why, dst ? -errno : -ENOMEM, "storing blob %s: %s",
			                 m->digest, strerror(dst ? errno : ENOMEM));
		r = added(l, m->digest);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < l->n_img; i++) {
		const struct image *img = &l->img[i];
		if (!img->manifest || store_has_blob(l->store, img->digest, img->size))
			continue;
		r = store_put_blob(l->store, img->manifest, img->size, img->digest);
		if (r >= 0)
			r = added(l, img->digest);
		if (r < 0)
			return error_set(&l->why, r, "storing manifest %s: %s", img->digest,
			                 strerror(-r));
	}
	r = store_sync_blobs(l->store);
	return r < 0 ? error_set(&l->why, r, "syncing the blobs: %s", strerror(-r)) : 0;
}

/* Unpacking checks every diff_id; a root filesystem already there is kept as it is. */
static int
unpack_images(struct loader *l)
{
	for (size_t i = 0; i < l->n_img; i++) {
		_cleanup_free_ char *path = NULL, *why = NULL, *existing = NULL;
		struct stat st;
		int r;

		existing = store_rootfs_path(l->store, l->img[i].digest);
		if (existing && stat(existing, &st) == 0)
			continue;
		r = rootfs_ensure(l->store, l->img[i].digest, l->o->max_size, &path, &why);
		if (r < 0)
			return error_set(&l->why, r, "image %s: %s", l->img[i].digest,
			                 why ?: strerror(-r));
		r = strv_push(&l->rootfs, TAKE_PTR(path));
		if (r < 0)
			return r;
	}
	return 0;
}

/* Takes back what a failed load added: the index was not written. */
static void
rollback(struct loader *l)
{
	for (char **d = l->added; d && *d; d++)
		store_remove_blob(l->store, *d);
	for (char **p = l->rootfs; p && *p; p++)
		rm_rf_at(AT_FDCWD, *p);
}

static int
record(struct loader *l)
{
	_cleanup_json_ cJSON *index = NULL;
	int r = store_index_load(l->store, &index);

	for (size_t i = 0; r >= 0 && i < l->n_img; i++) {
		const struct image *img = &l->img[i];
		cJSON *list = cJSON_GetObjectItemCaseSensitive(index, "manifests"), *it, *e;
		bool have = false;

		for (char **n = img->names; r >= 0 && n && *n; n++)
			r = store_index_set(index, *n, img->media_type, img->digest, img->size);
		if (r < 0 || (img->names && *img->names))
			continue;
		/* No name: kept by digest, as `docker load` keeps an untagged image. */
		cJSON_ArrayForEach(it, list) have =
		        have || strcmp(json_string(it, "digest") ?: "", img->digest) == 0;
		if (!have && !((e = descriptor(img->media_type, img->digest, img->size)) &&
		               cJSON_AddItemToArray(list, e)))
			r = -ENOMEM;
	}
	if (r >= 0)
		r = store_index_save(l->store, index);
	return r < 0 ? error_set(&l->why, r, "writing the index: %s", strerror(-r)) : 0;
}

int
load_images(struct store *s, const char *in, const struct load_opts *o)
{
	_cleanup_(loader_done) struct loader l = { .store = s, .o = o, .in = in, .tmpfd = -1 };
	struct member *m;
	int r;

	l.buf = malloc(LOAD_BUF);
	if (!l.buf)
		return -ENOMEM;
	if (strcmp(in, "-") == 0 && isatty(STDIN_FILENO)) {
		log_error("load: not reading an archive from a terminal (-i FILE)");
		return -EINVAL;
	}
	r = store_lock(s);
	if (r < 0) {
		log_error_errno(r, "cannot lock the store '%s'", s->root);
		return r;
	}
	store_sweep(s);
	if (asprintf(&l.tmpdir, "%s/tmp/load-XXXXXX", s->root) < 0 || !mkdtemp(l.tmpdir)) {
		r = -errno;
		free(TAKE_PTR(l.tmpdir));
		log_error_errno(r, "load: a temp directory in '%s/tmp'", s->root);
		return r;
	}
	l.tmpfd = open(l.tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l.tmpfd < 0) {
		log_error_errno(errno, "opening '%s'", l.tmpdir);
		return -errno;
	}
	r = read_archive(&l);
	/* An OCI archive may hold a manifest.json too (docker save of Docker 25, mocker save),
	 * for docker load: the OCI index, whose manifests are the images as they are, wins. */
	if (r >= 0 && (m = find(&l, "index.json")) && !m->link)
		r = load_oci(&l, m);
	else if (r >= 0 && (m = find(&l, "manifest.json")) && !m->link)
		r = load_docker(&l, m);
	else if (r >= 0)
		r = error_set(&l.why, -EINVAL,
		              "neither index.json (an OCI archive) nor "
		              "manifest.json (docker save) is in it");
	if (r >= 0)
		r = commit_blobs(&l);
	if (r >= 0 && o->unpack)
		r = unpack_images(&l);
	if (r >= 0)
		r = record(&l);
	if (r < 0) {
		rollback(&l);
		log_error("load %s: %s", in, l.why ?: strerror(-r));
		return r;
	}
	for (size_t i = 0; i < l.n_img; i++) {
		for (char **n = l.img[i].names; n && *n; n++)
			printf(o->quiet ? "%s\n" : "Loaded image: %s\n", *n);
		if (!l.img[i].names || !*l.img[i].names)
			printf(o->quiet ? "%s\n" : "Loaded image ID: %s\n", l.img[i].digest);
	}
	fflush(stdout);
	return 0;
}
