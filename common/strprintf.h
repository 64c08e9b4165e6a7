/* printf into a new string: vasprintf with one answer on failure (NULL), where glibc leaves
 * the pointer undefined. */
#pragma once

#include <stdarg.h>

/* A malloc'd string, or NULL when out of memory. */
char *strprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *vstrprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
