#include "setup.h"

#include <stdarg.h>
#include <stdio.h>

int
setup_fail(struct setup_error *e, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->what, sizeof(e->what), fmt, ap);
	va_end(ap);
	return r;
}
