/*
 * Capabilities through the kernel's own interface (prctl and capset), without libcap:
 * their names, the bounding set, and the process's sets.  Numbers are the kernel's
 * (CAP_* in <linux/capability.h>), 0 to 63.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * "net_admin" (len bytes, any case, without "cap_"): its number, or -EINVAL for a name
 * no kernel this was built for has.
 */
int caps_from_name(const char *name, size_t len);
/* "net_admin", or NULL for a number without a name here. */
const char *caps_name(int cap);
/* The bounding set: what this process may still hand on. */
uint64_t caps_bounding(void);
/* Drops every capability not in keep from the bounding set (needs CAP_SETPCAP); -errno. */
int caps_bounding_limit(uint64_t keep);
/* The effective and permitted sets become mask, the inheritable one empty; -errno. */
int caps_set(uint64_t mask);
