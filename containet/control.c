/*
 * The control socket: accept, receive one request (with at most one fd), answer it,
 * then receive the next.  Every step goes through the ring.  A port lives exactly as
 * long as the connection that attached it.
 */
#include "switch.h"

#include "fdpass.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define CONN_SNDBUF (4 << 20) /* room for a "ports" reply on a full switch */

static void conn_close(struct sw *sw, uint32_t idx);

int
control_start(struct sw *sw)
{
	struct io_uring_sqe *sqe = sw_sqe(sw);

	io_uring_prep_multishot_accept(sqe, sw->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, ud_pack(OP_ACCEPT, 0, 0, 0));
	return 0;
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

static void
conn_close(struct sw *sw, uint32_t idx)
{
	struct conn *c = &sw->conns[idx];

	for (uint32_t i = 0; i < sw->nactive;) {
		uint32_t p = sw->active[i];

		if (sw->ports[p].conn == idx)
			port_detach(sw, p); /* moves the last active port into position i */
		else
			i++;
	}
	close(c->fd);
	free(c->rbuf);
	free(c->reply);
	c->fd = -1;
	c->rbuf = c->reply = NULL;
	c->gen++;
	c->closing = c->denied = false;
}

void
control_close_all(struct sw *sw)
{
	for (uint32_t i = 0; i < sw->max_conns && sw->conns; i++)
		if (sw->conns[i].fd >= 0)
			conn_close(sw, i);
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

	if (!(cqe->flags & IORING_CQE_F_MORE) && !sw->stop)
		control_start(sw);
	if (fd < 0) {
		log_warn_errno(fd, "accept on the control socket failed");
		return;
	}
	for (idx = 0; idx < sw->max_conns && sw->conns[idx].fd >= 0; idx++)
		;
	if (idx == sw->max_conns) {
		log_warn("too many control connections, refusing one");
		close(fd);
		return;
	}
	c = &sw->conns[idx];
	c->fd = fd;
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
reply_attach(struct sw *sw, uint32_t idx, const struct ctl_request *req, int fd)
{
	const char *name, *err;
	_cleanup_json_ cJSON *o = NULL;

	if (fd < 0)
		return ctl_reply_error("attach needs a tap file descriptor");
	if (port_attach(sw, idx, req->node, req->ifname, fd, &name, &err) < 0) {
		close(fd);
		return ctl_reply_error("%s", err);
	}
	o = ctl_reply_ok();
	if (!o || !cJSON_AddStringToObject(o, "port", name))
		return NULL;
	return cJSON_PrintUnformatted(o);
}

static char *
reply_detach(struct sw *sw, const struct ctl_request *req)
{
	_cleanup_json_ cJSON *o = NULL;
	unsigned n = 0;

	for (uint32_t i = 0; i < sw->nactive;) {
		struct port *p = &sw->ports[sw->active[i]];

		if (req->port[0] ? !strcmp(p->name, req->port) : !strcmp(p->node, req->node)) {
			port_detach(sw, sw->active[i]);
			n++;
		} else {
			i++;
		}
	}
	if (n == 0)
		return ctl_reply_error("no such port");
	o = ctl_reply_ok();
	if (!o || !cJSON_AddNumberToObject(o, "detached", n))
		return NULL;
	return cJSON_PrintUnformatted(o);
}

static char *
reply_ports(struct sw *sw)
{
	_cleanup_json_ cJSON *o = ctl_reply_ok();
	cJSON *arr;

	if (!o || !(arr = cJSON_AddArrayToObject(o, "ports")))
		return NULL;
	for (uint32_t i = 0; i < sw->nactive; i++) {
		const struct port *p = &sw->ports[sw->active[i]];
		struct ctl_port cp = {
			.rx_frames = p->st.rx_frames,
			.rx_bytes = p->st.rx_bytes,
			.tx_frames = p->st.tx_frames,
			.tx_bytes = p->st.tx_bytes,
			.drops = p->st.rx_drops + p->st.tx_drops,
		};
		cJSON *e;

		strcpy(cp.name, p->name);
		strcpy(cp.node, p->node);
		strcpy(cp.ifname, p->ifname);
		strcpy(cp.state, p->reading || p->starved ? "forwarding" : "idle");
		e = ctl_port_to_json(&cp);
		if (!e || !cJSON_AddItemToArray(arr, e))
			return NULL;
		cJSON_AddNumberToObject(e, "rx_drops", p->st.rx_drops);
		cJSON_AddNumberToObject(e, "tx_drops", p->st.tx_drops);
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
	struct ctl_fdb_entry ce = { .age = (d->sw->now - e->seen) / 1000000000ULL };
	cJSON *o;

	memcpy(ce.mac, e->mac, 6);
	strcpy(ce.port, d->sw->ports[e->port].name);
	o = ctl_fdb_to_json(&ce);
	return o && cJSON_AddItemToArray(d->arr, o) ? 0 : -ENOMEM;
}

static char *
reply_fdb(struct sw *sw)
{
	_cleanup_json_ cJSON *o = ctl_reply_ok();
	struct fdb_dump d = { .sw = sw };

	if (!o || !(d.arr = cJSON_AddArrayToObject(o, "fdb")))
		return NULL;
	if (fdb_foreach(&sw->fdb, sw->now, fdb_dump_one, &d) < 0 ||
	    ctl_fdb_counters_to_json(o, sw->fdb.learn_refused) < 0)
		return NULL;
	return cJSON_PrintUnformatted(o);
}

static char *
handle_request(struct sw *sw, uint32_t idx, const char *buf, size_t len, int fd)
{
	struct ctl_request req;
	const char *err;

	if (len > CTL_MSG_MAX) {
		safe_close(fd);
		return ctl_reply_error("request longer than %d bytes", CTL_MSG_MAX);
	}
	if (ctl_request_decode(buf, len, &req, &err) < 0) {
		safe_close(fd);
		return ctl_reply_error("%s", err);
	}
	log_debug("connection %u: %s", idx, ctl_op_name(req.op));
	if (req.op == CTL_ATTACH)
		return reply_attach(sw, idx, &req, fd);
	safe_close(fd); /* only attach takes a descriptor */
	switch (req.op) {
	case CTL_DETACH:
		return reply_detach(sw, &req);
	case CTL_PORTS:
		return reply_ports(sw);
	case CTL_FDB:
		return reply_fdb(sw);
	case CTL_ATTACH:
		break;
	}
	return ctl_reply_error("unknown op");
}

void
control_recv_done(struct sw *sw, const struct io_uring_cqe *cqe)
{
	uint32_t idx = ud_idx(cqe->user_data);
	struct conn *c = &sw->conns[idx];
	int fd = -1;

	if (c->fd < 0 || c->gen != ud_gen(cqe->user_data))
		return;
	if (cqe->res <= 0) {
		if (cqe->res < 0 && cqe->res != -ECONNRESET)
			log_debug_errno(cqe->res, "connection %u: receive failed", idx);
		conn_close(sw, idx);
		return;
	}
	if (c->denied) {
		if (fdpass_take_fd(&c->msg, &fd) == 0)
			safe_close(fd);
		c->closing = true;
		conn_reply(sw, idx, ctl_reply_error("permission denied"));
		return;
	}
	if (fdpass_take_fd(&c->msg, &fd) < 0) {
		conn_reply(sw, idx, ctl_reply_error("a request carries at most one descriptor"));
		return;
	}
	conn_reply(sw, idx, handle_request(sw, idx, c->rbuf, cqe->res, fd));
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
