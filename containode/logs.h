/*
 * A detached node's log: what it writes to stdout and stderr (one pipe, so that the two
 * stay in the order they came) goes to STATE/ID/log, each line after its arrival time
 * ("2026-11-27T15:34:33.123456789Z "), bounded: past LOGS_FILE_MAX the file becomes
 * log.1 (the one before it goes) and a new log begins.  The supervisor writes it
 * (logs_sink_*); `containode logs` reads it (logs_show).
 */
#pragma once

#include "state.h"

#include <stdbool.h>
#include <stddef.h>

#define LOGS_FILE_MAX (4 << 20)
#define LOGS_STAMP_LEN 31 /* "YYYY-MM-DDTHH:MM:SS.NNNNNNNNNZ " */

struct logs_sink {
	int dirfd;     /* the node's state directory (not owned) */
	int fd;        /* its log, -1 when it could not be opened */
	size_t size;   /* bytes in it */
	bool mid_line; /* the last write ended inside a line */
	size_t max;    /* LOGS_FILE_MAX, smaller in tests */
};

/* Opens (creates) dirfd's log for appending. */
int logs_sink_open(struct logs_sink *l, int dirfd);
/* Writes n bytes the node wrote, each line stamped with now (CLOCK_REALTIME). */
void logs_sink_write(struct logs_sink *l, const char *buf, size_t n);
void logs_sink_close(struct logs_sink *l);

/* The stamp for a time, into buf (LOGS_STAMP_LEN + 1 bytes).  Pure. */
void logs_stamp(long long sec, long nsec, char *buf);

/*
 * Where, in text (len bytes, complete lines but perhaps the last), the last n lines
 * begin.  Pure.
 */
size_t logs_tail_start(const char *text, size_t len, unsigned long n);

struct logs_options {
	bool follow;
	bool timestamps;
	bool tail_all;
	unsigned long tail;
};

/* `containode logs`: the node's log on stdout; with follow, until its supervisor ends. */
int logs_show(int dirfd, const struct node_state *s, const struct logs_options *o);
