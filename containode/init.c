#include "init.h"

#include "childmsg.h"
#include "ns.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The command, in the init's child: its own session, and the terminal if there is one. */
static _Noreturn void
init_exec(const struct plan *p, int sock)
{
	sigset_t none;
	char what[256];
	int r;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (setsid() < 0)
		child_msg_fail(sock, EXIT_LAUNCHER, errno, "start a session");
	if (p->tty && ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
		child_msg_fail(sock, EXIT_LAUNCHER, errno, "make the pty the controlling terminal");
	r = ns_exec(p->argv, p->env, plan_env_get(p, "PATH"));
	snprintf(what, sizeof(what), "exec '%s'", p->argv[0]);
	child_msg_fail(sock, plan_exec_exit_code(r), r, what);
}

_Noreturn void
init_run(const struct plan *p, int sock)
{
	sigset_t all;
	pid_t child;

	/* Blocked before the fork so that nothing sent in between is lost. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	child = fork();
	if (child < 0)
		child_msg_fail(sock, EXIT_LAUNCHER, errno, "fork the command");
	if (child == 0)
		init_exec(p, sock);
	/* Only the command's copy of the pipes stays: its exec closes the last one. */
	close(sock);
	if (p->ready_fd >= 0)
		close(p->ready_fd);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si), status;
		pid_t pid;

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			if (pid == child)
				_exit(plan_exit_code(status));
	}
}
