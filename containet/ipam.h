/*
 * Address management of the switch's segments: a segment's addressing (subnet, service
 * address, gateway, DHCP range, IPv6 prefix), and the leases of every segment in one
 * table: `auto` and static addresses by node and interface, DHCP leases by MAC.  Pure: the
 * caller passes the time (wall clock seconds, as leases outlive the switch) and says which
 * nodes are attached; the text form of the table is what the switch's state file holds.
 */
#pragma once

#include "ctl.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPAM_LEASES_MAX 65536
#define IPAM_DHCP_LEASE_S 3600
#define IPAM_DECLINED_S 600 /* an address a client declined rests this long */

/* A segment's addressing.  IPv4 addresses in host order, 0 when not set. */
struct ipam_pool {
	uint32_t net; /* subnet; 0 with len 0: no IPv4 addressing */
	unsigned len;
	uint32_t service;
	uint32_t gateway;
	uint32_t dhcp_first, dhcp_last;
	bool has_v6;
	struct in6_addr v6; /* a /64 */
	bool dns;
	uint32_t mtu;
	/* Where auto and DHCP allocate: the subnet's hosts and the DHCP range, or with a
	 * slice I/N the I-th of N equal parts of each (a segment stretched over machines). */
	uint32_t auto_first, auto_last;
	uint32_t dhcp_lo, dhcp_hi;
	unsigned slice_i, slice_n;   /* 0, 0: no slice */
	bool no_services;            /* another switch runs the service address, DHCP, DNS and RA */
	char domain[CTL_DOMAIN_MAX]; /* "" or the names' domain: NODE.DOMAIN */
};

/*
 * Reads segment-add's fields (NULL or "" when absent) into ret.  On a bad value, -EINVAL
 * with ret_error naming the field (static text).
 */
int ipam_pool_parse(const char *subnet, const char *service, const char *gateway, const char *dhcp,
                    const char *ipv6, bool dns, struct ipam_pool *ret, const char **ret_error);
/*
 * segment-add's other fields on a parsed pool (NULL or "" when absent): the DNS domain,
 * the slice "I/N" (1 <= I <= N, each part holding an address), whether this switch runs
 * the services.  On a bad value, -EINVAL with ret_error naming the field (static text).
 */
int ipam_pool_options(struct ipam_pool *p, const char *domain, const char *slice, bool no_services,
                      const char **ret_error);
/* Addresses auto can hand out (its part of the subnet less service, gateway, DHCP range). */
uint32_t ipam_pool_size(const struct ipam_pool *pool);
bool ipam_pool_has(const struct ipam_pool *pool, uint32_t addr);
/* Whether auto may hand addr out here: in the pool and in this switch's slice. */
bool ipam_auto_has(const struct ipam_pool *pool, uint32_t addr);

enum ipam_kind { IPAM_AUTO, IPAM_STATIC, IPAM_DHCP };

struct ipam_lease {
	char segment[CTL_SEGMENT_MAX];
	enum ipam_kind kind;
	char node[IDENT_MAX + 1]; /* auto, static; DHCP: the client's host name, or "" */
	char ifname[IFNAMSIZ];    /* auto, static */
	uint8_t mac[6];           /* DHCP: the key; all zero for a declined address */
	uint32_t addr;            /* host order */
	uint64_t time;            /* auto, static: last used; DHCP: when it expires */
};

struct ipam {
	struct ipam_lease *v;
	uint32_t n, cap;
	bool dirty;  /* changed since the caller last saved it */
	bool urgent; /* of the changes, one that hands an address out or takes one back (not
	              * merely when a lease was last used or ends) */
};

void ipam_free(struct ipam *t);

/* Whether a lease's node is attached now (so its address must not move). */
typedef bool (*ipam_busy_fn)(const struct ipam_lease *l, void *userdata);

/*
 * The address of node's interface ifname in segment seg: its lease if it has one, else
 * the first free address of the pool, else one taken from the lease unused longest
 * (never from an attached node).  -ENOSPC when the pool is full, -ENOMEM.
 */
int ipam_auto(struct ipam *t, const char *seg, const struct ipam_pool *pool, const char *node,
              const char *ifname, uint64_t now, ipam_busy_fn busy, void *userdata,
              uint32_t *ret_addr);

/*
 * Records node's static address addr (host order).  -EADDRINUSE when an attached node
 * holds it, with that lease in *ret_holder; a lease of a node that is not attached gives
 * way.  Addresses outside the subnet are not recorded (0).
 */
int ipam_static(struct ipam *t, const char *seg, const struct ipam_pool *pool, const char *node,
                const char *ifname, uint32_t addr, uint64_t now, ipam_busy_fn busy, void *userdata,
                const struct ipam_lease **ret_holder);

/*
 * The address to offer the client mac: its lease, else requested when free in the DHCP
 * range, else the first free one, else one whose lease expired.  -ENOSPC when none.
 */
int ipam_dhcp_offer(struct ipam *t, const char *seg, const struct ipam_pool *pool,
                    const uint8_t mac[6], uint32_t requested, uint64_t now, uint32_t *ret_addr);
/*
 * Binds addr to mac until now + lease_s: 1 for a new binding (another address, client or
 * host name), 0 for a renewal where only the end moved; -EADDRINUSE when another holds it.
 */
int ipam_dhcp_bind(struct ipam *t, const char *seg, const struct ipam_pool *pool,
                   const uint8_t mac[6], uint32_t addr, const char *hostname, uint64_t now,
                   uint32_t lease_s);
/* The client gives addr back. */
void ipam_dhcp_release(struct ipam *t, const char *seg, const uint8_t mac[6], uint32_t addr);
/* The client found addr in use: nobody gets it for IPAM_DECLINED_S. */
int ipam_dhcp_decline(struct ipam *t, const char *seg, const struct ipam_pool *pool,
                      const uint8_t mac[6], uint32_t addr, uint64_t now);

/* The lease of addr in seg (expired DHCP ones too), or NULL. */
const struct ipam_lease *ipam_find_addr(const struct ipam *t, const char *seg, uint32_t addr);
/* The live lease of mac in seg (DHCP), or NULL. */
const struct ipam_lease *ipam_find_mac(const struct ipam *t, const char *seg, const uint8_t mac[6],
                                       uint64_t now);
/* The lease of (node, ifname) in seg, or NULL. */
const struct ipam_lease *ipam_find_node(const struct ipam *t, const char *seg, const char *node,
                                        const char *ifname);
/* Leases of seg within pool (live ones: DHCP leases not expired). */
uint32_t ipam_used(const struct ipam *t, const char *seg, const struct ipam_pool *pool,
                   uint64_t now);

/* One lease as a line of the state file, with its newline; returns the length or -ENOSPC. */
int ipam_lease_format(const struct ipam_lease *l, char *buf, size_t size);
/*
 * Parses one line of the state file (without its newline): SEGMENT auto|static NODE IFNAME
 * ADDR TIME, or SEGMENT dhcp MAC ADDR EXPIRES HOSTNAME|-.  0 or -EINVAL.
 */
int ipam_lease_parse(const char *line, struct ipam_lease *ret);
/* Adds a parsed lease (the file's later line for the same key wins); -ENOSPC, -ENOMEM. */
int ipam_load(struct ipam *t, const struct ipam_lease *l);
const char *ipam_kind_name(enum ipam_kind k);
