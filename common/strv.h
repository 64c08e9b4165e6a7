/* NULL-terminated arrays of malloc'd strings (argv, envp, lists read from JSON). */
#pragma once

#include "cleanup.h"

#include <stddef.h>

/* Frees every string and the array; NULL is fine. */
void strv_free(char **v);
DEFINE_CLEANUP_FUNC(char **, strv_free)
#define _cleanup_strv_ _cleanup_(strv_freep)

/* The number of strings; 0 for NULL. */
size_t strv_len(char *const *v);
/* Appends s to *v, taking it (freed on failure, and NULL is -ENOMEM, so that
 * strv_push(&v, strdup(x)) needs no check of its own).  Returns 0 or -ENOMEM. */
int strv_push(char ***v, char *s);
/* Appends a printf-formatted string.  Returns 0 or -ENOMEM. */
int strv_pushf(char ***v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends copies of every string of from.  Returns 0 or -ENOMEM. */
int strv_extend(char ***v, char *const *from);
