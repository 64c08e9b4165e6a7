/*
 * The ring primitives every handler uses: an SQE, the clock, an asynchronous close.  At
 * the bottom, under the loop (ring.c) and its handlers, so that arrows run one way.
 */
#include "switch.h"

#include "monotime.h"

uint64_t
sw_clock(void)
{
	return monotime_ns();
}

/* An SQE, flushing the queue to the kernel when it is full. */
struct io_uring_sqe *
sw_sqe(struct sw *sw)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&sw->ring);

	if (!sqe) {
		io_uring_submit(&sw->ring);
		sqe = io_uring_get_sqe(&sw->ring);
	}
	/* Cannot fail: the submit above emptied the queue. */
	return sqe;
}

/*
 * Closes fd on an io-wq worker: a last close may block (a tap's unregistering, a TCP
 * socket's linger) and must not stall the loop.
 */
void
sw_close_async(struct sw *sw, int fd, uint64_t user_data)
{
	struct io_uring_sqe *sqe = sw_sqe(sw);

	io_uring_prep_close(sqe, fd);
	sqe->flags |= IOSQE_ASYNC;
	io_uring_sqe_set_data64(sqe, user_data);
}
