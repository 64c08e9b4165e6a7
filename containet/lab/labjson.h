/* A lab's model as JSON (what `containet lab show --json` prints): pure, no I/O. */
#pragma once

#include "labconf.h"

#include <cjson/cJSON.h>

/*
 * {"name":..,"description":..,.. (the LAB_* metas given), "domain":..,"hosts":[..],
 *  "image_map":{"FROM":"TO"},
 *  "nodes":[{"name":..,"wave":N,"depends":[..],"interfaces":[{"index":0,"name":"eth0",
 *            "segment":..,"mac":..,"ipv4":..,"ipv6":..,"access":N|"trunk":[..],"native":N}],
 *            "image":..,.. (the node keys given),"exec":[..],"sysctl":{..},"env":{..},
 *            "ports":[{"host":N,"guest":N,"protocol":..}]}],
 *  "segments":[{"name":..,"nodes":[..],.. (the segment keys given)}],
 *  "waves":[[..],..],"warnings":[..]}
 * Booleans and numbers as JSON booleans and numbers (seed and the like as strings when
 * beyond 2^53).  NULL when out of memory.
 */
cJSON *labjson_render(const struct lab *lab);

/*
 * The other way: a lab from its JSON rendering (what `lab up FILE.json` reads), through
 * the same checks as the files, by writing the lab.conf, lab.ext and lab.dep text the
 * JSON stands for and parsing that; what is derived (wave, waves, warnings, a segment's
 * nodes, an interface's name) is left out, an unknown member is an error.  So a rendered
 * lab parses back to a lab that renders the same.  fname starts the messages ("FILE: why",
 * or "FILE (as lab.ext):3: why" for what the files' parsers refuse).  0, -EINVAL with the
 * reason in *ret_error, -EFBIG (more than LAB_FILE_MAX), -ENOMEM.
 */
int labjson_parse(const char *json, size_t len, const char *fname, struct lab **ret_lab,
                  char **ret_error);
