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

/* GETs what (relative to /v2/<repo>/) into memory, with extra_header (or NULL), handling
 * auth, retries and redirects.  -ENOENT on 404; other failures -EIO/-EACCES with a reason. */
int registry_get(struct registry *reg, const char *what, const char *extra_header, size_t max,
                 struct http_buffer *ret_body, struct http_headers *ret_headers, char **ret_error);

/* Number of tokens fetched so far (for -v). */
unsigned registry_token_fetches(const struct registry *reg);
