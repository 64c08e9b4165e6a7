/* The progress display of a pull on a terminal: one line per layer with bytes and rate,
 * and a total, redrawn in place. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct progress_item {
	const char *digest;
	uint64_t have, size;
	const char *state;        /* "downloading", "done", "present", "failed", ... */
	int64_t start_ms, end_ms; /* of the transfer, for its rate; 0 when not yet */
};

struct progress {
	bool enabled;
	unsigned lines; /* drawn so far, to move back over */
	int64_t start_ms, last_ms;
};

void progress_init(struct progress *p, bool enabled);
/* Redraws (at most every 100 ms unless force). */
void progress_draw(struct progress *p, const struct progress_item *items, size_t n, bool force);
/* Marks the item's transfer as started or ended now (for its rate). */
void progress_item_start(struct progress_item *it);
void progress_item_end(struct progress_item *it);
/* "12.3 MB" */
void format_size(uint64_t bytes, char *buf, size_t len);
