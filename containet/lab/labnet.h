/*
 * The machine's side of a lab split over machines (labhost.h decides the rest): the
 * underlay addresses of LAB_HOSTS, which of them is this machine's, and the VXLAN ports
 * and MTUs of the segments stretched from here, from the routing table's path MTU.
 */
#pragma once

#include "labconf.h"
#include "labhost.h"

#include <stdbool.h>
#include <stdint.h>

#define LABNET_OVERHEAD4 50 /* outer Ethernet, IPv4, UDP and VXLAN headers */
#define LABNET_OVERHEAD6 70

/* How one segment of this machine's part is stretched to the other machines. */
struct labnet_stretch {
	bool on; /* nodes of other machines are on it too */
	uint32_t vni;
	char *remotes;     /* "ADDR,ADDR": the other machines with nodes on it */
	const char *local; /* this machine's underlay address */
	uint16_t port;
	unsigned mtu;      /* the segment's: lab.ext's, else what the underlay carries */
	unsigned underlay; /* the least path MTU towards the remotes */
	bool mtu_given;
	unsigned slice, slices; /* --slice I/N */
	bool services;          /* this machine runs the segment's service address, DHCP, DNS */
};

/*
 * The underlay address of each of LAB_HOSTS (a strv of n_hosts): NAME=ADDR's address, a
 * bare address, else the name resolved.  0, -EINVAL (*ret_error names the host and
 * LAB_HOSTS' line), -ENOMEM.
 */
int labnet_addresses(const struct lab *lab, char ***ret, char **ret_error);

/*
 * 1 and the one of addrs that an interface of this machine (network namespace) has, 0 for
 * none, -EINVAL for two, -errno.
 */
int labnet_local_host(const struct lab *lab, char *const *addrs, size_t *ret, char **ret_error);

/*
 * For each segment of part (this machine's part of lab, labhost_part), how it is
 * stretched: an array of part->n_segments.  The MTU of a stretched segment is the
 * underlay's path MTU less the VXLAN headers; a larger lab.ext mtu is -EINVAL naming its
 * line.  -ENOMEM.
 */
int labnet_stretch(const struct lab *lab, const struct labhost *h, char *const *addrs,
                   const struct lab *part, struct labnet_stretch **ret, char **ret_error);

struct labnet_stretch *labnet_stretch_free(struct labnet_stretch *s, size_t n);
