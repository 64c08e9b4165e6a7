#include "fdpass.h"

#include "cleanup.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Room for a few descriptors so that a peer sending too many can be caught and cleaned up. */
#define FDPASS_MAX_FDS 8

int
fdpass_send(int sock, const void *buf, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

int
fdpass_take_fds(struct msghdr *msg, int *fds, size_t max, size_t *ret_n)
{
	bool bad = msg->msg_flags & MSG_CTRUNC;
	size_t n = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			bad = true;
			continue;
		}
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (n < max) {
				fds[n++] = f;
			} else {
				bad = true;
				close(f);
			}
		}
	}
	*ret_n = n;
	return bad ? -EBADMSG : 0;
}

int
fdpass_take_fd(struct msghdr *msg, int *ret_fd)
{
	int fds[FDPASS_MAX_FDS];
	size_t n;

	*ret_fd = -1;
	if (fdpass_take_fds(msg, fds, ARRAY_SIZE(fds), &n) == 0 && n <= 1) {
		if (n == 1)
			*ret_fd = fds[0];
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	return -EBADMSG;
}

ssize_t
fdpass_recv(int sock, void *buf, size_t size, int *ret_fd)
{
	union {
		char buf[CMSG_SPACE(FDPASS_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	ssize_t n;
	int r;

	*ret_fd = -1;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	r = fdpass_take_fd(&msg, ret_fd);
	if (r < 0)
		return r;
	if (msg.msg_flags & MSG_TRUNC) {
		if (*ret_fd >= 0)
			close(*ret_fd);
		*ret_fd = -1;
		return -EMSGSIZE;
	}
	return n;
}
