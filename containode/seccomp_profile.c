/*
 * Docker's reading of a profile (moby profiles/seccomp, runc libcontainer/seccomp):
 *  - unknown fields are ignored ("comment", "errno", "defaultErrno" ...); a rule names
 *    its syscalls with "names", or the older "name", never both; "architectures" and
 *    "archMap" exclude each other;
 *  - a rule applies unless: excludes.arches holds the machine's architecture, or
 *    excludes.caps holds any capability the node has, or the kernel is at least
 *    excludes.minKernel; or includes.arches is given without the architecture, or
 *    includes.caps holds one the node lacks, or the kernel is older than
 *    includes.minKernel;
 *  - SCMP_ACT_ERRNO without errnoRet (and the default without defaultErrnoRet) is EPERM;
 *  - args: value is the mask and valueTwo the operand of SCMP_CMP_MASKED_EQ; a rule with
 *    two conditions on the same argument becomes one rule per condition (runc's "old
 *    behaviour"), else one rule with all of them.
 * Numbers are read through cJSON's doubles: a value above 2^53 cannot be exact and is
 * refused rather than silently rounded.
 */
#include "seccomp_profile.h"

#include "caps.h"
#include "cleanup.h"
#include "errtext.h"
#include "json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECCOMP_PROFILE_MAX_ARGS 6

static const struct {
	const char *name;
	enum seccomp_profile_action action;
} actions[] = {
	{ "SCMP_ACT_KILL", SECCOMP_PROFILE_KILL_THREAD },
	{ "SCMP_ACT_KILL_THREAD", SECCOMP_PROFILE_KILL_THREAD },
	{ "SCMP_ACT_KILL_PROCESS", SECCOMP_PROFILE_KILL_PROCESS },
	{ "SCMP_ACT_TRAP", SECCOMP_PROFILE_TRAP },
	{ "SCMP_ACT_ERRNO", SECCOMP_PROFILE_ERRNO },
	{ "SCMP_ACT_TRACE", SECCOMP_PROFILE_TRACE },
	{ "SCMP_ACT_ALLOW", SECCOMP_PROFILE_ALLOW },
	{ "SCMP_ACT_LOG", SECCOMP_PROFILE_LOG },
	{ "SCMP_ACT_NOTIFY", SECCOMP_PROFILE_NOTIFY },
};

static const struct {
	const char *name;
	enum seccomp_profile_op op;
} ops[] = {
	{ "SCMP_CMP_NE", SECCOMP_PROFILE_NE },
	{ "SCMP_CMP_LT", SECCOMP_PROFILE_LT },
	{ "SCMP_CMP_LE", SECCOMP_PROFILE_LE },
	{ "SCMP_CMP_EQ", SECCOMP_PROFILE_EQ },
	{ "SCMP_CMP_GE", SECCOMP_PROFILE_GE },
	{ "SCMP_CMP_GT", SECCOMP_PROFILE_GT },
	{ "SCMP_CMP_MASKED_EQ", SECCOMP_PROFILE_MASKED_EQ },
};

static void
names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
cond_done(struct seccomp_profile_cond *c)
{
	names_free(c->caps, c->n_caps);
	free(c->cap_nums);
	names_free(c->arches, c->n_arches);
}

static void
rule_done(struct seccomp_profile_rule *r)
{
	names_free(r->names, r->n_names);
	free(r->args);
	cond_done(&r->includes);
	cond_done(&r->excludes);
}

void
seccomp_profile_done(struct seccomp_profile *p)
{
	for (size_t i = 0; i < p->n_rules; i++)
		rule_done(&p->rules[i]);
	free(p->rules);
	for (size_t i = 0; i < p->n_arches; i++) {
		free(p->arches[i].arch);
		names_free(p->arches[i].subs, p->arches[i].n_subs);
	}
	free(p->arches);
	*p = (struct seccomp_profile){ 0 };
}

/* Whether member key of obj is there and not null. */
static const cJSON *
member(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return v && !cJSON_IsNull(v) ? v : NULL;
}

/* An array of strings (null or absent: none) into a malloc'd vector. */
static int
read_strings(const cJSON *obj, const char *key, const char *path, char ***ret, size_t *ret_n,
             char **ret_error)
{
	const cJSON *v = member(obj, key), *item;
	char **out;
	size_t n = 0;

	*ret = NULL;
	*ret_n = 0;
	if (!v)
		return 0;
	if (!cJSON_IsArray(v))
		return error_set(ret_error, -EINVAL, "%s.%s: not an array", path, key);
	out = calloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	cJSON_ArrayForEach(item, v)
	{
		if (!cJSON_IsString(item) || !*item->valuestring) {
			names_free(out, n);
			return error_set(ret_error, -EINVAL, "%s.%s[%zu]: not a non-empty string",
			                 path, key, n);
		}
		out[n] = strdup(item->valuestring);
		if (!out[n]) {
			names_free(out, n);
			return -ENOMEM;
		}
		n++;
	}
	*ret = out;
	*ret_n = n;
	return 0;
}

/* A non-negative integer number, exactly representable, at most max. */
static int
read_uint(const cJSON *v, uint64_t max, uint64_t *ret)
{
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 0x1p53) ||
	    v->valuedouble != (double)(uint64_t)v->valuedouble || (uint64_t)v->valuedouble > max)
		return -EINVAL;
	*ret = (uint64_t)v->valuedouble;
	return 0;
}

static int
read_action(const cJSON *obj, const char *key, const char *path, enum seccomp_profile_action *ret,
            char **ret_error)
{
	const cJSON *v = member(obj, key);

	if (!v)
		return error_set(ret_error, -EINVAL, "%s%s%s: missing", path, *path ? "." : "",
		                 key);
	if (cJSON_IsString(v))
		for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
			if (strcmp(v->valuestring, actions[i].name) == 0) {
				*ret = actions[i].action;
				return 0;
			}
	return error_set(ret_error, -EINVAL, "%s%s%s: unknown action%s%s%s", path, *path ? "." : "",
	                 key, cJSON_IsString(v) ? " '" : "",
	                 cJSON_IsString(v) ? v->valuestring : "", cJSON_IsString(v) ? "'" : "");
}

static int
read_errno(const cJSON *obj, const char *key, const char *path, bool *has, unsigned *ret,
           char **ret_error)
{
	const cJSON *v = member(obj, key);
	uint64_t n;

	*has = false;
	if (!v)
		return 0;
	/* The kernel keeps SECCOMP_RET_DATA, 16 bits, and errno values stop well below. */
	if (read_uint(v, 4095, &n) < 0)
		return error_set(ret_error, -EINVAL, "%s%s%s: not an errno number (0 to 4095)",
		                 path, *path ? "." : "", key);
	*has = true;
	*ret = (unsigned)n;
	return 0;
}

/* "<kernel>.<major>", each 0 to 255, not both 0, as moby's KernelVersion; "" is none. */
static int
read_min_kernel(const cJSON *obj, const char *path, struct seccomp_profile_cond *c,
                char **ret_error)
{
	const cJSON *v = member(obj, "minKernel");
	unsigned part[2] = { 0, 0 };
	const char *s;
	size_t i = 0, digits = 0;

	if (!v)
		return 0;
	if (!cJSON_IsString(v))
		return error_set(ret_error, -EINVAL, "%s.minKernel: not a string", path);
	s = v->valuestring;
	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s == '.' && i == 0 && digits) {
			i = 1;
			digits = 0;
		} else if (*s >= '0' && *s <= '9' && part[i] <= 255) {
			part[i] = part[i] * 10 + (unsigned)(*s - '0');
			digits++;
		} else {
			break;
		}
	}
	if (*s || i != 1 || !digits || part[0] > 255 || part[1] > 255 || (!part[0] && !part[1]))
		return error_set(ret_error, -EINVAL,
		                 "%s.minKernel: '%s' is not a kernel version \"<kernel>.<major>\"",
		                 path, v->valuestring);
	c->has_min_kernel = true;
	c->min_kernel_major = part[0];
	c->min_kernel_minor = part[1];
	return 0;
}

/* Docker matches the names in the bounding set exactly: "CAP_SYS_ADMIN", upper case. */
static int
cap_number(const char *name)
{
	if (strncmp(name, "CAP_", 4) != 0)
		return -1;
	for (const char *p = name; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			return -1;
	return caps_from_name(name + 4, strlen(name + 4));
}

static int
read_cond(const cJSON *rule, const char *key, const char *rule_path, struct seccomp_profile_cond *c,
          char **ret_error)
{
	const cJSON *v = member(rule, key);
	char path[64];
	int r;

	if (!v)
		return 0;
	snprintf(path, sizeof(path), "%s.%s", rule_path, key);
	if (!cJSON_IsObject(v))
		return error_set(ret_error, -EINVAL, "%s: not an object", path);
	if ((r = read_strings(v, "caps", path, &c->caps, &c->n_caps, ret_error)) < 0 ||
	    (r = read_strings(v, "arches", path, &c->arches, &c->n_arches, ret_error)) < 0 ||
	    (r = read_min_kernel(v, path, c, ret_error)) < 0)
		return r;
	if (c->n_caps) {
		c->cap_nums = calloc(c->n_caps, sizeof(*c->cap_nums));
		if (!c->cap_nums)
			return -ENOMEM;
		for (size_t i = 0; i < c->n_caps; i++)
			c->cap_nums[i] = cap_number(c->caps[i]);
	}
	return 0;
}

static int
read_arg(const cJSON *v, const char *path, struct seccomp_profile_arg *a, char **ret_error)
{
	const cJSON *f;
	uint64_t n;

	if (!cJSON_IsObject(v))
		return error_set(ret_error, -EINVAL, "%s: not an object", path);
	f = member(v, "index");
	if (f && read_uint(f, SECCOMP_PROFILE_MAX_ARGS - 1, &n) < 0)
		return error_set(ret_error, -EINVAL, "%s.index: not an argument index (0 to 5)",
		                 path);
	a->index = f ? (unsigned)n : 0;
	f = member(v, "value");
	if (f && read_uint(f, UINT64_MAX, &a->value) < 0)
		return error_set(ret_error, -EINVAL, "%s.value: not an integer from 0 to 2^53",
		                 path);
	f = member(v, "valueTwo");
	if (f && read_uint(f, UINT64_MAX, &a->value_two) < 0)
		return error_set(ret_error, -EINVAL, "%s.valueTwo: not an integer from 0 to 2^53",
		                 path);
	f = member(v, "op");
	if (!f)
		return error_set(ret_error, -EINVAL, "%s.op: missing", path);
	if (cJSON_IsString(f))
		for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
			if (strcmp(f->valuestring, ops[i].name) == 0) {
				a->op = ops[i].op;
				return 0;
			}
	return error_set(ret_error, -EINVAL, "%s.op: unknown operator%s%s%s", path,
	                 cJSON_IsString(f) ? " '" : "", cJSON_IsString(f) ? f->valuestring : "",
	                 cJSON_IsString(f) ? "'" : "");
}

static int
read_rule(const cJSON *v, size_t index, struct seccomp_profile_rule *rule, char **ret_error)
{
	const cJSON *name, *args, *a;
	char path[32], arg_path[64];
	size_t i = 0;
	int r;

	snprintf(path, sizeof(path), "syscalls[%zu]", index);
	if (!cJSON_IsObject(v))
		return error_set(ret_error, -EINVAL, "%s: not an object", path);
	if ((r = read_strings(v, "names", path, &rule->names, &rule->n_names, ret_error)) < 0)
		return r;
	name = member(v, "name");
	if (name) {
		if (rule->n_names)
			return error_set(ret_error, -EINVAL,
			                 "%s: both \"name\" and \"names\"; use one", path);
		if (!cJSON_IsString(name) || !*name->valuestring)
			return error_set(ret_error, -EINVAL, "%s.name: not a non-empty string",
			                 path);
		names_free(rule->names, 0);
		rule->names = calloc(2, sizeof(*rule->names));
		if (!rule->names || !(rule->names[0] = strdup(name->valuestring)))
			return -ENOMEM;
		rule->n_names = 1;
	}
	if ((r = read_action(v, "action", path, &rule->action, ret_error)) < 0 ||
	    (r = read_errno(v, "errnoRet", path, &rule->has_errno, &rule->errno_ret, ret_error)) <
	            0 ||
	    (r = read_cond(v, "includes", path, &rule->includes, ret_error)) < 0 ||
	    (r = read_cond(v, "excludes", path, &rule->excludes, ret_error)) < 0)
		return r;
	args = member(v, "args");
	if (!args)
		return 0;
	if (!cJSON_IsArray(args))
		return error_set(ret_error, -EINVAL, "%s.args: not an array", path);
	rule->args = calloc((size_t)cJSON_GetArraySize(args) + 1, sizeof(*rule->args));
	if (!rule->args)
		return -ENOMEM;
	cJSON_ArrayForEach(a, args)
	{
		snprintf(arg_path, sizeof(arg_path), "%s.args[%zu]", path, i);
		if ((r = read_arg(a, arg_path, &rule->args[i], ret_error)) < 0)
			return r;
		rule->n_args = ++i;
	}
	return 0;
}

static int
read_arches(const cJSON *root, struct seccomp_profile *p, char **ret_error)
{
	const cJSON *map = member(root, "archMap"), *list = member(root, "architectures"), *e;
	char path[32];
	size_t i = 0;
	int r;

	if (map && list)
		return error_set(ret_error, -EINVAL,
		                 "both \"architectures\" and \"archMap\"; use one");
	if (list) {
		_cleanup_free_ char **names = NULL;
		size_t n;

		if ((r = read_strings(root, "architectures", "profile", &names, &n, ret_error)) < 0)
			return r;
		p->arches = calloc(n + 1, sizeof(*p->arches));
		if (!p->arches) {
			names_free(TAKE_PTR(names), n);
			return -ENOMEM;
		}
		for (i = 0; i < n; i++)
			p->arches[i].arch = names[i];
		p->n_arches = n;
		return 0;
	}
	if (!map)
		return 0;
	if (!cJSON_IsArray(map))
		return error_set(ret_error, -EINVAL, "archMap: not an array");
	p->arches = calloc((size_t)cJSON_GetArraySize(map) + 1, sizeof(*p->arches));
	if (!p->arches)
		return -ENOMEM;
	cJSON_ArrayForEach(e, map)
	{
		struct seccomp_profile_arch *a = &p->arches[i];
		const cJSON *arch = member(e, "architecture");

		snprintf(path, sizeof(path), "archMap[%zu]", i);
		if (!cJSON_IsObject(e))
			return error_set(ret_error, -EINVAL, "%s: not an object", path);
		if (!cJSON_IsString(arch) || !*arch->valuestring)
			return error_set(ret_error, -EINVAL,
			                 "%s.architecture: not a non-empty string", path);
		if (!(a->arch = strdup(arch->valuestring)))
			return -ENOMEM;
		p->n_arches = ++i;
		if ((r = read_strings(e, "subArchitectures", path, &a->subs, &a->n_subs,
		                      ret_error)) < 0)
			return r;
	}
	return 0;
}

int
seccomp_profile_parse(const char *json, size_t len, struct seccomp_profile *ret, char **ret_error)
{
	_cleanup_json_ cJSON *root = cJSON_ParseWithLength(json, len);
	struct seccomp_profile p = { 0 };
	const cJSON *syscalls, *s;
	size_t i = 0;
	int r;

	if (json_has_nul(json, len))
		return error_set(ret_error, -EINVAL, "a string holds a NUL character");
	if (!root)
		return error_set(ret_error, -EINVAL, "not JSON");
	if (!cJSON_IsObject(root))
		return error_set(ret_error, -EINVAL, "not a JSON object");
	if ((r = read_action(root, "defaultAction", "", &p.default_action, ret_error)) < 0 ||
	    (r = read_errno(root, "defaultErrnoRet", "", &p.has_default_errno, &p.default_errno,
	                    ret_error)) < 0 ||
	    (r = read_arches(root, &p, ret_error)) < 0)
		goto fail;
	syscalls = member(root, "syscalls");
	if (syscalls) {
		if (!cJSON_IsArray(syscalls)) {
			r = error_set(ret_error, -EINVAL, "syscalls: not an array");
			goto fail;
		}
		p.rules = calloc((size_t)cJSON_GetArraySize(syscalls) + 1, sizeof(*p.rules));
		if (!p.rules) {
			r = -ENOMEM;
			goto fail;
		}
		cJSON_ArrayForEach(s, syscalls)
		{
			/* Counted first, so that a half-read rule is freed with the rest. */
			p.n_rules = i + 1;
			if ((r = read_rule(s, i, &p.rules[i], ret_error)) < 0)
				goto fail;
			i++;
		}
	}
	*ret = p;
	return 0;
fail:
	seccomp_profile_done(&p);
	return r;
}

static bool
has_string(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static bool
has_cap(const struct seccomp_profile_node *node, int cap)
{
	return cap >= 0 && cap < 64 && (node->caps & (UINT64_C(1) << cap));
}

static bool
kernel_at_least(const struct seccomp_profile_node *node, unsigned major, unsigned minor)
{
	return node->kernel_major > major ||
	       (node->kernel_major == major && node->kernel_minor >= minor);
}

bool
seccomp_profile_rule_applies(const struct seccomp_profile_rule *rule,
                             const struct seccomp_profile_node *node)
{
	const struct seccomp_profile_cond *ex = &rule->excludes, *in = &rule->includes;
	const char *arch = node->arch ? node->arch : "";

	if (ex->n_arches && has_string(ex->arches, ex->n_arches, arch))
		return false;
	for (size_t i = 0; i < ex->n_caps; i++)
		if (has_cap(node, ex->cap_nums[i]))
			return false;
	if (ex->has_min_kernel && kernel_at_least(node, ex->min_kernel_major, ex->min_kernel_minor))
		return false;
	if (in->n_arches && !has_string(in->arches, in->n_arches, arch))
		return false;
	for (size_t i = 0; i < in->n_caps; i++)
		if (!has_cap(node, in->cap_nums[i]))
			return false;
	if (in->has_min_kernel &&
	    !kernel_at_least(node, in->min_kernel_major, in->min_kernel_minor))
		return false;
	return true;
}

int
seccomp_profile_effective(const struct seccomp_profile *p, const struct seccomp_profile_node *node,
                          const struct seccomp_profile_rule ***ret, size_t *ret_n)
{
	const struct seccomp_profile_rule **out = calloc(p->n_rules + 1, sizeof(*out));
	size_t n = 0;

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_rules; i++)
		if (seccomp_profile_rule_applies(&p->rules[i], node))
			out[n++] = &p->rules[i];
	*ret = out;
	*ret_n = n;
	return 0;
}

/* Go's GOARCH as moby names it in profiles, and libseccomp's name of the same. */
static const struct {
	const char *go, *scmp;
} arch_names[] = {
#if defined(__x86_64__) && defined(__ILP32__)
	{ "x32", "SCMP_ARCH_X32" },
#elif defined(__x86_64__)
	{ "amd64", "SCMP_ARCH_X86_64" },
#elif defined(__i386__)
	{ "x86", "SCMP_ARCH_X86" },
#elif defined(__aarch64__)
	{ "arm64", "SCMP_ARCH_AARCH64" },
#elif defined(__arm__)
	{ "arm", "SCMP_ARCH_ARM" },
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	{ "ppc64le", "SCMP_ARCH_PPC64LE" },
#elif defined(__s390x__)
	{ "s390x", "SCMP_ARCH_S390X" },
#elif defined(__riscv) && __riscv_xlen == 64
	{ "riscv64", "SCMP_ARCH_RISCV64" },
#else
	{ NULL, NULL },
#endif
};

const char *
seccomp_profile_native_arch(void)
{
	return arch_names[0].go;
}

int
seccomp_profile_kernel(const char *release, unsigned *ret_major, unsigned *ret_minor)
{
	unsigned long v[2];
	char *end;

	for (int i = 0; i < 2; i++) {
		if (*release < '0' || *release > '9')
			return -EINVAL;
		errno = 0;
		v[i] = strtoul(release, &end, 10);
		if (errno || v[i] > UINT16_MAX || (i == 0 && *end != '.'))
			return -EINVAL;
		release = end + 1;
	}
	*ret_major = (unsigned)v[0];
	*ret_minor = (unsigned)v[1];
	return 0;
}

static uint32_t
scmp_action(enum seccomp_profile_action a, bool has_errno, unsigned errno_ret)
{
	unsigned e = has_errno ? errno_ret : EPERM;

	switch (a) {
	case SECCOMP_PROFILE_KILL_THREAD:
		return SCMP_ACT_KILL_THREAD;
	case SECCOMP_PROFILE_KILL_PROCESS:
		return SCMP_ACT_KILL_PROCESS;
	case SECCOMP_PROFILE_TRAP:
		return SCMP_ACT_TRAP;
	case SECCOMP_PROFILE_ERRNO:
		return SCMP_ACT_ERRNO(e);
	case SECCOMP_PROFILE_TRACE:
		return SCMP_ACT_TRACE(e);
	case SECCOMP_PROFILE_LOG:
		return SCMP_ACT_LOG;
	case SECCOMP_PROFILE_NOTIFY:
		return SCMP_ACT_NOTIFY;
	case SECCOMP_PROFILE_ALLOW:
	default:
		return SCMP_ACT_ALLOW;
	}
}

/* "SCMP_ARCH_X86_64" to libseccomp's token, 0 when it does not know it. */
static uint32_t
scmp_arch(const char *name)
{
	char lower[32];
	size_t i;

	if (strncmp(name, "SCMP_ARCH_", 10) != 0)
		return 0;
	name += 10;
	for (i = 0; name[i] && i + 1 < sizeof(lower); i++)
		lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
	lower[i] = '\0';
	return name[i] ? 0 : seccomp_arch_resolve_name(lower);
}

static int
add_arches(scmp_filter_ctx ctx, const struct seccomp_profile *p, char **ret_error)
{
	const char *native = arch_names[0].scmp;

	for (size_t i = 0; native && i < p->n_arches; i++) {
		const struct seccomp_profile_arch *a = &p->arches[i];

		if (strcmp(a->arch, native) != 0)
			continue;
		for (size_t j = 0; j < a->n_subs; j++) {
			uint32_t token = scmp_arch(a->subs[j]);
			int r;

			if (!token)
				continue; /* an architecture this libseccomp does not know */
			r = seccomp_arch_add(ctx, token);
			if (r < 0 && r != -EEXIST)
				return error_set(ret_error, r, "add architecture %s: %s",
				                 a->subs[j], strerror(-r));
		}
	}
	return 0;
}

static int
add_rule(scmp_filter_ctx ctx, const struct seccomp_profile_rule *rule, uint32_t action,
         char **ret_error)
{
	struct scmp_arg_cmp conds[SECCOMP_PROFILE_MAX_ARGS];
	unsigned count[SECCOMP_PROFILE_MAX_ARGS] = { 0 };
	bool separate = false;

	for (size_t i = 0; i < rule->n_args; i++)
		if (++count[rule->args[i].index] > 1)
			separate = true;

	for (size_t n = 0; n < rule->n_names; n++) {
		int nr = seccomp_syscall_resolve_name(rule->names[n]), r = 0;

		if (nr == __NR_SCMP_ERROR)
			continue;
		if (!rule->n_args) {
			r = seccomp_rule_add_array(ctx, action, nr, 0, NULL);
		} else if (separate) {
			for (size_t i = 0; i < rule->n_args && r >= 0; i++) {
				const struct seccomp_profile_arg *a = &rule->args[i];

				conds[0] =
				        (struct scmp_arg_cmp){ a->index, (enum scmp_compare)a->op,
					                       a->value, a->value_two };
				r = seccomp_rule_add_array(ctx, action, nr, 1, conds);
			}
		} else {
			for (size_t i = 0; i < rule->n_args; i++) {
				const struct seccomp_profile_arg *a = &rule->args[i];

				conds[i] =
				        (struct scmp_arg_cmp){ a->index, (enum scmp_compare)a->op,
					                       a->value, a->value_two };
			}
			r = seccomp_rule_add_array(ctx, action, nr, (unsigned)rule->n_args, conds);
		}
		if (r < 0)
			return error_set(ret_error, r, "seccomp rule for %s: %s", rule->names[n],
			                 strerror(-r));
	}
	return 0;
}

int
seccomp_profile_build(const struct seccomp_profile *p, const struct seccomp_profile_node *node,
                      scmp_filter_ctx *ret, char **ret_error)
{
	uint32_t def = scmp_action(p->default_action, p->has_default_errno, p->default_errno);
	scmp_filter_ctx ctx;
	int r;

	if (p->default_action == SECCOMP_PROFILE_NOTIFY)
		return error_set(ret_error, -EOPNOTSUPP,
		                 "defaultAction SCMP_ACT_NOTIFY: no listener");
	ctx = seccomp_init(def);
	if (!ctx)
		return error_set(ret_error, -ENOMEM, "seccomp_init failed");
	if ((r = add_arches(ctx, p, ret_error)) < 0)
		goto fail;
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct seccomp_profile_rule *rule = &p->rules[i];
		uint32_t action;

		if (!seccomp_profile_rule_applies(rule, node))
			continue;
		if (rule->action == SECCOMP_PROFILE_NOTIFY) {
			r = error_set(ret_error, -EOPNOTSUPP,
			              "syscalls[%zu]: SCMP_ACT_NOTIFY needs a listener", i);
			goto fail;
		}
		action = scmp_action(rule->action, rule->has_errno, rule->errno_ret);
		/* libseccomp refuses a rule that repeats the default; it would change nothing. */
		if (action == def)
			continue;
		if ((r = add_rule(ctx, rule, action, ret_error)) < 0) {
			char *inner = ret_error ? TAKE_PTR(*ret_error) : NULL;

			r = error_set(ret_error, r, "syscalls[%zu]: %s", i,
			              inner ? inner : "failed");
			free(inner);
			goto fail;
		}
	}
	*ret = ctx;
	return 0;
fail:
	seccomp_release(ctx);
	return r;
}
