/* A client for one repository of one registry (the distribution API, /v2/): the token
 * flow, Basic auth, retries, and redirects that never carry Authorization elsewhere. */
#pragma once

#include "http.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct registry;

/* host is the API host[:port]; plain HTTP when insecure; userpass "user:password" or NULL. */
int registry_new(const char *host, const char *repo, bool insecure, const char *userpass,
                 struct registry **ret);
struct registry *registry_free(struct registry *reg);
DEFINE_CLEANUP_FUNC(struct registry *, registry_free)
#define _cleanup_registry_ _cleanup_(registry_freep)

/* True when reg speaks to host (over HTTP when insecure) for repo: it can be used again,
 * with the token it holds. */
bool registry_matches(const struct registry *reg, const char *host, const char *repo,
                      bool insecure);

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
                 struct buffer *ret_body, struct http_headers *ret_headers, char **ret_error);

/* Number of tokens fetched so far (for -v). */
unsigned registry_token_fetches(const struct registry *reg);
