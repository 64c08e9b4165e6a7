/* Docker's seccomp profile format: the reader, the rules that apply, the filter they make. */
#include "containode/seccomp_profile.h"
#include "containode/security.h"

#include "check_main.h"
#include "cleanup.h"
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SYSTEM_PROFILE "/usr/share/containers/seccomp.json"

/*
 * The shape of Docker's default profile where it matters here: an allow-list whose
 * namespace and mount calls need SYS_ADMIN, and clone3 answered ENOSYS without it.
 */
static const char DOCKERISH[] =
        "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
        "\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\","
        "\"subArchitectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]},"
        "{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":[\"SCMP_ARCH_ARM\"]}],"
        "\"syscalls\":["
        "{\"names\":[\"exit\",\"exit_group\",\"getpid\",\"write\",\"not_a_syscall\","
        /* what a sanitizer runtime may call in the child */
        "\"mmap\",\"munmap\",\"mprotect\",\"madvise\",\"brk\",\"read\",\"openat\",\"close\","
        "\"fstat\",\"newfstatat\",\"readlink\",\"prctl\",\"futex\",\"gettid\",\"tgkill\","
        "\"rt_sigaction\",\"rt_sigprocmask\",\"sigaltstack\",\"sched_yield\",\"getrlimit\"],"
        "\"action\":\"SCMP_ACT_ALLOW\"},"
        "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
        "\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]},"
        "{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"4.8\"}"
        "},"
        "{\"names\":[\"arch_prctl\"],\"action\":\"SCMP_ACT_ALLOW\","
        "\"includes\":{\"arches\":[\"amd64\",\"x32\"]}},"
        "{\"names\":[\"mount\",\"umount2\",\"unshare\",\"setns\",\"clone3\"],"
        "\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
        "{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38,"
        "\"excludes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
        "{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\","
        "\"args\":[{\"index\":0,\"value\":2114060288,\"op\":\"SCMP_CMP_MASKED_EQ\"}],"
        "\"excludes\":{\"caps\":[\"CAP_SYS_ADMIN\"],\"arches\":[\"s390\",\"s390x\"]}},"
        "{\"name\":\"vhangup\",\"action\":\"SCMP_ACT_ALLOW\","
        "\"includes\":{\"caps\":[\"CAP_SYS_TTY_CONFIG\",\"CAP_SYS_ADMIN\"]},"
        "\"excludes\":{\"minKernel\":\"99.0\"}}"
        "]}";

static uint64_t
docker_caps(void)
{
	uint64_t caps = 0;

	for (size_t i = 0; i < security_caps_keep_len; i++)
		caps |= UINT64_C(1) << security_caps_keep[i];
	return caps;
}

static struct seccomp_profile_node
node_with(uint64_t caps)
{
	return (struct seccomp_profile_node){
		.caps = caps, .arch = "amd64", .kernel_major = 6, .kernel_minor = 1
	};
}

static struct seccomp_profile
parse_ok(const char *json, size_t len)
{
	struct seccomp_profile p;
	char *err = NULL;
	int r = seccomp_profile_parse(json, len, &p, &err);

	ck_assert_msg(r == 0, "parse: %d %s", r, err ? err : "");
	return p;
}

static char *
read_system_profile(size_t *ret_len)
{
	struct stat st;
	char *buf;
	int fd = open(SYSTEM_PROFILE, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	ck_assert_msg(fd >= 0, SYSTEM_PROFILE " (golang-github-containers-common): %s",
	              strerror(errno));
	ck_assert_int_eq(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	ck_assert_ptr_nonnull(buf);
	n = read(fd, buf, (size_t)st.st_size);
	ck_assert_int_eq(n, st.st_size);
	close(fd);
	*ret_len = (size_t)n;
	return buf;
}

/* The action the effective rules give a syscall without argument conditions, or -1. */
static int
action_of(const struct seccomp_profile *p, const struct seccomp_profile_node *node,
          const char *name, unsigned *ret_errno)
{
	const struct seccomp_profile_rule **rules;
	size_t n;
	int action = -1;

	ck_assert_int_eq(seccomp_profile_effective(p, node, &rules, &n), 0);
	for (size_t i = 0; i < n && action < 0; i++) {
		if (rules[i]->n_args)
			continue;
		for (size_t j = 0; j < rules[i]->n_names; j++)
			if (strcmp(rules[i]->names[j], name) == 0) {
				action = (int)rules[i]->action;
				*ret_errno = rules[i]->has_errno ? rules[i]->errno_ret : 0;
				break;
			}
	}
	free(rules);
	return action;
}

START_TEST(system_profile_parses)
{
	size_t len, n_docker, n_admin;
	char *json = read_system_profile(&len);
	struct seccomp_profile p = parse_ok(json, len);
	struct seccomp_profile_node docker = node_with(docker_caps());
	struct seccomp_profile_node admin = node_with(docker_caps() | UINT64_C(1) << CAP_SYS_ADMIN);
	const struct seccomp_profile_rule **rules;
	unsigned e = 0;

	ck_assert_int_eq(p.default_action, SECCOMP_PROFILE_ERRNO);
	ck_assert(p.has_default_errno);
	ck_assert_uint_eq(p.default_errno, ENOSYS);
	ck_assert_uint_gt(p.n_rules, 10);
	ck_assert_uint_gt(p.n_arches, 1);
	ck_assert_str_eq(p.arches[0].arch, "SCMP_ARCH_X86_64");

	/* The SYS_ADMIN pair: bpf allowed with it, EPERM without it. */
	ck_assert_int_eq(action_of(&p, &docker, "bpf", &e), SECCOMP_PROFILE_ERRNO);
	ck_assert_uint_eq(e, EPERM);
	ck_assert_int_eq(action_of(&p, &admin, "bpf", &e), SECCOMP_PROFILE_ALLOW);
	/* Arch-specific rules follow the architecture. */
	ck_assert_int_eq(action_of(&p, &docker, "arch_prctl", &e), SECCOMP_PROFILE_ALLOW);
	docker.arch = "arm64";
	ck_assert_int_eq(action_of(&p, &docker, "arch_prctl", &e), -1);
	docker.arch = "amd64";

	ck_assert_int_eq(seccomp_profile_effective(&p, &docker, &rules, &n_docker), 0);
	free(rules);
	ck_assert_int_eq(seccomp_profile_effective(&p, &admin, &rules, &n_admin), 0);
	free(rules);
	/* Each SYS_ADMIN pair swaps one rule for the other: the same count, other rules. */
	ck_assert_uint_eq(n_docker, n_admin);
	ck_assert_uint_lt(n_docker, p.n_rules);
	seccomp_profile_done(&p);
	free(json);
}
END_TEST

START_TEST(dockerish_conditions)
{
	struct seccomp_profile p = parse_ok(DOCKERISH, strlen(DOCKERISH));
	struct seccomp_profile_node docker = node_with(docker_caps());
	struct seccomp_profile_node admin = node_with(docker_caps() | UINT64_C(1) << CAP_SYS_ADMIN);
	unsigned e = 0;

	ck_assert_uint_eq(p.n_rules, 8);
	ck_assert_str_eq(p.rules[7].names[0], "vhangup"); /* the older "name" */
	ck_assert_uint_eq(p.rules[6].args[0].value, 2114060288);
	ck_assert_int_eq(p.rules[6].args[0].op, SECCOMP_PROFILE_MASKED_EQ);

	/* Without SYS_ADMIN: no mount, clone3 ENOSYS, clone with the flag mask. */
	ck_assert_int_eq(action_of(&p, &docker, "mount", &e), -1);
	ck_assert_int_eq(action_of(&p, &docker, "clone3", &e), SECCOMP_PROFILE_ERRNO);
	ck_assert_uint_eq(e, ENOSYS);
	ck_assert(seccomp_profile_rule_applies(&p.rules[6], &docker));
	/* With it: mount and clone3 allowed, the masked clone rule gone. */
	ck_assert_int_eq(action_of(&p, &admin, "mount", &e), SECCOMP_PROFILE_ALLOW);
	ck_assert_int_eq(action_of(&p, &admin, "clone3", &e), SECCOMP_PROFILE_ALLOW);
	ck_assert(!seccomp_profile_rule_applies(&p.rules[6], &admin));
	/* excludes.arches */
	admin.caps = docker.caps;
	admin.arch = "s390x";
	ck_assert(!seccomp_profile_rule_applies(&p.rules[6], &admin));

	/* includes.caps needs every one of them. */
	docker.caps |= UINT64_C(1) << CAP_SYS_TTY_CONFIG;
	ck_assert(!seccomp_profile_rule_applies(&p.rules[7], &docker));
	docker.caps |= UINT64_C(1) << CAP_SYS_ADMIN;
	ck_assert(seccomp_profile_rule_applies(&p.rules[7], &docker));
	/* excludes.minKernel: a kernel at least that old... */
	docker.kernel_major = 99;
	docker.kernel_minor = 0;
	ck_assert(!seccomp_profile_rule_applies(&p.rules[7], &docker));
	/* includes.minKernel 4.8 */
	docker.kernel_major = 4;
	docker.kernel_minor = 8;
	ck_assert(seccomp_profile_rule_applies(&p.rules[2], &docker));
	docker.kernel_minor = 7;
	ck_assert(!seccomp_profile_rule_applies(&p.rules[2], &docker));
	docker.kernel_major = 3;
	docker.kernel_minor = 99;
	ck_assert(!seccomp_profile_rule_applies(&p.rules[2], &docker));
	seccomp_profile_done(&p);
}
END_TEST

START_TEST(unknown_caps_are_never_held)
{
	static const char json[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
	                           "{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ERRNO\",\"includes\":{"
	                           "\"caps\":[\"CAP_NOPE\"]}},"
	                           "{\"names\":[\"b\"],\"action\":\"SCMP_ACT_ERRNO\",\"excludes\":{"
	                           "\"caps\":[\"cap_sys_admin\"]}}"
	                           "]}";
	struct seccomp_profile p = parse_ok(json, strlen(json));
	struct seccomp_profile_node all = node_with(UINT64_MAX);

	ck_assert(!seccomp_profile_rule_applies(&p.rules[0], &all));
	/* Docker compares the names exactly: lower case names no capability. */
	ck_assert(seccomp_profile_rule_applies(&p.rules[1], &all));
	ck_assert(!p.has_default_errno);
	seccomp_profile_done(&p);
}
END_TEST

static const struct {
	const char *json, *error;
} malformed[] = {
	{ "", "not JSON" },
	/* "getpid\u0000x" would have read as getpid. */
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"getpid\\u0000x\"],"
	  "\"action\":\"SCMP_ACT_ALLOW\"}]}",
	  "a string holds a NUL character" },
	{ "[]", "not a JSON object" },
	{ "{}", "defaultAction: missing" },
	{ "{\"defaultAction\":\"SCMP_ACT_NOPE\"}",
	  "defaultAction: unknown action 'SCMP_ACT_NOPE'" },
	{ "{\"defaultAction\":7}", "defaultAction: unknown action" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":-1}",
	  "defaultErrnoRet: not an errno number (0 to 4095)" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1.5}",
	  "defaultErrnoRet: not an errno number (0 to 4095)" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":{}}", "syscalls: not an array" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[1]}", "syscalls[0]: not an object" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],"
	  "\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"b\",2],\"action\":\"SCMP_ACT_ALLOW\"}]}",
	  "syscalls[1].names[1]: not a non-empty string" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"]}]}",
	  "syscalls[0].action: missing" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"name\":\"b\","
	  "\"action\":\"SCMP_ACT_ALLOW\"}]}",
	  "syscalls[0]: both \"name\" and \"names\"; use one" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],"
	  "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":6,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	  "syscalls[0].args[0].index: not an argument index (0 to 5)" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],"
	  "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"op\":\"SCMP_CMP_EQ\"},"
	  "{\"index\":1,\"op\":\"SCMP_CMP_FOO\"}]}]}",
	  "syscalls[0].args[1].op: unknown operator 'SCMP_CMP_FOO'" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],"
	  "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"value\":18446744073709551615,"
	  "\"op\":\"SCMP_CMP_EQ\"}]}]}",
	  "syscalls[0].args[0].value: not an integer from 0 to 2^53" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],"
	  "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"op\":\"SCMP_CMP_EQ\"}],"
	  "\"includes\":{\"minKernel\":\"4\"}}]}",
	  "syscalls[0].includes.minKernel: '4' is not a kernel version \"<kernel>.<major>\"" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],"
	  "\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"caps\":\"CAP_SYS_ADMIN\"}}]}",
	  "syscalls[0].excludes.caps: not an array" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],"
	  "\"action\":\"SCMP_ACT_ALLOW\",\"includes\":[]}]}",
	  "syscalls[0].includes: not an object" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[],\"archMap\":[]}",
	  "both \"architectures\" and \"archMap\"; use one" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_"
	  "64\","
	  "\"subArchitectures\":[\"SCMP_ARCH_X86\",null]}]}",
	  "archMap[0].subArchitectures[1]: not a non-empty string" },
};

START_TEST(malformed_profiles)
{
	const char *json = malformed[_i].json;
	struct seccomp_profile p = { .n_rules = 4242 };
	char *err = NULL;

	ck_assert_int_eq(seccomp_profile_parse(json, strlen(json), &p, &err), -EINVAL);
	ck_assert_uint_eq(p.n_rules, 4242); /* untouched */
	ck_assert_str_eq(err, malformed[_i].error);
	free(err);
}
END_TEST

START_TEST(kernel_versions)
{
	static const char *ok[] = { "4.8", "255.255", "0.1", "" };
	static const char *bad[] = { "4", "4.", ".8", "4.8.1", "256.0", "0.0", "a.b", "4.8 " };
	char json[160];
	struct seccomp_profile p;
	char *err = NULL;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(json, sizeof(json),
		         "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\"],"
		         "\"action\":\"SCMP_ACT_LOG\",\"includes\":{\"minKernel\":\"%s\"}}]}",
		         ok[i]);
		p = parse_ok(json, strlen(json));
		ck_assert(p.rules[0].includes.has_min_kernel == (*ok[i] != '\0'));
		seccomp_profile_done(&p);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(json, sizeof(json),
		         "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\"],"
		         "\"action\":\"SCMP_ACT_LOG\",\"includes\":{\"minKernel\":\"%s\"}}]}",
		         bad[i]);
		ck_assert_msg(seccomp_profile_parse(json, strlen(json), &p, &err) == -EINVAL,
		              "'%s'", bad[i]);
		free(err);
		err = NULL;
	}
}
END_TEST

/*
 * Loads the filter in a child and reports, through its exit status, the first check
 * that failed (0: all passed).  The checks are syscalls and their errno.
 */
struct probe {
	long nr;
	long a0, a1;
	int want_errno; /* 0: must succeed */
};

static int
run_filtered(const struct seccomp_profile *p, const struct seccomp_profile_node *node,
             const struct probe *probes, size_t n)
{
	scmp_filter_ctx ctx;
	char *err = NULL;
	int status;
	pid_t pid;

	ck_assert_msg(seccomp_profile_build(p, node, &ctx, &err) == 0, "build: %s", err ? err : "");
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load(ctx) < 0)
			_exit(100);
		for (size_t i = 0; i < n; i++) {
			long r = syscall(probes[i].nr, probes[i].a0, probes[i].a1, 0L, 0L, 0L);
			int e = r < 0 ? errno : 0;

			if (probes[i].want_errno ? (r >= 0 || e != probes[i].want_errno) : r < 0)
				_exit((int)i + 1);
		}
		_exit(0);
	}
	seccomp_release(ctx);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "child status %#x", status);
	return WEXITSTATUS(status);
}

START_TEST(filter_from_dockerish_profile)
{
	struct seccomp_profile p = parse_ok(DOCKERISH, strlen(DOCKERISH));
	struct seccomp_profile_node docker = node_with(docker_caps());
	struct seccomp_profile_node admin = node_with(docker_caps() | UINT64_C(1) << CAP_SYS_ADMIN);
	const struct probe without_admin[] = {
		{ SYS_getpid, 0, 0, 0 },
		{ SYS_personality, 0, 0, 0 },          /* allowed for this argument */
		{ SYS_personality, 0x1234, 0, EPERM }, /* not for another */
		{ SYS_getppid, 0, 0, EPERM },          /* not listed: the default */
		{ SYS_mount, 0, 0, EPERM },
		{ SYS_clone3, 0, 0, ENOSYS },
	};
	/* The test runs as root with SYS_ADMIN: the kernel itself answers now. */
	const struct probe with_admin[] = {
		{ SYS_getpid, 0, 0, 0 },
		{ SYS_getppid, 0, 0, EPERM },
		{ SYS_mount, 0, 0, EFAULT },
		{ SYS_clone3, 0, 0, EINVAL },
	};

	ck_assert_int_eq(run_filtered(&p, &docker, without_admin, ARRAY_SIZE(without_admin)), 0);
	ck_assert_int_eq(run_filtered(&p, &admin, with_admin, ARRAY_SIZE(with_admin)), 0);
	seccomp_profile_done(&p);
}
END_TEST

START_TEST(filter_from_system_profile)
{
	size_t len;
	char *json = read_system_profile(&len);
	struct seccomp_profile p = parse_ok(json, len);
	struct seccomp_profile_node docker = node_with(docker_caps());
	const struct probe probes[] = {
		{ SYS_getpid, 0, 0, 0 },
		{ SYS_getppid, 0, 0, 0 },
		{ SYS_acct, 0, 0, EPERM },     /* needs SYS_PACCT */
		{ SYS_add_key, 0, 0, ENOSYS }, /* not listed: the default, ENOSYS */
	};

	ck_assert_int_eq(run_filtered(&p, &docker, probes, ARRAY_SIZE(probes)), 0);
	seccomp_profile_done(&p);
	free(json);
}
END_TEST

/* The profile containode uses by default: Docker's own, shipped in the source tree. */
START_TEST(filter_from_shipped_profile)
{
	char *json = NULL;
	size_t len;
	struct seccomp_profile p;
	struct seccomp_profile_node docker = node_with(docker_caps());
	struct seccomp_profile_node admin = node_with(docker_caps() | UINT64_C(1) << CAP_SYS_ADMIN);
	const struct probe without_admin[] = {
		{ SYS_getpid, 0, 0, 0 },
		{ SYS_getppid, 0, 0, 0 },
		{ SYS_add_key, 0, 0, EPERM }, /* not listed: the default, EPERM */
		{ SYS_unshare, 0, 0, EPERM },
		{ SYS_setns, -1, 0, EPERM },
		{ SYS_mount, 0, 0, EPERM },
		{ SYS_clone3, 0, 0, ENOSYS }, /* so that clone's flag rules hold */
		{ SYS_personality, 0xffffffff, 0, 0 },
	};
	const struct probe with_admin[] = {
		{ SYS_unshare, 0, 0, 0 },
		{ SYS_setns, -1, 0, EBADF }, /* the kernel answers */
		{ SYS_mount, 0, 0, EFAULT },
		{ SYS_clone3, 0, 0, EINVAL },
	};

	ck_assert_int_eq(
	        read_file_at(AT_FDCWD, "containode/seccomp/default.json", 1 << 20, &json, &len), 0);
	p = parse_ok(json, len);
	ck_assert_int_eq(run_filtered(&p, &docker, without_admin, ARRAY_SIZE(without_admin)), 0);
	ck_assert_int_eq(run_filtered(&p, &admin, with_admin, ARRAY_SIZE(with_admin)), 0);
	seccomp_profile_done(&p);
	free(json);
}
END_TEST

START_TEST(kernel_release)
{
	unsigned major = 0, minor = 0;

	ck_assert_int_eq(seccomp_profile_kernel("6.1.0-18-amd64", &major, &minor), 0);
	ck_assert_uint_eq(major, 6);
	ck_assert_uint_eq(minor, 1);
	ck_assert_int_eq(seccomp_profile_kernel("4.8", &major, &minor), 0);
	ck_assert_uint_eq(minor, 8);
	ck_assert_int_eq(seccomp_profile_kernel("5.10-rc1", &major, &minor), 0);
	ck_assert_uint_eq(minor, 10);
	ck_assert_int_eq(seccomp_profile_kernel("6", &major, &minor), -EINVAL);
	ck_assert_int_eq(seccomp_profile_kernel("6.", &major, &minor), -EINVAL);
	ck_assert_int_eq(seccomp_profile_kernel("x.1", &major, &minor), -EINVAL);
	ck_assert_int_eq(seccomp_profile_kernel("", &major, &minor), -EINVAL);
	ck_assert_int_eq(seccomp_profile_kernel("99999999999999999999.1", &major, &minor), -EINVAL);
}
END_TEST

START_TEST(build_arches_and_refusals)
{
	static const char notify[] =
	        "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getpid\"],"
	        "\"action\":\"SCMP_ACT_NOTIFY\"}]}";
	static const char legacy[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\","
	                             "\"architectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_NOPE\"]}";
	struct seccomp_profile p = parse_ok(DOCKERISH, strlen(DOCKERISH));
	struct seccomp_profile_node node = node_with(docker_caps());
	scmp_filter_ctx ctx;
	char *err = NULL;

	ck_assert_int_eq(seccomp_profile_build(&p, &node, &ctx, &err), 0);
#ifdef __x86_64__
	/* The native architecture's entry in archMap brings its sub-architectures. */
	ck_assert_int_eq(seccomp_arch_exist(ctx, SCMP_ARCH_X86), 0);
	ck_assert_int_eq(seccomp_arch_exist(ctx, SCMP_ARCH_X32), 0);
	ck_assert_int_eq(seccomp_arch_exist(ctx, SCMP_ARCH_ARM), -EEXIST);
#endif
	seccomp_release(ctx);
	seccomp_profile_done(&p);

	/* The older list parses as entries without sub-architectures. */
	p = parse_ok(legacy, strlen(legacy));
	ck_assert_uint_eq(p.n_arches, 2);
	ck_assert_str_eq(p.arches[1].arch, "SCMP_ARCH_NOPE");
	ck_assert_uint_eq(p.arches[1].n_subs, 0);
	seccomp_profile_done(&p);

	p = parse_ok(notify, strlen(notify));
	ck_assert_int_eq(seccomp_profile_build(&p, &node, &ctx, &err), -EOPNOTSUPP);
	ck_assert_str_eq(err, "syscalls[0]: SCMP_ACT_NOTIFY needs a listener");
	free(err);
	seccomp_profile_done(&p);
}
END_TEST

START_TEST(native_arch)
{
#ifdef __x86_64__
	ck_assert_str_eq(seccomp_profile_native_arch(), "amd64");
#endif
}
END_TEST

static Suite *
seccomp_profile_suite(void)
{
	Suite *s = suite_create("seccomp_profile");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, system_profile_parses);
	tcase_add_test(tc, dockerish_conditions);
	tcase_add_test(tc, unknown_caps_are_never_held);
	tcase_add_loop_test(tc, malformed_profiles, 0, (int)ARRAY_SIZE(malformed));
	tcase_add_test(tc, kernel_versions);
	tcase_add_test(tc, filter_from_dockerish_profile);
	tcase_add_test(tc, filter_from_system_profile);
	tcase_add_test(tc, filter_from_shipped_profile);
	tcase_add_test(tc, kernel_release);
	tcase_add_test(tc, build_arches_and_refusals);
	tcase_add_test(tc, native_arch);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(seccomp_profile_suite)
