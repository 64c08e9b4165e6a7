#include "port.h"

#include "cleanup.h"
#include "ctl.h"
#include "log.h"
#include "unixsock.h"

#include <errno.h>
#include <string.h>

int
port_connect(struct port *pt, const char *sock, const char *node, const char *ifname,
	     const char *segment)
{
	*pt = (struct port){
		.sock = sock, .node = node, .ifname = ifname, .segment = segment, .tap = -1
	};
	pt->conn = unix_connect(sock);
	return pt->conn < 0 ? pt->conn : 0;
}

int
port_attach(struct port *pt, int tap, char **ret_error)
{
	struct ctl_request req = { .op = CTL_ATTACH };
	_cleanup_json_ cJSON *reply = NULL;

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
	return ctl_call(pt->conn, &req, pt->tap, &reply, ret_error);
}

void
port_detached(struct port *pt)
{
	pt->conn = safe_close(pt->conn);
}

int
port_reattach(struct port *pt)
{
	_cleanup_free_ char *error = NULL;
	int r;

	pt->conn = unix_connect(pt->sock);
	if (pt->conn < 0)
		return pt->conn;
	r = port_attach(pt, -1, &error);
	if (r < 0) {
		log_debug("attach '%s' again: %s", pt->ifname, error ? error : strerror(-r));
		port_detached(pt);
		return r;
	}
	log_debug("attached '%s' again to '%s'", pt->ifname, pt->sock);
	return 0;
}

void
port_close(struct port *pt)
{
	pt->conn = safe_close(pt->conn);
	pt->tap = safe_close(pt->tap);
}
