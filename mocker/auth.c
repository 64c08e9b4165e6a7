#include "auth.h"

#include "cleanup.h"
#include "fileio.h"
#include "json.h"
#include "ref.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

void
auth_challenge_done(struct auth_challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->scope);
	*c = (struct auth_challenge){ 0 };
}

/* Reads one auth-param "name=value" (value quoted with \-escapes, or a token) at *p. */
static int
parse_param(const char **p, char **ret_name, char **ret_value)
{
	const char *s = *p;
	size_t n;
	_cleanup_free_ char *name = NULL;
	char *value;

	while (*s == ' ' || *s == '\t' || *s == ',')
		s++;
	if (!*s) {
		*p = s;
		return 0;
	}
	n = strcspn(s, "= \t,");
	if (n == 0 || s[n] != '=')
		return -EINVAL;
	name = strndup(s, n);
	if (!name)
		return -ENOMEM;
	s += n + 1;
	if (*s == '"') {
		value = malloc(strlen(s) + 1);
		if (!value)
			return -ENOMEM;
		size_t o = 0;
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && s[1])
				s++;
			value[o++] = *s;
		}
		if (*s != '"') {
			free(value);
			return -EINVAL;
		}
		value[o] = '\0';
		s++;
	} else {
		n = strcspn(s, " \t,");
		value = strndup(s, n);
		if (!value)
			return -ENOMEM;
		s += n;
	}
	*p = s;
	*ret_name = TAKE_PTR(name);
	*ret_value = value;
	return 1;
}

int
auth_parse_challenge(const char *header, struct auth_challenge *ret)
{
	struct auth_challenge c = { 0 };
	const char *p = header;
	size_t n;
	int r;

	while (*p == ' ' || *p == '\t')
		p++;
	n = strcspn(p, " \t");
	if (n == 6 && strncasecmp(p, "Bearer", 6) == 0)
		c.scheme = AUTH_BEARER;
	else if (n == 5 && strncasecmp(p, "Basic", 5) == 0)
		c.scheme = AUTH_BASIC;
	else
		return -EINVAL;
	p += n;
	for (;;) {
		char *name = NULL, *value = NULL;
		char **slot = NULL;

		r = parse_param(&p, &name, &value);
		if (r < 0) {
			auth_challenge_done(&c);
			return r;
		}
		if (r == 0)
			break;
		if (strcasecmp(name, "realm") == 0)
			slot = &c.realm;
		else if (strcasecmp(name, "service") == 0)
			slot = &c.service;
		else if (strcasecmp(name, "scope") == 0)
			slot = &c.scope;
		free(name);
		if (slot) {
			free(*slot);
			*slot = value;
		} else
			free(value);
	}
	if (c.scheme == AUTH_BEARER && (!c.realm || !*c.realm)) {
		auth_challenge_done(&c);
		return -EINVAL;
	}
	*ret = c;
	return 0;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
base64_encode(const void *data, size_t len)
{
	const unsigned char *d = data;
	char *out = malloc(4 * ((len + 2) / 3) + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = d[i] << 16 | (i + 1 < len ? d[i + 1] << 8 : 0) |
		             (i + 2 < len ? d[i + 2] : 0);
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < len ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < len ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

int
base64_decode(const char *s, char **ret, size_t *ret_len)
{
	size_t n = strlen(s), o = 0;
	unsigned v = 0;
	int bits = 0, pad = 0;
	_cleanup_free_ char *out = malloc(n / 4 * 3 + 4);

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *c;

		if (s[i] == '=') {
			pad++;
			continue;
		}
		if (pad || !(c = strchr(b64, s[i])) || !s[i])
			return -EINVAL;
		v = v << 6 | (unsigned)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)(v >> bits & 0xff);
		}
	}
	if (pad > 2 || (n % 4) != 0)
		return -EINVAL;
	out[o] = '\0';
	*ret = TAKE_PTR(out);
	if (ret_len)
		*ret_len = o;
	return 0;
}


int
auth_from_docker_config(const char *path, const char *domain, char **ret_userpass)
{
	_cleanup_free_ char *text = NULL, *key1 = NULL, *key2 = NULL;
	_cleanup_json_ cJSON *root = NULL;
	const cJSON *auths, *entry = NULL;
	const char *b64v;
	char *up;
	int r;

	r = read_file_at(AT_FDCWD, path, 1 << 20, &text, NULL);
	if (r < 0)
		return r;
	root = cJSON_Parse(text);
	if (!root)
		return -EBADMSG;
	auths = cJSON_GetObjectItemCaseSensitive(root, "auths");
	if (!cJSON_IsObject(auths))
		return -ENOENT;
	if (strcmp(domain, REF_DOCKER_HUB) == 0) {
		entry = cJSON_GetObjectItemCaseSensitive(auths, "https://index.docker.io/v1/");
		if (!entry)
			entry = cJSON_GetObjectItemCaseSensitive(auths, "index.docker.io");
	}
	if (!entry)
		entry = cJSON_GetObjectItemCaseSensitive(auths, domain);
	if (!entry && asprintf(&key1, "https://%s", domain) >= 0)
		entry = cJSON_GetObjectItemCaseSensitive(auths, key1);
	if (!entry && asprintf(&key2, "http://%s", domain) >= 0)
		entry = cJSON_GetObjectItemCaseSensitive(auths, key2);
	b64v = json_string(entry, "auth");
	if (!b64v || !*b64v)
		return -ENOENT;
	r = base64_decode(b64v, &up, NULL);
	if (r < 0)
		return r;
	if (!strchr(up, ':')) {
		free(up);
		return -EINVAL;
	}
	*ret_userpass = up;
	return 0;
}

char *
auth_docker_config_path(void)
{
	const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	char *p = NULL;

	if (dir && *dir) {
		if (asprintf(&p, "%s/config.json", dir) < 0)
			return NULL;
	} else if (home && *home) {
		if (asprintf(&p, "%s/.docker/config.json", home) < 0)
			return NULL;
	}
	return p;
}
