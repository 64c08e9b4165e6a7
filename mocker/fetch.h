/* Parallel blob downloads (libcurl multi): each blob streams into its file while it is
 * hashed; dropped connections, 5xx and 429 are retried with backoff and resumed with
 * Range; redirects to other hosts (CDNs) never carry Authorization. */
#pragma once

#include "digest.h"
#include "http.h"
#include "registry.h"

#include <stdbool.h>
#include <stdint.h>

struct fetch_job;

struct fetch_ops {
	/* Called as bytes land in the file (j->have grows). */
	void (*progress)(struct fetch_job *j);
	/* Called once when the blob is complete and verified (result 0), or has failed. */
	void (*done)(struct fetch_job *j, int result);
	/* Polled between transfers: true stops everything with -ECANCELED. */
	bool (*abort)(void *userdata);
	/* Called about every 100 ms, for progress displays. */
	void (*tick)(void *userdata);
};

struct fetch_job {
	/* set by the caller */
	char digest[DIGEST_STR_SIZE];
	uint64_t size;
	int fd; /* written from offset 0 with pwrite */
	void *userdata;
	/* progress, readable from the callbacks */
	uint64_t have;
	char *error; /* malloc'd reason after a failure */
	/* private */
	CURL *easy;
	struct curl_slist *req_headers;
	struct http_headers headers;
	struct sha256 *hash;
	char *url;
	bool origin, started, active, finished;
	uint64_t skip;
	uint64_t flushed;  /* bytes handed to writeback already */
	uint64_t progress; /* have when the current attempt started */
	unsigned attempts, redirects, auths;
	unsigned auth_generation; /* of the Authorization header sent */
	int64_t not_before_ms;
	int result;
};

/* Runs all jobs, at most parallel at a time.  0 when every blob arrived and matched its
 * digest; otherwise the first failure (the failed job's error says why). */
int fetch_run(struct registry *reg, struct fetch_job *jobs, size_t n, unsigned parallel,
              const struct fetch_ops *ops, void *userdata);
/* Frees what fetch_run left in the jobs. */
void fetch_jobs_done(struct fetch_job *jobs, size_t n);
