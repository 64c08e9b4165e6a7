/*
 * `lab wait` and `lab pingall`: commands on a lab that is up, driven through containode
 * (ps, exec) with the lab's resolved topology (lab.json in its state directory).
 */
#pragma once

#include "labrun.h"

#include <stdbool.h>

/*
 * Waits until every node of the lab runs (cmd NULL), or until cmd succeeds in node,
 * trying again every 100 ms: 0, or 1 with a message naming the node once timeout_s passed.
 */
int labops_wait(const struct labrun *r, unsigned timeout_s, const char *node, char *const *cmd);

/*
 * Pings every ordered pair of nodes (count pings each, -W 1; at most deadline_s seconds
 * each when not 0), jobs at once: a matrix and Mininet's summary, or JSON.  0 when every
 * pair was reached, else 1.
 */
int labops_pingall(const struct labrun *r, unsigned count, unsigned deadline_s, bool json);
