/*
 * The container process: created once by clone3 in new namespaces (ns.h), it runs its
 * setup steps in the order the kernel needs (cgroup.c, network.c, mounts.c, devices.c,
 * image.c, security.c, each reporting what failed through setup.h) and talks to the
 * parent over the child pipe (childmsg.h): it hands over its tap and pty fds, says it is ready, waits
 * until the parent has done its side (attached the tap to the switch, set up the
 * terminal) and then execs.  Any failure travels back as one message and is reported by
 * the parent; when exec succeeds the parent simply sees the pipe close.
 */
#pragma once

#include "plan.h"

struct cgroup_node;

/* The child: joins cg, sets up the container and execs its command; never returns. */
_Noreturn void child_run(const struct plan *p, const struct cgroup_node *cg, int sock);
