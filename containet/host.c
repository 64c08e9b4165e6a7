/*
 * Host ports: a tap the switch creates in its own network namespace, so the host (or
 * whatever namespace the switch runs in) reaches a segment.  The switch owns it: it goes
 * with host-del, and with the switch, since the tap dies with its last descriptor.  With
 * masquerade, the segment reaches the host's other networks through NAT: an nftables
 * table of the port's own, made and removed with the nft program.  The link itself is
 * removed when the port goes (host_link_delete): its last descriptor is the ring's, which
 * lets go of it only after the port's read is cancelled, or after the switch has exited.
 *
 * These run on the loop's thread: a few ioctls, and for masquerade one short nft run.
 * They are control operations, rare and small, and forwarding pauses for their length.
 */
#include "switch.h"

#include "cleanup.h"
#include "ident.h"
#include "log.h"
#include "netmask.h"
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define HOST_NFT_TABLE "containet-" /* + the port's name */

/* The kernel's struct in6_ifreq (linux/ipv6.h clashes with netinet/in.h). */
struct host_in6_ifreq {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

extern char **environ;

static int
host_ioctl(int family, unsigned long req, void *arg)
{
	_cleanup_close_ int s = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -errno;
	return ioctl(s, req, arg) < 0 ? -errno : 0;
}

static int
host_set_ipv4(const char *name, const char *prefix)
{
	struct ifreq ifr = {};
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	unsigned len;
	int r;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	sin->sin_family = AF_INET;
	if (ctl_prefix_parse(prefix, AF_INET, &sin->sin_addr, &len) < 0)
		return -EINVAL;
	r = host_ioctl(AF_INET, SIOCSIFADDR, &ifr);
	if (r < 0)
		return r;
	sin->sin_addr.s_addr = htonl(netmask_v4(len));
	return host_ioctl(AF_INET, SIOCSIFNETMASK, &ifr);
}

static int
host_set_ipv6(const char *name, const char *prefix)
{
	struct host_in6_ifreq req = {};
	unsigned len;

	if (ctl_prefix_parse(prefix, AF_INET6, &req.addr, &len) < 0)
		return -EINVAL;
	req.prefixlen = len;
	req.ifindex = if_nametoindex(name);
	if (!req.ifindex)
		return -errno;
	return host_ioctl(AF_INET6, SIOCSIFADDR, &req);
}

/*
 * The link up with the segment's MTU and a MAC address of its name's, in ret_mac: a host
 * port made again (after host-del, or a restart of the switch) keeps its address, so the
 * nodes' neighbour caches stay right.
 */
static int
host_link_up(const char *name, uint32_t mtu, uint8_t ret_mac[6])
{
	char id[sizeof("containet-host-") + IFNAMSIZ];
	struct ifreq ifr = {};
	int r;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	snprintf(id, sizeof(id), "containet-host-%s", name);
	ident_mac(id, ret_mac);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, ret_mac, 6);
	r = host_ioctl(AF_INET, SIOCSIFHWADDR, &ifr);
	if (r < 0)
		return r;
	ifr.ifr_mtu = mtu;
	r = host_ioctl(AF_INET, SIOCSIFMTU, &ifr);
	if (r < 0)
		return r;
	r = host_ioctl(AF_INET, SIOCGIFFLAGS, &ifr);
	if (r < 0)
		return r;
	ifr.ifr_flags |= IFF_UP;
	return host_ioctl(AF_INET, SIOCSIFFLAGS, &ifr);
}

/* Runs nft with script on its standard input; 0 when it succeeded. */
static int
host_nft(const char *script)
{
	char *argv[] = { "nft", "-f", "-", NULL };
	posix_spawn_file_actions_t fa;
	_cleanup_close_ int rd = -1, wr = -1;
	int fds[2], status, r;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	rd = fds[0];
	wr = fds[1];
	r = posix_spawn_file_actions_init(&fa);
	if (r)
		return -r;
	r = posix_spawn_file_actions_adddup2(&fa, rd, STDIN_FILENO);
	if (!r)
		r = posix_spawnp(&pid, "nft", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r)
		return -r;
	rd = safe_close(rd);
	if (write(wr, script, strlen(script)) != (ssize_t)strlen(script))
		r = -EIO;
	wr = safe_close(wr);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (r < 0)
		return r;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EPROTO;
}

/* nft names: the port's name must need no quoting. */
static bool
host_nft_name_ok(const char *name)
{
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") ==
	       strlen(name);
}

/*
 * NAT from the segment's subnet (ipv4's network) to every other interface, and IPv4
 * forwarding on.  Declaring the table before deleting it makes the script work whether
 * a table of that name was left behind or not, and replaces it in one transaction.
 */
static int
host_masquerade(const char *name, const char *ipv4)
{
	char script[1024], net[INET_ADDRSTRLEN];
	struct in_addr a;
	unsigned len;
	int fd, r;

	if (ctl_prefix_parse(ipv4, AF_INET, &a, &len) < 0)
		return -EINVAL;
	a.s_addr &= htonl(netmask_v4(len));
	inet_ntop(AF_INET, &a, net, sizeof(net));
	snprintf(script, sizeof(script),
	         "table ip " HOST_NFT_TABLE "%s {}\n"
	         "delete table ip " HOST_NFT_TABLE "%s\n"
	         "table ip " HOST_NFT_TABLE "%s {\n"
	         "  chain postrouting {\n"
	         "    type nat hook postrouting priority srcnat; policy accept;\n"
	         "    ip saddr %s/%u oifname != \"%s\" masquerade\n"
	         "  }\n"
	         "}\n",
	         name, name, name, net, len, name);
	r = host_nft(script);
	if (r < 0)
		return r;
	fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = write(fd, "1\n", 2) == 2 ? 0 : -errno;
	close(fd);
	return r;
}

static void
host_unmasquerade(const char *name)
{
	char script[128];

	snprintf(script, sizeof(script), "delete table ip " HOST_NFT_TABLE "%s\n", name);
	if (host_nft(script) < 0)
		log_warn("host port %s: removing its nftables table failed, ignoring", name);
}

/*
 * Removes the link now (RTM_DELLINK), so that its name is free and it is gone from the
 * host's links when host-del answers or the switch exits.  The tap's driver lets a link
 * go while a descriptor is open; the descriptor then only reads errors.
 */
static void
host_link_delete(const char *name)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh = { .nlmsg_len = sizeof(req),
		        .nlmsg_type = RTM_DELLINK,
		        .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK },
		.ifi = { .ifi_family = AF_UNSPEC, .ifi_index = (int)if_nametoindex(name) },
	};
	union {
		struct nlmsghdr nh;
		char buf[256];
	} ack;
	_cleanup_close_ int fd = -1;
	int e = 0;

	if (req.ifi.ifi_index == 0)
		return; /* gone already */
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0 || send(fd, &req, sizeof(req), 0) < 0)
		e = -errno;
	else if (recv(fd, &ack, sizeof(ack), 0) < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)))
		e = -EIO;
	else if (ack.nh.nlmsg_type == NLMSG_ERROR)
		e = ((struct nlmsgerr *)NLMSG_DATA(&ack.nh))->error;
	if (e < 0 && e != -ENODEV)
		log_warn("host port %s: removing its link failed (%s), ignoring", name,
		         strerror(-e));
}

int
host_add(struct sw *sw, const struct ctl_request *req, const char **ret_error)
{
	struct port model = { .kind = PORT_HOST, .conn = UINT32_MAX, .has_mac = true };
	_cleanup_close_ int fd = -1;
	char tapname[IFNAMSIZ];
	uint32_t seg, idx;
	int r;

	seg = segment_find(sw, req->segment);
	if (seg == UINT32_MAX) {
		*ret_error = "no such segment";
		return -ENOENT;
	}
	if (port_find(sw, req->name) != UINT32_MAX) {
		*ret_error = "a port of that name exists";
		return -EEXIST;
	}
	if (if_nametoindex(req->name)) {
		*ret_error = "an interface of that name exists in the switch's namespace";
		return -EEXIST;
	}
	if (req->masquerade && !host_nft_name_ok(req->name)) {
		*ret_error = "with masquerade, the name is made of A-Z a-z 0-9 _ . - alone";
		return -EINVAL;
	}
	idx = port_slot(sw);
	if (idx == UINT32_MAX) {
		*ret_error = "the switch has no free port";
		return -ENOSPC;
	}
	fd = tap_open(req->name, NULL);
	if (fd < 0) {
		*ret_error = "cannot create the tap";
		return fd;
	}
	r = tap_check(fd, tapname);
	if (r < 0) {
		*ret_error = "the new tap is not as the switch wants it";
		return r;
	}
	r = host_link_up(req->name, sw->segs[seg].mtu, model.mac);
	if (r < 0) {
		*ret_error = "cannot bring the tap up";
		return r;
	}
	if (req->ipv4[0] && (r = host_set_ipv4(req->name, req->ipv4)) < 0) {
		*ret_error = "cannot set the IPv4 address";
		return r;
	}
	if (req->ipv6[0] && (r = host_set_ipv6(req->name, req->ipv6)) < 0) {
		*ret_error = "cannot set the IPv6 address";
		return r;
	}
	if (req->masquerade && (r = host_masquerade(req->name, req->ipv4)) < 0) {
		*ret_error = r == -ENOENT ? "masquerade needs the nft program, which is missing"
		                          : "cannot set up masquerading (nft failed)";
		return r;
	}
	model.seg = seg;
	model.masquerade = req->masquerade;
	strcpy(model.ifname, req->name);
	strcpy(model.name, req->name);
	r = port_open(sw, idx, fd, &model, ret_error);
	if (r < 0) {
		if (req->masquerade)
			host_unmasquerade(req->name);
		return r;
	}
	TAKE_FD(fd);
	return 0;
}

int
host_del(struct sw *sw, const char *name, const char **ret_error)
{
	uint32_t idx = port_find(sw, name);

	if (idx == UINT32_MAX || sw->ports[idx].kind != PORT_HOST) {
		*ret_error = "no such host port";
		return -ENOENT;
	}
	host_release(sw, idx);
	port_detach(sw, idx);
	return 0;
}

void
host_release(struct sw *sw, uint32_t idx)
{
	struct port *p = &sw->ports[idx];

	if (p->masquerade)
		host_unmasquerade(p->name);
	p->masquerade = false;
	host_link_delete(p->ifname);
}
