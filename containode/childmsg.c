#include "childmsg.h"

#include "cleanup.h"
#include "fdpass.h"

#include <errno.h>
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

int
child_msg_send(int sock, const struct child_msg *m, int fd)
{
	return fdpass_send(sock, m, sizeof(*m), fd);
}

int
child_msg_recv(int sock, struct child_msg *m, int *ret_fd)
{
	ssize_t n;

	n = fdpass_recv(sock, m, sizeof(*m), ret_fd);
	if (n < 0)
		return n;
	if (n == 0)
		return 0;
	if ((size_t)n != sizeof(*m)) {
		if (*ret_fd >= 0)
			*ret_fd = safe_close(*ret_fd);
		return -EBADMSG;
	}
	m->what[sizeof(m->what) - 1] = '\0';
	return 1;
}

/* The child's own (a clone shares no memory), set once before its setup. */
static int child_msg_ready = -1;

void
child_msg_set_ready(int fd)
{
	child_msg_ready = fd;
}

_Noreturn void
child_msg_fail(int sock, int code, int err, const char *what)
{
	struct child_msg m = { .type = CHILD_ERROR, .err = err < 0 ? -err : err, .code = code };

	snprintf(m.what, sizeof(m.what), "%s", what);
	(void)child_msg_send(sock, &m, -1);
	/* After the message: the caller that reads this waits for the parent's report. */
	if (child_msg_ready >= 0)
		(void)!write(child_msg_ready, "x", 1);
	_exit(code);
}
