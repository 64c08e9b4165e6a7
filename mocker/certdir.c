#include "certdir.h"

#include "cleanup.h"
#include "errtext.h"
#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CERTDIR_FILE_MAX (1u << 20)

static bool
has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && strcmp(name + n - s, suffix) == 0;
}

enum certdir_kind
certdir_kind(const char *name)
{
	if (name[0] == '.')
		return CERTDIR_OTHER;
	if (has_suffix(name, ".crt"))
		return CERTDIR_CA;
	if (has_suffix(name, ".cert"))
		return CERTDIR_CERT;
	if (has_suffix(name, ".key"))
		return CERTDIR_KEY;
	return CERTDIR_OTHER;
}

void
certdir_done(struct certdir *c)
{
	free(c->ca);
	free(c->cert);
	free(c->key);
	*c = (struct certdir){ 0 };
}

static int
append(struct certdir *c, const char *text, size_t len)
{
	char *p = realloc(c->ca, c->ca_len + len + 2);

	if (!p)
		return -ENOMEM;
	c->ca = p;
	memcpy(p + c->ca_len, text, len);
	c->ca_len += len;
	/* PEM blocks of two files must not run together on one line. */
	if (len && text[len - 1] != '\n')
		p[c->ca_len++] = '\n';
	p[c->ca_len] = '\0';
	return 0;
}

/* The name with its suffix swapped ("client.cert" -> "client.key"), if it is in names. */
static bool
has_partner(struct dirent **names, int n, const char *name, const char *from, const char *to)
{
	size_t base = strlen(name) - strlen(from);
	_cleanup_free_ char *want = NULL;

	if (asprintf(&want, "%.*s%s", (int)base, name, to) < 0)
		return false;
	for (int i = 0; i < n; i++)
		if (strcmp(names[i]->d_name, want) == 0)
			return true;
	return false;
}

static int
load_entries(int dfd, const char *dir, struct dirent **names, int n, struct certdir *c,
             char **ret_error)
{
	int r;

	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		_cleanup_free_ char *text = NULL;
		size_t len;

		switch (certdir_kind(name)) {
		case CERTDIR_CA:
			r = read_file_at(dfd, name, CERTDIR_FILE_MAX, &text, &len);
			if (r < 0)
				return error_set(ret_error, r, "reading the CA '%s/%s': %s", dir,
				                 name, strerror(-r));
			r = append(c, text, len);
			if (r < 0)
				return r;
			break;
		case CERTDIR_CERT:
			if (!has_partner(names, n, name, ".cert", ".key"))
				return error_set(ret_error, -EINVAL,
				                 "'%s/%s' has no key next to it (%.*s.key); a CA "
				                 "certificate must end in .crt",
				                 dir, name, (int)(strlen(name) - 5), name);
			/* curl takes one client certificate: the first in name order. */
			if (c->cert)
				break;
			if (asprintf(&c->cert, "%s/%s", dir, name) < 0 ||
			    asprintf(&c->key, "%s/%.*s.key", dir, (int)(strlen(name) - 5), name) <
			            0)
				return -ENOMEM;
			break;
		case CERTDIR_KEY:
			if (!has_partner(names, n, name, ".key", ".cert"))
				return error_set(ret_error, -EINVAL,
				                 "'%s/%s' has no client certificate next to it "
				                 "(%.*s.cert)",
				                 dir, name, (int)(strlen(name) - 4), name);
			break;
		case CERTDIR_OTHER:
			break;
		}
	}
	return 0;
}

int
certdir_load(const char *dir, const char *system_ca, struct certdir *ret, char **ret_error)
{
	struct certdir c = { 0 };
	struct dirent **names = NULL;
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int n, r = 0;

	if (dfd < 0)
		return error_set(ret_error, -errno, "certificate directory '%s': %s", dir,
		                 strerror(errno));
	n = scandirat(dfd, ".", &names, NULL, alphasort);
	if (n < 0)
		return error_set(ret_error, -errno, "reading the certificate directory '%s': %s",
		                 dir, strerror(errno));
	r = load_entries(dfd, dir, names, n, &c, ret_error);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	/* The system's CAs go first, so that the directory's add to them (as Docker's
	 * certs.d does) rather than replace them. */
	if (r >= 0 && c.ca && system_ca) {
		_cleanup_free_ char *sys = NULL, *own = TAKE_PTR(c.ca);
		size_t sys_len, own_len = c.ca_len;

		c.ca_len = 0;
		if (read_file_at(AT_FDCWD, system_ca, 16u << 20, &sys, &sys_len) >= 0)
			r = append(&c, sys, sys_len);
		if (r >= 0)
			r = append(&c, own, own_len);
	}
	if (r < 0) {
		certdir_done(&c);
		return r;
	}
	*ret = c;
	return 0;
}

char *
certdir_find(const char *const *roots, const char *host)
{
	struct stat st;

	/* The host comes from a reference: a "/" or ".." in it must not walk elsewhere. */
	if (!*host || strchr(host, '/') || strcmp(host, "..") == 0 || strcmp(host, ".") == 0)
		return NULL;
	for (; *roots; roots++) {
		char *p = NULL;

		if (asprintf(&p, "%s/%s", *roots, host) < 0)
			return NULL;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			return p;
		free(p);
	}
	return NULL;
}
