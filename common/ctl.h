/*
 * The control protocol between the switch and its clients: the only place where the
 * message schema is defined.  One JSON object per SOCK_SEQPACKET message, at most one
 * fd with it, exactly one reply: {"ok":true,...} or {"ok":false,"error":"..."}.
 */
#pragma once

#include "ident.h"
#include "json.h"

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_MSG_MAX 65536
#define CTL_PORT_NAME_MAX (IDENT_MAX + 1 + IFNAMSIZ) /* "<node>-<ifname>" and its NUL */
#define CTL_SEGMENT_MAX 32                          /* a segment name and its NUL */
#define CTL_SEGMENT_DEFAULT "default"                /* always exists; where old clients land */
#define CTL_MTU_DEFAULT 1500
#define CTL_MTU_MIN 68
#define CTL_MTU_MAX 65535
#define CTL_PREFIX_MAX 56 /* an address with its prefix length, "A/L", and its NUL */

enum ctl_op {
	CTL_ATTACH,
	CTL_DETACH,
	CTL_PORTS,
	CTL_FDB,
	CTL_SEGMENT_ADD,
	CTL_SEGMENT_DEL,
	CTL_SEGMENTS,
	CTL_HOST_ADD,
	CTL_HOST_DEL,
	CTL_VXLAN_ADD,
	CTL_VXLAN_DEL,
	CTL_FDB_ADD,
	CTL_FDB_DEL,
};

#define CTL_ADDR_MAX 46    /* an IPv4 or IPv6 address and its NUL (INET6_ADDRSTRLEN) */
#define CTL_REMOTES_MAX 16 /* remotes of one VXLAN port */
#define CTL_VNI_MAX 0xffffff

struct ctl_request {
	enum ctl_op op;
	char node[IDENT_MAX + 1];      /* attach; detach by node */
	char ifname[IFNAMSIZ];         /* attach */
	char port[CTL_PORT_NAME_MAX];  /* detach by port */
	char segment[CTL_SEGMENT_MAX]; /* attach, host-add; "" is the default segment */
	/* segment-add, segment-del: the segment; host-add, host-del: the port, an interface name */
	char name[CTL_SEGMENT_MAX];
	uint32_t mtu;                /* segment-add; 0 when not given */
	char ipv4[CTL_PREFIX_MAX];   /* host-add: "A/L", or "" */
	char ipv6[CTL_PREFIX_MAX];
	bool masquerade;             /* host-add */
	/* vxlan-add: name (an interface name), its VNI, remotes, local address, UDP port */
	uint32_t vni;
	bool has_vni;
	char remote[CTL_REMOTES_MAX][CTL_ADDR_MAX]; /* fdb-add: remote[0] */
	unsigned nremote;
	char local[CTL_ADDR_MAX];
	uint16_t dstport; /* 0 when not given */
	/* fdb-add, fdb-del: the address, in "segment" (fdb-del) or behind "port" (fdb-add) */
	uint8_t mac[6];
};

struct ctl_segment {
	char name[CTL_SEGMENT_MAX];
	uint32_t mtu;
	uint32_t ports;
};

struct ctl_port {
	char name[CTL_PORT_NAME_MAX];
	char node[IDENT_MAX + 1];
	char ifname[IFNAMSIZ];
	char state[16];
	char kind[8];                  /* "tap", "host" */
	char segment[CTL_SEGMENT_MAX];
	uint8_t mac[6];                /* when has_mac: the node's, or the host port's */
	bool has_mac;
	uint64_t rx_frames, rx_bytes;
	uint64_t tx_frames, tx_bytes;
	uint64_t drops;
};

struct ctl_fdb_entry {
	uint8_t mac[6];
	char segment[CTL_SEGMENT_MAX];
	unsigned vlan;
	char port[CTL_PORT_NAME_MAX];
	unsigned age;
	char remote[CTL_ADDR_MAX]; /* learned over VXLAN: the remote it sits behind, or "" */
	bool fixed;                /* added with fdb-add */
};

const char *ctl_op_name(enum ctl_op op);

/*
 * Decodes one request message (len bytes, not NUL-terminated).  Returns 0, or -EBADMSG
 * with a human-readable reason in *ret_error (a static string) for anything malformed.
 */
int ctl_request_decode(const char *buf, size_t len, struct ctl_request *ret,
		       const char **ret_error);
/* A malloc'd JSON text for req, or NULL on allocation failure. */
char *ctl_request_encode(const struct ctl_request *req);

/* A segment name: 1 to CTL_SEGMENT_MAX - 1 of A-Z a-z 0-9 _ - . (Kathara's collision
 * domains are \w+), not starting with '-' or '.'. */
bool ctl_segment_valid(const char *s);

/*
 * Parses "A/L", an address of family (AF_INET or AF_INET6) and its prefix length, into
 * ret_addr (a struct in_addr or in6_addr) and ret_len.  0 or -EINVAL.
 */
int ctl_prefix_parse(const char *s, int family, void *ret_addr, unsigned *ret_len);

/* Writes "<node>-<ifname>"; -ENAMETOOLONG if it does not fit. */
int ctl_port_name(const char *node, const char *ifname, char ret[CTL_PORT_NAME_MAX]);

/* Replies.  ctl_reply_ok() is {"ok":true}, to be completed by the caller. */
cJSON *ctl_reply_ok(void);
char *ctl_reply_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* {"ok":true,"port":NAME}, with "segment" unless segment is NULL. */
char *ctl_reply_port(const char *name, const char *segment);
cJSON *ctl_segment_to_json(const struct ctl_segment *s);
int ctl_segment_from_json(const cJSON *obj, struct ctl_segment *ret);
/* {"ok":true,"segment":{...}} */
char *ctl_reply_segment(const struct ctl_segment *s);
cJSON *ctl_port_to_json(const struct ctl_port *p);
int ctl_port_from_json(const cJSON *obj, struct ctl_port *ret);
cJSON *ctl_fdb_to_json(const struct ctl_fdb_entry *e);
int ctl_fdb_from_json(const cJSON *obj, struct ctl_fdb_entry *ret);
/* Adds the table's counters to an fdb reply; -ENOMEM on allocation failure. */
int ctl_fdb_counters_to_json(cJSON *reply, uint64_t learn_refused);

/*
 * Parses a reply.  Returns 0 with the object in *ret for {"ok":true}, -EREMOTEIO with
 * the peer's text in *ret_error (malloc'd) for an error reply, -EBADMSG when malformed.
 */
int ctl_reply_decode(const char *buf, size_t len, cJSON **ret, char **ret_error);

/*
 * One round trip on a connected socket: sends req (with fd when fd >= 0) and waits for
 * the reply.  Errors as ctl_reply_decode, plus -errno from the socket and -ECONNRESET
 * when the switch hung up.
 */
int ctl_call(int sock, const struct ctl_request *req, int fd, cJSON **ret, char **ret_error);

/*
 * Whether a switch answers on a freshly connected sock: sends a request and waits up to
 * CTL_PROBE_TIMEOUT_MS for the reply.  0 when the peer hung up (a switch that died with
 * the connection still in its backlog); 1 otherwise: a reply, even a refusal, or silence.
 */
#define CTL_PROBE_TIMEOUT_MS 1000
int ctl_probe(int sock);
