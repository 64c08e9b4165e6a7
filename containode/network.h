/*
 * The container's network: a new network namespace that containode makes and sets up
 * with rtnetlink only (no helper processes) while its child mounts the node's file
 * system, lo up, then one tap per interface with its MAC, MTU, addresses and link up,
 * then the routes; the child joins it once it is ready.
 */
#pragma once

#include "setup.h"
#include "ctl.h"
#include "plan.h"

#include <stdbool.h>

/*
 * Makes the node's network namespace (none with the host's network: *ret_netns is -1) and
 * sets everything up in it, then returns to the caller's: the namespace's fd in
 * *ret_netns, the taps' fds (close-on-exec), one per p->net[i], in ret_taps[i] (all -1 on
 * failure).  When it fails, the caller may still be in the node's namespace: it must only
 * clean up and exit (which needs no network).
 */
int network_create(const struct plan *p, int ret_taps[PLAN_NET_MAX], int *ret_netns,
                   struct setup_error *e);

/*
 * What the switch assigned to interface n: the segment's MTU (unless mtu= was given) and,
 * with ipv4=auto, the address and the default route via its gateway.  In the container's
 * network namespace, after the attach.
 */
int network_apply(const struct plan_net *n, const struct ctl_assign *a, struct setup_error *e);
