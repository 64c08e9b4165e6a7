#include "change.h"

#include "cleanup.h"
#include "errtext.h"
#include "strv.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CHANGE_LINE_MAX (64u << 10)

static const char *
skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/*
 * Splits s into words as Dockerfile's key=value instructions do: whitespace separates,
 * "..." keeps it (with \" and \\), '...' keeps everything, a backslash outside quotes
 * takes the next character as it is.  -EINVAL for an unterminated quote.
 */
static int
split_words(const char *s, char ***ret, char **ret_error)
{
	_cleanup_strv_ char **words = calloc(1, sizeof(char *));
	_cleanup_free_ char *buf = malloc(strlen(s) + 1);

	if (!buf || !words)
		return -ENOMEM;
	for (s = skip_space(s); *s; s = skip_space(s)) {
		size_t len = 0;
		char q = 0;

		for (; *s && (q || (*s != ' ' && *s != '\t')); s++) {
			if (q == '\'' && *s == '\'') {
				q = 0;
			} else if (q == '"' && *s == '"') {
				q = 0;
			} else if (!q && (*s == '"' || *s == '\'')) {
				q = *s;
			} else if (q != '\'' && *s == '\\' && s[1]) {
				buf[len++] = *++s;
			} else {
				buf[len++] = *s;
			}
		}
		if (q)
			return error_set(ret_error, -EINVAL, "unterminated %c quote",
			                 q == '"' ? '"' : '\'');
		buf[len] = '\0';
		if (strv_push(&words, strdup(buf)) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(words);
	return 0;
}

/* ["a","b"] when args is a JSON array of strings, else ["/bin/sh","-c",args]: the exec
 * and shell forms of CMD and ENTRYPOINT. */
static int
command_form(const char *args, cJSON **ret, char **ret_error)
{
	_cleanup_json_ cJSON *a = NULL;
	const cJSON *it;

	if (*args == '[') {
		if (json_has_nul(args, strlen(args)))
			return error_set(ret_error, -EINVAL, "a NUL character in '%s'", args);
		a = cJSON_Parse(args);
		bool strings = cJSON_IsArray(a);
		cJSON_ArrayForEach(it, a) strings = strings && cJSON_IsString(it);
		if (strings) {
			*ret = TAKE_PTR(a);
			return 0;
		}
		cJSON_Delete(TAKE_PTR(a)); /* not JSON: the shell form, as Docker takes it */
	}
	const char *sh[] = { "/bin/sh", "-c", args };
	a = cJSON_CreateStringArray(sh, 3);
	if (!a)
		return -ENOMEM;
	*ret = TAKE_PTR(a);
	return 0;
}

static int
set_item(cJSON *config, const char *key, cJSON *value)
{
	if (!value)
		return -ENOMEM;
	if (cJSON_GetObjectItemCaseSensitive(config, key))
		return cJSON_ReplaceItemInObjectCaseSensitive(config, key, value) ? 0 : -ENOMEM;
	return cJSON_AddItemToObject(config, key, value) ? 0 : -ENOMEM;
}

static cJSON *
object_member(cJSON *config, const char *key)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(config, key);

	if (cJSON_IsObject(o))
		return o;
	cJSON_DeleteItemFromObjectCaseSensitive(config, key);
	return cJSON_AddObjectToObject(config, key);
}

/* Env: KEY=VALUE replaces an entry of the same KEY, else is appended. */
static int
env_set(cJSON *config, const char *key, const char *value)
{
	_cleanup_free_ char *kv = NULL;
	cJSON *env = cJSON_GetObjectItemCaseSensitive(config, "Env"), *it;
	size_t klen = strlen(key);

	if (asprintf(&kv, "%s=%s", key, value) < 0)
		return -ENOMEM;
	if (!cJSON_IsArray(env)) {
		cJSON_DeleteItemFromObjectCaseSensitive(config, "Env");
		env = cJSON_AddArrayToObject(config, "Env");
		if (!env)
			return -ENOMEM;
	}
	cJSON_ArrayForEach(it, env)
	{
		if (cJSON_IsString(it) && strncmp(it->valuestring, key, klen) == 0 &&
		    it->valuestring[klen] == '=')
			return cJSON_ReplaceItemViaPointer(env, it, cJSON_CreateString(kv))
			               ? 0
			               : -ENOMEM;
	}
	return cJSON_AddItemToArray(env, cJSON_CreateString(kv)) ? 0 : -ENOMEM;
}

/* ENV and LABEL: KEY=VALUE words, or the old form "KEY VALUE..." (one pair). */
static int
pairs(cJSON *config, const char *what, const char *args, char **ret_error)
{
	_cleanup_strv_ char **w = NULL;
	bool label = strcmp(what, "LABEL") == 0;
	_cleanup_free_ char *why = NULL;
	cJSON *labels = NULL;
	int r;

	r = split_words(args, &w, &why);
	if (r < 0)
		return why ? error_set(ret_error, r, "%s: %s", what, why) : r;
	if (!w[0])
		return error_set(ret_error, -EINVAL, "%s needs KEY=VALUE", what);
	if (!strchr(w[0], '=')) {
		/* "ENV KEY VALUE WITH SPACES": the rest of the line, as written, is the value. */
		const char *rest = skip_space(args);
		rest = skip_space(rest + strcspn(rest, " \t"));
		if (!*rest)
			return error_set(ret_error, -EINVAL, "%s '%s' has no value (KEY=VALUE)",
			                 what, w[0]);
		if (label)
			return (labels = object_member(config, "Labels")) &&
			                       set_item(labels, w[0], cJSON_CreateString(rest)) >= 0
			               ? 0
			               : -ENOMEM;
		return env_set(config, w[0], rest);
	}
	for (char **p = w; *p; p++) {
		char *eq = strchr(*p, '=');
		if (!eq || eq == *p)
			return error_set(ret_error, -EINVAL, "%s: '%s' is not KEY=VALUE", what, *p);
	}
	for (char **p = w; *p; p++) {
		char *eq = strchr(*p, '=');
		*eq = '\0';
		if (label) {
			labels = labels ?: object_member(config, "Labels");
			r = labels ? set_item(labels, *p, cJSON_CreateString(eq + 1)) : -ENOMEM;
		} else {
			r = env_set(config, *p, eq + 1);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* EXPOSE 80 443/tcp 53/udp: ExposedPorts {"80/tcp":{}} ... */
static int
expose(cJSON *config, const char *args, char **ret_error)
{
	_cleanup_strv_ char **w = NULL;
	_cleanup_free_ char *why = NULL;
	cJSON *ports;
	int r = split_words(args, &w, &why);

	if (r < 0)
		return why ? error_set(ret_error, r, "EXPOSE: %s", why) : r;
	if (!w[0])
		return error_set(ret_error, -EINVAL, "EXPOSE needs a port");
	for (char **p = w; *p; p++) {
		char *slash = strchr(*p, '/');
		size_t digits = strspn(*p, "0123456789");
		unsigned long port = strtoul(*p, NULL, 10);
		if (digits == 0 || digits > 5 || port == 0 || port > 65535 ||
		    (slash ? (size_t)(slash - *p) != digits : (*p)[digits] != '\0') ||
		    (slash && strcasecmp(slash, "/tcp") != 0 && strcasecmp(slash, "/udp") != 0 &&
		     strcasecmp(slash, "/sctp") != 0))
			return error_set(ret_error, -EINVAL,
			                 "EXPOSE: invalid port '%s' (want PORT[/tcp|/udp|/sctp])",
			                 *p);
	}
	ports = object_member(config, "ExposedPorts");
	for (char **p = w; ports && *p; p++) {
		_cleanup_free_ char *key = NULL;
		for (char *c = *p; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (asprintf(&key, strchr(*p, '/') ? "%s" : "%s/tcp", *p) < 0)
			return -ENOMEM;
		if (!cJSON_GetObjectItemCaseSensitive(ports, key) &&
		    !cJSON_AddObjectToObject(ports, key))
			return -ENOMEM;
	}
	return ports ? 0 : -ENOMEM;
}

/* VOLUME ["/a","/b"] or VOLUME /a /b */
static int
volume(cJSON *config, const char *args, char **ret_error)
{
	_cleanup_json_ cJSON *list = NULL;
	_cleanup_strv_ char **w = NULL;
	cJSON *vols, *it;
	int r;

	if (*args == '[' && !json_has_nul(args, strlen(args)) && (list = cJSON_Parse(args)) &&
	    cJSON_IsArray(list)) {
		cJSON_ArrayForEach(it, list)
		{
			if (!cJSON_IsString(it) || !*it->valuestring)
				return error_set(ret_error, -EINVAL,
				                 "VOLUME: every entry must be a non-empty string");
		}
	} else {
		_cleanup_free_ char *why = NULL;
		r = split_words(args, &w, &why);
		if (r < 0)
			return why ? error_set(ret_error, r, "VOLUME: %s", why) : r;
		cJSON_Delete(TAKE_PTR(list));
		list = w[0] ? cJSON_CreateStringArray((const char *const *)w, (int)strv_len(w))
		            : NULL;
		if (!w[0])
			return error_set(ret_error, -EINVAL, "VOLUME needs a path");
		if (!list)
			return -ENOMEM;
	}
	if (!cJSON_GetArraySize(list))
		return error_set(ret_error, -EINVAL, "VOLUME needs a path");
	vols = object_member(config, "Volumes");
	cJSON_ArrayForEach(it, list)
	{
		if (!vols)
			return -ENOMEM;
		if (!cJSON_GetObjectItemCaseSensitive(vols, it->valuestring) &&
		    !cJSON_AddObjectToObject(vols, it->valuestring))
			return -ENOMEM;
	}
	return 0;
}

/* WORKDIR: a relative path goes on the one before, as Docker does. */
static int
workdir(cJSON *config, const char *args)
{
	const char *old = json_string(config, "WorkingDir");
	_cleanup_free_ char *path = NULL;
	size_t n = strlen(args);

	while (n > 1 && (args[n - 1] == ' ' || args[n - 1] == '\t'))
		n--;
	if (args[0] == '/')
		old = "";
	else if (!old || !*old)
		old = "/";
	if (asprintf(&path, "%s%s%.*s", old, !*old || old[strlen(old) - 1] == '/' ? "" : "/",
	             (int)n, args) < 0)
		return -ENOMEM;
	return set_item(config, "WorkingDir", cJSON_CreateString(path));
}

static int
apply(cJSON *config, const char *word, const char *args, char **ret_error)
{
	cJSON *cmd = NULL;
	int r;

	if (!*args)
		return error_set(ret_error, -EINVAL, "%s needs an argument", word);
	if (strcasecmp(word, "CMD") == 0 || strcasecmp(word, "ENTRYPOINT") == 0) {
		bool ep = strcasecmp(word, "ENTRYPOINT") == 0;
		r = command_form(args, &cmd, ret_error);
		if (r < 0)
			return r;
		r = set_item(config, ep ? "Entrypoint" : "Cmd", cmd);
		/* A new ENTRYPOINT drops the Cmd of before, as in a Dockerfile. */
		if (r >= 0 && ep)
			cJSON_DeleteItemFromObjectCaseSensitive(config, "Cmd");
		return r;
	}
	if (strcasecmp(word, "ENV") == 0)
		return pairs(config, "ENV", args, ret_error);
	if (strcasecmp(word, "LABEL") == 0)
		return pairs(config, "LABEL", args, ret_error);
	if (strcasecmp(word, "EXPOSE") == 0)
		return expose(config, args, ret_error);
	if (strcasecmp(word, "VOLUME") == 0)
		return volume(config, args, ret_error);
	if (strcasecmp(word, "WORKDIR") == 0)
		return workdir(config, args);
	if (strcasecmp(word, "USER") == 0 || strcasecmp(word, "STOPSIGNAL") == 0) {
		if (strpbrk(args, " \t"))
			return error_set(ret_error, -EINVAL, "%s takes one word, not '%s'", word,
			                 args);
		return set_item(config, strcasecmp(word, "USER") == 0 ? "User" : "StopSignal",
		                cJSON_CreateString(args));
	}
	return error_set(ret_error, -EINVAL,
	                 "unknown instruction '%s' (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, "
	                 "STOPSIGNAL, USER, VOLUME, WORKDIR)",
	                 word);
}

int
change_apply(cJSON *config, const char *line, char **ret_error)
{
	_cleanup_json_ cJSON *copy = NULL;
	_cleanup_free_ char *word = NULL, *args = NULL;
	const char *s = skip_space(line), *end;
	size_t n;
	int r;

	if (strlen(line) > CHANGE_LINE_MAX)
		return error_set(ret_error, -EINVAL, "a change longer than %u bytes",
		                 CHANGE_LINE_MAX);
	for (const char *c = line; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			return error_set(ret_error, -EINVAL,
			                 "a control character in the change '%.40s'", line);
	n = strcspn(s, " \t");
	if (n == 0)
		return error_set(ret_error, -EINVAL, "an empty change");
	word = strndup(s, n);
	end = skip_space(s + n);
	n = strlen(end);
	while (n && (end[n - 1] == ' ' || end[n - 1] == '\t'))
		n--;
	args = strndup(end, n);
	/* On a copy: a refused line leaves config as it was. */
	copy = cJSON_Duplicate(config, true);
	if (!word || !args || !copy)
		return -ENOMEM;
	r = apply(copy, word, args, ret_error);
	if (r < 0)
		return r;
	/* Swap the contents: config keeps its identity (it may be a member of a tree). */
	cJSON *tmp = config->child;
	config->child = copy->child;
	copy->child = tmp;
	return 0;
}
