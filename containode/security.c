#include "security.h"

#include "caps.h"

#include "cleanup.h"
#include "fileio.h"
#include "log.h"
#include "seccomp_cache.h"
#include "seccomp_profile.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Where `make install` puts Docker's default profile, and where it is in the source tree. */
#ifndef SECCOMP_DEFAULT_PATH
#define SECCOMP_DEFAULT_PATH "/usr/local/share/containet/seccomp/default.json"
#endif
#ifndef SECCOMP_SOURCE_PATH
#define SECCOMP_SOURCE_PATH "containode/seccomp/default.json"
#endif
/* A profile is a few kilobytes; this only bounds what a wrong file could cost. */
#define SECCOMP_PROFILE_MAX (4 << 20)

/* Docker's (and crun's) default set: everything else leaves the bounding set. */
const int security_caps_keep[] = {
	CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,           CAP_FOWNER,
	CAP_MKNOD,   CAP_NET_RAW,      CAP_SETGID,           CAP_SETUID,
	CAP_SETFCAP, CAP_SETPCAP,      CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
	CAP_KILL,    CAP_AUDIT_WRITE,
};
const size_t security_caps_keep_len = ARRAY_SIZE(security_caps_keep);

bool
security_cap_kept(int cap)
{
	for (size_t i = 0; i < security_caps_keep_len; i++)
		if (security_caps_keep[i] == cap)
			return true;
	return false;
}

uint64_t
security_caps_default(void)
{
	uint64_t mask = 0;

	for (size_t i = 0; i < security_caps_keep_len; i++)
		mask |= UINT64_C(1) << security_caps_keep[i];
	return mask;
}

uint64_t
security_caps_all(void)
{
	/* What containode may hand on: its own bounding set, which may lack some. */
	return caps_bounding();
}

/* The bounding set first: dropping from it needs CAP_SETPCAP, still effective here. */
static int
security_caps_bound(const struct plan *p, struct setup_error *e)
{
	int r = caps_bounding_limit(p->caps);

	if (r < 0)
		return setup_fail(e, r, "drop capabilities from the bounding set");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return setup_fail(e, -errno, "clear the ambient capabilities");
	return 0;
}

/*
 * Then, once the user is switched (which needs CAP_SETUID and CAP_SETGID, whatever the
 * node keeps), the effective and permitted sets.  A user other than root has none left.
 */
static int
security_caps_set(const struct plan *p, struct setup_error *e)
{
	int r;

	if (p->have_user && p->uid != 0)
		return 0;
	r = caps_set(p->caps);
	return r < 0 ? setup_fail(e, r, "set the container's capabilities") : 0;
}

static int
security_user(const struct plan *p, struct setup_error *e)
{
	/* The caller's supplementary groups are the host's business, with or without -u. */
	if (setgroups(p->have_user ? p->n_groups : 0, p->groups) < 0)
		return setup_fail(e, -errno, "set the supplementary groups");
	if (!p->have_user)
		return 0;
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		return setup_fail(e, -errno, "switch to group %u", (unsigned)p->gid);
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		return setup_fail(e, -errno, "switch to user %u", (unsigned)p->uid);
	/* A change of credentials clears the parent-death signal: set it again. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	return 0;
}

int
security_apply(const struct plan *p, struct setup_error *e)
{
	int r;

	r = security_caps_bound(p, e);
	if (r < 0)
		return r;
	r = security_user(p, e);
	if (r < 0)
		return r;
	r = security_caps_set(p, e);
	if (r < 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return setup_fail(e, -errno, "set no_new_privs");
	/*
	 * Last: from here on only what the profile allows, which the rest of the setup keeps
	 * to.  The program as libseccomp would load it, with its defaults (no flags).
	 */
	if (p->seccomp_filter) {
		struct sock_fprog prog = {
			.len = (unsigned short)p->seccomp_filter_len,
			.filter = p->seccomp_filter,
		};

		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
			return setup_fail(e, -errno, "load the seccomp filter");
	}
	return 0;
}

int
security_sysctls(const struct plan *p, struct setup_error *e)
{
	for (size_t i = 0; i < p->n_sysctl; i++) {
		const char *value = strchr(p->sysctl[i], '=') + 1;
		_cleanup_close_ int fd = -1;
		char path[256] = "/proc/sys/";
		size_t len = strlen(value);

		if (plan_sysctl_path(p->sysctl[i], path + 10, sizeof(path) - 10) < 0)
			return setup_fail(e, -ENAMETOOLONG, "sysctl '%s'", p->sysctl[i]);
		fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return setup_fail(e, -errno, "open '%s' for sysctl '%s'", path,
			                  p->sysctl[i]);
		/* One write, as sysctl(8): the kernel parses what one write brings. */
		if (write(fd, value, len) != (ssize_t)len)
			return setup_fail(e, -errno ?: -EIO, "sysctl '%s'", p->sysctl[i]);
	}
	return 0;
}

/* The profile in use: --seccomp FILE, else Docker's default where it is installed. */
static const char *
security_profile_path(const struct plan *p)
{
	if (p->seccomp)
		return p->seccomp;
	if (access(SECCOMP_DEFAULT_PATH, F_OK) == 0)
		return SECCOMP_DEFAULT_PATH;
	/* Run from the build tree, before `make install`. */
	if (access(SECCOMP_SOURCE_PATH, F_OK) == 0)
		return SECCOMP_SOURCE_PATH;
	return SECCOMP_DEFAULT_PATH;
}

/* Prefixes *ret_error (NULL or a reason) with the profile's path. */
static int
security_profile_error(int r, const char *path, char **ret_error)
{
	_cleanup_free_ char *inner = *ret_error;

	*ret_error = NULL;
	if (asprintf(ret_error, "seccomp profile '%s': %s", path, inner ? inner : strerror(-r)) < 0)
		*ret_error = NULL;
	return r;
}

/* The BPF program libseccomp makes of ctx, as seccomp_load would load it. */
static int
seccomp_export(scmp_filter_ctx ctx, struct sock_filter **ret, size_t *ret_n)
{
	_cleanup_close_ int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
	_cleanup_free_ struct sock_filter *prog = NULL;
	off_t size;
	int r;

	if (fd < 0)
		return -errno;
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return r;
	size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		return -errno;
	if (size == 0 || size % sizeof(*prog) || size / sizeof(*prog) > SECCOMP_CACHE_INSNS_MAX)
		return -E2BIG;
	prog = malloc(size);
	if (!prog)
		return -ENOMEM;
	if (pread(fd, prog, size, 0) != size)
		return errno ? -errno : -EIO;
	*ret = TAKE_PTR(prog);
	*ret_n = size / sizeof(**ret);
	return 0;
}

/* The directory of compiled filters, or -1: $CONTAINODE_SECCOMP_CACHE, "" for none. */
static int
security_cache_dir(const char **ret_path)
{
	const char *dir = getenv("CONTAINODE_SECCOMP_CACHE");
	int fd;

	*ret_path = dir ? dir : SECCOMP_CACHE_DIR;
	if (dir && !*dir)
		return -1;
	fd = seccomp_cache_open_dir(*ret_path);
	if (fd < 0)
		log_debug_errno(fd, "seccomp cache '%s' not used", *ret_path);
	return fd;
}

/* The filter for the profile's text, compiled by libseccomp. */
static int
security_seccomp_build(const char *text, size_t len, const struct seccomp_profile_node *node,
                       struct sock_filter **ret, size_t *ret_n, char **ret_error)
{
	struct seccomp_profile profile = {};
	scmp_filter_ctx ctx = NULL;
	int r;

	r = seccomp_profile_parse(text, len, &profile, ret_error);
	if (r >= 0)
		r = seccomp_profile_build(&profile, node, &ctx, ret_error);
	seccomp_profile_done(&profile);
	if (r >= 0) {
		r = seccomp_export(ctx, ret, ret_n);
		seccomp_release(ctx);
	}
	return r;
}

int
security_seccomp_prepare(struct plan *p, char **ret_error)
{
	struct seccomp_profile_node node = { .caps = p->caps };
	struct seccomp_cache_key key = {};
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int cache = -1;
	struct sock_filter *prog = NULL;
	const char *path, *cache_path = NULL;
	struct utsname u;
	size_t len, n;
	int r;

	*ret_error = NULL;
	if (p->privileged || (p->seccomp && strcmp(p->seccomp, "unconfined") == 0))
		return 0;
	path = security_profile_path(p);
	r = read_file_at(AT_FDCWD, path, SECCOMP_PROFILE_MAX, &text, &len);
	if (r < 0)
		return security_profile_error(r, path, ret_error);
	node.arch = seccomp_profile_native_arch();
	if (uname(&u) < 0)
		return security_profile_error(-errno, path, ret_error);
	r = seccomp_profile_kernel(u.release, &node.kernel_major, &node.kernel_minor);
	if (r < 0)
		return security_profile_error(r, path, ret_error);
	/*
	 * What was compiled before from the same inputs, else compiled now and kept (when
	 * the cache cannot be used, the node simply starts without it).
	 */
	key = (struct seccomp_cache_key){
		.profile = text,
		.profile_len = len,
		.caps = p->caps,
		.arch = node.arch ? node.arch : "",
		.kernel_major = node.kernel_major,
		.kernel_minor = node.kernel_minor,
	};
	r = seccomp_cache_build(&key, (const void *)seccomp_init);
	if (r < 0)
		log_debug_errno(r, "seccomp cache not used: no build id");
	else
		cache = security_cache_dir(&cache_path);
	if (cache >= 0) {
		r = seccomp_cache_load(cache, &key, &prog, &n);
		if (r >= 0) {
			log_debug("seccomp filter of '%s' from the cache '%s'", path, cache_path);
			p->seccomp_filter = prog;
			p->seccomp_filter_len = n;
			return 0;
		}
		if (r != -ENOENT)
			log_debug_errno(r, "seccomp cache entry for '%s' not used", path);
	}
	r = security_seccomp_build(text, len, &node, &prog, &n, ret_error);
	if (r < 0)
		return security_profile_error(r, path, ret_error);
	if (cache >= 0) {
		r = seccomp_cache_store(cache, &key, prog, n);
		if (r < 0)
			log_debug_errno(r, "keep the seccomp filter in '%s'", cache_path);
		else
			log_debug("seccomp filter of '%s' compiled, kept in '%s'", path,
			          cache_path);
	}
	p->seccomp_filter = prog;
	p->seccomp_filter_len = n;
	return 0;
}

void
security_seccomp_release(struct plan *p)
{
	free(p->seccomp_filter);
	p->seccomp_filter = NULL;
	p->seccomp_filter_len = 0;
}

int
security_close_fds(void)
{
	/* Close-on-exec rather than closed: the child pipe must live until exec succeeds. */
	if (syscall(SYS_close_range, 3, ~0u, CLOSE_RANGE_CLOEXEC) < 0)
		return -errno;
	return 0;
}
