/* The JSON files of image archives, decoded and checked (pure, no I/O): index.json of an
 * OCI archive (descriptors and the names they carry) and manifest.json of `docker save`
 * (config, layers, tags).  Paths are normalised as member names of the tar are; a path
 * with ".." or an absolute one is refused. */
#pragma once

#include "manifest.h"

#include <stddef.h>

#define ARCHIVEJSON_MAX_IMAGES 1024
#define CONTAINERD_NAME_ANNOTATION "io.containerd.image.name"

struct archivejson_oci {
	struct descriptor desc;
	char *name; /* io.containerd.image.name, else org.opencontainers.image.ref.name; NULL */
};

struct archivejson_docker {
	char *config;  /* member path of the config */
	char **layers; /* member paths of the layers, NULL-terminated */
	size_t n_layers;
	char **tags; /* RepoTags, NULL-terminated (may be empty) */
};

/* A member name normalised ("./a//b" -> "a/b"); NULL with *ret_why for "..", absolute
 * names, the root and overlong names. */
char *archivejson_path(const char *name, const char **ret_why);

int archivejson_parse_index(const char *json, size_t len, struct archivejson_oci **ret,
                            size_t *ret_n, char **ret_error);
void archivejson_oci_free(struct archivejson_oci *v, size_t n);

int archivejson_parse_docker(const char *json, size_t len, struct archivejson_docker **ret,
                             size_t *ret_n, char **ret_error);
void archivejson_docker_free(struct archivejson_docker *v, size_t n);
