#define LAZYCURL_IMPL
#include "lazycurl.h"

#include "errtext.h"
#include "lazylib.h"

#include <errno.h>

struct lazycurl lazycurl;
static int lazycurl_state; /* 0: not opened yet, 1: opened, <0: failed */

int
lazycurl_load(char **ret_error)
{
	const char *missing = NULL;
	void *h;

	if (lazycurl_state > 0)
		return 0;
	h = lazylib_open(LAZYCURL_SONAME, ret_error);
	if (!h)
		return lazycurl_state = -ENOENT;
#define LAZYCURL_SET(f) lazycurl.f = (__typeof__(lazycurl.f))lazylib_sym(h, #f, &missing);
	LAZYCURL_FUNCS(LAZYCURL_SET)
#undef LAZYCURL_SET
	if (missing)
		return lazycurl_state = error_set(ret_error, -ENOSYS, "%s has no %s",
		                                  LAZYCURL_SONAME, missing);
	if (lazycurl.curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return lazycurl_state = error_set(ret_error, -EIO, "cannot initialize libcurl");
	lazycurl_state = 1;
	return 0;
}

void
lazycurl_unload(void)
{
	if (lazycurl_state > 0)
		lazycurl.curl_global_cleanup();
	lazycurl_state = 0;
}

CURL *
lazycurl_easy_init(void)
{
	return lazycurl_load(NULL) < 0 ? NULL : lazycurl.curl_easy_init();
}

CURLM *
lazycurl_multi_init(void)
{
	return lazycurl_load(NULL) < 0 ? NULL : lazycurl.curl_multi_init();
}
