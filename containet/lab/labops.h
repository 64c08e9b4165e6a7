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
int labops_node_check(const struct labrun *r, const char *node);

/* A command run with its output kept (in a memfd) and its exit status. */
struct labops_job {
	char **argv;
	pid_t pid;
	int fd;    /* -1 before it runs */
	char *out; /* its stdout, NUL-terminated (NULL when empty or over 1 MiB) */
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
 * Pings every ordered pair of nodes from a raw socket in the sending node's network
 * namespace (count echo requests a second apart, as ping -c; a pair ends at its count of
 * replies, a second after its last request, or deadline_s after its first when not 0),
 * r->jobs pairs under way at once: a matrix and Mininet's summary, or JSON.  A pair is
 * reached when one reply came back.  0 when every pair was reached, else 1.
 */
/*
 * pingall without -j: more pairs at once flood the segment with ARP broadcasts faster
 * than the switch copies them (single,100 here: 1.1 s at 16-32, 2.7 s at 128, 9.6 s and
 * lost pairs at 1024).
 */
#define LABOPS_PAIRS_AT_ONCE 32

int labops_pingall(const struct labrun *r, unsigned count, unsigned deadline_s, bool json);

/*
 * Lines for /etc/hosts: each node's IPv4 addresses (the lab's own, else what the node
 * has) as "ADDR NODE.DOMAIN NODE" (DOMAIN: LAB_DOMAIN, else the lab's name; a node's
 * further addresses name NODE-IF), or JSON.  The exit status.
 */
int labops_hosts(const struct labrun *r, bool json);
