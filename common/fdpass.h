/* One message with at most one file descriptor, over a UNIX socket (SCM_RIGHTS). */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Sends buf (one message) and, if fd >= 0, the descriptor with it.  Returns 0 or -errno. */
int fdpass_send(int sock, const void *buf, size_t len, int fd);

/*
 * Receives one message into buf.  Returns its length or -errno: -EMSGSIZE when it did
 * not fit, -EBADMSG when more than one fd or foreign control data came with it, 0 at
 * end of stream.  *ret_fd is the received descriptor (close-on-exec) or -1.  Every
 * stray descriptor is closed before an error returns.
 */
ssize_t fdpass_recv(int sock, void *buf, size_t size, int *ret_fd);

/*
 * Parses the control part of a message received elsewhere (e.g. by io_uring recvmsg):
 * returns 0 with *ret_fd set (or -1), or -EBADMSG after closing every fd it carried.
 */
struct msghdr;
int fdpass_take_fd(struct msghdr *msg, int *ret_fd);

/*
 * Takes every descriptor in msg's control part into fds, closing none of them, for a
 * caller that closes them its own way: *ret_n of them, at most max (any beyond max are
 * closed here).  Returns 0, or -EBADMSG when the control data was cut short or foreign
 * (the descriptors that came are in fds all the same).
 */
int fdpass_take_fds(struct msghdr *msg, int *fds, size_t max, size_t *ret_n);
