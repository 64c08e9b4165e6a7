/*
 * What Debian's liburing 2.3 headers lack for newer kernels, defined in one place.
 * Every feature here is probed at start-up; the switch falls back when the kernel
 * refuses it.
 */
#pragma once

#include <liburing.h>

/* Multishot read from a provided-buffer group: kernel 6.7. */
#define URING_OP_READ_MULTISHOT 49

#ifndef IORING_SETUP_SINGLE_ISSUER
#define IORING_SETUP_SINGLE_ISSUER (1U << 12)
#endif
#ifndef IORING_SETUP_DEFER_TASKRUN
#define IORING_SETUP_DEFER_TASKRUN (1U << 13)
#endif
#ifndef IORING_ASYNC_CANCEL_FD_FIXED
#define IORING_ASYNC_CANCEL_FD_FIXED (1U << 3)
#endif

static inline void
uring_prep_read_multishot(struct io_uring_sqe *sqe, int fd, unsigned short bgid)
{
	io_uring_prep_rw(URING_OP_READ_MULTISHOT, sqe, fd, NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = bgid;
}
