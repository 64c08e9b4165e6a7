#include "registry.h"

#include "auth.h"
#include "errtext.h"
#include "json.h"
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_REDIRECTS 5
#define MAX_ATTEMPTS 6

struct registry {
	char *base; /* "https://host" */
	char *repo;
	char *userpass;
	struct auth_challenge challenge; /* the last one answered, to refresh the token */
	char *auth_header;
	time_t auth_expiry; /* 0: never */
	unsigned token_fetches;
	CURL *easy; /* kept between requests, so its connection is reused */
};

int
registry_new(const char *host, const char *repo, bool insecure, const char *userpass,
             struct registry **ret)
{
	struct registry *reg = calloc(1, sizeof(*reg));

	if (!reg)
		return -ENOMEM;
	if (asprintf(&reg->base, "%s://%s", insecure ? "http" : "https", host) < 0 ||
	    !(reg->repo = strdup(repo)) || (userpass && !(reg->userpass = strdup(userpass)))) {
		registry_free(reg);
		return -ENOMEM;
	}
	*ret = reg;
	return 0;
}

struct registry *
registry_free(struct registry *reg)
{
	if (!reg)
		return NULL;
	free(reg->base);
	free(reg->repo);
	if (reg->userpass)
		explicit_bzero(reg->userpass, strlen(reg->userpass));
	free(reg->userpass);
	auth_challenge_done(&reg->challenge);
	free(reg->auth_header);
	if (reg->easy)
		curl_easy_cleanup(reg->easy);
	free(reg);
	return NULL;
}

unsigned
registry_token_fetches(const struct registry *reg)
{
	return reg->token_fetches;
}

bool
registry_matches(const struct registry *reg, const char *host, const char *repo, bool insecure)
{
	const char *scheme = insecure ? "http://" : "https://";
	size_t n = strlen(scheme);

	return strncmp(reg->base, scheme, n) == 0 && strcmp(reg->base + n, host) == 0 &&
	       strcmp(reg->repo, repo) == 0;
}

char *
registry_url(const struct registry *reg, const char *what)
{
	char *u = NULL;

	if (asprintf(&u, "%s/v2/%s/%s", reg->base, reg->repo, what) < 0)
		return NULL;
	return u;
}

static size_t
buffer_cb(char *data, size_t size, size_t n, void *userdata)
{
	return buffer_append(userdata, data, size * n) < 0 ? 0 : size * n;
}

static char *
token_url(CURL *c, const struct auth_challenge *ch, const char *repo)
{
	_cleanup_free_ char *scope = NULL;
	char *url = NULL, *esc_service = NULL, *esc_scope = NULL;

	if (!ch->scope && asprintf(&scope, "repository:%s:pull", repo) < 0)
		return NULL;
	esc_scope = curl_easy_escape(c, ch->scope ? ch->scope : scope, 0);
	esc_service = ch->service ? curl_easy_escape(c, ch->service, 0) : NULL;
	if (esc_scope &&
	    asprintf(&url, "%s%cscope=%s%s%s", ch->realm, strchr(ch->realm, '?') ? '&' : '?',
	             esc_scope, esc_service ? "&service=" : "", esc_service ? esc_service : "") < 0)
		url = NULL;
	curl_free(esc_scope);
	curl_free(esc_service);
	return url;
}

/* Fetches a Bearer token from the challenge's realm, with credentials when we have them. */
static int
fetch_token(struct registry *reg, char **ret_error)
{
	struct http_headers hdr = { .retry_after = -1 };
	_cleanup_curl_ CURL *c = http_easy_new(&hdr);
	_cleanup_free_ char *url = NULL;
	_cleanup_json_ cJSON *j = NULL;
	struct buffer body = { .max = 1 << 20 };
	const char *tok;
	long status = 0;
	uint64_t expires;
	CURLcode rc = CURLE_OK;
	int r = 0;

	if (!c)
		return -ENOMEM;
	url = token_url(c, &reg->challenge, reg->repo);
	if (!url)
		return -ENOMEM;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, buffer_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	/* Token services may redirect; curl drops credentials on other hosts itself. */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
	if (reg->userpass) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERPWD, reg->userpass);
	}
	for (unsigned attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
		body.len = 0;
		rc = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (!http_retryable(rc, status) || attempt == MAX_ATTEMPTS)
			break;
		usleep(http_backoff_ms(attempt, hdr.retry_after) * 1000);
	}
	reg->token_fetches++;
	if (rc != CURLE_OK)
		r = error_set(ret_error, -EIO, "token request to %s: %s", reg->challenge.realm,
		         curl_easy_strerror(rc));
	else if (status == 401 || status == 403)
		r = error_set(ret_error, -EACCES, "token service %s refused the %s (HTTP %ld)",
		         reg->challenge.realm, reg->userpass ? "credentials" : "anonymous request",
		         status);
	else if (status != 200)
		r = error_set(ret_error, -EIO, "token request to %s: HTTP %ld", reg->challenge.realm,
		         status);
	if (r < 0)
		goto out;
	j = cJSON_ParseWithLength(body.data ? body.data : "", body.len);
	tok = json_string(j, "token");
	if (!tok || !*tok)
		tok = json_string(j, "access_token");
	if (!tok || !*tok || strpbrk(tok, "\r\n")) {
		r = error_set(ret_error, -EIO, "token service %s sent no token", reg->challenge.realm);
		goto out;
	}
	free(reg->auth_header);
	reg->auth_header = NULL;
	if (asprintf(&reg->auth_header, "Authorization: Bearer %s", tok) < 0) {
		reg->auth_header = NULL;
		r = -ENOMEM;
		goto out;
	}
	/* Docker's default lifetime is 60 s; keep a margin so a token never expires in flight. */
	expires = json_uint(j, "expires_in", 60);
	if (expires < 60)
		expires = 60;
	reg->auth_expiry = time(NULL) + (time_t)expires - 10;
	log_debug("got a token from %s, valid %llus", reg->challenge.realm,
	          (unsigned long long)expires);
out:
	buffer_done(&body);
	http_headers_reset(&hdr);
	return r;
}

int
registry_authenticate(struct registry *reg, const char *www_authenticate, char **ret_error)
{
	struct auth_challenge ch;
	int r;

	if (!www_authenticate)
		return error_set(ret_error, -EACCES, "%s: HTTP 401 without a challenge", reg->base);
	r = auth_parse_challenge(www_authenticate, &ch);
	if (r < 0)
		return error_set(ret_error, -EACCES, "%s: unsupported authentication challenge '%s'",
		            reg->base, www_authenticate);
	auth_challenge_done(&reg->challenge);
	reg->challenge = ch;
	if (ch.scheme == AUTH_BEARER)
		return fetch_token(reg, ret_error);
	/* Basic: the registry wants credentials on every request. */
	if (!reg->userpass)
		return error_set(ret_error, -EACCES,
		            "%s requires credentials (docker login, or --username and "
		            "--password-stdin)",
		            reg->base);
	_cleanup_free_ char *b64 = base64_encode(reg->userpass, strlen(reg->userpass));
	if (!b64)
		return -ENOMEM;
	free(reg->auth_header);
	if (asprintf(&reg->auth_header, "Authorization: Basic %s", b64) < 0) {
		reg->auth_header = NULL;
		return -ENOMEM;
	}
	reg->auth_expiry = 0;
	return 0;
}

int
registry_auth_header(struct registry *reg, const char **ret, char **ret_error)
{
	int r;

	if (reg->auth_header && reg->auth_expiry && time(NULL) >= reg->auth_expiry &&
	    reg->challenge.scheme == AUTH_BEARER) {
		r = fetch_token(reg, ret_error);
		if (r < 0)
			return r;
	}
	*ret = reg->auth_header;
	return 0;
}

/* One request and its outcome; redirects and 401 are for the caller to act on. */
static CURLcode
get_once(CURL *c, const char *url, const char *auth, const char *extra, struct buffer *body,
         long *ret_status, char **ret_location)
{
	_cleanup_slist_ struct curl_slist *h = NULL;
	struct curl_slist *t;
	CURLcode rc;
	char *loc = NULL;

	if (extra && (t = curl_slist_append(h, extra)))
		h = t;
	if (auth && (t = curl_slist_append(h, auth)))
		h = t;
	body->len = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, buffer_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	rc = curl_easy_perform(c);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	*ret_status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, ret_status);
	curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc);
	*ret_location = loc ? strdup(loc) : NULL;
	return rc;
}

int
registry_get(struct registry *reg, const char *what, const char *extra_header, size_t max,
             struct buffer *ret_body, struct http_headers *ret_headers, char **ret_error)
{
	_cleanup_free_ char *url = registry_url(reg, what);
	CURL *c;
	unsigned attempt = 0, redirects = 0, auths = 0;
	bool origin = true; /* the URL is on the registry's own origin */
	int r;

	if (!reg->easy)
		reg->easy = http_easy_new(ret_headers);
	c = reg->easy;
	if (!c || !url)
		return -ENOMEM;
	curl_easy_setopt(c, CURLOPT_HEADERDATA, ret_headers);
	ret_body->max = max;
	for (;;) {
		_cleanup_free_ char *location = NULL;
		const char *auth = NULL;
		long status;
		CURLcode rc;

		if (origin) {
			r = registry_auth_header(reg, &auth, ret_error);
			if (r < 0)
				return r;
		}
		rc = get_once(c, url, auth, extra_header, ret_body, &status, &location);
		log_debug("GET %s: %s, HTTP %ld", url, curl_easy_strerror(rc), status);
		if (rc == CURLE_WRITE_ERROR)
			return error_set(ret_error, -E2BIG, "%s: response larger than %zu bytes", url,
			            max);
		if (rc == CURLE_OK && status >= 300 && status < 400 && location) {
			if (++redirects > MAX_REDIRECTS)
				return error_set(ret_error, -ELOOP, "%s: too many redirects", url);
			/* Authorization stays with the registry: never sent to another host. */
			origin = origin && http_same_origin(url, location);
			free(url);
			url = TAKE_PTR(location);
			continue;
		}
		if (rc == CURLE_OK && status == 401 && origin && auths++ < 2) {
			r = registry_authenticate(reg, ret_headers->www_authenticate, ret_error);
			if (r < 0)
				return r;
			continue;
		}
		if (http_retryable(rc, status) && ++attempt < MAX_ATTEMPTS) {
			long ms = http_backoff_ms(attempt, ret_headers->retry_after);
			log_debug("retrying %s in %ld ms", url, ms);
			usleep(ms * 1000);
			continue;
		}
		if (rc != CURLE_OK)
			return error_set(ret_error, -EIO, "%s: %s", url, curl_easy_strerror(rc));
		if (status == 200)
			return 0;
		if (status == 404)
			return error_set(ret_error, -ENOENT, "%s: not found", url);
		if (status == 401 || status == 403)
			return error_set(
			        ret_error, -EACCES, "%s: access denied (HTTP %ld)%s", url, status,
			        reg->userpass ? "" : "; a private repository needs credentials");
		return error_set(ret_error, -EIO, "%s: HTTP %ld", url, status);
	}
}
