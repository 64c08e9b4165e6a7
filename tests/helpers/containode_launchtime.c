/*
 * The launcher benchmark's stopwatch: start-to-exit times of several commands, measured
 * in interleaved rounds (command 1, 2, ..., then again), so that a noisy neighbour
 * weighs on all of them alike.
 *
 *   containode_launchtime RUNS WARMUP CMD1 [ARG]... -- CMD2 [ARG]... [-- ...]
 *
 * Prints one line per command: "median_us p10_us p90_us failed_runs".  The commands'
 * output goes to /dev/null.
 */
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 32

extern char **environ;

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* One run: the time from spawn to reaped, or a negative value when it failed. */
static double
run_once(char **argv, posix_spawn_file_actions_t *fa)
{
	double t0 = now_us(), t1;
	pid_t pid;
	int status;

	if (posix_spawn(&pid, argv[0], fa, NULL, argv, environ) != 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	t1 = now_us();
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? t1 - t0 : -(t1 - t0);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	char **cmds[MAX_CMDS];
	int ncmds = 0, runs, warmup;
	posix_spawn_file_actions_t fa;
	_cleanup_free_ double *t = NULL;
	int failed[MAX_CMDS] = { 0 };

	if (argc < 4) {
		fprintf(stderr, "usage: %s RUNS WARMUP CMD [ARG]... [-- CMD [ARG]...]...\n",
		        argv[0]);
		return 2;
	}
	runs = atoi(argv[1]);
	warmup = atoi(argv[2]);
	if (runs < 1 || warmup < 0)
		return 2;
	cmds[ncmds++] = &argv[3];
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--") != 0)
			continue;
		argv[i] = NULL;
		if (i + 1 >= argc)
			continue;
		/* Never a command quietly left out: the caller counts the lines. */
		if (ncmds == MAX_CMDS) {
			fprintf(stderr, "%s: more than %d commands\n", argv[0], MAX_CMDS);
			return 2;
		}
		cmds[ncmds++] = &argv[i + 1];
	}
	t = calloc((size_t)runs * ncmds, sizeof(*t));
	if (!t)
		return 1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	for (int r = -warmup; r < runs; r++)
		for (int c = 0; c < ncmds; c++) {
			double d = run_once(cmds[c], &fa);

			if (r < 0)
				continue;
			if (d < 0) {
				failed[c]++;
				d = -d;
			}
			t[c * runs + r] = d;
		}
	for (int c = 0; c < ncmds; c++) {
		double *v = &t[c * runs];

		qsort(v, runs, sizeof(*v), cmp_double);
		printf("%.0f %.0f %.0f %d\n", v[runs / 2], v[runs / 10], v[runs * 9 / 10],
		       failed[c]);
	}
	posix_spawn_file_actions_destroy(&fa);
	return 0;
}
