#include "store.h"

#include "cleanup.h"
#include "digest.h"
#include "fileio.h"
#include "fileio.h"
#include "rmtree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static char *
path_join(const char *a, const char *b)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", a, b) < 0)
		return NULL;
	return p;
}

/* The fixed files of a new layout, unsynced: after a power failure right after creation they
 * may be empty, and are written again here. */
static int
ensure_file(const char *root, const char *name, const char *content)
{
	_cleanup_free_ char *p = path_join(root, name);
	struct stat st;

	if (!p)
		return -ENOMEM;
	if (stat(p, &st) == 0 && st.st_size > 0)
		return 0;
	return write_file_atomic(p, content, strlen(content), 0);
}

/*
 * The store's root is 0700, and that one mode protects all below it: the trees hold what
 * images bring (setuid-root binaries, device nodes, world-writable directories that
 * become every node's lower layer), which nobody but the store's owner may reach.  A
 * store of an older mocker (0755) is tightened by its owner on the next write.
 */
static int
store_make_root(const char *root)
{
	_cleanup_free_ char *parent = strdup(root);
	_cleanup_close_ int fd = -1;
	struct stat st;
	char *slash;
	int r;

	if (!parent)
		return -ENOMEM;
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		r = mkdir_p(parent, 0755);
		if (r < 0)
			return r;
	}
	if (mkdir(root, STORE_ROOT_MODE) < 0 && errno != EEXIST)
		return -errno;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (st.st_uid == geteuid() && (st.st_mode & 07777) != STORE_ROOT_MODE &&
	    fchmod(fd, STORE_ROOT_MODE) < 0)
		return -errno;
	return 0;
}

int
store_open(const char *root, bool create, struct store *ret)
{
	static const char *const dirs[] = { "images/blobs/sha256", "rootfs", "tmp" };
	_cleanup_free_ char *images = NULL;
	int r;

	if (create) {
		r = store_make_root(root);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; create && i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *p = path_join(root, dirs[i]);
		if (!p)
			return -ENOMEM;
		r = mkdir_p(p, 0755);
		if (r < 0)
			return r;
	}
	images = path_join(root, "images");
	if (!images)
		return -ENOMEM;
	if (create) {
		r = ensure_file(images, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
		if (r >= 0)
			r = ensure_file(images, "index.json",
			                "{\"schemaVersion\":2,\"manifests\":[]}");
		if (r < 0)
			return r;
	}
	*ret = (struct store){ .root = strdup(root), .lock_fd = -1 };
	return ret->root ? 0 : -ENOMEM;
}

void
store_close(struct store *s)
{
	free(s->root);
	safe_close(s->lock_fd);
	*s = (struct store){ .lock_fd = -1 };
}

int
store_lock(struct store *s)
{
	_cleanup_free_ char *p = path_join(s->root, "lock");

	if (!p)
		return -ENOMEM;
	if (s->lock_fd >= 0)
		return 0;
	s->lock_fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lock_fd < 0)
		return -errno;
	if (flock(s->lock_fd, LOCK_EX) < 0)
		return -errno;
	/* rmi and prune write without creating: an old store is tightened here too. */
	return store_make_root(s->root);
}

/* Whether name, in the store directory dirs[i] of store_sweep(), is a writer's leftover. */
static bool
is_leftover(size_t i, const char *name)
{
	switch (i) {
	case 0: /* tmp/: everything */
		return name[0] != '.';
	case 1: /* rootfs/: trees being unpacked */
		return strncmp(name, ".tmp-", 5) == 0;
	default: /* images/: write_file_atomic()'s temp files */
		return strncmp(name, "index.json.tmp-", 15) == 0 ||
		       strncmp(name, "oci-layout.tmp-", 15) == 0;
	}
}

void
store_sweep(const struct store *s)
{
	static const char *const dirs[] = { "tmp", "rootfs", "images" };

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *dir = path_join(s->root, dirs[i]);
		_cleanup_(closedirp) DIR *d = dir ? opendir(dir) : NULL;
		struct dirent *de;

		while (d && (de = readdir(d))) {
			_cleanup_free_ char *p = NULL;
			if (is_leftover(i, de->d_name) && (p = path_join(dir, de->d_name)))
				rm_rf_at(AT_FDCWD, p);
		}
	}
}

char *
store_blob_path(const struct store *s, const char *digest)
{
	char *p = NULL;

	if (!digest_valid(digest))
		return NULL;
	if (asprintf(&p, "%s/images/blobs/sha256/%s", s->root, digest_hex(digest)) < 0)
		return NULL;
	return p;
}

bool
store_has_blob(const struct store *s, const char *digest, uint64_t size)
{
	_cleanup_free_ char *p = store_blob_path(s, digest);
	struct stat st;

	return p && stat(p, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == size;
}

int
store_tmpfile(const struct store *s, char **ret_path)
{
	char *p = NULL;
	int fd;

	if (asprintf(&p, "%s/tmp/blob-XXXXXX", s->root) < 0)
		return -ENOMEM;
	fd = mkostemp(p, O_CLOEXEC);
	if (fd < 0) {
		int r = -errno;
		free(p);
		return r;
	}
	fchmod(fd, 0644);
	*ret_path = p;
	return fd;
}

int
store_commit_blob(const struct store *s, int fd, const char *tmp_path, const char *digest)
{
	_cleanup_free_ char *dst = store_blob_path(s, digest);

	if (!dst)
		return -EINVAL;
	if (fsync(fd) < 0 || rename(tmp_path, dst) < 0)
		return -errno;
	return 0;
}

int
store_sync_blobs(const struct store *s)
{
	_cleanup_free_ char *p = path_join(s->root, "images/blobs/sha256");
	_cleanup_close_ int fd = -1;

	if (!p)
		return -ENOMEM;
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

int
store_put_blob(const struct store *s, const void *data, size_t len, const char *digest)
{
	char actual[DIGEST_STR_SIZE];
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	r = digest_buffer(data, len, actual);
	if (r < 0)
		return r;
	if (strcmp(actual, digest) != 0)
		return -EBADMSG;
	if (store_has_blob(s, digest, len))
		return 0;
	fd = store_tmpfile(s, &tmp);
	if (fd < 0)
		return fd;
	r = write_all(fd, data, len);
	if (r >= 0)
		r = store_commit_blob(s, fd, tmp, digest);
	if (r < 0)
		unlink(tmp);
	return r;
}

int
store_read_blob(const struct store *s, const char *digest, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *p = store_blob_path(s, digest), *buf = NULL;
	char actual[DIGEST_STR_SIZE];
	size_t len;
	int r;

	if (!p)
		return -EINVAL;
	r = read_file_at(AT_FDCWD, p, max, &buf, &len);
	if (r < 0)
		return r;
	r = digest_buffer(buf, len, actual);
	if (r < 0)
		return r;
	if (strcmp(actual, digest) != 0)
		return -EBADMSG;
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

int
store_remove_blob(const struct store *s, const char *digest)
{
	_cleanup_free_ char *p = store_blob_path(s, digest);

	if (!p)
		return -EINVAL;
	return unlink(p) < 0 && errno != ENOENT ? -errno : 0;
}

static char *
index_path(const struct store *s)
{
	return path_join(s->root, "images/index.json");
}

int
store_index_load(const struct store *s, cJSON **ret)
{
	_cleanup_free_ char *p = index_path(s), *text = NULL;
	cJSON *j, *m;
	size_t len;
	int r;

	if (!p)
		return -ENOMEM;
	r = read_file_at(AT_FDCWD, p, 64u << 20, &text, &len);
	if (r == -ENOENT || (r >= 0 && len == 0)) {
		/* A store not created yet, or whose creation a power failure cut: empty. */
		free(text);
		text = strdup("{\"schemaVersion\":2,\"manifests\":[]}");
		len = text ? strlen(text) : 0;
		r = text ? 0 : -ENOMEM;
	}
	if (r < 0)
		return r;
	r = json_parse_checked(text, len, cJSON_Object, &j);
	if (r < 0)
		return r == -ENOMEM ? r : -EBADMSG;
	m = cJSON_GetObjectItemCaseSensitive(j, "manifests");
	if (!m && !cJSON_AddArrayToObject(j, "manifests")) {
		cJSON_Delete(j);
		return -ENOMEM;
	}
	if (m && !cJSON_IsArray(m)) {
		cJSON_Delete(j);
		return -EBADMSG;
	}
	*ret = j;
	return 0;
}

int
store_index_save(const struct store *s, const cJSON *index)
{
	_cleanup_free_ char *p = index_path(s), *text = cJSON_PrintUnformatted(index);

	if (!p || !text)
		return -ENOMEM;
	return write_file_atomic(p, text, strlen(text), ATOMIC_SYNC | ATOMIC_SYNC_DIR);
}

cJSON *
store_index_find(const cJSON *index, const char *ref)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(index, "manifests");
	cJSON *e;

	cJSON_ArrayForEach(e, m)
	{
		const char *name = json_string(cJSON_GetObjectItemCaseSensitive(e, "annotations"),
		                               REF_NAME_ANNOTATION);
		if (name && strcmp(name, ref) == 0)
			return e;
	}
	return NULL;
}

int
store_index_set(cJSON *index, const char *ref, const char *media_type, const char *digest,
                uint64_t size)
{
	cJSON *m = cJSON_GetObjectItemCaseSensitive(index, "manifests");
	cJSON *old = store_index_find(index, ref);
	_cleanup_json_ cJSON *e = cJSON_CreateObject();
	cJSON *ann;

	if (!e || !cJSON_AddStringToObject(e, "mediaType", media_type) ||
	    !cJSON_AddStringToObject(e, "digest", digest) ||
	    !cJSON_AddNumberToObject(e, "size", (double)size) ||
	    !(ann = cJSON_AddObjectToObject(e, "annotations")) ||
	    !cJSON_AddStringToObject(ann, REF_NAME_ANNOTATION, ref))
		return -ENOMEM;
	if (old)
		cJSON_ReplaceItemViaPointer(m, old, TAKE_PTR(e));
	else
		cJSON_AddItemToArray(m, TAKE_PTR(e));
	return 0;
}

char *
store_rootfs_path(const struct store *s, const char *manifest_digest)
{
	char *p = NULL;

	if (!digest_valid(manifest_digest))
		return NULL;
	if (asprintf(&p, "%s/rootfs/%s", s->root, digest_hex(manifest_digest)) < 0)
		return NULL;
	return p;
}
