/* TLS material for a registry, as Docker and skopeo keep it: a directory (--cert-dir, or
 * /etc/containers/certs.d/HOST[:PORT] and /etc/docker/certs.d/HOST[:PORT]) where every
 * *.crt is a CA added to the system's, and a *.cert with the *.key of the same name is the
 * client certificate. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct certdir {
	char *ca; /* PEM text: the system's CAs, then the directory's; NULL when it has none */
	size_t ca_len;
	char *cert; /* path of the client certificate, NULL when none */
	char *key;  /* path of its key */
};

/* Kinds of file in a certificate directory, by name: what certdir_load does with it. */
enum certdir_kind {
	CERTDIR_OTHER,
	CERTDIR_CA,   /* NAME.crt */
	CERTDIR_CERT, /* NAME.cert */
	CERTDIR_KEY,  /* NAME.key */
};
enum certdir_kind certdir_kind(const char *name);

/* Reads dir (files in name order; system_ca, a PEM bundle, first when readable).  A .cert
 * without its .key, or a .key without its .cert, is -EINVAL with the file named. */
int certdir_load(const char *dir, const char *system_ca, struct certdir *ret, char **ret_error);
void certdir_done(struct certdir *c);

/* The first of the certs.d directories under roots (NULL-terminated) that exists for host
 * ("HOST" or "HOST:PORT"), or NULL. */
char *certdir_find(const char *const *roots, const char *host);
