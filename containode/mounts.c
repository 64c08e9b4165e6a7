#include "mounts.h"

#include "cleanup.h"
#include "rmtree.h"
#include "security.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NOSUID_NODEV_NOEXEC (MS_NOSUID | MS_NODEV | MS_NOEXEC)

struct mount_entry {
	const char *source, *target, *fstype;
	unsigned long flags;
	const char *data;
	bool readonly;
};

/* Mounted before the device nodes are made. */
static const struct mount_entry mounts_early[] = {
	{ "proc", "/proc", "proc", NOSUID_NODEV_NOEXEC, NULL, false },
	/* nodev: the nodes in it are the host's, bound (a mount of their own, not nodev). */
	{ "tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NODEV | MS_STRICTATIME, "mode=755,size=65536k",
	  false },
};

/* And after them; mqueue only with an IPC namespace of its own. */
static const struct mount_entry mounts_late[] = {
	{ "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	  "newinstance,ptmxmode=0666,mode=0620,gid=5", false },
	{ "shm", "/dev/shm", "tmpfs", NOSUID_NODEV_NOEXEC, "mode=1777,size=65536k", false },
	{ "mqueue", "/dev/mqueue", "mqueue", NOSUID_NODEV_NOEXEC, NULL, false },
	/* Read-only by a remount: the host's netns shares its superblock, which stays rw. */
	{ "sysfs", "/sys", "sysfs", NOSUID_NODEV_NOEXEC, NULL, true },
	{ "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=65536k", false },
};

/* As crun's and Docker's defaults: hidden (files under /dev/null, dirs under an empty tmpfs). */
static const char *const masked_paths[] = {
	"/proc/acpi",	     "/proc/asound",	"/proc/kcore",	      "/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
	"/proc/scsi",	     "/sys/firmware",	"/sys/devices/virtual/powercap",
};

static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static int
mount_one(const struct mount_entry *m, bool writable, struct setup_error *e)
{
	if (mkdir(m->target, 0755) < 0 && errno != EEXIST)
		return setup_fail(e, -errno, "create mount point '%s'", m->target);
	if (mount(m->source, m->target, m->fstype, m->flags, m->data) < 0) {
		/*
		 * The host root with the host network: the same sysfs is mounted there
		 * already and the kernel refuses it on top of itself.  A bind does it.
		 */
		if (errno != EBUSY || mount(m->target, m->target, NULL, MS_BIND | MS_REC, NULL) < 0)
			return setup_fail(e, -errno, "mount %s on '%s'", m->fstype, m->target);
	}
	if (m->readonly && !writable &&
	    mount(NULL, m->target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | m->flags, NULL) < 0)
		return setup_fail(e, -errno, "make '%s' read-only", m->target);
	return 0;
}

/*
 * The overlay: ROOT read-only below, TOP (or a tmpfs) above, mounted over ROOT itself;
 * nodev, so that a node made in it (or brought in ROOT or TOP) opens nothing.
 *
 * The host's root ("-r /") cannot be mounted over: a mount on "/" sits above the root
 * that every lookup of "/" starts from, so pivot_root would find the old root again (and
 * the ephemeral layer's directories would land in the host's "/").  Its overlay goes on a
 * scratch tmpfs over /dev instead, a directory every host has and that the setup needs no
 * more (the host's device nodes are open already, and all of it is left behind with the
 * old root).
 */
static int
mount_overlay(const struct plan *p, struct setup_error *e)
{
	_cleanup_close_ int lower = -1, upper = -1, work = -1, scratch = -1;
	bool host_root = strcmp(p->root, "/") == 0;
	const char *stage = host_root ? "/dev" : p->root;
	char opts[256], target[64];

	/* Paths by fd: commas or colons in ROOT or TOP cannot confuse the option parser. */
	lower = open(p->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (lower < 0)
		return setup_fail(e, -errno, "open root '%s'", p->root);
	if (p->ephemeral || host_root) {
		/* Mounted over STAGE in this namespace only; lower still reaches what it hid. */
		if (mount("tmpfs", stage, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") < 0)
			return setup_fail(e, -errno, "mount tmpfs for the upper layer on '%s'", stage);
		scratch = open(stage, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (scratch < 0 || mkdirat(scratch, "merged", 0755) < 0 ||
		    (p->ephemeral &&
		     (mkdirat(scratch, "upper", 0755) < 0 || mkdirat(scratch, "work", 0700) < 0)))
			return setup_fail(e, -errno, "prepare the upper layer");
	}
	if (p->ephemeral) {
		upper = openat(scratch, "upper", O_PATH | O_DIRECTORY | O_CLOEXEC);
		work = openat(scratch, "work", O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else {
		upper = open(p->top, O_PATH | O_DIRECTORY | O_CLOEXEC);
		work = open(p->work, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if (upper < 0 || work < 0)
		return setup_fail(e, -errno, "open the upper layer '%s'",
				  p->ephemeral ? "tmpfs" : p->top);
	snprintf(opts, sizeof(opts),
		 "lowerdir=/proc/self/fd/%d,upperdir=/proc/self/fd/%d,workdir=/proc/self/fd/%d",
		 lower, upper, work);
	if (scratch >= 0) {
		snprintf(target, sizeof(target), "/proc/self/fd/%d/merged", scratch);
		if (mount("overlay", target, "overlay", MS_NODEV, opts) < 0 || fchdir(scratch) < 0 ||
		    chdir("merged") < 0)
			return setup_fail(e, -errno, "mount overlay on '%s'", p->root);
	} else if (mount("overlay", p->root, "overlay", MS_NODEV, opts) < 0 || chdir(p->root) < 0)
		return setup_fail(e, -errno, "mount overlay on '%s'", p->root);
	return 0;
}

int
mounts_root(const struct plan *p, struct setup_error *e)
{
	int r;

	/* Nothing done from here on may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return setup_fail(e, -errno, "make the mount namespace private");
	if (p->root) {
		r = mount_overlay(p, e);
		if (r < 0)
			return r;
		/*
		 * pivot_root(".", ".") stacks the old root on top of the new one; detaching
		 * it leaves the container with no path back to the host's tree.
		 */
		if (syscall(SYS_pivot_root, ".", ".") < 0)
			return setup_fail(e, -errno, "pivot_root into '%s'", p->root);
		if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
			return setup_fail(e, -errno, "detach the old root");
	}
	for (size_t i = 0; i < ARRAY_SIZE(mounts_early); i++) {
		r = mount_one(&mounts_early[i], false, e);
		if (r < 0)
			return r;
	}
	return 0;
}

static int
mask_path(const char *path, struct setup_error *e)
{
	struct stat st;
	int r;

	if (stat(path, &st) < 0)
		return 0; /* nothing to hide */
	if (S_ISDIR(st.st_mode))
		r = mount("tmpfs", path, "tmpfs", MS_RDONLY | NOSUID_NODEV_NOEXEC, "size=0");
	else
		r = mount("/dev/null", path, NULL, MS_BIND, NULL);
	if (r < 0)
		return setup_fail(e, -errno, "mask '%s'", path);
	return 0;
}

static int
readonly_path(const char *path, struct setup_error *e)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
		if (errno == ENOENT)
			return 0;
		return setup_fail(e, -errno, "bind '%s'", path);
	}
	if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | NOSUID_NODEV_NOEXEC, NULL) <
	    0)
		return setup_fail(e, -errno, "make '%s' read-only", path);
	return 0;
}

/*
 * The node's own network's sysctls, under the read-only /proc/sys: a writable bind of
 * /proc/sys/net, which shows the network namespace of whoever reads it.
 */
static int
writable_proc_sys_net(struct setup_error *e)
{
	if (mount("/proc/sys/net", "/proc/sys/net", NULL, MS_BIND, NULL) < 0)
		return setup_fail(e, -errno, "bind '/proc/sys/net'");
	if (mount(NULL, "/proc/sys/net", NULL, MS_BIND | MS_REMOUNT | NOSUID_NODEV_NOEXEC, NULL) < 0)
		return setup_fail(e, -errno, "make '/proc/sys/net' writable");
	return 0;
}

static int
write_file(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(text);

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		return errno ? -errno : -EIO;
	return 0;
}

/*
 * /etc/hostname, /etc/hosts and /etc/resolv.conf: written to /run and bound over the
 * image's files, as Docker does, so TOP only ever holds what the command changed.
 * A missing file (or a symlink, often into the host's /run) is replaced in the
 * container's own root; the host root is never written to.
 */
static int
mount_etc_file(const struct plan *p, const char *name, const char *text, struct setup_error *e)
{
	char src[64], dst[64];
	struct stat st;
	int r;

	snprintf(src, sizeof(src), "/run/containode/%s", name);
	snprintf(dst, sizeof(dst), "/etc/%s", name);
	r = write_file(src, text);
	if (r < 0)
		return setup_fail(e, r, "write '%s'", src);
	if (lstat(dst, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (!p->root)
			return 0;
		if (mkdir("/etc", 0755) < 0 && errno != EEXIST)
			return setup_fail(e, -errno, "create '/etc'");
		(void)unlink(dst);
		r = write_file(dst, "");
		if (r < 0)
			return setup_fail(e, r, "create '%s'", dst);
	}
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
		return setup_fail(e, -errno, "bind '%s'", dst);
	return 0;
}

static int
mounts_etc(const struct plan *p, struct setup_error *e)
{
	_cleanup_free_ char *hosts = plan_hosts(p);
	char hostname[80];
	int r;

	if (!hosts)
		return setup_fail(e, -ENOMEM, "make /etc/hosts");
	if (mkdir("/run/containode", 0755) < 0)
		return setup_fail(e, -errno, "create '/run/containode'");
	snprintf(hostname, sizeof(hostname), "%s\n", plan_hostname(p));
	r = mount_etc_file(p, "hostname", hostname, e);
	if (r >= 0)
		r = mount_etc_file(p, "hosts", hosts, e);
	if (r >= 0 && p->resolv_conf)
		r = mount_etc_file(p, "resolv.conf", p->resolv_conf, e);
	return r;
}

int
mounts_rest(const struct plan *p, struct setup_error *e)
{
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(mounts_late); i++) {
		if (p->host_ipc && strcmp(mounts_late[i].fstype, "mqueue") == 0)
			continue;
		/* --privileged: /sys writable, nothing masked or read-only, as Docker. */
		r = mount_one(&mounts_late[i], p->privileged, e);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(masked_paths) && !p->privileged; i++) {
		r = mask_path(masked_paths[i], e);
		if (r < 0)
			return r;
	}
	/* While /proc/sys is writable, as runc does. */
	r = security_sysctls(p, e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(readonly_paths) && !p->privileged; i++) {
		r = readonly_path(readonly_paths[i], e);
		if (r < 0)
			return r;
	}
	if (!p->privileged && plan_proc_sys_net_writable(p) && (r = writable_proc_sys_net(e)) < 0)
		return r;
	return mounts_etc(p, e);
}

int
mounts_check_root(const struct plan *p)
{
	struct stat st;

	if (stat(p->root, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int
mounts_prepare_top(const struct plan *p)
{
	if (p->ephemeral)
		return 0;
	if (mkdir(p->top, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mkdir(p->work, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int
mounts_remove_work(const struct plan *p)
{
	_cleanup_close_ int dfd = -1;

	if (!p->work || p->ephemeral)
		return 0;
	/* What overlayfs leaves there, usually empty: removed directly, without a walk. */
	dfd = open(p->work, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)unlinkat(dfd, "work", AT_REMOVEDIR);
		(void)unlinkat(dfd, "index", AT_REMOVEDIR);
	}
	if (rmdir(p->work) == 0 || errno == ENOENT)
		return 0;
	return rm_rf_at(AT_FDCWD, p->work);
}
