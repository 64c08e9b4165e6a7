/*
 * `lab wait`, `lab pingall` and `lab hosts`: commands on a lab that is up, driven through
 * containode (ps, exec) with the lab's resolved topology (lab.json in its state directory).
 */
#pragma once

#include "labrun.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The lab as `up` resolved it (lab.json in its state directory): 0, or 1 once logged. */
int labops_state_lab(const struct labrun *r, struct lab **ret);

/* A command run with its output kept (in a memfd) and its exit status. */
struct labops_job {
	char **argv;
	pid_t pid;
	int fd;     /* -1 before it runs */
	char *out;  /* its stdout, NUL-terminated (NULL when empty or over 1 MiB) */
	size_t len;
	int status; /* exit status, 128+N for signal N, 127 when it did not start */
};

/* Runs every job, at most max at once, stdout kept, stderr to errfd: 0 or -errno. */
int labops_run_jobs(struct labops_job *jobs, size_t n, unsigned max, int errfd);

/* Frees each job's argv and output, then the array. */
void labops_jobs_free(struct labops_job *jobs, size_t n);

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

/*
 * Lines for /etc/hosts: each node's IPv4 addresses (the lab's own, else what the node
 * has) as "ADDR NODE.DOMAIN NODE" (DOMAIN: LAB_DOMAIN, else the lab's name; a node's
 * further addresses name NODE-IF), or JSON.  The exit status.
 */
int labops_hosts(const struct labrun *r, bool json);
