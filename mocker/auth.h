/* Registry authentication: WWW-Authenticate challenges, credentials from
 * ~/.docker/config.json and its credential helpers, and base64 for Basic auth. */
#pragma once

#include <stdbool.h>
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

/* Standard base64 with padding (libcrypto's); NULL when out of memory. */
char *auth_base64_encode(const void *data, size_t len);
/* Decodes strict padded base64 into a malloc'd NUL-terminated buffer; -EINVAL on bad
 * input (a character outside the alphabet, blanks, a length not a multiple of 4). */
int auth_base64_decode(const char *s, char **ret, size_t *ret_len);

/* What the Docker config says about one registry's credentials. */
struct auth_config_entry {
	char *helper;   /* from "credHelpers" for it or "credsStore": docker-credential-HELPER */
	char *server;   /* what the helper is asked for (the key "docker login" used) */
	char *userpass; /* from "auths": "user:password", or NULL */
};
void auth_config_entry_done(struct auth_config_entry *e);

/* Parses config.json text for domain (Docker Hub's keys are "https://index.docker.io/v1/"
 * and "index.docker.io"; others also with https:// or http://).  -EBADMSG and -EINVAL
 * with a reason for what is not a Docker config or not a usable entry. */
int auth_config_parse(const char *text, size_t len, const char *domain,
                      struct auth_config_entry *ret, char **ret_error);
/* A helper name docker-credential-NAME may be made of (no path, no option). */
bool auth_helper_name_valid(const char *name);
/* Parses what "docker-credential-NAME get" printed: "user:password", -ENOENT when it says
 * it has no credentials, other -errno with a reason. */
int auth_helper_parse(const char *text, size_t len, char **ret_userpass, char **ret_error);
/* Runs "docker-credential-HELPER get" (from PATH) with server on its standard input, as
 * Docker runs it.  -ENOENT when it has no credentials for server. */
int auth_helper_get(const char *helper, const char *server, char **ret_userpass, char **ret_error);

/* Reads and parses the Docker config file at path for domain.  -ENOENT when there is no
 * file; other -errno with a reason naming the file. */
int auth_config_read(const char *path, const char *domain, struct auth_config_entry *ret,
                     char **ret_error);
/* The Docker config path: $DOCKER_CONFIG/config.json or ~/.docker/config.json. */
char *auth_docker_config_path(void);
