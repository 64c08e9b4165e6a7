/* Client mode: `containet -s SOCK COMMAND...`, one request to a running switch. */
#pragma once

#include "ctl.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * Runs the client command in args (NULL-terminated, at least one word); opts carries
 * what --mtu, --segment, --ipv4, --ipv6 and --masquerade gave.  Returns the exit status.
 */
int client_run(const char *socket_path, char **args, const struct ctl_request *opts, bool json);

/* What capture's own options gave (-w, --duration); -c and --snaplen go in the request. */
struct client_capture_opts {
	const char *write;    /* -w FILE, "-" for stdout; NULL: stdout unless it is a terminal */
	uint64_t duration_ms; /* --duration; 0: until Ctrl-C or the count */
};

/*
 * `capture [PORT|SEGMENT]...`: hands the switch the file to write pcapng to, waits for
 * Ctrl-C, the count or the duration, stops the capture and says what it took on stderr.
 * Returns the exit status.
 */
int client_capture(const char *socket_path, char **args, const struct ctl_request *opts,
                   const struct client_capture_opts *copts);
