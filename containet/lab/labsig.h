/*
 * A node's signature for `lab test`, by pure code (as Kathara's ltest keeps one per
 * device): what the node runs (labsig_probe) prints its interfaces, addresses, routes and
 * sockets; labsig_build() makes of it sorted, stable lines that name nothing the run
 * chose (no link-local addresses, no MACs the lab did not declare, no counters, nothing
 * the kernel updates a moment late: operstate, a route's linkdown):
 *
 *   addr eth0 10.1.0.1/24
 *   link eth0 mtu 1500 up carrier
 *   listen tcp 0.0.0.0:22
 *   route default via 10.1.0.1 dev eth0
 *
 * and labsig_diff() compares two of them (or two outputs of a node's own _test script).
 */
#pragma once

#include <stddef.h>

#define LABSIG_LINES_MAX 65536 /* lines in a signature */
#define LABSIG_TEXT_MAX (1 << 20)

/*
 * The shell text a node runs: sections, each after a line "@NAME": addr (`ip -j addr`),
 * route4 and route6 (`ip -j route`), tcp, tcp6, udp, udp6 (/proc/net's tables).
 */
extern const char labsig_probe[];

/*
 * The signature of probe output: 0 and *ret (malloc'd, one "\n"-ended line each, sorted,
 * no repeats); -EINVAL with *ret_error naming the section and what is wrong in it; -ENOMEM.
 * mac_ifaces (a NULL-ended list, may be NULL): interfaces whose MAC the signature keeps.
 */
int labsig_build(const char *out, size_t len, char *const *mac_ifaces, char **ret,
                 char **ret_error);

/*
 * The lines of want missing from got ("- LINE") and of got missing from want ("+ LINE"),
 * in sorted order, as malloc'd text in *ret ("" when none); the number of such lines (a
 * line counts as often as it occurs), or -ENOMEM.  Two texts with the same lines in
 * another order give one line "~ the same lines in another order".
 */
int labsig_diff(const char *want, const char *got, char **ret);
