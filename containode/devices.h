/* /dev inside the container: nodes from a static table, symlinks, the console. */
#pragma once

#include "namespaces.h"

#include <stdbool.h>
#include <sys/types.h>

#define DEV_PTY_ONLY 1 /* made only with a terminal: a bind mount of the container's pty */

struct device_node {
	const char *name;
	mode_t mode; /* type and permissions */
	unsigned major, minor;
	unsigned flags;
};

extern const struct device_node devices_table[];
extern const size_t devices_table_len;

/* Creates the nodes and symlinks in dir (the container's fresh /dev tmpfs). */
int devices_populate(const char *dir, struct setup_error *e);
/* Binds the pty slave (path) over dir/console. */
int devices_bind_console(const char *dir, const char *pty, struct setup_error *e);
