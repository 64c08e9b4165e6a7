/* What mocker needs from libcurl: handle setup, response headers, growable buffers, and
 * the classification of failures into "retry" and "give up". */
#pragma once

#include "cleanup.h"

#include "lazycurl.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

DEFINE_CLEANUP_FUNC(CURL *, curl_easy_cleanup)
#define _cleanup_curl_ _cleanup_(curl_easy_cleanupp)
DEFINE_CLEANUP_FUNC(struct curl_slist *, curl_slist_free_all)
#define _cleanup_slist_ _cleanup_(curl_slist_free_allp)

struct http_buffer {
	char *data;
	size_t len, cap, max;
};

/* Headers of the last response (a redirect or retry starts a fresh set). */
struct http_headers {
	char *www_authenticate;
	char *content_type;
	char *docker_digest;
	char *content_range;
	long retry_after;            /* seconds, -1 when absent */
	char error[CURL_ERROR_SIZE]; /* curl's own words on a failed transfer ("SSL certificate
	                              * problem: ..."), empty when it had none */
};

void http_headers_reset(struct http_headers *h);
/* Appends data; -E2BIG beyond b->max (0: 64 MiB). */
int http_buffer_append(struct http_buffer *b, const void *data, size_t len);
void http_buffer_done(struct http_buffer *b);

/* A handle with mocker's defaults: user agent, timeouts, http/https only, no signals;
 * headers (and curl's error text) of its responses land in headers. */
CURL *http_easy_new(struct http_headers *headers);
/* Points a handle's response headers and error text at headers. */
void http_easy_use_headers(CURL *c, struct http_headers *headers);
/* The CA bundle libcurl trusts by default (malloc'd), or NULL. */
char *http_default_cainfo(void);
/* Why a transfer failed: curl's detailed text when it left one, else its code's. */
const char *http_error_text(CURLcode rc, const struct http_headers *h);
/* Transient failures worth a retry: dropped connections, timeouts, 429 and 5xx. */
bool http_retryable(CURLcode rc, long status);
/* The delay before attempt n (1-based): Retry-After when the server gave one (capped), else
 * 250 ms doubling, capped at 8 s. */
long http_backoff_ms(unsigned attempt, long retry_after);
/* True when a and b (absolute URLs) have the same scheme, host and port. */
bool http_same_origin(const char *a, const char *b);
