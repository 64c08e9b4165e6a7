/*
 * One of the container's ports on a switch, one per interface: attached over the control
 * protocol with the tap fd; its connection is held for the container's life (the port
 * lives as long as it) and made again when that switch goes away and comes back on the
 * same socket, each port on its own.
 */
#pragma once

#include "ctl.h"
#include "plan.h"

struct port {
	const char *sock;    /* NULL: a tap on no switch, only kept open */
	const char *node;
	const char *ifname;
	const char *segment; /* "" for the switch's default */
	const struct ctl_vlan *vlan; /* its VLAN role, or NULL for none */
	const char *hostname; /* what the switch's DNS answers for, or NULL */
	char ipv4[CTL_PREFIX_MAX]; /* what attach asks for: "auto", "A/L", or "" */
	char ipv6[CTL_PREFIX_MAX];
	int tap;  /* owned */
	int conn; /* owned; -1 while detached */
};

/* Connects to the switch (before the container exists, to fail early). */
int port_connect(struct port *pt, const char *sock, const char *node, const char *ifname,
		 const char *segment);
/* What attach tells the switch of interface n's addresses and the node's host name. */
void port_addresses(struct port *pt, const struct plan_net *n, const char *hostname);
/*
 * Attaches tap on the current connection; error text (malloc'd) in *ret_error; the
 * addresses the switch handed out in *ret_assign unless NULL.
 */
int port_attach(struct port *pt, int tap, struct ctl_assign *ret_assign, char **ret_error);
/* The connection hung up: forget it. */
void port_detached(struct port *pt);
/* Tries to connect and attach again; 0 on success. */
int port_reattach(struct port *pt);
void port_close(struct port *pt);
