#include "resolve.h"

#include "cleanup.h"
#include "errtext.h"
#include "log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
resolved_done(struct resolved *r)
{
	free(r->body);
	manifest_done(&r->m);
	*r = (struct resolved){ 0 };
}

/* One manifest GET, checked against the digest we asked for or the one the server claims. */
static int
get_manifest(struct registry *reg, const char *ref, const struct descriptor *want,
             struct resolved *ret, char **ret_error)
{
	_cleanup_free_ char *what = NULL;
	struct http_headers h = { .retry_after = -1 };
	struct http_buffer body = { 0 };
	char actual[DIGEST_STR_SIZE];
	int r;

	/* A declared size is checked before the request, and nothing beyond it is read. */
	if (want && want->size > MANIFEST_MAX)
		return error_set(ret_error, -EFBIG,
		                 "manifest %s declares %" PRIu64
		                 " bytes, more than the %u MiB allowed",
		                 ref, want->size, MANIFEST_MAX >> 20);
	if (asprintf(&what, "manifests/%s", ref) < 0)
		return -ENOMEM;
	r = registry_get(reg, what, MANIFEST_ACCEPT, want ? want->size + 1 : MANIFEST_MAX, &body,
	                 &h, ret_error);
	if (r < 0)
		goto out;
	r = digest_buffer(body.data ? body.data : "", body.len, actual);
	if (r < 0)
		goto out;
	if (digest_valid(ref) && strcmp(actual, ref) != 0) {
		r = error_set(ret_error, -EBADMSG, "manifest %s arrived with digest %s: rejected",
		              ref, actual);
		goto out;
	}
	if (want && want->size != body.len) {
		r = error_set(ret_error, -EBADMSG, "manifest %s has %zu bytes, not %" PRIu64, ref,
		              body.len, want->size);
		goto out;
	}
	if (!digest_valid(ref) && h.docker_digest && strncmp(h.docker_digest, "sha256:", 7) == 0 &&
	    strcmp(h.docker_digest, actual) != 0) {
		r = error_set(ret_error, -EBADMSG,
		              "manifest %s arrived with digest %s, but the registry says %s", ref,
		              actual, h.docker_digest);
		goto out;
	}
	if (ret_error) {
		free(*ret_error);
		*ret_error = NULL;
	}
	r = manifest_parse(body.data ? body.data : "", body.len, h.content_type, &ret->m,
	                   ret_error);
	if (r < 0)
		goto out;
	ret->body = TAKE_PTR(body.data);
	ret->len = body.len;
	memcpy(ret->digest, actual, sizeof(actual));
out:
	http_buffer_done(&body);
	http_headers_reset(&h);
	return r;
}

int
resolve_manifest(struct registry *reg, const char *tag_or_digest, const struct platform *platform,
                 struct resolved *ret, char **ret_error)
{
	struct resolved top = { 0 }, child = { 0 };
	int r, i;

	r = get_manifest(reg, tag_or_digest, NULL, &top, ret_error);
	if (r < 0)
		return r;
	if (top.m.kind == MANIFEST_IMAGE) {
		*ret = top;
		return 0;
	}
	i = manifest_select(&top.m, platform);
	if (i < 0) {
		r = error_set(ret_error, -ENOENT, "no image for platform %s/%s%s%s in %s",
		              platform->os, platform->arch, *platform->variant ? "/" : "",
		              platform->variant, tag_or_digest);
		resolved_done(&top);
		return r;
	}
	log_debug("platform %s/%s%s%s: %s", platform->os, platform->arch,
	          *platform->variant ? "/" : "", platform->variant, top.m.items[i].digest);
	r = get_manifest(reg, top.m.items[i].digest, &top.m.items[i], &child, ret_error);
	if (r >= 0 && child.m.kind != MANIFEST_IMAGE)
		r = error_set(ret_error, -EINVAL, "index entry %s is not an image manifest",
		              top.m.items[i].digest);
	resolved_done(&top);
	if (r < 0) {
		resolved_done(&child);
		return r;
	}
	*ret = child;
	return 0;
}
