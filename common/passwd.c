/*
 * The rules are runc's GetExecUser (moby/sys/user), which Docker uses:
 *  - the spec splits at ':' into a user part and a group part (more fields are ignored);
 *  - a user part of digits (Go's Atoi: an optional sign) is a uid, always, else a name;
 *    an empty user part means uid 0;
 *  - the first passwd line that matches wins and gives uid, gid and home; a uid no line
 *    has is allowed (gid 0, home "/") when within [0, 2^31-1], a name no line has is an
 *    error naming it;
 *  - without a group part, the user's other groups are every group whose member list
 *    names the matched user; with one, it is looked up the same way (gid or name, first
 *    match wins, an unknown gid allowed within range) and there are no other groups;
 *  - Docker hands the runtime the primary gid first, then the others: so does this.
 * Lines are read as glibc reads them, more strictly than runc: a line with too few fields,
 * an empty name or an id that is not a plain number is skipped (runc takes it as 0), and
 * so are comments and NIS "+"/"-" entries.  Lines may be of any length.
 */
#include "passwd.h"

#include "cleanup.h"
#include "errtext.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PASSWD_MAX_FIELDS 7

/* One line, trimmed, cut at ':' in place into at most PASSWD_MAX_FIELDS fields. */
struct fields {
	char *f[PASSWD_MAX_FIELDS];
	size_t n;
};

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * Copies the next line of buf (from *pos) into *line (grown as needed) and splits it.
 * Returns 1 for a line, 0 at the end, -ENOMEM.
 */
static int
next_line(const char *buf, size_t len, size_t *pos, char **line, size_t *cap, struct fields *ret)
{
	const char *start, *end, *nl;
	size_t n;
	char *p;

	if (*pos >= len)
		return 0;
	start = buf + *pos;
	nl = memchr(start, '\n', len - *pos);
	end = nl ? nl : buf + len;
	*pos = (size_t)(end - buf) + (nl ? 1 : 0);
	while (start < end && is_space(*start))
		start++;
	while (end > start && is_space(end[-1]))
		end--;
	n = (size_t)(end - start);
	if (n + 1 > *cap) {
		char *grown = realloc(*line, n + 1);

		if (!grown)
			return -ENOMEM;
		*line = grown;
		*cap = n + 1;
	}
	memcpy(*line, start, n);
	(*line)[n] = '\0';

	ret->n = 0;
	/* A NUL inside a line cannot be part of a name: the line is dropped. */
	if (memchr(*line, '\0', n) || n == 0 || **line == '#' || **line == '+' || **line == '-')
		return 1;
	p = *line;
	for (;;) {
		char *colon = strchr(p, ':');

		ret->f[ret->n++] = p;
		if (!colon || ret->n == PASSWD_MAX_FIELDS)
			break;
		*colon = '\0';
		p = colon + 1;
	}
	return 1;
}

/* A plain decimal id as files hold them: digits only, at most 2^32-2 ((uid_t)-1 is no id). */
static bool
file_id(const char *s, uint32_t *ret)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX - 1)
			return false;
	}
	*ret = (uint32_t)v;
	return true;
}

/* Go's strconv.Atoi: an optional sign and decimal digits, within int64. */
static bool
spec_number(const char *s, int64_t *ret)
{
	bool neg = false;
	uint64_t v = 0;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (UINT64_C(1) << 63) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > (neg ? UINT64_C(1) << 63 : (uint64_t)INT64_MAX))
			return false;
	}
	*ret = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

static int
add_group(struct passwd_user *u, gid_t gid)
{
	gid_t *grown;

	for (size_t i = 0; i < u->n_groups; i++)
		if (u->groups[i] == gid)
			return 0;
	grown = reallocarray(u->groups, u->n_groups + 1, sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	u->groups = grown;
	u->groups[u->n_groups++] = gid;
	return 0;
}

static bool
lists_member(char *members, const char *name)
{
	char *save = NULL;

	for (char *m = strtok_r(members, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		while (is_space(*m))
			m++;
		size_t n = strlen(m);
		while (n && is_space(m[n - 1]))
			n--;
		if (n == strlen(name) && memcmp(m, name, n) == 0)
			return true;
	}
	return false;
}

void
passwd_user_done(struct passwd_user *u)
{
	free(u->groups);
	free(u->home);
	u->groups = NULL;
	u->home = NULL;
	u->n_groups = 0;
}

int
passwd_resolve(const char *spec, const char *passwd, size_t passwd_len, const char *group,
               size_t group_len, struct passwd_user *ret, char **ret_error)
{
	struct passwd_user u = { .uid = 0, .gid = 0 };
	_cleanup_free_ char *line = NULL, *user_arg = NULL, *group_arg = NULL, *matched = NULL;
	_cleanup_free_ gid_t *others = NULL;
	size_t cap = 0, pos = 0, n_others = 0;
	int64_t uid_num = 0, gid_num = 0;
	bool uid_numeric, gid_numeric, found = false, group_found = false;
	struct fields f;
	const char *colon;
	int r;

	colon = strchr(spec, ':');
	user_arg = strndup(spec, colon ? (size_t)(colon - spec) : strlen(spec));
	if (colon) {
		const char *g = colon + 1, *end = strchr(g, ':');

		group_arg = strndup(g, end ? (size_t)(end - g) : strlen(g));
	} else {
		group_arg = strdup("");
	}
	if (!user_arg || !group_arg)
		return -ENOMEM;
	uid_numeric = spec_number(user_arg, &uid_num);
	gid_numeric = spec_number(group_arg, &gid_num);

	while ((r = next_line(passwd, passwd_len, &pos, &line, &cap, &f)) > 0) {
		uint32_t uid, gid;

		if (f.n < 4 || !*f.f[0] || !file_id(f.f[2], &uid) || !file_id(f.f[3], &gid))
			continue;
		if (!*user_arg    ? uid != 0
		    : uid_numeric ? uid_num != uid
		                  : strcmp(f.f[0], user_arg) != 0)
			continue;
		u.uid = uid;
		u.gid = gid;
		if (f.n >= 6 && *f.f[5]) {
			u.home = strdup(f.f[5]);
			if (!u.home)
				return -ENOMEM;
		}
		matched = strdup(f.f[0]);
		if (!matched)
			goto nomem;
		found = true;
		break;
	}
	if (r < 0)
		goto nomem;
	if (!found && *user_arg) {
		if (!uid_numeric)
			return error_set(ret_error, -ENOENT, "user '%s' not found in /etc/passwd",
			                 user_arg);
		if (uid_num < 0 || uid_num > PASSWD_ID_MAX)
			return error_set(ret_error, -ERANGE, "uid %s out of range", user_arg);
		u.uid = (uid_t)uid_num;
	}

	if (*group_arg || matched) {
		pos = 0;
		while ((r = next_line(group, group_len, &pos, &line, &cap, &f)) > 0) {
			uint32_t gid;

			if (f.n < 3 || !*f.f[0] || !file_id(f.f[2], &gid))
				continue;
			if (*group_arg) {
				if (gid_numeric ? gid_num != gid : strcmp(f.f[0], group_arg) != 0)
					continue;
				u.gid = gid;
				group_found = true;
				break;
			}
			if (f.n < 4 || !lists_member(f.f[3], matched))
				continue;
			gid_t *grown = reallocarray(others, n_others + 1, sizeof(*grown));
			if (!grown)
				goto nomem;
			others = grown;
			others[n_others++] = gid;
		}
		if (r < 0)
			goto nomem;
		if (*group_arg && !group_found) {
			if (!gid_numeric) {
				free(u.home);
				return error_set(ret_error, -ENOENT,
				                 "group '%s' not found in /etc/group", group_arg);
			}
			if (gid_num < 0 || gid_num > PASSWD_ID_MAX) {
				free(u.home);
				return error_set(ret_error, -ERANGE, "gid %s out of range",
				                 group_arg);
			}
			u.gid = (gid_t)gid_num;
		}
	}

	if (!u.home && !(u.home = strdup("/")))
		goto nomem;
	if (add_group(&u, u.gid) < 0)
		goto nomem;
	for (size_t i = 0; i < n_others; i++)
		if (add_group(&u, others[i]) < 0)
			goto nomem;
	*ret = u;
	return 0;
nomem:
	passwd_user_done(&u);
	return -ENOMEM;
}
