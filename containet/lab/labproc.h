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
 * Pid files that are locks: "PID STARTTIME" in a file that the process holds an
 * exclusive flock on for as long as it lives (its open file description, shared with its
 * children until they close it).  A killed owner frees the lock at once, so a pid file
 * whose lock is free names no live owner, whatever it says.
 *
 * labproc_lock_new() creates path, locks it and writes the caller's pid and start time;
 * the fd (close-on-exec) keeps the lock: 0 and *ret_fd, or -errno (-EWOULDBLOCK: held).
 */
int labproc_lock_new(const char *path, int *ret_fd);

/*
 * Whether a live process holds the lock at path, and then its pid and start time (waiting
 * up to a second for a new owner to write them).  1, 0 (free, or no such file), -errno.
 */
int labproc_lock_owner(const char *path, pid_t *ret_pid, unsigned long long *ret_start);

/* Waits up to timeout_ms for the lock at path to be free: 0 or -ETIMEDOUT. */
int labproc_lock_wait(const char *path, int timeout_ms);
/* The pid and start time written in pid file path, whoever holds its lock. */
int labproc_pidfile_read(const char *path, pid_t *ret_pid, unsigned long long *ret_start);

/*
 * Starts argv detached (a session of its own, stdin /dev/null, stdout and stderr to
 * log_path) as the owner of the lock pid_path: the lock is taken before the fork and
 * passes to the child, which writes its own pid into it and keeps it across exec, so that
 * whoever kills the caller at any moment still finds the child.  0 and *ret_pid, or -errno.
 */
int labproc_daemon(char *const *argv, const char *log_path, const char *pid_path, pid_t *ret_pid);

/*
 * Ends pid if it still is the process that started at start: SIGTERM, up to grace_ms for
 * it to go, then SIGKILL and waiting for it to be gone.  0 (gone, or never ours) or -errno.
 */
int labproc_stop(pid_t pid, unsigned long long start, int grace_ms);
