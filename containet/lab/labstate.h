/*
 * A lab's state directory's files (labrun.h lists them) written whole: a temp file renamed
 * over the old one, so a reader sees the old text or the new, never half of it.  Below the
 * runner and its commands (labrun, labnode, labmgmtrun), which all write through it.
 */
#pragma once

#include "labconf.h"

#include <cjson/cJSON.h>

/* Writes text to state_dir/leaf; logs a failure.  Returns 0 or -errno. */
int labstate_write(const char *state_dir, const char *leaf, const char *text);

/* lab.json: lab rendered, with a copy of run as its "lab" member (name, directory, host);
 * logs a failure.  Returns 0 or -errno. */
int labstate_write_lab(const char *state_dir, const struct lab *lab, const cJSON *run);
