/*
 * One of the container's ports on a switch, one per interface: attached over the control
 * protocol with the tap fd; its connection is held for the container's life (the port
 * lives as long as it) and made again when that switch goes away and comes back on the
 * same socket, each port on its own.  (The switch's side of it is containet's
 * struct port.)
 */
#pragma once

#include "ctl.h"
#include "plan.h"

struct switchport {
	const char *sock; /* NULL: a tap on no switch, only kept open */
	const char *node;
	const char *ifname;
	const char *segment;         /* "" for the switch's default */
	const struct ctl_vlan *vlan; /* its VLAN role, or NULL for none */
	const char *hostname;        /* what the switch's DNS answers for, or NULL */
	char ipv4[CTL_PREFIX_MAX];   /* what attach asks for: "auto", "A/L", or "" */
	char ipv6[CTL_PREFIX_MAX];
	int tap;  /* owned */
	int conn; /* owned; -1 while detached */
};

/* Connects to the switch (before the container exists, to fail early). */
int switchport_connect(struct switchport *pt, const char *sock, const char *node,
                       const char *ifname, const char *segment);
/* What attach tells the switch of interface n's addresses and the node's host name. */
void switchport_addresses(struct switchport *pt, const struct plan_net *n, const char *hostname);
/*
 * Attaches tap on the current connection; error text (malloc'd) in *ret_error; the
 * addresses the switch handed out in *ret_assign unless NULL.
 */
int switchport_attach(struct switchport *pt, int tap, struct ctl_assign *ret_assign,
                      char **ret_error);
/* The connection hung up: forget it. */
void switchport_detached(struct switchport *pt);
/* Tries to connect and attach again; 0 on success. */
int switchport_reattach(struct switchport *pt);
void switchport_close(struct switchport *pt);
