/*
 * Published ports (-p): the supervisor listens on the host and relays each connection
 * (or UDP flow) to the port inside the node, from a socket it creates in the node's
 * network namespace, so no route, NAT rule or switch port is needed.  One epoll set,
 * polled by the supervisor's loop; TCP bytes move with splice(2) through a pipe per
 * direction, never through user space; no thread per connection.  A connection the
 * node refuses closes the outside one.
 */
#pragma once

#include "portspec.h"

#include <stdbool.h>
#include <stddef.h>

#define PUBLISH_CONNS_MAX 1024 /* relayed TCP connections at once, over all ports */
#define PUBLISH_FLOWS_MAX 256  /* UDP flows at once; the least recently used goes */

struct publish;

/*
 * Binds and listens on every spec's host address and port, before the node exists, so
 * that a port in use stops containode at once.  *ret_error names the port that failed.
 */
int publish_open(const struct portspec *specs, size_t n, struct publish **ret, char *why,
                 size_t why_size);
/* Once the node runs: the network namespace its sockets are made in (/proc/PID/ns/net). */
int publish_start(struct publish *p, int pid);
/* The fd to poll for readability: then publish_dispatch() moves what can be moved. */
int publish_fd(const struct publish *p);
void publish_dispatch(struct publish *p);
/* Closes every listener and connection; NULL is fine. */
void publish_free(struct publish *p);
