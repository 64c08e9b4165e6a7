#include "pull.h"

#include "auth.h"
#include "certdir.h"
#include "cleanup.h"
#include "errtext.h"
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
	for (char **h = o->insecure; h && *h; h++)
		if (strcmp(*h, r->domain) == 0 || strcmp(*h, ref_api_host(r)) == 0)
			return true;
	return false;
}

/* The TLS material for the reference's registry: --cert-dir, else the certs.d directory
 * of its host.  *ret_dir is NULL when there is none. */
static int
load_certs(const struct ref *r, const struct pull_opts *o, struct certdir *ret, char **ret_dir,
           char **ret_error)
{
	static const char *const roots[] = { "/etc/containers/certs.d", "/etc/docker/certs.d",
		                             NULL };
	_cleanup_free_ char *dir = NULL, *system_ca = NULL;
	int err;

	if (o->cert_dir)
		dir = strdup(o->cert_dir);
	else if (!(dir = certdir_find(roots, ref_api_host(r))))
		dir = certdir_find(roots, r->domain);
	if (!dir) {
		*ret_dir = NULL;
		return 0;
	}
	system_ca = http_default_cainfo();
	err = certdir_load(dir, system_ca, ret, ret_error);
	if (err < 0)
		return err;
	log_debug("%s: certificates from '%s'", ref_api_host(r), dir);
	*ret_dir = TAKE_PTR(dir);
	return 0;
}

void
pull_session_done(struct pull_session *session)
{
	for (size_t i = 0; i < session->n; i++)
		registry_free(session->regs[i]);
	session->n = 0;
}

/* Credentials for domain from the Docker config: its credential helper's (whose failure
 * is fatal, as in Docker: an anonymous pull would only fail later, for a vaguer reason),
 * else what "auths" holds.  A config that cannot be read is warned about and ignored. */
static int
config_credentials(const char *cfg, const char *domain, char **ret_userpass, char **ret_error)
{
	_cleanup_(auth_config_entry_done) struct auth_config_entry e = { 0 };
	_cleanup_free_ char *why = NULL;
	int err;

	err = auth_config_read(cfg, domain, &e, &why);
	if (err < 0) {
		if (err != -ENOENT)
			log_warn("credentials: %s, ignoring", why ? why : strerror(-err));
		return 0;
	}
	if (e.helper) {
		err = auth_helper_get(e.helper, e.server, ret_userpass, ret_error);
		if (err != -ENOENT)
			return err;
		log_debug("docker-credential-%s has nothing for %s", e.helper, e.server);
	}
	*ret_userpass = TAKE_PTR(e.userpass);
	return 0;
}

/* The session's client for the reference's repository, or a new one it keeps.  HTTPS,
 * but plain HTTP for --insecure-registry hosts, and first for loopback hosts without
 * certificates (HTTPS when they answer like a TLS port). */
static int
open_registry(const struct ref *r, const struct pull_opts *o, struct pull_session *session,
              struct registry **ret, char **ret_error)
{
	_cleanup_free_ char *cfg = NULL, *userpass = NULL, *certs_dir = NULL;
	_cleanup_(certdir_done) struct certdir certs = { 0 };
	struct registry_opts ro = {
		.host = ref_api_host(r),
		.repo = r->path,
		.tls_verify = o->tls_verify,
		.certs = &certs,
	};
	struct registry *reg;
	int err;

	for (size_t i = 0; i < session->n; i++)
		if (registry_matches(session->regs[i], ro.host, r->path)) {
			*ret = session->regs[i];
			return 0;
		}
	if (host_insecure(o, r))
		ro.transport = REGISTRY_HTTP;
	else {
		err = load_certs(r, o, &certs, &certs_dir, ret_error);
		if (err < 0)
			return err;
		ro.certs_dir = certs_dir;
		ro.transport = !certs_dir && ref_host_is_local(r->domain) ? REGISTRY_HTTP_THEN_HTTPS
		                                                          : REGISTRY_HTTPS;
	}
	if (!o->userpass && (cfg = auth_docker_config_path())) {
		err = config_credentials(cfg, r->domain, &userpass, ret_error);
		if (err < 0)
			return err;
	}
	ro.userpass = o->userpass ? o->userpass : userpass;
	err = registry_new(&ro, &reg);
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
	int r = open_registry(&c->ref, c->o, c->session, &c->reg, &c->error);

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

/* An image of one platform only (no index to choose from) may not be the one asked for:
 * it is stored as it is, and said. */
static void
pull_check_platform(const struct store *s, const struct pull_ctx *c, const struct platform *want)
{
	_cleanup_free_ char *body = NULL;
	struct platform have;
	size_t len;

	if (store_read_blob(s, c->img.m.config.digest, CONFIG_MAX, &body, &len) < 0 ||
	    config_platform(body, len, &have) < 0 || platform_matches(&have, want))
		return;
	log_warn("%s: the image is %s/%s%s%s, not the %s/%s%s%s asked for; pulled as it is",
	         c->name, have.os, have.arch, *have.variant ? "/" : "", have.variant, want->os,
	         want->arch, *want->variant ? "/" : "", want->variant);
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
		if (r < 0 &&
		    asprintf(&c.error, "cannot lock the store '%s': %s", s->root, strerror(-r)) < 0)
			c.error = NULL;
		else
			store_sweep(s); /* what a killed pull left */
	}
	if (r >= 0)
		r = pull_fetch(&c);
	if (r < 0) {
		log_error("pull %s: %s", c.name, c.error ? c.error : strerror(-r));
		return r;
	}
	pull_check_platform(s, &c, &o->platform);
	log_debug("%u token request(s) so far", registry_token_fetches(c.reg));
	printf("%s@%s\n", c.name, c.img.digest);
	fflush(stdout);
	return 0;
}
