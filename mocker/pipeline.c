#include "pipeline.h"

#include "cleanup.h"
#include "fetch.h"
#include "layer.h"
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum blob_state {
	BLOB_WAITING,
	BLOB_LOADING,
	BLOB_COMPLETE, /* verified, in the store */
	BLOB_FAILED,
};

struct blob {
	struct pipeline *pipeline;
	const struct descriptor *desc;
	int fd;
	char *tmp_path; /* while downloading */
	bool present;   /* in the store before this run */
	bool committed; /* put in the store by this run */
	uint64_t avail; /* bytes readable in fd */
	enum blob_state state;
};

/* What the download loop (main thread) and the extraction thread share.  blobs[0] is the
 * config, blobs[1..n] the layers; state, avail and aborted are under lock. */
struct pipeline {
	struct store *store;
	struct blob *blobs;
	size_t n_layers;
	char **diff_ids;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool aborted;
	int rootfd;
	struct unpack_opts unpack;
	uint64_t unpacked; /* extraction thread only */
	int extract_result;
	char *extract_error;
	struct progress progress;
	struct progress_item *items; /* main thread only */
};

static void
pipeline_abort(struct pipeline *p)
{
	pthread_mutex_lock(&p->lock);
	p->aborted = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

/* Waits until off < avail or the blob is complete; the bytes readable, or -ECANCELED. */
static int64_t
blob_wait(struct blob *b, uint64_t off)
{
	struct pipeline *p = b->pipeline;
	int64_t r;

	pthread_mutex_lock(&p->lock);
	while (!p->aborted && b->state != BLOB_FAILED && b->state != BLOB_COMPLETE &&
	       off >= b->avail)
		pthread_cond_wait(&p->cond, &p->lock);
	r = (p->aborted || b->state == BLOB_FAILED) ? -ECANCELED : (int64_t)b->avail;
	pthread_mutex_unlock(&p->lock);
	return r;
}

/* A layer_src that reads a blob as it arrives. */
struct follow {
	struct blob *b;
	uint64_t off;
};

static ssize_t
follow_read(void *ctx, void *buf, size_t len)
{
	struct follow *f = ctx;
	int64_t avail = blob_wait(f->b, f->off);
	ssize_t n;

	if (avail < 0)
		return avail;
	if (f->off >= (uint64_t)avail)
		return 0;
	if (len > (uint64_t)avail - f->off)
		len = (uint64_t)avail - f->off;
	do
		n = pread(f->b->fd, buf, len, (off_t)f->off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	f->off += n;
	return n;
}

static int
extract_fail(struct pipeline *p, int r, char *why)
{
	free(p->extract_error);
	p->extract_error = why;
	p->extract_result = r;
	pipeline_abort(p);
	return r;
}

/* The config's diff_ids, once the config is there: one per layer. */
static int
load_diff_ids(struct pipeline *p)
{
	struct blob *c = &p->blobs[0];
	_cleanup_free_ char *buf = NULL;
	char *why = NULL;
	size_t n = 0;
	int64_t avail = blob_wait(c, c->desc->size);
	ssize_t got;
	int r;

	if (avail < 0)
		return extract_fail(p, -ECANCELED, NULL);
	if (c->desc->size > CONFIG_MAX || !(buf = malloc(c->desc->size + 1)))
		return extract_fail(p, -E2BIG, strdup("the image config is too large"));
	got = pread(c->fd, buf, c->desc->size, 0);
	if (got != (ssize_t)c->desc->size)
		return extract_fail(p, -EIO, strdup("reading the image config failed"));
	r = config_diff_ids(buf, c->desc->size, &p->diff_ids, &n);
	if (r < 0)
		return extract_fail(p, r, strdup("the image config has no valid rootfs.diff_ids"));
	if (n != p->n_layers) {
		if (asprintf(&why, "the image has %zu layers but its config %zu diff_ids",
		             p->n_layers, n) < 0)
			why = NULL;
		return extract_fail(p, -EINVAL, why);
	}
	return 0;
}

/* The extraction thread: layers in order, each as soon as its bytes arrive. */
static void *
extract_main(void *userdata)
{
	struct pipeline *p = userdata;

	if (load_diff_ids(p) < 0)
		return NULL;
	for (size_t i = 0; i < p->n_layers; i++) {
		struct blob *b = &p->blobs[i + 1];
		struct follow f = { .b = b };
		struct layer_src src = { follow_read, &f };
		_cleanup_free_ char *why = NULL;
		char *msg = NULL;
		int r;

		r = layer_apply(p->rootfd, &src, p->diff_ids[i], &p->unpack, &why);
		if (r >= 0)
			continue;
		pthread_mutex_lock(&p->lock);
		bool cancelled = p->aborted && r == -ECANCELED;
		pthread_mutex_unlock(&p->lock);
		/* A cancellation is the consequence of another failure, reported there. */
		if (!cancelled && asprintf(&msg, "layer %zu (%s): %s", i + 1, b->desc->digest,
		                           why ? why : strerror(-r)) < 0)
			msg = NULL;
		extract_fail(p, r, msg);
		break;
	}
	return NULL;
}

static void
job_progress(struct fetch_job *j)
{
	struct blob *b = j->userdata;
	struct pipeline *p = b->pipeline;

	pthread_mutex_lock(&p->lock);
	b->state = BLOB_LOADING;
	b->avail = j->have;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	p->items[b - p->blobs].have = j->have;
	p->items[b - p->blobs].state = "downloading";
	progress_item_start(&p->items[b - p->blobs]);
}

/* A verified blob goes into the store at once: a later pull, even after this one was
 * killed, finds it there. */
static void
job_done(struct fetch_job *j, int result)
{
	struct blob *b = j->userdata;
	struct pipeline *p = b->pipeline;
	int r = result;

	if (r >= 0) {
		r = store_commit_blob(p->store, b->fd, b->tmp_path, b->desc->digest);
		if (r < 0 && !j->error &&
		    asprintf(&j->error, "storing blob %s: %s", b->desc->digest, strerror(-r)) < 0)
			j->error = NULL;
	}
	if (r >= 0) {
		free(b->tmp_path);
		b->tmp_path = NULL;
		b->committed = true;
	}
	pthread_mutex_lock(&p->lock);
	b->avail = j->have;
	b->state = r >= 0 ? BLOB_COMPLETE : BLOB_FAILED;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	p->items[b - p->blobs].have = j->have;
	p->items[b - p->blobs].state = r >= 0 ? "done" : "failed";
	progress_item_end(&p->items[b - p->blobs]);
}

static bool
job_abort(void *userdata)
{
	struct pipeline *p = userdata;
	bool a;

	pthread_mutex_lock(&p->lock);
	a = p->aborted;
	pthread_mutex_unlock(&p->lock);
	return a;
}

static void
job_tick(void *userdata)
{
	struct pipeline *p = userdata;

	progress_draw(&p->progress, p->items, p->n_layers + 1, false);
}

struct pipeline *
pipeline_free(struct pipeline *p)
{
	if (!p)
		return NULL;
	for (size_t i = 0; p->blobs && i <= p->n_layers; i++) {
		struct blob *b = &p->blobs[i];
		safe_close(b->fd);
		if (b->tmp_path)
			unlink(b->tmp_path);
		free(b->tmp_path);
	}
	free(p->blobs);
	free(p->items);
	strv_free(p->diff_ids);
	free(p->extract_error);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
	return NULL;
}

static int
blob_open(struct pipeline *p, size_t i, const struct descriptor *d)
{
	struct blob *b = &p->blobs[i];
	_cleanup_free_ char *path = store_blob_path(p->store, d->digest);

	*b = (struct blob){ .pipeline = p, .desc = d, .fd = -1 };
	p->items[i] = (struct progress_item){ .digest = d->digest, .size = d->size };
	b->present = path && store_has_blob(p->store, d->digest, d->size);
	if (b->present) {
		b->fd = open(path, O_RDONLY | O_CLOEXEC);
		b->state = BLOB_COMPLETE;
		b->avail = d->size;
		p->items[i].have = d->size;
		p->items[i].state = "present";
		return b->fd < 0 ? -errno : 0;
	}
	b->fd = store_tmpfile(p->store, &b->tmp_path);
	p->items[i].state = "waiting";
	return b->fd < 0 ? b->fd : 0;
}

int
pipeline_new(struct store *s, const struct manifest *image, bool progress, uint64_t max_unpacked,
             struct pipeline **ret)
{
	_cleanup_(pipeline_freep) struct pipeline *p = calloc(1, sizeof(*p));
	int r;

	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->store = s;
	p->rootfd = -1;
	p->n_layers = image->n_items;
	p->blobs = calloc(p->n_layers + 1, sizeof(*p->blobs));
	p->items = calloc(p->n_layers + 1, sizeof(*p->items));
	if (!p->blobs || !p->items)
		return -ENOMEM;
	for (size_t i = 0; i <= p->n_layers; i++)
		p->blobs[i].fd = -1;
	r = blob_open(p, 0, &image->config);
	for (size_t i = 0; r >= 0 && i < p->n_layers; i++)
		r = blob_open(p, i + 1, &image->items[i]);
	if (r < 0)
		return r;
	progress_init(&p->progress, progress);
	p->unpack.root = geteuid() == 0;
	p->unpack.max_size = max_unpacked;
	p->unpack.size = &p->unpacked;
	*ret = TAKE_PTR(p);
	return 0;
}

static size_t
make_jobs(struct pipeline *p, struct fetch_job *jobs)
{
	size_t n = 0;

	for (size_t i = 0; i <= p->n_layers; i++) {
		struct blob *b = &p->blobs[i];
		if (b->present)
			continue;
		memcpy(jobs[n].digest, b->desc->digest, DIGEST_STR_SIZE);
		jobs[n].size = b->desc->size;
		jobs[n].fd = b->fd;
		jobs[n].userdata = b;
		n++;
	}
	return n;
}

int
pipeline_run(struct pipeline *p, struct registry *reg, int rootfd, unsigned parallel,
             char **ret_error)
{
	_cleanup_free_ struct fetch_job *jobs = calloc(p->n_layers + 1, sizeof(*jobs));
	struct fetch_ops ops = { job_progress, job_done, job_abort, job_tick };
	size_t n;
	pthread_t thread;
	int r = 0;

	if (!jobs)
		return -ENOMEM;
	n = make_jobs(p, jobs);
	p->rootfd = rootfd;
	if (rootfd >= 0 && (r = -pthread_create(&thread, NULL, extract_main, p)) < 0)
		return r;
	if (n > 0)
		r = fetch_run(reg, jobs, n, parallel, &ops, p);
	if (r < 0) {
		for (size_t i = 0; i < n && ret_error && !*ret_error; i++)
			if (jobs[i].error)
				*ret_error = strdup(jobs[i].error);
		pipeline_abort(p);
	}
	if (rootfd >= 0)
		pthread_join(thread, NULL);
	else if (r >= 0)
		load_diff_ids(p);
	/* When extraction failed first, the downloads were cancelled for its sake. */
	if (p->extract_result < 0 && (r >= 0 || r == -ECANCELED)) {
		r = p->extract_result;
		if (ret_error && p->extract_error) {
			free(*ret_error);
			*ret_error = TAKE_PTR(p->extract_error);
		}
	}
	fetch_jobs_done(jobs, n);
	progress_draw(&p->progress, p->items, p->n_layers + 1, true);
	return r;
}

bool
pipeline_downloaded(const struct pipeline *p)
{
	for (size_t i = 0; i <= p->n_layers; i++)
		if (p->blobs[i].committed)
			return true;
	return false;
}

void
pipeline_rollback(struct pipeline *p)
{
	for (size_t i = 0; i <= p->n_layers; i++)
		if (p->blobs[i].committed)
			store_remove_blob(p->store, p->blobs[i].desc->digest);
}
