#include "devices.h"

#include "cleanup.h"
#include "plan.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/*
 * The only devices a container gets: the host's own nodes, bound read-only, as rootless
 * runc binds them, since /dev is nodev and a node made there would not open.  The console is the
 * container's own pty when there is a terminal, never the host's console (5:1), and
 * absent otherwise.
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
static_assert(ARRAY_SIZE(devices_table) <= DEVICES_MAX, "DEVICES_MAX is too small");

#define RWM (DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD)

/*
 * Docker's default: any node may be made (CAP_MKNOD stays, as there), only these may
 * be opened.  The pty slaves (136:*) and ptmx (5:2) are the container's own devpts;
 * /dev/net/tun is opened by the setup for the tap.
 */
const struct device_rule devices_allow[] = {
	{ 'c', DEVICE_ANY, DEVICE_ANY, DEVICE_MKNOD },
	{ 'b', DEVICE_ANY, DEVICE_ANY, DEVICE_MKNOD },
	{ 'c', 1, 3, RWM },            /* null */
	{ 'c', 1, 5, RWM },            /* zero */
	{ 'c', 1, 7, RWM },            /* full */
	{ 'c', 1, 8, RWM },            /* random */
	{ 'c', 1, 9, RWM },            /* urandom */
	{ 'c', 5, 0, RWM },            /* tty */
	{ 'c', 5, 1, RWM },            /* console */
	{ 'c', 5, 2, RWM },            /* ptmx */
	{ 'c', 136, DEVICE_ANY, RWM }, /* pts */
	{ 'c', 10, 200, RWM },         /* net/tun */
};
const size_t devices_allow_len = ARRAY_SIZE(devices_allow);

static const struct {
	const char *name, *target;
} device_links[] = {
	{ "ptmx", "pts/ptmx" },          { "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },  { "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
};

bool
devices_rules_allow(const struct device_rule *rules, size_t n, char type, unsigned major,
                    unsigned minor, unsigned access)
{
	for (size_t i = 0; i < n; i++) {
		const struct device_rule *r = &rules[i];

		if (r->type == type && (r->major == DEVICE_ANY || (unsigned)r->major == major) &&
		    (r->minor == DEVICE_ANY || (unsigned)r->minor == minor) &&
		    (access & ~r->access) == 0)
			return true;
	}
	return false;
}

bool
devices_cgroup_needed(const struct plan *p)
{
	if (!p->root || p->privileged || (p->caps & (UINT64_C(1) << CAP_SYS_ADMIN)))
		return true;
	for (int fd = 0; fd < 3; fd++) {
		struct stat st;

		/* Detached: stdout and stderr are (or become, in the child) the log's pipe. */
		if (fd > 0 && p->stdio_fd >= 0)
			continue;
		if (fstat(fd, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
			continue;
		if (!devices_rules_allow(devices_allow, devices_allow_len,
		                         S_ISCHR(st.st_mode) ? 'c' : 'b', major(st.st_rdev),
		                         minor(st.st_rdev), DEVICE_READ | DEVICE_WRITE))
			return true;
	}
	return false;
}

void
devices_close_nodes(int fds[])
{
	for (size_t i = 0; i < devices_table_len; i++)
		if (fds[i] >= 0)
			fds[i] = safe_close(fds[i]);
}

int
devices_make_nodes(int fds[], int *ret_fs, struct setup_error *e)
{
	/*
	 * The node's device nodes are its own: made on a small tmpfs of its own, not the
	 * host's.  A bind of the host's /dev/null would hand the node the host's inode, and a
	 * node with SYS_ADMIN (every lab node has it, as under Kathara) can remount a bind
	 * read-write, then chmod or chown the host's /dev/null.  Each node is a read-only bind
	 * of one of these (chmod and chown get EROFS; opening a device never asks the mount
	 * for write access), and a node that remounts it changes only its own copy.
	 */
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
	};
	_cleanup_close_ int fs = -1, dev = -1;

	for (size_t i = 0; i < devices_table_len; i++)
		fds[i] = -1;
	fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return setup_fail(e, -errno, "make the node's device nodes: fsopen tmpfs");
	if (fsconfig(fs, FSCONFIG_SET_STRING, "size", "16k", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "755", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return setup_fail(e, -errno, "make the node's device nodes: a tmpfs");
	dev = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	if (dev < 0)
		return setup_fail(e, -errno, "make the node's device nodes: mount the tmpfs");
	for (size_t i = 0; i < devices_table_len; i++) {
		const struct device_node *d = &devices_table[i];
		int r;

		if (d->flags & DEV_PTY_ONLY)
			continue;
		if (mknodat(dev, d->name, d->mode, makedev(d->major, d->minor)) < 0 ||
		    fchmodat(dev, d->name, d->mode & 07777, 0) < 0) {
			r = setup_fail(e, -errno, "make the node's '/dev/%s'", d->name);
			devices_close_nodes(fds);
			return r;
		}
		/* A detached copy of the mount: it survives pivot_root and the old root's detach. */
		fds[i] = open_tree(dev, d->name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (fds[i] < 0 ||
		    mount_setattr(fds[i], "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
			r = setup_fail(e, -errno, "bind the node's '/dev/%s' read-only", d->name);
			devices_close_nodes(fds);
			return r;
		}
	}
	*ret_fs = TAKE_FD(dev);
	return 0;
}

int
devices_populate(const char *dir, const int fds[], struct setup_error *e)
{
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r = 0;

	if (dfd < 0)
		return setup_fail(e, -errno, "open '%s'", dir);
	for (size_t i = 0; i < devices_table_len && r >= 0; i++) {
		const char *name = devices_table[i].name;
		int fd;

		if (fds[i] < 0)
			continue;
		/* The mount point: an empty file, which the bound node covers. */
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return setup_fail(e, -errno, "create '%s/%s'", dir, name);
		close(fd);
		if (move_mount(fds[i], "", dfd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			r = setup_fail(e, -errno, "bind the device node on '%s/%s'", dir, name);
	}
	for (size_t i = 0; i < ARRAY_SIZE(device_links) && r >= 0; i++)
		if (symlinkat(device_links[i].target, dfd, device_links[i].name) < 0)
			r = setup_fail(e, -errno, "create link '%s/%s'", dir, device_links[i].name);
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
