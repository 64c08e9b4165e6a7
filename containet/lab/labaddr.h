/*
 * What lab wait and lab pingall read from the nodes, by pure code: the IPv4 addresses of
 * `ip -j addr` (a node's interfaces as configured), the status of each node in
 * `containode ps --json`, and the address one node pings another at.
 */
#pragma once

#include "labconf.h"

#include <stdbool.h>
#include <stddef.h>

#define LABADDR_IFNAME_MAX 15 /* IFNAMSIZ - 1 */

struct labaddr {
	char ifname[LABADDR_IFNAME_MAX + 1];
	char addr[16]; /* dotted quad */
	unsigned prefixlen;
};

/*
 * The global IPv4 addresses in `ip -j addr` output (an array of interfaces, each with
 * "ifname" and "addr_info" [{"family":"inet","local":"A.B.C.D","prefixlen":N}]), lo's
 * skipped, in their order: 0 and a malloc'd array (possibly empty), -EINVAL (not such
 * output) or -ENOMEM.
 */
int labaddr_parse(const char *text, size_t len, struct labaddr **ret, size_t *ret_n);

/*
 * The status of id in `containode ps --json` output (an array of objects with "id" and
 * "status"): a pointer into a malloc'd copy in *ret (free it), NULL when id is absent;
 * 0, -EINVAL (not such output) or -ENOMEM.
 */
int labaddr_ps_status(const char *text, size_t len, const char *id, char **ret);

/*
 * The pid of id in `containode ps --json` output when its status is "running": 0 and
 * *ret (0 when id is absent or not running), or -EINVAL (not such output) or -ENOMEM.
 */
int labaddr_ps_pid(const char *text, size_t len, const char *id, int *ret);

/* Whether a and b ("A.B.C.D" with prefix lengths) are on one IPv4 subnet (of a's length). */
bool labaddr_same_subnet(const char *a, unsigned alen, const char *b);
