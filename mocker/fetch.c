#include "fetch.h"

#include "errtext.h"
#include "log.h"
#include "monotime.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ATTEMPTS 8
#define MAX_REDIRECTS 5
#define FLUSH_CHUNK (8u << 20)

/* The first bytes of a response decide how they line up with what we have. */
static bool
job_first_data(struct fetch_job *j, long status)
{
	j->started = true;
	if (status == 200) {
		/* The server ignored Range: what we already hashed and wrote is skipped. */
		j->skip = j->have;
		return true;
	}
	char want[64];
	snprintf(want, sizeof(want), "bytes %" PRIu64 "-", j->have);
	if (!j->headers.content_range ||
	    strncmp(j->headers.content_range, want, strlen(want)) != 0) {
		error_set_first(&j->error, -EPROTO,
		                "blob %s: server resumed at the wrong offset (%s)", j->digest,
		                j->headers.content_range ? j->headers.content_range
		                                         : "no Content-Range");
		return false;
	}
	return true;
}

static size_t
job_write(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct fetch_job *j = userdata;
	size_t total = size * nmemb, len = total;
	long status = 0;

	curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200 && status != 206)
		return total; /* an error body: not blob data */
	if (!j->started && !job_first_data(j, status))
		return 0;
	if (j->skip) {
		size_t k = j->skip < len ? j->skip : len;
		data += k;
		len -= k;
		j->skip -= k;
	}
	if (len == 0)
		return total;
	if (j->have + len > j->size) {
		error_set_first(&j->error, -EBADMSG,
		                "blob %s is larger than the %" PRIu64 " bytes its manifest says",
		                j->digest, j->size);
		return 0;
	}
	for (size_t off = 0; off < len;) {
		ssize_t n = pwrite(j->fd, data + off, len - off, (off_t)(j->have + off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set_first(&j->error, -errno, "writing blob %s: %s", j->digest,
			                strerror(errno));
			return 0;
		}
		off += n;
	}
	sha256_update(j->hash, data, len);
	j->have += len;
	/* Start writeback as data arrives, so the fsync at the end finds little to do. */
	if (j->have - j->flushed >= FLUSH_CHUNK) {
		sync_file_range(j->fd, (off_t)j->flushed, (off_t)(j->have - j->flushed),
		                SYNC_FILE_RANGE_WRITE);
		j->flushed = j->have;
	}
	return total;
}

static int
job_start(CURLM *m, struct registry *reg, struct fetch_job *j)
{
	struct curl_slist *t;
	const char *auth = NULL;
	char range[64];

	curl_slist_free_all(j->req_headers);
	j->req_headers = NULL;
	if (j->origin) {
		auth = registry_auth_current(reg, &j->auth_generation);
		if (auth && (t = curl_slist_append(j->req_headers, auth)))
			j->req_headers = t;
	}
	if (j->have > 0) {
		snprintf(range, sizeof(range), "Range: bytes=%" PRIu64 "-", j->have);
		if ((t = curl_slist_append(j->req_headers, range)))
			j->req_headers = t;
	}
	http_headers_reset(&j->headers);
	j->progress = j->have;
	j->started = false;
	j->skip = 0;
	curl_easy_setopt(j->easy, CURLOPT_URL, j->url);
	curl_easy_setopt(j->easy, CURLOPT_HTTPHEADER, j->req_headers);
	if (curl_multi_add_handle(m, j->easy) != CURLM_OK)
		return -ENOMEM;
	j->active = true;
	return 0;
}

static int
job_init(struct registry *reg, struct fetch_job *j)
{
	_cleanup_free_ char *what = NULL;

	if (asprintf(&what, "blobs/%s", j->digest) < 0)
		return -ENOMEM;
	j->url = registry_url(reg, what);
	j->easy = registry_easy_new(reg, &j->headers);
	j->hash = sha256_new();
	if (!j->url || !j->easy || !j->hash)
		return -ENOMEM;
	j->origin = true;
	j->result = 1;
	curl_easy_setopt(j->easy, CURLOPT_WRITEFUNCTION, job_write);
	curl_easy_setopt(j->easy, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(j->easy, CURLOPT_PRIVATE, j);
	curl_easy_setopt(j->easy, CURLOPT_BUFFERSIZE, 256L * 1024);
	return 0;
}

static int
job_verify(struct fetch_job *j)
{
	char actual[DIGEST_STR_SIZE];

	sha256_final(j->hash, actual);
	j->hash = sha256_free(j->hash);
	if (strcmp(actual, j->digest) != 0)
		return error_set_first(&j->error, -EBADMSG,
		                       "blob %s arrived with digest %s: rejected", j->digest,
		                       actual);
	return 0;
}

static int
job_restart_url(struct registry *reg, struct fetch_job *j)
{
	_cleanup_free_ char *what = NULL;

	if (asprintf(&what, "blobs/%s", j->digest) < 0)
		return -ENOMEM;
	free(j->url);
	j->url = registry_url(reg, what);
	j->origin = true;
	return j->url ? 0 : -ENOMEM;
}

/* One run of fetch_run: the multi handle, and the token request that runs beside the
 * downloads when the registry wants a new one (downloads for the registry's own origin
 * wait for it; the others go on). */
struct loop {
	CURLM *m;
	struct registry *reg;
	unsigned active;
	size_t left;
	bool token_wanted;
	CURL *token_active; /* the token request running, or NULL */
	int64_t token_not_before;
};

/* What to do once a transfer ends: 1 to go again (redirect, auth, retry), 0 done, <0 failed. */
static int
job_completed(struct loop *l, struct fetch_job *j, CURLcode rc)
{
	struct registry *reg = l->reg;
	long status = 0;
	char *loc = NULL;

	curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
	log_debug("blob %s: %s, HTTP %ld, %" PRIu64 "/%" PRIu64 " bytes", j->digest,
	          http_error_text(rc, &j->headers), status, j->have, j->size);
	if (j->error)
		return -EBADMSG; /* set by the write callback: not worth a retry */
	if (rc == CURLE_OK && status >= 300 && status < 400) {
		curl_easy_getinfo(j->easy, CURLINFO_REDIRECT_URL, &loc);
		if (!loc || ++j->redirects > MAX_REDIRECTS)
			return error_set_first(&j->error, -ELOOP,
			                       "blob %s: bad or too many redirects", j->digest);
		/* Authorization stays with the registry's own origin (Docker Hub's CDN must
		 * never see the token). */
		j->origin = j->origin && http_same_origin(j->url, loc);
		free(j->url);
		j->url = strdup(loc);
		return j->url ? 1 : -ENOMEM;
	}
	if (rc == CURLE_OK && status == 401 && j->origin && j->auths++ < 2) {
		/* A newer header than the one sent (another download's 401 got it): use it. */
		if (registry_auth_generation(reg) != j->auth_generation || l->token_active ||
		    l->token_wanted)
			return 1;
		int r = registry_challenge(reg, j->headers.www_authenticate, &j->error);
		if (r > 0)
			l->token_wanted = true;
		return r < 0 ? r : 1;
	}
	if (rc == CURLE_OK && (status == 200 || status == 206) && j->have == j->size)
		return job_verify(j);
	/* A connection that delivered data before it dropped earns a fresh set of attempts. */
	if (j->have > j->progress)
		j->attempts = 0;
	if ((http_retryable(rc, status) || (rc == CURLE_OK && (status == 200 || status == 206))) &&
	    ++j->attempts < MAX_ATTEMPTS) {
		long ms = http_backoff_ms(j->attempts, j->headers.retry_after);
		log_debug("blob %s: retrying in %ld ms from byte %" PRIu64, j->digest, ms, j->have);
		j->not_before_ms = monotime_ms() + ms;
		/* Signed CDN URLs expire: start again at the registry. */
		j->redirects = 0;
		return job_restart_url(reg, j) < 0 ? -ENOMEM : 1;
	}
	if (rc != CURLE_OK)
		return error_set_first(&j->error, -EIO, "blob %s: %s", j->digest,
		                       http_error_text(rc, &j->headers));
	if (status == 401 || status == 403)
		return error_set_first(&j->error, -EACCES, "blob %s: access denied (HTTP %ld)",
		                       j->digest, status);
	return error_set_first(&j->error, status == 404 ? -ENOENT : -EIO, "blob %s: HTTP %ld",
	                       j->digest, status);
}

/* The registry's origin can be asked now: no token is being fetched, none has expired. */
static bool
origin_ready(struct loop *l)
{
	if (!l->token_wanted && !l->token_active && registry_token_due(l->reg))
		l->token_wanted = true;
	return !l->token_wanted && !l->token_active;
}

static int
start_ready(struct loop *l, struct fetch_job *jobs, size_t n, unsigned parallel, int64_t *next_ms)
{
	int64_t now = monotime_ms();

	*next_ms = INT64_MAX;
	for (size_t i = 0; i < n && l->active < parallel; i++) {
		struct fetch_job *j = &jobs[i];
		if (j->finished || j->active)
			continue;
		if (j->not_before_ms > now) {
			if (j->not_before_ms < *next_ms)
				*next_ms = j->not_before_ms;
			continue;
		}
		if (j->origin && !origin_ready(l))
			continue;
		int r = job_start(l->m, l->reg, j);
		if (r < 0)
			return r;
		l->active++;
	}
	if (l->token_wanted && !l->token_active) {
		if (l->token_not_before > now) {
			if (l->token_not_before < *next_ms)
				*next_ms = l->token_not_before;
			return 0;
		}
		CURL *c = registry_token_begin(l->reg);
		if (!c || curl_multi_add_handle(l->m, c) != CURLM_OK)
			return -ENOMEM;
		l->token_wanted = false;
		l->token_active = c;
	}
	return 0;
}

/* A token request that failed fails a download that waited for it, with its reason. */
static int
token_failed(struct loop *l, struct fetch_job *jobs, size_t n, const struct fetch_ops *ops, int r,
             char *why)
{
	for (size_t i = 0; i < n; i++) {
		struct fetch_job *j = &jobs[i];
		if (j->finished || j->active || !j->origin)
			continue;
		free(j->error);
		j->error = why;
		j->finished = true;
		j->result = r;
		l->left--;
		if (ops->done)
			ops->done(j, r);
		return r;
	}
	free(why);
	return r;
}

static int
token_done(struct loop *l, CURLMsg *msg, struct fetch_job *jobs, size_t n,
           const struct fetch_ops *ops)
{
	char *why = NULL;
	long ms = 0;
	int r;

	curl_multi_remove_handle(l->m, msg->easy_handle);
	l->token_active = NULL;
	r = registry_token_end(l->reg, msg->data.result, &ms, &why);
	if (r > 0) {
		l->token_wanted = true;
		l->token_not_before = monotime_ms() + ms;
		return 0;
	}
	if (r < 0)
		return token_failed(l, jobs, n, ops, r, why);
	return 0;
}

static int
finish_one(struct loop *l, CURLMsg *msg, struct fetch_job *jobs, size_t n,
           const struct fetch_ops *ops)
{
	struct fetch_job *j = NULL;
	int r;

	curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
	if (!j)
		return token_done(l, msg, jobs, n, ops);
	curl_multi_remove_handle(l->m, msg->easy_handle);
	j->active = false;
	l->active--;
	r = job_completed(l, j, msg->data.result);
	if (r > 0)
		return 0;
	j->finished = true;
	j->result = r;
	l->left--;
	if (ops->done)
		ops->done(j, r);
	return r;
}

int
fetch_run(struct registry *reg, struct fetch_job *jobs, size_t n, unsigned parallel,
          const struct fetch_ops *ops, void *userdata)
{
	struct loop l = { .m = curl_multi_init(), .reg = reg, .left = n };
	int r = 0;

	if (!l.m)
		return -ENOMEM;
	curl_multi_setopt(l.m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)parallel);
	for (size_t i = 0; i < n && r >= 0; i++)
		r = job_init(reg, &jobs[i]);
	while (r >= 0 && l.left > 0) {
		int64_t next_ms;
		int running, q, timeout = 100;
		CURLMsg *msg;

		r = start_ready(&l, jobs, n, parallel, &next_ms);
		if (r < 0)
			break;
		curl_multi_perform(l.m, &running);
		while (r >= 0 && (msg = curl_multi_info_read(l.m, &q)))
			if (msg->msg == CURLMSG_DONE)
				r = finish_one(&l, msg, jobs, n, ops);
		for (size_t i = 0; ops->progress && i < n; i++)
			if (jobs[i].active)
				ops->progress(&jobs[i]);
		if (ops->tick)
			ops->tick(userdata);
		if (r >= 0 && ops->abort && ops->abort(userdata))
			r = -ECANCELED;
		if (r < 0 || l.left == 0)
			break;
		if (next_ms != INT64_MAX && l.active == 0 && !l.token_active) {
			int64_t wait = next_ms - monotime_ms();
			timeout = wait < 0 ? 0 : wait > 100 ? 100 : (int)wait;
		}
		curl_multi_poll(l.m, NULL, 0, timeout, NULL);
	}
	if (l.token_active) {
		curl_multi_remove_handle(l.m, l.token_active);
		registry_token_abandon(reg);
	}
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].active)
			curl_multi_remove_handle(l.m, jobs[i].easy);
		jobs[i].active = false;
		if (!jobs[i].finished && r < 0 && ops->done) {
			jobs[i].finished = true;
			ops->done(&jobs[i], -ECANCELED);
		}
	}
	curl_multi_cleanup(l.m);
	return r;
}

void
fetch_jobs_done(struct fetch_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct fetch_job *j = &jobs[i];
		if (j->easy)
			curl_easy_cleanup(j->easy);
		curl_slist_free_all(j->req_headers);
		http_headers_reset(&j->headers);
		sha256_free(j->hash);
		free(j->url);
		free(j->error);
		*j = (struct fetch_job){ .fd = j->fd, .userdata = j->userdata };
	}
}
