/*
 * VXLAN ports: a segment stretched to other hosts over UDP (vxlan.c has the wire format).
 *
 * A port is one VNI with its remotes.  Ports on the same local address and UDP port share
 * one socket (a vxsock): it receives every VNI's datagrams through the ring, into buffers
 * of the pool's tunnel group placed so that, once the VXLAN header is checked, the inner
 * frame follows a virtio header like a frame read from a tap: from there it takes the
 * same ingress path.  The VNI picks the port; only the port's remotes are heard; the inner
 * source MAC is learned in the forwarding table with the remote it came from.
 *
 * With UDP_GRO (unless --no-vxlan-gro) a receive may bring a batch the underlay's GRO
 * coalesced: datagrams of one size one after another.  Each is checked as if it came
 * alone; the frames of the good ones are written into a merge buffer of the pool, where
 * consecutive TCP segments of one flow become one GSO frame (gro.c), so a node's stack
 * takes one 64 KiB write instead of dozens.  A lone datagram still goes in place.
 *
 * On the way out a frame goes to the remote its destination was learned behind, or, for
 * broadcast, multicast and unknown unicast, to every remote (head-end replication).  A
 * frame without offloads goes as it is, the 8-byte header as the prefix of a sendmsg and
 * the pool's buffer after it.  A frame whose checksum is left to offload, or a GSO
 * super-frame, cannot cross a wire as it is: it is segmented in software (gso.c) into a
 * transmit buffer, all segments one after another with their VXLAN headers, and goes out
 * either as one sendmsg with UDP_SEGMENT per remote (the kernel cuts the datagrams), or,
 * without that, one sendmsg per segment.
 *
 * The outer source port comes from a hash of the inner flow: the hash picks one of
 * VXSOCK_TX sending sockets per vxsock, bound to ports the kernel chose from its
 * ephemeral range (32768-60999 by default, the range of the kernel's own vxlan), so one
 * flow keeps one source port and different flows spread over an ECMP underlay.
 */
#include "switch.h"

#include "cleanup.h"
#include "gro.h"
#include "gso.h"
#include "log.h"
#include "tap.h"
#include "vxlan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

#define VXSOCK_MAX 16
#define VXSOCK_TX 64    /* sending sockets per vxsock: the outer source ports */
#define VXSOCK_PORTS 64 /* VNIs per vxsock */
#define VXSEND_MAX 4096 /* datagrams (or UDP_SEGMENT batches) under way */
#define VXTX_MAX 64     /* transmit buffers for segmented frames */
#define VXTX_SIZE (192 << 10)
#define VXSEND_GSO_MAX 60000 /* bytes of one UDP_SEGMENT batch: under 64 KiB with headers */
#define VXSEND_GSO_SEGS 64   /* datagrams of one batch: the kernel takes 128 at most */
#define VX_NONE UINT32_MAX
#define VX_NOBUF UINT16_MAX
#define VX_SOCKBUF (8 << 20)

union vx_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

struct vxsock {
	int fd; /* -1: slot free */
	uint16_t gen;
	bool receiving;
	bool starved; /* its receive found no tunnel buffer: re-armed by the tick */
	bool closing; /* its last port left: closed once its receive ended */
	struct vxlan_addr local;
	bool local_any;
	uint16_t port;
	int tx[VXSOCK_TX];
	uint32_t ports[VXSOCK_PORTS]; /* its VXLAN ports */
	uint32_t nports;
	bool gro; /* UDP_GRO on: a receive may bring a batch of datagrams */
	struct msghdr msg;
	union vx_sockaddr from;
	struct iovec iov;
	uint64_t drops[VXLAN_VERDICTS];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cmsg; /* last: clang takes CMSG_SPACE for a variable size */
};

struct vxport {
	uint32_t sock;
	uint32_t vni;
	uint32_t underlay_mtu;
	unsigned nremotes;
	struct vxlan_addr remotes[VXLAN_REMOTES_MAX];
	union vx_sockaddr dst[VXLAN_REMOTES_MAX];
	socklen_t dstlen;
	uint64_t drops[VXLAN_VERDICTS];
	uint64_t gro_frames; /* GSO frames merged from received batches */
	uint64_t gro_segs;   /* the datagrams they were merged from */
};

/* The frames of one received batch on their way to one port, from one remote, in one VLAN. */
struct vx_run {
	struct gro_seg segs[GRO_SEGS_MAX];
	uint32_t n;
	uint32_t port;
	uint16_t remote;
	uint16_t vid;
	uint16_t out; /* the merge buffer they are written to, or VX_NOBUF */
	size_t at;    /* where in it the next goes */
};

struct vxsend {
	struct msghdr msg;
	struct iovec iov[2];
	union vx_sockaddr to;
	uint8_t hdr[VXLAN_HDR_LEN];
	uint32_t port;
	uint16_t port_gen;
	uint16_t bid;   /* the pool buffer it sends from, or VX_NOBUF */
	struct impq *q; /* or the impairment queue holding the copy it sends (entry qe) */
	uint32_t qe;
	uint32_t tx; /* the transmit buffer it sends from, or VX_NONE */
	uint32_t nsegs;
	uint32_t next;
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} cmsg;
};

struct vxtx {
	uint8_t *data;
	uint32_t refs;
	uint32_t next;
};

static int
vx_init(struct sw *sw)
{
	int r;

	if (sw->vxsocks)
		return 0;
	r = pool_tun_init(sw);
	if (r < 0)
		return r;
	if (getrandom(&sw->vxkey, sizeof(sw->vxkey), 0) != sizeof(sw->vxkey))
		return -errno;
	sw->vxsocks = calloc(VXSOCK_MAX, sizeof(*sw->vxsocks));
	sw->vxsends = calloc(VXSEND_MAX, sizeof(*sw->vxsends));
	sw->vxtx = calloc(VXTX_MAX, sizeof(*sw->vxtx));
	if (!sw->vxsocks || !sw->vxsends || !sw->vxtx) {
		vxport_free(sw);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < VXSOCK_MAX; i++)
		sw->vxsocks[i].fd = -1;
	for (uint32_t i = 0; i < VXSEND_MAX; i++)
		sw->vxsends[i].next = i + 1 < VXSEND_MAX ? i + 1 : VX_NONE;
	sw->vxsend_free = 0;
	for (uint32_t i = 0; i < VXTX_MAX; i++) {
		void *m = mmap(NULL, VXTX_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		               -1, 0);

		if (m == MAP_FAILED) {
			r = -errno;
			vxport_free(sw);
			return r;
		}
		sw->vxtx[i].data = m;
		sw->vxtx[i].next = i + 1 < VXTX_MAX ? i + 1 : VX_NONE;
	}
	sw->vxtx_free = 0;
	return 0;
}

static void
vxsock_close_fds(struct vxsock *s)
{
	for (int i = 0; i < VXSOCK_TX; i++)
		s->tx[i] = safe_close(s->tx[i]);
	s->fd = safe_close(s->fd);
}

void
vxport_free(struct sw *sw)
{
	if (sw->vxsocks)
		for (uint32_t i = 0; i < VXSOCK_MAX; i++)
			if (sw->vxsocks[i].fd >= 0)
				vxsock_close_fds(&sw->vxsocks[i]);
	for (uint32_t i = 0; i < sw->cfg.max_ports && sw->ports; i++) {
		free(sw->ports[i].vx);
		sw->ports[i].vx = NULL;
	}
	if (sw->vxtx)
		for (uint32_t i = 0; i < VXTX_MAX; i++)
			if (sw->vxtx[i].data)
				munmap(sw->vxtx[i].data, VXTX_SIZE);
	free(sw->vxsocks);
	free(sw->vxsends);
	free(sw->vxtx);
	sw->vxsocks = NULL;
	sw->vxsends = NULL;
	sw->vxtx = NULL;
}

static socklen_t
vx_sockaddr(union vx_sockaddr *ret, const struct vxlan_addr *a, uint16_t port)
{
	memset(ret, 0, sizeof(*ret));
	if (a->family == AF_INET) {
		ret->v4.sin_family = AF_INET;
		ret->v4.sin_addr = a->v4;
		ret->v4.sin_port = htons(port);
		return sizeof(ret->v4);
	}
	ret->v6.sin6_family = AF_INET6;
	ret->v6.sin6_addr = a->v6;
	ret->v6.sin6_port = htons(port);
	return sizeof(ret->v6);
}

/* A UDP socket bound to local:port; port 0 lets the kernel choose (a sending socket). */
static int
vx_socket(const struct vxlan_addr *local, uint16_t port)
{
	union vx_sockaddr sa;
	socklen_t len = vx_sockaddr(&sa, local, port);
	_cleanup_close_ int fd =
	        socket(local->family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1, size = VX_SOCKBUF;

	if (fd < 0)
		return -errno;
	if (local->family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		return -errno;
	/* Bigger queues than the defaults, as root may; a refusal only costs drops under load. */
	if (setsockopt(fd, SOL_SOCKET, port ? SO_RCVBUFFORCE : SO_SNDBUFFORCE, &size,
	               sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, port ? SO_RCVBUF : SO_SNDBUF, &size, sizeof(size));
	if (bind(fd, &sa.sa, len) < 0)
		return -errno;
	return TAKE_FD(fd);
}

static void
vxsock_arm(struct sw *sw, uint32_t si)
{
	struct vxsock *s = &sw->vxsocks[si];
	struct io_uring_sqe *sqe = sw_sqe(sw);

	s->iov = (struct iovec){ NULL, sw->pool.buf_size - POOL_TUN_OFFSET };
	memset(&s->msg, 0, sizeof(s->msg));
	s->msg.msg_name = &s->from;
	s->msg.msg_namelen = sizeof(s->from);
	if (s->gro) {
		/* Where the kernel says a batch's segment size (UDP_GRO). */
		memset(&s->cmsg, 0, sizeof(s->cmsg));
		s->msg.msg_control = s->cmsg.buf;
		s->msg.msg_controllen = sizeof(s->cmsg.buf);
	}
	s->msg.msg_iov = &s->iov;
	s->msg.msg_iovlen = 1;
	/* MSG_TRUNC: the result is the datagram's length, so a cut one shows as oversize. */
	io_uring_prep_recvmsg(sqe, s->fd, &s->msg, MSG_TRUNC);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = POOL_TUN_BGID;
	io_uring_sqe_set_data64(sqe, ud_pack(OP_TUN_RECV, si, s->gen, 0));
	s->receiving = true;
	s->starved = false;
}

/*
 * The socket that receives for local:port (any: no local address asked for), or
 * VX_NONE: one bound to the same address, or one bound to no address, which receives
 * for every address; a request without an address takes any socket on the port.
 */
static uint32_t
vxsock_find(const struct sw *sw, const struct vxlan_addr *local, bool any, uint16_t port)
{
	for (uint32_t i = 0; i < VXSOCK_MAX; i++) {
		const struct vxsock *s = &sw->vxsocks[i];

		if (s->fd < 0 || s->closing || s->port != port || s->local.family != local->family)
			continue;
		if (any || s->local_any || vxlan_addr_equal(&s->local, local))
			return i;
	}
	return VX_NONE;
}

/* The socket for local:port, shared with the VNIs already on it, or a new one. */
static int
vxsock_get(struct sw *sw, const struct vxlan_addr *local, bool any, uint16_t port, uint32_t *ret,
           const char **ret_error)
{
	uint32_t free_slot = VX_NONE, si = vxsock_find(sw, local, any, port);
	struct vxsock *s;
	int r;

	if (si != VX_NONE) {
		if (sw->vxsocks[si].nports == VXSOCK_PORTS) {
			*ret_error = "too many VNIs on this local address and port";
			return -ENOSPC;
		}
		*ret = si;
		return 0;
	}
	for (uint32_t i = 0; i < VXSOCK_MAX && free_slot == VX_NONE; i++)
		if (sw->vxsocks[i].fd < 0)
			free_slot = i;
	if (free_slot == VX_NONE) {
		*ret_error = "too many VXLAN sockets (local addresses and ports)";
		return -ENOSPC;
	}
	s = &sw->vxsocks[free_slot];
	for (int i = 0; i < VXSOCK_TX; i++)
		s->tx[i] = -1;
	r = vx_socket(local, port);
	if (r < 0) {
		*ret_error = "cannot bind the VXLAN UDP socket";
		return r;
	}
	s->fd = r;
	/* Batches of datagrams in one receive, where the underlay's GRO made them. */
	s->gro = sw->cfg.tun_gro &&
	         setsockopt(s->fd, SOL_UDP, UDP_GRO, &(int){ 1 }, sizeof(int)) == 0;
	for (int i = 0; i < VXSOCK_TX; i++) {
		r = vx_socket(local, 0);
		if (r < 0) {
			vxsock_close_fds(s);
			*ret_error = "cannot make the VXLAN sending sockets";
			return r;
		}
		s->tx[i] = r;
	}
	s->local = *local;
	s->local_any = any;
	s->port = port;
	s->nports = 0;
	s->closing = false;
	memset(s->drops, 0, sizeof(s->drops));
	vxsock_arm(sw, free_slot);
	*ret = free_slot;
	return 0;
}

/* Closes the socket's descriptors on a worker; the slot is free for a new socket. */
static void
vxsock_close(struct sw *sw, uint32_t si)
{
	struct vxsock *s = &sw->vxsocks[si];

	for (int i = 0; i < VXSOCK_TX; i++)
		if (s->tx[i] >= 0)
			sw_close_async(sw, s->tx[i], ud_pack(OP_IGNORE, 0, 0, 0));
	sw_close_async(sw, s->fd, ud_pack(OP_IGNORE, 0, 0, 0));
	s->fd = -1;
	s->gen++;
	s->closing = false;
	s->receiving = false;
}

/* The socket goes once no port uses it: at once, or when its receive has ended. */
static void
vxsock_unref(struct sw *sw, uint32_t si)
{
	struct vxsock *s = &sw->vxsocks[si];
	struct io_uring_sqe *sqe;

	if (s->nports)
		return;
	if (!s->receiving) {
		vxsock_close(sw, si);
		return;
	}
	s->closing = true;
	sqe = sw_sqe(sw);
	io_uring_prep_cancel64(sqe, ud_pack(OP_TUN_RECV, si, s->gen, 0), 0);
	io_uring_sqe_set_data64(sqe, ud_pack(OP_IGNORE, 0, 0, 0));
}

void
vxport_release(struct sw *sw, uint32_t idx)
{
	struct port *p = &sw->ports[idx];
	struct vxsock *s;
	uint32_t si;

	if (!p->vx)
		return;
	si = p->vx->sock;
	s = &sw->vxsocks[si];
	for (uint32_t i = 0; i < s->nports; i++)
		if (s->ports[i] == idx) {
			s->ports[i] = s->ports[--s->nports];
			break;
		}
	free(p->vx);
	p->vx = NULL;
	vxsock_unref(sw, si);
}

/* The path MTU toward addr, as the routing table says (the underlay's), or -errno. */
static int
vx_underlay_mtu(const struct vxlan_addr *addr, uint16_t port)
{
	union vx_sockaddr sa;
	socklen_t len = vx_sockaddr(&sa, addr, port);
	_cleanup_close_ int fd = socket(addr->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int mtu;
	socklen_t mlen = sizeof(mtu);

	if (fd < 0)
		return -errno;
	if (connect(fd, &sa.sa, len) < 0)
		return -errno;
	if (getsockopt(fd, addr->family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
	               addr->family == AF_INET ? IP_MTU : IPV6_MTU, &mtu, &mlen) < 0)
		return -errno;
	return mtu;
}

#define FAIL(code, ...)                                                                            \
	do {                                                                                       \
		snprintf(ret_error, error_size, __VA_ARGS__);                                      \
		return (code);                                                                     \
	} while (0)

/* The port a request describes: its remotes, local address and underlay's MTU. */
static int
vx_plan(const struct ctl_request *req, struct vxport *vx, struct vxlan_addr *ret_local,
        char *ret_error, size_t error_size)
{
	struct vxlan_addr local = {};
	const char *err = NULL;
	char text[INET6_ADDRSTRLEN];
	uint16_t port = req->dstport ? req->dstport : VXLAN_PORT;
	int mtu;

	if (req->vni > VXLAN_VNI_MAX)
		FAIL(-EINVAL, "VNI %u is out of range (0-16777215)", req->vni);
	if (!req->nremote)
		FAIL(-EINVAL, "no remote");
	vx->vni = req->vni;
	for (unsigned i = 0; i < req->nremote; i++) {
		char list[CTL_ADDR_MAX];
		int n;

		snprintf(list, sizeof(list), "%s", req->remote[i]);
		n = vxlan_remotes_parse(list, &vx->remotes[i], &err);
		if (n < 0)
			FAIL(-EINVAL, "remote '%s': %s", req->remote[i], err);
		if (vx->remotes[i].family != vx->remotes[0].family)
			FAIL(-EINVAL, "remote '%s': remotes must all be IPv4 or all IPv6",
			     req->remote[i]);
		if (vxlan_addr_find(vx->remotes, i, &vx->remotes[i]) >= 0)
			FAIL(-EINVAL, "remote '%s' is listed twice", req->remote[i]);
	}
	vx->nremotes = req->nremote;
	if (req->local[0]) {
		if (vxlan_addr_parse(req->local, &local) < 0)
			FAIL(-EINVAL, "local '%s' is not an IP address", req->local);
		if (local.family != vx->remotes[0].family)
			FAIL(-EINVAL, "local '%s' and the remotes are not of one IP version",
			     req->local);
	} else {
		local.family = vx->remotes[0].family;
	}
	for (unsigned i = 0; i < vx->nremotes; i++)
		vx->dstlen = vx_sockaddr(&vx->dst[i], &vx->remotes[i], port);
	mtu = vx_underlay_mtu(&vx->remotes[0], port);
	if (mtu < 0) {
		vxlan_addr_format(&vx->remotes[0], text);
		FAIL(mtu, "no route to remote %s: %s", text, strerror(-mtu));
	}
	vx->underlay_mtu = (uint32_t)mtu;
	*ret_local = local;
	return 0;
}

int
vxport_max_mtu(const struct ctl_request *req, uint32_t *ret, char *ret_error, size_t error_size)
{
	struct vxport vx = {};
	struct vxlan_addr local;
	int r = vx_plan(req, &vx, &local, ret_error, error_size);

	if (r < 0)
		return r;
	*ret = vxlan_segment_mtu(vx.underlay_mtu, local.family == AF_INET6);
	if (*ret < CTL_MTU_MIN)
		FAIL(-EMSGSIZE, "the underlay's MTU %u is too small for VXLAN", vx.underlay_mtu);
	return 0;
}

int
vxport_add(struct sw *sw, const struct ctl_request *req, const char **ret_name, char *ret_error,
           size_t error_size)
{
	struct vxlan_addr local = {};
	_cleanup_free_ struct vxport *vx = NULL;
	const char *err = NULL;
	uint16_t port = req->dstport ? req->dstport : VXLAN_PORT;
	uint32_t seg, idx, si, max;
	struct port *p;
	int r, fd;

	seg = segment_find(sw, req->segment);
	if (seg == UINT32_MAX)
		FAIL(-ENOENT, "no segment '%s' on this switch", req->segment);
	if (port_find(sw, req->name) != UINT32_MAX)
		FAIL(-EEXIST, "a port named '%s' exists", req->name);
	vx = calloc(1, sizeof(*vx));
	if (!vx)
		FAIL(-ENOMEM, "out of memory");
	r = vx_plan(req, vx, &local, ret_error, error_size);
	if (r < 0)
		return r;
	max = vxlan_segment_mtu(vx->underlay_mtu, local.family == AF_INET6);
	if (sw->segs[seg].mtu > max)
		FAIL(-EMSGSIZE,
		     "segment '%s' has MTU %u, more than the %u a VXLAN port carries over an "
		     "underlay of MTU %u (%u bytes of headers): make the segment with MTU %u",
		     sw->segs[seg].name, sw->segs[seg].mtu, max, vx->underlay_mtu,
		     local.family == AF_INET6 ? VXLAN_OVERHEAD6 : VXLAN_OVERHEAD4, max);
	idx = port_slot(sw);
	if (idx == UINT32_MAX)
		FAIL(-ENOSPC, "the switch has no free port");
	r = vx_init(sw);
	if (r < 0)
		FAIL(r, "cannot set up VXLAN: %s", strerror(-r));
	si = vxsock_find(sw, &local, !req->local[0], port);
	for (uint32_t j = 0; si != VX_NONE && j < sw->vxsocks[si].nports; j++) {
		const struct port *other = &sw->ports[sw->vxsocks[si].ports[j]];

		if (other->vx->vni == req->vni)
			FAIL(-EEXIST, "VNI %u is on port '%s' already", req->vni, other->name);
	}
	r = vxsock_get(sw, &local, !req->local[0], port, &si, &err);
	if (r < 0)
		FAIL(r, "%s: %s", err, strerror(-r));
	/* The port's descriptor only marks its slot as used: the socket does the work. */
	fd = fcntl(sw->vxsocks[si].fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0) {
		r = -errno;
		vxsock_unref(sw, si);
		FAIL(r, "cannot duplicate the VXLAN socket: %s", strerror(-r));
	}
	vx->sock = si;
	p = &sw->ports[idx];
	memset(&p->st, 0, sizeof(p->st));
	p->fd = fd;
	p->kind = PORT_VXLAN;
	p->conn = UINT32_MAX;
	p->has_mac = false;
	p->masquerade = false;
	p->inflight = 0;
	p->starved = false;
	p->reading = false;
	p->node[0] = '\0';
	p->ifname[0] = '\0';
	snprintf(p->name, sizeof(p->name), "%s", req->name);
	p->vx = TAKE_PTR(vx);
	sw->vxsocks[si].ports[sw->vxsocks[si].nports++] = idx;
	p->active_pos = sw->nactive;
	sw->active[sw->nactive++] = idx;
	vlan_role_none(&p->vlan);
	p->ipv4 = 0;
	p->hostname[0] = '\0';
	segment_join(sw, seg, idx);
	link_port_open(sw, idx);
	log_info("port %s (vxlan) VNI %u with %u remote%s, in segment %s (slot %u)", p->name,
	         p->vx->vni, p->vx->nremotes, p->vx->nremotes == 1 ? "" : "s", sw->segs[seg].name,
	         idx);
	*ret_name = p->name;
	return 0;
}
#undef FAIL

int
vxport_del(struct sw *sw, const char *name, const char **ret_error)
{
	uint32_t idx = port_find(sw, name);

	if (idx == UINT32_MAX) {
		*ret_error = "no such port";
		return -ENOENT;
	}
	if (sw->ports[idx].kind != PORT_VXLAN) {
		*ret_error = "not a VXLAN port";
		return -EINVAL;
	}
	vxport_release(sw, idx);
	port_detach(sw, idx);
	return 0;
}

static uint32_t
vxsend_take(struct sw *sw)
{
	uint32_t i = sw->vxsend_free;

	if (i != VX_NONE)
		sw->vxsend_free = sw->vxsends[i].next;
	return i;
}

static void
vxtx_put(struct sw *sw, uint32_t t)
{
	if (--sw->vxtx[t].refs == 0) {
		sw->vxtx[t].next = sw->vxtx_free;
		sw->vxtx_free = t;
	}
}

/* Queues a sendmsg of slot si (its iov set) to remote r of port idx through fd. */
static void
vxsend_submit(struct sw *sw, uint32_t idx, uint32_t si, int fd, unsigned r, size_t niov,
              uint16_t gso_size)
{
	struct vxsend *v = &sw->vxsends[si];
	const struct vxport *vx = sw->ports[idx].vx;
	struct io_uring_sqe *sqe;

	memcpy(&v->to, &vx->dst[r], vx->dstlen);
	memset(&v->msg, 0, sizeof(v->msg));
	v->msg.msg_name = &v->to;
	v->msg.msg_namelen = vx->dstlen;
	v->msg.msg_iov = v->iov;
	v->msg.msg_iovlen = niov;
	if (gso_size) {
		struct cmsghdr *cm;

		v->msg.msg_control = v->cmsg.buf;
		v->msg.msg_controllen = sizeof(v->cmsg.buf);
		cm = CMSG_FIRSTHDR(&v->msg);
		cm->cmsg_level = SOL_UDP;
		cm->cmsg_type = UDP_SEGMENT;
		cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
		memcpy(CMSG_DATA(cm), &gso_size, sizeof(gso_size));
	}
	v->port = idx;
	v->port_gen = sw->ports[idx].gen;
	sqe = sw_sqe(sw);
	io_uring_prep_sendmsg(sqe, fd, &v->msg, MSG_DONTWAIT);
	io_uring_sqe_set_data64(sqe, ud_pack(OP_TUN_SEND, 0, 0, (uint16_t)si));
}

/* Which remotes get the frame: the one its destination sits behind, else all. */
static unsigned
vx_targets(struct sw *sw, uint32_t idx, uint16_t vid, const uint8_t *eth, unsigned *ret_first)
{
	const struct port *p = &sw->ports[idx];
	const struct fdb_entry *e;

	*ret_first = 0;
	if (!(eth[0] & 1)) {
		e = fdb_get(&sw->fdb, p->seg, vid, eth, sw->now);
		if (e && e->port == idx && e->remote < p->vx->nremotes) {
			*ret_first = e->remote;
			return 1;
		}
	}
	return p->vx->nremotes;
}

/* A frame with offloads: segmented into a transmit buffer, then sent to each target. */
static void
vx_transmit_segmented(struct sw *sw, uint32_t idx, const struct virtio_net_hdr_v1 *vh,
                      const uint8_t *eth, size_t len, int fd, unsigned first, unsigned n)
{
	struct port *p = &sw->ports[idx];
	struct gso g;
	size_t stride, per_batch;
	uint32_t t;
	uint8_t *buf;
	int r;

	r = gso_init(&g, vh, eth, len);
	if (r < 0) {
		p->st.tx_drops++;
		log_trace("port %s: a frame cannot be segmented: %s", p->name, strerror(-r));
		return;
	}
	stride = VXLAN_HDR_LEN + gso_seg_max(&g);
	if (stride * g.nsegs > VXTX_SIZE || sw->vxtx_free == VX_NONE) {
		p->st.tx_drops++;
		return;
	}
	t = sw->vxtx_free;
	sw->vxtx_free = sw->vxtx[t].next;
	sw->vxtx[t].refs = 1; /* this function's, dropped at its end */
	buf = sw->vxtx[t].data;
	for (uint32_t i = 0; i < g.nsegs; i++) {
		vxlan_encap(buf + stride * i, p->vx->vni);
		gso_segment(&g, i, buf + stride * i + VXLAN_HDR_LEN, stride - VXLAN_HDR_LEN);
	}
	/* Every segment but the last is stride long: UDP_SEGMENT's rule. */
	per_batch = sw->cfg.tun_gso && g.nsegs > 1 ? VXSEND_GSO_MAX / stride : 1;
	if (per_batch > VXSEND_GSO_SEGS)
		per_batch = VXSEND_GSO_SEGS;
	if (per_batch < 1)
		per_batch = 1;
	for (unsigned k = 0; k < n; k++) {
		unsigned r_ = first + k;

		for (uint32_t i = 0; i < g.nsegs; i += (uint32_t)per_batch) {
			uint32_t cnt = g.nsegs - i < per_batch ? g.nsegs - i : (uint32_t)per_batch;
			size_t bytes =
			        stride * (cnt - 1) + VXLAN_HDR_LEN + gso_seg_len(&g, i + cnt - 1);
			uint32_t si = vxsend_take(sw);
			struct vxsend *v;

			if (si == VX_NONE) {
				p->st.tx_drops++;
				goto out;
			}
			v = &sw->vxsends[si];
			v->iov[0] = (struct iovec){ buf + stride * i, bytes };
			v->bid = VX_NOBUF;
			v->tx = t;
			v->nsegs = cnt;
			sw->vxtx[t].refs++;
			vxsend_submit(sw, idx, si, fd, r_, 1, cnt > 1 ? (uint16_t)stride : 0);
		}
	}
out:
	vxtx_put(sw, t);
}

void
vxport_transmit(struct sw *sw, uint32_t idx, const struct frame *f)
{
	struct port *p = &sw->ports[idx];
	const struct vxport *vx = p->vx;
	uint8_t *data = f->data;
	const struct virtio_net_hdr_v1 *vh = (const struct virtio_net_hdr_v1 *)data;
	const uint8_t *eth = data + TAP_VNET_HDR_LEN;
	size_t len = f->len - TAP_VNET_HDR_LEN;
	unsigned first, n;
	int fd;

	if (!vx || f->len < TAP_VNET_HDR_LEN + VXLAN_INNER_MIN) {
		p->st.tx_drops++;
		return;
	}
	n = vx_targets(sw, idx, f->vid, eth, &first);
	fd = sw->vxsocks[vx->sock].tx[vxlan_source_port(eth, len, sw->vxkey) % VXSOCK_TX];
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE || (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		vx_transmit_segmented(sw, idx, vh, eth, len, fd, first, n);
		return;
	}
	for (unsigned k = 0; k < n; k++) {
		uint32_t si = vxsend_take(sw);
		struct vxsend *v;

		if (si == VX_NONE) {
			p->st.tx_drops++;
			return;
		}
		v = &sw->vxsends[si];
		vxlan_encap(v->hdr, vx->vni);
		v->iov[0] = (struct iovec){ v->hdr, VXLAN_HDR_LEN };
		v->iov[1] = (struct iovec){ (uint8_t *)eth, len };
		v->bid = f->bid;
		v->q = f->q;
		v->qe = f->qe;
		v->tx = VX_NONE;
		v->nsegs = 1;
		if (f->q)
			impq_hold(f->q, f->qe);
		else
			pool_hold(sw, f->bid);
		vxsend_submit(sw, idx, si, fd, first + k, 2, 0);
	}
}

void
vxport_send_done(struct sw *sw, const struct io_uring_cqe *cqe)
{
	uint32_t si = ud_bid(cqe->user_data);
	struct vxsend *v = &sw->vxsends[si];
	struct port *p = &sw->ports[v->port];

	if (v->q)
		pool_release_copy(v->q, v->qe);
	else if (v->bid != VX_NOBUF)
		pool_put(sw, v->bid);
	v->q = NULL;
	if (v->tx != VX_NONE)
		vxtx_put(sw, v->tx);
	if (p->fd >= 0 && p->gen == v->port_gen && p->kind == PORT_VXLAN) {
		if (cqe->res < 0) {
			p->st.tx_drops += v->nsegs;
			log_trace("port %s: send failed: %s", p->name, strerror(-cqe->res));
		} else {
			p->st.tx_frames += v->nsegs;
			p->st.tx_bytes += (uint64_t)cqe->res - (uint64_t)v->nsegs * VXLAN_HDR_LEN;
		}
	}
	v->next = sw->vxsend_free;
	sw->vxsend_free = si;
}

static bool
vx_from(const union vx_sockaddr *sa, struct vxlan_addr *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (sa->sa.sa_family == AF_INET) {
		ret->family = AF_INET;
		ret->v4 = sa->v4.sin_addr;
		return true;
	}
	if (sa->sa.sa_family == AF_INET6) {
		ret->family = AF_INET6;
		ret->v6 = sa->v6.sin6_addr;
		return true;
	}
	return false;
}

/* Counts a dropped datagram against its socket and, when known, its port. */
static void
vx_drop(struct sw *sw, struct vxsock *s, enum vxlan_verdict v, uint32_t port, size_t len)
{
	s->drops[v]++;
	if (port != UINT32_MAX) {
		sw->ports[port].st.rx_drops++;
		sw->ports[port].vx->drops[v]++;
	}
	log_trace("VXLAN socket on port %u: dropped a datagram of %zu bytes: %s", s->port, len,
	          vxlan_verdict_name(v));
}

/*
 * Checks one datagram (len bytes at dgram) from address from: on VXLAN_OK its port, the
 * remote it came from and the VLAN its frame is in (its tag's, or none: a tunnel port
 * has no role).  *ret_port is set as soon as the VNI is known, for the drop counters.
 */
static enum vxlan_verdict
vx_check(struct sw *sw, const struct vxsock *s, const struct vxlan_addr *from, const uint8_t *dgram,
         size_t len, uint32_t *ret_port, uint16_t *ret_remote, uint16_t *ret_vid)
{
	const uint8_t *inner = dgram + VXLAN_HDR_LEN;
	const struct fdb_entry *e;
	enum vxlan_verdict v;
	uint32_t vni, idx = UINT32_MAX;
	struct port *p;
	uint16_t vid;
	int remote;

	*ret_port = UINT32_MAX;
	v = vxlan_decap(dgram, len, &vni);
	if (v != VXLAN_OK)
		return v;
	for (uint32_t i = 0; i < s->nports; i++)
		if (sw->ports[s->ports[i]].vx->vni == vni) {
			idx = s->ports[i];
			break;
		}
	if (idx == UINT32_MAX)
		return VXLAN_DROP_UNKNOWN_VNI;
	*ret_port = idx;
	p = &sw->ports[idx];
	remote = vxlan_addr_find(p->vx->remotes, p->vx->nremotes, from);
	if (remote < 0)
		return VXLAN_DROP_REMOTE;
	/* The segment's MTU, and room for one 802.1Q tag, as a tap of that MTU would take. */
	if (len - VXLAN_HDR_LEN > sw->segs[p->seg].mtu + 14 + 4)
		return VXLAN_DROP_OVERSIZE;
	vid = len - VXLAN_HDR_LEN >= 18 && (inner[12] << 8 | inner[13]) == VLAN_TPID
	              ? (uint16_t)((inner[14] << 8 | inner[15]) & 0xfff)
	              : 0;
	e = fdb_get(&sw->fdb, p->seg, vid, inner + 6, sw->now);
	if (e && e->port != idx && sw->ports[e->port].kind != PORT_VXLAN)
		return VXLAN_DROP_LOCAL_SRC;
	*ret_remote = (uint16_t)remote;
	*ret_vid = vid;
	return VXLAN_OK;
}

/* Hands frame f (virtio header first) to VXLAN port idx's ingress and learns its source. */
static void
vx_deliver(struct sw *sw, uint32_t idx, uint16_t remote, uint16_t vid, const struct frame *f)
{
	port_ingress(sw, idx, f);
	fdb_set_remote(&sw->fdb, sw->ports[idx].seg, vid, f->data + TAP_VNET_HDR_LEN + 6, idx,
	               remote, sw->now);
}

/*
 * One datagram at dgram in tunnel buffer bid, forwarded in place: its virtio header goes
 * over the VXLAN header and the POOL_TUN_OFFSET bytes before it.
 */
static void
vx_one(struct sw *sw, struct vxsock *s, const struct vxlan_addr *from, uint16_t bid, uint8_t *dgram,
       size_t len)
{
	enum vxlan_verdict v;
	uint32_t port;
	uint16_t remote = 0, vid = 0;
	struct frame f = {};

	v = vx_check(sw, s, from, dgram, len, &port, &remote, &vid);
	if (v != VXLAN_OK) {
		vx_drop(sw, s, v, port, len);
		return;
	}
	f.bid = bid;
	f.data = dgram + VXLAN_HDR_LEN - TAP_VNET_HDR_LEN;
	f.len = (uint32_t)(len - VXLAN_HDR_LEN + TAP_VNET_HDR_LEN);
	memset(f.data, 0, TAP_VNET_HDR_LEN); /* no offloads */
	vx_deliver(sw, port, remote, vid, &f);
}

/* The frames gathered in run go out: merged where gro_merge() may, into merge buffers. */
static void
vx_flush(struct sw *sw, struct vx_run *run)
{
	struct port *p = &sw->ports[run->port];
	uint32_t i = 0, used;
	struct frame f = {};
	uint8_t *out;
	int r;

	while (i < run->n) {
		if (run->out == VX_NOBUF) {
			if (pool_gro_get(sw, &run->out) < 0) {
				p->st.rx_drops += run->n - i;
				log_trace("port %s: no merge buffer, dropped %u frames", p->name,
				          run->n - i);
				break;
			}
			run->at = 0;
		}
		out = pool_data(sw, run->out);
		r = gro_merge(run->segs + i, run->n - i, out + run->at, sw->pool.buf_size - run->at,
		              &used);
		if (r < 0) {
			/* Full: the next buffer; a frame that fits no empty one cannot be. */
			if (run->at == 0) {
				p->st.rx_drops++;
				i++;
				continue;
			}
			pool_put(sw, run->out);
			run->out = VX_NOBUF;
			continue;
		}
		f.bid = run->out;
		f.data = out + run->at;
		f.len = (uint32_t)r;
		/* The next frame's virtio header stays aligned. */
		run->at = (run->at + (size_t)r + 7) & ~(size_t)7;
		if (used > 1) {
			p->vx->gro_frames++;
			p->vx->gro_segs += used;
		}
		vx_deliver(sw, run->port, run->remote, run->vid, &f);
		i += used;
	}
	run->n = 0;
}

/*
 * A batch the underlay's GRO made: datagrams of gso bytes one after another (the last
 * may be shorter), all from one sender.  Each is checked as if it came alone; the
 * frames of consecutive good ones for one port go through gro_merge().
 */
static void
vx_batch(struct sw *sw, struct vxsock *s, const struct vxlan_addr *from, const uint8_t *data,
         size_t len, size_t gso)
{
	struct vx_run run = { .out = VX_NOBUF };

	for (size_t off = 0; off < len; off += gso) {
		size_t dl = len - off < gso ? len - off : gso;
		enum vxlan_verdict v;
		uint32_t port;
		uint16_t remote = 0, vid = 0;

		v = vx_check(sw, s, from, data + off, dl, &port, &remote, &vid);
		if (v != VXLAN_OK) {
			if (run.n)
				vx_flush(sw, &run);
			vx_drop(sw, s, v, port, dl);
			continue;
		}
		if (run.n && (run.n == GRO_SEGS_MAX || port != run.port || remote != run.remote ||
		              vid != run.vid))
			vx_flush(sw, &run);
		run.port = port;
		run.remote = remote;
		run.vid = vid;
		run.segs[run.n++] =
		        (struct gro_seg){ data + off + VXLAN_HDR_LEN, dl - VXLAN_HDR_LEN };
	}
	if (run.n)
		vx_flush(sw, &run);
	if (run.out != VX_NOBUF)
		pool_put(sw, run.out);
}

/* The segment size of the batch the last receive brought, or 0 for one datagram. */
static size_t
vx_gro_size(struct vxsock *s)
{
	struct cmsghdr *cm;
	int gso = 0;

	if (!s->gro)
		return 0;
	for (cm = CMSG_FIRSTHDR(&s->msg); cm; cm = CMSG_NXTHDR(&s->msg, cm))
		if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(&gso, CMSG_DATA(cm), sizeof(gso));
	return gso > 0 ? (size_t)gso : 0;
}

void
vxport_recv_done(struct sw *sw, const struct io_uring_cqe *cqe)
{
	uint32_t si = ud_idx(cqe->user_data);
	struct vxsock *s = &sw->vxsocks[si];
	bool has_buf = cqe->flags & IORING_CQE_F_BUFFER;
	bool more = cqe->flags & IORING_CQE_F_MORE;
	uint16_t bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
	struct vxlan_addr from;

	if (has_buf)
		pool_tun_got(sw, bid);
	if (s->fd < 0 || s->gen != ud_gen(cqe->user_data)) {
		if (has_buf)
			pool_put(sw, bid);
		return;
	}
	if (!more)
		s->receiving = false;
	if (s->closing) {
		if (has_buf)
			pool_put(sw, bid);
		if (!s->receiving)
			vxsock_close(sw, si);
		return;
	}
	if (cqe->res == -ENOBUFS && !s->receiving) {
		/* Re-armed once a batch gave buffers back (vxport_rearm), or by the tick. */
		s->starved = true;
		sw->pool.tun_starved = true;
		return;
	}
	if (cqe->res < 0 && cqe->res != -EAGAIN && cqe->res != -EINTR)
		log_debug("VXLAN socket %u: receive failed: %s", si, strerror(-cqe->res));
	if (has_buf && cqe->res >= 0) {
		size_t len = (size_t)cqe->res, gso = vx_gro_size(s);
		uint8_t *data = pool_data(sw, bid) + POOL_TUN_OFFSET;

		if (!vx_from(&s->from, &from))
			memset(&from, 0, sizeof(from));
		if (len > sw->pool.buf_size - POOL_TUN_OFFSET)
			vx_drop(sw, s, VXLAN_DROP_OVERSIZE, UINT32_MAX, len);
		else if (gso && len > gso)
			vx_batch(sw, s, &from, data, len, gso);
		else
			vx_one(sw, s, &from, bid, data, len);
	}
	if (has_buf)
		pool_put(sw, bid);
	if (!s->receiving)
		vxsock_arm(sw, si);
}

void
vxport_rearm(struct sw *sw)
{
	sw->pool.tun_starved = false;
	if (!sw->vxsocks)
		return;
	for (uint32_t i = 0; i < VXSOCK_MAX; i++)
		if (sw->vxsocks[i].fd >= 0 && sw->vxsocks[i].starved && !sw->vxsocks[i].receiving)
			vxsock_arm(sw, i);
}

void
vxport_tick(struct sw *sw)
{
	vxport_rearm(sw);
}

void
vxport_describe(const struct sw *sw, uint32_t idx, struct ctl_port *ret)
{
	const struct port *p = &sw->ports[idx];
	struct ctl_port_vxlan *v = &ret->vxlan;
	const struct vxsock *s;

	if (!p->vx)
		return;
	s = &sw->vxsocks[p->vx->sock];
	ret->has_vxlan = true;
	v->vni = p->vx->vni;
	for (unsigned i = 0; i < p->vx->nremotes && i < CTL_REMOTES_MAX; i++)
		vxlan_addr_format(&p->vx->remotes[i], v->remote[v->nremote++]);
	if (!s->local_any)
		vxlan_addr_format(&s->local, v->local);
	v->dstport = s->port;
	v->underlay_mtu = p->vx->underlay_mtu;
	/* Received batches: GSO frames merged, and the datagrams they were merged from. */
	v->gro_merged = p->vx->gro_frames;
	v->gro_segments = p->vx->gro_segs;
	/* What the port's VNI dropped, and what its socket dropped before a VNI was known. */
	for (int r = VXLAN_OK + 1; r < VXLAN_VERDICTS && v->ndrops < CTL_VXLAN_DROPS_MAX; r++) {
		v->drop_reason[v->ndrops] = vxlan_verdict_name(r);
		v->drops[v->ndrops++] = r <= VXLAN_DROP_UNKNOWN_VNI ? s->drops[r] : p->vx->drops[r];
	}
}

void
vxport_remote_name(const struct sw *sw, uint32_t idx, uint16_t remote, char *buf, size_t size)
{
	const struct port *p = &sw->ports[idx];
	char text[INET6_ADDRSTRLEN];

	buf[0] = '\0';
	if (p->kind != PORT_VXLAN || !p->vx || remote >= p->vx->nremotes)
		return;
	vxlan_addr_format(&p->vx->remotes[remote], text);
	snprintf(buf, size, "%s", text);
}

int
vxport_fdb_add(struct sw *sw, const struct ctl_request *req, const char **ret_error)
{
	uint32_t idx = port_find(sw, req->port);
	uint16_t remote = FDB_REMOTE_NONE;
	struct port *p;
	int r;

	if (idx == UINT32_MAX) {
		*ret_error = "no such port";
		return -ENOENT;
	}
	p = &sw->ports[idx];
	if (p->kind == PORT_VXLAN) {
		struct vxlan_addr a;

		if (!req->nremote) {
			*ret_error = "an address behind a VXLAN port needs its \"remote\"";
			return -EINVAL;
		}
		if (vxlan_addr_parse(req->remote[0], &a) < 0 ||
		    (r = vxlan_addr_find(p->vx->remotes, p->vx->nremotes, &a)) < 0) {
			*ret_error = "the remote is not one of the port's remotes";
			return -EINVAL;
		}
		remote = (uint16_t)r;
	} else if (req->nremote) {
		*ret_error = "only an address behind a VXLAN port has a remote";
		return -EINVAL;
	}
	r = fdb_add_fixed(&sw->fdb, p->seg, 0, req->mac, idx, remote, sw->now);
	if (r < 0) {
		*ret_error = "the forwarding table is full";
		return r;
	}
	return 0;
}
