/* The monotonic clock, the one copy of the project: timeouts, ageing, rates. */
#pragma once

#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t monotime_ns(void);
/* CLOCK_MONOTONIC in milliseconds. */
int64_t monotime_ms(void);
