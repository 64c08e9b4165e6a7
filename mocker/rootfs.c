#include "rootfs.h"

#include "cleanup.h"
#include "errtext.h"
#include "fileio.h"
#include "layer.h"
#include "manifest.h"
#include "rmtree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
rootfs_begin(const struct store *s, const char *manifest_digest, char **ret_tmp)
{
	char *tmp = NULL;
	int fd;

	if (!digest_valid(manifest_digest))
		return -EINVAL;
	if (asprintf(&tmp, "%s/rootfs/.tmp-%.16s-%d", s->root, digest_hex(manifest_digest),
	             getpid()) < 0)
		return -ENOMEM;
	rm_rf_at(AT_FDCWD, tmp);
	if (mkdir(tmp, 0755) < 0 ||
	    (fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		int r = -errno;
		free(tmp);
		return r;
	}
	*ret_tmp = tmp;
	return fd;
}

int
rootfs_commit(const struct store *s, const char *tmp, const char *manifest_digest)
{
	_cleanup_free_ char *dst = store_rootfs_path(s, manifest_digest);

	if (!dst)
		return -EINVAL;
	if (rename(tmp, dst) < 0) {
		if (errno != EEXIST && errno != ENOTEMPTY)
			return -errno;
		rm_rf_at(AT_FDCWD, tmp); /* someone else finished first: theirs is as good */
		return 0;
	}
	/* No fsync: the tree is a cache of the blobs (which are synced), and syncing every
	 * file of it would cost more than the pull. */
	return 0;
}

int
rootfs_unpack_stored(const struct store *s, const char *manifest_digest, int dirfd,
                     const struct unpack_opts *opts, char **ret_error)
{
	_cleanup_free_ char *mbody = NULL, *cbody = NULL;
	struct manifest m = { 0 };
	struct unpack_opts o = *opts;
	uint64_t size = 0;
	char **diff_ids = NULL;
	size_t mlen, clen, n_ids = 0;
	int r;

	if (!o.size)
		o.size = &size;
	r = store_read_blob(s, manifest_digest, 16u << 20, &mbody, &mlen);
	if (r < 0)
		return error_set_first(ret_error, r, "reading manifest %s: %s", manifest_digest,
		                       strerror(-r));
	r = manifest_parse(mbody, mlen, NULL, &m, ret_error);
	if (r >= 0 && m.kind != MANIFEST_IMAGE)
		r = error_set_first(ret_error, -EINVAL, "%s is not an image manifest",
		                    manifest_digest);
	if (r >= 0) {
		r = store_read_blob(s, m.config.digest, 16u << 20, &cbody, &clen);
		if (r < 0)
			error_set_first(ret_error, r, "reading config %s: %s", m.config.digest,
			                strerror(-r));
	}
	if (r >= 0 && (r = config_diff_ids(cbody, clen, &diff_ids, &n_ids)) < 0)
		error_set_first(ret_error, r, "image config has no valid rootfs.diff_ids");
	if (r >= 0 && n_ids != m.n_items)
		r = error_set_first(ret_error, -EINVAL, "image has %zu layers but %zu diff_ids",
		                    m.n_items, n_ids);
	for (size_t i = 0; r >= 0 && i < m.n_items; i++) {
		_cleanup_free_ char *p = store_blob_path(s, m.items[i].digest);
		_cleanup_close_ int fd = p ? open(p, O_RDONLY | O_CLOEXEC) : -1;
		struct layer_fd_src fs = { .fd = fd };
		struct layer_src src = { layer_fd_read, &fs };
		_cleanup_free_ char *why = NULL;

		if (fd < 0) {
			r = error_set_first(ret_error, -errno, "layer %s is missing from the store",
			                    m.items[i].digest);
			break;
		}
		r = layer_apply(dirfd, &src, diff_ids[i], &o, &why);
		if (r < 0)
			error_set_first(ret_error, r, "layer %zu (%s): %s", i + 1,
			                m.items[i].digest, why ? why : strerror(-r));
	}
	strv_free(diff_ids);
	manifest_done(&m);
	return r;
}

int
rootfs_ensure(struct store *s, const char *manifest_digest, uint64_t max_unpacked, char **ret_path,
              char **ret_error)
{
	_cleanup_free_ char *path = store_rootfs_path(s, manifest_digest), *tmp = NULL;
	_cleanup_close_ int fd = -1;
	struct unpack_opts opts = { .root = geteuid() == 0, .max_size = max_unpacked };
	struct stat st;
	int r;

	if (!path)
		return -EINVAL;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		*ret_path = TAKE_PTR(path);
		return 0;
	}
	r = store_lock(s);
	if (r < 0)
		return error_set_first(ret_error, r, "locking the store: %s", strerror(-r));
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		*ret_path = TAKE_PTR(path);
		return 0;
	}
	store_sweep(s);
	fd = rootfs_begin(s, manifest_digest, &tmp);
	if (fd < 0)
		return error_set_first(ret_error, fd, "creating a directory in %s/rootfs: %s",
		                       s->root, strerror(-fd));
	r = rootfs_unpack_stored(s, manifest_digest, fd, &opts, ret_error);
	if (r >= 0)
		r = rootfs_commit(s, tmp, manifest_digest);
	if (r < 0) {
		rm_rf_at(AT_FDCWD, tmp);
		return error_set_first(ret_error, r, "unpacking: %s", strerror(-r));
	}
	*ret_path = TAKE_PTR(path);
	return 0;
}
