#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum log_level log_max_level = LOG_WARN;
static const char *program = "containet";

void
log_init(const char *name)
{
	const char *slash = strrchr(name, '/');

	program = slash ? slash + 1 : name;
}

const char *
log_program(void)
{
	return program;
}

void
log_msg(enum log_level level, int err, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	(void)level;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* One write per line, so concurrent writers never interleave mid-line. */
	if (err)
		fprintf(stderr, "%s: %s: %s\n", program, buf, strerror(abs(err)));
	else
		fprintf(stderr, "%s: %s\n", program, buf);
}

int
log_usage_error(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s (try '%s --help')\n", program, buf, program);
	return 2;
}
