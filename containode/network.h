/*
 * The container's network, set up in the child inside its new network namespace with
 * rtnetlink only (no helper processes): lo up, then one tap per interface with its MAC,
 * MTU, addresses and link up, then the routes.
 */
#pragma once

#include "setup.h"
#include "ctl.h"
#include "plan.h"

#include <stdbool.h>

/* Whether the plan wants any tap (-s, -4, -6 or --net). */
bool network_wants_tap(const struct plan *p);

/*
 * Sets everything up; the taps' fds (close-on-exec), one per p->net[i], in ret_taps[i]
 * (all -1 on failure).
 */
int network_setup(const struct plan *p, int ret_taps[PLAN_NET_MAX], struct setup_error *e);

/*
 * What the switch assigned to interface n: the segment's MTU (unless mtu= was given) and,
 * with ipv4=auto, the address and the default route via its gateway.  In the container's
 * network namespace, after the attach.
 */
int network_apply(const struct plan_net *n, const struct ctl_assign *a, struct setup_error *e);
