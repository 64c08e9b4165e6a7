/* Image references by Docker's rules: "busybox" is docker.io/library/busybox:latest. */
#pragma once

#include <stdbool.h>

#define REF_DOCKER_HUB "docker.io"
#define REF_DOCKER_HUB_API "registry-1.docker.io"

struct ref {
	char *domain; /* "docker.io", "127.0.0.1:5000", "localhost" */
	char *path;   /* repository path: "library/busybox" */
	char *tag;    /* NULL when only a digest was given */
	char *digest; /* "sha256:..." or NULL */
};

/* Parses s into ret (fields malloc'd).  A missing tag and digest means ":latest".
 * -EINVAL on anything Docker would refuse (upper case in the path, bad digest, ...). */
int ref_parse(const char *s, struct ref *ret);
void ref_done(struct ref *r);

/* "docker.io/library/busybox:latest", "host:5000/x/y@sha256:..." (tag wins when both). */
char *ref_string(const struct ref *r);
/* The host (and port) to speak the registry API to: registry-1.docker.io for docker.io. */
const char *ref_api_host(const struct ref *r);
/* True when the domain is localhost or a loopback address, where plain HTTP is allowed. */
bool ref_host_is_local(const char *host);
