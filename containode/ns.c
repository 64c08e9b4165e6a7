#include "ns.h"

#include "cgroup.h"
#include "cleanup.h"
#include "plan.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Whether this process was born in the node's v2 cgroup: the child's, set by ns_clone. */
static bool ns_born_in_cgroup;

pid_t
ns_clone_into(unsigned long flags, int cgroup_fd, int *ret_pidfd)
{
	int pidfd = -1;
	struct clone_args args = {
		/* The child unshares its cgroup namespace itself, once in its own cgroup. */
		.flags = (flags & ~(unsigned long)CLONE_NEWCGROUP) | CLONE_PIDFD,
		.pidfd = (uintptr_t)&pidfd,
		.exit_signal = SIGCHLD,
	};
	long pid = -1;

	/* Buffered output would otherwise be written twice. */
	fflush(NULL);
	/*
	 * Born in the node's v2 cgroup: no move, which would wait for an RCU grace period.
	 * Kernels before 5.7 refuse the flag; the child then moves there as into the others.
	 */
	if (cgroup_fd >= 0) {
		struct clone_args into = args;

		into.flags |= CLONE_INTO_CGROUP;
		into.cgroup = (uint64_t)cgroup_fd;
		pid = syscall(SYS_clone3, &into, sizeof(into));
		if (pid == 0)
			ns_born_in_cgroup = true;
	}
	if (pid < 0)
		pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0)
		return -errno;
	if (pid > 0)
		*ret_pidfd = pidfd;
	return pid;
}

pid_t
ns_clone(unsigned long flags, const struct cgroup_node *cg, int *ret_pidfd)
{
	const char *v2 = cg ? cgroup_node_unified(cg) : NULL;
	_cleanup_close_ int cgfd = v2 ? open(v2, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;

	return ns_clone_into(flags, cgfd, ret_pidfd);
}

bool
ns_child_born_in_cgroup(void)
{
	return ns_born_in_cgroup;
}

int
ns_exec(char *const argv[], char *const env[], const char *path)
{
	const char *cursor = NULL;
	char buf[4096];
	int r = -ENOENT;

	while (plan_path_next(argv[0], path, &cursor, buf, sizeof(buf))) {
		execve(buf, argv, env);
		/* As execvp: keep looking after these, remember that one was not allowed. */
		if (errno == EACCES)
			r = -EACCES;
		else if (errno != ENOENT && errno != ENOTDIR)
			return -errno;
	}
	return r;
}
