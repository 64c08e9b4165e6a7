#include "lazylib.h"

#include "errtext.h"

#include <dlfcn.h>
#include <errno.h>

void *
lazylib_open(const char *soname, char **ret_error)
{
	/* RTLD_NOW: a library that lacks a symbol it needs fails here, not mid-pull. */
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		error_set(ret_error, -ENOENT, "%s", dlerror());
	return h;
}

void *
lazylib_sym(void *h, const char *name, const char **missing)
{
	void *p = dlsym(h, name);

	if (!p && !*missing)
		*missing = name;
	return p;
}
