/*
 * libcurl, opened with dlopen when a command first needs the network: the commands that
 * never touch it (images, inspect, tag, rmi, rootfs of an unpacked image...) start
 * without loading it and the thirty shared objects it needs.  mocker's sources include
 * this header instead of <curl/curl.h>; each curl_* function they call is a pointer here,
 * filled by lazycurl_load.  A function missing from the list fails to link: add it.
 */
#pragma once

/* Its macros that check option types would name the functions themselves. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#define LAZYCURL_SONAME "libcurl.so.4"

/* Every function of the library that mocker calls, by name. */
/* clang-format off */
#define LAZYCURL_FUNCS(X) X(curl_easy_cleanup) X(curl_easy_escape) X(curl_easy_getinfo) \
	X(curl_easy_init) X(curl_easy_perform) X(curl_easy_setopt) X(curl_easy_strerror) \
	X(curl_free) X(curl_global_cleanup) X(curl_global_init) X(curl_multi_add_handle) \
	X(curl_multi_cleanup) X(curl_multi_info_read) X(curl_multi_init) X(curl_multi_perform) \
	X(curl_multi_poll) X(curl_multi_remove_handle) X(curl_multi_setopt) X(curl_slist_append) \
	X(curl_slist_free_all)
/* clang-format on */

struct lazycurl {
#define LAZYCURL_SLOT(f) __typeof__(f) *f;
	LAZYCURL_FUNCS(LAZYCURL_SLOT)
#undef LAZYCURL_SLOT
};
extern struct lazycurl lazycurl;

/* Opens libcurl and runs curl_global_init, once; -errno with dlerror's words. */
int lazycurl_load(char **ret_error);
/* curl_global_cleanup, when libcurl was opened. */
void lazycurl_unload(void);

/* The constructors open the library on first use; NULL when it cannot be opened. */
CURL *lazycurl_easy_init(void);
CURLM *lazycurl_multi_init(void);

#ifndef LAZYCURL_IMPL
/* curl.h's own macros that count these functions' arguments */
#undef curl_easy_getinfo
#undef curl_easy_setopt
#undef curl_multi_setopt
#define curl_easy_cleanup lazycurl.curl_easy_cleanup
#define curl_easy_escape lazycurl.curl_easy_escape
#define curl_easy_getinfo lazycurl.curl_easy_getinfo
#define curl_easy_init lazycurl_easy_init
#define curl_easy_perform lazycurl.curl_easy_perform
#define curl_easy_setopt lazycurl.curl_easy_setopt
#define curl_easy_strerror lazycurl.curl_easy_strerror
#define curl_free lazycurl.curl_free
#define curl_multi_add_handle lazycurl.curl_multi_add_handle
#define curl_multi_cleanup lazycurl.curl_multi_cleanup
#define curl_multi_info_read lazycurl.curl_multi_info_read
#define curl_multi_init lazycurl_multi_init
#define curl_multi_perform lazycurl.curl_multi_perform
#define curl_multi_poll lazycurl.curl_multi_poll
#define curl_multi_remove_handle lazycurl.curl_multi_remove_handle
#define curl_multi_setopt lazycurl.curl_multi_setopt
#define curl_slist_append lazycurl.curl_slist_append
#define curl_slist_free_all lazycurl.curl_slist_free_all
#endif
