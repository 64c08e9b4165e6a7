/*
 * Docker's seccomp profile format (the default profile, `--seccomp FILE`): a pure model,
 * the rules that apply to a node (its capabilities, the machine's architecture and
 * kernel), and the libseccomp filter they make.
 */
#pragma once

#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum seccomp_profile_action {
	SECCOMP_PROFILE_KILL_THREAD, /* SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD */
	SECCOMP_PROFILE_KILL_PROCESS,
	SECCOMP_PROFILE_TRAP,
	SECCOMP_PROFILE_ERRNO,
	SECCOMP_PROFILE_TRACE,
	SECCOMP_PROFILE_ALLOW,
	SECCOMP_PROFILE_LOG,
	SECCOMP_PROFILE_NOTIFY,
};

/* SCMP_CMP_*, in libseccomp's order. */
enum seccomp_profile_op {
	SECCOMP_PROFILE_NE = 1,
	SECCOMP_PROFILE_LT,
	SECCOMP_PROFILE_LE,
	SECCOMP_PROFILE_EQ,
	SECCOMP_PROFILE_GE,
	SECCOMP_PROFILE_GT,
	SECCOMP_PROFILE_MASKED_EQ,
};

struct seccomp_profile_arg {
	unsigned index; /* 0 to 5 */
	uint64_t value, value_two;
	enum seccomp_profile_op op;
};

/* A rule's "includes" or "excludes"; empty lists and no minKernel mean no condition. */
struct seccomp_profile_cond {
	char **caps;   /* "CAP_SYS_ADMIN" */
	int *cap_nums; /* the capability's number, -1 for a name libcap does not know */
	size_t n_caps;
	char **arches; /* Go's names, as in profiles: "amd64", "x86", "arm64" */
	size_t n_arches;
	bool has_min_kernel;
	unsigned min_kernel_major, min_kernel_minor;
};

struct seccomp_profile_rule {
	char **names;
	size_t n_names;
	enum seccomp_profile_action action;
	bool has_errno;
	unsigned errno_ret;
	struct seccomp_profile_arg *args;
	size_t n_args;
	struct seccomp_profile_cond includes, excludes;
};

struct seccomp_profile_arch {
	char *arch; /* "SCMP_ARCH_X86_64" */
	char **subs;
	size_t n_subs;
};

struct seccomp_profile {
	enum seccomp_profile_action default_action;
	bool has_default_errno;
	unsigned default_errno;
	/* archMap, or the older "architectures" list as entries without sub-architectures. */
	struct seccomp_profile_arch *arches;
	size_t n_arches;
	struct seccomp_profile_rule *rules;
	size_t n_rules;
};

/* What the rules' conditions look at. */
struct seccomp_profile_node {
	uint64_t caps;    /* bit n: capability n is in the node's bounding set */
	const char *arch; /* Go's name of the architecture: seccomp_profile_native_arch() */
	unsigned kernel_major, kernel_minor; /* seccomp_profile_kernel(uname's release) */
};

/*
 * Parses a profile.  -EINVAL with the JSON path of the bad element and why
 * ("syscalls[3].args[0].op: unknown operator 'SCMP_CMP_FOO'"); -ENOMEM.
 */
int seccomp_profile_parse(const char *json, size_t len, struct seccomp_profile *ret,
                          char **ret_error);
void seccomp_profile_done(struct seccomp_profile *p);

/* Whether a rule applies to node, by Docker's rules on includes and excludes. */
bool seccomp_profile_rule_applies(const struct seccomp_profile_rule *rule,
                                  const struct seccomp_profile_node *node);

/* The rules that apply to node, in profile order: a malloc'd array of pointers into p. */
int seccomp_profile_effective(const struct seccomp_profile *p,
                              const struct seccomp_profile_node *node,
                              const struct seccomp_profile_rule ***ret, size_t *ret_n);

/* Go's name of the architecture this program runs on ("amd64"), NULL when unknown. */
const char *seccomp_profile_native_arch(void);

/* The kernel's version from uname's release ("6.1.0-18-amd64": 6, 1).  -EINVAL. */
int seccomp_profile_kernel(const char *release, unsigned *ret_major, unsigned *ret_minor);

/*
 * The filter of the rules that apply to node (not loaded): the native architecture and
 * the sub-architectures archMap gives it, syscall names libseccomp does not know skipped
 * (as runc does), rules whose action is the default one skipped.  -errno with a reason.
 */
int seccomp_profile_build(const struct seccomp_profile *p, const struct seccomp_profile_node *node,
                          scmp_filter_ctx *ret, char **ret_error);
