#include "ref.h"

#include "cleanup.h"
#include "digestname.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
is_alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: [a-z0-9]+ separated by ".", "_", "__" or "-"+. */
static bool
component_valid(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !is_alnum_lower(s[0]) || !is_alnum_lower(s[n - 1]))
		return false;
	while (i < n) {
		if (is_alnum_lower(s[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && !is_alnum_lower(s[j]))
			j++;
		size_t len = j - i;
		bool dashes = strspn(s + i, "-") >= len;
		if (!(dashes || (len == 1 && (s[i] == '.' || s[i] == '_')) ||
		      (len == 2 && s[i] == '_' && s[i + 1] == '_')))
			return false;
		i = j;
	}
	return true;
}

static bool
path_valid(const char *p)
{
	if (!*p || strlen(p) > 255)
		return false;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (!component_valid(p, n))
			return false;
		if (!slash)
			return true;
		p = slash + 1;
	}
}

static bool
tag_valid(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 128)
		return false;
	if (!((t[0] >= 'a' && t[0] <= 'z') || (t[0] >= 'A' && t[0] <= 'Z') ||
	      (t[0] >= '0' && t[0] <= '9') || t[0] == '_'))
		return false;
	return strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* A domain: a host name, an IPv4 literal or a bracketed IPv6 literal, then an optional
 * ":port" of digits. */
static bool
domain_valid(const char *d, size_t n)
{
	size_t host = n;

	if (n == 0 || n > 255)
		return false;
	if (d[0] == '[') {
		const char *close = memchr(d, ']', n);
		if (!close)
			return false;
		host = (size_t)(close - d) + 1;
		if (strspn(d + 1, "0123456789abcdefABCDEF:") != host - 2)
			return false;
	} else {
		const char *colon = memchr(d, ':', n);
		if (colon)
			host = (size_t)(colon - d);
		for (size_t i = 0; i < host; i++)
			if (!(is_alnum_lower(d[i]) || (d[i] >= 'A' && d[i] <= 'Z') || d[i] == '.' ||
			      d[i] == '-'))
				return false;
		if (host == 0 || d[0] == '.' || d[0] == '-')
			return false;
	}
	if (host == n)
		return true;
	if (d[host] != ':' || host + 1 == n || n - host - 1 > 5)
		return false;
	return strspn(d + host + 1, "0123456789") >= n - host - 1;
}

void
ref_done(struct ref *r)
{
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->digest);
	*r = (struct ref){ 0 };
}

static int
ref_parse_name(const char *name, struct ref *r)
{
	const char *slash = strchr(name, '/');
	const char *rest = name;

	/* Docker's rule: the first component is a registry when it has a "." or ":" or is
	 * "localhost"; otherwise the name lives on Docker Hub. */
	if (slash && (memchr(name, '.', slash - name) || memchr(name, ':', slash - name) ||
	              (slash - name == 9 && strncmp(name, "localhost", 9) == 0))) {
		if (!domain_valid(name, slash - name))
			return -EINVAL;
		r->domain = strndup(name, slash - name);
		rest = slash + 1;
	} else
		r->domain = strdup(REF_DOCKER_HUB);
	if (!r->domain)
		return -ENOMEM;
	if (strcmp(r->domain, "index.docker.io") == 0) {
		free(r->domain);
		r->domain = strdup(REF_DOCKER_HUB);
		if (!r->domain)
			return -ENOMEM;
	}
	if (strcmp(r->domain, REF_DOCKER_HUB) == 0 && !strchr(rest, '/')) {
		if (asprintf(&r->path, "library/%s", rest) < 0)
			return -ENOMEM;
	} else if (!(r->path = strdup(rest)))
		return -ENOMEM;
	return path_valid(r->path) ? 0 : -EINVAL;
}

int
ref_parse(const char *s, struct ref *ret)
{
	struct ref r = { 0 };
	_cleanup_free_ char *name = NULL;
	char *at, *colon, *slash;
	int err;

	if (!s || !*s || strlen(s) > 1024)
		return -EINVAL;
	name = strdup(s);
	if (!name)
		return -ENOMEM;
	at = strchr(name, '@');
	if (at) {
		*at = '\0';
		if (!digest_valid(at + 1))
			return -EINVAL;
		if (!(r.digest = strdup(at + 1)))
			return -ENOMEM;
	}
	slash = strrchr(name, '/');
	colon = strrchr(slash ? slash : name, ':');
	if (colon) {
		*colon = '\0';
		if (!tag_valid(colon + 1)) {
			ref_done(&r);
			return -EINVAL;
		}
		if (!(r.tag = strdup(colon + 1))) {
			ref_done(&r);
			return -ENOMEM;
		}
	}
	err = ref_parse_name(name, &r);
	if (err < 0) {
		ref_done(&r);
		return err;
	}
	if (!r.tag && !r.digest && !(r.tag = strdup("latest"))) {
		ref_done(&r);
		return -ENOMEM;
	}
	*ret = r;
	return 0;
}

char *
ref_string(const struct ref *r)
{
	char *s = NULL;

	if (r->tag && asprintf(&s, "%s/%s:%s", r->domain, r->path, r->tag) < 0)
		return NULL;
	if (!r->tag && asprintf(&s, "%s/%s@%s", r->domain, r->path, r->digest) < 0)
		return NULL;
	return s;
}

const char *
ref_api_host(const struct ref *r)
{
	return strcmp(r->domain, REF_DOCKER_HUB) == 0 ? REF_DOCKER_HUB_API : r->domain;
}

bool
ref_host_is_local(const char *host)
{
	size_t n = strcspn(host, ":");

	if (host[0] == '[')
		return strncmp(host, "[::1]", 5) == 0;
	return (n == 9 && strncmp(host, "localhost", 9) == 0) || strncmp(host, "127.", 4) == 0;
}
