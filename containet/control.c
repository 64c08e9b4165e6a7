/*
 * The control socket: accept, receive one request (with at most one fd), answer it,
 * then receive the next.  Every step goes through the ring.  A port lives exactly as
 * long as the connection that attached it.  Every descriptor a client hands over, and
 * every connection, is closed on an io-wq worker: a last close may block for as long as
 * its sender likes (a TCP socket's SO_LINGER), and the loop forwards for everyone.
 */
#include "switch.h"

#include "fdpass.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define CONN_SNDBUF (4 << 20)    /* room for a "ports" reply on a full switch */
#define CONTROL_IDLE_S 10        /* a connection that never sends a request goes after this */
#define CONTROL_SPARE 16         /* slots kept for connections on their way out */
#define CONTROL_FDLIMIT_LOG_S 60 /* "out of descriptors" is said at most this often */
#define NS_PER_S 1000000000ULL

static void conn_close(struct sw *sw, uint32_t idx);

int
control_start(struct sw *sw)
{
	struct io_uring_sqe *sqe = sw_sqe(sw);

	io_uring_prep_multishot_accept(sqe, sw->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, ud_pack(OP_ACCEPT, 0, 0, 0));
	sw->accepting = true;
	return 0;
}

/* A descriptor from a client, closed off the loop's thread. */
static void
control_close_fd(struct sw *sw, int fd)
{
	if (fd >= 0)
		sw_close_async(sw, fd, ud_pack(OP_IGNORE, 0, 0, 0));
}

static void
conn_arm_recv(struct sw *sw, uint32_t idx)
{
	struct conn *c = &sw->conns[idx];
	struct io_uring_sqe *sqe = sw_sqe(sw);

	c->iov.iov_base = c->rbuf;
	c->iov.iov_len = CTL_MSG_MAX + 1;
	memset(&c->msg, 0, sizeof(c->msg));
	c->msg.msg_iov = &c->iov;
	c->msg.msg_iovlen = 1;
	c->msg.msg_control = c->cmsg.buf;
	c->msg.msg_controllen = sizeof(c->cmsg.buf);
	io_uring_prep_recvmsg(sqe, c->fd, &c->msg, MSG_CMSG_CLOEXEC);
	io_uring_sqe_set_data64(sqe, ud_pack(OP_CTL_RECV, idx, c->gen, 0));
	c->receiving = true;
}

/* Sends text (taking ownership) as the reply; the next request is read once it is out. */
static void
conn_reply(struct sw *sw, uint32_t idx, char *text)
{
	struct conn *c = &sw->conns[idx];
	struct io_uring_sqe *sqe;

	if (!text) {
		log_warn("out of memory building a reply, closing connection %u", idx);
		conn_close(sw, idx);
		return;
	}
	c->reply = text;
	sqe = sw_sqe(sw);
	io_uring_prep_send(sqe, c->fd, text, strlen(text), MSG_NOSIGNAL);
	io_uring_sqe_set_data64(sqe, ud_pack(OP_CTL_SEND, idx, c->gen, 0));
}

/* Marks a request whose reply comes later (control_reply_late), from handle_request. */
static char reply_later[1];

void
control_reply_late(struct sw *sw, uint32_t idx, uint16_t gen, char *text)
{
	if (sw->conns[idx].fd < 0 || sw->conns[idx].gen != gen) {
		free(text);
		return;
	}
	conn_reply(sw, idx, text);
}

static void
conn_detach_ports(struct sw *sw, uint32_t idx)
{
	if (sw->ncaps)
		capture_conn_gone(sw, idx);
	for (uint32_t i = 0; i < sw->nactive;) {
		uint32_t p = sw->active[i];

		if (sw->ports[p].conn == idx)
			port_detach(sw, p); /* moves the last active port into position i */
		else
			i++;
	}
	sw->conns[idx].nports = 0;
}

/* Frees the slot; nothing on the ring may use the connection any more. */
static void
conn_release(struct sw *sw, uint32_t idx, bool async)
{
	struct conn *c = &sw->conns[idx];

	conn_detach_ports(sw, idx);
	/* Its receive queue may hold messages with descriptors: its close is theirs too. */
	if (async)
		sw_close_async(sw, c->fd, ud_pack(OP_CTL_CLOSE, 0, 0, 0));
	else
		close(c->fd);
	free(c->rbuf);
	free(c->reply);
	free(c->lease_reply);
	c->fd = -1;
	c->rbuf = c->reply = c->lease_reply = NULL;
	c->lease_need = 0;
	c->gen++;
	c->closing = c->denied = c->spoke = c->receiving = false;
}

static void
conn_close(struct sw *sw, uint32_t idx)
{
	conn_release(sw, idx, true);
}

/*
 * Ends a connection from the switch's side: its ports go now, its slot once the
 * receive or send under way completes (the kernel may still write to its buffers).
 */
static void
conn_shut(struct sw *sw, uint32_t idx)
{
	struct conn *c = &sw->conns[idx];
	struct io_uring_sqe *sqe;

	c->closing = true;
	conn_detach_ports(sw, idx);
	/* The peer sees the end at once; a send stuck on a full peer fails. */
	shutdown(c->fd, SHUT_RDWR);
	if (!c->receiving)
		return; /* the send's completion closes it */
	sqe = sw_sqe(sw);
	io_uring_prep_cancel64(sqe, ud_pack(OP_CTL_RECV, idx, c->gen, 0), 0);
	io_uring_sqe_set_data64(sqe, ud_pack(OP_IGNORE, 0, 0, 0));
}

void
control_close_all(struct sw *sw)
{
	for (uint32_t i = 0; i < sw->max_conns && sw->conns; i++)
		if (sw->conns[i].fd >= 0)
			conn_release(sw, i, false);
}

/*
 * Closes a connection waiting for a request at once, slot and all.  Its receive is
 * cancelled synchronously first: once cancelled (or found complete, its completion still
 * to be reaped and then ignored), the kernel no longer writes to the slot's buffers.
 * A burst of new connections could otherwise outrun the cancellations and find no slot.
 * Returns whether the slot is free.
 */
static bool
conn_evict(struct sw *sw, uint32_t idx)
{
	struct conn *c = &sw->conns[idx];
	struct io_uring_sync_cancel_reg reg = {
		.addr = ud_pack(OP_CTL_RECV, idx, c->gen, 0),
		.timeout = { .tv_sec = -1, .tv_nsec = -1 },
	};
	int r;

	/* A receive still in the submission queue cannot be found: send it first. */
	io_uring_submit(&sw->ring);
	r = io_uring_register_sync_cancel(&sw->ring, &reg);
	if (r < 0 && r != -ENOENT) {
		conn_shut(sw, idx); /* its slot frees once the cancellation completes */
		return false;
	}
	c->receiving = false;
	conn_close(sw, idx);
	return true;
}

/*
 * The connection to give up for a new one when the table is full: one waiting for a
 * request and holding no port, the one that never spoke first, then the longest idle.
 * UINT32_MAX when there is none.
 */
static uint32_t
conn_victim(const struct sw *sw)
{
	uint32_t best = UINT32_MAX;

	for (uint32_t i = 0; i < sw->max_conns; i++) {
		const struct conn *c = &sw->conns[i];
		const struct conn *b = &sw->conns[best == UINT32_MAX ? i : best];

		if (c->fd < 0 || c->closing || !c->receiving || c->nports)
			continue;
		if (best == UINT32_MAX || (!c->spoke && b->spoke) ||
		    (c->spoke == b->spoke && c->last < b->last))
			best = i;
	}
	return best;
}

/* A new connection's slot, making room if the table is full; UINT32_MAX if there is none. */
static uint32_t
conn_slot(struct sw *sw)
{
	uint32_t live = 0, free_idx = UINT32_MAX, victim;

	for (uint32_t i = 0; i < sw->max_conns; i++) {
		if (sw->conns[i].fd < 0) {
			if (free_idx == UINT32_MAX)
				free_idx = i;
		} else if (!sw->conns[i].closing) {
			live++;
		}
	}
	/* Full: an attach must still get in, so an idle connection without ports makes room. */
	if (live >= sw->max_conns - CONTROL_SPARE) {
		victim = conn_victim(sw);
		if (victim == UINT32_MAX)
			return UINT32_MAX;
		log_debug("control connections full, closing idle connection %u", victim);
		if (conn_evict(sw, victim) && free_idx == UINT32_MAX)
			free_idx = victim;
	}
	return free_idx;
}

/* Out of descriptors (or memory): no accept until a connection closes, or the next tick. */
static void
control_fd_limit(struct sw *sw, int err)
{
	if (sw->fdlimit_logged && sw->now - sw->fdlimit_logged < CONTROL_FDLIMIT_LOG_S * NS_PER_S)
		return;
	sw->fdlimit_logged = sw->now;
	log_warn_errno(err,
	               "accept on the control socket: not accepting until a connection closes");
}

void
control_close_done(struct sw *sw)
{
	if (!sw->accepting && !sw->stop)
		control_start(sw);
}

/* Once a second: close connections that never sent a request; retry a stopped accept. */
void
control_tick(struct sw *sw)
{
	for (uint32_t i = 0; i < sw->max_conns; i++) {
		struct conn *c = &sw->conns[i];

		if (c->fd < 0 || c->closing || c->spoke || !c->receiving ||
		    sw->now - c->last < CONTROL_IDLE_S * NS_PER_S)
			continue;
		log_debug("connection %u sent no request in %d s, closing it", i, CONTROL_IDLE_S);
		conn_shut(sw, i);
	}
	control_close_done(sw);
}

/* Root, the switch's own user, and members of --group may talk to the switch. */
static bool
peer_allowed(struct sw *sw, int fd, uid_t *ret_uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t groups[256];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	*ret_uid = cred.uid;
	if (cred.uid == 0 || cred.uid == sw->uid)
		return true;
	if (sw->cfg.group == (gid_t)-1)
		return false;
	if (cred.gid == sw->cfg.group)
		return true;
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == sw->cfg.group)
			return true;
	return false;
}

void
control_accept_done(struct sw *sw, const struct io_uring_cqe *cqe)
{
	int fd = cqe->res, size = CONN_SNDBUF;
	uint32_t idx;
	struct conn *c;

	if (!(cqe->flags & IORING_CQE_F_MORE))
		sw->accepting = false;
	if (fd == -EMFILE || fd == -ENFILE || fd == -ENOMEM || fd == -ENOBUFS) {
		/* Re-armed now, it would fail again at once, for ever. */
		control_fd_limit(sw, fd);
		return;
	}
	if (!sw->accepting && !sw->stop)
		control_start(sw);
	if (fd < 0) {
		log_warn_errno(fd, "accept on the control socket failed");
		return;
	}
	idx = conn_slot(sw);
	if (idx == UINT32_MAX) {
		log_warn("too many control connections, refusing one");
		control_close_fd(sw, fd);
		return;
	}
	c = &sw->conns[idx];
	c->fd = fd;
	c->last = sw->now;
	c->rbuf = malloc(CTL_MSG_MAX + 1);
	if (!c->rbuf) {
		conn_close(sw, idx);
		return;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	/* A refused peer still gets its request read, so that it can read the refusal. */
	c->denied = !peer_allowed(sw, fd, &c->uid);
	if (c->denied)
		log_info("refusing a control connection from uid %u", (unsigned)c->uid);
	log_debug("control connection %u from uid %u", idx, (unsigned)c->uid);
	conn_arm_recv(sw, idx);
}

static char *
reply_ok(void)
{
	_cleanup_json_ cJSON *o = ctl_reply_ok();

	return o ? cJSON_PrintUnformatted(o) : NULL;
}

/* The reply to a failed attach whose port exists: the port goes, the error is said. */
static char *
attach_undo(struct sw *sw, uint32_t idx, uint32_t port, uint16_t gen, int err)
{
	struct port *p = &sw->ports[port];

	if (p->fd >= 0 && p->gen == gen && p->conn == idx && !p->closing) {
		port_detach(sw, port);
		sw->conns[idx].nports--;
	}
	return ctl_reply_error("cannot save the leases: %s", strerror(-err));
}

/*
 * An attach reply that hands out an address goes once its lease is on disk: now, or when
 * the save under way ends (control_leases_saved).  The connection reads no other request
 * meanwhile.
 */
static char *
attach_when_saved(struct sw *sw, uint32_t idx, uint32_t port, char *text)
{
	struct conn *c = &sw->conns[idx];
	uint64_t need = lease_need(sw);
	int r = lease_state(sw, need);

	if (!text || r > 0)
		return text;
	if (r < 0) {
		free(text);
		return attach_undo(sw, idx, port, sw->ports[port].gen, r);
	}
	c->lease_need = need;
	c->lease_reply = text;
	c->lease_port = port;
	c->lease_port_gen = sw->ports[port].gen;
	return reply_later;
}

void
control_leases_saved(struct sw *sw)
{
	for (uint32_t i = 0; i < sw->max_conns; i++) {
		struct conn *c = &sw->conns[i];
		char *text;
		int r;

		if (c->fd < 0 || !c->lease_need)
			continue;
		r = lease_state(sw, c->lease_need);
		if (r == 0)
			continue;
		text = c->lease_reply;
		c->lease_reply = NULL;
		c->lease_need = 0;
		if (r < 0) {
			free(text);
			text = attach_undo(sw, i, c->lease_port, c->lease_port_gen, r);
		}
		conn_reply(sw, i, text);
	}
}

static char *
reply_attach(struct sw *sw, uint32_t idx, const struct ctl_request *req, int fd)
{
	_cleanup_free_ char *lerr = NULL;
	const char *name, *err;
	struct ctl_assign assign;
	struct vlan_role role;
	uint32_t seg, ipv4, port;
	int r;

	if (fd < 0)
		return ctl_reply_error("attach needs a tap file descriptor");
	port_vlan_from_ctl(&role, &req->vlan);
	seg = segment_find(sw, req->segment);
	if (seg == UINT32_MAX) {
		control_close_fd(sw, fd);
		return ctl_reply_error("no segment '%s' on this switch", req->segment);
	}
	/* Addresses first: a refused one leaves no port behind. */
	r = lease_attach(sw, seg, req, &assign, &ipv4, &lerr);
	if (r < 0) {
		control_close_fd(sw, fd);
		return ctl_reply_error("%s", lerr ? lerr : strerror(-r));
	}
	if (port_attach(sw, idx, seg, req->node, req->ifname, fd, &name, &err) < 0) {
		control_close_fd(sw, fd);
		return ctl_reply_error("%s", err);
	}
	sw->conns[idx].nports++;
	port = port_find(sw, name);
	/* Before the loop reads a frame of it: the read's completion comes later. */
	sw->ports[port].vlan = role;
	sw->ports[port].ipv4 = ipv4;
	strcpy(sw->ports[port].hostname, req->hostname);
	return attach_when_saved(sw, idx, port,
	                         ctl_reply_attach(name, sw->segs[seg].name, &assign));
}

static char *
reply_segment_add(struct sw *sw, const struct ctl_request *req)
{
	struct ctl_segment cs;
	struct ipam_pool addr;
	const char *err;
	uint32_t seg;
	int r;

	if (ipam_pool_parse(req->subnet, req->service, req->gateway, req->dhcp, req->ipv6, req->dns,
	                    &addr, &err) < 0 ||
	    ipam_pool_options(&addr, req->domain, req->slice, req->no_services, &err) < 0)
		return ctl_reply_error("segment '%s': %s", req->name, err);
	r = segment_add(sw, req->name, req->mtu, &seg);
	if (r == -EEXIST)
		return ctl_reply_error("segment '%s' exists", req->name);
	if (r == -ENOSPC)
		return ctl_reply_error("the switch has %d segments already", SEGMENT_MAX);
	if (r < 0)
		return ctl_reply_error("segment '%s': %s", req->name, strerror(-r));
	addr.mtu = sw->segs[seg].mtu;
	sw->segs[seg].addr = addr;
	r = endpoint_new(sw, seg);
	if (r < 0) {
		segment_del(sw, seg);
		return ctl_reply_error("segment '%s': %s", req->name, strerror(-r));
	}
	log_info("segment %s added (mtu %u%s%s)", req->name, sw->segs[seg].mtu,
	         req->subnet[0] ? ", subnet " : "", req->subnet);
	segment_describe(sw, seg, &cs);
	return ctl_reply_segment(&cs);
}

static char *
reply_segment_del(struct sw *sw, const struct ctl_request *req)
{
	uint32_t seg = segment_find(sw, req->name);
	uint32_t n;
	int r;

	if (seg == UINT32_MAX)
		return ctl_reply_error("no segment '%s' on this switch", req->name);
	n = sw->segs[seg].nmembers;
	r = segment_del(sw, seg);
	if (r == -EPERM)
		return ctl_reply_error("the segment '%s' always exists", CTL_SEGMENT_DEFAULT);
	if (r == -EBUSY)
		return ctl_reply_error("segment '%s' is in use by %u port%s", req->name, n,
		                       n == 1 ? "" : "s");
	log_info("segment %s deleted", req->name);
	return reply_ok();
}

static char *
reply_segments(struct sw *sw)
{
	cJSON *arr;
	_cleanup_json_ cJSON *o = ctl_reply_list(CTL_SEGMENTS, &arr);

	if (!o)
		return NULL;
	for (uint32_t i = 0; i < SEGMENT_MAX; i++) {
		struct ctl_segment cs;
		cJSON *e;

		if (!sw->segs[i].name[0])
			continue;
		segment_describe(sw, i, &cs);
		if (sw->segs[i].ep) {
			cs.has_endpoint = true;
			cs.endpoint_drops = endpoint_drops(sw, i);
		}
		e = ctl_segment_to_json(&cs);
		if (!e || !cJSON_AddItemToArray(arr, e))
			return NULL;
	}
	return cJSON_PrintUnformatted(o);
}

static char *
reply_leases(struct sw *sw, const struct ctl_request *req)
{
	_cleanup_json_ cJSON *o = NULL;
	uint64_t now = lease_clock();
	cJSON *arr;

	if (req->segment[0] && segment_find(sw, req->segment) == UINT32_MAX)
		return ctl_reply_error("no segment '%s' on this switch", req->segment);
	o = ctl_reply_list(CTL_LEASES, &arr);
	if (!o)
		return NULL;
	for (uint32_t i = 0; i < sw->ipam.n; i++) {
		const struct ipam_lease *l = &sw->ipam.v[i];
		struct in_addr a = { htonl(l->addr) };
		struct ctl_lease cl = {};
		cJSON *e;

		if (req->segment[0] && strcmp(l->segment, req->segment))
			continue;
		if (l->kind == IPAM_DHCP && (l->time <= now || !memcmp(l->mac, (uint8_t[6]){}, 6)))
			continue; /* expired or declined: not a lease */
		strcpy(cl.segment, l->segment);
		strcpy(cl.kind, ipam_kind_name(l->kind));
		strcpy(cl.node, l->node);
		strcpy(cl.ifname, l->ifname);
		inet_ntop(AF_INET, &a, cl.ipv4, sizeof(cl.ipv4));
		if (l->kind == IPAM_DHCP) {
			mac_format(l->mac, cl.mac);
			cl.expires = l->time - now;
		} else {
			cl.attached = lease_busy(l, sw);
		}
		e = ctl_lease_to_json(&cl);
		if (!e || !cJSON_AddItemToArray(arr, e))
			return NULL;
	}
	return cJSON_PrintUnformatted(o);
}

static char *
reply_host_add(struct sw *sw, const struct ctl_request *req)
{
	const char *err;

	if (segment_find(sw, req->segment) == UINT32_MAX)
		return ctl_reply_error("no segment '%s' on this switch", req->segment);
	if (host_add(sw, req, &err) < 0)
		return ctl_reply_error("host port '%s': %s", req->name, err);
	return ctl_reply_port(req->name, NULL);
}

static char *
reply_host_del(struct sw *sw, const struct ctl_request *req)
{
	const char *err;

	if (host_del(sw, req->name, &err) < 0)
		return ctl_reply_error("host port '%s': %s", req->name, err);
	return reply_ok();
}

static char *
reply_vxlan_add(struct sw *sw, const struct ctl_request *req)
{
	const char *name;
	char err[512];

	if (vxport_add(sw, req, &name, err, sizeof(err)) < 0)
		return ctl_reply_error("vxlan port '%s': %s", req->name, err);
	return ctl_reply_port(name, sw->segs[sw->ports[port_find(sw, name)].seg].name);
}

static char *
reply_vxlan_del(struct sw *sw, const struct ctl_request *req)
{
	const char *err;

	if (vxport_del(sw, req->name, &err) < 0)
		return ctl_reply_error("vxlan port '%s': %s", req->name, err);
	return reply_ok();
}

static char *
reply_fdb_add(struct sw *sw, const struct ctl_request *req)
{
	const char *err;

	if (vxport_fdb_add(sw, req, &err) < 0)
		return ctl_reply_error("fdb add on port '%s': %s", req->port, err);
	return reply_ok();
}

static char *
reply_fdb_del(struct sw *sw, const struct ctl_request *req)
{
	uint32_t seg = segment_find(sw, req->segment);

	if (seg == UINT32_MAX)
		return ctl_reply_error("no segment '%s' on this switch", req->segment);
	if (fdb_del(&sw->fdb, (uint16_t)seg, 0, req->mac) < 0)
		return ctl_reply_error("no such address in segment '%s'", sw->segs[seg].name);
	return reply_ok();
}

static bool
detach_matches(const struct port *p, const struct ctl_request *req)
{
	return req->port[0] ? !strcmp(p->name, req->port) : !strcmp(p->node, req->node);
}

static char *
reply_detach(struct sw *sw, uint32_t idx, const struct ctl_request *req)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < sw->nactive; i++) {
		const struct port *p = &sw->ports[sw->active[i]];

		if (detach_matches(p, req) && p->kind != PORT_TAP)
			return ctl_reply_error("port '%s' is a %s port: %s-del removes it", p->name,
			                       port_kind_name(p->kind), port_kind_name(p->kind));
		n += detach_matches(p, req);
	}
	for (uint32_t i = 0; i < sw->nactive;) {
		uint32_t pi = sw->active[i];
		struct port *p = &sw->ports[pi];

		if (!detach_matches(p, req) || p->kind != PORT_TAP) {
			i++;
		} else if (p->conn == idx) {
			sw->conns[idx].nports--;
			port_detach(sw, pi);
		} else {
			/*
			 * Another client's port: its owner would never learn of it.  Its
			 * connection is closed instead, with all its ports, and it attaches
			 * again as after a restart of the switch.
			 */
			log_info("connection %u detaches port %s: closing connection %u, which "
			         "attached it",
			         idx, p->name, p->conn);
			conn_shut(sw, p->conn);
			i = 0;
		}
	}
	if (n == 0)
		return ctl_reply_error("no such port");
	return ctl_reply_detach(n);
}

static char *
reply_ports(struct sw *sw)
{
	cJSON *arr;
	_cleanup_json_ cJSON *o = ctl_reply_list(CTL_PORTS, &arr);

	if (!o)
		return NULL;
	for (uint32_t i = 0; i < sw->nactive; i++) {
		const struct port *p = &sw->ports[sw->active[i]];
		struct ctl_port cp = {
			.rx_frames = p->st.rx_frames,
			.rx_bytes = p->st.rx_bytes,
			.tx_frames = p->st.tx_frames,
			.tx_bytes = p->st.tx_bytes,
			.drops = p->st.rx_drops + p->st.tx_drops,
			.rx_drops = p->st.rx_drops,
			.tx_drops = p->st.tx_drops,
		};
		cJSON *e;

		strcpy(cp.name, p->name);
		strcpy(cp.node, p->node);
		strcpy(cp.ifname, p->ifname);
		strcpy(cp.state, p->reading || p->starved || p->vx ? "forwarding" : "idle");
		strcpy(cp.kind, port_kind_name(p->kind));
		strcpy(cp.segment, sw->segs[p->seg].name);
		cp.has_mac = p->has_mac;
		port_vlan_to_ctl(&p->vlan, &cp.vlan);
		memcpy(cp.mac, p->mac, sizeof(cp.mac));
		if (p->ipv4) {
			struct in_addr a = { htonl(p->ipv4) };

			inet_ntop(AF_INET, &a, cp.ipv4, sizeof(cp.ipv4));
		}
		vxport_describe(sw, sw->active[i], &cp);
		e = ctl_port_to_json(&cp);
		if (!e || !cJSON_AddItemToArray(arr, e))
			return NULL;
	}
	return cJSON_PrintUnformatted(o);
}

struct fdb_dump {
	struct sw *sw;
	cJSON *arr;
};

static int
fdb_dump_one(const struct fdb_entry *e, void *userdata)
{
	struct fdb_dump *d = userdata;
	struct ctl_fdb_entry ce = { .age = (d->sw->now - e->seen) / 1000000000ULL,
		                    .vlan = e->vlan };
	cJSON *o;

	strcpy(ce.segment, d->sw->segs[e->seg].name);
	memcpy(ce.mac, e->mac, 6);
	strcpy(ce.port, d->sw->ports[e->port].name);
	vxport_remote_name(d->sw, e->port, e->remote, ce.remote, sizeof(ce.remote));
	ce.fixed = e->fixed;
	if (e->fixed)
		ce.age = 0;
	o = ctl_fdb_to_json(&ce);
	return o && cJSON_AddItemToArray(d->arr, o) ? 0 : -ENOMEM;
}

static char *
reply_fdb(struct sw *sw)
{
	struct fdb_dump d = { .sw = sw };
	_cleanup_json_ cJSON *o = ctl_reply_list(CTL_FDB, &d.arr);

	if (!o)
		return NULL;
	if (fdb_foreach(&sw->fdb, sw->now, fdb_dump_one, &d) < 0 ||
	    ctl_fdb_counters_to_json(o, sw->fdb.learn_refused) < 0)
		return NULL;
	return cJSON_PrintUnformatted(o);
}

static char *
reply_capture(struct sw *sw, uint32_t idx, const struct ctl_request *req, int fd)
{
	const char *err;
	uint32_t id;

	if (fd < 0)
		return ctl_reply_error("capture needs the descriptor to write the capture to");
	if (capture_start(sw, idx, req, fd, &id, &err) < 0)
		return ctl_reply_error("capture: %s", err);
	return ctl_reply_capture(id);
}

static char *
reply_capture_stop(struct sw *sw, uint32_t idx, const struct ctl_request *req)
{
	if (capture_stop(sw, idx, req->capture) < 0)
		return ctl_reply_error("no capture %u of this connection", req->capture);
	return reply_later;
}

static char *
reply_captures(struct sw *sw, uint32_t idx)
{
	struct ctl_capture list[CAPTURE_MAX];
	uint32_t n = capture_list(sw, idx, list, CAPTURE_MAX);
	cJSON *arr;
	_cleanup_json_ cJSON *o = ctl_reply_list(CTL_CAPTURES, &arr);

	if (!o)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		cJSON *e = ctl_capture_to_json(&list[i]);

		if (!e || !cJSON_AddItemToArray(arr, e))
			return NULL;
	}
	return cJSON_PrintUnformatted(o);
}

static char *
handle_request(struct sw *sw, uint32_t idx, const char *buf, size_t len, int fd)
{
	struct ctl_request req;
	const char *err;

	if (len > CTL_MSG_MAX) {
		control_close_fd(sw, fd);
		return ctl_reply_error("request longer than %d bytes", CTL_MSG_MAX);
	}
	if (ctl_request_decode(buf, len, &req, &err) < 0) {
		control_close_fd(sw, fd);
		return ctl_reply_error("%s", err);
	}
	log_debug("connection %u: %s", idx, ctl_op_name(req.op));
	if (req.op == CTL_ATTACH)
		return reply_attach(sw, idx, &req, fd);
	if (req.op == CTL_CAPTURE)
		return reply_capture(sw, idx, &req, fd);
	control_close_fd(sw, fd); /* only attach and capture take a descriptor */
	switch (req.op) {
	case CTL_DETACH:
		return reply_detach(sw, idx, &req);
	case CTL_PORTS:
		return reply_ports(sw);
	case CTL_FDB:
		return reply_fdb(sw);
	case CTL_SEGMENT_ADD:
		return reply_segment_add(sw, &req);
	case CTL_SEGMENT_DEL:
		return reply_segment_del(sw, &req);
	case CTL_SEGMENTS:
		return reply_segments(sw);
	case CTL_HOST_ADD:
		return reply_host_add(sw, &req);
	case CTL_HOST_DEL:
		return reply_host_del(sw, &req);
	case CTL_CAPTURE_STOP:
		return reply_capture_stop(sw, idx, &req);
	case CTL_CAPTURES:
		return reply_captures(sw, idx);
	case CTL_LINK_SET:
		return link_set(sw, &req);
	case CTL_LINK_SHOW:
		return link_show(sw, &req);
	case CTL_LEASES:
		return reply_leases(sw, &req);
	case CTL_VXLAN_ADD:
		return reply_vxlan_add(sw, &req);
	case CTL_VXLAN_DEL:
		return reply_vxlan_del(sw, &req);
	case CTL_FDB_ADD:
		return reply_fdb_add(sw, &req);
	case CTL_FDB_DEL:
		return reply_fdb_del(sw, &req);
	case CTL_ATTACH:
	case CTL_CAPTURE:
		break;
	}
	return ctl_reply_error("unknown op");
}

/*
 * The descriptor a request carries, or -1; -EBADMSG when it carries more or bad control
 * data, every descriptor then on its way to be closed.
 */
static int
conn_take_fd(struct sw *sw, struct conn *c, int *ret_fd)
{
	int fds[CONN_MAX_FDS];
	size_t n;

	*ret_fd = -1;
	if (fdpass_take_fds(&c->msg, fds, ARRAY_SIZE(fds), &n) == 0 && n <= 1) {
		if (n == 1)
			*ret_fd = fds[0];
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		control_close_fd(sw, fds[i]);
	return -EBADMSG;
}

/*
 * After a receive of 0 bytes: whether the peer hung up.  SOCK_SEQPACKET reads an empty
 * message as 0 bytes too, but then the socket shows no hang-up.
 */
static bool
conn_hung_up(const struct conn *c)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN | POLLRDHUP };

	if (c->msg.msg_controllen > 0)
		return false; /* a descriptor came: a message */
	if (poll(&pfd, 1, 0) < 0)
		return true;
	return pfd.revents & (POLLHUP | POLLRDHUP | POLLERR);
}

void
control_recv_done(struct sw *sw, const struct io_uring_cqe *cqe)
{
	uint32_t idx = ud_idx(cqe->user_data);
	struct conn *c = &sw->conns[idx];
	int fd = -1, r = 0;
	char *text;

	if (c->fd < 0 || c->gen != ud_gen(cqe->user_data))
		return;
	c->receiving = false;
	/* Only a completed receive filled in the control part. */
	if (cqe->res >= 0)
		r = conn_take_fd(sw, c, &fd);
	if (c->closing || cqe->res < 0 || (cqe->res == 0 && conn_hung_up(c))) {
		if (cqe->res < 0 && cqe->res != -ECONNRESET && cqe->res != -ECANCELED)
			log_debug_errno(cqe->res, "connection %u: receive failed", idx);
		control_close_fd(sw, fd);
		conn_close(sw, idx);
		return;
	}
	c->spoke = true;
	c->last = sw->now;
	if (c->denied) {
		control_close_fd(sw, fd);
		c->closing = true;
		conn_reply(sw, idx, ctl_reply_error("permission denied"));
		return;
	}
	if (r < 0) {
		conn_reply(sw, idx, ctl_reply_error("a request carries at most one descriptor"));
		return;
	}
	text = handle_request(sw, idx, c->rbuf, cqe->res, fd);
	if (text != reply_later)
		conn_reply(sw, idx, text);
}

void
control_send_done(struct sw *sw, const struct io_uring_cqe *cqe)
{
	uint32_t idx = ud_idx(cqe->user_data);
	struct conn *c = &sw->conns[idx];

	if (c->fd < 0 || c->gen != ud_gen(cqe->user_data))
		return;
	free(c->reply);
	c->reply = NULL;
	if (cqe->res < 0)
		log_debug_errno(cqe->res, "connection %u: reply failed", idx);
	if (c->closing || cqe->res < 0)
		conn_close(sw, idx);
	else
		conn_arm_recv(sw, idx);
}
