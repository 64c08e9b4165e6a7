/*
 * The switch's state: one io_uring, one frame pool shared by every port, the ports, the
 * control connections and the forwarding table.  One thread owns all of it.
 */
#pragma once

#include "ctl.h"
#include "fdb.h"
#include "pcapng.h"
#include "impair.h"
#include "ipam.h"
#include "uring.h"
#include "vlan.h"

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <sys/types.h>
#include <sys/uio.h>

/* What a completion belongs to: packed into user_data with the slot and its generation. */
enum sw_op {
	OP_ACCEPT = 1,
	OP_CTL_RECV,
	OP_CTL_SEND,
	OP_CTL_CLOSE,
	OP_READ,
	OP_WRITE,
	OP_WRITEV, /* a write with a prefix: the buffer id field holds its write slot */
	OP_SIGNAL,
	OP_TICK,
	OP_IGNORE,        /* cancellations and file-table updates: nothing to do on completion */
	OP_CAPTURE_WRITE, /* a capture's queued bytes on their way to its reader */
	OP_TUN_RECV,      /* a datagram on a VXLAN socket: the slot index is the socket's */
	OP_TUN_SEND,      /* a datagram sent: the buffer id field holds its send slot */
	OP_LEASE,         /* a step of a save of the leases: the buffer id field holds the step */
};

/* user_data: op (8 bits) | buffer id (16) | slot index (24) | slot generation (16). */
static inline uint64_t
ud_pack(enum sw_op op, uint32_t idx, uint32_t gen, uint16_t bid)
{
	return (uint64_t)op | (uint64_t)bid << 8 | (uint64_t)(idx & 0xffffff) << 24 |
	       (uint64_t)(gen & 0xffff) << 48;
}
/* clang-format off */
static inline enum sw_op ud_op(uint64_t ud) { return ud & 0xff; }
static inline uint16_t ud_bid(uint64_t ud) { return ud >> 8; }
static inline uint32_t ud_idx(uint64_t ud) { return (ud >> 24) & 0xffffff; }
static inline uint16_t ud_gen(uint64_t ud) { return ud >> 48; }
/* clang-format on */

struct port_stats {
	uint64_t rx_frames, rx_bytes;
	uint64_t tx_frames, tx_bytes;
	uint64_t rx_drops; /* runt, oversize, bad source, reserved, local */
	uint64_t tx_drops; /* in-flight cap reached, or the write failed */
};

enum port_kind {
	PORT_TAP,  /* a tap a client handed over: dies with its connection */
	PORT_HOST, /* a tap the switch made in its own namespace: dies with host-del or the switch */
	PORT_VXLAN, /* a VNI over a UDP socket to remote hosts: dies with vxlan-del or the switch */
};

struct vxport;
struct lease_io;

struct port {
	int fd; /* -1: slot free */
	enum port_kind kind;
	uint16_t seg;     /* its segment */
	uint32_t seg_pos; /* index in its segment's members */
	bool has_mac;
	uint8_t mac[6];      /* a host port's own; for a tap, the first source its node used */
	bool masquerade;     /* a host port with its nftables table */
	uint16_t gen;        /* bumped when the slot is freed, so late completions are recognised */
	bool reading;        /* a read is armed on the ring */
	bool starved;        /* its read stopped for want of buffers: re-arm when some return */
	bool closing;        /* detached, waiting for its read to end before the fd is closed */
	uint32_t inflight;   /* writes under way to this port */
	uint32_t conn;       /* the connection that attached it (a tap): the port dies with it */
	uint32_t active_pos; /* index in sw.active */
	struct vlan_role vlan; /* its VLAN role (none: frames pass as they are) */
	uint32_t ipv4; /* its node's address on the segment as attach said (host order), or 0 */
	struct port_stats st;
	/* Its link (link.c): impairment per direction (enum impair_dir) and carrier. */
	bool carrier_down;
	bool impaired[IMPAIR_DIRS];       /* eff changes anything */
	bool qblocked;                    /* its queue waits for write slots */
	uint32_t qpos;                    /* index in sw.queued, or UINT32_MAX */
	struct ctl_link own[IMPAIR_DIRS]; /* its own settings */
	struct ctl_link eff[IMPAIR_DIRS]; /* its segment's, its own over them */
	struct impair_state ist[IMPAIR_DIRS];
	struct ctl_link_counters ic[IMPAIR_DIRS];
	struct impq *q[IMPAIR_DIRS]; /* made at its first impaired frame */
	struct vxport *vx;           /* a VXLAN port's VNI, socket and remotes */
	char node[IDENT_MAX + 1];
	char ifname[IFNAMSIZ];
	char name[CTL_PORT_NAME_MAX];
	char hostname[IDENT_MAX + 1]; /* the name its node answers to in DNS, or "" */
};

/* At most this many segments, "default" included. */
#define SEGMENT_MAX 1024

struct segment {
	char name[CTL_SEGMENT_MAX]; /* "": slot free */
	uint32_t mtu;
	uint32_t *members; /* its ports, dense, for flooding */
	uint32_t nmembers;
	struct ctl_link link[IMPAIR_DIRS]; /* link-set on the segment: each member's default */
	struct ipam_pool addr;             /* its addressing (addr.len 0 and !addr.has_v6: none) */
	struct endpoint *ep; /* the local endpoint when it has a service (endpoint.c) */
};

/*
 * A frame on its way: the bytes a read put in a pool buffer (vnet header first), or a
 * copy in a port's impairment queue (q, entry qe) that an impaired port released.
 */
struct frame {
	uint16_t bid; /* its pool buffer, when q is NULL */
	uint32_t len;
	uint16_t vid; /* the VLAN it belongs to (ingress classification), 0: untagged, no role */
	uint8_t *data;
	struct impq *q;
	uint32_t qe;
};

/* Bytes a write may put in front of a frame for one destination (a tag, a tunnel header). */
#define POOL_PREFIX_MAX 96

struct pool_slot {
	struct iovec iov[2];
	uint16_t bid;
	struct impq *q; /* the write is of a queued copy: entry qe of q, not buffer bid */
	uint32_t qe;
	uint32_t next; /* free list */
	uint8_t prefix[POOL_PREFIX_MAX];
};

/* The frame pool (pool.c says how a frame lives in it). */
struct pool {
	struct io_uring_buf_ring *br;
	uint8_t *bufs;
	uint32_t nbufs;
	uint32_t buf_size;
	uint16_t *refs;
	uint32_t returned;       /* buffers given back since the last advance */
	uint32_t held;           /* buffers the reads took that are not back in the pool */
	uint32_t nstarved;       /* ports whose read waits for buffers */
	struct pool_slot *slots; /* one per prefixed write under way */
	uint32_t nslots;
	uint32_t free_slot;
	uint16_t *local; /* free local buffers: bids from nbufs on, never the kernel's */
	uint32_t nlocal;
	uint16_t *gro; /* free merge buffers: bids from nbufs + POOL_LOCAL on */
	uint32_t ngro;
	/* The tunnel group: buffers VXLAN sockets receive into (pool_tun_init). */
	struct io_uring_buf_ring *tun_br;
	uint8_t *tun_bufs;
	uint16_t *tun_refs;
	uint32_t tun_returned;
	uint32_t tun_held; /* tunnel buffers the receives took that are not back */
	bool tun_starved;  /* a tunnel socket's receive waits for buffers */
};

/* Buffers of the pool the switch fills itself (the local endpoint's answers). */
#define POOL_LOCAL 64
/* Buffers the frames of a GRO'd batch of VXLAN datagrams are split and merged into. */
#define POOL_GRO 128
#define POOL_EXTRA (POOL_LOCAL + POOL_GRO)

/*
 * Buffer ids from POOL_TUN_BASE on are the tunnel group's: far above the main pool's
 * (at most 32768, and any buffers kept beside it), below UINT16_MAX, which means none.
 */
#define POOL_TUN_BGID 1
#define POOL_TUN_BUFS 256
#define POOL_TUN_BASE (65536 - 2 * POOL_TUN_BUFS)
/* A datagram lands this far into its buffer: VXLAN header + frame = vnet header + frame. */
#define POOL_TUN_OFFSET 4

/* The kernel's cap on descriptors in one message (SCM_MAX_FD): room for all, so none is
 * dropped, and so closed, by the kernel on the loop's thread. */
#define CONN_MAX_FDS 253

struct conn {
	int fd; /* -1: slot free */
	uint16_t gen;
	bool closing;
	bool denied;     /* SO_PEERCRED said no: answer the first request with a refusal */
	bool spoke;      /* a request came: the idle timeout no longer applies */
	bool receiving;  /* a receive is armed on the ring */
	uint32_t nports; /* ports it attached that still live */
	uint64_t last;   /* accepted, or its last request (monotonic ns) */
	uid_t uid;
	char *rbuf;  /* CTL_MSG_MAX + 1 bytes, so an oversize message shows as such */
	char *reply; /* owned until its send completes */
	/* An attach whose reply waits for its lease to be on disk: the save it needs
	 * (0: none), the reply, and the port to undo if that save fails. */
	uint64_t lease_need;
	char *lease_reply;
	uint32_t lease_port;
	uint16_t lease_port_gen;
	struct iovec iov;
	struct msghdr msg;
	union {
		char buf[CMSG_SPACE(CONN_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} cmsg;
};

/* Captures: at most this many at once, each with a queue of this many bytes. */
#define CAPTURE_MAX 16
#define CAPTURE_QUEUE (4u << 20)
#define CAPTURE_IFACES 1024 /* interfaces (ports) one capture records */

struct capture_iface {
	uint32_t port; /* its port's slot and generation */
	uint16_t gen;
	uint64_t start; /* ns, monotonic */
	uint64_t recv, drop;
	uint64_t unreported; /* drops since its last EPB: that EPB's epb_dropcount */
};

/* One capture (capture.c says how it runs). */
struct capture {
	bool used; /* the slot holds a capture */
	int fd;    /* where the blocks go; -1 once closed */
	uint16_t gen;
	uint32_t id;
	uint32_t conn; /* the connection that asked: the capture ends with it */
	uint16_t conn_gen;
	bool all; /* every port of every segment */
	uint64_t segs[SEGMENT_MAX / 64];
	uint32_t nports; /* ports named in the request */
	uint32_t ports[CTL_CAPTURE_NAMES];
	uint16_t port_gens[CTL_CAPTURE_NAMES];
	uint32_t *ifid; /* per port slot: its interface in this capture, or UINT32_MAX */
	struct capture_iface *ifaces;
	uint32_t nifaces;
	uint32_t snaplen;
	uint64_t count; /* frames to record at most; 0: no limit */
	uint64_t frames, dropped;
	uint64_t epoch;    /* realtime minus monotonic clock, ns, for timestamps */
	bool done;         /* records nothing more; its statistics are queued */
	bool released;     /* stopped or its connection gone: the slot goes once the fd is */
	bool writing;      /* a write of its queue is under way */
	uint64_t deadline; /* released: when a stuck write is given up */
	bool reply;        /* a capture-stop waits for its reply until the queue drained */
	uint32_t reply_conn;
	uint16_t reply_gen;
	struct pcapng_queue q;
	struct iovec iov[2];
};

struct sw_config {
	const char *socket_path;
	gid_t group; /* (gid_t)-1: none */
	uint64_t ageing_s;
	uint32_t max_ports;
	uint32_t fdb_max;
	uint32_t nbufs;        /* frame buffers in the pool, a power of two */
	uint32_t inflight_cap; /* writes in flight per port before drops; 0: 3/4 of nbufs */
	bool offload;          /* TSO/checksum offloads on every port */
	bool multishot;        /* may use multishot reads (if the kernel has them) */
	const char *state_dir; /* where the leases live */
	bool tun_gso;          /* VXLAN: segments leave in one sendmsg with UDP_SEGMENT */
	bool tun_gro;          /* VXLAN: batches come in with UDP_GRO, TCP segments merged */
};

struct sw {
	struct sw_config cfg;
	struct io_uring ring;
	bool multishot;

	struct pool pool;

	struct port *ports;
	uint32_t *active; /* indices of live ports, dense */
	uint32_t nactive;
	struct conn *conns;
	uint32_t max_conns;
	bool accepting;          /* the multishot accept is armed */
	uint64_t fdlimit_logged; /* when running out of descriptors was last logged */
	struct segment *segs;    /* SEGMENT_MAX slots, 0 the default segment */
	uint32_t nsegs;
	struct fdb fdb;
	struct ipam ipam;     /* every segment's leases */
	char *lease_path;     /* the state file they are saved to */
	struct lease_io *lio; /* its saves on the ring (lease.c), NULL without a state directory */
	uint64_t now;         /* monotonic ns, read once per batch of completions */
	struct capture *caps; /* CAPTURE_MAX slots */
	uint32_t ncaps;       /* slots in use: 0 costs the data path one test */
	uint32_t next_cap_id;
	uint32_t *queued; /* ports whose impairment queue holds waiting frames, dense */
	uint32_t nqueued;
	uint64_t link_seed;     /* where unseeded ports' random sources start */
	uint8_t *scratch;       /* a pool buffer's size: one segment of a GSO frame at a time */
	struct vxsock *vxsocks; /* VXSOCK_MAX slots, made with the first VXLAN port */
	struct vxsend *vxsends; /* datagrams under way */
	uint32_t vxsend_free;
	struct vxtx *vxtx; /* buffers of segmented frames on their way out */
	uint32_t vxtx_free;
	uint64_t vxkey; /* the key of the outer source port's flow hash */

	int listen_fd;
	int signal_fd;
	struct signalfd_siginfo siginfo;
	struct __kernel_timespec tick;
	uid_t uid;
	bool stop;
};

/* ring.c: setup and the loop, on top of everything below. */
int sw_init(struct sw *sw, const struct sw_config *cfg);
void sw_free(struct sw *sw);
int sw_run(struct sw *sw);

/* sqe.c: the ring primitives the handlers use, under them. */
struct io_uring_sqe *sw_sqe(struct sw *sw);
uint64_t sw_clock(void);
void sw_close_async(struct sw *sw, int fd, uint64_t user_data);

/* pool.c: the frame pool and a frame's life in it. */
enum pool_read {
	POOL_READ_NONE,  /* nothing to do */
	POOL_READ_FRAME, /* a frame to forward; the caller drops the reader's reference */
	POOL_READ_ENDED, /* the last read of a closing port ended: its slot may go */
};
int pool_init(struct sw *sw, uint32_t nbufs, uint32_t buf_size);
void pool_free(struct sw *sw);
uint8_t *pool_data(const struct sw *sw, uint16_t bid);
void pool_hold(struct sw *sw, uint16_t bid);
void pool_put(struct sw *sw, uint16_t bid);
void pool_arm_read(struct sw *sw, uint32_t idx);
void pool_forget(struct sw *sw, struct port *p);
enum pool_read pool_read_done(struct sw *sw, const struct io_uring_cqe *cqe, struct frame *ret);
/* Writes prefix then the frame from byte skip on to port idx; -ENOBUFS when it cannot. */
int pool_write(struct sw *sw, uint32_t idx, const struct frame *f, const void *prefix,
               uint32_t prefix_len, uint32_t skip);
/* The port whose write completed, or UINT32_MAX when it is gone or going. */
uint32_t pool_write_done(struct sw *sw, const struct io_uring_cqe *cqe);
/* Drops a write's reference to a copy in an impairment queue (entry qe of q). */
void pool_release_copy(struct impq *q, uint32_t qe);
void pool_advance(struct sw *sw);
/* Whether a write to port idx can be started now (its in-flight cap, a free write slot). */
bool pool_can_write(const struct sw *sw, uint32_t idx);
void pool_rearm(struct sw *sw);
/* A local buffer with one reference (the caller's), for a frame the switch builds; -ENOBUFS. */
int pool_local_get(struct sw *sw, uint16_t *ret_bid);
/* The same from the merge buffers, for the frames of a GRO'd batch of datagrams. */
int pool_gro_get(struct sw *sw, uint16_t *ret_bid);

/* segment.c: segments and their members. */
int segment_init(struct sw *sw);
void segment_free(struct sw *sw);
/* The segment called name ("" is the default one), or UINT32_MAX. */
uint32_t segment_find(const struct sw *sw, const char *name);
/* -EEXIST, -ENOSPC or -ENOMEM; mtu 0 is the default. */
int segment_add(struct sw *sw, const char *name, uint32_t mtu, uint32_t *ret_idx);
/* -EPERM for the default segment, -EBUSY while ports use it. */
int segment_del(struct sw *sw, uint32_t idx);
void segment_join(struct sw *sw, uint32_t seg, uint32_t port);
void segment_leave(struct sw *sw, uint32_t port);
void segment_describe(const struct sw *sw, uint32_t idx, struct ctl_segment *ret);

/* port.c: ports, and the path of a frame from one port to others. */
int port_attach(struct sw *sw, uint32_t conn, uint32_t seg, const char *node, const char *ifname,
                int fd, const char **ret_name, const char **ret_error);
/* A free port slot, or UINT32_MAX. */
uint32_t port_slot(const struct sw *sw);
/* Puts fd, a checked tap, in slot idx as model says (kind, conn, seg, names, MAC). */
int port_open(struct sw *sw, uint32_t idx, int fd, const struct port *model,
              const char **ret_error);
void port_detach(struct sw *sw, uint32_t idx);
uint32_t port_find(const struct sw *sw, const char *name);
const char *port_kind_name(enum port_kind kind);
void port_read_done(struct sw *sw, const struct io_uring_cqe *cqe);
/* The policy step of a frame's way out of port out: carrier, then impairment. */
void port_egress(struct sw *sw, uint32_t out, const struct frame *f);
/* The way out past policy: the tag edit for out's VLAN role, captures, the write.
 * -ENOBUFS when it cannot go now. */
int port_transmit(struct sw *sw, uint32_t out, const struct frame *f);
/* The forwarding decision for a frame read from port in (or released by its ingress queue). */
void port_forward(struct sw *sw, uint32_t in, const struct frame *f);
/* Sends a frame the switch built through port out's egress path. */
void port_send(struct sw *sw, uint32_t out, const struct frame *f);
void port_write_done(struct sw *sw, const struct io_uring_cqe *cqe);

/* The VLAN role of an attach request (validated there) as the port keeps it. */
void port_vlan_from_ctl(struct vlan_role *ret, const struct ctl_vlan *v);
void port_vlan_to_ctl(const struct vlan_role *r, struct ctl_vlan *ret);

/* capture.c: live captures of ports and segments into pcapng. */
int capture_init(struct sw *sw);
void capture_free(struct sw *sw);
/* Starts one for conn writing to fd (taken: closed on failure too); its ID in *ret_id. */
int capture_start(struct sw *sw, uint32_t conn, const struct ctl_request *req, int fd,
                  uint32_t *ret_id, const char **ret_error);
/*
 * Stops capture id of conn: its statistics are queued and the capture-stop reply goes
 * to conn once the queue drained (or a stuck reader was given up).  -ENOENT if none.
 */
int capture_stop(struct sw *sw, uint32_t conn, uint32_t id);
void capture_conn_gone(struct sw *sw, uint32_t conn);
/* Fills captures' "captures" list entries; returns how many (at most max). */
uint32_t capture_list(const struct sw *sw, uint32_t conn, struct ctl_capture *ret, uint32_t max);
/* A frame that port read (ingress), or that port is about to be sent: eth is the
 * ethernet frame in n pieces, len bytes in all. */
void capture_ingress(struct sw *sw, uint32_t port, const struct iovec *eth, size_t n, size_t len);
void capture_egress(struct sw *sw, uint32_t port, const struct iovec *eth, size_t n, size_t len);
/* After each batch of completions: queued bytes go to their readers. */
void capture_flush(struct sw *sw);
void capture_write_done(struct sw *sw, const struct io_uring_cqe *cqe);
void capture_tick(struct sw *sw);
/* link.c: a port's link: carrier and impairment, and the queues' timer. */
void link_port_open(struct sw *sw, uint32_t idx);
void link_port_close(struct sw *sw, uint32_t idx);
/* Recomputes the port's settings from its segment's and its own. */
void link_refresh(struct sw *sw, uint32_t idx);
/* Takes frame f into the port's queue of direction dir (its impairment decides). */
void link_impair(struct sw *sw, uint32_t idx, enum impair_dir dir, const struct frame *f);
/* Sends what is due from every queue. */
void link_release(struct sw *sw);
/* When the next queued frame is due (monotonic ns), or UINT64_MAX. */
uint64_t link_deadline(struct sw *sw);
/* At exit: every queue goes. */
void link_free(struct sw *sw);
/* link-set and link-show: the reply text (malloc'd), or NULL when out of memory. */
char *link_set(struct sw *sw, const struct ctl_request *req);
char *link_show(struct sw *sw, const struct ctl_request *req);
/* Allocates the tunnel buffer group; 0 if it exists. */
int pool_tun_init(struct sw *sw);
/* A tunnel buffer the ring filled: the reader's reference. */
void pool_tun_got(struct sw *sw, uint16_t bid);

/* vxport.c: VXLAN ports, their UDP sockets, encapsulation on the way out and in. */
int vxport_add(struct sw *sw, const struct ctl_request *req, const char **ret_name, char *ret_error,
               size_t error_size);
int vxport_del(struct sw *sw, const char *name, const char **ret_error);
/* The largest MTU of a segment the port req describes may join (its underlay's). */
int vxport_max_mtu(const struct ctl_request *req, uint32_t *ret, char *ret_error,
                   size_t error_size);
/* Sends frame f out of VXLAN port idx, to one remote or all of them. */
void vxport_transmit(struct sw *sw, uint32_t idx, const struct frame *f);
void vxport_recv_done(struct sw *sw, const struct io_uring_cqe *cqe);
void vxport_send_done(struct sw *sw, const struct io_uring_cqe *cqe);
/* A port leaves: its socket goes with its last VNI. */
void vxport_release(struct sw *sw, uint32_t idx);
void vxport_free(struct sw *sw);
/* Re-arms receives that found no tunnel buffer. */
void vxport_tick(struct sw *sw);
/* The same, once a batch of completions gave tunnel buffers back. */
void vxport_rearm(struct sw *sw);
/* A VXLAN port's part of its ports entry: VNI, remotes, GRO and drop counters. */
void vxport_describe(const struct sw *sw, uint32_t idx, struct ctl_port *port);
/* fdb-add: a fixed entry for mac behind VXLAN port at remote. */
int vxport_fdb_add(struct sw *sw, const struct ctl_request *req, const char **ret_error);
/* The remote a port's fdb entry points at, as text; "" for none. */
void vxport_remote_name(const struct sw *sw, uint32_t idx, uint16_t remote, char *buf, size_t size);
/* The frame's ingress, for ports whose reads are not the pool's. */
void port_ingress(struct sw *sw, uint32_t in, const struct frame *f);

/* host.c: host ports, taps of the switch's own. */
int host_add(struct sw *sw, const struct ctl_request *req, const char **ret_error);
int host_del(struct sw *sw, const char *name, const char **ret_error);
/* Undoes what the port set up outside the switch (its NAT, its link), before it goes. */
void host_release(struct sw *sw, uint32_t idx);

/* lease.c: the segments' addressing as the switch keeps it: leases and their state file. */
int lease_init(struct sw *sw);
/* Starts saving the leases on the ring if they changed and no save is under way. */
void lease_kick(struct sw *sw);
/*
 * The save that puts the table as it is now on disk, for an answer that hands out what
 * changed: 0 when nothing it needs is unsaved.  Starts that save if none is under way.
 */
uint64_t lease_need(struct sw *sw);
/* Whether save seq is on disk: 1 yes (seq 0 too), 0 not yet, -errno when it failed. */
int lease_state(const struct sw *sw, uint64_t seq);
/* A step of a save completed; true when the save ended (answers waiting for it may go). */
bool lease_io_done(struct sw *sw, const struct io_uring_cqe *cqe);
/* At exit: waits for the save under way, then saves what changed since (blocking). */
void lease_stop(struct sw *sw);
/* Whether l's node is attached to l's segment now. */
bool lease_busy(const struct ipam_lease *l, void *sw);
uint64_t lease_clock(void);
/*
 * The addresses attach asks for (req->ipv4, req->ipv6: "auto" or static) on segment seg,
 * before the port exists: the assignment in *ret (always with the segment's MTU), the
 * host-order IPv4 address in *ret_ipv4.  A refusal's text (malloc'd) in *ret_error.  A
 * new lease is in the table, not yet on disk: the reply waits for lease_need().
 */
int lease_attach(struct sw *sw, uint32_t seg, const struct ctl_request *req, struct ctl_assign *ret,
                 uint32_t *ret_ipv4, char **ret_error);

/* endpoint.c: a segment's local endpoint (ARP, ping, DHCP, DNS, router advertisements). */
int endpoint_new(struct sw *sw, uint32_t seg);
void endpoint_free(struct sw *sw, uint32_t seg);
/* Looks at a frame entering segment of port in; true when it was for the endpoint alone. */
bool endpoint_input(struct sw *sw, uint32_t in, const struct frame *f);
/* A port joined its segment: it gets a router advertisement at once. */
void endpoint_port_added(struct sw *sw, uint32_t idx);
void endpoint_tick(struct sw *sw);
uint64_t endpoint_drops(const struct sw *sw, uint32_t seg);
/* A save of the leases ended: DHCP answers waiting for it go (an ACK, or a NAK if it failed). */
void endpoint_leases_saved(struct sw *sw);

/* control.c: the control socket. */
int control_start(struct sw *sw);
void control_accept_done(struct sw *sw, const struct io_uring_cqe *cqe);
void control_recv_done(struct sw *sw, const struct io_uring_cqe *cqe);
void control_send_done(struct sw *sw, const struct io_uring_cqe *cqe);
void control_close_done(struct sw *sw);
void control_tick(struct sw *sw);
void control_close_all(struct sw *sw);
/* The reply to a request whose answer waited (capture-stop); dropped if conn is gone. */
void control_reply_late(struct sw *sw, uint32_t conn, uint16_t gen, char *text);
/* A save of the leases ended: attach replies waiting for it go (or the attach is undone). */
void control_leases_saved(struct sw *sw);
