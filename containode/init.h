/*
 * --init: a tiny PID 1 for the container that runs the command as its child, forwards
 * signals to it, reaps every orphan, and exits with the command's status.
 */
#pragma once

#include "plan.h"

_Noreturn void init_run(const struct plan *p, int sock);
