/* Ports: attaching taps, and the data path (read, decide, write without copying). */
#include "switch.h"

#include "fwd.h"
#include "log.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <string.h>

#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40
#endif

#define PORT_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)

static void
port_arm_read(struct sw *sw, uint32_t idx)
{
	struct port *p = &sw->ports[idx];
	struct io_uring_sqe *sqe = sw_sqe(sw);

	if (sw->multishot) {
		uring_prep_read_multishot(sqe, idx, 0);
	} else {
		io_uring_prep_read(sqe, idx, NULL, sw->buf_size, 0);
		sqe->flags |= IOSQE_BUFFER_SELECT;
		sqe->buf_group = 0;
	}
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, ud_pack(OP_READ, idx, p->gen, 0));
	p->reading = true;
}

uint32_t
port_find(const struct sw *sw, const char *name)
{
	for (uint32_t i = 0; i < sw->nactive; i++)
		if (!strcmp(sw->ports[sw->active[i]].name, name))
			return sw->active[i];
	return UINT32_MAX;
}

/* Offloads let 64 KiB segments through untouched; without USO on older kernels. */
static void
port_set_offload(int fd)
{
	if (tap_set_offload(fd, PORT_OFFLOADS | TUN_F_USO4 | TUN_F_USO6) < 0 &&
	    tap_set_offload(fd, PORT_OFFLOADS) < 0)
		log_debug("tap offloads refused, frames stay unsegmented on this port");
}

int
port_attach(struct sw *sw, uint32_t conn, const char *node, const char *ifname, int fd,
	    const char **ret_name, const char **ret_error)
{
	char name[CTL_PORT_NAME_MAX], tapname[IFNAMSIZ];
	uint32_t idx;
	struct port *p;
	int r, flags;

	r = tap_check(fd, tapname);
	if (r == -ENOTTY) {
		*ret_error = "the file descriptor is not a tap device";
		return r;
	}
	if (r < 0) {
		*ret_error = "the tap must be IFF_TAP|IFF_NO_PI|IFF_VNET_HDR";
		return r;
	}
	if (ctl_port_name(node, ifname, name) < 0) {
		*ret_error = "port name too long";
		return -ENAMETOOLONG;
	}
	if (port_find(sw, name) != UINT32_MAX) {
		*ret_error = "a port of that name exists";
		return -EEXIST;
	}
	for (idx = 0; idx < sw->cfg.max_ports && sw->ports[idx].fd >= 0; idx++)
		;
	if (idx == sw->cfg.max_ports) {
		*ret_error = "the switch has no free port";
		return -ENOSPC;
	}
	/* Non-blocking, so the ring reads and writes inline and polls instead of using workers. */
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		*ret_error = "cannot make the tap non-blocking";
		return -errno;
	}
	if (sw->cfg.offload)
		port_set_offload(fd);
	r = io_uring_register_files_update(&sw->ring, idx, &fd, 1);
	if (r < 0) {
		*ret_error = "cannot register the tap with the ring";
		return r;
	}

	p = &sw->ports[idx];
	p->fd = fd;
	p->conn = conn;
	p->inflight = 0;
	p->starved = false;
	memset(&p->st, 0, sizeof(p->st));
	strcpy(p->node, node);
	strcpy(p->ifname, ifname);
	strcpy(p->name, name);
	p->active_pos = sw->nactive;
	sw->active[sw->nactive++] = idx;
	port_arm_read(sw, idx);
	log_info("port %s attached (tap %s, slot %u)", p->name, tapname, idx);
	*ret_name = p->name;
	return 0;
}

/*
 * Frees the slot; the fd is closed once nothing on the ring may still use it.  The last
 * close of a tap unregisters its device, which waits for RCU grace periods (about 15 ms):
 * done on the loop's thread, a crowd of containers leaving at once would stall every other
 * port for seconds, so it goes to an io-wq worker.
 */
static void
port_release(struct sw *sw, uint32_t idx)
{
	struct port *p = &sw->ports[idx];

	sw_close_async(sw, p->fd, ud_pack(OP_IGNORE, 0, 0, 0));
	p->fd = -1;
	p->gen++;
	p->closing = false;
}

void
port_detach(struct sw *sw, uint32_t idx)
{
	struct port *p = &sw->ports[idx];
	struct io_uring_sqe *sqe;
	uint32_t last;
	int none = -1;

	log_info("port %s detached", p->name);
	/* No new request can reach the tap once its slot is empty. */
	io_uring_register_files_update(&sw->ring, idx, &none, 1);
	fdb_flush_port(&sw->fdb, idx);
	last = sw->active[--sw->nactive];
	sw->active[p->active_pos] = last;
	sw->ports[last].active_pos = p->active_pos;
	if (p->starved)
		sw->nstarved--;
	p->starved = false;
	p->name[0] = '\0';
	p->closing = true;
	if (!p->reading) {
		port_release(sw, idx);
		return;
	}
	/* The read's last completion releases the slot (port_read_done). */
	sqe = sw_sqe(sw);
	io_uring_prep_cancel64(sqe, ud_pack(OP_READ, idx, p->gen, 0), 0);
	io_uring_sqe_set_data64(sqe, ud_pack(OP_IGNORE, 0, 0, 0));
}

/* Queues a write of buffer bid to port out; drops it when the port has too many in flight. */
static void
port_send(struct sw *sw, uint32_t out, uint16_t bid, unsigned len)
{
	struct port *p = &sw->ports[out];
	struct io_uring_sqe *sqe;

	if (p->inflight >= sw->cfg.inflight_cap) {
		p->st.tx_drops++;
		return;
	}
	sqe = sw_sqe(sw);
	io_uring_prep_write(sqe, out, sw->bufs + (size_t)bid * sw->buf_size, len, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, ud_pack(OP_WRITE, out, p->gen, bid));
	sw->refs[bid]++;
	p->inflight++;
}

static void
port_forward(struct sw *sw, uint32_t in, uint16_t bid, unsigned len)
{
	struct port *p = &sw->ports[in];
	uint8_t *frame = sw->bufs + (size_t)bid * sw->buf_size;
	enum fwd_verdict v;
	uint32_t out;

	p->st.rx_frames++;
	p->st.rx_bytes += len > TAP_VNET_HDR_LEN ? len - TAP_VNET_HDR_LEN : 0;
	/* A read that fills the whole buffer may have been cut short: oversize. */
	v = fwd_decide(&sw->fdb, in, frame, len, TAP_VNET_HDR_LEN, sw->buf_size - 1, sw->now,
		       &out);
	switch (v) {
	case FWD_UNICAST:
		port_send(sw, out, bid, len);
		break;
	case FWD_FLOOD:
		for (uint32_t i = 0; i < sw->nactive; i++)
			if (sw->active[i] != in)
				port_send(sw, sw->active[i], bid, len);
		break;
	default:
		p->st.rx_drops++;
		log_trace("port %s: dropped a frame of %u bytes: %s", p->name, len,
			  fwd_verdict_name(v));
		break;
	}
	if (sw->refs[bid] == 0)
		sw_buf_put(sw, bid);
}

static void
port_read_failed(struct sw *sw, uint32_t idx, int err)
{
	struct port *p = &sw->ports[idx];

	switch (err) {
	case -ENOBUFS:
		/* Every buffer is in flight: resume once some come back. */
		if (!p->starved) {
			p->starved = true;
			sw->nstarved++;
		}
		break;
	case -EINVAL:
		if (sw->multishot) {
			log_info("multishot reads refused by the kernel, using single reads");
			sw->multishot = false;
			port_arm_read(sw, idx);
			break;
		}
		/* fall through */
	default:
		log_warn_errno(err, "port %s: read failed, port stays idle", p->name);
		break;
	case -EAGAIN:
	case -EINTR:
		port_arm_read(sw, idx);
		break;
	}
}

void
port_read_done(struct sw *sw, const struct io_uring_cqe *cqe)
{
	uint32_t idx = ud_idx(cqe->user_data);
	struct port *p = &sw->ports[idx];
	bool current = p->fd >= 0 && p->gen == ud_gen(cqe->user_data);
	uint16_t bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
	bool has_buf = cqe->flags & IORING_CQE_F_BUFFER;

	if (has_buf)
		sw_buf_got(sw);
	if (!current || p->closing) {
		/* The port went away while the read was under way. */
		if (has_buf)
			sw_buf_put(sw, bid);
		if (current && !(cqe->flags & IORING_CQE_F_MORE)) {
			p->reading = false;
			port_release(sw, idx);
		}
		return;
	}
	if (!(cqe->flags & IORING_CQE_F_MORE))
		p->reading = false;
	if (cqe->res < 0) {
		if (cqe->res != -ECANCELED)
			port_read_failed(sw, idx, cqe->res);
		return;
	}
	if (!p->reading)
		port_arm_read(sw, idx);
	if (has_buf)
		port_forward(sw, idx, bid, cqe->res);
}

void
port_write_done(struct sw *sw, const struct io_uring_cqe *cqe)
{
	uint32_t idx = ud_idx(cqe->user_data);
	struct port *p = &sw->ports[idx];

	sw_buf_put(sw, ud_bid(cqe->user_data));
	if (p->fd < 0 || p->gen != ud_gen(cqe->user_data))
		return;
	p->inflight--;
	if (p->closing)
		return;
	if (cqe->res < 0) {
		p->st.tx_drops++;
		log_trace("port %s: write failed: %s", p->name, strerror(-cqe->res));
		return;
	}
	p->st.tx_frames++;
	p->st.tx_bytes += cqe->res > TAP_VNET_HDR_LEN ? cqe->res - TAP_VNET_HDR_LEN : 0;
}

void
port_rearm_all(struct sw *sw)
{
	if (!sw->nstarved)
		return;
	for (uint32_t i = 0; i < sw->nactive; i++) {
		struct port *p = &sw->ports[sw->active[i]];

		if (p->starved) {
			p->starved = false;
			if (!p->reading)
				port_arm_read(sw, sw->active[i]);
		}
	}
	sw->nstarved = 0;
}
