#include "switchport.h"

#include "cleanup.h"
#include "ctl.h"
#include "log.h"
#include "unixsock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int
switchport_connect(struct switchport *pt, const char *sock, const char *node, const char *ifname,
                   const char *segment)
{
	*pt = (struct switchport){
		.sock = sock, .node = node, .ifname = ifname, .segment = segment, .tap = -1
	};
	pt->conn = unix_connect(sock);
	return pt->conn < 0 ? pt->conn : 0;
}

void
switchport_addresses(struct switchport *pt, const struct plan_net *n, const char *hostname)
{
	char addr[INET6_ADDRSTRLEN];

	pt->hostname = hostname;
	pt->ipv4[0] = pt->ipv6[0] = '\0';
	if (n->v4_auto)
		strcpy(pt->ipv4, CTL_AUTO);
	else if (n->keys & PLAN_NET_IPV4)
		snprintf(pt->ipv4, sizeof(pt->ipv4), "%s/%u",
		         inet_ntop(AF_INET, &n->v4, addr, sizeof(addr)), n->v4_prefix);
	if (n->v6_auto)
		strcpy(pt->ipv6, CTL_AUTO);
	else if (n->keys & PLAN_NET_IPV6)
		snprintf(pt->ipv6, sizeof(pt->ipv6), "%s/%u",
		         inet_ntop(AF_INET6, &n->v6, addr, sizeof(addr)), n->v6_prefix);
}

int
switchport_attach(struct switchport *pt, int tap, struct ctl_assign *ret_assign, char **ret_error)
{
	struct ctl_request req = { .op = CTL_ATTACH };
	_cleanup_json_ cJSON *reply = NULL;
	int r;

	if (tap >= 0 && pt->tap != tap) {
		safe_close(pt->tap);
		pt->tap = tap;
	}
	if (strlen(pt->node) >= sizeof(req.node) || strlen(pt->ifname) >= sizeof(req.ifname) ||
	    strlen(pt->segment) >= sizeof(req.segment))
		return -ENAMETOOLONG;
	strcpy(req.node, pt->node);
	strcpy(req.ifname, pt->ifname);
	strcpy(req.segment, pt->segment);
	if (pt->vlan)
		req.vlan = *pt->vlan;
	strcpy(req.ipv4, pt->ipv4);
	strcpy(req.ipv6, pt->ipv6);
	if (pt->hostname && ident_valid(pt->hostname))
		strcpy(req.hostname, pt->hostname);
	r = ctl_call(pt->conn, &req, pt->tap, &reply, ret_error);
	if (r < 0 || !ret_assign)
		return r;
	return ctl_assign_from_json(reply, ret_assign);
}

void
switchport_detached(struct switchport *pt)
{
	pt->conn = safe_close(pt->conn);
}

int
switchport_reattach(struct switchport *pt)
{
	_cleanup_free_ char *error = NULL;
	int r;

	pt->conn = unix_connect(pt->sock);
	if (pt->conn < 0)
		return pt->conn;
	r = switchport_attach(pt, -1, NULL, &error);
	if (r < 0) {
		log_debug("attach '%s' again: %s", pt->ifname, error ? error : strerror(-r));
		switchport_detached(pt);
		return r;
	}
	log_debug("attached '%s' again to '%s'", pt->ifname, pt->sock);
	return 0;
}

void
switchport_close(struct switchport *pt)
{
	pt->conn = safe_close(pt->conn);
	pt->tap = safe_close(pt->tap);
}
