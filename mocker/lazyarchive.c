#define LAZYARCHIVE_IMPL
#include "lazyarchive.h"

#include "errtext.h"
#include "lazylib.h"

#include <errno.h>

struct lazyarchive lazyarchive;
static int lazyarchive_state; /* 0: not opened yet, 1: opened, <0: failed */

int
lazyarchive_load(char **ret_error)
{
	const char *missing = NULL;
	void *h;

	if (lazyarchive_state > 0)
		return 0;
	h = lazylib_open(LAZYARCHIVE_SONAME, ret_error);
	if (!h)
		return lazyarchive_state = -ENOENT;
#define LAZYARCHIVE_SET(f) lazyarchive.f = (__typeof__(lazyarchive.f))lazylib_sym(h, #f, &missing);
	LAZYARCHIVE_FUNCS(LAZYARCHIVE_SET)
#undef LAZYARCHIVE_SET
	if (missing)
		return lazyarchive_state = error_set(ret_error, -ENOSYS, "%s has no %s",
		                                     LAZYARCHIVE_SONAME, missing);
	lazyarchive_state = 1;
	return 0;
}

struct archive *
lazyarchive_read_new(void)
{
	return lazyarchive_load(NULL) < 0 ? NULL : lazyarchive.archive_read_new();
}

struct archive *
lazyarchive_write_new(void)
{
	return lazyarchive_load(NULL) < 0 ? NULL : lazyarchive.archive_write_new();
}

struct archive *
lazyarchive_read_disk_new(void)
{
	return lazyarchive_load(NULL) < 0 ? NULL : lazyarchive.archive_read_disk_new();
}

struct archive_entry *
lazyarchive_entry_new(void)
{
	return lazyarchive_load(NULL) < 0 ? NULL : lazyarchive.archive_entry_new();
}

struct archive_entry_linkresolver *
lazyarchive_entry_linkresolver_new(void)
{
	return lazyarchive_load(NULL) < 0 ? NULL : lazyarchive.archive_entry_linkresolver_new();
}
