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
	char *host;
	char *repo;
	char *userpass;
	enum registry_transport transport; /* HTTP_THEN_HTTPS until the first answer decides */
	bool tls_verify;
	struct certdir certs;
	char *certs_dir;
	struct auth_challenge challenge; /* the last one answered, to refresh the token */
	char *auth_header;
	time_t auth_expiry;       /* 0: never */
	unsigned auth_generation; /* counts the headers auth_header held */
	unsigned token_fetches;
	/* The token request, a transfer of its own (in a multi loop, or alone) */
	CURL *token_easy;
	struct http_buffer token_body;
	struct http_headers token_headers;
	unsigned token_attempt;
	CURL *easy; /* kept between requests, so its connection is reused */
};

static int
set_base(struct registry *reg, const char *scheme)
{
	free(reg->base);
	if (asprintf(&reg->base, "%s://%s", scheme, reg->host) < 0) {
		reg->base = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int
copy_certs(struct certdir *to, const struct certdir *from)
{
	if (from->ca && !(to->ca = malloc(from->ca_len + 1)))
		return -ENOMEM;
	if (from->ca) {
		memcpy(to->ca, from->ca, from->ca_len + 1);
		to->ca_len = from->ca_len;
	}
	if ((from->cert && !(to->cert = strdup(from->cert))) ||
	    (from->key && !(to->key = strdup(from->key))))
		return -ENOMEM;
	return 0;
}

int
registry_new(const struct registry_opts *o, struct registry **ret)
{
	struct registry *reg = calloc(1, sizeof(*reg));

	if (!reg)
		return -ENOMEM;
	reg->transport = o->transport;
	reg->tls_verify = o->tls_verify;
	if (!(reg->host = strdup(o->host)) || !(reg->repo = strdup(o->repo)) ||
	    (o->userpass && !(reg->userpass = strdup(o->userpass))) ||
	    (o->certs && copy_certs(&reg->certs, o->certs) < 0) ||
	    (o->certs_dir && !(reg->certs_dir = strdup(o->certs_dir))) ||
	    set_base(reg, o->transport == REGISTRY_HTTPS ? "https" : "http") < 0) {
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
	free(reg->host);
	free(reg->repo);
	if (reg->userpass)
		explicit_bzero(reg->userpass, strlen(reg->userpass));
	free(reg->userpass);
	certdir_done(&reg->certs);
	free(reg->certs_dir);
	auth_challenge_done(&reg->challenge);
	free(reg->auth_header);
	if (reg->easy)
		curl_easy_cleanup(reg->easy);
	if (reg->token_easy)
		curl_easy_cleanup(reg->token_easy);
	registry_token_abandon(reg);
	free(reg);
	return NULL;
}

unsigned
registry_token_fetches(const struct registry *reg)
{
	return reg->token_fetches;
}

bool
registry_matches(const struct registry *reg, const char *host, const char *repo)
{
	return strcmp(reg->host, host) == 0 && strcmp(reg->repo, repo) == 0;
}

CURL *
registry_easy_new(const struct registry *reg, struct http_headers *headers)
{
	CURL *c = http_easy_new(headers);

	if (!c)
		return NULL;
	if (!reg->tls_verify) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (reg->certs.ca) {
		struct curl_blob blob = { .data = reg->certs.ca,
			                  .len = reg->certs.ca_len,
			                  .flags = CURL_BLOB_COPY };
		curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
	}
	if (reg->certs.cert) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, reg->certs.cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, reg->certs.key);
	}
	return c;
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
	return http_buffer_append(userdata, data, size * n) < 0 ? 0 : size * n;
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

void
registry_token_abandon(struct registry *reg)
{
	http_buffer_done(&reg->token_body);
	http_headers_reset(&reg->token_headers);
	reg->token_attempt = 0;
}

CURL *
registry_token_begin(struct registry *reg)
{
	_cleanup_free_ char *url = NULL;

	if (!reg->token_easy) {
		reg->token_easy = registry_easy_new(reg, &reg->token_headers);
		if (!reg->token_easy)
			return NULL;
		curl_easy_setopt(reg->token_easy, CURLOPT_WRITEFUNCTION, buffer_cb);
		curl_easy_setopt(reg->token_easy, CURLOPT_WRITEDATA, &reg->token_body);
		/* Token services may redirect; curl drops credentials on other hosts itself. */
		curl_easy_setopt(reg->token_easy, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(reg->token_easy, CURLOPT_MAXREDIRS, 3L);
		if (reg->userpass) {
			curl_easy_setopt(reg->token_easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
			curl_easy_setopt(reg->token_easy, CURLOPT_USERPWD, reg->userpass);
		}
	}
	url = token_url(reg->token_easy, &reg->challenge, reg->repo);
	if (!url)
		return NULL;
	curl_easy_setopt(reg->token_easy, CURLOPT_URL, url);
	http_buffer_done(&reg->token_body);
	reg->token_body.max = 1 << 20;
	http_headers_reset(&reg->token_headers);
	log_debug("token request to %s", reg->challenge.realm);
	return reg->token_easy;
}

static int
token_store(struct registry *reg, char **ret_error)
{
	_cleanup_json_ cJSON *j = NULL;
	const char *tok;
	uint64_t expires;

	j = cJSON_ParseWithLength(reg->token_body.data ? reg->token_body.data : "",
	                          reg->token_body.len);
	tok = json_string(j, "token");
	if (!tok || !*tok)
		tok = json_string(j, "access_token");
	if (!tok || !*tok || strpbrk(tok, "\r\n"))
		return error_set(ret_error, -EIO, "token service %s sent no token",
		                 reg->challenge.realm);
	free(reg->auth_header);
	if (asprintf(&reg->auth_header, "Authorization: Bearer %s", tok) < 0) {
		reg->auth_header = NULL;
		return -ENOMEM;
	}
	reg->auth_generation++;
	/* Docker's default lifetime is 60 s; keep a margin so a token never expires in flight. */
	expires = json_uint(j, "expires_in", 60);
	if (expires < 60)
		expires = 60;
	reg->auth_expiry = time(NULL) + (time_t)expires - 10;
	log_debug("got a token from %s, valid %llus", reg->challenge.realm,
	          (unsigned long long)expires);
	return 0;
}

int
registry_token_end(struct registry *reg, CURLcode rc, long *ret_retry_ms, char **ret_error)
{
	long status = 0;
	int r;

	curl_easy_getinfo(reg->token_easy, CURLINFO_RESPONSE_CODE, &status);
	reg->token_fetches++;
	if (http_retryable(rc, status) && ++reg->token_attempt < MAX_ATTEMPTS) {
		*ret_retry_ms = http_backoff_ms(reg->token_attempt, reg->token_headers.retry_after);
		log_debug("token request to %s: %s, HTTP %ld; again in %ld ms",
		          reg->challenge.realm, http_error_text(rc, &reg->token_headers), status,
		          *ret_retry_ms);
		return 1;
	}
	if (rc != CURLE_OK)
		r = error_set(ret_error, -EIO, "token request to %s: %s", reg->challenge.realm,
		              http_error_text(rc, &reg->token_headers));
	else if (status == 401 || status == 403)
		r = error_set(ret_error, -EACCES, "token service %s refused the %s (HTTP %ld)",
		              reg->challenge.realm,
		              reg->userpass ? "credentials" : "anonymous request", status);
	else if (status != 200)
		r = error_set(ret_error, -EIO, "token request to %s: HTTP %ld",
		              reg->challenge.realm, status);
	else
		r = token_store(reg, ret_error);
	registry_token_abandon(reg);
	return r;
}

/* The token request on its own, for the requests made one at a time. */
static int
fetch_token(struct registry *reg, char **ret_error)
{
	for (;;) {
		CURL *c = registry_token_begin(reg);
		long ms;
		int r;

		if (!c)
			return -ENOMEM;
		r = registry_token_end(reg, curl_easy_perform(c), &ms, ret_error);
		if (r <= 0)
			return r;
		usleep(ms * 1000);
	}
}

int
registry_challenge(struct registry *reg, const char *www_authenticate, char **ret_error)
{
	struct auth_challenge ch;
	int r;

	if (!www_authenticate)
		return error_set(ret_error, -EACCES, "%s: HTTP 401 without a challenge", reg->base);
	r = auth_parse_challenge(www_authenticate, &ch);
	if (r < 0)
		return error_set(ret_error, -EACCES,
		                 "%s: unsupported authentication challenge '%s'", reg->base,
		                 www_authenticate);
	auth_challenge_done(&reg->challenge);
	reg->challenge = ch;
	if (ch.scheme == AUTH_BEARER)
		return 1;
	/* Basic: the registry wants credentials on every request. */
	if (!reg->userpass)
		return error_set(ret_error, -EACCES,
		                 "%s requires credentials (docker login, or --username and "
		                 "--password-stdin)",
		                 reg->base);
	_cleanup_free_ char *b64 = auth_base64_encode(reg->userpass, strlen(reg->userpass));
	if (!b64)
		return -ENOMEM;
	free(reg->auth_header);
	if (asprintf(&reg->auth_header, "Authorization: Basic %s", b64) < 0) {
		reg->auth_header = NULL;
		return -ENOMEM;
	}
	reg->auth_expiry = 0;
	reg->auth_generation++;
	return 0;
}

int
registry_authenticate(struct registry *reg, const char *www_authenticate, char **ret_error)
{
	int r = registry_challenge(reg, www_authenticate, ret_error);

	return r > 0 ? fetch_token(reg, ret_error) : r;
}

bool
registry_token_due(const struct registry *reg)
{
	return reg->auth_header && reg->auth_expiry && time(NULL) >= reg->auth_expiry &&
	       reg->challenge.scheme == AUTH_BEARER;
}

const char *
registry_auth_current(const struct registry *reg, unsigned *ret_generation)
{
	if (ret_generation)
		*ret_generation = reg->auth_generation;
	return reg->auth_header;
}

unsigned
registry_auth_generation(const struct registry *reg)
{
	return reg->auth_generation;
}

int
registry_auth_header(struct registry *reg, const char **ret, char **ret_error)
{
	int r;

	if (registry_token_due(reg)) {
		r = fetch_token(reg, ret_error);
		if (r < 0)
			return r;
	}
	*ret = reg->auth_header;
	return 0;
}

/* One request and its outcome; redirects and 401 are for the caller to act on. */
static CURLcode
get_once(CURL *c, const char *url, const char *auth, const char *extra, struct http_buffer *body,
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

/* A plain HTTP request answered the way a TLS port answers one: Go's and nginx's 400
 * saying so, or a connection dropped without a word. */
static bool
speaks_tls(CURLcode rc, long status, const struct http_buffer *body)
{
	if (rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR)
		return true;
	return rc == CURLE_OK && status == 400 && body->len > 0 && strcasestr(body->data, "https");
}

/* A TLS failure, not worth a retry.  With TLS 1.3 a refused client certificate comes as
 * an alert on the first read or write after the handshake, whichever curl was doing. */
static bool
tls_failure(CURLcode rc, const struct http_headers *h)
{
	return rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
	       rc == CURLE_SSL_CERTPROBLEM || (rc != CURLE_OK && strstr(h->error, "SSL routines"));
}

static int
transfer_error(const struct registry *reg, const char *url, CURLcode rc,
               const struct http_headers *h, char **ret_error)
{
	if (rc == CURLE_PEER_FAILED_VERIFICATION)
		return error_set(
		        ret_error, -EIO,
		        "%s: TLS: %s (the registry's CA goes in --cert-dir DIR or "
		        "/etc/docker/certs.d/%s/ca.crt; --tls-verify=false skips the check)",
		        url, http_error_text(rc, h), reg->host);
	if (tls_failure(rc, h))
		return error_set(ret_error, -EIO, "%s: TLS: %s%s%s", url, http_error_text(rc, h),
		                 reg->certs_dir ? " (with the certificates of " : "",
		                 reg->certs_dir ? reg->certs_dir : "");
	return error_set(ret_error, -EIO, "%s: %s", url, http_error_text(rc, h));
}

static int
get_loop(struct registry *reg, CURL *c, const char *what, const char *extra_header,
         struct http_buffer *ret_body, struct http_headers *ret_headers, char **ret_error)
{
	_cleanup_free_ char *url = registry_url(reg, what);
	unsigned attempt = 0, redirects = 0, auths = 0;
	bool origin = true; /* the URL is on the registry's own origin */
	int r;

	if (!url)
		return -ENOMEM;
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
		log_debug("GET %s: %s, HTTP %ld", url, http_error_text(rc, ret_headers), status);
		if (reg->transport == REGISTRY_HTTP_THEN_HTTPS) {
			/* The first answer decides, for every later request too. */
			reg->transport =
			        speaks_tls(rc, status, ret_body) ? REGISTRY_HTTPS : REGISTRY_HTTP;
			if (reg->transport == REGISTRY_HTTPS) {
				log_debug("%s answers like a TLS port: HTTPS from now on",
				          reg->host);
				if (set_base(reg, "https") < 0)
					return -ENOMEM;
				free(url);
				url = registry_url(reg, what);
				if (!url)
					return -ENOMEM;
				continue;
			}
		}
		if (rc == CURLE_WRITE_ERROR)
			return error_set(ret_error, -E2BIG, "%s: response larger than %zu bytes",
			                 url, ret_body->max);
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
		/* A certificate problem stays one: no retry. */
		if (!tls_failure(rc, ret_headers) && http_retryable(rc, status) &&
		    ++attempt < MAX_ATTEMPTS) {
			long ms = http_backoff_ms(attempt, ret_headers->retry_after);
			log_debug("retrying %s in %ld ms", url, ms);
			usleep(ms * 1000);
			continue;
		}
		if (rc != CURLE_OK)
			return transfer_error(reg, url, rc, ret_headers, ret_error);
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

int
registry_get(struct registry *reg, const char *what, const char *extra_header, size_t max,
             struct http_buffer *ret_body, struct http_headers *ret_headers, char **ret_error)
{
	int r;

	if (!reg->easy)
		reg->easy = registry_easy_new(reg, ret_headers);
	if (!reg->easy)
		return -ENOMEM;
	http_easy_use_headers(reg->easy, ret_headers);
	ret_body->max = max;
	r = get_loop(reg, reg->easy, what, extra_header, ret_body, ret_headers, ret_error);
	/* The handle outlives ret_headers: curl must not write there later. */
	curl_easy_setopt(reg->easy, CURLOPT_HEADERDATA, NULL);
	curl_easy_setopt(reg->easy, CURLOPT_ERRORBUFFER, NULL);
	return r;
}
