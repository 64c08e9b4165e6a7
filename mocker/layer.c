#include "layer.h"
#include "lazyarchive.h"

#include "cleanup.h"
#include "errtext.h"
#include "digest.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHAIN_BUF (256 * 1024)

DEFINE_CLEANUP_FUNC(struct archive *, archive_read_free)
#define _cleanup_archive_read_ _cleanup_(archive_read_freep)

/* Two readers in a row: "raw" undoes the compression of the blob, "tar" reads the
 * uncompressed stream that we hash on its way through. */
struct chain {
	const struct layer_src *src;
	struct archive *raw;
	struct sha256 *hash;
	int err;
	char in[CHAIN_BUF];
	char out[CHAIN_BUF];
};

static la_ssize_t
raw_read_cb(struct archive *a, void *userdata, const void **buf)
{
	struct chain *c = userdata;
	ssize_t n = c->src->read(c->src->ctx, c->in, sizeof(c->in));

	if (n < 0) {
		c->err = (int)n;
		archive_set_error(a, (int)-n, "reading the layer blob: %s", strerror((int)-n));
		return -1;
	}
	*buf = c->in;
	return n;
}

static la_ssize_t
tar_read_cb(struct archive *a, void *userdata, const void **buf)
{
	struct chain *c = userdata;
	la_ssize_t n = archive_read_data(c->raw, c->out, sizeof(c->out));

	if (n < 0) {
		archive_set_error(a, archive_errno(c->raw) ? archive_errno(c->raw) : EIO, "%s",
		                  archive_error_string(c->raw) ? archive_error_string(c->raw)
		                                               : "decompression failed");
		return -1;
	}
	sha256_update(c->hash, c->out, n);
	*buf = c->out;
	return n;
}

static int
open_raw(struct chain *c, char **ret_error)
{
	struct archive_entry *e;
	int r;

	c->raw = archive_read_new();
	if (!c->raw)
		return -ENOMEM;
	archive_read_support_filter_all(c->raw);
	archive_read_support_format_raw(c->raw);
	r = archive_read_open(c->raw, c, NULL, raw_read_cb, NULL);
	if (r == ARCHIVE_OK)
		r = archive_read_next_header(c->raw, &e);
	if (r != ARCHIVE_OK)
		return error_set_first(
		        ret_error, c->err ? c->err : -EINVAL, "layer is unreadable: %s",
		        archive_error_string(c->raw) ? archive_error_string(c->raw) : "empty");
	return 0;
}

int
layer_apply(int rootfd, const struct layer_src *src, const char *diff_id,
            const struct unpack_opts *opts, char **ret_error)
{
	_cleanup_free_ struct chain *c = calloc(1, sizeof(*c));
	_cleanup_archive_read_ struct archive *tar = NULL;
	_cleanup_sha256_ struct sha256 *h = sha256_new();
	char actual[DIGEST_STR_SIZE];
	int r;

	if (!c || !h)
		return -ENOMEM;
	c->src = src;
	c->hash = h;
	r = open_raw(c, ret_error);
	if (r < 0)
		goto out;
	tar = archive_read_new();
	if (!tar) {
		r = -ENOMEM;
		goto out;
	}
	archive_read_support_format_tar(tar);
	if (archive_read_open(tar, c, NULL, tar_read_cb, NULL) != ARCHIVE_OK) {
		r = error_set_first(ret_error, c->err ? c->err : -EINVAL, "layer is not a tar: %s",
		                    archive_error_string(tar));
		goto out;
	}
	r = unpack_layer(rootfd, tar, opts, ret_error);
	if (r < 0) {
		if (c->err)
			r = c->err;
		goto out;
	}
	/* What the tar reader left (end blocks, padding) still counts for the diff_id. */
	for (;;) {
		la_ssize_t n = archive_read_data(c->raw, c->out, sizeof(c->out));
		if (n < 0) {
			r = error_set_first(ret_error, c->err ? c->err : -EIO,
			                    "layer is corrupt: %s", archive_error_string(c->raw));
			goto out;
		}
		if (n == 0)
			break;
		sha256_update(h, c->out, n);
	}
	sha256_final(h, actual);
	if (strcmp(actual, diff_id) != 0)
		r = error_set_first(ret_error, -EBADMSG,
		                    "uncompressed layer is %s, but the image config says %s",
		                    actual, diff_id);
out:
	if (c->raw)
		archive_read_free(c->raw);
	return r;
}

ssize_t
layer_fd_read(void *ctx, void *buf, size_t len)
{
	struct layer_fd_src *s = ctx;
	ssize_t n;

	do
		n = pread(s->fd, buf, len, (off_t)s->off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	s->off += n;
	return n;
}
