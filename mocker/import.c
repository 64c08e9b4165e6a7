#include "import.h"
#include "lazyarchive.h"

#include "change.h"
#include "cleanup.h"
#include "digest.h"
#include "errtext.h"
#include "image.h"
#include "layerpath.h"
#include "layerw.h"
#include "log.h"
#include "ref.h"
#include "rootfs.h"
#include "strv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define COPY_BUF (128 * 1024)
#define OVERLAY_XATTR "trusted.overlay."
#define OVERLAY_OPAQUE "trusted.overlay.opaque"

DEFINE_CLEANUP_FUNC(struct archive *, archive_read_free)
DEFINE_CLEANUP_FUNC(struct archive_entry *, archive_entry_free)
DEFINE_CLEANUP_FUNC(struct archive_entry_linkresolver *, archive_entry_linkresolver_free)

static const char *
archive_why(struct archive *a)
{
	return archive_error_string(a) ?: "failed";
}

/*
 * A name as a layer holds it: relative (leading slashes dropped, as tar does), normalised;
 * "./" for the root.  NULL for a name with a ".." component or too long: a layer that could
 * write outside its root is refused here, before anything is stored.
 */
static char *
layer_name(const char *name, const char **ret_why)
{
	char *out = NULL;

	*ret_why = "out of memory";
	if (layerpath_normalize(name + strspn(name, "/"), &out, ret_why) < 0) {
		if (!*(name + strspn(name, "/")))
			return strdup("./");
		return NULL;
	}
	if (!*out) {
		free(out);
		return strdup("./");
	}
	return out;
}

/* Keeps every xattr but overlayfs' own; true when the directory was opaque. */
static bool
strip_overlay_xattrs(struct archive_entry *e)
{
	struct {
		char *name;
		void *value;
		size_t size;
	} keep[64];
	const char *name;
	const void *value;
	size_t size, n = 0;
	bool opaque = false, strip = false;

	if (archive_entry_xattr_reset(e) == 0)
		return false;
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		if (strncmp(name, OVERLAY_XATTR, strlen(OVERLAY_XATTR)) == 0) {
			strip = true;
			if (strcmp(name, OVERLAY_OPAQUE) == 0 && size >= 1 &&
			    ((const char *)value)[0] == 'y')
				opaque = true;
		}
	}
	if (!strip)
		return false;
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK && n < 64) {
		if (strncmp(name, OVERLAY_XATTR, strlen(OVERLAY_XATTR)) == 0)
			continue;
		keep[n].name = strdup(name);
		keep[n].value = malloc(size ? size : 1);
		if (keep[n].value)
			memcpy(keep[n].value, value, size);
		keep[n++].size = size;
	}
	archive_entry_xattr_clear(e);
	for (size_t i = 0; i < n; i++) {
		if (keep[i].name && keep[i].value)
			archive_entry_xattr_add_entry(e, keep[i].name, keep[i].value, keep[i].size);
		free(keep[i].name);
		free(keep[i].value);
	}
	return opaque;
}

/* An empty regular file named dir/name: a whiteout or an opaque marker. */
static int
write_marker(struct archive *w, const char *dir, const char *name, struct archive_entry *like,
             char **ret_error)
{
	_cleanup_(archive_entry_freep) struct archive_entry *e = archive_entry_new();
	_cleanup_free_ char *path = NULL;

	bool root = strcmp(dir, "./") == 0;

	if (!e || asprintf(&path, "%s%s%s", root ? "" : dir, root ? "" : "/", name) < 0)
		return -ENOMEM;
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 0);
	archive_entry_set_mtime(e, archive_entry_mtime(like), archive_entry_mtime_nsec(like));
	if (archive_write_header(w, e) != ARCHIVE_OK)
		return error_set(ret_error, -EIO, "writing '%s': %s", path, archive_why(w));
	return 0;
}

/* Whether name is one of the paths, or below one. */
static bool
excluded(char **paths, const char *name)
{
	for (char **p = paths; p && *p; p++) {
		size_t n = strlen(*p);
		if (strncmp(name, *p, n) == 0 && (name[n] == '\0' || name[n] == '/'))
			return true;
	}
	return false;
}

/* The data of the current entry of r, holes as zeros, into w. */
static int
copy_data(struct archive *r, struct archive *w, int64_t size, const char *name, char **ret_error)
{
	static const char zeros[COPY_BUF];
	int64_t out = 0;

	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t off;
		int x = archive_read_data_block(r, &buf, &len, &off);

		if (x == ARCHIVE_EOF)
			break;
		if (x != ARCHIVE_OK && x != ARCHIVE_WARN)
			return error_set(ret_error, archive_errno(r) > 0 ? -archive_errno(r) : -EIO,
			                 "reading '%s': %s", name, archive_why(r));
		while (out < off && out < size) {
			size_t z = (size_t)(off - out < COPY_BUF ? off - out : COPY_BUF);
			if (archive_write_data(w, zeros, z) != (la_ssize_t)z)
				return error_set(ret_error, -EIO, "writing '%s': %s", name,
				                 archive_why(w));
			out += (int64_t)z;
		}
		if (out + (int64_t)len > size)
			return error_set(ret_error, -EIO, "'%s' grew while it was read", name);
		if (len && archive_write_data(w, buf, len) != (la_ssize_t)len)
			return error_set(ret_error, -EIO, "writing '%s': %s", name, archive_why(w));
		out += (int64_t)len;
	}
	while (out < size) {
		size_t z = (size_t)(size - out < COPY_BUF ? size - out : COPY_BUF);
		if (archive_write_data(w, zeros, z) != (la_ssize_t)z)
			return error_set(ret_error, -EIO, "writing '%s': %s", name, archive_why(w));
		out += (int64_t)z;
	}
	return 0;
}

/* One entry into the layer: header (times the image does not need are dropped), data. */
static int
put_entry(struct archive *r, struct archive *w, struct archive_entry *e, char **ret_error)
{
	const char *name = archive_entry_pathname(e);
	int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
	int x;

	archive_entry_unset_atime(e);
	archive_entry_unset_ctime(e);
	archive_entry_unset_birthtime(e);
	archive_entry_sparse_clear(e);
	archive_entry_set_uname(e, NULL);
	archive_entry_set_gname(e, NULL);
	if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e))
		size = 0;
	archive_entry_set_size(e, size);
	x = archive_write_header(w, e);
	if (x != ARCHIVE_OK && x != ARCHIVE_WARN)
		return error_set(ret_error, -EIO, "writing '%s': %s", name, archive_why(w));
	return size ? copy_data(r, w, size, name, ret_error) : 0;
}

/* The entries of a tar (any compression), names made relative; ".." refused. */
static int
copy_tar(const char *src, char **exclude, struct archive *w, char **ret_error)
{
	_cleanup_(archive_read_freep) struct archive *r = archive_read_new();
	struct archive_entry *e;
	int x;

	if (!r)
		return -ENOMEM;
	archive_read_support_filter_all(r);
	archive_read_support_format_tar(r);
	archive_read_support_format_gnutar(r);
	if (strcmp(src, "-") == 0)
		x = archive_read_open_fd(r, STDIN_FILENO, COPY_BUF);
	else
		x = archive_read_open_filename(r, src, COPY_BUF);
	if (x != ARCHIVE_OK)
		return error_set(ret_error, archive_errno(r) > 0 ? -archive_errno(r) : -EINVAL,
		                 "%s: %s", src, archive_why(r));
	while ((x = archive_read_next_header(r, &e)) == ARCHIVE_OK || x == ARCHIVE_WARN) {
		const char *why;
		_cleanup_free_ char *name = layer_name(archive_entry_pathname(e) ?: "", &why);
		_cleanup_free_ char *link = NULL;
		int rr;

		if (!name)
			return error_set(ret_error, -EINVAL, "%s: entry '%s' refused: %s", src,
			                 archive_entry_pathname(e) ?: "", why);
		if (archive_entry_hardlink(e)) {
			link = layer_name(archive_entry_hardlink(e), &why);
			if (!link)
				return error_set(ret_error, -EINVAL,
				                 "%s: hard link '%s' to '%s' refused: %s", src,
				                 name, archive_entry_hardlink(e), why);
			archive_entry_set_hardlink(e, link);
		}
		if (archive_entry_filetype(e) == AE_IFSOCK || excluded(exclude, name))
			continue;
		archive_entry_set_pathname(e, name);
		rr = put_entry(r, w, e, ret_error);
		if (rr < 0)
			return rr;
	}
	if (x != ARCHIVE_EOF)
		return error_set(ret_error, -EINVAL, "%s: %s", src, archive_why(r));
	return 0;
}

/*
 * A directory tree, one file system (as tar --one-file-system), symlinks as they are,
 * hard links kept.  With overlay, the tree is an overlayfs upper directory: its whiteouts
 * (character devices 0/0) become .wh.NAME and its opaque directories (trusted.overlay.opaque
 * "y") get a .wh..wh..opq, as OCI layers say the same.
 */
static int
copy_dir(const char *src, bool overlay, char **exclude, struct archive *w, char **ret_error)
{
	_cleanup_(archive_read_freep) struct archive *d = archive_read_disk_new();
	_cleanup_(archive_entry_freep) struct archive_entry *e = archive_entry_new();
	_cleanup_(archive_entry_linkresolver_freep) struct archive_entry_linkresolver *lr =
	        archive_entry_linkresolver_new();
	_cleanup_free_ char *root = strdup(src);
	size_t rootlen;
	int x, r;

	if (!d || !e || !lr || !root)
		return -ENOMEM;
	rootlen = strlen(root);
	while (rootlen > 1 && root[rootlen - 1] == '/')
		root[--rootlen] = '\0';
	archive_entry_linkresolver_set_strategy(lr, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
	archive_read_disk_set_symlink_physical(d);
	archive_read_disk_set_behavior(d, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
	if (archive_read_disk_open(d, root) != ARCHIVE_OK)
		return error_set(ret_error, archive_errno(d) > 0 ? -archive_errno(d) : -EIO,
		                 "%s: %s", src, archive_why(d));
	while ((x = archive_read_next_header2(d, e)) == ARCHIVE_OK || x == ARCHIVE_WARN) {
		const char *path = archive_entry_pathname(e);
		_cleanup_free_ char *name = NULL;
		struct archive_entry *out = e, *spare = NULL;
		const char *why;
		bool opaque;

		if (strncmp(path, root, rootlen) != 0)
			return error_set(ret_error, -EIO, "%s: unexpected path '%s'", src, path);
		name = layer_name(path + rootlen, &why);
		if (!name)
			return error_set(ret_error, -EINVAL, "'%s': %s", path, why);
		if (excluded(exclude, name))
			continue; /* and not descended into */
		if (archive_entry_filetype(e) == AE_IFDIR)
			archive_read_disk_descend(d);
		if (archive_entry_filetype(e) == AE_IFSOCK)
			continue;
		opaque = strip_overlay_xattrs(e);
		if (overlay && archive_entry_filetype(e) == AE_IFCHR &&
		    archive_entry_rdev(e) == 0) {
			_cleanup_free_ char *dir = strdup(name), *wh = NULL;
			char *slash = dir ? strrchr(dir, '/') : NULL;
			const char *base = slash ? slash + 1 : name;

			if (!dir || asprintf(&wh, ".wh.%s", base) < 0)
				return -ENOMEM;
			if (slash)
				*slash = '\0';
			r = write_marker(w, slash ? dir : "./", wh, e, ret_error);
			if (r < 0)
				return r;
			continue;
		}
		archive_entry_set_pathname(e, name);
		archive_entry_linkify(lr, &out, &spare);
		r = put_entry(d, w, out, ret_error);
		if (r >= 0 && overlay && opaque && archive_entry_filetype(e) == AE_IFDIR)
			r = write_marker(w, name, ".wh..wh..opq", e, ret_error);
		if (r < 0)
			return r;
	}
	if (x != ARCHIVE_EOF)
		return error_set(ret_error, archive_errno(d) > 0 ? -archive_errno(d) : -EIO,
		                 "%s: %s", src, archive_why(d));
	return 0;
}

/* What the new image starts from: the base's manifest and config, or nothing. */
struct base {
	struct manifest m;
	cJSON *config;
};

static void
base_done(struct base *b)
{
	manifest_done(&b->m);
	cJSON_Delete(b->config);
}

static int
base_load(const struct store *s, const char *what, struct base *ret, char **ret_error)
{
	_cleanup_json_ cJSON *index = NULL;
	_cleanup_free_ char *mb = NULL, *cb = NULL;
	size_t ml, cl;
	cJSON *e;
	int r;

	r = store_index_load(s, &index);
	if (r >= 0)
		r = image_lookup(index, what, &e);
	if (r == -ENOENT)
		return error_set(ret_error, r, "base image '%s' is not in the store", what);
	if (r < 0)
		return error_set(ret_error, r, "base image '%s': %s", what, strerror(-r));
	r = store_read_blob(s, image_digest(e), MANIFEST_MAX, &mb, &ml);
	if (r >= 0)
		r = manifest_parse(mb, ml, NULL, &ret->m, ret_error);
	if (r >= 0 && ret->m.kind != MANIFEST_IMAGE)
		r = error_set(ret_error, -EINVAL, "base image '%s' is an index, not an image",
		              what);
	if (r >= 0)
		r = store_read_blob(s, ret->m.config.digest, CONFIG_MAX, &cb, &cl);
	if (r >= 0 && json_parse_checked(cb, cl, cJSON_Object, &ret->config) < 0)
		r = -EBADMSG;
	if (r < 0)
		return error_set_first(ret_error, r, "base image '%s': %s", what, strerror(-r));
	return 0;
}

static int
now_string(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0 || !gmtime_r(&ts.tv_sec, &tm))
		return -errno;
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}

/* Object member key of o, made (or replaced when not of the type) as wanted. */
static cJSON *
member(cJSON *o, const char *key, bool array)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (v && (array ? cJSON_IsArray(v) : cJSON_IsObject(v)))
		return v;
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	return array ? cJSON_AddArrayToObject(o, key) : cJSON_AddObjectToObject(o, key);
}

static int
set_string(cJSON *o, const char *key, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	return cJSON_AddStringToObject(o, key, value) ? 0 : -ENOMEM;
}

/* The image config: the base's (or a new one for this platform), the changes, the layer. */
static int
build_config(const struct base *b, const struct import_opts *o, const char *diff_id,
             const char *created, cJSON **ret, char **ret_error)
{
	_cleanup_json_ cJSON *c =
	        b->config ? cJSON_Duplicate(b->config, true) : cJSON_CreateObject();
	cJSON *cfg, *rootfs, *ids, *hist, *h;
	int r;

	if (!c)
		return -ENOMEM;
	if (!b->config) {
		if (set_string(c, "architecture", o->platform.arch) < 0 ||
		    set_string(c, "os", o->platform.os) < 0 ||
		    (*o->platform.variant && set_string(c, "variant", o->platform.variant) < 0))
			return -ENOMEM;
	}
	if (set_string(c, "created", created) < 0 || !(cfg = member(c, "config", false)))
		return -ENOMEM;
	for (char **ch = o->changes; ch && *ch; ch++) {
		_cleanup_free_ char *why = NULL;
		r = change_apply(cfg, *ch, &why);
		if (r < 0)
			return error_set(ret_error, r, "--change '%s': %s", *ch,
			                 why ? why : strerror(-r));
	}
	rootfs = member(c, "rootfs", false);
	if (!rootfs || set_string(rootfs, "type", "layers") < 0 ||
	    !(ids = member(rootfs, "diff_ids", true)) ||
	    !cJSON_AddItemToArray(ids, cJSON_CreateString(diff_id)))
		return -ENOMEM;
	if (!(hist = member(c, "history", true)) || !(h = cJSON_CreateObject()) ||
	    !cJSON_AddItemToArray(hist, h) || !cJSON_AddStringToObject(h, "created", created) ||
	    !cJSON_AddStringToObject(h, "created_by",
	                             o->base ? "mocker import --base" : "mocker import"))
		return -ENOMEM;
	*ret = TAKE_PTR(c);
	return 0;
}

static cJSON *
descriptor_json(const char *media_type, const char *digest, uint64_t size)
{
	_cleanup_json_ cJSON *d = cJSON_CreateObject();

	if (!d || !cJSON_AddStringToObject(d, "mediaType", media_type) ||
	    !cJSON_AddStringToObject(d, "digest", digest) ||
	    !cJSON_AddNumberToObject(d, "size", (double)size))
		return NULL;
	return TAKE_PTR(d);
}

/* Docker's layer types have OCI twins with the same content. */
static const char *
oci_layer_type(const char *mt)
{
	if (!mt || strcmp(mt, "application/vnd.docker.image.rootfs.diff.tar.gzip") == 0)
		return LAYERW_MEDIA_TYPE;
	if (strcmp(mt, "application/vnd.docker.image.rootfs.diff.tar") == 0)
		return "application/vnd.oci.image.layer.v1.tar";
	return mt;
}

static int
build_manifest(const struct base *b, const char *config_digest, size_t config_len,
               const char *layer_digest, uint64_t layer_size, char **ret)
{
	_cleanup_json_ cJSON *m = cJSON_CreateObject();
	cJSON *layers, *d;

	if (!m || !cJSON_AddNumberToObject(m, "schemaVersion", 2) ||
	    !cJSON_AddStringToObject(m, "mediaType", MT_OCI_MANIFEST) ||
	    !(d = descriptor_json(MT_OCI_CONFIG, config_digest, config_len)) ||
	    !cJSON_AddItemToObject(m, "config", d) ||
	    !(layers = cJSON_AddArrayToObject(m, "layers")))
		return -ENOMEM;
	for (size_t i = 0; i < b->m.n_items; i++) {
		const struct descriptor *l = &b->m.items[i];
		d = descriptor_json(oci_layer_type(l->media_type), l->digest, l->size);
		if (!d || !cJSON_AddItemToArray(layers, d))
			return -ENOMEM;
	}
	d = descriptor_json(LAYERW_MEDIA_TYPE, layer_digest, layer_size);
	if (!d || !cJSON_AddItemToArray(layers, d))
		return -ENOMEM;
	*ret = cJSON_PrintUnformatted(m);
	return *ret ? 0 : -ENOMEM;
}

/* Stores a JSON text as a blob; its digest in out. */
static int
put_json_blob(const struct store *s, const char *text, char out[DIGEST_STR_SIZE])
{
	int r = digest_buffer(text, strlen(text), out);

	return r < 0 ? r : store_put_blob(s, text, strlen(text), out);
}

/* Checks everything that can be checked before the source is read. */
static int
import_prepare(const char *src, const char *ref, const struct import_opts *o, char **ret_name)
{
	struct ref r;
	struct stat st;
	_cleanup_json_ cJSON *probe = cJSON_CreateObject();

	if (ref_parse(ref, &r) < 0) {
		log_error("invalid reference '%s'", ref);
		return -EINVAL;
	}
	if (!r.tag) {
		log_error("reference '%s': an image is named by a tag, not a digest", ref);
		ref_done(&r);
		return -EINVAL;
	}
	*ret_name = ref_string(&r);
	ref_done(&r);
	if (!*ret_name || !probe)
		return -ENOMEM;
	/* The changes first: a typo costs no copy of a tree. */
	for (char **ch = o->changes; ch && *ch; ch++) {
		_cleanup_free_ char *why = NULL;
		int x = change_apply(probe, *ch, &why);
		if (x < 0) {
			log_error("--change '%s': %s", *ch, why ? why : strerror(-x));
			return x;
		}
	}
	if (strcmp(src, "-") != 0 && stat(src, &st) < 0) {
		log_error_errno(errno, "import '%s'", src);
		return -errno;
	}
	if (o->overlay && (strcmp(src, "-") == 0 || !S_ISDIR(st.st_mode))) {
		log_error("import '%s': --overlay needs a directory", src);
		return -EINVAL;
	}
	return 0;
}

int
import_image(struct store *s, const char *src, const char *ref, const struct import_opts *o)
{
	_cleanup_free_ char *name = NULL, *why = NULL, *cfg_text = NULL, *man_text = NULL;
	_cleanup_(layerw_freep) struct layerw *lw = NULL;
	_cleanup_(base_done) struct base b = { 0 };
	_cleanup_json_ cJSON *cfg = NULL, *index = NULL;
	char diff_id[DIGEST_STR_SIZE], layer[DIGEST_STR_SIZE], cfg_digest[DIGEST_STR_SIZE];
	char man_digest[DIGEST_STR_SIZE], created[32];
	uint64_t layer_size = 0;
	struct stat st;
	int r;

	r = import_prepare(src, ref, o, &name);
	if (r < 0)
		return r;
	r = store_lock(s);
	if (r < 0) {
		log_error_errno(r, "cannot lock the store '%s'", s->root);
		return r;
	}
	store_sweep(s);
	if (o->base && (r = base_load(s, o->base, &b, &why)) < 0)
		goto fail;
	r = layerw_new(s, &lw);
	if (r < 0) {
		error_set(&why, r, "a temp file in '%s/tmp': %s", s->root, strerror(-r));
		goto fail;
	}
	if (strcmp(src, "-") != 0 && stat(src, &st) == 0 && S_ISDIR(st.st_mode))
		r = copy_dir(src, o->overlay, o->exclude, layerw_archive(lw), &why);
	else
		r = copy_tar(src, o->exclude, layerw_archive(lw), &why);
	if (r >= 0)
		r = layerw_finish(lw, diff_id, layer, &layer_size, &why);
	if (r >= 0)
		r = now_string(created, sizeof(created));
	if (r >= 0)
		r = build_config(&b, o, diff_id, created, &cfg, &why);
	if (r >= 0 && !(cfg_text = cJSON_PrintUnformatted(cfg)))
		r = -ENOMEM;
	if (r >= 0)
		r = put_json_blob(s, cfg_text, cfg_digest);
	if (r >= 0)
		r = build_manifest(&b, cfg_digest, strlen(cfg_text), layer, layer_size, &man_text);
	if (r >= 0)
		r = put_json_blob(s, man_text, man_digest);
	if (r >= 0)
		r = store_sync_blobs(s);
	if (r >= 0)
		r = store_index_load(s, &index);
	if (r >= 0)
		r = store_index_set(index, name, MT_OCI_MANIFEST, man_digest, strlen(man_text));
	if (r >= 0)
		r = store_index_save(s, index);
	if (r < 0)
		goto fail;
	if (o->unpack) {
		_cleanup_free_ char *path = NULL;
		r = rootfs_ensure(s, man_digest, o->max_unpacked, &path, &why);
		if (r < 0) {
			log_error(
			        "import %s as %s: the image is stored, but unpacking it failed: %s",
			        src, name, why ? why : strerror(-r));
			return r;
		}
	}
	if (o->quiet)
		printf("%s\n", man_digest);
	else
		printf("%s@%s\n", name, man_digest);
	fflush(stdout);
	return 0;
fail:
	log_error("import %s as %s: %s", src, name, why ? why : strerror(-r));
	return r;
}

int
import_tag(struct store *s, const char *src, const char *dst)
{
	_cleanup_json_ cJSON *index = NULL;
	_cleanup_free_ char *name = NULL, *mt = NULL, *digest = NULL;
	struct ref r;
	cJSON *e;
	int x;

	if (ref_parse(dst, &r) < 0) {
		log_error("invalid reference '%s'", dst);
		return -EINVAL;
	}
	if (!r.tag) {
		log_error("reference '%s': a tag, not a digest, names an image", dst);
		ref_done(&r);
		return -EINVAL;
	}
	name = ref_string(&r);
	ref_done(&r);
	if (!name)
		return -ENOMEM;
	x = store_lock(s);
	if (x >= 0)
		x = store_index_load(s, &index);
	if (x == -ENOENT) {
		log_error("image '%s' is not in the store", src);
		return x;
	}
	if (x < 0) {
		log_error_errno(x, "opening the store '%s'", s->root);
		return x;
	}
	x = image_lookup(index, src, &e);
	if (x < 0) {
		if (x == -ENOENT)
			log_error("image '%s' is not in the store", src);
		else
			log_error_errno(x, "image '%s'", src);
		return x;
	}
	mt = strdup(json_string(e, "mediaType") ?: MT_OCI_MANIFEST);
	digest = strdup(image_digest(e));
	if (!mt || !digest)
		return -ENOMEM;
	x = store_index_set(index, name, mt, digest, json_uint(e, "size", 0));
	if (x >= 0)
		x = store_index_save(s, index);
	if (x < 0) {
		log_error_errno(x, "writing the index of '%s'", s->root);
		return x;
	}
	return 0;
}
