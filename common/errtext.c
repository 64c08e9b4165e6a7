#include "errtext.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void __attribute__((format(printf, 2, 0)))
error_vset(char **ret_error, const char *fmt, va_list ap)
{
	free(*ret_error);
	if (vasprintf(ret_error, fmt, ap) < 0) {
		*ret_error = NULL;
		return;
	}
	for (char *p = *ret_error; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

int
error_set(char **ret_error, int err, const char *fmt, ...)
{
	va_list ap;

	if (ret_error) {
		va_start(ap, fmt);
		error_vset(ret_error, fmt, ap);
		va_end(ap);
	}
	return err;
}

int
error_set_first(char **ret_error, int err, const char *fmt, ...)
{
	va_list ap;

	if (ret_error && !*ret_error) {
		va_start(ap, fmt);
		error_vset(ret_error, fmt, ap);
		va_end(ap);
	}
	return err;
}
