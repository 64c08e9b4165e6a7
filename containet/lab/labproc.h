/*
 * The programs a lab runs (the switch, containode, cp): started, waited for, and later
 * recognised by pid and start time, so that a reused pid is never taken for ours.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* Process start time (clock ticks since boot, /proc/PID/stat field 22); -ESRCH when gone. */
int labproc_starttime(pid_t pid, unsigned long long *ret);

/* True when pid runs and started at start. */
bool labproc_alive(pid_t pid, unsigned long long start);

/*
 * Starts argv[0] (a path, or a name looked up in PATH) with stdin, stdout and stderr on
 * the given fds (-1: /dev/null for stdin, inherited for the others); 0 and *ret_pid, or
 * -errno.
 */
int labproc_spawn(char *const *argv, int in_fd, int out_fd, int err_fd, pid_t *ret_pid);

/*
 * Waits for a child: its exit status, 128+N when killed by signal N.  With timeout_ms >= 0,
 * -ETIME once that has passed (the child keeps running).
 */
int labproc_wait(pid_t pid, int timeout_ms, int *ret_status);

/* labproc_spawn() then labproc_wait() without a timeout. */
int labproc_run(char *const *argv, int out_fd, int err_fd, int *ret_status);

/*
 * Starts argv detached (a session of its own, stdin /dev/null, stdout and stderr to
 * log_path), the child first writing "PID STARTTIME" to pid_path (temp + rename) so that
 * whoever kills the parent still finds it.  0 and *ret_pid, or -errno.
 */
int labproc_daemon(char *const *argv, const char *log_path, const char *pid_path, pid_t *ret_pid);

/* Reads a pid file of labproc_daemon(); -ENOENT, -EINVAL. */
int labproc_read_pid(const char *pid_path, pid_t *ret_pid, unsigned long long *ret_start);

/*
 * Ends pid if it still is the process that started at start: SIGTERM, up to grace_ms for
 * it to go, then SIGKILL and waiting for it to be gone.  0 (gone, or never ours) or -errno.
 */
int labproc_stop(pid_t pid, unsigned long long start, int grace_ms);
