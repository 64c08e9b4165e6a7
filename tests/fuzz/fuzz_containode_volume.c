/*
 * The --volume values of a node, one a line.  A refusal always says why; every volume
 * accepted has an absolute DST in normal form (no empty, "." or ".." component, no
 * trailing '/'), neither "/" nor in /proc or /sys, and no DST twice.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "containode/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static void
check_volume(const struct plan *p, size_t i)
{
	const struct plan_volume *v = &p->volumes[i];
	char again[PATH_MAX];

	assert(v->src[0] && !strchr(v->src, ':') && !strchr(v->dst, ':'));
	assert(v->dst[0] == '/' && strcmp(v->dst, "/") != 0);
	assert(!strstr(v->dst, "//") && !strstr(v->dst, "/./") && !strstr(v->dst, "/../"));
	assert(v->dst[strlen(v->dst) - 1] != '/');
	assert(!below(v->dst, "/proc") && !below(v->dst, "/sys"));
	/* The normal form is a fixed point. */
	assert(plan_path_normalize(v->dst, again, sizeof(again)) == 0 && !strcmp(again, v->dst));
	for (size_t j = 0; j < i; j++)
		assert(strcmp(p->volumes[j].dst, v->dst) != 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = strndup((const char *)data, size);
	char why[PLAN_WHY_MAX];
	struct plan p;

	if (!text)
		return 0;
	plan_init(&p);
	for (char *line = text, *next; line; line = next) {
		size_t before = p.n_volumes;
		int r;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		why[0] = '\0';
		r = plan_volume_add(&p, line, why);
		assert(r >= 0 || r == -ENOMEM || ((r == -EINVAL || r == -E2BIG) && why[0]));
		assert(p.n_volumes == before + (r >= 0));
		if (r >= 0)
			check_volume(&p, before);
	}
	assert(p.n_volumes <= PLAN_VOLUME_MAX);
	plan_free(&p);
	return 0;
}
