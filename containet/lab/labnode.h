/*
 * `lab node add` and `lab node del`: a running lab changed node by node.  The lab's
 * topology (lab.json in its state directory) is read, changed and checked by the same
 * code as a lab file (labjson), and written back under the lab's lock (ROOT/<name>/
 * lab.lock), so two commands at once never lose one's change; ps, exec, pingall, test,
 * hosts and down then see the node as one of the lab's own.
 */
#pragma once

#include "labrun.h"

#include <stdbool.h>

struct labnode_add {
	const char *name;
	char **segments; /* eth0, eth1, ... in order; a segment the lab lacks is made */
	size_t n_segments;
	char **ips; /* ADDR/LEN or auto, for eth0, eth1, ... (IPv6 when it has a ':') */
	size_t n_ips;
	const char *image; /* NULL: the host's root */
};

/* Each returns the exit status, having printed what it did (JSON with json). */
int labnode_add(struct labrun *r, const struct labnode_add *a, bool json);
int labnode_del(struct labrun *r, const char *name, bool json);
