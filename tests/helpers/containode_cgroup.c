/*
 * containode's device cgroup on a given v2 directory, whatever hierarchy the devices
 * controller is on here: attaches the BPF allow-list to DIR (an existing, empty v2
 * cgroup), runs a child in it that opens each PATH read-write and prints "PATH ok" or
 * "PATH ENAME", then removes DIR the way containode does.
 *
 *   containode_cgroup DIR PATH...
 */
#include "containode/cgroup.h"
#include "containode/devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int
child(const struct cgroup_node *node, int argc, char **argv)
{
	int r = cgroup_node_join(node);

	if (r < 0) {
		fprintf(stderr, "containode_cgroup: join: %s\n", strerror(-r));
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		int fd = open(argv[i], O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

		printf("%s %s\n", argv[i], fd >= 0 ? "ok" : strerrorname_np(errno));
		if (fd >= 0)
			close(fd);
	}
	fflush(stdout); /* the child leaves by _exit */
	return 0;
}

int
main(int argc, char **argv)
{
	struct cgroup_node node = { .n = 1 };
	int r, status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: containode_cgroup DIR PATH...\n");
		return 2;
	}
	/* DIR and the directory above it are removed, as a node's and its parent are. */
	node.dirs[0] = (struct cgroup_dir){ CGROUP_V2, strdup(argv[1]), CGROUP_MASK(CGROUP_DEVICES),
		                            strrchr(argv[1], '/') - argv[1] };
	while (node.dirs[0].base_len > 0 && argv[1][--node.dirs[0].base_len] != '/')
		;
	r = cgroup_node_allow_devices(&node, devices_allow, devices_allow_len);
	if (r < 0) {
		fprintf(stderr, "containode_cgroup: allow-list on '%s': %s\n", argv[1],
		        strerror(-r));
		(void)cgroup_node_remove(&node);
		return 1;
	}
	printf("attached\n");
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(child(&node, argc, argv));
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 1;
	r = cgroup_node_remove(&node);
	if (r < 0) {
		fprintf(stderr, "containode_cgroup: remove '%s': %s\n", argv[1], strerror(-r));
		return 1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
