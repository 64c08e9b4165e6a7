/*
 * The container's privileges, as crun's defaults: Docker's 14 capabilities in the
 * bounding set, inheritable and ambient sets empty, no_new_privs, no supplementary
 * groups, the optional user, and every inherited fd beyond 0, 1, 2 marked close-on-exec.
 */
#pragma once

#include "namespaces.h"
#include "plan.h"

#include <stdbool.h>

extern const int security_caps_keep[];
extern const size_t security_caps_keep_len;

/* Whether cap is one of those the container keeps. */
bool security_cap_kept(int cap);

/* Drops capabilities, switches user, sets no_new_privs. */
int security_apply(const struct plan *p, struct setup_error *e);

/* Marks every fd >= 3 close-on-exec, so that nothing leaks into the command. */
int security_close_fds(void);
