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
#define CTL_SEGMENT_MAX 32                           /* a segment name and its NUL */
#define CTL_SEGMENT_DEFAULT "default"                /* always exists; where old clients land */
#define CTL_MTU_DEFAULT 1500
#define CTL_MTU_MIN 68
#define CTL_MTU_MAX 65535
#define CTL_PREFIX_MAX 56 /* an address with its prefix length, "A/L", and its NUL */
#define CTL_VLAN_MIN 1
#define CTL_VLAN_MAX 4094
#define CTL_VLAN_WORDS 64    /* a bit per VLAN ID, 0 to 4095 */
#define CTL_CAPTURE_NAMES 64 /* ports, and segments, one capture request names at most */
#define CTL_SNAPLEN_DEFAULT 262144

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
	CTL_CAPTURE,
	CTL_CAPTURE_STOP,
	CTL_CAPTURES,
	CTL_LINK_SET,
	CTL_LINK_SHOW,
	CTL_LEASES,
	CTL_VXLAN_ADD,
	CTL_VXLAN_DEL,
	CTL_FDB_ADD,
	CTL_FDB_DEL,
};

/* A port's VLAN role in an attach request: none, access (one VLAN) or trunk (a set). */
enum ctl_vlan_mode {
	CTL_VLAN_NONE,
	CTL_VLAN_ACCESS,
	CTL_VLAN_TRUNK,
};

struct ctl_vlan {
	enum ctl_vlan_mode mode;
	uint16_t access;                /* "access": its VLAN */
	uint16_t native;                /* "native": a trunk's untagged VLAN, 0 for none */
	uint64_t trunk[CTL_VLAN_WORDS]; /* "trunk": the VLANs it carries tagged */
};

/* Which link settings a link-set gives (struct ctl_link's set). */
enum {
	CTL_LINK_DELAY = 1 << 0,
	CTL_LINK_JITTER = 1 << 1,
	CTL_LINK_DISTRIBUTION = 1 << 2,
	CTL_LINK_LOSS = 1 << 3,
	CTL_LINK_LOSS_GE = 1 << 4,
	CTL_LINK_DUPLICATE = 1 << 5,
	CTL_LINK_CORRUPT = 1 << 6,
	CTL_LINK_REORDER = 1 << 7,
	CTL_LINK_RATE = 1 << 8,
	CTL_LINK_LIMIT = 1 << 9,
	CTL_LINK_SEED = 1 << 10,
};

/* The directions a link-set applies to. */
enum {
	CTL_DIR_EGRESS = 1 << 0,  /* frames the switch delivers to the port */
	CTL_DIR_INGRESS = 1 << 1, /* frames the port sends into the switch */
	CTL_DIR_BOTH = CTL_DIR_EGRESS | CTL_DIR_INGRESS,
};

enum ctl_carrier {
	CTL_CARRIER_KEEP,
	CTL_CARRIER_UP,
	CTL_CARRIER_DOWN,
};

/* Impairment settings of a link, one direction; tc's words on the wire. */
struct ctl_link {
	uint32_t set; /* CTL_LINK_* given */
	uint64_t delay_ns, jitter_ns;
	bool normal;                              /* distribution: normal, else uniform */
	double loss, duplicate, corrupt, reorder; /* percent */
	double ge[4];                             /* loss_ge: p, r, 1-h, 1-k in percent */
	uint64_t rate_bps;
	uint32_t limit; /* wire packets */
	uint64_t seed;
};

#define CTL_SEED_MAX ((1ULL << 53) - 1) /* what a JSON number carries exactly */

/* A link's counters, one direction. */
struct ctl_link_counters {
	uint64_t delayed, dropped_loss, dropped_queue, duplicated, corrupted, queued;
};

/* One entry of a link-show reply: a port (port[0]) or a segment's own settings. */
struct ctl_link_entry {
	char port[CTL_PORT_NAME_MAX];
	char segment[CTL_SEGMENT_MAX];
	bool carrier_down;
	struct ctl_link dir[2]; /* egress, ingress */
	struct ctl_link_counters cnt[2];
};

#define CTL_AUTO "auto"  /* attach's "ipv4"/"ipv6": an address from the segment's IPAM */
#define CTL_ADDR_MAX 46  /* an address (INET6_ADDRSTRLEN) */
#define CTL_RANGE_MAX 32 /* "A.B.C.D-A.B.C.D" and its NUL */
#define CTL_DNS_MAX 3
#define CTL_DOMAIN_MAX 254 /* a segment's DNS domain ("lab", "lab1.example") and its NUL */
#define CTL_SLICE_MAX 24   /* segment-add's "slice": "I/N" and its NUL */

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
	uint32_t mtu;              /* segment-add; 0 when not given */
	char ipv4[CTL_PREFIX_MAX]; /* host-add, attach: "A/L", attach: "auto"; or "" */
	char ipv6[CTL_PREFIX_MAX]; /* the same; segment-add: the segment's /64 prefix */
	bool masquerade;           /* host-add */
	struct ctl_vlan vlan;      /* attach */
	/* capture: the ports and segments to watch (none of either: every port) */
	char cap_ports[CTL_CAPTURE_NAMES][CTL_PORT_NAME_MAX];
	uint32_t n_cap_ports;
	char cap_segments[CTL_CAPTURE_NAMES][CTL_SEGMENT_MAX];
	uint32_t n_cap_segments;
	uint32_t snaplen; /* capture; 0 when not given */
	uint64_t count;   /* capture: stop recording after this many frames; 0: no cap */
	uint32_t capture; /* capture-stop: the capture's ID */
	/* link-set, link-show: the port or ("segment") the segment; link-set: what changes */
	unsigned dir; /* CTL_DIR_* */
	struct ctl_link link;
	enum ctl_carrier carrier;
	bool clear;                   /* removes every setting first */
	char hostname[IDENT_MAX + 1]; /* attach: the name the node answers to in DNS, or "" */
	/* segment-add's addressing, "" when not given */
	char subnet[CTL_PREFIX_MAX];
	char service[CTL_ADDR_MAX];
	char gateway[CTL_ADDR_MAX];
	char dhcp[CTL_RANGE_MAX];
	bool dns;
	char domain[CTL_DOMAIN_MAX]; /* the names nodes have under it: NODE.DOMAIN */
	bool no_services;            /* "services":false: another switch serves the segment */
	char slice[CTL_SLICE_MAX];   /* "I/N": auto and DHCP hand out from part I of N */
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

/*
 * What attach hands out: the segment's MTU always, addresses with "ipv4":"auto" (and
 * "ipv6":"auto"); "" where there is nothing.
 */
struct ctl_assign {
	char ipv4[CTL_PREFIX_MAX]; /* "A/L" */
	char gateway[CTL_ADDR_MAX];
	char dns[CTL_DNS_MAX][CTL_ADDR_MAX];
	unsigned ndns;
	uint32_t mtu;                /* the segment's; 0 from a switch that does not say */
	char ipv6[CTL_PREFIX_MAX];   /* "X::Y/64" */
	char domain[CTL_DOMAIN_MAX]; /* the segment's DNS domain, the nodes' search domain */
};

struct ctl_lease {
	char segment[CTL_SEGMENT_MAX];
	char kind[8];             /* "auto", "static", "dhcp" */
	char node[IDENT_MAX + 1]; /* auto, static: the node; dhcp: the client's host name */
	char ifname[IFNAMSIZ];
	char mac[MAC_STRLEN]; /* dhcp */
	char ipv4[CTL_ADDR_MAX];
	uint64_t expires; /* dhcp: seconds left; 0 for the others */
	bool attached;    /* auto, static: its node is attached now */
};

struct ctl_segment {
	char name[CTL_SEGMENT_MAX];
	uint32_t mtu;
	uint32_t ports;
	/* addressing, "" when not set */
	char subnet[CTL_PREFIX_MAX];
	char service[CTL_ADDR_MAX];
	char gateway[CTL_ADDR_MAX];
	char dhcp[CTL_RANGE_MAX];
	char ipv6[CTL_PREFIX_MAX];
	bool dns;
	char domain[CTL_DOMAIN_MAX];
	bool no_services;          /* "services":false */
	char slice[CTL_SLICE_MAX]; /* "I/N" */
	uint32_t addresses;        /* host addresses IPAM hands out (auto and DHCP) */
	uint32_t leased;           /* of them, held now */
	bool has_endpoint; /* the switch answers there: endpoint_drops says what it dropped */
	uint64_t endpoint_drops;
};

#define CTL_VXLAN_DROPS_MAX 16

/* A VXLAN port's part of its "ports" entry. */
struct ctl_port_vxlan {
	uint32_t vni;
	char remote[CTL_REMOTES_MAX][CTL_ADDR_MAX];
	unsigned nremote;
	char local[CTL_ADDR_MAX]; /* "" when bound to any address */
	uint16_t dstport;
	uint32_t underlay_mtu;
	/* received batches: GSO frames merged, and the datagrams they were merged from */
	uint64_t gro_merged, gro_segments;
	/* what it dropped, by reason in the switch's words (static strings), zeros included */
	const char *drop_reason[CTL_VXLAN_DROPS_MAX];
	uint64_t drops[CTL_VXLAN_DROPS_MAX];
	unsigned ndrops;
};

struct ctl_port {
	char name[CTL_PORT_NAME_MAX];
	char node[IDENT_MAX + 1];
	char ifname[IFNAMSIZ];
	char state[16];
	char kind[8];         /* "tap", "host" */
	struct ctl_vlan vlan; /* its VLAN role */
	char segment[CTL_SEGMENT_MAX];
	uint8_t mac[6]; /* when has_mac: the node's, or the host port's */
	bool has_mac;
	char ipv4[CTL_ADDR_MAX]; /* the node's address on the segment when known, or "" */
	uint64_t rx_frames, rx_bytes;
	uint64_t tx_frames, tx_bytes;
	uint64_t drops; /* rx_drops + tx_drops */
	uint64_t rx_drops, tx_drops;
	bool has_vxlan; /* a VXLAN port: vxlan is set (encoding only) */
	struct ctl_port_vxlan vxlan;
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
/* A DNS domain: dot-separated labels of 1-63 letters, digits and '-' (not at either end of
 * a label), at most CTL_DOMAIN_MAX - 1 in all, no trailing dot. */
bool ctl_domain_valid(const char *s);

/*
 * Parses "A/L", an address of family (AF_INET or AF_INET6) and its prefix length, into
 * ret_addr (a struct in_addr or in6_addr) and ret_len.  0 or -EINVAL.
 */
int ctl_prefix_parse(const char *s, int family, void *ret_addr, unsigned *ret_len);

/* Writes "<node>-<ifname>"; -ENAMETOOLONG if it does not fit. */
int ctl_port_name(const char *node, const char *ifname, char ret[CTL_PORT_NAME_MAX]);

/* Writes a VLAN set as "10,20,100-200" ("" when empty); -ENOSPC when size is too small. */
int ctl_vlan_set_format(const uint64_t set[CTL_VLAN_WORDS], char *buf, size_t size);
/* A role as a table shows it: "-", "access 10", "trunk 10,20 native 1". */
void ctl_vlan_describe(const struct ctl_vlan *v, char *buf, size_t size);

/* What the switch says about a capture: in "captures" and the "capture-stop" reply. */
struct ctl_capture {
	uint32_t id;
	uint64_t frames;  /* frames recorded */
	uint64_t dropped; /* frames the capture could not take (its reader was slow) */
	bool done;        /* it recorded its "count" of frames, or its reader went away */
};

/* Replies.  ctl_reply_ok() is {"ok":true}, to be completed by the caller. */
cJSON *ctl_reply_ok(void);
char *ctl_reply_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The reply of a listing op (ports, fdb, segments, leases, captures):
 * {"ok":true,LIST:[]} with the empty array in *ret_list for the caller to fill with the
 * *_to_json entries.  NULL on allocation failure, or for an op that lists nothing.
 */
cJSON *ctl_reply_list(enum ctl_op op, cJSON **ret_list);
/* The list in a reply of op (link-show: its ports; CTL_SEGMENTS: its segments), or NULL. */
const cJSON *ctl_reply_list_get(const cJSON *reply, enum ctl_op op);
/* {"ok":true,"detached":N} */
char *ctl_reply_detach(unsigned n);
/* {"ok":true,"port":NAME}, with "segment" unless segment is NULL. */
char *ctl_reply_port(const char *name, const char *segment);
cJSON *ctl_segment_to_json(const struct ctl_segment *s);
int ctl_segment_from_json(const cJSON *obj, struct ctl_segment *ret);
/* {"ok":true,"port":NAME,"segment":SEG} with the assignment's fields. */
char *ctl_reply_attach(const char *name, const char *segment, const struct ctl_assign *a);
/* The assignment in an attach reply (all "" when none). */
int ctl_assign_from_json(const cJSON *reply, struct ctl_assign *ret);
cJSON *ctl_lease_to_json(const struct ctl_lease *l);
int ctl_lease_from_json(const cJSON *obj, struct ctl_lease *ret);
/* {"ok":true,"segment":{...}} */
char *ctl_reply_segment(const struct ctl_segment *s);
cJSON *ctl_port_to_json(const struct ctl_port *p);
int ctl_port_from_json(const cJSON *obj, struct ctl_port *ret);
cJSON *ctl_fdb_to_json(const struct ctl_fdb_entry *e);
int ctl_fdb_from_json(const cJSON *obj, struct ctl_fdb_entry *ret);
/* Adds the table's counters to an fdb reply; -ENOMEM on allocation failure. */
int ctl_fdb_counters_to_json(cJSON *reply, uint64_t learn_refused);

cJSON *ctl_capture_to_json(const struct ctl_capture *c);
int ctl_capture_from_json(const cJSON *obj, struct ctl_capture *ret);
/* {"ok":true,"capture":ID}; the ID in it (-EBADMSG when there is none). */
char *ctl_reply_capture(uint32_t id);
int ctl_reply_capture_id(const cJSON *reply, uint32_t *ret);
/* The capture-stop reply, {"ok":true,"frames":N,"dropped":N}: ctl_capture_from_json reads it. */
char *ctl_reply_capture_stop(const struct ctl_capture *c);

/*
 * link-show replies: {"ok":true,"links":[ports],"segments":[segments]}, each entry with
 * "port" or "segment", "carrier" for ports, and "egress"/"ingress" objects holding the
 * settings in tc's words and, for ports, the counters.
 */
cJSON *ctl_link_to_json(const struct ctl_link_entry *e);
int ctl_link_from_json(const cJSON *obj, struct ctl_link_entry *ret);
/* {"ok":true} for link-set; the link-show reply. */
char *ctl_reply_link_set(void);
char *ctl_reply_link_show(const struct ctl_link_entry *ports, size_t nports,
                          const struct ctl_link_entry *segments, size_t nsegments);
/* The settings as the CLI takes them, "delay=20ms loss=1%", or "-" for none. */
void ctl_link_format(const struct ctl_link *l, char *ret, size_t size);
/*
 * Parses one KEY=VALUE word of the CLI into l (the same words as the JSON fields).
 * -EINVAL with a reason in *ret_error (static) naming the key or value.
 */
int ctl_link_parse_word(const char *word, struct ctl_link *l, const char **ret_error);

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
