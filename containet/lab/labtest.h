/*
 * `lab test [--verify]`, as Kathara's ltest: each node's signature (labsig.h) and the
 * output of the lab's _test/NODE.test run in the node (with "exit N" after it when it
 * exits N != 0), taken from every node at once.  Without --verify they are stored as the
 * expected ones; with it they are stored as results and compared with those, a readable
 * difference per node that differs.  Where, as Kathara keeps them: _test/signature/
 * NODE.default and NODE.user, _test/results/ likewise, under the lab directory, or under
 * the lab's state directory (test/) for a lab that has none (--topo, FILE.json).
 */
#pragma once

#include "labrun.h"

#include <stdbool.h>

struct labtest_opts {
	bool verify;
	bool tap;          /* the report as TAP on stdout */
	bool json;         /* the report as JSON on stdout */
	const char *junit; /* also a JUnit XML report in this file */
};

/* The exit status: 0, or 1 when a node differs or could not be read (each named). */
int labtest_run(const struct labrun *r, const struct labtest_opts *o);
