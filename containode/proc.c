#include "proc.h"

#include "cleanup.h"
#include "fileio.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

int
proc_start(pid_t pid, uint64_t *ret)
{
	_cleanup_free_ char *text = NULL;
	char path[64];
	char state;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	r = read_file_at(AT_FDCWD, path, 4096, &text, NULL);
	if (r == -ENOENT)
		return -ESRCH;
	if (r < 0)
		return r;
	r = state_stat_start(text, &state, ret);
	/* A zombie has ended: nobody has reaped it yet. */
	return r < 0 ? r : state == 'Z' || state == 'X' ? -ESRCH : 0;
}

bool
proc_is(pid_t pid, uint64_t start)
{
	uint64_t now;

	return pid > 0 && proc_start(pid, &now) == 0 && now == start;
}
