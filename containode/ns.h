/*
 * Starting a process in new namespaces and executing its command: what the container
 * child (child.c), its --init and `containode exec` share.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct cgroup_node;

/*
 * clone3 into the namespaces in flags, fork-like (no shared memory, no separate
 * stack, which keeps it simple and ASan-friendly), and into cg's v2 cgroup where it has
 * one (cg may be NULL).  Returns 0 in the child; in the parent the child's pid, with a
 * pidfd for it in *ret_pidfd.  CLONE_NEWCGROUP is left to the child, which first joins
 * the rest of its cgroup.
 */
pid_t ns_clone(unsigned long flags, const struct cgroup_node *cg, int *ret_pidfd);
/*
 * The same into the v2 cgroup directory cgroup_fd (O_PATH; -1 for none), for a caller
 * whose paths no longer lead there (exec, inside the node's mount namespace).
 */
pid_t ns_clone_into(unsigned long flags, int cgroup_fd, int *ret_pidfd);
/* In the child: whether it was born in the cgroup asked for (else it must move there). */
bool ns_child_born_in_cgroup(void);

/*
 * Executes argv with env, looking argv[0] up along the environment's PATH.  Returns
 * only on failure, with the most telling -errno (EACCES over ENOENT, as execvp).
 */
int ns_exec(char *const argv[], char *const env[], const char *path);
