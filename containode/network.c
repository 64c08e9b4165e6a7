#include "network.h"

#include "cleanup.h"
#include "netlink.h"
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

static void
netlink_closep(struct netlink *nl)
{
	netlink_close(nl);
}

/* One interface: its tap, then MAC, MTU and link up, then its addresses. */
static int
network_interface(struct netlink *nl, const struct plan_net *n, int *ret_tap, unsigned *ret_ifindex,
                  struct setup_error *e)
{
	_cleanup_close_ int tap = -1;
	char addr[INET6_ADDRSTRLEN];
	unsigned ifindex;
	int r;

	tap = tap_open(n->ifname, NULL);
	if (tap < 0)
		return setup_fail(e, tap, "create tap '%s'", n->ifname);
	/*
	 * Persistent, so that whoever closes the last fd (containode or the switch) does not
	 * unregister the device there and then, waiting out RCU grace periods: the device
	 * goes with the container's network namespace, which the kernel cleans up in the
	 * background once the container and both fds are gone.
	 */
	if (ioctl(tap, TUNSETPERSIST, 1) < 0)
		return setup_fail(e, -errno, "make tap '%s' persistent", n->ifname);
	ifindex = if_nametoindex(n->ifname);
	if (!ifindex)
		return setup_fail(e, -errno, "find tap '%s'", n->ifname);
	r = netlink_link_up(nl, ifindex, n->mac, n->mtu);
	if (r < 0 && n->mtu)
		return setup_fail(e, r, "set MAC address, MTU %u and link up of '%s'", n->mtu,
		                  n->ifname);
	if (r < 0)
		return setup_fail(e, r, "set MAC address and link up of '%s'", n->ifname);
	if ((n->keys & PLAN_NET_IPV4) && !n->v4_auto) {
		r = netlink_addr_add(nl, ifindex, AF_INET, &n->v4, n->v4_prefix);
		if (r < 0)
			return setup_fail(e, r, "add address %s/%u to '%s'",
			                  inet_ntop(AF_INET, &n->v4, addr, sizeof(addr)),
			                  n->v4_prefix, n->ifname);
	}
	if ((n->keys & PLAN_NET_IPV6) && !n->v6_auto) {
		r = netlink_addr_add(nl, ifindex, AF_INET6, &n->v6, n->v6_prefix);
		if (r < 0)
			return setup_fail(e, r, "add address %s/%u to '%s'",
			                  inet_ntop(AF_INET6, &n->v6, addr, sizeof(addr)),
			                  n->v6_prefix, n->ifname);
	}
	*ret_tap = TAKE_FD(tap);
	*ret_ifindex = ifindex;
	return 0;
}

static int
network_route(struct netlink *nl, const struct plan *p, const struct plan_route *rt,
              const unsigned ifindex[PLAN_NET_MAX], struct setup_error *e)
{
	ssize_t net = plan_route_net(p, rt);
	char text[128];
	int r;

	plan_route_format(rt, text, sizeof(text));
	/* plan_net_finish made sure there is one; the kernel would say so too. */
	r = net < 0 ? -ENETUNREACH
	            : netlink_route_add(
	                      nl, ifindex[net], rt->family,
	                      rt->family == AF_INET ? (const void *)&rt->dst.v4 : &rt->dst.v6,
	                      rt->prefix,
	                      rt->family == AF_INET ? (const void *)&rt->gw.v4 : &rt->gw.v6);
	return r < 0 ? setup_fail(e, r, "route %s", text) : 0;
}

static int
network_all(const struct plan *p, int ret_taps[PLAN_NET_MAX], struct setup_error *e)
{
	_cleanup_(netlink_closep) struct netlink nl = {};
	unsigned ifindex[PLAN_NET_MAX] = {};
	int r;

	r = netlink_open(&nl);
	if (r < 0)
		return setup_fail(e, r, "open a netlink socket for network setup");
	r = netlink_link_up(&nl, if_nametoindex("lo"), NULL, 0);
	if (r < 0)
		return setup_fail(e, r, "bring up 'lo'");
	for (size_t i = 0; i < p->n_net; i++) {
		r = network_interface(&nl, &p->net[i], &ret_taps[i], &ifindex[i], e);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < p->n_routes; i++) {
		r = network_route(&nl, p, &p->routes[i], ifindex, e);
		if (r < 0)
			return r;
	}
	return 0;
}

int
network_create(const struct plan *p, int ret_taps[PLAN_NET_MAX], int *ret_netns,
               struct setup_error *e)
{
	_cleanup_close_ int own = -1, netns = -1;
	int r;

	for (size_t i = 0; i < PLAN_NET_MAX; i++)
		ret_taps[i] = -1;
	*ret_netns = -1;
	if (p->host_net)
		return 0;
	own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (own < 0)
		return setup_fail(e, -errno, "open containode's network namespace");
	if (unshare(CLONE_NEWNET) < 0)
		return setup_fail(e, -errno, "create the node's network namespace");
	netns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	r = netns < 0 ? setup_fail(e, -errno, "open the node's network namespace")
	              : network_all(p, ret_taps, e);
	if (setns(own, CLONE_NEWNET) < 0)
		r = setup_fail(e, -errno, "return to containode's own network namespace");
	if (r < 0) {
		for (size_t i = 0; i < PLAN_NET_MAX; i++)
			ret_taps[i] = safe_close(ret_taps[i]);
		return r;
	}
	*ret_netns = TAKE_FD(netns);
	return 0;
}

int
network_apply(const struct plan_net *n, const struct ctl_assign *a, struct setup_error *e)
{
	_cleanup_(netlink_closep) struct netlink nl = {};
	static const struct in_addr any = {};
	struct in_addr v4, gw;
	unsigned ifindex, len;
	/* The segment's MTU, unless the command line chose one; a tap starts at 1500. */
	bool set_mtu = a->mtu && !n->mtu && a->mtu != ETH_DATA_LEN;
	int r;

	if (!set_mtu && !n->v4_auto)
		return 0;
	r = netlink_open(&nl);
	if (r < 0)
		return setup_fail(e, r, "open a netlink socket for network setup");
	ifindex = if_nametoindex(n->ifname);
	if (!ifindex)
		return setup_fail(e, -errno, "find tap '%s'", n->ifname);
	if (set_mtu && (r = netlink_link_up(&nl, ifindex, NULL, a->mtu)) < 0)
		return setup_fail(e, r, "set MTU %u of '%s'", a->mtu, n->ifname);
	if (n->v4_auto) {
		if (!a->ipv4[0])
			return setup_fail(e, -EADDRNOTAVAIL, "the switch gave '%s' no IPv4 address",
			                  n->ifname);
		if (ctl_prefix_parse(a->ipv4, AF_INET, &v4, &len) < 0)
			return setup_fail(e, -EINVAL, "the switch's address '%s'", a->ipv4);
		r = netlink_addr_add(&nl, ifindex, AF_INET, &v4, len);
		if (r < 0)
			return setup_fail(e, r, "add address %s to '%s'", a->ipv4, n->ifname);
		/* One default route: a second interface's gateway does not replace the first. */
		if (a->gateway[0] && inet_pton(AF_INET, a->gateway, &gw) == 1 &&
		    (r = netlink_route_add(&nl, ifindex, AF_INET, &any, 0, &gw)) < 0 &&
		    r != -EEXIST)
			return setup_fail(e, r, "route default via %s", a->gateway);
	}
	/* ipv6=auto: the kernel's SLAAC makes the address from the switch's advertisement. */
	return 0;
}
