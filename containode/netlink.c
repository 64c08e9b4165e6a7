#include "netlink.h"

#include "netmask.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

int
netlink_open(struct netlink *nl)
{
	nl->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->nl)
		return -errno;
	if (mnl_socket_bind(nl->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int r = -errno;

		netlink_close(nl);
		return r;
	}
	nl->portid = mnl_socket_get_portid(nl->nl);
	nl->seq = time(NULL);
	return 0;
}

void
netlink_close(struct netlink *nl)
{
	if (nl->nl)
		mnl_socket_close(nl->nl);
	nl->nl = NULL;
}

static struct nlmsghdr *
netlink_msg(struct netlink *nl, char *buf, int type, int flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

/* Sends the request and waits for its ack: 0, or the kernel's -errno. */
static int
netlink_call(struct netlink *nl, struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;
	int r;

	if (mnl_socket_sendto(nl->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl->nl, buf, sizeof(buf));
		if (n < 0)
			return errno == EINTR ? -EINTR : -errno;
		/* With the error in errno; an ack (error 0) ends with MNL_CB_STOP. */
		r = mnl_cb_run(buf, n, nlh->nlmsg_seq, nl->portid, NULL, NULL);
	} while (r == MNL_CB_OK);
	return r < 0 ? -errno : 0;
}

int
netlink_link_up(struct netlink *nl, unsigned ifindex, const uint8_t *mac, unsigned mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = netlink_msg(nl, buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	/* The kernel sets the address and the MTU before it changes the flags. */
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return netlink_call(nl, nlh);
}

int
netlink_addr_add(struct netlink *nl, unsigned ifindex, int family, const void *addr,
                 unsigned prefix)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = netlink_msg(nl, buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	size_t len = family == AF_INET ? 4 : 16;

	ifa->ifa_family = family;
	ifa->ifa_prefixlen = prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, len, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, len, addr);
	if (family == AF_INET && prefix < 31) {
		uint32_t a, mask = htonl(netmask_v4(prefix));

		memcpy(&a, addr, 4);
		mnl_attr_put_u32(nlh, IFA_BROADCAST, a | ~mask);
	}
	/*
	 * No duplicate address detection: the address is usable at once, as the node's
	 * command expects it to be (the switch's segment is the lab's to keep unique).
	 */
	if (family == AF_INET6) {
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	}
	return netlink_call(nl, nlh);
}

int
netlink_route_add(struct netlink *nl, unsigned ifindex, int family, const void *dst,
                  unsigned prefix, const void *gw)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = netlink_msg(nl, buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	size_t len = family == AF_INET ? 4 : 16;

	rtm->rtm_family = family;
	rtm->rtm_dst_len = prefix;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	if (prefix)
		mnl_attr_put(nlh, RTA_DST, len, dst);
	mnl_attr_put(nlh, RTA_GATEWAY, len, gw);
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	return netlink_call(nl, nlh);
}
