/* sd_notify(3) without libsystemd: the readiness datagram of a Type=notify service. */
#include "sdnotify.h"

#include "cleanup.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int
sdnotify_address(const char *value, struct sockaddr_un *ret, socklen_t *ret_len)
{
	size_t n = value ? strlen(value) : 0;

	if (n < 2 || (value[0] != '/' && value[0] != '@'))
		return -EINVAL;
	if (n > sizeof(ret->sun_path) || (value[0] == '/' && n == sizeof(ret->sun_path)))
		return -ENAMETOOLONG;
	memset(ret, 0, sizeof(*ret));
	ret->sun_family = AF_UNIX;
	memcpy(ret->sun_path, value, n);
	if (value[0] == '@')
		ret->sun_path[0] = '\0'; /* abstract: the name is the n - 1 bytes after the NUL */
	/* A path is sent with its NUL, an abstract name with exactly its own bytes. */
	*ret_len = offsetof(struct sockaddr_un, sun_path) + n + (value[0] == '/');
	return 0;
}

int
sdnotify_send(const char *state)
{
	const char *value = getenv("NOTIFY_SOCKET");
	_cleanup_close_ int fd = -1;
	struct sockaddr_un sa;
	socklen_t len;
	ssize_t n;
	int r;

	if (!value)
		return 0;
	r = sdnotify_address(value, &sa, &len);
	unsetenv("NOTIFY_SOCKET");
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	do
		n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == strlen(state) ? 0 : -EMSGSIZE;
}
