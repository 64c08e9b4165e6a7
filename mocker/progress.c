#include "progress.h"

#include "monotime.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

void
format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)bytes;
	unsigned u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 " B", bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
}

void
progress_item_start(struct progress_item *it)
{
	if (!it->start_ms)
		it->start_ms = monotime_ms();
}

void
progress_item_end(struct progress_item *it)
{
	progress_item_start(it);
	if (!it->end_ms)
		it->end_ms = monotime_ms();
}

static uint64_t
rate(uint64_t bytes, int64_t from, int64_t to)
{
	return to > from ? bytes * 1000 / (uint64_t)(to - from) : 0;
}

void
progress_init(struct progress *p, bool enabled)
{
	*p = (struct progress){ .enabled = enabled, .start_ms = monotime_ms() };
}

void
progress_draw(struct progress *p, const struct progress_item *items, size_t n, bool force)
{
	int64_t now = monotime_ms();
	double secs = (now - p->start_ms) / 1000.0;
	uint64_t have = 0, size = 0, moved = 0;
	char a[32], b[32], r[32];

	if (!p->enabled || (!force && now - p->last_ms < 100))
		return;
	p->last_ms = now;
	if (p->lines)
		fprintf(stderr, "\033[%uA", p->lines);
	for (size_t i = 0; i < n; i++) {
		const struct progress_item *it = &items[i];
		format_size(it->have, a, sizeof(a));
		format_size(it->size, b, sizeof(b));
		format_size(it->start_ms ? rate(it->have, it->start_ms, it->end_ms ?: now) : 0, r,
		            sizeof(r));
		fprintf(stderr, "\r\033[K%.19s  %-11s %10s / %-10s %10s/s\n", it->digest, it->state,
		        a, b, r);
		have += it->have;
		size += it->size;
		if (it->start_ms) /* downloaded now, not found in the store */
			moved += it->have;
	}
	format_size(have, a, sizeof(a));
	format_size(size, b, sizeof(b));
	format_size(rate(moved, p->start_ms, now), r, sizeof(r));
	fprintf(stderr, "\r\033[Ktotal                            %10s / %-10s %10s/s  %.1fs\n", a,
	        b, r, secs);
	p->lines = (unsigned)n + 1;
	fflush(stderr);
}
