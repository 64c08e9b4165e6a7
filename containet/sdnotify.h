/*
 * The service manager's readiness protocol (sd_notify(3)) without libsystemd: one
 * datagram, "READY=1", to the AF_UNIX socket named in $NOTIFY_SOCKET.
 */
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

/*
 * Parses a $NOTIFY_SOCKET value into a socket address: an absolute path, or "@name" for
 * the abstract name "\0name".  Pure.  0 with *ret_len the address length to pass to
 * sendto; -EINVAL for anything else (empty, relative, vsock:), -ENAMETOOLONG when it does
 * not fit sun_path.
 */
int sdnotify_address(const char *value, struct sockaddr_un *ret, socklen_t *ret_len);

/*
 * Sends state (such as "READY=1") to $NOTIFY_SOCKET and removes the variable, so that
 * no program the switch runs sends in its name.  0 when sent, 0 as well when the
 * variable is not set (not started by a service manager), -errno otherwise.
 */
int sdnotify_send(const char *state);
