/*
 * `lab capture` and `lab link`: the lab's names (segments as lab.conf names them, NODE or
 * NODE:IF) resolved to the switch's (labplan_target), then the switch's own client run
 * on the lab's switch socket: `containet -s SOCK capture ...`, `... link set|show ...`.
 */
#pragma once

#include "labrun.h"

#include <stdbool.h>

struct labwatch_capture {
	const char *write;     /* -w FILE or "-"; NULL: the switch client's default */
	unsigned long count;   /* 0: no bound */
	const char *duration;  /* seconds, as the switch client reads them; NULL: none */
	unsigned long snaplen; /* 0: the default */
};

/*
 * Captures names (none: the whole switch) of the lab: replaces this process with the
 * switch's client; returns only on failure, with the exit status.
 */
int labwatch_capture(const struct labrun *r, char *const *names, const struct labwatch_capture *o);

/*
 * lab link NAME WORD...: WORDs KEY=VALUE (the switch's impairment settings), down, up or
 * clear, set in direction dir (NULL: egress); no WORD: the link's settings and counters
 * (link show, --json as the switch prints it).  Replaces this process as above.
 */
int labwatch_link(const struct labrun *r, const char *name, char *const *words, const char *dir,
                  bool json);
