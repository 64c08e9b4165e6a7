/*
 * Ports: attaching them, and a frame's path from the port that read it to the ports it
 * goes to.  Ingress: captures (what the node sent), the link's carrier and ingress
 * impairment, then the VLAN classification (vlan.c) and the forwarding decision, keyed by
 * (segment, VLAN).  Egress, one path for every kind of port: port_egress (the policy
 * step: the carrier, then impairment, whose queue hands frames back later) then
 * port_transmit: the tag edit for the port's VLAN role, captures, then the write.
 *
 * The tag edit never touches the shared buffer, which other ports may be writing: the
 * edited head of the frame (virtio header, MAC addresses, the tag if any) goes as the
 * write's prefix, and the buffer follows from the end of its own head on (pool_write),
 * so a tag is inserted or stripped without copying the frame.
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
	p->vlan = model->vlan;
	memcpy(p->mac, model->mac, sizeof(p->mac));
	p->inflight = 0;
	p->starved = false;
	memset(&p->st, 0, sizeof(p->st));
	strcpy(p->node, model->node);
	strcpy(p->ifname, model->ifname);
	strcpy(p->name, model->name);
	p->active_pos = sw->nactive;
	sw->active[sw->nactive++] = idx;
	p->ipv4 = 0;
	p->hostname[0] = '\0';
	segment_join(sw, model->seg, idx);
	link_port_open(sw, idx);
	pool_arm_read(sw, idx);
	endpoint_port_added(sw, idx);
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
	link_port_close(sw, idx);
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

void
port_vlan_from_ctl(struct vlan_role *ret, const struct ctl_vlan *v)
{
	vlan_role_none(ret);
	switch (v->mode) {
	case CTL_VLAN_NONE:
		break;
	case CTL_VLAN_ACCESS:
		vlan_role_access(ret, v->access);
		break;
	case CTL_VLAN_TRUNK:
		ret->mode = VLAN_MODE_TRUNK;
		ret->pvid = v->native;
		memcpy(ret->set, v->trunk, sizeof(ret->set));
		break;
	}
}

void
port_vlan_to_ctl(const struct vlan_role *r, struct ctl_vlan *ret)
{
	memset(ret, 0, sizeof(*ret));
	switch (r->mode) {
	case VLAN_MODE_NONE:
		break;
	case VLAN_MODE_ACCESS:
		ret->mode = CTL_VLAN_ACCESS;
		ret->access = r->pvid;
		break;
	case VLAN_MODE_TRUNK:
		ret->mode = CTL_VLAN_TRUNK;
		ret->native = r->pvid;
		memcpy(ret->trunk, r->set, sizeof(ret->trunk));
		break;
	}
}

/* The bytes of a frame's head a tag edit rewrites: virtio header, MACs, a tag. */
#define PORT_EDIT_LEN (TAP_VNET_HDR_LEN + VLAN_ETH_LEN + VLAN_TAG_LEN)

/* The tag edit, the captures and the write of frame f to port out; -ENOBUFS: not now. */
int
port_transmit(struct sw *sw, uint32_t out, const struct frame *f)
{
	struct port *p = &sw->ports[out];
	const uint8_t *data = f->data;
	/* Ports without a role, most of them, skip even the call. */
	enum vlan_out how =
	        p->vlan.mode == VLAN_MODE_NONE ? VLAN_OUT_ASIS : vlan_egress(&p->vlan, f->vid);
	uint8_t head[VLAN_TAG_LEN + PORT_EDIT_LEN], *edited = head + VLAN_TAG_LEN;
	size_t n = f->len < PORT_EDIT_LEN ? f->len : PORT_EDIT_LEN, len = n;
	struct iovec eth[2];
	int r;

	if (p->kind == PORT_VXLAN) {
		/* A tunnel carries frames as they are: a VXLAN port has no VLAN role. */
		if (sw->ncaps) {
			eth[0] = (struct iovec){ (uint8_t *)data + TAP_VNET_HDR_LEN,
				                 f->len - TAP_VNET_HDR_LEN };
			capture_egress(sw, out, eth, 1, eth[0].iov_len);
		}
		vxport_transmit(sw, out, f);
		return 0;
	}
	if (how == VLAN_OUT_DROP)
		return 0;
	if (how != VLAN_OUT_ASIS) {
		memcpy(edited, data, n);
		r = vlan_edit(&edited, &len, VLAN_TAG_LEN, how, f->vid);
		if (r < 0) {
			p->st.tx_drops++;
			log_trace("port %s: tag edit refused a frame: %s", p->name, strerror(-r));
			return 0;
		}
		if (len == n && !memcmp(edited, data, n))
			how = VLAN_OUT_ASIS; /* already as it should leave */
	}
	/* Captures see what was handed to the port, once the write is under way. */
	if (how == VLAN_OUT_ASIS) {
		r = pool_write(sw, out, f, NULL, 0, 0);
		if (r == 0 && sw->ncaps) {
			eth[0] = (struct iovec){ (uint8_t *)data + TAP_VNET_HDR_LEN,
				                 f->len - TAP_VNET_HDR_LEN };
			capture_egress(sw, out, eth, 1, eth[0].iov_len);
		}
	} else {
		r = pool_write(sw, out, f, edited, len, n);
		if (r == 0 && sw->ncaps) {
			eth[0] =
			        (struct iovec){ edited + TAP_VNET_HDR_LEN, len - TAP_VNET_HDR_LEN };
			eth[1] = (struct iovec){ (uint8_t *)data + n, f->len - n };
			capture_egress(sw, out, eth, 2, eth[0].iov_len + eth[1].iov_len);
		}
	}
	return r;
}

void
port_egress(struct sw *sw, uint32_t out, const struct frame *f)
{
	struct port *p = &sw->ports[out];

	if (p->carrier_down) {
		p->st.tx_drops++;
		return;
	}
	if (p->impaired[IMPAIR_EGRESS]) {
		link_impair(sw, out, IMPAIR_EGRESS, f);
		return;
	}
	if (port_transmit(sw, out, f) < 0)
		p->st.tx_drops++;
}

void
port_send(struct sw *sw, uint32_t out, const struct frame *f)
{
	port_egress(sw, out, f);
}

void
port_forward(struct sw *sw, uint32_t in, const struct frame *rf)
{
	struct port *p = &sw->ports[in];
	const uint8_t *frame = rf->data;
	const struct segment *seg;
	struct vlan_class vc = {};
	enum vlan_verdict vv;
	struct frame fv = *rf, *f = &fv;
	enum fwd_verdict v;
	uint32_t out;

	if (f->len < TAP_VNET_HDR_LEN + ETH_HDR_LEN) {
		p->st.rx_drops++;
		return;
	}
	vv = vlan_ingress(&p->vlan, (const struct virtio_net_hdr_v1 *)frame,
	                  frame + TAP_VNET_HDR_LEN, f->len - TAP_VNET_HDR_LEN, &vc);
	if (vv != VLAN_PASS) {
		p->st.rx_drops++;
		log_trace("port %s: dropped a frame of %u bytes: %s", p->name, f->len,
		          vlan_verdict_name(vv));
		return;
	}
	f->vid = vc.vid;
	/* Frames for the segment's local endpoint (its service address, DHCP, DNS, RA). */
	if (sw->segs[p->seg].ep && endpoint_input(sw, in, f))
		return;
	/* A read that fills the whole buffer may have been cut short: oversize. */
	v = fwd_decide_vlan(&sw->fdb, p->seg, f->vid, in, frame, f->len, TAP_VNET_HDR_LEN,
	                    sw->pool.buf_size - 1, sw->now, &out);
	switch (v) {
	case FWD_UNICAST:
		port_egress(sw, out, f);
		break;
	case FWD_FLOOD:
		seg = &sw->segs[p->seg];
		for (uint32_t i = 0; i < seg->nmembers; i++) {
			uint32_t m = seg->members[i];

			/* Flooding stays inside the frame's VLAN. */
			if (m != in && (sw->ports[m].vlan.mode == VLAN_MODE_NONE ||
			                vlan_role_carries(&sw->ports[m].vlan, f->vid)))
				port_egress(sw, m, f);
		}
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
port_ingress(struct sw *sw, uint32_t in, const struct frame *f)
{
	struct port *p = &sw->ports[in];

	p->st.rx_frames++;
	p->st.rx_bytes += f->len > TAP_VNET_HDR_LEN ? f->len - TAP_VNET_HDR_LEN : 0;
	/* Captures see what the port's node sent, what the switch then drops included. */
	if (sw->ncaps && f->len > TAP_VNET_HDR_LEN) {
		struct iovec eth = { f->data + TAP_VNET_HDR_LEN, f->len - TAP_VNET_HDR_LEN };

		capture_ingress(sw, in, &eth, 1, eth.iov_len);
	}
	/* A pulled cable: nothing the node sends gets through. */
	if (p->carrier_down) {
		p->st.rx_drops++;
		return;
	}
	if (p->impaired[IMPAIR_INGRESS]) {
		link_impair(sw, in, IMPAIR_INGRESS, f);
		return;
	}
	port_forward(sw, in, f);
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
