/*
 * The container's privileges, as crun's defaults: Docker's 14 capabilities in the
 * bounding set (or what --cap-add, --cap-drop, --privileged make of them), inheritable
 * and ambient sets empty, no_new_privs, no supplementary groups, the optional user, the
 * seccomp filter of Docker's profile, and every inherited fd beyond 0, 1, 2 marked
 * close-on-exec.
 */
#pragma once

#include "setup.h"
#include "plan.h"

#include <stdbool.h>
#include <stdint.h>

extern const int security_caps_keep[];
extern const size_t security_caps_keep_len;

/* Whether cap is one of those the container keeps. */
bool security_cap_kept(int cap);

/*
 * The default set as a mask (bit n: capability n); "ALL": every capability the kernel
 * has and containode's own bounding set holds.
 */
uint64_t security_caps_default(void);
uint64_t security_caps_all(void);

/*
 * Parent, before the container exists: reads the profile (--seccomp FILE, else Docker's
 * default, installed or in the source tree) and builds p->seccomp_filter for the node's
 * capabilities; nothing with --privileged or --seccomp unconfined.  -errno with
 * *ret_error "seccomp profile 'PATH': why" (malloc'd, or NULL when out of memory).
 */
int security_seccomp_prepare(struct plan *p, char **ret_error);
void security_seccomp_release(struct plan *p);

/* Child, with /proc mounted and /proc/sys still writable: writes the --sysctl values. */
int security_sysctls(const struct plan *p, struct setup_error *e);

/* Drops capabilities, switches user, sets no_new_privs, loads the seccomp filter. */
int security_apply(const struct plan *p, struct setup_error *e);

/* Marks every fd >= 3 close-on-exec, so that nothing leaks into the command. */
int security_close_fds(void);
