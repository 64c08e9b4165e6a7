/*
 * The runner: executes a lab's plan (labplan.h) with the programs it names.  `up` starts
 * the lab's own switch (detached, in the lab's state directory), its segments, then the
 * nodes through `containode run -d`, wave by wave in lab.dep order, at most `jobs` at
 * once, each followed by its startup script through `containode exec`.  `down` runs the
 * shutdown scripts, removes the nodes (`containode rm -f`), stops the switch and removes
 * the state directory and the lab's parent cgroups.  Everything a lab makes is found from
 * its state directory alone, so `down` also clears what a killed `up` left.
 *
 * State directory ROOT/<name>/: lab.json (the resolved topology), switch.sock, switch.pid
 * ("PID STARTTIME"), switch.log, switch/ (the switch's --state: its leases), nodes/ (containode's
 * --state-dir), upper/<node>/ (the nodes' kept upper layers: NODE/ of the lab copied in, the lab's
 * scripts in /hostlab), log/<node>.startup, mgmt (the
 * management segment, labmgmtrun.h).  With `up --switch SOCK`, switch.sock is a symbolic
 * link to SOCK and there is no switch.pid: `down` then removes the lab's segments from that
 * switch and leaves it running.
 */
#pragma once

#include "labconf.h"
#include "labnet.h"
#include "labplan.h"

/* Logs (a log_*() statement) and yields ret, taken before the log can change errno. */
#define LAB_FAIL(ret, log_stmt)                                                                    \
	({                                                                                         \
		__typeof__(ret) _ret = (ret);                                                      \
		log_stmt;                                                                          \
		_ret;                                                                              \
	})

struct labrun {
	struct labplan plan;
	const struct lab *lab;  /* up and show: the lab */
	const char *containet;  /* this program, as the switch */
	const char *containode; /* path or name in PATH */
	unsigned jobs;          /* nodes started at once */
	unsigned startup_timeout_s;
	bool write_hosts;                     /* up: the bridged nodes' names into /etc/hosts */
	const char *host;                     /* up: the machine of LAB_HOSTS this part is */
	const struct labnet_stretch *stretch; /* up: per segment of lab, or NULL: none */
	const char *switch_sock;              /* up --switch: a switch of one's own; NULL: none */
	bool json;                            /* up, down: the result as JSON on stdout */
};

/* Each returns the exit status for the command. */
int labrun_up(struct labrun *r);
int labrun_down(struct labrun *r);
