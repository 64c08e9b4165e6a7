#include "labread.h"

#include "cleanup.h"
#include "errtext.h"
#include "labvalue.h"
#include "strprintf.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One more zeroed element at the end of *arr (n elements of size), capacity doubling. */
int
labread_grow(void *arr, size_t *n, size_t size, size_t max)
{
	void **p = arr;
	void *bigger;

	if (*n >= max)
		return -E2BIG;
	if ((*n & (*n - 1)) == 0) {
		bigger = reallocarray(*p, *n ? *n * 2 : 1, size);
		if (!bigger)
			return -ENOMEM;
		*p = bigger;
	}
	memset((char *)*p + *n * size, 0, size);
	(*n)++;
	return 0;
}

int
labread_fail(struct labread *r, const char *fmt, ...)
{
	_cleanup_free_ char *why = NULL;
	va_list ap;

	va_start(ap, fmt);
	why = vstrprintf(fmt, ap);
	va_end(ap);
	if (!why)
		return -ENOMEM;
	if (r->line == 0)
		return error_set(r->ret_error, -EINVAL, "%s: %s", r->fname, why);
	return error_set(r->ret_error, -EINVAL, "%s:%u: %s", r->fname, r->line, why);
}

int
labread_warn(struct labread *r, const char *fmt, ...)
{
	struct lab *lab = r->lab;
	_cleanup_free_ char *why = NULL;
	char *text;
	va_list ap;
	int err;

	if (lab->n_warnings >= LAB_WARNINGS_MAX)
		return 0;
	va_start(ap, fmt);
	why = vstrprintf(fmt, ap);
	va_end(ap);
	if (!why)
		return -ENOMEM;
	if (lab->n_warnings == LAB_WARNINGS_MAX - 1)
		err = asprintf(&text, "%s:%u: more warnings, not shown", r->fname, r->line);
	else if (r->line == 0)
		err = asprintf(&text, "%s: %s", r->fname, why);
	else
		err = asprintf(&text, "%s:%u: %s", r->fname, r->line, why);
	if (err < 0)
		return -ENOMEM;
	err = labread_grow(&lab->warnings, &lab->n_warnings, sizeof(char *), LAB_WARNINGS_MAX);
	if (err < 0) {
		free(text);
		return err;
	}
	lab->warnings[lab->n_warnings - 1] = text;
	return 0;
}

/* Replaces *slot with a copy of value; 1 when there was one before. */
int
labread_set_text(char **slot, const char *value)
{
	char *copy = strdup(value);
	bool had = *slot != NULL;

	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return had;
}

int
labread_lines_new(struct labread *r, const char *buf, size_t len, struct labread_lines **ret)
{
	struct labread_lines *l;

	if (len > LAB_FILE_MAX)
		return error_set(r->ret_error, -EFBIG, "%s: larger than %d bytes", r->fname,
		                 LAB_FILE_MAX);
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->p = buf;
	l->end = buf + len;
	*ret = l;
	return 0;
}

int
labread_lines_after_conf(struct labread *r, const char *buf, size_t len, struct labread_lines **ret)
{
	*ret = NULL;
	if (!r->lab->conf_done)
		return error_set(r->ret_error, -EINVAL, "%s: read lab.conf first", r->fname);
	if (len == 0)
		return labread_warn(r, "the file is empty, ignoring");
	return labread_lines_new(r, buf, len, ret);
}

int
labread_next_line(struct labread_lines *l, struct labread *r, char **ret_raw, char **ret_s)
{
	const char *nl;
	size_t n;
	char *s, *e;

	if (l->p >= l->end)
		return 0;
	nl = memchr(l->p, '\n', l->end - l->p);
	n = (nl ? nl : l->end) - l->p;
	r->line++;
	if (n > LAB_LINE_MAX)
		return labread_fail(r, "line longer than %d bytes", LAB_LINE_MAX);
	memcpy(l->raw, l->p, n);
	l->raw[n] = '\0';
	l->p += n + (nl != NULL);
	if (memchr(l->raw, '\0', n))
		return labread_fail(r, "NUL byte in the line");
	if (!labvalue_utf8(l->raw, n))
		return labread_fail(r, "not UTF-8 text");
	s = l->raw;
	while (*s && isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			return labread_fail(r, "control character 0x%02x in the line",
			                    (unsigned char)*c);
		else if (*c == 0x7f)
			return labread_fail(r, "control character 0x7f in the line");
	*ret_raw = l->raw;
	*ret_s = s;
	return 1;
}

static bool
comment_tail(const char *t)
{
	size_t ws = 0;

	while (t[ws] && isspace((unsigned char)t[ws]))
		ws++;
	return ws > 0 && t[ws] == '#';
}

/*
 * The VALUE of "KEY=VALUE" as Kathara's regex reads it: quoted ('...' or "...") with an
 * optional "  # comment" after the quote, or bare up to the end of the line; values never
 * hold a quote, so a bare value followed by a quote only parses when a comment holds it.
 */
int
labread_parse_value(struct labread *r, char *v, char **ret)
{
	size_t n;

	if (*v == '"' || *v == '\'') {
		char q = *v;

		n = strcspn(v + 1, "\"'");
		if (n == 0)
			return labread_fail(r, v[1] ? "empty value" : "unclosed quote");
		if (v[1 + n] == '\0')
			return labread_fail(r, "unclosed quote");
		if (v[1 + n] != q)
			return labread_fail(r, "unmatched quotes");
		if (v[2 + n] && !comment_tail(v + 2 + n))
			return labread_fail(r, "text after the closing quote");
		v[1 + n] = '\0';
		*ret = v + 1;
		return 0;
	}
	n = strcspn(v, "\"'");
	if (n == 0)
		return labread_fail(r, "empty value");
	if (v[n]) {
		/* The regex backtracks to the last "<space>#" before the quote. */
		size_t k = n;

		while (k > 1 && !(v[k] == '#' && isspace((unsigned char)v[k - 1])))
			k--;
		if (k <= 1)
			return labread_fail(r, "a quote inside a value");
		v[k - 1] = '\0';
	}
	*ret = v;
	return 0;
}

/* "NAME[KEY]=VALUE" with the name and key characters given. */
int
labread_parse_entry(struct labread *r, char *s, const char *name_chars, const char *key_chars,
                    struct labread_entry *ret)
{
	size_t n = strspn(s, name_chars), k;

	if (n == 0 || s[n] != '[')
		return labread_fail(
		        r, "expected NAME[KEY]=VALUE, a comment (# in the first column) or a "
		           "LAB_ line");
	k = strspn(s + n + 1, key_chars);
	if (k == 0 || s[n + 1 + k] != ']' || s[n + 2 + k] != '=')
		return labread_fail(r, "expected NAME[KEY]=VALUE");
	s[n] = '\0';
	s[n + 1 + k] = '\0';
	ret->name = s;
	ret->key = s + n + 1;
	return labread_parse_value(r, s + n + 3 + k, &ret->value);
}

int
labread_add_string(struct labread *r, char ***list, size_t *n, const char *value, const char *what)
{
	char *copy = strdup(value);
	int err;

	if (!copy)
		return -ENOMEM;
	err = labread_grow(list, n, sizeof(char *), LAB_LIST_MAX);
	if (err < 0) {
		free(copy);
		return err == -E2BIG ? labread_fail(r, "more than %d %s", LAB_LIST_MAX, what) : err;
	}
	(*list)[*n - 1] = copy;
	return 0;
}

/* Sets key=value in a list of pairs; 1 when the key had a value. */
int
labread_set_pair(struct labread *r, struct lab_pair **list, size_t *n, const char *key,
                 const char *value, const char *what)
{
	struct lab_pair p = { 0 };
	int err;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i].key, key) == 0)
			return labread_set_text(&(*list)[i].value, value) < 0 ? -ENOMEM : 1;
	p.key = strdup(key);
	p.value = strdup(value);
	if (!p.key || !p.value) {
		free(p.key);
		free(p.value);
		return -ENOMEM;
	}
	err = labread_grow(list, n, sizeof(struct lab_pair), LAB_LIST_MAX);
	if (err < 0) {
		free(p.key);
		free(p.value);
		return err == -E2BIG ? labread_fail(r, "more than %d %s", LAB_LIST_MAX, what) : err;
	}
	(*list)[*n - 1] = p;
	return 0;
}

void
labread_strip(char **s)
{
	char *e;

	while (isspace((unsigned char)**s))
		(*s)++;
	e = *s + strlen(*s);
	while (e > *s && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
}

int
labread_set_bool(struct labread *r, char **slot, const char *value, const char *what)
{
	bool b;

	if (labvalue_bool(value, &b) < 0)
		return labread_fail(
		        r, "%s: '%.32s' is not a boolean (true/false, yes/no, on/off, 1/0)", what,
		        value);
	return labread_set_text(slot, b ? "true" : "false");
}

int
labread_set_uint(struct labread *r, char **slot, const char *value, uint64_t min, uint64_t max,
                 const char *what)
{
	char text[24];
	uint64_t v;

	if (labvalue_uint(value, min, max, &v) < 0)
		return labread_fail(r, "%s: '%.32s' is not a number from %llu to %llu", what, value,
		                    (unsigned long long)min, (unsigned long long)max);
	snprintf(text, sizeof(text), "%llu", (unsigned long long)v);
	return labread_set_text(slot, text);
}
