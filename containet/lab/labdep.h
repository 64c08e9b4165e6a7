/* lab.dep: the start order of a lab's nodes, in waves (see labconf.h). */
#pragma once

#include "labconf.h"

/*
 * After labconf_parse_conf(); recomputes lab->order, n_waves and each node's wave.  0,
 * -EINVAL ("lab.dep:3: why", a loop named "a -> b -> a"), -EFBIG, -ENOMEM.
 */
int labdep_parse(struct lab *lab, const char *buf, size_t len, const char *fname, char **ret_error);
