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
