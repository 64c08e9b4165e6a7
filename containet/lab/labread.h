/*
 * Reading one lab file (internal to containet/lab/): its lines, checked for what no key
 * accepts; the NAME[KEY]=VALUE grammar lab.conf has and lab.ext shares; messages that
 * point at the line ("lab.ext:12: ..."); and the setters the parsers share.
 */
#pragma once

#include "labconf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LABREAD_LOWER "abcdefghijklmnopqrstuvwxyz"
#define LABREAD_UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define LABREAD_DIGITS "0123456789"
#define LABREAD_NODE_CHARS LABREAD_LOWER LABREAD_DIGITS "_" /* Kathara's device names */
#define LABREAD_WORD_CHARS LABREAD_LOWER LABREAD_UPPER LABREAD_DIGITS "_" /* Python's \w */
#define LABREAD_EXT_ARG_CHARS LABREAD_WORD_CHARS "."                      /* "N.ip" */

/* The state of one file being read: where messages point. */
struct labread {
	struct lab *lab;
	const char *fname;
	unsigned line;
	char **ret_error;
};

/*
 * The lines of a file, one at a time, checked for what no key accepts: over-long lines,
 * NUL bytes, bad UTF-8, control characters.  labread_next_line() gives the line as
 * written (*ret_raw, for the first-column rules) and the same with surrounding whitespace
 * stripped (*ret_s), both in raw[].
 */
struct labread_lines {
	const char *p;
	const char *end;
	char raw[LAB_LINE_MAX + 1];
};

struct labread_entry {
	char *name; /* node or segment */
	char *key;  /* between the brackets */
	char *value;
};

/* -EINVAL with "FILE:LINE: why" (or "FILE: why" at line 0) in *ret_error. */
int labread_fail(struct labread *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds "FILE:LINE: why" to the lab's warnings, up to LAB_WARNINGS_MAX; 0 or -ENOMEM. */
int labread_warn(struct labread *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One more zeroed element at the end of *arr (n elements of size); -E2BIG past max. */
int labread_grow(void *arr, size_t *n, size_t size, size_t max);

/*
 * The lines of buf (len bytes, at most LAB_FILE_MAX: -EFBIG with a message otherwise) in a
 * new *ret; -ENOMEM.  The caller frees it.
 */
int labread_lines_new(struct labread *r, const char *buf, size_t len, struct labread_lines **ret);

/*
 * The same for a file read after lab.conf (lab.dep, lab.ext): -EINVAL with a message before
 * it; an empty file is a warning, 0 and *ret NULL.
 */
int labread_lines_after_conf(struct labread *r, const char *buf, size_t len,
                             struct labread_lines **ret);

/* 1 and the next line, 0 at the end, or an error. */
int labread_next_line(struct labread_lines *l, struct labread *r, char **ret_raw, char **ret_s);

/* The VALUE of "KEY=VALUE", quoted or bare, as Kathara's regex reads it; in place. */
int labread_parse_value(struct labread *r, char *v, char **ret);

/* "NAME[KEY]=VALUE" with the name and key characters given; in place. */
int labread_parse_entry(struct labread *r, char *s, const char *name_chars, const char *key_chars,
                        struct labread_entry *ret);

/* The setters: 1 when a value was there before (the caller warns), 0, or an error. */
int labread_set_text(char **slot, const char *value);
int labread_set_bool(struct labread *r, char **slot, const char *value, const char *what);
int labread_set_uint(struct labread *r, char **slot, const char *value, uint64_t min, uint64_t max,
                     const char *what);
int labread_set_pair(struct labread *r, struct lab_pair **list, size_t *n, const char *key,
                     const char *value, const char *what);
int labread_add_string(struct labread *r, char ***list, size_t *n, const char *value,
                       const char *what);

/* Surrounding whitespace off, in place. */
void labread_strip(char **s);
