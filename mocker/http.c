#include "http.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
http_headers_reset(struct http_headers *h)
{
	free(h->www_authenticate);
	free(h->content_type);
	free(h->docker_digest);
	free(h->content_range);
	h->www_authenticate = h->content_type = h->docker_digest = h->content_range = NULL;
	h->retry_after = -1;
	h->error[0] = '\0';
}

int
http_buffer_append(struct http_buffer *b, const void *data, size_t len)
{
	size_t max = b->max ? b->max : 64u << 20;

	if (b->len + len + 1 > max)
		return -E2BIG;
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + len + 1)
			cap *= 2;
		p = realloc(b->data, cap);
		if (!p)
			return -ENOMEM;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

void
http_buffer_done(struct http_buffer *b)
{
	free(b->data);
	*b = (struct http_buffer){ 0 };
}

static char *
header_value(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);
	const char *v, *end = line + len;

	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	v = line + n + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	return strndup(v, end - v);
}

static void
take_header(char **slot, char *v)
{
	if (!v)
		return;
	free(*slot);
	*slot = v;
}

static size_t
header_cb(char *line, size_t size, size_t n, void *userdata)
{
	struct http_headers *h = userdata;
	size_t len = size * n;
	char *v;

	/* A new status line starts a new response (redirects, 100-continue). */
	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		http_headers_reset(h);
		return len;
	}
	take_header(&h->www_authenticate, header_value(line, len, "WWW-Authenticate"));
	take_header(&h->content_type, header_value(line, len, "Content-Type"));
	take_header(&h->docker_digest, header_value(line, len, "Docker-Content-Digest"));
	take_header(&h->content_range, header_value(line, len, "Content-Range"));
	v = header_value(line, len, "Retry-After");
	if (v) {
		char *e;
		long s = strtol(v, &e, 10);
		/* An HTTP date instead of seconds: wait a moderate while. */
		h->retry_after = (e != v && *e == '\0' && s >= 0) ? s : 2;
		free(v);
	}
	return len;
}

CURL *
http_easy_new(struct http_headers *headers)
{
	CURL *c = curl_easy_init();

	if (!c)
		return NULL;
	curl_easy_setopt(c, CURLOPT_USERAGENT, "mocker/" VERSION);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	/* A stalled transfer is a dropped one: retried and resumed. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	/* Redirects are followed by hand, so Authorization never leaves its origin. */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	http_easy_use_headers(c, headers);
	return c;
}

void
http_easy_use_headers(CURL *c, struct http_headers *headers)
{
	curl_easy_setopt(c, CURLOPT_HEADERDATA, headers);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, headers->error);
	headers->error[0] = '\0';
}

char *
http_default_cainfo(void)
{
	CURL *c = curl_easy_init();
	char *path = NULL;

	if (!c)
		return NULL;
	if (curl_easy_getinfo(c, CURLINFO_CAINFO, &path) != CURLE_OK || !path)
		path = NULL;
	path = path ? strdup(path) : NULL;
	curl_easy_cleanup(c);
	return path;
}

const char *
http_error_text(CURLcode rc, const struct http_headers *h)
{
	return h->error[0] ? h->error : curl_easy_strerror(rc);
}

bool
http_retryable(CURLcode rc, long status)
{
	switch (rc) {
	case CURLE_OK:
		return status == 429 || (status >= 500 && status <= 599);
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return true;
	default:
		return false;
	}
}

long
http_backoff_ms(unsigned attempt, long retry_after)
{
	long ms;

	if (retry_after >= 0)
		return (retry_after > 60 ? 60 : retry_after) * 1000;
	ms = 250L << (attempt > 5 ? 5 : attempt - 1);
	return ms > 8000 ? 8000 : ms;
}

static size_t
origin_len(const char *url)
{
	const char *p = strstr(url, "://");

	if (!p)
		return 0;
	p += 3;
	return (size_t)(p - url) + strcspn(p, "/?#");
}

bool
http_same_origin(const char *a, const char *b)
{
	size_t n = origin_len(a);

	return n > 0 && n == origin_len(b) && strncasecmp(a, b, n) == 0;
}
