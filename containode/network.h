/*
 * The container's network, set up in the child inside its new network namespace with
 * ioctls only (no helper processes): lo up, the tap with the identity's MAC, its
 * address, link and default route.
 */
#pragma once

#include "namespaces.h"
#include "plan.h"

#include <stdbool.h>

/* Whether the plan wants a tap at all (-s or -4). */
bool network_wants_tap(const struct plan *p);

/* Sets everything up; the tap's fd (close-on-exec) in *ret_tap, or -1 without one. */
int network_setup(const struct plan *p, int *ret_tap, struct setup_error *e);
