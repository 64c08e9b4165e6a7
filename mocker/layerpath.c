/* Normalisation and classification of layer entry paths, kept apart from the syscalls so
 * that the rules that decide what is hostile can be unit-tested. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "layerpath.h"

#define WH_PREFIX ".wh."
#define WH_META_PREFIX ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"

int
layerpath_normalize(const char *name, char **ret, const char **ret_reason)
{
	const char *reason = NULL;
	char *out, *o;
	int r;

	if (!name || !*name) {
		reason = "empty name";
		r = -EINVAL;
		goto refuse;
	}
	/* tar and umoci strip a leading "/"; a layer built that way is not one a sane
	 * builder makes, and names meant for the host are exactly what we refuse. */
	if (name[0] == '/') {
		reason = "absolute path";
		r = -EINVAL;
		goto refuse;
	}
	if (strlen(name) > LAYERPATH_MAX) {
		reason = "name too long";
		r = -ENAMETOOLONG;
		goto refuse;
	}

	out = malloc(strlen(name) + 1);
	if (!out)
		return -ENOMEM;
	o = out;
	for (const char *p = name; *p;) {
		size_t len = strcspn(p, "/");

		if (len == 2 && p[0] == '.' && p[1] == '.') {
			free(out);
			reason = "\"..\" component";
			r = -EINVAL;
			goto refuse;
		}
		if (len > 0 && !(len == 1 && p[0] == '.')) {
			if (o != out)
				*o++ = '/';
			memcpy(o, p, len);
			o += len;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	*o = '\0';
	*ret = out;
	return 0;

refuse:
	if (ret_reason)
		*ret_reason = reason;
	return r;
}

enum layerpath_kind
layerpath_classify(const char *base, const char **ret_target)
{
	const char *target;

	if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) != 0)
		return LAYERPATH_NORMAL;
	if (strcmp(base, WH_OPAQUE) == 0)
		return LAYERPATH_OPAQUE;
	if (strncmp(base, WH_META_PREFIX, strlen(WH_META_PREFIX)) == 0)
		return LAYERPATH_META;
	target = base + strlen(WH_PREFIX);
	if (!*target || strcmp(target, ".") == 0 || strcmp(target, "..") == 0 ||
	    strchr(target, '/'))
		return LAYERPATH_INVALID;
	if (ret_target)
		*ret_target = target;
	return LAYERPATH_WHITEOUT;
}

size_t
layerpath_parent_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? (size_t)(slash - path) : 0;
}

const char *
layerpath_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

enum layerpath_kind
layerpath_classify_dirs(const char *path)
{
	char comp[LAYERPATH_MAX + 1];

	for (const char *p = path; *p;) {
		size_t len = strcspn(p, "/");

		if (p[len] != '/')
			break; /* the last component is not a directory */
		if (len >= strlen(WH_PREFIX) && strncmp(p, WH_PREFIX, strlen(WH_PREFIX)) == 0 &&
		    len <= LAYERPATH_MAX) {
			enum layerpath_kind k;

			memcpy(comp, p, len);
			comp[len] = '\0';
			k = layerpath_classify(comp, NULL);
			return k == LAYERPATH_META ? LAYERPATH_META : LAYERPATH_INVALID;
		}
		p += len + 1;
	}
	return LAYERPATH_NORMAL;
}

size_t
layerpath_depth(const char *path)
{
	size_t n = *path ? 1 : 0;

	for (const char *p = path; *p; p++)
		if (*p == '/')
			n++;
	return n;
}
