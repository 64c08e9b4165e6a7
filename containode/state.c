#include "state.h"

#include "cleanup.h"
#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = {
	[STATE_RUNNING] = "running",
	[STATE_EXITED] = "exited",
	[STATE_PAUSED] = "paused",
	[STATE_DEAD] = "dead",
};

void
state_init(struct node_state *s)
{
	*s = (struct node_state){ .exit_code = -1, .stop_signal = 15 };
}

static void
strv_free_all(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void
state_free(struct node_state *s)
{
	free(s->created);
	free(s->image);
	free(s->root);
	free(s->top);
	free(s->work);
	free(s->hostname);
	free(s->cwd);
	free(s->seccomp);
	free(s->groups);
	strv_free_all(s->command);
	strv_free_all(s->env);
	strv_free_all(s->ports);
	for (size_t i = 0; i < s->n_cgroups; i++)
		free(s->cgroups[i].path);
	for (size_t i = 0; i < s->n_switch_ports; i++) {
		free(s->switch_ports[i].sock);
		free(s->switch_ports[i].ifname);
		free(s->switch_ports[i].segment);
	}
	state_init(s);
}

const char *
state_status_name(enum state_status status)
{
	return (unsigned)status < sizeof(state_names) / sizeof(*state_names) ? state_names[status]
	                                                                     : "unknown";
}

/* --- encoding --- */

/* A string member, or null for NULL; false when out of memory. */
static bool
add_string(cJSON *o, const char *key, const char *v)
{
	return v ? cJSON_AddStringToObject(o, key, v) != NULL
	         : cJSON_AddNullToObject(o, key) != NULL;
}

static bool
add_strv(cJSON *o, const char *key, char *const *v)
{
	cJSON *a = cJSON_AddArrayToObject(o, key);

	for (size_t i = 0; a && v && v[i]; i++) {
		cJSON *s = cJSON_CreateString(v[i]);

		if (!s || !cJSON_AddItemToArray(a, s)) {
			cJSON_Delete(s);
			return false;
		}
	}
	return a != NULL;
}

static bool
add_number(cJSON *o, const char *key, double v)
{
	return cJSON_AddNumberToObject(o, key, v) != NULL;
}

static bool
add_item(cJSON *a, cJSON *item)
{
	if (!item || !cJSON_AddItemToArray(a, item)) {
		cJSON_Delete(item);
		return false;
	}
	return true;
}

static bool
encode_lists(const struct node_state *s, cJSON *o)
{
	cJSON *groups = cJSON_AddArrayToObject(o, "groups");
	cJSON *cgroups = cJSON_AddArrayToObject(o, "cgroups");
	cJSON *sw = cJSON_AddArrayToObject(o, "switch_ports");

	if (!groups || !cgroups || !sw)
		return false;
	for (size_t i = 0; i < s->n_groups; i++)
		if (!add_item(groups, cJSON_CreateNumber(s->groups[i])))
			return false;
	for (size_t i = 0; i < s->n_cgroups; i++) {
		const struct state_cgroup *c = &s->cgroups[i];
		cJSON *e = cJSON_CreateObject();

		if (!add_item(cgroups, e) || !add_string(e, "path", c->path) ||
		    !add_number(e, "version", c->version) ||
		    !add_number(e, "controllers", c->controllers) ||
		    !add_number(e, "base_len", (double)c->base_len))
			return false;
	}
	for (size_t i = 0; i < s->n_switch_ports; i++) {
		const struct state_switch_port *p = &s->switch_ports[i];
		cJSON *e = cJSON_CreateObject();

		if (!add_item(sw, e) || !add_string(e, "switch", p->sock) ||
		    !add_string(e, "ifname", p->ifname) || !add_string(e, "segment", p->segment))
			return false;
	}
	return add_strv(o, "command", s->command) && add_strv(o, "env", s->env) &&
	       add_strv(o, "ports", s->ports);
}

int
state_encode(const struct node_state *s, char **ret)
{
	_cleanup_json_ cJSON *o = cJSON_CreateObject();
	char *text;
	size_t len;
	bool ok;

	ok = o && add_string(o, "id", s->id) &&
	     add_string(o, "status", state_status_name(s->status)) &&
	     add_number(o, "exit_code", s->exit_code) && add_number(o, "pid", s->pid) &&
	     add_number(o, "pid_start", (double)s->pid_start) &&
	     add_number(o, "supervisor", s->supervisor) &&
	     add_number(o, "supervisor_start", (double)s->supervisor_start) &&
	     add_string(o, "created", s->created) && add_string(o, "image", s->image) &&
	     add_string(o, "root", s->root) && add_string(o, "top", s->top) &&
	     add_string(o, "work", s->work) &&
	     cJSON_AddBoolToObject(o, "top_owned", s->top_owned) &&
	     add_string(o, "hostname", s->hostname) && add_string(o, "cwd", s->cwd) &&
	     add_number(o, "stop_signal", s->stop_signal) &&
	     add_number(o, "caps", (double)s->caps) &&
	     cJSON_AddBoolToObject(o, "privileged", s->privileged) &&
	     add_string(o, "seccomp", s->seccomp) &&
	     cJSON_AddBoolToObject(o, "have_user", s->have_user) && add_number(o, "uid", s->uid) &&
	     add_number(o, "gid", s->gid) && encode_lists(s, o);
	if (!ok)
		return -ENOMEM;
	text = cJSON_Print(o);
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	*ret = realloc(text, len + 2);
	if (!*ret) {
		free(text);
		return -ENOMEM;
	}
	memcpy(*ret + len, "\n", 2);
	return 0;
}

/* --- decoding --- */

struct decoder {
	const cJSON *o;
	char *why;
	size_t why_size;
	int r;
};

static bool __attribute__((format(printf, 3, 4)))
bad(struct decoder *d, int r, const char *fmt, ...)
{
	va_list ap;

	if (d->r < 0)
		return false;
	va_start(ap, fmt);
	vsnprintf(d->why, d->why_size, fmt, ap);
	va_end(ap);
	d->r = r;
	return false;
}

/* A string (or null, when nullable) member into *ret (malloc'd, NULL for null). */
static bool
get_string(struct decoder *d, const cJSON *o, const char *key, bool nullable, char **ret)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (nullable && (!v || cJSON_IsNull(v)))
		return true;
	if (!cJSON_IsString(v))
		return bad(d, -EINVAL, "'%s' is not a string", key);
	*ret = strdup(v->valuestring);
	return *ret ? true : bad(d, -ENOMEM, "out of memory");
}

/* An integer member in [min, max]. */
static bool
get_int(struct decoder *d, const cJSON *o, const char *key, double min, double max, double *ret)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v) || !(v->valuedouble >= min && v->valuedouble <= max) ||
	    v->valuedouble != (double)(int64_t)v->valuedouble)
		return bad(d, -EINVAL, "'%s' is not an integer in [%.0f, %.0f]", key, min, max);
	*ret = v->valuedouble;
	return true;
}

static bool
get_bool(struct decoder *d, const cJSON *o, const char *key, bool *ret)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v || cJSON_IsNull(v)) {
		*ret = false;
		return true;
	}
	if (!cJSON_IsBool(v))
		return bad(d, -EINVAL, "'%s' is not true or false", key);
	*ret = cJSON_IsTrue(v);
	return true;
}

/* An array of strings, NULL-terminated; an absent one is empty. */
static bool
get_strv(struct decoder *d, const char *key, bool required, char ***ret)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(d->o, key), *e;
	size_t n = 0;
	char **v;

	if (!a && !required)
		a = NULL;
	else if (!cJSON_IsArray(a))
		return bad(d, -EINVAL, "'%s' is not an array", key);
	n = a ? (size_t)cJSON_GetArraySize(a) : 0;
	if (n > STATE_STRV_MAX)
		return bad(d, -EINVAL, "'%s' has more than %d entries", key, STATE_STRV_MAX);
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return bad(d, -ENOMEM, "out of memory");
	*ret = v;
	n = 0;
	cJSON_ArrayForEach(e, a)
	{
		if (!cJSON_IsString(e))
			return bad(d, -EINVAL, "'%s' holds something that is not a string", key);
		v[n] = strdup(e->valuestring);
		if (!v[n++])
			return bad(d, -ENOMEM, "out of memory");
	}
	return true;
}

static bool
decode_groups(struct decoder *d, struct node_state *s)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(d->o, "groups"), *e;
	size_t n;

	if (!a)
		return true;
	if (!cJSON_IsArray(a))
		return bad(d, -EINVAL, "'groups' is not an array");
	n = (size_t)cJSON_GetArraySize(a);
	if (n > STATE_STRV_MAX)
		return bad(d, -EINVAL, "'groups' has more than %d entries", STATE_STRV_MAX);
	s->groups = calloc(n ? n : 1, sizeof(*s->groups));
	if (!s->groups)
		return bad(d, -ENOMEM, "out of memory");
	cJSON_ArrayForEach(e, a)
	{
		if (!cJSON_IsNumber(e) ||
		    !(e->valuedouble >= 0 && e->valuedouble <= UINT32_MAX - 1) ||
		    e->valuedouble != (double)(uint32_t)e->valuedouble)
			return bad(d, -EINVAL, "'groups' holds something that is not a group id");
		s->groups[s->n_groups++] = (gid_t)e->valuedouble;
	}
	return true;
}

static bool
decode_cgroups(struct decoder *d, struct node_state *s)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(d->o, "cgroups"), *e;

	if (!a)
		return true;
	if (!cJSON_IsArray(a))
		return bad(d, -EINVAL, "'cgroups' is not an array");
	cJSON_ArrayForEach(e, a)
	{
		struct state_cgroup *c = &s->cgroups[s->n_cgroups];
		double v, ctl, base;

		if (s->n_cgroups >= STATE_CGROUPS_MAX)
			return bad(d, -EINVAL, "'cgroups' has more than %d entries",
			           STATE_CGROUPS_MAX);
		if (!cJSON_IsObject(e))
			return bad(d, -EINVAL, "'cgroups' holds something that is not an object");
		if (!get_string(d, e, "path", false, &c->path))
			return false;
		s->n_cgroups++;
		if (c->path[0] != '/' || strstr(c->path, "/../") || strstr(c->path, "/./"))
			return bad(d, -EINVAL, "cgroup 'path' '%s' is not an absolute plain path",
			           c->path);
		if (!get_int(d, e, "version", 1, 2, &v) ||
		    !get_int(d, e, "controllers", 0, UINT32_MAX, &ctl) ||
		    !get_int(d, e, "base_len", 0, (double)strlen(c->path), &base))
			return false;
		c->version = (int)v;
		c->controllers = (unsigned)ctl;
		c->base_len = (size_t)base;
	}
	return true;
}

static bool
decode_switch_ports(struct decoder *d, struct node_state *s)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(d->o, "switch_ports"), *e;

	if (!a)
		return true;
	if (!cJSON_IsArray(a))
		return bad(d, -EINVAL, "'switch_ports' is not an array");
	cJSON_ArrayForEach(e, a)
	{
		struct state_switch_port *p = &s->switch_ports[s->n_switch_ports];

		if (s->n_switch_ports >= STATE_PORTS_MAX)
			return bad(d, -EINVAL, "'switch_ports' has more than %d entries",
			           STATE_PORTS_MAX);
		if (!cJSON_IsObject(e))
			return bad(d, -EINVAL,
			           "'switch_ports' holds something that is not an object");
		s->n_switch_ports++;
		if (!get_string(d, e, "switch", false, &p->sock) ||
		    !get_string(d, e, "ifname", false, &p->ifname) ||
		    !get_string(d, e, "segment", true, &p->segment))
			return false;
	}
	return true;
}

static bool
decode_status(struct decoder *d, struct node_state *s)
{
	const char *status = json_string(d->o, "status");

	if (!status)
		return bad(d, -EINVAL, "'status' is not a string");
	if (strcmp(status, "running") == 0)
		s->status = STATE_RUNNING;
	else if (strcmp(status, "exited") == 0)
		s->status = STATE_EXITED;
	else
		return bad(d, -EINVAL, "'status' '%.32s' is neither running nor exited", status);
	return true;
}

static bool
decode_numbers(struct decoder *d, struct node_state *s)
{
	double exit_code, pid, pid_start, sup, sup_start, sig, caps, uid, gid;

	if (!get_int(d, d->o, "exit_code", -1, 255, &exit_code) ||
	    !get_int(d, d->o, "pid", 1, INT_MAX, &pid) ||
	    !get_int(d, d->o, "pid_start", 0, 0x1p53, &pid_start) ||
	    !get_int(d, d->o, "supervisor", 1, INT_MAX, &sup) ||
	    !get_int(d, d->o, "supervisor_start", 0, 0x1p53, &sup_start) ||
	    !get_int(d, d->o, "stop_signal", 1, 64, &sig) ||
	    !get_int(d, d->o, "caps", 0, 0x1p53, &caps) ||
	    !get_int(d, d->o, "uid", 0, UINT32_MAX - 1, &uid) ||
	    !get_int(d, d->o, "gid", 0, UINT32_MAX - 1, &gid))
		return false;
	s->exit_code = (int)exit_code;
	s->pid = (pid_t)pid;
	s->pid_start = (uint64_t)pid_start;
	s->supervisor = (pid_t)sup;
	s->supervisor_start = (uint64_t)sup_start;
	s->stop_signal = (int)sig;
	s->caps = (uint64_t)caps;
	s->uid = (uid_t)uid;
	s->gid = (gid_t)gid;
	return true;
}

static bool
decode_fields(struct decoder *d, struct node_state *s)
{
	const char *id = json_string(d->o, "id");

	if (!id || !ident_valid(id))
		return bad(d, -EINVAL, "'id' is not a valid identity");
	strcpy(s->id, id);
	return decode_status(d, s) && decode_numbers(d, s) &&
	       get_string(d, d->o, "created", false, &s->created) &&
	       get_string(d, d->o, "image", true, &s->image) &&
	       get_string(d, d->o, "root", true, &s->root) &&
	       get_string(d, d->o, "top", true, &s->top) &&
	       get_string(d, d->o, "work", true, &s->work) &&
	       get_bool(d, d->o, "top_owned", &s->top_owned) &&
	       get_string(d, d->o, "hostname", true, &s->hostname) &&
	       get_string(d, d->o, "cwd", true, &s->cwd) &&
	       get_bool(d, d->o, "privileged", &s->privileged) &&
	       get_string(d, d->o, "seccomp", true, &s->seccomp) &&
	       get_bool(d, d->o, "have_user", &s->have_user) &&
	       get_strv(d, "command", true, &s->command) && get_strv(d, "env", false, &s->env) &&
	       get_strv(d, "ports", false, &s->ports) && decode_groups(d, s) &&
	       decode_cgroups(d, s) && decode_switch_ports(d, s);
}

int
state_decode(const char *text, size_t len, struct node_state *ret, char *why, size_t why_size)
{
	_cleanup_json_ cJSON *o = NULL;
	struct node_state s;
	struct decoder d = { .why = why, .why_size = why_size };

	if (json_has_nul(text, len)) {
		snprintf(why, why_size, "a NUL character in the text");
		return -EINVAL;
	}
	o = cJSON_ParseWithLength(text, len);
	if (!cJSON_IsObject(o)) {
		snprintf(why, why_size, "not a JSON object");
		return -EINVAL;
	}
	d.o = o;
	state_init(&s);
	if (!decode_fields(&d, &s)) {
		state_free(&s);
		return d.r;
	}
	if (!s.command[0]) {
		state_free(&s);
		snprintf(why, why_size, "'command' is empty");
		return -EINVAL;
	}
	*ret = s;
	return 0;
}

/* --- lookups --- */

int
state_resolve(const char *const *names, size_t n, const char *query, size_t *ret)
{
	size_t qlen = strlen(query), found = SIZE_MAX;

	if (!qlen)
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], query) == 0) {
			*ret = i;
			return 0;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (strncmp(names[i], query, qlen) != 0)
			continue;
		if (found != SIZE_MAX)
			return -ENOTUNIQ;
		found = i;
	}
	if (found == SIZE_MAX)
		return -ENOENT;
	*ret = found;
	return 0;
}

int
state_stat_start(const char *text, char *ret_state, uint64_t *ret_start)
{
	/* The command name may hold anything, ')' and spaces included: the last ')' ends it. */
	const char *p = strrchr(text, ')');
	char *end;

	if (!p)
		return -EINVAL;
	p++;
	/* Fields 3 (state) to 21 go; 22 is the start time. */
	for (int field = 3; field <= 22; field++) {
		if (*p != ' ')
			return -EINVAL;
		while (*p == ' ')
			p++;
		if (field == 3)
			*ret_state = *p;
		if (field == 22)
			break;
		while (*p && *p != ' ')
			p++;
	}
	if (*p < '0' || *p > '9')
		return -EINVAL;
	errno = 0;
	*ret_start = strtoull(p, &end, 10);
	if (errno || (*end != ' ' && *end != '\n' && *end != '\0'))
		return -EINVAL;
	return 0;
}
