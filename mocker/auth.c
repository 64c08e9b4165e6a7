#include "auth.h"

#include "cleanup.h"
#include "errtext.h"
#include "fileio.h"
#include "json.h"
#include "ref.h"

#include <ctype.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
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

static const char base64_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
auth_base64_encode(const void *data, size_t len)
{
	char *out;

	if (len > INT_MAX / 4 * 3)
		return NULL;
	out = malloc(4 * ((len + 2) / 3) + 1);
	if (out)
		EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

int
auth_base64_decode(const char *s, char **ret, size_t *ret_len)
{
	size_t n = strlen(s), pad = 0;
	_cleanup_free_ char *out = NULL;
	int len;

	/* libcrypto skips blanks and decodes padding as zero bytes: the strict form is
	 * checked here, and the padding taken off its length. */
	while (pad < n && pad < 2 && s[n - 1 - pad] == '=')
		pad++;
	if (n % 4 != 0 || strspn(s, base64_alphabet) != n - pad || n / 4 * 3 >= INT_MAX)
		return -EINVAL;
	out = malloc(n / 4 * 3 + 1);
	if (!out)
		return -ENOMEM;
	len = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
	if (len < 0 || (size_t)len < pad)
		return -EINVAL;
	len -= (int)pad;
	out[len] = '\0';
	*ret = TAKE_PTR(out);
	if (ret_len)
		*ret_len = (size_t)len;
	return 0;
}

void
auth_config_entry_done(struct auth_config_entry *e)
{
	free(e->helper);
	free(e->server);
	if (e->userpass)
		explicit_bzero(e->userpass, strlen(e->userpass));
	free(e->userpass);
	*e = (struct auth_config_entry){ 0 };
}

/* The member of obj under the first of the keys Docker files a registry under. */
static const cJSON *
lookup(const cJSON *obj, char *const *keys, const char **ret_key)
{
	for (; *keys; keys++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, *keys);
		if (v) {
			*ret_key = *keys;
			return v;
		}
	}
	return NULL;
}

bool
auth_helper_name_valid(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n <= 64 &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                    "0123456789._-") == n &&
	       name[0] != '.' && name[0] != '-';
}

int
auth_config_parse(const char *text, size_t len, const char *domain, struct auth_config_entry *ret,
                  char **ret_error)
{
	_cleanup_free_ char *k_https = NULL, *k_http = NULL;
	_cleanup_json_ cJSON *root = NULL;
	struct auth_config_entry e = { 0 };
	const cJSON *auths, *entry = NULL, *helpers, *helper = NULL;
	const char *key = NULL, *b64v;
	bool hub = strcmp(domain, REF_DOCKER_HUB) == 0;
	int r;

	if (asprintf(&k_https, "https://%s", domain) < 0 ||
	    asprintf(&k_http, "http://%s", domain) < 0)
		return -ENOMEM;
	char *keys_hub[] = { "https://index.docker.io/v1/", "index.docker.io", (char *)domain,
		             NULL };
	char *keys[] = { (char *)domain, k_https, k_http, NULL };
	char *const *k = hub ? keys_hub : keys;

	r = json_parse_checked(text, len, cJSON_Object, &root);
	if (r < 0)
		return error_set(ret_error, r == -ENOMEM ? r : -EBADMSG, "the text %s",
		                 json_parse_failure(text, len, cJSON_Object));
	/* Docker's order: a helper for this registry, else the default store, else auths. */
	helpers = cJSON_GetObjectItemCaseSensitive(root, "credHelpers");
	if (helpers && !cJSON_IsObject(helpers))
		return error_set(ret_error, -EBADMSG, "\"credHelpers\" is not an object");
	if (helpers)
		helper = lookup(helpers, k, &key);
	if (helper && !cJSON_IsString(helper))
		return error_set(ret_error, -EBADMSG, "\"credHelpers\" of '%s' is not a string",
		                 key);
	if (!helper) {
		helper = cJSON_GetObjectItemCaseSensitive(root, "credsStore");
		if (helper && !cJSON_IsString(helper))
			return error_set(ret_error, -EBADMSG, "\"credsStore\" is not a string");
		if (helper && !*helper->valuestring)
			helper = NULL;
		/* The server a default store is asked for is the one "docker login" saved. */
		key = hub ? "https://index.docker.io/v1/" : domain;
	}
	if (helper) {
		if (!auth_helper_name_valid(helper->valuestring))
			return error_set(ret_error, -EINVAL, "'%s' is not a credential helper name",
			                 helper->valuestring);
		e.helper = strdup(helper->valuestring);
		e.server = strdup(key);
		if (!e.helper || !e.server) {
			auth_config_entry_done(&e);
			return -ENOMEM;
		}
	}
	auths = cJSON_GetObjectItemCaseSensitive(root, "auths");
	if (cJSON_IsObject(auths))
		entry = lookup(auths, k, &key);
	b64v = json_string(entry, "auth");
	if (b64v && *b64v) {
		r = auth_base64_decode(b64v, &e.userpass, NULL);
		if (r >= 0 && !strchr(e.userpass, ':'))
			r = -EINVAL;
		if (r < 0) {
			auth_config_entry_done(&e);
			return error_set(ret_error, r,
			                 "\"auth\" of '%s' is no base64 of user:password", key);
		}
	}
	*ret = e;
	return 0;
}

int
auth_helper_parse(const char *text, size_t len, char **ret_userpass, char **ret_error)
{
	_cleanup_json_ cJSON *root = NULL;
	const char *user, *secret;
	char *up;
	int r;

	/* What every helper prints when it has nothing for the server. */
	if (len >= 40 && memmem(text, len, "credentials not found in native keychain", 40))
		return -ENOENT;
	r = json_parse_checked(text, len, cJSON_Object, &root);
	if (r < 0)
		return error_set(ret_error, r == -ENOMEM ? r : -EBADMSG, "its output %s",
		                 json_parse_failure(text, len, cJSON_Object));
	user = json_string(root, "Username");
	secret = json_string(root, "Secret");
	if (!user || !secret)
		return error_set(ret_error, -EBADMSG, "its output lacks \"%s\"",
		                 user ? "Secret" : "Username");
	if (strcmp(user, "<token>") == 0)
		return error_set(ret_error, -EOPNOTSUPP,
		                 "it holds an identity token, which mocker cannot use");
	if (!*user || strchr(user, ':') || strpbrk(user, "\r\n") || strpbrk(secret, "\r\n"))
		return error_set(ret_error, -EBADMSG, "its user name or secret is not usable");
	if (asprintf(&up, "%s:%s", user, secret) < 0)
		return -ENOMEM;
	*ret_userpass = up;
	return 0;
}

/* What a helper may print at the most. */
#define HELPER_OUTPUT_MAX (64u << 10)

int
auth_helper_get(const char *helper, const char *server, char **ret_userpass, char **ret_error)
{
	_cleanup_free_ char *prog = NULL, *out = NULL;
	_cleanup_close_ int in = -1, out_r = -1, out_w = -1;
	posix_spawn_file_actions_t fa;
	int pipefd[2], status = 0, r;
	size_t len = 0;
	pid_t pid;

	if (!auth_helper_name_valid(helper))
		return error_set(ret_error, -EINVAL, "'%s' is not a credential helper name",
		                 helper);
	if (asprintf(&prog, "docker-credential-%s", helper) < 0)
		return -ENOMEM;
	/* The server name from a file, not a pipe: the helper may exit without reading it,
	 * and nothing here then dies of SIGPIPE. */
	in = memfd_create("mocker-credential-server", MFD_CLOEXEC);
	if (in < 0 || write_all(in, server, strlen(server)) < 0 || lseek(in, 0, SEEK_SET) < 0)
		return error_set(ret_error, -errno, "credential helper %s: %s", prog,
		                 strerror(errno));
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return error_set(ret_error, -errno, "credential helper %s: %s", prog,
		                 strerror(errno));
	out_r = pipefd[0];
	out_w = pipefd[1];
	char *argv[] = { prog, "get", NULL };
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out_w, STDOUT_FILENO);
	r = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	/* -ENOENT is "no credentials" to the caller: a helper that cannot run is other. */
	if (r != 0)
		return error_set(ret_error, r == ENOENT ? -ENOEXEC : -r,
		                 "credential helper %s: %s%s", prog, strerror(r),
		                 r == ENOENT ? " (not on PATH)" : "");
	out_w = safe_close(out_w);
	r = read_fd(out_r, 0, HELPER_OUTPUT_MAX, &out, &len);
	out_r = safe_close(out_r);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return error_set(ret_error, -errno, "credential helper %s: %s", prog,
			                 strerror(errno));
	if (r < 0)
		return error_set(ret_error, r, "credential helper %s: reading its output: %s", prog,
		                 strerror(-r));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (auth_helper_parse(out, len, ret_userpass, NULL) == -ENOENT)
			return -ENOENT;
		/* Its first line says why; control characters are not for a terminal. */
		out[strcspn(out, "\r\n")] = '\0';
		for (char *c = out; *c; c++)
			if (iscntrl((unsigned char)*c))
				*c = '?';
		return error_set(ret_error, -EACCES, "credential helper %s %s %d%s%s", prog,
		                 WIFEXITED(status) ? "exited with status" : "killed by signal",
		                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		                 *out ? ": " : "", out);
	}
	r = auth_helper_parse(out, len, ret_userpass, ret_error);
	if (r < 0 && r != -ENOENT && ret_error && *ret_error) {
		_cleanup_free_ char *why = TAKE_PTR(*ret_error);
		return error_set(ret_error, r, "credential helper %s: %s", prog, why);
	}
	explicit_bzero(out, len);
	return r;
}

int
auth_config_read(const char *path, const char *domain, struct auth_config_entry *ret,
                 char **ret_error)
{
	_cleanup_free_ char *text = NULL, *why = NULL;
	size_t len;
	int r;

	r = read_file_at(AT_FDCWD, path, 1 << 20, &text, &len);
	if (r == -ENOENT)
		return r;
	if (r < 0)
		return error_set(ret_error, r, "reading '%s': %s", path, strerror(-r));
	r = auth_config_parse(text, len, domain, ret, &why);
	if (r < 0)
		return error_set(ret_error, r, "'%s': %s", path, why ? why : strerror(-r));
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
