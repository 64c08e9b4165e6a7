/* The Dockerfile instructions `mocker import --change` takes, as `docker import --change`
 * does: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR, applied to
 * the "config" object of an image config.  Pure: no I/O. */
#pragma once

#include "json.h"

/* Applies one line to config (an object).  -EINVAL for a line it refuses, with a malloc'd
 * one-line reason naming the instruction or the word in *ret_error; config is unchanged
 * then.  -ENOMEM when out of memory. */
int change_apply(cJSON *config, const char *line, char **ret_error);
