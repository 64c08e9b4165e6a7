/* SOCK_SEQPACKET UNIX sockets: the control socket's two ends. */
#pragma once

#include <sys/types.h>

/*
 * Binds and listens on path with the given mode, group-owned by gid unless gid is
 * (gid_t)-1.  A stale socket file is removed only after checking that nothing answers
 * on it: -EADDRINUSE when something does, -EEXIST when path is not a socket.  With
 * alive, a connection that succeeds is handed to alive(fd), which returns 1 when a live
 * server is there and 0 when not (e.g. one dying with the connection in its backlog);
 * without, a connection that succeeds means alive.
 */
int unix_listen(const char *path, mode_t mode, gid_t gid, int (*alive)(int fd));

/* Returns a connected, close-on-exec socket or -errno. */
int unix_connect(const char *path);
