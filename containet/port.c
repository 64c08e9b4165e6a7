/*
 * Ports: attaching them, and a frame's path from the port that read it to the ports it
 * goes to.  Ingress: the forwarding decision.  Egress, one path for every kind of port:
 * the tag edit (none yet), then the write (pool_write, which may put a prefix in front of
 * the shared buffer).  Captures will watch at ingress and at the write.
 */
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

uint32_t
port_slot(const struct sw *sw)
{
	for (uint32_t idx = 0; idx < sw->cfg.max_ports; idx++)
		if (sw->ports[idx].fd < 0)
			return idx;
	return UINT32_MAX;
}

int
port_open(struct sw *sw, uint32_t idx, int fd, const struct port *model, const char **ret_error)
{
	struct port *p = &sw->ports[idx];
	int r, flags;

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
	p->fd = fd;
	p->kind = model->kind;
	p->conn = model->conn;
	p->has_mac = model->has_mac;
	p->masquerade = model->masquerade;
	memcpy(p->mac, model->mac, sizeof(p->mac));
	p->inflight = 0;
	p->starved = false;
	memset(&p->st, 0, sizeof(p->st));
	strcpy(p->node, model->node);
	strcpy(p->ifname, model->ifname);
	strcpy(p->name, model->name);
	p->active_pos = sw->nactive;
	sw->active[sw->nactive++] = idx;
	segment_join(sw, model->seg, idx);
	pool_arm_read(sw, idx);
	log_info("port %s (%s) in segment %s (slot %u)", p->name, port_kind_name(p->kind),
		 sw->segs[p->seg].name, idx);
	return 0;
}

int
port_attach(struct sw *sw, uint32_t conn, uint32_t seg, const char *node, const char *ifname,
	    int fd, const char **ret_name, const char **ret_error)
{
	struct port model = { .kind = PORT_TAP, .conn = conn, .seg = seg };
	char tapname[IFNAMSIZ];
	uint32_t idx;
	int r;

	r = tap_check(fd, tapname);
	if (r == -ENOTTY) {
		*ret_error = "the file descriptor is not a tap device";
		return r;
	}
	if (r < 0) {
		*ret_error = "the tap must be IFF_TAP|IFF_NO_PI|IFF_VNET_HDR";
		return r;
	}
	if (ctl_port_name(node, ifname, model.name) < 0) {
		*ret_error = "port name too long";
		return -ENAMETOOLONG;
	}
	if (port_find(sw, model.name) != UINT32_MAX) {
		*ret_error = "a port of that name exists";
		return -EEXIST;
	}
	idx = port_slot(sw);
	if (idx == UINT32_MAX) {
		*ret_error = "the switch has no free port";
		return -ENOSPC;
	}
	strcpy(model.node, node);
	strcpy(model.ifname, ifname);
	r = port_open(sw, idx, fd, &model, ret_error);
	if (r < 0)
		return r;
	*ret_name = sw->ports[idx].name;
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
	segment_leave(sw, idx);
	last = sw->active[--sw->nactive];
	sw->active[p->active_pos] = last;
	sw->ports[last].active_pos = p->active_pos;
	pool_forget(sw, p);
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

const char *
port_kind_name(enum port_kind kind)
{
	return kind == PORT_HOST ? "host" : kind == PORT_VXLAN ? "vxlan" : "tap";
}

/* The egress path of port out for frame f. */
static void
port_egress(struct sw *sw, uint32_t out, const struct frame *f)
{
	if (sw->ports[out].kind == PORT_VXLAN) {
		vxport_transmit(sw, out, f);
		return;
	}
	if (pool_write(sw, out, f, NULL, 0, 0) < 0)
		sw->ports[out].st.tx_drops++;
}

void
port_ingress(struct sw *sw, uint32_t in, const struct frame *f)
{
	struct port *p = &sw->ports[in];
	const uint8_t *frame = pool_data(sw, f->bid);
	const struct segment *seg;
	enum fwd_verdict v;
	uint32_t out;

	p->st.rx_frames++;
	p->st.rx_bytes += f->len > TAP_VNET_HDR_LEN ? f->len - TAP_VNET_HDR_LEN : 0;
	/* A read that fills the whole buffer may have been cut short: oversize. */
	v = fwd_decide(&sw->fdb, p->seg, in, frame, f->len, TAP_VNET_HDR_LEN,
		       sw->pool.buf_size - 1, sw->now, &out);
	switch (v) {
	case FWD_UNICAST:
		port_egress(sw, out, f);
		break;
	case FWD_FLOOD:
		seg = &sw->segs[p->seg];
		for (uint32_t i = 0; i < seg->nmembers; i++)
			if (seg->members[i] != in)
				port_egress(sw, seg->members[i], f);
		break;
	default:
		p->st.rx_drops++;
		log_trace("port %s: dropped a frame of %u bytes: %s", p->name, f->len,
			  fwd_verdict_name(v));
		return;
	}
	/* The node's own address, as far as the switch can tell: the first source it used. */
	if (!p->has_mac) {
		memcpy(p->mac, frame + TAP_VNET_HDR_LEN + 6, sizeof(p->mac));
		p->has_mac = true;
	}
}

void
port_read_done(struct sw *sw, const struct io_uring_cqe *cqe)
{
	struct frame f;

	switch (pool_read_done(sw, cqe, &f)) {
	case POOL_READ_FRAME:
		port_ingress(sw, ud_idx(cqe->user_data), &f);
		pool_put(sw, f.bid);
		break;
	case POOL_READ_ENDED:
		port_release(sw, ud_idx(cqe->user_data));
		break;
	case POOL_READ_NONE:
		break;
	}
}

void
port_write_done(struct sw *sw, const struct io_uring_cqe *cqe)
{
	uint32_t idx = pool_write_done(sw, cqe);
	struct port *p;

	if (idx == UINT32_MAX)
		return;
	p = &sw->ports[idx];
	if (cqe->res < 0) {
		p->st.tx_drops++;
		log_trace("port %s: write failed: %s", p->name, strerror(-cqe->res));
		return;
	}
	p->st.tx_frames++;
	p->st.tx_bytes += cqe->res > TAP_VNET_HDR_LEN ? cqe->res - TAP_VNET_HDR_LEN : 0;
}
