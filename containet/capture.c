/*
 * Live captures: frames of ports and segments into a pcapng stream on a descriptor the
 * client handed over (a file, or the pipe to tcpdump).
 *
 * A capture watches ports by name (what the port's node sent, and what was delivered
 * to it), and segments (each frame once, as it enters the segment: at the ingress of
 * whichever member read it; a port that joins later is watched too).  A request naming
 * neither watches every port.  Each port a capture records gets an Interface
 * Description Block, the first time one of its frames is recorded.
 *
 * Blocks go into a bounded queue per capture (pcapng_queue); once per batch of
 * completions, a capture whose queue holds bytes and has no write under way gets one
 * writev through the ring.  A reader that stalls only fills its queue: frames that no
 * longer fit are dropped and counted (epb_dropcount of the interface's next frame, and
 * isb_ifdrop at the end), and forwarding never waits for it.
 *
 * The end: capture-stop (or the connection's end, or the "count" reached, or a failed
 * write) queues an Interface Statistics Block per interface in the queue's reserve, the
 * queue drains, the descriptor is closed and capture-stop's reply goes out.  A reader
 * that takes nothing for CAPTURE_DRAIN_S seconds after that has its write cancelled.
 */
#include "switch.h"

#include "cleanup.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An IDB with the longest port name takes less than this. */
#define CAPTURE_IDB_MAX 128
/*
 * What the queue keeps for the blocks that must not be lost: each interface's IDB (so
 * that every drop is one of an interface's, and reported in its ISB) and ISB.
 */
#define CAPTURE_RESERVE (CAPTURE_IFACES * (PCAPNG_ISB_LEN + CAPTURE_IDB_MAX))
#define CAPTURE_DRAIN_S 2
#define NS_PER_S 1000000000ULL

int
capture_init(struct sw *sw)
{
	sw->caps = calloc(CAPTURE_MAX, sizeof(*sw->caps));
	if (!sw->caps)
		return -ENOMEM;
	for (uint32_t i = 0; i < CAPTURE_MAX; i++)
		sw->caps[i].fd = -1;
	return 0;
}

static void
capture_release_slot(struct sw *sw, struct capture *c)
{
	free(c->ifid);
	free(c->ifaces);
	free(c->q.buf);
	c->ifid = NULL;
	c->ifaces = NULL;
	c->q.buf = NULL;
	c->used = false;
	c->gen++;
	sw->ncaps--;
}

void
capture_free(struct sw *sw)
{
	for (uint32_t i = 0; i < CAPTURE_MAX && sw->caps; i++) {
		struct capture *c = &sw->caps[i];

		if (!c->used)
			continue;
		c->fd = safe_close(c->fd);
		capture_release_slot(sw, c);
	}
	free(sw->caps);
	sw->caps = NULL;
}

static uint64_t
capture_epoch(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec - sw_clock();
}

/* The ports and segments the request names, into c; an error text when one is unknown. */
static int
capture_watch(struct sw *sw, struct capture *c, const struct ctl_request *req,
              const char **ret_error)
{
	static char error[128 + CTL_PORT_NAME_MAX];

	c->all = !req->n_cap_ports && !req->n_cap_segments;
	for (uint32_t i = 0; i < req->n_cap_segments; i++) {
		uint32_t seg = segment_find(sw, req->cap_segments[i]);

		if (seg == UINT32_MAX) {
			snprintf(error, sizeof(error), "no segment '%s' on this switch",
			         req->cap_segments[i]);
			*ret_error = error;
			return -ENOENT;
		}
		c->segs[seg / 64] |= 1ULL << (seg % 64);
	}
	for (uint32_t i = 0; i < req->n_cap_ports; i++) {
		uint32_t p = port_find(sw, req->cap_ports[i]);

		if (p == UINT32_MAX) {
			snprintf(error, sizeof(error), "no port '%s' on this switch",
			         req->cap_ports[i]);
			*ret_error = error;
			return -ENOENT;
		}
		c->ports[c->nports] = p;
		c->port_gens[c->nports++] = sw->ports[p].gen;
	}
	return 0;
}

int
capture_start(struct sw *sw, uint32_t conn, const struct ctl_request *req, int fd, uint32_t *ret_id,
              const char **ret_error)
{
	_cleanup_close_ int owned = fd;
	uint8_t shb[64];
	struct capture *c = NULL;
	struct iovec iov;
	int flags, n, r;

	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY) {
		*ret_error = "the capture's descriptor is not open for writing";
		return -EBADF;
	}
	for (uint32_t i = 0; i < CAPTURE_MAX; i++)
		if (!sw->caps[i].used) {
			c = &sw->caps[i];
			break;
		}
	if (!c) {
		*ret_error = "the switch runs the most captures it can already";
		return -ENOSPC;
	}
	memset(c->segs, 0, sizeof(c->segs));
	c->nports = c->nifaces = 0;
	r = capture_watch(sw, c, req, ret_error);
	if (r < 0)
		return r;
	c->ifid = malloc(sw->cfg.max_ports * sizeof(*c->ifid));
	c->ifaces = calloc(CAPTURE_IFACES, sizeof(*c->ifaces));
	pcapng_queue_init(&c->q, malloc(CAPTURE_QUEUE), CAPTURE_QUEUE, CAPTURE_RESERVE);
	if (!c->ifid || !c->ifaces || !c->q.buf) {
		free(c->ifid);
		free(c->ifaces);
		free(c->q.buf);
		*ret_error = "out of memory";
		return -ENOMEM;
	}
	memset(c->ifid, 0xff, sw->cfg.max_ports * sizeof(*c->ifid));
	c->used = true;
	sw->ncaps++;
	c->fd = TAKE_FD(owned);
	c->id = sw->next_cap_id++;
	c->conn = conn;
	c->conn_gen = sw->conns[conn].gen;
	c->snaplen = req->snaplen ? req->snaplen : CTL_SNAPLEN_DEFAULT;
	c->count = req->count;
	c->frames = c->dropped = 0;
	c->epoch = capture_epoch();
	c->done = c->released = c->writing = c->reply = false;
	n = pcapng_shb(shb, sizeof(shb), "containet " VERSION);
	iov = (struct iovec){ shb, (size_t)n };
	pcapng_queue_push(&c->q, &iov, 1, true);
	*ret_id = c->id;
	log_info("capture %u started", c->id);
	return 0;
}

static struct capture *
capture_by_id(struct sw *sw, uint32_t conn, uint32_t id)
{
	for (uint32_t i = 0; i < CAPTURE_MAX; i++) {
		struct capture *c = &sw->caps[i];

		if (c->used && !c->released && c->id == id && c->conn == conn &&
		    c->conn_gen == sw->conns[conn].gen)
			return c;
	}
	return NULL;
}

/* Records nothing more; the statistics of every interface go into the queue's reserve. */
static void
capture_finish(struct sw *sw, struct capture *c)
{
	if (c->done)
		return;
	c->done = true;
	for (uint32_t i = 0; i < c->nifaces; i++) {
		struct pcapng_stats st = {
			.start = c->ifaces[i].start + c->epoch,
			.end = sw->now + c->epoch,
			.recv = c->ifaces[i].recv,
			.drop = c->ifaces[i].drop,
		};
		uint8_t isb[PCAPNG_ISB_LEN];
		struct iovec iov = { isb, 0 };
		int n = pcapng_isb(isb, sizeof(isb), i, &st);

		if (n < 0)
			continue;
		iov.iov_len = (size_t)n;
		pcapng_queue_push(&c->q, &iov, 1, true);
	}
}

static void
capture_release(struct sw *sw, struct capture *c)
{
	capture_finish(sw, c);
	c->released = true;
	c->deadline = sw->now + CAPTURE_DRAIN_S * NS_PER_S;
}

int
capture_stop(struct sw *sw, uint32_t conn, uint32_t id)
{
	struct capture *c = capture_by_id(sw, conn, id);

	if (!c)
		return -ENOENT;
	capture_release(sw, c);
	c->reply = true;
	c->reply_conn = conn;
	c->reply_gen = sw->conns[conn].gen;
	log_info("capture %u stopped: %llu frames, %llu dropped", c->id,
	         (unsigned long long)c->frames, (unsigned long long)c->dropped);
	return 0;
}

void
capture_conn_gone(struct sw *sw, uint32_t conn)
{
	for (uint32_t i = 0; i < CAPTURE_MAX && sw->ncaps; i++) {
		struct capture *c = &sw->caps[i];

		if (c->used && c->conn == conn && c->conn_gen == sw->conns[conn].gen) {
			/* A reply still owed goes out all the same: its send ends the connection.
			 */
			if (c->released)
				continue;
			log_info("capture %u ends with its connection", c->id);
			capture_release(sw, c);
		}
	}
}

uint32_t
capture_list(const struct sw *sw, uint32_t conn, struct ctl_capture *ret, uint32_t max)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < CAPTURE_MAX && n < max; i++) {
		const struct capture *c = &sw->caps[i];

		if (!c->used || c->released || c->conn != conn ||
		    c->conn_gen != sw->conns[conn].gen)
			continue;
		ret[n++] = (struct ctl_capture){
			.id = c->id, .frames = c->frames, .dropped = c->dropped, .done = c->done
		};
	}
	return n;
}

/* The interface of port in c, its IDB queued the first time; UINT32_MAX when none fits. */
static uint32_t
capture_iface(struct sw *sw, struct capture *c, uint32_t port)
{
	const struct port *p = &sw->ports[port];
	uint32_t id = c->ifid[port];
	uint8_t idb[CAPTURE_IDB_MAX];
	struct iovec iov = { idb, 0 };
	int n;

	if (id != UINT32_MAX && c->ifaces[id].gen == p->gen)
		return id;
	if (c->nifaces == CAPTURE_IFACES)
		return UINT32_MAX;
	n = pcapng_idb(idb, sizeof(idb), p->name, c->snaplen);
	if (n < 0)
		return UINT32_MAX;
	iov.iov_len = (size_t)n;
	if (pcapng_queue_push(&c->q, &iov, 1, true) < 0)
		return UINT32_MAX; /* no room even so: this frame is dropped, the next one tries */
	id = c->nifaces++;
	c->ifaces[id] = (struct capture_iface){ .port = port, .gen = p->gen, .start = sw->now };
	c->ifid[port] = id;
	return id;
}

/* One frame into c's queue as an EPB of port's interface, or counted as dropped. */
static void
capture_record(struct sw *sw, struct capture *c, uint32_t port, const struct iovec *eth, size_t n,
               size_t len)
{
	uint8_t head[PCAPNG_EPB_HEAD_LEN], tail[PCAPNG_EPB_TAIL_MAX];
	struct iovec iov[8];
	struct pcapng_packet pk;
	size_t tail_len, left, k = 0;
	uint32_t id = capture_iface(sw, c, port);
	int cap;

	if (id == UINT32_MAX) {
		c->dropped++;
		return;
	}
	pk = (struct pcapng_packet){
		.ifid = id,
		.ts = sw->now + c->epoch,
		.len = len,
		.snaplen = c->snaplen,
		.drops = c->ifaces[id].unreported,
	};
	c->ifaces[id].recv++;
	cap = pcapng_epb_parts(head, tail, &tail_len, &pk);
	if (cap < 0 || n > 6)
		goto drop;
	iov[k++] = (struct iovec){ head, sizeof(head) };
	left = (size_t)cap;
	for (size_t i = 0; i < n && left; i++) {
		size_t take = eth[i].iov_len < left ? eth[i].iov_len : left;

		iov[k++] = (struct iovec){ eth[i].iov_base, take };
		left -= take;
	}
	iov[k++] = (struct iovec){ tail, tail_len };
	if (pcapng_queue_push(&c->q, iov, k, false) < 0)
		goto drop;
	c->ifaces[id].unreported = 0;
	c->frames++;
	if (c->count && c->frames >= c->count)
		capture_finish(sw, c);
	return;
drop:
	c->ifaces[id].drop++;
	c->ifaces[id].unreported++;
	c->dropped++;
}

static bool
capture_names_port(const struct sw *sw, const struct capture *c, uint32_t port)
{
	for (uint32_t i = 0; i < c->nports; i++)
		if (c->ports[i] == port && c->port_gens[i] == sw->ports[port].gen)
			return true;
	return false;
}

void
capture_ingress(struct sw *sw, uint32_t port, const struct iovec *eth, size_t n, size_t len)
{
	uint32_t seg = sw->ports[port].seg;

	for (uint32_t i = 0; i < CAPTURE_MAX; i++) {
		struct capture *c = &sw->caps[i];

		if (!c->used || c->done)
			continue;
		if (c->all || (c->segs[seg / 64] >> (seg % 64) & 1) ||
		    capture_names_port(sw, c, port))
			capture_record(sw, c, port, eth, n, len);
	}
}

void
capture_egress(struct sw *sw, uint32_t port, const struct iovec *eth, size_t n, size_t len)
{
	for (uint32_t i = 0; i < CAPTURE_MAX; i++) {
		struct capture *c = &sw->caps[i];

		if (c->used && !c->done && c->nports && capture_names_port(sw, c, port))
			capture_record(sw, c, port, eth, n, len);
	}
}

/* The descriptor is closed; a released capture's slot goes, with its late reply. */
static void
capture_close(struct sw *sw, struct capture *c)
{
	struct ctl_capture cc = {
		.id = c->id, .frames = c->frames, .dropped = c->dropped, .done = true
	};

	if (c->fd >= 0)
		sw_close_async(sw, c->fd, ud_pack(OP_IGNORE, 0, 0, 0));
	c->fd = -1;
	if (!c->released)
		return;
	if (c->reply)
		control_reply_late(sw, c->reply_conn, c->reply_gen, ctl_reply_capture_stop(&cc));
	capture_release_slot(sw, c);
}

static void
capture_write(struct sw *sw, struct capture *c, uint32_t idx)
{
	struct io_uring_sqe *sqe;
	size_t n = pcapng_queue_peek(&c->q, c->iov);

	if (!n)
		return;
	sqe = sw_sqe(sw);
	/* Offset -1: the file's own position, as write(2) would; pipes have none. */
	io_uring_prep_writev(sqe, c->fd, c->iov, n, -1);
	io_uring_sqe_set_data64(sqe, ud_pack(OP_CAPTURE_WRITE, idx, c->gen, 0));
	c->writing = true;
}

void
capture_flush(struct sw *sw)
{
	for (uint32_t i = 0; i < CAPTURE_MAX; i++) {
		struct capture *c = &sw->caps[i];

		if (!c->used || c->writing)
			continue;
		if (c->fd >= 0 && c->q.len)
			capture_write(sw, c, i);
		else if (c->done && (c->fd >= 0 || c->released))
			capture_close(sw, c); /* drained: the reader sees the end */
	}
}

void
capture_write_done(struct sw *sw, const struct io_uring_cqe *cqe)
{
	struct capture *c = &sw->caps[ud_idx(cqe->user_data)];

	if (!c->used || c->gen != ud_gen(cqe->user_data))
		return;
	c->writing = false;
	if (cqe->res > 0) {
		pcapng_queue_pop(&c->q, (size_t)cqe->res);
		return;
	}
	/* The reader went away (EPIPE), the disk is full, or a stuck write was given up. */
	if (cqe->res != -ECANCELED)
		log_info("capture %u: writing failed: %s", c->id,
		         cqe->res ? strerror(-cqe->res) : "no progress");
	capture_finish(sw, c);
	pcapng_queue_pop(&c->q, c->q.len);
	capture_close(sw, c);
}

/* Once a second: a released capture whose reader takes nothing has its write cancelled. */
void
capture_tick(struct sw *sw)
{
	for (uint32_t i = 0; i < CAPTURE_MAX && sw->ncaps; i++) {
		struct capture *c = &sw->caps[i];
		struct io_uring_sqe *sqe;

		if (!c->used || !c->released || !c->writing || sw->now < c->deadline)
			continue;
		sqe = sw_sqe(sw);
		io_uring_prep_cancel64(sqe, ud_pack(OP_CAPTURE_WRITE, i, c->gen, 0), 0);
		io_uring_sqe_set_data64(sqe, ud_pack(OP_IGNORE, 0, 0, 0));
		c->deadline = UINT64_MAX; /* once */
	}
}
