/*
 * A lab's management segment, decided by pure code (labmgmtrun.c does the I/O).
 *
 * node[bridged]=true (Kathara's key) gives a node one more interface, after its last one
 * (as Kathara attaches its bridged network last: eth<max+1>), on the segment
 * LABMGMT_SEGMENT, which lab.conf cannot name (its segment names have no '-').  The
 * segment is LABMGMT_PREFIX.<net>.0/24: net from a hash of the lab's name, the next free
 * one when an interface of the host already has an address in that /24 (another lab's,
 * or the host's own).  The host reaches it through a host port (<net>.254, with outbound
 * NAT) named "ctm" and 8 hex digits of a hash of the lab's state directory; the bridged
 * nodes get .1 to .253, the lowest free one each, kept in the state file
 * (labmgmt_format) so that `lab node add` and `lab hosts` find them again.
 *
 * The host's /etc/hosts gets the bridged nodes' names in a block of the lab's own:
 *   # containet lab NAME begin
 *   ADDR<tab>NODE.DOMAIN NODE
 *   # containet lab NAME end
 */
#pragma once

#include "labconf.h"

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#define LABMGMT_SEGMENT "lab-mgmt"
#define LABMGMT_PREFIX "172.30" /* a /16 of RFC 1918 that Docker's defaults leave alone */
#define LABMGMT_GATEWAY 254     /* the host port's address in the /24 */
#define LABMGMT_HOSTS_MAX 253   /* bridged nodes: .1 to .253 */
#define LABMGMT_STATE_MAX 16384

struct labmgmt_node {
	char name[LAB_NODE_NAME_MAX + 1];
	unsigned host; /* the last byte of its address, 1-253 */
};

struct labmgmt {
	unsigned net;        /* LABMGMT_PREFIX.<net>.0/24 */
	char port[IFNAMSIZ]; /* the host port */
	struct labmgmt_node nodes[LABMGMT_HOSTS_MAX];
	size_t n_nodes;
};

/* The /24 a lab prefers: a hash of its name. */
unsigned labmgmt_preferred(const char *lab_name);

/*
 * The /24 for a lab: its preferred one, else the next one (wrapping) that taken[] does
 * not mark.  0 and *ret, or -ENOSPC when all 256 are taken.
 */
int labmgmt_pick(const char *lab_name, const bool taken[256], unsigned *ret);

/* The host port's name for the lab of state directory state_dir. */
void labmgmt_port_name(const char *state_dir, char ret[IFNAMSIZ]);

/* "172.30.N.H" into buf. */
void labmgmt_addr(const struct labmgmt *m, unsigned host, char buf[16]);

/* The entry of a node, or NULL. */
const struct labmgmt_node *labmgmt_node(const struct labmgmt *m, const char *name);

/* Gives node the lowest free address: 0, -EEXIST (it has one), -ENOSPC. */
int labmgmt_add_node(struct labmgmt *m, const char *name);

/* Takes the node's address back; false when it had none. */
bool labmgmt_del_node(struct labmgmt *m, const char *name);

/*
 * The state file: "net N\nport NAME\n" then "node NAME HOST\n" per node.  labmgmt_format
 * returns it malloc'd (NULL when out of memory); labmgmt_parse reads exactly that back:
 * 0, or -EINVAL for anything else (bad numbers, names, repeats, two nodes on one address).
 */
char *labmgmt_format(const struct labmgmt *m);
int labmgmt_parse(const char *buf, size_t len, struct labmgmt *ret);

/* One name for the host's /etc/hosts. */
struct labmgmt_host {
	const char *addr;   /* dotted IPv4 */
	const char *node;   /* a node's name */
	const char *domain; /* the lab's domain (LAB_DOMAIN or its name) */
};

/*
 * /etc/hosts's text with lab's block replaced by one with hosts (where it was, else at the
 * end, after a newline when the text lacks its last one), or removed when n is 0.  Lines
 * outside the block stay byte for byte.  0 with the new text in *ret (malloc'd,
 * NUL-terminated, its length in *ret_len), -EINVAL for a name that could break a line
 * out of the block (or an address that is none) or a damaged block (a begin without its
 * end, or two of them), -ENOMEM.
 */
int labmgmt_hosts_edit(const char *text, size_t len, const char *lab,
                       const struct labmgmt_host *hosts, size_t n, char **ret, size_t *ret_len);
