/* dlopen and dlsym for the libraries mocker opens only when a command needs them
 * (lazycurl, lazyarchive). */
#pragma once

/* The library, or NULL with dlerror's words in *ret_error. */
void *lazylib_open(const char *soname, char **ret_error);
/* The function name of h, or NULL; the first name missing is kept in *missing. */
void *lazylib_sym(void *h, const char *name, const char **missing);
