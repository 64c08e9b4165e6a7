/* Client mode: `containet -s SOCK ports|fdb [--json]`. */
#pragma once

#include <stdbool.h>

/* Runs one client command; returns the process exit status. */
int client_run(const char *socket_path, const char *command, bool json);
