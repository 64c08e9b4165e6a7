/* A client for one repository of one registry (the distribution API, /v2/): the token
 * flow, Basic auth, retries, and redirects that never carry Authorization elsewhere. */
#pragma once

#include "certdir.h"
#include "http.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct registry;

enum registry_transport {
	REGISTRY_HTTPS,
	/* Plain HTTP first; HTTPS when the server answers like a TLS port (a 400 that says
	 * so, or a dropped connection).  For loopback registries without TLS settings. */
	REGISTRY_HTTP_THEN_HTTPS,
	REGISTRY_HTTP,
};

struct registry_opts {
	const char *host; /* the API host[:port] */
	const char *repo;
	const char *userpass; /* "user:password" or NULL */
	enum registry_transport transport;
	bool tls_verify;
	const struct certdir *certs; /* CAs and client certificate, or NULL */
	const char *certs_dir;       /* where they came from, for messages */
};

int registry_new(const struct registry_opts *o, struct registry **ret);
struct registry *registry_free(struct registry *reg);
DEFINE_CLEANUP_FUNC(struct registry *, registry_free)
#define _cleanup_registry_ _cleanup_(registry_freep)

/* True when reg speaks to host for repo: it can be used again, with the token it holds. */
bool registry_matches(const struct registry *reg, const char *host, const char *repo);

/* A handle with mocker's defaults and the registry's TLS settings. */
CURL *registry_easy_new(const struct registry *reg, struct http_headers *headers);

/* "https://host/v2/<repo>/<what>" */
char *registry_url(const struct registry *reg, const char *what);
/* The Authorization header line to send to the registry's origin now (a cached token
 * still valid, refreshed when expired), or NULL for none.  The result stays owned by reg. */
int registry_auth_header(struct registry *reg, const char **ret, char **ret_error);
/* Answers a 401 challenge: fetches a token from its realm (or prepares Basic auth).
 * -EACCES when credentials are missing or refused. */
int registry_authenticate(struct registry *reg, const char *www_authenticate, char **ret_error);

/*
 * The same in steps, for a loop of parallel transfers that must not stop while a token
 * is fetched: registry_challenge takes a 401's challenge (0: the header is ready, 1: a
 * token is needed); registry_token_begin gives the token request's handle (owned by reg)
 * to run; registry_token_end takes its result (0: the new header is ready, 1: run it
 * again after *ret_retry_ms, <0: failed, with a reason); registry_token_abandon forgets
 * a request that will not end.  registry_token_due says the token has expired;
 * registry_auth_current gives the header as it is, with its generation, which grows
 * with every new header (a 401 to an older one needs no new token).
 */
int registry_challenge(struct registry *reg, const char *www_authenticate, char **ret_error);
CURL *registry_token_begin(struct registry *reg);
int registry_token_end(struct registry *reg, CURLcode rc, long *ret_retry_ms, char **ret_error);
void registry_token_abandon(struct registry *reg);
bool registry_token_due(const struct registry *reg);
const char *registry_auth_current(const struct registry *reg, unsigned *ret_generation);
unsigned registry_auth_generation(const struct registry *reg);

/* GETs what (relative to /v2/<repo>/) into memory, with extra_header (or NULL), handling
 * auth, retries and redirects.  -ENOENT on 404; other failures -EIO/-EACCES with a reason. */
int registry_get(struct registry *reg, const char *what, const char *extra_header, size_t max,
                 struct http_buffer *ret_body, struct http_headers *ret_headers, char **ret_error);

/* Number of tokens fetched so far (for -v). */
unsigned registry_token_fetches(const struct registry *reg);
