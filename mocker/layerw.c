#include "layerw.h"
#include "lazyarchive.h"

#include "cleanup.h"
#include "errtext.h"
#include "fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct layerw {
	const struct store *store;
	struct archive *tar; /* the entries, uncompressed */
	struct archive *gz;  /* one raw entry: the tar stream, gzip-compressed */
	struct sha256 *diff, *blob;
	uint64_t size;
	int fd;
	int err;
	char *tmp;
	bool done;
};

/* The compressed bytes: hashed and written to the temp file. */
static la_ssize_t
gz_write_cb(struct archive *a, void *userdata, const void *buf, size_t n)
{
	struct layerw *w = userdata;
	int r = write_all(w->fd, buf, n);

	if (r < 0) {
		w->err = r;
		archive_set_error(a, -r, "writing the layer: %s", strerror(-r));
		return -1;
	}
	sha256_update(w->blob, buf, n);
	w->size += n;
	return (la_ssize_t)n;
}

/* The tar bytes: hashed and handed to the compressor. */
static la_ssize_t
tar_write_cb(struct archive *a, void *userdata, const void *buf, size_t n)
{
	struct layerw *w = userdata;
	la_ssize_t m;

	sha256_update(w->diff, buf, n);
	m = archive_write_data(w->gz, buf, n);
	if (m != (la_ssize_t)n) {
		archive_set_error(a, w->err ? -w->err : EIO, "compressing the layer: %s",
		                  archive_error_string(w->gz) ?: "short write");
		return -1;
	}
	return m;
}

static int
open_gz(struct layerw *w)
{
	struct archive_entry *e = archive_entry_new();
	int r = -ENOMEM;

	w->gz = archive_write_new();
	if (!e || !w->gz)
		goto out;
	r = -EIO;
	if (archive_write_set_format_raw(w->gz) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(w->gz) != ARCHIVE_OK ||
	    /* No name or time in the gzip header: the same tree gives the same blob. */
	    archive_write_set_filter_option(w->gz, "gzip", "timestamp", NULL) < ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(w->gz, 0) != ARCHIVE_OK ||
	    archive_write_open(w->gz, w, NULL, gz_write_cb, NULL) != ARCHIVE_OK)
		goto out;
	archive_entry_set_pathname(e, "layer.tar");
	archive_entry_set_filetype(e, AE_IFREG);
	if (archive_write_header(w->gz, e) != ARCHIVE_OK)
		goto out;
	r = 0;
out:
	archive_entry_free(e);
	return r;
}

int
layerw_new(const struct store *s, struct layerw **ret)
{
	_cleanup_(layerw_freep) struct layerw *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	w->store = s;
	w->fd = -1;
	w->diff = sha256_new();
	w->blob = sha256_new();
	if (!w->diff || !w->blob)
		return -ENOMEM;
	w->fd = store_tmpfile(s, &w->tmp);
	if (w->fd < 0)
		return w->fd;
	r = open_gz(w);
	if (r < 0)
		return r;
	w->tar = archive_write_new();
	if (!w->tar)
		return -ENOMEM;
	if (archive_write_set_format_pax_restricted(w->tar) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(w->tar, 10240) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w->tar, 1) != ARCHIVE_OK ||
	    archive_write_open(w->tar, w, NULL, tar_write_cb, NULL) != ARCHIVE_OK)
		return -EIO;
	*ret = TAKE_PTR(w);
	return 0;
}

struct archive *
layerw_archive(struct layerw *w)
{
	return w->tar;
}

int
layerw_finish(struct layerw *w, char ret_diff_id[DIGEST_STR_SIZE], char ret_digest[DIGEST_STR_SIZE],
              uint64_t *ret_size, char **ret_error)
{
	char diff[DIGEST_STR_SIZE], digest[DIGEST_STR_SIZE];
	int r;

	if (archive_write_close(w->tar) != ARCHIVE_OK)
		return error_set(ret_error, w->err ? w->err : -EIO, "ending the layer: %s",
		                 archive_error_string(w->tar) ?: "failed");
	if (archive_write_close(w->gz) != ARCHIVE_OK)
		return error_set(ret_error, w->err ? w->err : -EIO, "compressing the layer: %s",
		                 archive_error_string(w->gz) ?: "failed");
	sha256_final(w->diff, diff);
	sha256_final(w->blob, digest);
	r = store_commit_blob(w->store, w->fd, w->tmp, digest);
	if (r < 0)
		return error_set(ret_error, r, "storing the layer %s: %s", digest, strerror(-r));
	w->done = true;
	memcpy(ret_diff_id, diff, sizeof(diff));
	memcpy(ret_digest, digest, sizeof(digest));
	*ret_size = w->size;
	return 0;
}

struct layerw *
layerw_free(struct layerw *w)
{
	if (!w)
		return NULL;
	if (w->tar)
		archive_write_free(w->tar);
	if (w->gz)
		archive_write_free(w->gz);
	sha256_free(w->diff);
	sha256_free(w->blob);
	safe_close(w->fd);
	if (w->tmp && !w->done)
		unlink(w->tmp);
	free(w->tmp);
	free(w);
	return NULL;
}
