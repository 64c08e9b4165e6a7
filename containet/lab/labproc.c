#include "labproc.h"

#include "cleanup.h"
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
labproc_starttime(pid_t pid, unsigned long long *ret)
{
	_cleanup_free_ char *buf = NULL;
	char path[64], *p;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	r = read_file_at(AT_FDCWD, path, 4096, &buf, NULL);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	/* The name (field 2) may hold anything, ')' included: fields resume after the last. */
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	p++;
	/* A zombie has finished: not alive for our purposes. */
	if (p[0] == ' ' && p[1] == 'Z')
		return -ESRCH;
	for (int field = 3; field < 22; field++) { /* to field 22 */
		p = strchr(p + 1, ' ');
		if (!p)
			return -EINVAL;
	}
	return sscanf(p, " %llu", ret) == 1 ? 0 : -EINVAL;
}

bool
labproc_alive(pid_t pid, unsigned long long start)
{
	unsigned long long now;

	return pid > 0 && labproc_starttime(pid, &now) == 0 && now == start;
}

static void
child_fd(int fd, int target, int flags)
{
	if (fd < 0 && target == 0)
		fd = open("/dev/null", flags);
	if (fd >= 0 && fd != target && dup2(fd, target) < 0)
		_exit(127);
	if (fd == target)
		fcntl(fd, F_SETFD, 0);
}

static void
child_signals(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
}

/* In the child: execs argv, or sends errno over the close-on-exec pipe and exits. */
static _Noreturn void
child_exec(char *const *argv, int err_pipe)
{
	int err;

	execvp(argv[0], argv);
	err = errno;
	(void)!write(err_pipe, &err, sizeof(err));
	_exit(127);
}

/* In the parent, the pipe's reading end (closed here): the exec's failure (the child
 * reaped), or 0 and *ret_pid once the exec closed the pipe. */
static int
exec_result(int err_pipe, pid_t pid, pid_t *ret_pid)
{
	int err;

	if (read(err_pipe, &err, sizeof(err)) == sizeof(err)) {
		close(err_pipe);
		waitpid(pid, NULL, 0);
		return -err;
	}
	close(err_pipe);
	*ret_pid = pid;
	return 0;
}

int
labproc_spawn(char *const *argv, int in_fd, int out_fd, int err_fd, pid_t *ret_pid)
{
	pid_t pid;
	int pipefd[2], err = 0;

	/* The exec's failure travels back over a close-on-exec pipe. */
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return err;
	}
	if (pid == 0) {
		close(pipefd[0]);
		child_signals();
		child_fd(in_fd, 0, O_RDONLY);
		child_fd(out_fd, 1, O_WRONLY);
		child_fd(err_fd, 2, O_WRONLY);
		child_exec(argv, pipefd[1]);
	}
	close(pipefd[1]);
	return exec_result(pipefd[0], pid, ret_pid);
}

static int
exit_status(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int
labproc_wait(pid_t pid, int timeout_ms, int *ret_status)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int st, waited = 0;

	for (;;) {
		pid_t r = waitpid(pid, &st, timeout_ms < 0 ? 0 : WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r == 0) {
			if (waited >= timeout_ms)
				return -ETIME;
			nanosleep(&tick, NULL);
			waited += 10;
		}
	}
	*ret_status = exit_status(st);
	return 0;
}

int
labproc_run(char *const *argv, int out_fd, int err_fd, int *ret_status)
{
	pid_t pid;
	int r = labproc_spawn(argv, -1, out_fd, err_fd, &pid);

	return r < 0 ? r : labproc_wait(pid, -1, ret_status);
}

/* Writes "PID STARTTIME" of the calling process into fd, from its start. */
static int
write_pid(int fd)
{
	unsigned long long start;
	char buf[64];
	int n, r = labproc_starttime(getpid(), &start);

	if (r < 0)
		return r;
	n = snprintf(buf, sizeof(buf), "%d %llu\n", (int)getpid(), start);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, n, 0) != n)
		return -errno;
	return 0;
}

/* Creates path empty and locks it: the owner's pid is written apart. */
static int
lock_take(const char *path, int *ret_fd)
{
	_cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0 || ftruncate(fd, 0) < 0)
		return -errno;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int
labproc_lock_new(const char *path, int *ret_fd)
{
	_cleanup_close_ int fd = -1;
	int r = lock_take(path, &fd);

	if (r == 0)
		r = write_pid(fd);
	if (r < 0)
		return r;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

static int
read_pid(int fd, pid_t *ret_pid, unsigned long long *ret_start)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	int pid;

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (sscanf(buf, "%d %llu", &pid, ret_start) != 2 || pid <= 0)
		return -EINVAL;
	*ret_pid = pid;
	return 0;
}

int
labproc_lock_owner(const char *path, pid_t *ret_pid, unsigned long long *ret_start)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return -errno;
	/* Held: its owner writes its pid right after taking it (or after the fork). */
	for (int waited = 0; waited < 1000; waited += 10) {
		if (read_pid(fd, ret_pid, ret_start) == 0 && labproc_alive(*ret_pid, *ret_start))
			return 1;
		if (flock(fd, LOCK_SH | LOCK_NB) == 0)
			return 0;
		nanosleep(&tick, NULL);
	}
	return -EBADMSG;
}

int
labproc_pidfile_read(const char *path, pid_t *ret_pid, unsigned long long *ret_start)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	return read_pid(fd, ret_pid, ret_start);
}

int
labproc_lock_wait(const char *path, int timeout_ms)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	for (int waited = 0; flock(fd, LOCK_SH | LOCK_NB) < 0; waited += 10) {
		if (errno != EWOULDBLOCK)
			return -errno;
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		nanosleep(&tick, NULL);
	}
	return 0;
}

int
labproc_daemon(char *const *argv, const char *log_path, const char *pid_path, pid_t *ret_pid)
{
	_cleanup_close_ int log_fd =
	        open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	_cleanup_close_ int lock_fd = -1;
	pid_t pid;
	int pipefd[2], err = 0;

	if (log_fd < 0)
		return -errno;
	/* Taken here, so that no moment exists where the child runs and the lock is free. */
	err = lock_take(pid_path, &lock_fd);
	if (err < 0)
		return err;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return err;
	}
	if (pid == 0) {
		close(pipefd[0]);
		child_signals();
		setsid();
		if (write_pid(lock_fd) < 0 || fcntl(lock_fd, F_SETFD, 0) < 0)
			_exit(127);
		child_fd(-1, 0, O_RDONLY);
		child_fd(log_fd, 1, O_WRONLY);
		child_fd(log_fd, 2, O_WRONLY);
		child_exec(argv, pipefd[1]);
	}
	close(pipefd[1]);
	return exec_result(pipefd[0], pid, ret_pid);
}

int
labproc_stop(pid_t pid, unsigned long long start, int grace_ms)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	if (!labproc_alive(pid, start))
		return 0;
	if (kill(pid, SIGTERM) < 0)
		return errno == ESRCH ? 0 : -errno;
	/* Our own child (a switch this process started) must be reaped to be gone. */
	for (int waited = 0; labproc_alive(pid, start); waited += 10) {
		waitpid(pid, NULL, WNOHANG);
		if (waited >= grace_ms && waited < grace_ms + 10)
			kill(pid, SIGKILL);
		if (waited > grace_ms + 5000)
			return -ETIMEDOUT;
		nanosleep(&tick, NULL);
	}
	return 0;
}
