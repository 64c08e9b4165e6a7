/* Client mode: `containet -s SOCK COMMAND...`, one request to a running switch. */
#pragma once

#include "ctl.h"

#include <stdbool.h>

/*
 * Runs the client command in args (NULL-terminated, at least one word); opts carries
 * what --mtu, --segment, --ipv4, --ipv6 and --masquerade gave.  Returns the exit status.
 */
int client_run(const char *socket_path, char **args, const struct ctl_request *opts, bool json);
