/*
 * The words tc uses for link properties, as tc writes and reads them: durations ("20ms",
 * "1.5s", a bare number of microseconds), rates ("10mbit", "500kbps", a bare number of
 * bit/s), percentages ("0.5%") and netem's Gilbert-Elliott parameters.  Pure: the lab
 * file and the switch's link-set read them the same way.  Parsers return 0, -EINVAL for
 * a malformed word or -ERANGE for one out of range; none allocates.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define TCVALUE_DURATION_MAX_NS 4294000000000ULL /* netem keeps times in 32 bits of us */
#define TCVALUE_RATE_MAX_BPS 1000000000000000ULL
#define TCVALUE_TEXT_MAX 32 /* the longest word a format function writes, and its NUL */

/* "D[.D]" and a time unit (s sec secs ms msec msecs us usec usecs ns nsec nsecs, any case). */
int tcvalue_duration(const char *s, uint64_t *ret_ns);

/* "D[.D]" and a rate unit: bit kbit mbit gbit tbit, kibit.., bps kbps .. tibps (bytes). */
int tcvalue_rate(const char *s, uint64_t *ret_bps);

/* "D[.D]%", 0 to 100. */
int tcvalue_percent(const char *s, double *ret);

/*
 * netem's "loss gemodel p [r [1-h [1-k]]]" as one word, "p[,r[,1-h[,1-k]]]", each a
 * percentage.  Missing ones get netem's defaults: r = 100% - p, 1-h = 100%, 1-k = 0%.
 * ret: p, r, 1-h, 1-k in percent.
 */
int tcvalue_loss_ge(const char *s, double ret[4]);

/* The shortest of tc's words for a value: "20ms", "1.5ms", "250us", "2s", "7ns". */
void tcvalue_format_duration(uint64_t ns, char ret[TCVALUE_TEXT_MAX]);
/* "10mbit", "1.5gbit", "64kbit", "300bit". */
void tcvalue_format_rate(uint64_t bps, char ret[TCVALUE_TEXT_MAX]);
/* "5%", "0.25%". */
void tcvalue_format_percent(double pct, char ret[TCVALUE_TEXT_MAX]);
/* "1%,25%,100%,0%". */
void tcvalue_format_loss_ge(const double ge[4], char ret[4 * TCVALUE_TEXT_MAX]);
