#include "image.h"

#include "cleanup.h"
#include "digest.h"
#include "fileio.h"
#include "imagestore.h"
#include "log.h"
#include "manifest.h"
#include "progress.h"
#include "ref.h"
#include "rmtree.h"
#include "rootfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *
image_digest(const cJSON *entry)
{
	const char *d = json_string(entry, "digest");

	return digest_valid(d) ? d : NULL;
}

int
image_lookup(const cJSON *index, const char *what, cJSON **ret_entry)
{
	struct ref r;
	cJSON *e = NULL, *it;
	size_t n;

	if (ref_parse(what, &r) >= 0) {
		_cleanup_free_ char *name = ref_string(&r);
		ref_done(&r);
		if (!name)
			return -ENOMEM;
		e = store_index_find(index, name);
	}
	if (!e)
		e = store_index_find(index, what);
	if (e) {
		*ret_entry = e;
		return 0;
	}
	/* A digest or a unique prefix of one (at least 6 hex digits), as `images` shows. */
	if (strncmp(what, "sha256:", 7) == 0)
		what += 7;
	n = strlen(what);
	if (n < 6 || n > DIGEST_HEX_LEN || strspn(what, "0123456789abcdef") != n)
		return -ENOENT;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(index, "manifests"))
	{
		const char *d = image_digest(it);
		if (!d || strncmp(digest_hex(d), what, n) != 0)
			continue;
		if (e && strcmp(image_digest(e), d) != 0)
			return -EEXIST; /* ambiguous */
		e = it;
	}
	if (!e)
		return -ENOENT;
	*ret_entry = e;
	return 0;
}

static const char *
entry_name(const cJSON *e)
{
	return json_string(cJSON_GetObjectItemCaseSensitive(e, "annotations"), REF_NAME_ANNOTATION);
}

/* Size (config + compressed layers) and creation time of a stored image. */
static void
image_facts(const struct store *s, const char *digest, uint64_t *ret_size, char *created,
            size_t created_len)
{
	_cleanup_free_ char *mb = NULL, *cb = NULL;
	_cleanup_json_ cJSON *cfg = NULL;
	struct manifest m = { 0 };
	size_t ml, cl;
	const char *c;

	*ret_size = 0;
	snprintf(created, created_len, "-");
	if (store_read_blob(s, digest, 16u << 20, &mb, &ml) < 0 ||
	    manifest_parse(mb, ml, NULL, &m, NULL) < 0)
		return;
	*ret_size = m.config.size;
	for (size_t i = 0; i < m.n_items; i++)
		*ret_size += m.items[i].size;
	if (store_read_blob(s, m.config.digest, 16u << 20, &cb, &cl) >= 0 &&
	    (cfg = cJSON_ParseWithLength(cb, cl)) && (c = json_string(cfg, "created")))
		snprintf(created, created_len, "%.19s", c);
	manifest_done(&m);
}

/* images --json: one object per named image. */
static int
image_list_json(const struct store *s, const cJSON *index)
{
	_cleanup_json_ cJSON *out = cJSON_CreateArray();
	_cleanup_free_ char *text = NULL;
	const cJSON *e;

	if (!out)
		return -ENOMEM;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(index, "manifests"))
	{
		const char *name = entry_name(e), *d = image_digest(e);
		char created[32];
		uint64_t bytes;
		cJSON *o;

		if (!name || !d)
			continue;
		image_facts(s, d, &bytes, created, sizeof(created));
		if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(out, o) ||
		    !cJSON_AddStringToObject(o, "name", name) ||
		    !cJSON_AddStringToObject(o, "digest", d) ||
		    !cJSON_AddStringToObject(o, "media_type",
		                             json_string(e, "mediaType") ?: MT_OCI_MANIFEST) ||
		    !cJSON_AddNumberToObject(o, "size", (double)bytes) ||
		    !(strcmp(created, "-") == 0 ? cJSON_AddNullToObject(o, "created")
		                                : cJSON_AddStringToObject(o, "created", created)))
			return -ENOMEM;
	}
	text = cJSON_Print(out);
	if (!text)
		return -ENOMEM;
	printf("%s\n", text);
	return 0;
}

int
image_list(const struct store *s, bool quiet, bool json)
{
	_cleanup_json_ cJSON *index = NULL;
	const cJSON *e;
	int r;

	r = store_index_load(s, &index);
	if (r < 0) {
		log_error_errno(r, "reading %s/images/index.json", s->root);
		return r;
	}
	if (json)
		return image_list_json(s, index);
	if (!quiet)
		printf("%-50s %-12s %10s  %s\n", "REFERENCE", "DIGEST", "SIZE", "CREATED");
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(index, "manifests"))
	{
		const char *name = entry_name(e), *d = image_digest(e);
		char created[32], size[32];
		uint64_t bytes;

		if (!name || !d)
			continue;
		if (quiet) {
			printf("%s\n", name);
			continue;
		}
		image_facts(s, d, &bytes, created, sizeof(created));
		format_size(bytes, size, sizeof(size));
		printf("%-50s %.12s %10s  %s\n", name, digest_hex(d), size, created);
	}
	return 0;
}

int
image_inspect(const struct store *s, const char *what)
{
	_cleanup_json_ cJSON *index = NULL, *cfg = NULL;
	_cleanup_free_ char *mb = NULL, *cb = NULL, *text = NULL;
	struct manifest m = { 0 };
	cJSON *e;
	size_t ml, cl;
	int r;

	r = store_index_load(s, &index);
	if (r >= 0)
		r = image_lookup(index, what, &e);
	if (r < 0) {
		log_error_errno(r, "image '%s'", what);
		return r;
	}
	r = store_read_blob(s, image_digest(e), 16u << 20, &mb, &ml);
	if (r >= 0)
		r = manifest_parse(mb, ml, NULL, &m, NULL);
	if (r >= 0)
		r = store_read_blob(s, m.config.digest, 16u << 20, &cb, &cl);
	manifest_done(&m);
	if (r < 0) {
		log_error_errno(r, "reading the config of '%s'", what);
		return r;
	}
	cfg = cJSON_ParseWithLength(cb, cl);
	text = cfg ? cJSON_Print(cfg) : NULL;
	if (!text) {
		log_error("image '%s': config is not valid JSON", what);
		return -EBADMSG;
	}
	printf("%s\n", text);
	return 0;
}

/* rmi only untags; prune removes the tree, but not while a node holds it: said here. */
static void
rootfs_say_in_use(const struct store *s, const char *digest)
{
	_cleanup_free_ char *path = digest ? store_rootfs_path(s, digest) : NULL;
	_cleanup_close_ int fd = path ? imagestore_rootfs_claim(path) : -1;

	if (fd == -EBUSY)
		printf("in use by a node, kept until it exits: %s\n", path);
}

int
image_remove(struct store *s, char **refs)
{
	_cleanup_json_ cJSON *index = NULL;
	int r, rc = 0;

	r = store_lock(s);
	if (r == -ENOENT) { /* no store: no image */
		for (char **ref = refs; *ref; ref++)
			log_error("image '%s' is not in the store", *ref);
		return -ENOENT;
	}
	if (r >= 0)
		r = store_index_load(s, &index);
	if (r < 0) {
		log_error_errno(r, "opening the store '%s'", s->root);
		return r;
	}
	for (char **ref = refs; *ref; ref++) {
		cJSON *e;
		r = image_lookup(index, *ref, &e);
		if (r < 0) {
			log_error_errno(r, "image '%s'", *ref);
			rc = r;
			continue;
		}
		printf("Untagged: %s\n", entry_name(e) ? entry_name(e) : *ref);
		rootfs_say_in_use(s, image_digest(e));
		cJSON_DetachItemViaPointer(cJSON_GetObjectItemCaseSensitive(index, "manifests"), e);
		cJSON_Delete(e);
	}
	r = store_index_save(s, index);
	if (r < 0) {
		log_error_errno(r, "writing the index of '%s'", s->root);
		return r;
	}
	return rc;
}

struct keep {
	char **hex;
	size_t n, cap;
};

static int
keep_add(struct keep *k, const char *digest)
{
	if (!digest_valid(digest))
		return 0;
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 64;
		char **v = realloc(k->hex, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		k->hex = v;
		k->cap = cap;
	}
	k->hex[k->n] = strdup(digest_hex(digest));
	return k->hex[k->n++] ? 0 : -ENOMEM;
}

static bool
keep_has(const struct keep *k, const char *hex)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->hex[i], hex) == 0)
			return true;
	return false;
}

static void
keep_done(struct keep *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->hex[i]);
	free(k->hex);
}

/* Marks a manifest and what it references (an index's children too, one level). */
static int
keep_manifest(const struct store *s, const char *digest, struct keep *blobs, int depth)
{
	_cleanup_free_ char *body = NULL;
	struct manifest m = { 0 };
	size_t len;
	int r;

	r = keep_add(blobs, digest);
	if (r < 0 || store_read_blob(s, digest, 16u << 20, &body, &len) < 0 ||
	    manifest_parse(body, len, NULL, &m, NULL) < 0)
		return r;
	if (m.kind == MANIFEST_IMAGE)
		r = keep_add(blobs, m.config.digest);
	for (size_t i = 0; r >= 0 && i < m.n_items; i++) {
		if (m.kind == MANIFEST_IMAGE)
			r = keep_add(blobs, m.items[i].digest);
		else if (depth < 2)
			r = keep_manifest(s, m.items[i].digest, blobs, depth + 1);
	}
	manifest_done(&m);
	return r;
}

static bool
is_hex_digest(const char *name)
{
	return strlen(name) == DIGEST_HEX_LEN && strspn(name, "0123456789abcdef") == DIGEST_HEX_LEN;
}

/* Removes every entry of dir/ named like a sha256 hex digest that keep lacks, going on past
 * one that fails (reported here); the count removed in *ret_n, and the first error.
 * Anything else (containode's ROOT.ID upper directories beside a rootfs, files of other
 * tools) is not mocker's to remove. */
static int
sweep(const char *dir, const struct keep *keep, bool quiet, int *ret_n)
{
	bool rootfs = strcmp(strrchr(dir, '/'), "/rootfs") == 0;
	_cleanup_(closedirp) DIR *d = opendir(dir);
	struct dirent *de;
	int first = 0;

	*ret_n = 0;
	if (!d) {
		if (errno == ENOENT)
			return 0;
		log_error_errno(errno, "reading '%s'", dir);
		return -errno;
	}
	while ((de = readdir(d))) {
		_cleanup_free_ char *p = NULL;
		int r;

		if (!is_hex_digest(de->d_name) || keep_has(keep, de->d_name))
			continue;
		_cleanup_close_ int held = -1;

		if (asprintf(&p, "%s/%s", dir, de->d_name) < 0)
			return -ENOMEM;
		/* A node runs on it (containode holds it shared): kept, and removed by the
		 * first prune after the node is gone.  Held exclusively while removed, so
		 * that no node starts on a tree half gone. */
		if (rootfs && (held = imagestore_rootfs_claim(p)) == -EBUSY) {
			if (!quiet)
				printf("kept: %s (in use)\n", p);
			continue;
		}
		r = rm_rf_at(dirfd(d), de->d_name);
		if (r < 0) {
			log_error_errno(r, "removing '%s'", p);
			if (first == 0)
				first = r;
			continue;
		}
		if (!quiet)
			printf("deleted: %s\n", p);
		(*ret_n)++;
	}
	return first;
}

int
image_prune(struct store *s, bool quiet)
{
	_cleanup_json_ cJSON *index = NULL;
	_cleanup_free_ char *blobs_dir = NULL, *rootfs_dir = NULL;
	struct keep blobs = { 0 }, roots = { 0 };
	const cJSON *e;
	int r, n1 = 0, n2 = 0;

	r = store_lock(s);
	if (r == -ENOENT) { /* no store: nothing to prune */
		if (!quiet)
			printf("0 blob(s) and 0 root filesystem(s) removed\n");
		return 0;
	}
	if (r >= 0)
		r = store_index_load(s, &index);
	if (r < 0) {
		log_error_errno(r, "opening the store '%s'", s->root);
		return r;
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(index, "manifests"))
	{
		const char *d = image_digest(e);
		if (!d)
			continue;
		r = keep_manifest(s, d, &blobs, 0);
		if (r >= 0)
			r = keep_add(&roots, d);
		if (r < 0)
			break;
	}
	if (r >= 0 && (asprintf(&blobs_dir, "%s/images/blobs/sha256", s->root) < 0 ||
	               asprintf(&rootfs_dir, "%s/rootfs", s->root) < 0))
		r = -ENOMEM;
	if (r >= 0) {
		int r1 = sweep(blobs_dir, &blobs, quiet, &n1);
		int r2 = sweep(rootfs_dir, &roots, quiet, &n2);

		store_sweep(s);
		r = r1 < 0 ? r1 : r2;
		if (!quiet)
			printf("%d blob(s) and %d root filesystem(s) removed\n", n1, n2);
		if (r < 0)
			log_error("pruning '%s': some entries could not be removed", s->root);
	} else {
		log_error_errno(r, "pruning '%s'", s->root);
	}
	keep_done(&blobs);
	keep_done(&roots);
	return r;
}

static int
lookup(const struct store *s, const char *what, char **ret_digest)
{
	_cleanup_json_ cJSON *index = NULL;
	cJSON *e;
	int r;

	r = store_index_load(s, &index);
	if (r < 0) {
		log_error_errno(r, "reading the store '%s'", s->root);
		return r;
	}
	r = image_lookup(index, what, &e);
	if (r == -ENOENT) {
		log_error("image '%s' is not in the store (mocker pull %s)", what, what);
		return r;
	}
	if (r < 0) {
		log_error_errno(r, "image '%s'", what);
		return r;
	}
	*ret_digest = strdup(image_digest(e));
	return *ret_digest ? 0 : -ENOMEM;
}

int
image_rootfs(struct store *s, const char *what, uint64_t max_unpacked)
{
	_cleanup_free_ char *digest = NULL, *path = NULL, *why = NULL;
	int r;

	r = lookup(s, what, &digest);
	if (r < 0)
		return r;
	r = rootfs_ensure(s, digest, max_unpacked, &path, &why);
	if (r < 0) {
		log_error("rootfs of '%s': %s", what, why ? why : strerror(-r));
		return r;
	}
	printf("%s\n", path);
	return 0;
}

static int
dir_is_empty(int fd)
{
	_cleanup_(closedirp) DIR *d = fdopendir(dup(fd));
	struct dirent *de;

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			return 0;
	return 1;
}

int
image_unpack(struct store *s, const char *what, const char *dir, uint64_t max_unpacked)
{
	_cleanup_free_ char *digest = NULL, *why = NULL;
	_cleanup_close_ int fd = -1;
	struct unpack_opts opts = { .root = geteuid() == 0, .max_size = max_unpacked };
	int r;

	r = lookup(s, what, &digest);
	if (r < 0)
		return r;
	r = mkdir_p(dir, 0755);
	if (r < 0) {
		log_error_errno(r, "creating '%s'", dir);
		return r;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		log_error_errno(errno, "opening '%s'", dir);
		return -errno;
	}
	r = dir_is_empty(fd);
	if (r == 0) {
		log_error("unpack into '%s': directory is not empty", dir);
		return -ENOTEMPTY;
	}
	r = rootfs_unpack_stored(s, digest, fd, &opts, &why);
	if (r < 0) {
		log_error("unpack '%s' into '%s': %s", what, dir, why ? why : strerror(-r));
		return r;
	}
	return 0;
}

int
image_extract(const char *path, const char *dir, uint64_t max_unpacked)
{
	_cleanup_free_ char *why = NULL;
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct unpack_opts opts = { .root = geteuid() == 0, .max_size = max_unpacked };
	int r;

	if (fd < 0) {
		log_error_errno(errno, "extract into '%s'", dir);
		return -errno;
	}
	r = unpack_layer_file(fd, strcmp(path, "-") == 0 ? "/dev/stdin" : path, &opts, &why);
	if (r < 0) {
		log_error("extract '%s' into '%s': %s", path, dir, why ? why : strerror(-r));
		return r;
	}
	return 0;
}
