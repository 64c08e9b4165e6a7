/*
 * The error carrier of the container child's setup steps (mounts, devices, network,
 * security, image): each step returns -errno and records what failed here; the child's
 * setup order (child.c) sends it to the parent, which reports it.
 */
#pragma once

#define SETUP_ERROR_MAX 240

/*
 * What failed, as "what failed" text for the parent's one error line.  A fixed buffer
 * rather than errtext.h's malloc'd text: it leaves the child as it is, in one fixed-size
 * message of the child pipe (struct child_msg), and the child that fills it ends in
 * _exit or exec, where nothing would free an allocation.
 */
struct setup_error {
	char what[SETUP_ERROR_MAX];
};

/* Formats what failed into e and returns r (a -errno), for "return setup_fail(...)". */
int setup_fail(struct setup_error *e, int r, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
