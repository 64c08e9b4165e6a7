#include "strv.h"
#include "strprintf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void
strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

size_t
strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int
strv_push(char ***v, char *s)
{
	size_t n = strv_len(*v);
	char **grown;

	if (!s)
		return -ENOMEM;
	grown = reallocarray(*v, n + 2, sizeof(*grown));
	if (!grown) {
		free(s);
		return -ENOMEM;
	}
	grown[n] = s;
	grown[n + 1] = NULL;
	*v = grown;
	return 0;
}

int
strv_pushf(char ***v, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vstrprintf(fmt, ap);
	va_end(ap);
	return strv_push(v, s);
}

int
strv_extend(char ***v, char *const *from)
{
	for (size_t i = 0; from && from[i]; i++)
		if (strv_push(v, strdup(from[i])) < 0)
			return -ENOMEM;
	return 0;
}
