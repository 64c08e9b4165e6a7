/* The ring: set-up, and the event loop with its dispatch. */
#include "switch.h"

#include "cleanup.h"
#include "log.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define SW_SQ_ENTRIES 1024
#define SW_CQ_ENTRIES 16384
#define SW_BATCH 64 /* completions handled between two submits */
/* A buffer holds a 64 KiB TSO segment, its headers and the vnet header. */
#define SW_BUF_SIZE (65536 + 4096)

static int
ring_setup(struct sw *sw)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL |
		         IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
		.cq_entries = SW_CQ_ENTRIES,
	};
	int r;

	r = io_uring_queue_init_params(SW_SQ_ENTRIES, &sw->ring, &p);
	if (r == -EINVAL) {
		/* Kernels before 6.1: no deferred task running, cooperative instead. */
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN;
		p.cq_entries = SW_CQ_ENTRIES;
		r = io_uring_queue_init_params(SW_SQ_ENTRIES, &sw->ring, &p);
	}
	if (r < 0)
		return r;
	/* One fixed-file slot per port: the slot index is the port index. */
	r = io_uring_register_files_sparse(&sw->ring, sw->cfg.max_ports);
	if (r < 0)
		return r;

	if (sw->cfg.multishot) {
		struct io_uring_probe *probe = io_uring_get_probe_ring(&sw->ring);

		sw->multishot = probe && probe->last_op >= URING_OP_READ_MULTISHOT &&
		                (probe->ops[URING_OP_READ_MULTISHOT].flags & IO_URING_OP_SUPPORTED);
		io_uring_free_probe(probe);
	}
	log_debug("io_uring ready, multishot reads %s", sw->multishot ? "on" : "off");
	return 0;
}

static int
signals_setup(struct sw *sw)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	sw->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return sw->signal_fd < 0 ? -errno : 0;
}

int
sw_init(struct sw *sw, const struct sw_config *cfg)
{
	uint64_t seed;
	int r;

	memset(sw, 0, sizeof(*sw));
	sw->cfg = *cfg;
	sw->listen_fd = sw->signal_fd = -1;
	sw->uid = getuid();
	sw->max_conns = cfg->max_ports + 64;
	/*
	 * Completed writes count as in flight until their completions are reaped, which
	 * under a flood lags behind: a cap well below the pool would drop frames to healthy
	 * ports.  Three quarters still leaves the other ports a quarter of the pool.
	 */
	if (!sw->cfg.inflight_cap)
		sw->cfg.inflight_cap = cfg->nbufs - cfg->nbufs / 4;
	sw->ports = calloc(cfg->max_ports, sizeof(*sw->ports));
	sw->active = calloc(cfg->max_ports, sizeof(*sw->active));
	sw->queued = calloc(cfg->max_ports, sizeof(*sw->queued));
	sw->scratch = malloc(SW_BUF_SIZE);
	sw->conns = calloc(sw->max_conns, sizeof(*sw->conns));
	if (!sw->ports || !sw->active || !sw->queued || !sw->scratch || !sw->conns)
		return -ENOMEM;
	for (uint32_t i = 0; i < cfg->max_ports; i++)
		sw->ports[i].fd = -1;
	for (uint32_t i = 0; i < sw->max_conns; i++)
		sw->conns[i].fd = -1;
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed) ||
	    getrandom(&sw->link_seed, sizeof(sw->link_seed), 0) != sizeof(sw->link_seed))
		return -errno;
	r = segment_init(sw);
	if (r < 0)
		return r;
	r = capture_init(sw);
	if (r < 0)
		return r;
	r = fdb_init(&sw->fdb, cfg->fdb_max, cfg->ageing_s * 1000000000ULL, seed);
	if (r < 0)
		return r;
	r = ring_setup(sw);
	if (r < 0)
		return r;
	r = pool_init(sw, cfg->nbufs, SW_BUF_SIZE);
	if (r < 0)
		return r;
	return signals_setup(sw);
}

void
sw_free(struct sw *sw)
{
	/* A save of the leases under way ends first; then plain closes, no ring round trips. */
	lease_stop(sw);
	link_free(sw);
	for (uint32_t i = 0; i < sw->cfg.max_ports && sw->ports; i++) {
		if (sw->ports[i].fd >= 0 && sw->ports[i].kind == PORT_HOST)
			host_release(sw, i);
		sw->ports[i].fd = safe_close(sw->ports[i].fd);
	}
	sw->nactive = 0;
	vxport_free(sw);
	control_close_all(sw);
	capture_free(sw);
	if (sw->ring.ring_fd > 0)
		io_uring_queue_exit(&sw->ring);
	pool_free(sw);
	safe_close(sw->signal_fd);
	safe_close(sw->listen_fd);
	fdb_free(&sw->fdb);
	segment_free(sw);
	ipam_free(&sw->ipam);
	free(sw->lease_path);
	free(sw->ports);
	free(sw->active);
	free(sw->queued);
	free(sw->scratch);
	free(sw->conns);
}

static void
arm_signal(struct sw *sw)
{
	struct io_uring_sqe *sqe = sw_sqe(sw);

	io_uring_prep_read(sqe, sw->signal_fd, &sw->siginfo, sizeof(sw->siginfo), 0);
	io_uring_sqe_set_data64(sqe, ud_pack(OP_SIGNAL, 0, 0, 0));
}

static void
arm_tick(struct sw *sw)
{
	struct io_uring_sqe *sqe = sw_sqe(sw);

	sw->tick.tv_sec = 1;
	sw->tick.tv_nsec = 0;
	io_uring_prep_timeout(sqe, &sw->tick, 0, 0);
	io_uring_sqe_set_data64(sqe, ud_pack(OP_TICK, 0, 0, 0));
}

static void
signal_done(struct sw *sw, const struct io_uring_cqe *cqe)
{
	if (cqe->res == sizeof(sw->siginfo)) {
		log_info("%s, shutting down", strsignal(sw->siginfo.ssi_signo));
		sw->stop = true;
		return;
	}
	arm_signal(sw);
}

static void
tick_done(struct sw *sw)
{
	uint32_t n = fdb_expire(&sw->fdb, sw->now);

	if (n)
		log_debug("%u forwarding entries aged out", n);
	/* A safety net: a starved port waits at most a tick, whatever the count says. */
	pool_rearm(sw);
	control_tick(sw);
	capture_tick(sw);
	endpoint_tick(sw);
	lease_kick(sw);
	vxport_tick(sw);
	arm_tick(sw);
}

static void
handle_cqe(struct sw *sw, const struct io_uring_cqe *cqe)
{
	switch (ud_op(cqe->user_data)) {
	case OP_READ:
		port_read_done(sw, cqe);
		break;
	case OP_WRITE:
	case OP_WRITEV:
		port_write_done(sw, cqe);
		break;
	case OP_ACCEPT:
		control_accept_done(sw, cqe);
		break;
	case OP_CTL_RECV:
		control_recv_done(sw, cqe);
		break;
	case OP_CTL_SEND:
		control_send_done(sw, cqe);
		break;
	case OP_CTL_CLOSE:
		control_close_done(sw);
		break;
	case OP_SIGNAL:
		signal_done(sw, cqe);
		break;
	case OP_TICK:
		tick_done(sw);
		break;
	case OP_CAPTURE_WRITE:
		capture_write_done(sw, cqe);
		break;
	case OP_TUN_RECV:
		vxport_recv_done(sw, cqe);
		break;
	case OP_TUN_SEND:
		vxport_send_done(sw, cqe);
		break;
	case OP_LEASE:
		if (lease_io_done(sw, cqe)) {
			control_leases_saved(sw);
			endpoint_leases_saved(sw);
		}
		break;
	case OP_IGNORE:
		break;
	}
}

/*
 * Submits and waits for a completion, but no longer than until the next impaired frame
 * is due: one wait on the ring, no thread, no timer of its own.
 */
static int
ring_wait(struct sw *sw)
{
	uint64_t deadline = link_deadline(sw), now;
	struct __kernel_timespec ts;
	struct io_uring_cqe *cqe;

	if (deadline == UINT64_MAX)
		return io_uring_submit_and_wait(&sw->ring, 1);
	now = sw_clock();
	if (deadline <= now)
		return io_uring_submit(&sw->ring);
	ts.tv_sec = (deadline - now) / 1000000000ULL;
	ts.tv_nsec = (deadline - now) % 1000000000ULL;
	return io_uring_submit_and_wait_timeout(&sw->ring, &cqe, 1, &ts, NULL);
}

int
sw_run(struct sw *sw)
{
	int r;

	r = control_start(sw);
	if (r < 0)
		return r;
	arm_signal(sw);
	arm_tick(sw);

	while (!sw->stop) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;

		r = ring_wait(sw);
		if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY && r != -ETIME)
			return r;
		sw->now = sw_clock();
		/*
		 * At most SW_BATCH completions between submits: the writes a batch queues
		 * reach the kernel before they can count against a port's in-flight cap.
		 */
		io_uring_for_each_cqe(&sw->ring, head, cqe)
		{
			handle_cqe(sw, cqe);
			if (++n == SW_BATCH)
				break;
		}
		io_uring_cq_advance(&sw->ring, n);
		/* Buffers freed by this batch go back to the kernel in one step. */
		pool_advance(sw);
		/* A tunnel socket whose receive found no buffer gets it back once some are. */
		if (sw->pool.tun_starved && sw->pool.tun_held < POOL_TUN_BUFS)
			vxport_rearm(sw);
		/* Impaired links: what is due now, write slots freed by this batch included. */
		link_release(sw);
		if (sw->ncaps)
			capture_flush(sw);
	}
	return 0;
}
