#include "pull.h"

#include "auth.h"
#include "cleanup.h"
#include "fileio.h"
#include "log.h"
#include "pipeline.h"
#include "ref.h"
#include "registry.h"
#include "resolve.h"
#include "rmtree.h"
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

void
pull_session_done(struct pull_session *session)
{
	for (size_t i = 0; i < session->n; i++)
		registry_free(session->regs[i]);
	session->n = 0;
}

/* The session's client for the reference's repository, or a new one it keeps. */
static int
open_registry(const struct ref *r, const struct pull_opts *o, struct pull_session *session,
              struct registry **ret)
{
	_cleanup_free_ char *cfg = NULL, *userpass = NULL;
	const char *host = ref_api_host(r);
	bool insecure = host_insecure(o, r);
	struct registry *reg;
	int err;

	for (size_t i = 0; i < session->n; i++)
		if (registry_matches(session->regs[i], host, r->path, insecure)) {
			*ret = session->regs[i];
			return 0;
		}
	if (!o->userpass && (cfg = auth_docker_config_path())) {
		err = auth_from_docker_config(cfg, r->domain, &userpass);
		if (err < 0 && err != -ENOENT)
			log_warn_errno(err, "reading credentials from '%s', ignoring", cfg);
	}
	err = registry_new(host, r->path, insecure, o->userpass ? o->userpass : userpass, &reg);
	if (userpass)
		explicit_bzero(userpass, strlen(userpass));
	if (err < 0)
		return err;
	if (session->n == ARRAY_SIZE(session->regs)) {
		registry_free(session->regs[0]);
		memmove(session->regs, session->regs + 1,
		        (session->n - 1) * sizeof(session->regs[0]));
		session->n--;
	}
	session->regs[session->n++] = reg;
	*ret = reg;
	return 0;
}

/* Records the manifest and the tag; the tag goes last, when everything it needs is there.
 * A second pull of an unchanged image writes nothing. */
static int
pull_record(struct store *s, const char *name, const struct resolved *img, bool new_blobs)
{
	_cleanup_json_ cJSON *index = NULL;
	const cJSON *old;
	int r = 0;

	if (!store_has_blob(s, img->digest, img->len)) {
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
	struct pull_session *session;
	struct registry *reg; /* owned by the session */
	struct resolved img;
	char *rootfs_tmp;
	char *error;
};

static void
pull_ctx_done(struct pull_ctx *c)
{
	ref_done(&c->ref);
	free(c->name);
	resolved_done(&c->img);
	free(c->rootfs_tmp);
	free(c->error);
}

static int
pull_resolve(struct pull_ctx *c)
{
	int r = open_registry(&c->ref, c->o, c->session, &c->reg);

	if (r < 0)
		return r;
	r = resolve_manifest(c->reg, c->ref.digest ? c->ref.digest : c->ref.tag, &c->o->platform,
	                     &c->img, &c->error);
	/* Before any blob is asked for: what the manifest declares must be within bounds. */
	if (r >= 0)
		r = manifest_check_sizes(&c->img.m, c->o->max_unpacked, &c->error);
	if (r >= 0)
		log_info("%s: manifest %s, %zu layer(s)", c->name, c->img.digest, c->img.m.n_items);
	return r;
}

/* Config and layers the store lacks, and the rootfs when there is none yet; then the
 * record.  A failure takes back what it added. */
static int
pull_fetch(struct pull_ctx *c)
{
	_cleanup_(pipeline_freep) struct pipeline *p = NULL;
	_cleanup_free_ char *rootfs = store_rootfs_path(c->store, c->img.digest);
	_cleanup_close_ int rootfd = -1;
	struct stat st;
	int r;

	if (!rootfs)
		return -ENOMEM;
	r = pipeline_new(c->store, &c->img.m, c->o->progress && !c->o->quiet, c->o->max_unpacked,
	                 &p);
	if (r < 0)
		return r;
	if (c->o->unpack && stat(rootfs, &st) < 0) {
		rootfd = rootfs_begin(c->store, c->img.digest, &c->rootfs_tmp);
		if (rootfd < 0)
			return rootfd;
	}
	log_info("%s: %s", c->name,
	         rootfd >= 0 ? "downloading what is missing and unpacking"
	                     : "downloading what is missing");
	r = pipeline_run(p, c->reg, rootfd, c->o->parallel, &c->error);
	if (r >= 0)
		r = pull_record(c->store, c->name, &c->img, pipeline_downloaded(p));
	if (r >= 0 && c->rootfs_tmp) {
		rootfd = safe_close(rootfd);
		r = rootfs_commit(c->store, c->rootfs_tmp, c->img.digest);
	}
	if (r < 0) {
		pipeline_rollback(p);
		if (c->rootfs_tmp)
			rm_rf_at(AT_FDCWD, c->rootfs_tmp);
	}
	return r;
}

int
pull_image(struct store *s, const char *reference, const struct pull_opts *o,
           struct pull_session *session)
{
	_cleanup_(pull_ctx_done) struct pull_ctx c = { .store = s, .o = o, .session = session };
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
	log_debug("%u token request(s) so far", registry_token_fetches(c.reg));
	printf("%s@%s\n", c.name, c.img.digest);
	fflush(stdout);
	return 0;
}
