/* Reads a lab directory's lab.conf, lab.ext and lab.dep into the model (labconf.h). */
#pragma once

#include "labconf.h"

/*
 * lab.conf must exist; lab.ext and lab.dep are read when present.  0, or -errno with the
 * reason in *ret_error ("DIR/lab.ext:3: ..." or "DIR/lab.conf: No such file or directory").
 */
int labload_dir(const char *dir, struct lab **ret_lab, char **ret_error);
