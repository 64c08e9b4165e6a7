#include "devices.h"

#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/*
 * The only devices a container gets.  The console is the container's own pty when there
 * is a terminal, never the host's console (5:1), and absent otherwise.
 */
const struct device_node devices_table[] = {
	{ "null", S_IFCHR | 0666, 1, 3, 0 },
	{ "zero", S_IFCHR | 0666, 1, 5, 0 },
	{ "full", S_IFCHR | 0666, 1, 7, 0 },
	{ "random", S_IFCHR | 0666, 1, 8, 0 },
	{ "urandom", S_IFCHR | 0666, 1, 9, 0 },
	{ "tty", S_IFCHR | 0666, 5, 0, 0 },
	{ "console", S_IFREG | 0600, 0, 0, DEV_PTY_ONLY },
};
const size_t devices_table_len = ARRAY_SIZE(devices_table);

static const struct {
	const char *name, *target;
} device_links[] = {
	{ "ptmx", "pts/ptmx" },
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
};

int
devices_populate(const char *dir, struct setup_error *e)
{
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	mode_t old = umask(0);
	int r = 0;

	if (dfd < 0) {
		umask(old);
		return setup_fail(e, -errno, "open '%s'", dir);
	}
	for (size_t i = 0; i < devices_table_len && r >= 0; i++) {
		const struct device_node *d = &devices_table[i];

		if (d->flags & DEV_PTY_ONLY)
			continue;
		if (mknodat(dfd, d->name, d->mode, makedev(d->major, d->minor)) < 0)
			r = setup_fail(e, -errno, "create device '%s/%s'", dir, d->name);
	}
	for (size_t i = 0; i < ARRAY_SIZE(device_links) && r >= 0; i++)
		if (symlinkat(device_links[i].target, dfd, device_links[i].name) < 0)
			r = setup_fail(e, -errno, "create link '%s/%s'", dir, device_links[i].name);
	umask(old);
	return r;
}

int
devices_bind_console(const char *dir, const char *pty, struct setup_error *e)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/console", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return setup_fail(e, -errno, "create '%s'", path);
	close(fd);
	if (mount(pty, path, NULL, MS_BIND, NULL) < 0)
		return setup_fail(e, -errno, "bind '%s' on '%s'", pty, path);
	return 0;
}
