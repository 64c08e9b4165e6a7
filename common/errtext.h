/*
 * Error texts for callers: library code returns -errno and, where a number is not
 * enough, a malloc'd one-line reason through "char **ret_error" that the caller logs.
 */
#pragma once

/* Sets *ret_error (when ret_error is not NULL), replacing an earlier text; returns err. */
int error_set(char **ret_error, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The same, but an earlier text stays: the innermost cause is the most precise one. */
int error_set_first(char **ret_error, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
