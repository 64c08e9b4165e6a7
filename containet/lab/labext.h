/* lab.ext: this project's own keys for a lab (see labconf.h for the keys and checks). */
#pragma once

#include "labconf.h"

/* After labconf_parse_conf(); 0, -EINVAL ("lab.ext:12: why" in *ret_error), -EFBIG, -ENOMEM. */
int labext_parse(struct lab *lab, const char *buf, size_t len, const char *fname, char **ret_error);
