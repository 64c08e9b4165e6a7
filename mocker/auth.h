/* Registry authentication: WWW-Authenticate challenges, credentials from
 * ~/.docker/config.json, and base64 for Basic auth. */
#pragma once

#include <stddef.h>

enum auth_scheme {
	AUTH_NONE,
	AUTH_BASIC,
	AUTH_BEARER,
};

struct auth_challenge {
	enum auth_scheme scheme;
	char *realm;
	char *service; /* NULL when absent */
	char *scope;   /* NULL when absent */
};

/* Parses the value of a WWW-Authenticate header ("Bearer realm=\"...\",service=..."),
 * quoted or token values, any parameter order, case-insensitive scheme and names.
 * -EINVAL for an unknown scheme or a Bearer challenge without a realm. */
int auth_parse_challenge(const char *header, struct auth_challenge *ret);
void auth_challenge_done(struct auth_challenge *c);

/* Standard base64 with padding. */
char *base64_encode(const void *data, size_t len);
/* Decodes into a malloc'd NUL-terminated buffer; -EINVAL on bad input. */
int base64_decode(const char *s, char **ret, size_t *ret_len);

/* "user:password" for host from the Docker config file at path (the "auths" object; Docker
 * Hub's key is "https://index.docker.io/v1/").  -ENOENT when there is none. */
int auth_from_docker_config(const char *path, const char *domain, char **ret_userpass);
/* The Docker config path: $DOCKER_CONFIG/config.json or ~/.docker/config.json. */
char *auth_docker_config_path(void);
