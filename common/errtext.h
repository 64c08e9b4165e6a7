/*
 * "What failed": the one idiom for a reason a number cannot give.
 *
 * Library code returns -errno and, where the number is not enough, a one-line reason
 * through "char **ret_error" (NULL: the caller does not want it).  The text is malloc'd,
 * owned by the caller (free it), and cleaned: control characters become '?', since a
 * reason often quotes hostile input (a manifest's field, a file name from a tar stream).
 * error_set writes it, replacing an earlier text (an outer context that rewrites a
 * reason); error_set_first keeps an earlier one (the innermost cause is the most precise).
 * An object that collects its first failure (an unpacker, a download) keeps the same
 * "char *error" and fills it with error_set_first(&obj->error, ...).
 *
 * Two narrower forms, where this one would cost more than it gives:
 * - a pure decoder whose reasons are all fixed texts (common/ctl.c, the switch's request
 *   handlers, vlan, ipam) returns them as "const char **ret_error": static, never freed,
 *   so a control request on the event loop allocates nothing to be refused;
 * - where allocation is impossible (containode's clone child before exec), a fixed-size
 *   buffer carried to the parent.
 */
#pragma once

/* Sets *ret_error (when ret_error is not NULL), replacing an earlier text; returns err. */
int error_set(char **ret_error, int err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* The same, but an earlier text stays: the innermost cause is the most precise one. */
int error_set_first(char **ret_error, int err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
