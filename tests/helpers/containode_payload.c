/*
 * The container payload of containode's integration tests: a static program (it runs
 * in a busybox root without a C library) that reports what a process inside the
 * container sees, and exits or dies in the ways the tests need.
 *
 *   fds             every open fd but the one used to list them, "N -> target"
 *   pid             "pid=N ppid=N"
 *   exit N          exits with N
 *   segv            dies of SIGSEGV
 *   kill SIG        sends itself SIG (not for PID 1: its default actions are off)
 *   trap            waits for SIGINT, SIGTERM, SIGHUP or SIGQUIT, prints "got N", exits N
 *   dumpable        "dumpable=N" from prctl
 *   isatty          "stdin=N stdout=N" (1 when a terminal)
 *   open PATH       opens PATH read-write (non-blocking), prints "read: " and up to 64
 *                   bytes of it, or "open: ENAME" (exit 1) when the kernel refuses
 *   udp-echo PORT   answers each UDP datagram to PORT with "echo:" and the datagram
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int
list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (!d) {
		perror("payload: opendir /proc/self/fd");
		return 1;
	}
	while ((de = readdir(d))) {
		char target[256];
		ssize_t n;

		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		n = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		printf("%s -> %s\n", de->d_name, target);
	}
	closedir(d);
	return 0;
}

static int
wait_signal(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* Blocked, then announced: the test may signal as soon as it reads this line. */
	printf("waiting\n");
	fflush(stdout);
	if (sigwait(&set, &sig) != 0)
		return 1;
	printf("got %d\n", sig);
	return sig;
}

static int
open_read(const char *path)
{
	char buf[65];
	ssize_t n;
	int fd;

	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		printf("open: %s\n", strerrorname_np(errno));
		return 1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		printf("read: %s\n", strerrorname_np(errno));
		return 1;
	}
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] < ' ' || buf[i] > '~')
			buf[i] = '.';
	printf("read: %s\n", buf);
	close(fd);
	return 0;
}

static int
udp_echo(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[2048];

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("udp-echo");
		return 1;
	}
	for (;;) {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		ssize_t n =
		        recvfrom(fd, buf + 5, sizeof(buf) - 5, 0, (struct sockaddr *)&peer, &len);

		if (n < 0)
			return 1;
		memcpy(buf, "echo:", 5);
		sendto(fd, buf, (size_t)n + 5, 0, (struct sockaddr *)&peer, len);
	}
}

int
main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (strcmp(cmd, "fds") == 0)
		return list_fds();
	if (strcmp(cmd, "pid") == 0) {
		printf("pid=%d ppid=%d\n", getpid(), getppid());
		return 0;
	}
	if (strcmp(cmd, "exit") == 0 && argc > 2)
		return atoi(argv[2]);
	if (strcmp(cmd, "segv") == 0) {
		volatile int *p = NULL;

		return *p;
	}
	if (strcmp(cmd, "kill") == 0 && argc > 2) {
		kill(getpid(), atoi(argv[2]));
		pause();
		return 1;
	}
	if (strcmp(cmd, "trap") == 0)
		return wait_signal();
	if (strcmp(cmd, "dumpable") == 0) {
		printf("dumpable=%d\n", prctl(PR_GET_DUMPABLE));
		return 0;
	}
	if (strcmp(cmd, "isatty") == 0) {
		printf("stdin=%d stdout=%d\n", isatty(0), isatty(1));
		return 0;
	}
	if (strcmp(cmd, "open") == 0 && argc > 2)
		return open_read(argv[2]);
	if (strcmp(cmd, "udp-echo") == 0 && argc > 2)
		return udp_echo(atoi(argv[2]));
	fprintf(stderr, "payload: unknown command '%s'\n", cmd);
	return 2;
}
