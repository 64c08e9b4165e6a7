#include "network.h"

#include "cleanup.h"
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_tun.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

bool
network_wants_tap(const struct plan *p)
{
	return !p->host_net && (p->sock || p->have_addr);
}

static void
ifreq_init(struct ifreq *ifr, const char *name)
{
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
}

static int
link_up(int s, const char *name)
{
	struct ifreq ifr;

	ifreq_init(&ifr, name);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return -errno;
	return 0;
}

static void
sockaddr_in_set(struct sockaddr *sa, struct in_addr a)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = a };

	memcpy(sa, &sin, sizeof(sin));
}

static int
set_mac(int s, const char *name, const char *id)
{
	struct ifreq ifr;

	ifreq_init(&ifr, name);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	ident_mac(id, (uint8_t *)ifr.ifr_hwaddr.sa_data);
	if (ioctl(s, SIOCSIFHWADDR, &ifr) < 0)
		return -errno;
	return 0;
}

/* Address and netmask; the kernel adds the subnet route when the link comes up. */
static int
set_address(int s, const char *name, struct in_addr addr, unsigned prefix)
{
	struct in_addr mask = { .s_addr = htonl(prefix ? ~0u << (32 - prefix) : 0) };
	struct in_addr bcast = { .s_addr = addr.s_addr | ~mask.s_addr };
	struct ifreq ifr;

	ifreq_init(&ifr, name);
	sockaddr_in_set(&ifr.ifr_addr, addr);
	if (ioctl(s, SIOCSIFADDR, &ifr) < 0)
		return -errno;
	sockaddr_in_set(&ifr.ifr_netmask, mask);
	if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0)
		return -errno;
	if (prefix < 31) {
		sockaddr_in_set(&ifr.ifr_broadaddr, bcast);
		if (ioctl(s, SIOCSIFBRDADDR, &ifr) < 0)
			return -errno;
	}
	return 0;
}

static int
add_default_route(int s, const char *name, struct in_addr gw)
{
	struct rtentry rt = { .rt_flags = RTF_UP | RTF_GATEWAY, .rt_dev = (char *)name };
	struct in_addr any = {};

	sockaddr_in_set(&rt.rt_dst, any);
	sockaddr_in_set(&rt.rt_genmask, any);
	sockaddr_in_set(&rt.rt_gateway, gw);
	if (ioctl(s, SIOCADDRT, &rt) < 0)
		return -errno;
	return 0;
}

static int
network_tap(const struct plan *p, int s, int *ret_tap, struct setup_error *e)
{
	_cleanup_close_ int tap = -1;
	char gw[INET_ADDRSTRLEN];
	int r;

	tap = tap_open(p->ifname, NULL);
	if (tap < 0)
		return setup_fail(e, tap, "create tap '%s'", p->ifname);
	/*
	 * Persistent, so that whoever closes the last fd (containode or the switch) does not
	 * unregister the device there and then, waiting out RCU grace periods: the device
	 * goes with the container's network namespace, which the kernel cleans up in the
	 * background once the container and both fds are gone.
	 */
	if (ioctl(tap, TUNSETPERSIST, 1) < 0)
		return setup_fail(e, -errno, "make tap '%s' persistent", p->ifname);
	r = set_mac(s, p->ifname, p->id);
	if (r < 0)
		return setup_fail(e, r, "set the MAC address of '%s'", p->ifname);
	if (p->have_addr) {
		r = set_address(s, p->ifname, p->addr, p->prefix);
		if (r < 0)
			return setup_fail(e, r, "set the address of '%s'", p->ifname);
	}
	r = link_up(s, p->ifname);
	if (r < 0)
		return setup_fail(e, r, "bring up '%s'", p->ifname);
	if (p->have_gw) {
		r = add_default_route(s, p->ifname, p->gw);
		if (r < 0)
			return setup_fail(e, r, "add the default route via %s",
					  inet_ntop(AF_INET, &p->gw, gw, sizeof(gw)));
	}
	*ret_tap = TAKE_FD(tap);
	return 0;
}

int
network_setup(const struct plan *p, int *ret_tap, struct setup_error *e)
{
	_cleanup_close_ int s = -1;
	int r;

	*ret_tap = -1;
	if (p->host_net)
		return 0;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return setup_fail(e, -errno, "open a socket for network setup");
	r = link_up(s, "lo");
	if (r < 0)
		return setup_fail(e, r, "bring up 'lo'");
	if (!network_wants_tap(p))
		return 0;
	return network_tap(p, s, ret_tap, e);
}
