/*
 * rtnetlink through libmnl, what the container's network setup needs: a link's MAC,
 * MTU and state, addresses and routes, each one request waiting for the kernel's ack.
 * Returns -errno as the kernel says it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct mnl_socket;

struct netlink {
	struct mnl_socket *nl;
	unsigned portid;
	unsigned seq;
};

int netlink_open(struct netlink *nl);
void netlink_close(struct netlink *nl);

/* Sets mac (when not NULL) and mtu (when not 0), and brings the link up. */
int netlink_link_up(struct netlink *nl, unsigned ifindex, const uint8_t *mac, unsigned mtu);
/*
 * Adds addr/prefix (family AF_INET or AF_INET6, addr in network order) to ifindex;
 * IPv6 ones without duplicate address detection, usable at once.
 */
int netlink_addr_add(struct netlink *nl, unsigned ifindex, int family, const void *addr,
                     unsigned prefix);
/* Adds dst/prefix via gw through ifindex to the main table. */
int netlink_route_add(struct netlink *nl, unsigned ifindex, int family, const void *dst,
                      unsigned prefix, const void *gw);
