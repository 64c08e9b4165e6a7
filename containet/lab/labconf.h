/*
 * A lab directory's files as one model: lab.conf (as Kathara reads it), lab.ext (this
 * project's own keys, same grammar) and lab.dep (start order).  Pure code: every parse
 * function takes a buffer and the file name its messages start with ("lab.ext:12: ...").
 * labconf.c reads lab.conf and owns the model, labext.c and labdep.c the other two,
 * labread.c the grammar they share, labjson.c renders the model, labload.c reads a
 * directory.
 *
 * What the model promises once labconf_parse_conf() (then, optionally, labext_parse() and
 * labdep_parse()) has returned 0, so a runner can rely on it without checking again:
 *  - nodes[] in order of first appearance in lab.conf; names unique, 1 to LAB_NODE_NAME_MAX
 *    of [a-z0-9_] (Kathara's rule), never "shared" or "_test": "<lab>-<node>" is a valid
 *    identity (common/ident.h) when the lab's name is at most IDENT_MAX - 31 long, and the
 *    name a valid hostname for Linux.
 *  - a node's ifaces[] sorted by index, which runs 0..n_ifaces-1 without a gap (Kathara's
 *    integrity check); no node has two interfaces on one segment; a MAC is a valid one.
 *  - segments[] in order of first use in lab.conf; names unique, 1 to LAB_SEGMENT_NAME_MAX
 *    of [A-Za-z0-9_]; a name may also be a node's (Kathara allows it), but lab.ext keys on
 *    such a name are the node's.
 *  - every value is checked for its key: numbers in range, addresses and prefixes through
 *    inet_pton, tc's words for durations, rates and percentages, booleans in canonical form
 *    ("true"/"false"), numbers in canonical decimal.  Cross-checks: a segment's service
 *    address and DHCP range lie in its subnet; dhcp and dns need service; "auto" addresses
 *    need the segment's subnet; jitter needs delay; loss and loss_ge exclude each other; an
 *    MTU under 1280 excludes ipv6; node[host] is one of LAB_HOSTS; no two segments have
 *    one SEG[vxlan].
 *  - order[] holds every node once, wave by wave: a node's lab.dep dependencies are all in
 *    earlier waves, and within a wave nodes keep their lab.conf order.  Without lab.dep
 *    there is one wave.  A dependency loop is refused, naming the loop.
 *  - all text is UTF-8 without control characters; every array is bounded by a LAB_*_MAX.
 *
 * Kathara's node metas (Machine.py), and what becomes of them:
 *  - kept: image, exec (repeatable, in order), sysctl (repeatable, net.* only, a later
 *    value of one key replaces it), env (repeatable, KEY=VALUE, likewise), port (repeatable,
 *    [HOST:]GUEST[/tcp|udp|sctp], HOST 3000 by default as in Kathara), ipv6, bridged,
 *    privileged (booleans), entrypoint, args, shell, mem (N[b|k|m|g], a bare N is
 *    megabytes; kept as "Nm"), cpus (a positive decimal), num_terms (an integer >= 0).
 *  - warned about once per lab, then ignored: ulimit, volume (host paths are not mounted
 *    into nodes), and any key Kathara does not define either.
 * A meta given twice: a warning, and the last value wins (as Kathara).
 *
 * Where this reads lab.conf as Kathara does, even when it surprises: a comment line must
 * start with '#' in the first column; an inline comment ("  # ...") ends a value only when
 * the value is quoted or the comment holds a quote (otherwise it is part of the value, and
 * the key's check then refuses it, e.g. for a segment name or an image); values never hold
 * quotes; LAB_* lines take the text after '=' with every quote removed, and refuse a
 * second '='.
 *
 * lab.ext, the same NAME[KEY]=VALUE lines and comments (NAME may have capitals, as
 * segment names do); a key given twice warns and the last wins:
 *  - node[N.ip]      A.B.C.D/LEN, ADDR6/LEN or auto (IPv4 from the segment's subnet); one
 *                    of each family
 *  - node[N.vlan]    N (access port of VLAN N) or trunk:A,B,..[ native:N], VLANs 1-4094
 *  - node[gw]        an IPv4 or IPv6 address (one of each family); node[privileged] a
 *                    boolean (over lab.conf's); node[host] one of LAB_HOSTS
 *  - SEG[subnet]     A.B.C.D/LEN, LEN 1-30, no host bits; SEG[service] an address in it,
 *                    not its first or last; SEG[dhcp] A.B.C.D-A.B.C.D in it; SEG[dns] a
 *                    boolean; SEG[ipv6] a prefix without host bits; SEG[mtu] 68-65535
 *  - SEG[delay|jitter] tc times (bare: microseconds, at most 4294 s); SEG[loss|duplicate|
 *                    corrupt|reorder] percentages "N[.N]%"; SEG[loss_ge] 1 to 4 of them,
 *                    comma-separated; SEG[rate] tc rates (bit, kbit, .. tbps, kibit, ..);
 *                    SEG[limit] 1-2^32-1; SEG[seed] a 64-bit number; SEG[state] up|down;
 *                    SEG[capture] a file name; SEG[vxlan] a VNI, 1-16777215
 *  - LAB_HOSTS="m1=ADDR m2=ADDR" (repeatable): the machines a lab is split over
 *                    (node[host]), each NAME=ADDR with its underlay address, or a bare
 *                    address, or a bare name (resolved when the lab starts);
 *                    LAB_VXLAN_PORT=N (1-65535, 4789 when not given) the UDP port of the
 *                    segments stretched between them; LAB_DOMAIN=name, IMAGE_MAP="FROM=TO
 *                    FROM=TO" (repeatable); these start in the first column
 * Kathara's own lab.ext (lines "SEGMENT IFACE[.VLAN]") is recognised and refused by name.
 *
 * lab.dep as Kathara reads it: "NODE: DEP DEP" (one optional blank after ':', single
 * spaces between names), '#' comments anywhere after leading blanks; a later line for the
 * same node replaces the earlier one (with a warning); every name must be a node.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LAB_FILE_MAX (1024 * 1024) /* bytes per file */
#define LAB_LINE_MAX 4096          /* bytes per line */
#define LAB_NODES_MAX 1024
#define LAB_IFACES_MAX 64 /* per node: eth0..eth63 */
#define LAB_SEGMENTS_MAX 4096
#define LAB_NODE_NAME_MAX 30 /* Kathara's limit; leaves 32 for a lab name in an identity */
#define LAB_SEGMENT_NAME_MAX 63
#define LAB_LIST_MAX 256 /* exec, sysctl, env, port entries per node; hosts; image map */
#define LAB_TRUNK_MAX 64 /* VLANs on one trunk */
#define LAB_WARNINGS_MAX 64

/* The LAB_* lines of lab.conf (Kathara's LAB_METADATA). */
enum lab_meta {
	LAB_META_NAME,
	LAB_META_DESCRIPTION,
	LAB_META_VERSION,
	LAB_META_AUTHOR,
	LAB_META_EMAIL,
	LAB_META_WEB,
	LAB_META_KEYS
};

/* A node's single-valued settings: lab.conf metas, then lab.ext's gw, privileged, host. */
enum lab_node_key {
	LAB_NODE_IMAGE,
	LAB_NODE_ENTRYPOINT,
	LAB_NODE_ARGS,
	LAB_NODE_SHELL,
	LAB_NODE_MEM,
	LAB_NODE_CPUS,
	LAB_NODE_NUM_TERMS,
	LAB_NODE_IPV6,
	LAB_NODE_BRIDGED,
	LAB_NODE_PRIVILEGED,
	LAB_NODE_GW4, /* node[gw] with an IPv4 address */
	LAB_NODE_GW6, /* node[gw] with an IPv6 address */
	LAB_NODE_HOST,
	LAB_NODE_KEYS
};

/* A segment's settings (lab.ext), named as the keys and as the switch's protocol. */
enum lab_seg_key {
	LAB_SEG_SUBNET,
	LAB_SEG_SERVICE,
	LAB_SEG_DHCP,
	LAB_SEG_DNS,
	LAB_SEG_IPV6,
	LAB_SEG_MTU,
	LAB_SEG_DELAY,
	LAB_SEG_JITTER,
	LAB_SEG_LOSS,
	LAB_SEG_LOSS_GE,
	LAB_SEG_DUPLICATE,
	LAB_SEG_CORRUPT,
	LAB_SEG_REORDER,
	LAB_SEG_RATE,
	LAB_SEG_LIMIT,
	LAB_SEG_SEED,
	LAB_SEG_STATE,
	LAB_SEG_CAPTURE,
	LAB_SEG_VXLAN,
	LAB_SEG_KEYS
};

struct lab_pair {
	char *key;
	char *value;
};

struct lab_port {
	uint16_t host;
	uint16_t guest;
	char proto[5]; /* tcp, udp, sctp */
};

struct lab_iface {
	unsigned index; /* eth<index> */
	size_t segment; /* into lab->segments */
	bool has_mac;
	uint8_t mac[6];
	char *ipv4;      /* node[N.ip]: "A.B.C.D/LEN", "auto", or NULL */
	char *ipv6;      /* node[N.ip]: "ADDR/LEN" or NULL */
	uint16_t access; /* node[N.vlan]=N: an access port of VLAN N; 0: none */
	uint16_t *trunk; /* node[N.vlan]=trunk:A,B[ native:C] */
	size_t n_trunk;
	uint16_t native;   /* 0: none */
	unsigned line;     /* in lab.conf */
	unsigned ext_line; /* of its last key in lab.ext, 0 when none */
};

struct lab_node {
	char name[LAB_NODE_NAME_MAX + 1];
	struct lab_iface *ifaces;
	size_t n_ifaces;
	char *val[LAB_NODE_KEYS]; /* NULL when not given */
	char **exec;
	size_t n_exec;
	struct lab_pair *sysctl;
	size_t n_sysctl;
	struct lab_pair *env;
	size_t n_env;
	struct lab_port *ports;
	size_t n_ports;
	size_t *deps; /* indices into lab->nodes, from lab.dep, no repeats */
	size_t n_deps;
	unsigned wave;
	unsigned host_line; /* of node[host] in lab.ext */
	unsigned dep_line;  /* of its entry in lab.dep */
};

struct lab_segment {
	char name[LAB_SEGMENT_NAME_MAX + 1];
	char *val[LAB_SEG_KEYS];     /* NULL when not given */
	unsigned line[LAB_SEG_KEYS]; /* where lab.ext gave each */
};

struct lab {
	char *meta[LAB_META_KEYS];
	char *domain;      /* LAB_DOMAIN */
	char **hosts;      /* LAB_HOSTS: the machines' names */
	char **host_addrs; /* n_hosts: the underlay address of NAME=ADDR, else NULL */
	size_t n_hosts;
	unsigned hosts_line;        /* of the first LAB_HOSTS in lab.ext */
	char *vxlan_port;           /* LAB_VXLAN_PORT: the UDP port of stretched segments */
	struct lab_pair *image_map; /* IMAGE_MAP FROM=TO pairs, key FROM */
	size_t n_image_map;
	struct lab_node *nodes;
	size_t n_nodes;
	struct lab_segment *segments;
	size_t n_segments;
	size_t *order; /* n_nodes indices into nodes, wave by wave */
	unsigned n_waves;
	char **warnings; /* "lab.conf:7: ..., ignoring" */
	size_t n_warnings;
	char **warned; /* metas already warned about */
	size_t n_warned;
	bool conf_done;
};

struct lab *labconf_new(void);
struct lab *labconf_free(struct lab *lab);

/*
 * lab.conf: 0, -EINVAL (the text, "FILE:LINE: why", in *ret_error), -EFBIG or -ENOMEM.
 * First, then labext_parse() and labdep_parse() in either order.  After a failure the
 * lab is half-built: free it.
 */
int labconf_parse_conf(struct lab *lab, const char *buf, size_t len, const char *fname,
                       char **ret_error);

/* The index in nodes[] (segments[]) of the one called name, or -1. */
ssize_t labconf_node_index(const struct lab *lab, const char *name);
ssize_t labconf_segment_index(const struct lab *lab, const char *name);

/* The node called name, or NULL. */
const struct lab_node *labconf_node(const struct lab *lab, const char *name);

/* A boolean key of a node (ipv6, bridged, privileged): its value, or def when not given. */
bool labconf_node_flag(const struct lab_node *node, enum lab_node_key key, bool def);

/* The names of the keys, as lab.conf, lab.ext and the JSON rendering spell them. */
const char *labconf_meta_name(enum lab_meta key);
const char *labconf_node_key_name(enum lab_node_key key);
const char *labconf_seg_key_name(enum lab_seg_key key);

/* How labjson renders a key's value. */
enum labconf_kind { LABCONF_STRING, LABCONF_BOOL, LABCONF_NUMBER };
enum labconf_kind labconf_node_key_kind(enum lab_node_key key);
enum labconf_kind labconf_seg_key_kind(enum lab_seg_key key);
