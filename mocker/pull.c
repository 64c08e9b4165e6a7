#include "pull.h"

#include "auth.h"
#include "cleanup.h"
#include "fetch.h"
#include "fsutil.h"
#include "layer.h"
#include "log.h"
#include "progress.h"
#include "ref.h"
#include "registry.h"
#include "resolve.h"
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum layer_state {
	LAYER_WAITING,
	LAYER_LOADING,
	LAYER_COMPLETE, /* verified, in the store */
	LAYER_FAILED,
};

struct pull_layer {
	struct pull *pull;
	const struct descriptor *desc;
	const char *diff_id;
	int fd;
	char *tmp_path; /* while downloading */
	bool present;   /* in the store before this pull */
	bool committed; /* put in the store by this pull */
	uint64_t avail; /* bytes readable in fd */
	enum layer_state state;
};

/* What the download loop (main thread) and the extraction thread share. */
struct pull {
	struct store *store;
	struct pull_layer *layers;
	size_t n;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool aborted;
	/* extraction */
	int rootfd;
	struct unpack_opts unpack;
	int extract_result;
	char *extract_error;
	/* display */
	struct progress progress;
	struct progress_item *items;
};

/* Reads layer bytes as they arrive: waits for the download when it is behind. */
struct follow {
	struct pull *p;
	struct pull_layer *l;
	uint64_t off;
};

static ssize_t
follow_read(void *ctx, void *buf, size_t len)
{
	struct follow *f = ctx;
	struct pull *p = f->p;
	uint64_t avail;
	ssize_t n;

	pthread_mutex_lock(&p->lock);
	while (!p->aborted && f->l->state != LAYER_FAILED && f->l->state != LAYER_COMPLETE &&
	       f->off >= f->l->avail)
		pthread_cond_wait(&p->cond, &p->lock);
	bool stop = p->aborted || f->l->state == LAYER_FAILED;
	avail = f->l->avail;
	pthread_mutex_unlock(&p->lock);
	if (stop)
		return -ECANCELED;
	if (f->off >= avail)
		return 0;
	if (len > avail - f->off)
		len = avail - f->off;
	do
		n = pread(f->l->fd, buf, len, (off_t)f->off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	f->off += n;
	return n;
}

static void
pull_abort(struct pull *p)
{
	pthread_mutex_lock(&p->lock);
	p->aborted = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

/* The extraction thread: layers in order, each as soon as its bytes arrive. */
static void *
extract_main(void *userdata)
{
	struct pull *p = userdata;

	for (size_t i = 0; i < p->n; i++) {
		struct follow f = { .p = p, .l = &p->layers[i] };
		struct layer_src src = { follow_read, &f };
		_cleanup_free_ char *why = NULL;
		int r;

		r = layer_apply(p->rootfd, &src, p->layers[i].diff_id, &p->unpack, &why);
		if (r < 0) {
			pthread_mutex_lock(&p->lock);
			bool cancelled = p->aborted && r == -ECANCELED;
			pthread_mutex_unlock(&p->lock);
			if (!cancelled &&
			    asprintf(&p->extract_error, "layer %zu (%s): %s", i + 1,
			             p->layers[i].desc->digest, why ? why : strerror(-r)) < 0)
				p->extract_error = NULL;
			p->extract_result = r;
			pull_abort(p);
			return NULL;
		}
	}
	return NULL;
}

static void
job_progress(struct fetch_job *j)
{
	struct pull_layer *l = j->userdata;
	struct pull *p = l->pull;

	pthread_mutex_lock(&p->lock);
	l->state = LAYER_LOADING;
	l->avail = j->have;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	p->items[l - p->layers].have = j->have;
	p->items[l - p->layers].state = "downloading";
}

static void
job_done(struct fetch_job *j, int result)
{
	struct pull_layer *l = j->userdata;
	struct pull *p = l->pull;
	int r = result;

	if (r >= 0) {
		r = store_commit_blob(p->store, l->fd, l->tmp_path, l->desc->digest);
		if (r < 0 && !j->error &&
		    asprintf(&j->error, "storing blob %s: %s", l->desc->digest, strerror(-r)) < 0)
			j->error = NULL;
	}
	if (r >= 0) {
		free(l->tmp_path);
		l->tmp_path = NULL;
		l->committed = true;
	}
	pthread_mutex_lock(&p->lock);
	l->avail = j->have;
	l->state = r >= 0 ? LAYER_COMPLETE : LAYER_FAILED;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	p->items[l - p->layers].have = j->have;
	p->items[l - p->layers].state = r >= 0 ? "done" : "failed";
}

static bool
job_abort(void *userdata)
{
	struct pull *p = userdata;
	bool a;

	pthread_mutex_lock(&p->lock);
	a = p->aborted;
	pthread_mutex_unlock(&p->lock);
	return a;
}

static void
job_tick(void *userdata)
{
	struct pull *p = userdata;

	progress_draw(&p->progress, p->items, p->n, false);
}

static void
pull_free(struct pull *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		struct pull_layer *l = &p->layers[i];
		safe_close(l->fd);
		if (l->tmp_path)
			unlink(l->tmp_path);
		free(l->tmp_path);
	}
	free(p->layers);
	free(p->items);
	free(p->extract_error);
	safe_close(p->rootfd);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}
DEFINE_CLEANUP_FUNC(struct pull *, pull_free)

/* Opens what the store has, and a temp file for each blob it lacks. */
static int
pull_prepare(struct store *s, const struct resolved *img, char **diff_ids, struct pull **ret)
{
	struct pull *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->store = s;
	p->rootfd = -1;
	p->n = img->m.n_items;
	p->layers = calloc(p->n ? p->n : 1, sizeof(*p->layers));
	p->items = calloc(p->n ? p->n : 1, sizeof(*p->items));
	if (!p->layers || !p->items) {
		pull_free(p);
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->n; i++) {
		struct pull_layer *l = &p->layers[i];
		l->pull = p;
		l->fd = -1;
		l->desc = &img->m.items[i];
		l->diff_id = diff_ids[i];
		p->items[i] =
		        (struct progress_item){ .digest = l->desc->digest, .size = l->desc->size };
	}
	for (size_t i = 0; i < p->n; i++) {
		struct pull_layer *l = &p->layers[i];
		_cleanup_free_ char *path = store_blob_path(s, l->desc->digest);

		l->present = store_has_blob(s, l->desc->digest, l->desc->size);
		if (l->present) {
			l->fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
			l->state = LAYER_COMPLETE;
			l->avail = l->desc->size;
			p->items[i].have = l->desc->size;
			p->items[i].state = "present";
		} else {
			l->fd = store_tmpfile(s, &l->tmp_path);
			p->items[i].state = "waiting";
		}
		if (l->fd < 0) {
			int r = l->fd < 0 ? l->fd : -errno;
			pull_free(p);
			return r;
		}
	}
	*ret = p;
	return 0;
}

/* Downloads the missing layers while the extraction thread (when there is a rootfs to make)
 * applies them in order. */
static int
pull_layers(struct registry *reg, struct pull *p, const struct pull_opts *o, char **ret_error)
{
	_cleanup_free_ struct fetch_job *jobs = calloc(p->n ? p->n : 1, sizeof(*jobs));
	struct fetch_ops ops = { job_progress, job_done, job_abort, job_tick };
	pthread_t thread;
	bool threaded = p->rootfd >= 0;
	size_t n = 0;
	int r = 0;

	if (!jobs)
		return -ENOMEM;
	for (size_t i = 0; i < p->n; i++) {
		struct pull_layer *l = &p->layers[i];
		if (l->present)
			continue;
		memcpy(jobs[n].digest, l->desc->digest, DIGEST_STR_SIZE);
		jobs[n].size = l->desc->size;
		jobs[n].fd = l->fd;
		jobs[n].userdata = l;
		n++;
	}
	if (threaded && (r = -pthread_create(&thread, NULL, extract_main, p)) < 0)
		return r;
	if (n > 0)
		r = fetch_run(reg, jobs, n, o->parallel, &ops, p);
	if (r < 0) {
		for (size_t i = 0; i < n && ret_error && !*ret_error; i++)
			if (jobs[i].error)
				*ret_error = strdup(jobs[i].error);
		pull_abort(p);
	}
	if (threaded) {
		pthread_join(thread, NULL);
		/* When extraction failed first, the downloads were cancelled for its sake. */
		if (p->extract_result < 0 && (r >= 0 || r == -ECANCELED)) {
			r = p->extract_result;
			if (ret_error && p->extract_error) {
				free(*ret_error);
				*ret_error = TAKE_PTR(p->extract_error);
			}
		}
	}
	fetch_jobs_done(jobs, n);
	progress_draw(&p->progress, p->items, p->n, true);
	return r;
}

static bool
pull_downloaded(const struct pull *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->layers[i].committed)
			return true;
	return false;
}

/* Undoes what a failed pull added: the store looks as it did before. */
static void
pull_rollback(struct pull *p, const char *rootfs_tmp)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->layers[i].committed)
			store_remove_blob(p->store, p->layers[i].desc->digest);
	if (rootfs_tmp)
		rm_rf(rootfs_tmp);
}

static bool
host_insecure(const struct pull_opts *o, const struct ref *r)
{
	if (ref_host_is_local(r->domain))
		return true;
	for (char **h = o->insecure; h && *h; h++)
		if (strcmp(*h, r->domain) == 0 || strcmp(*h, ref_api_host(r)) == 0)
			return true;
	return false;
}

static int
open_registry(const struct ref *r, const struct pull_opts *o, struct registry **ret)
{
	_cleanup_free_ char *cfg = NULL, *userpass = NULL;
	int err;

	if (!o->userpass && (cfg = auth_docker_config_path())) {
		err = auth_from_docker_config(cfg, r->domain, &userpass);
		if (err < 0 && err != -ENOENT)
			log_warn_errno(err, "reading credentials from '%s', ignoring", cfg);
	}
	err = registry_new(ref_api_host(r), r->path, host_insecure(o, r),
	                   o->userpass ? o->userpass : userpass, ret);
	if (userpass)
		explicit_bzero(userpass, strlen(userpass));
	return err;
}

/* The config: from the store when it is there, else from the registry. */
static int
get_config(struct store *s, struct registry *reg, const struct resolved *img, char **ret,
           size_t *ret_len, char **ret_error)
{
	int r = store_read_blob(s, img->m.config.digest, 16u << 20, ret, ret_len);

	if (r >= 0)
		return 0;
	r = fetch_small_blob(reg, &img->m.config, ret, ret_error);
	if (r >= 0)
		*ret_len = img->m.config.size;
	return r;
}

/* Records manifest, config and tag; the tag goes last, when everything it needs is there.
 * A second pull of an unchanged image writes nothing. */
static int
pull_record(struct store *s, const char *name, const struct resolved *img, const char *config,
            size_t config_len, bool new_blobs)
{
	_cleanup_json_ cJSON *index = NULL;
	const cJSON *old;
	int r = 0;

	if (!store_has_blob(s, img->m.config.digest, config_len)) {
		r = store_put_blob(s, config, config_len, img->m.config.digest);
		new_blobs = true;
	}
	if (r >= 0 && !store_has_blob(s, img->digest, img->len)) {
		r = store_put_blob(s, img->body, img->len, img->digest);
		new_blobs = true;
	}
	if (r >= 0 && new_blobs)
		r = store_sync_blobs(s);
	if (r >= 0)
		r = store_index_load(s, &index);
	if (r < 0)
		return r;
	old = store_index_find(index, name);
	if (old && strcmp(json_string(old, "digest") ?: "", img->digest) == 0 &&
	    strcmp(json_string(old, "mediaType") ?: "", img->m.media_type) == 0)
		return 0;
	r = store_index_set(index, name, img->m.media_type, img->digest, img->len);
	if (r >= 0)
		r = store_index_save(s, index);
	return r;
}

struct pull_ctx {
	struct store *store;
	const struct pull_opts *o;
	struct ref ref;
	char *name;
	struct registry *reg;
	struct resolved img;
	char *config;
	size_t config_len;
	char **diff_ids;
	char *rootfs_tmp;
	char *error;
};

static void
pull_ctx_done(struct pull_ctx *c)
{
	ref_done(&c->ref);
	free(c->name);
	registry_free(c->reg);
	resolved_done(&c->img);
	free(c->config);
	strv_free(c->diff_ids);
	free(c->rootfs_tmp);
	free(c->error);
}

/* Manifest, config and diff_ids: everything known before the first layer byte. */
static int
pull_resolve(struct pull_ctx *c)
{
	size_t n_ids = 0;
	int r;

	r = open_registry(&c->ref, c->o, &c->reg);
	if (r < 0)
		return r;
	r = resolve_manifest(c->reg, c->ref.digest ? c->ref.digest : c->ref.tag, &c->o->platform,
	                     &c->img, &c->error);
	if (r < 0)
		return r;
	r = get_config(c->store, c->reg, &c->img, &c->config, &c->config_len, &c->error);
	if (r < 0)
		return r;
	r = config_diff_ids(c->config, c->config_len, &c->diff_ids, &n_ids);
	if (r < 0) {
		c->error = strdup("the image config has no valid rootfs.diff_ids");
		return r;
	}
	if (n_ids != c->img.m.n_items) {
		if (asprintf(&c->error, "the image has %zu layers but its config %zu diff_ids",
		             c->img.m.n_items, n_ids) < 0)
			c->error = NULL;
		return -EINVAL;
	}
	return 0;
}

static int
pull_fetch(struct pull_ctx *c)
{
	_cleanup_(pull_freep) struct pull *p = NULL;
	_cleanup_free_ char *rootfs = NULL;
	struct stat st;
	int r;

	r = pull_prepare(c->store, &c->img, c->diff_ids, &p);
	if (r < 0)
		return r;
	progress_init(&p->progress, c->o->progress && !c->o->quiet);
	p->unpack.root = geteuid() == 0;
	rootfs = store_rootfs_path(c->store, c->img.digest);
	if (!rootfs)
		return -ENOMEM;
	if (c->o->unpack && stat(rootfs, &st) < 0) {
		p->rootfd = rootfs_begin(c->store, c->img.digest, &c->rootfs_tmp);
		if (p->rootfd < 0)
			return p->rootfd;
	}
	r = pull_layers(c->reg, p, c->o, &c->error);
	if (r >= 0)
		r = pull_record(c->store, c->name, &c->img, c->config, c->config_len,
		                pull_downloaded(p));
	if (r >= 0 && c->rootfs_tmp) {
		p->rootfd = safe_close(p->rootfd);
		r = rootfs_commit(c->store, c->rootfs_tmp, c->img.digest);
	}
	if (r < 0)
		pull_rollback(p, c->rootfs_tmp);
	return r;
}

int
pull_image(struct store *s, const char *reference, const struct pull_opts *o)
{
	_cleanup_(pull_ctx_done) struct pull_ctx c = { .store = s, .o = o };
	int r;

	r = ref_parse(reference, &c.ref);
	if (r < 0) {
		log_error("invalid reference '%s'", reference);
		return r;
	}
	c.name = ref_string(&c.ref);
	if (!c.name)
		return -ENOMEM;
	r = pull_resolve(&c);
	if (r >= 0) {
		r = store_lock(s);
		if (r < 0)
			c.error = strdup("cannot lock the store");
		else
			store_sweep(s); /* what a killed pull left */
	}
	if (r >= 0)
		r = pull_fetch(&c);
	if (r < 0) {
		log_error("pull %s: %s", c.name, c.error ? c.error : strerror(-r));
		return r;
	}
	log_debug("%u token request(s)", registry_token_fetches(c.reg));
	printf("%s@%s\n", c.name, c.img.digest);
	fflush(stdout);
	return 0;
}
