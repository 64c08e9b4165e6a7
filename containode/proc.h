/*
 * A process told apart from a later one with the same pid: by its start time in
 * /proc/PID/stat (state_stat_start reads it), which the node's state keeps beside the pid.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The start time of pid from /proc, or -errno (-ESRCH when it is gone or a zombie). */
int proc_start(pid_t pid, uint64_t *ret);
/* Whether pid is still the process that started at start. */
bool proc_is(pid_t pid, uint64_t start);
