/*
 * The management segment's I/O (labmgmt.h has the decisions): its state file
 * (ROOT/<name>/mgmt), the segment and the host port made through the lab's switch, the
 * nftables table left by a switch that was killed, and the lab's block in /etc/hosts.
 */
#pragma once

#include "labmgmt.h"
#include "labrun.h"

#include <stdbool.h>

#define LABMGMT_HOSTS_FILE "/etc/hosts" /* CONTAINET_HOSTS_FILE names another one */

/*
 * When a node of r->lab is bridged: picks the /24 (saying so when the preferred one is
 * taken), writes the state file, adds the segment and its host port with masquerade,
 * and sets r->plan.mgmt to m.  0 (also when no node is bridged), or -errno once logged.
 */
int labmgmtrun_up(struct labrun *r, struct labmgmt *m);

/* The state file: 1 and *ret, 0 when the lab has no management segment, -errno once logged. */
int labmgmtrun_read(const struct labrun *r, struct labmgmt *ret);
int labmgmtrun_write(const struct labrun *r, const struct labmgmt *m);

/*
 * The lab's block in LABMGMT_HOSTS_FILE: the bridged nodes' names (lab: the topology, for
 * its domain), or removed (m NULL); with update, only when the file has the block already
 * (a node of the lab removed).  Written through a temporary file and a rename that
 * keeps the file's mode and owner; where the file is a mount point (a bind mount, as in
 * some containers and under `ip netns exec`) the rename fails with EBUSY and the file is
 * rewritten in place.  0, or -errno once logged.
 */
int labmgmtrun_hosts(const struct labrun *r, const struct lab *lab, const struct labmgmt *m,
                     bool update);

/*
 * What down removes besides the switch: the host port's nftables table when a killed
 * switch left it, and the lab's block in /etc/hosts.  Warnings only.
 */
void labmgmtrun_down(const struct labrun *r);
