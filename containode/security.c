#include "security.h"

#include "cleanup.h"

#include <errno.h>
#include <grp.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

DEFINE_CLEANUP_FUNC(cap_t, cap_free)
#define _cleanup_cap_ _cleanup_(cap_freep)

/* Docker's (and crun's) default set: everything else leaves the bounding set. */
const int security_caps_keep[] = {
	CAP_CHOWN,	  CAP_DAC_OVERRIDE,	CAP_FSETID,	      CAP_FOWNER,    CAP_MKNOD,
	CAP_NET_RAW,	  CAP_SETGID,		CAP_SETUID,	      CAP_SETFCAP,   CAP_SETPCAP,
	CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL,	      CAP_AUDIT_WRITE,
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

static int
security_caps(struct setup_error *e)
{
	_cleanup_cap_ cap_t caps = NULL;
	int last = cap_max_bits();

	/* The bounding set first: dropping from it needs CAP_SETPCAP, still effective here. */
	for (int cap = 0; cap < last; cap++)
		if (!security_cap_kept(cap) && cap_drop_bound(cap) < 0 && errno != EINVAL)
			return setup_fail(e, -errno, "drop capability %d from the bounding set", cap);
	if (cap_reset_ambient() < 0)
		return setup_fail(e, -errno, "clear the ambient capabilities");
	caps = cap_init(); /* all clear: the inheritable set stays empty */
	if (!caps)
		return setup_fail(e, -errno, "allocate a capability set");
	if (cap_set_flag(caps, CAP_EFFECTIVE, security_caps_keep_len, security_caps_keep,
			 CAP_SET) < 0 ||
	    cap_set_flag(caps, CAP_PERMITTED, security_caps_keep_len, security_caps_keep,
			 CAP_SET) < 0 ||
	    cap_set_proc(caps) < 0)
		return setup_fail(e, -errno, "set the container's capabilities");
	return 0;
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

	r = security_caps(e);
	if (r < 0)
		return r;
	r = security_user(p, e);
	if (r < 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return setup_fail(e, -errno, "set no_new_privs");
	return 0;
}

int
security_close_fds(void)
{
	/* Close-on-exec rather than closed: the child pipe must live until exec succeeds. */
	if (syscall(SYS_close_range, 3, ~0u, CLOSE_RANGE_CLOEXEC) < 0)
		return -errno;
	return 0;
}
