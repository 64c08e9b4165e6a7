#include "mounts.h"

#include "cleanup.h"
#include "fileio.h"
#include "rmtree.h"
#include "security.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
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
	{ "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=65536k", false },
};

/*
 * Once in the node's network namespace, whose devices it shows; read-only by a remount
 * (the host's netns shares its superblock, which stays rw).
 */
static const struct mount_entry mount_sys = {
	.source = "sysfs",
	.target = "/sys",
	.fstype = "sysfs",
	.flags = NOSUID_NODEV_NOEXEC,
	.readonly = true,
};

/* As crun's and Docker's defaults: hidden (files under /dev/null, dirs under an empty tmpfs). */
static const char *const masked_paths[] = {
	"/proc/acpi",
	"/proc/asound",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/proc/sched_debug",
	"/proc/scsi",
	"/sys/firmware",
	"/sys/devices/virtual/powercap",
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
	const char *stage = host_root ? "/dev" : p->root, *where;
	char opts[256], target[64];
	int r;

	/* Paths by fd: commas or colons in ROOT or TOP cannot confuse the option parser. */
	lower = open(p->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (lower < 0)
		return setup_fail(e, -errno, "open root '%s'", p->root);
	if (p->ephemeral || host_root) {
		/* Mounted over STAGE in this namespace only; lower still reaches what it hid. */
		if (mount("tmpfs", stage, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") < 0)
			return setup_fail(e, -errno, "mount tmpfs for the upper layer on '%s'",
			                  stage);
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
	/*
	 * --volatile: overlayfs then never syncs the upper layer on disk, neither at
	 * unmount (where it would sync the whole of TOP's file system, milliseconds to
	 * seconds on a busy disk) nor when the node calls fsync.  The changes reach the
	 * disk as any file's do, by the kernel's writeback; a crash of the machine while
	 * the node runs leaves overlayfs' mark, which the next start finds
	 * (mounts_prepare_top).  Opt-in: a node's fsync must mean what it says unless the
	 * user chose otherwise.  Kernels before 5.10 do not know the option.
	 */
	snprintf(opts, sizeof(opts),
	         "lowerdir=/proc/self/fd/%d,upperdir=/proc/self/fd/%d,workdir=/proc/self/fd/%d%s",
	         lower, upper, work, p->volatile_upper && !p->ephemeral ? ",volatile" : "");
	if (scratch >= 0)
		snprintf(target, sizeof(target), "/proc/self/fd/%d/merged", scratch);
	where = scratch >= 0 ? target : p->root;
	r = mount("overlay", where, "overlay", MS_NODEV, opts);
	if (r < 0 && errno == EINVAL && p->volatile_upper && !p->ephemeral) {
		*strrchr(opts, ',') = '\0'; /* without ",volatile" */
		r = mount("overlay", where, "overlay", MS_NODEV, opts);
	}
	if (r < 0)
		return setup_fail(e, -errno, "mount overlay on '%s'", p->root);
	if (scratch >= 0 ? fchdir(scratch) < 0 || chdir("merged") < 0 : chdir(p->root) < 0)
		return setup_fail(e, -errno, "enter the overlay on '%s'", p->root);
	return 0;
}

void
mounts_volumes_close(struct mounts_volumes *v)
{
	for (size_t i = 0; i < v->n; i++)
		v->fd[i] = safe_close(v->fd[i]);
	v->n = 0;
}

/*
 * The volumes' sources, while the host's tree is in reach and once the namespace is
 * private, so that the copies are private too: nothing mounted in them reaches the host.
 * Every mount in them is nosuid and nodev (the node opens no device through a volume),
 * and read-only throughout with :ro.
 */
static int
volumes_open(const struct plan *p, struct mounts_volumes *v, struct setup_error *e)
{
	for (size_t i = 0; i < p->n_volumes; i++) {
		const struct plan_volume *vol = &p->volumes[i];
		struct mount_attr attr = {
			.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			            (vol->readonly ? MOUNT_ATTR_RDONLY : 0),
			.propagation = MS_PRIVATE,
		};
		int fd;

		fd = open_tree(AT_FDCWD, vol->src,
		               OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (fd < 0)
			return setup_fail(e, -errno, "--volume: source '%s'", vol->src);
		v->fd[v->n++] = fd;
		if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
			return setup_fail(e, -errno, "--volume: set the mount options of '%s'",
			                  vol->src);
	}
	return 0;
}

/* The path of a volume's DST resolved in root: a symlink leads no further than the root. */
static int
open_in_root(int root, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = syscall(SYS_openat2, root, path, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

/*
 * One step along a volume's DST: prefix (DST up to name) opened in root, or made in
 * parent (what prefix less name resolved to) as a directory, or as an empty file for the
 * last step of a file's volume.  Returns the fd or -errno, with what failed in e.
 */
static int
volume_step(int root, int parent, const char *prefix, const char *name, bool want_dir,
            bool may_create, struct setup_error *e)
{
	struct stat st;
	int fd, r;

	fd = open_in_root(root, prefix);
	if (fd == -ENOENT && may_create) {
		if (want_dir)
			r = mkdirat(parent, name, 0755);
		else
			r = openat(parent, name,
			           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (r < 0 && errno != EEXIST)
			return setup_fail(e, -errno, "--volume: create '%s' in the node", prefix);
		if (r >= 0 && !want_dir)
			close(r);
		fd = open_in_root(root, prefix);
		/* Still missing after it was made: a symlink into nowhere. */
		if (fd == -ENOENT)
			return setup_fail(e, fd, "--volume: '%s' in the node is a dangling symlink",
			                  prefix);
	}
	if (fd == -ENOENT)
		return setup_fail(e, fd,
		                  "--volume: '%s' does not exist (on the host's root, "
		                  "containode makes no mount point)",
		                  prefix);
	if (fd < 0)
		return setup_fail(e, fd, "--volume: open '%s' in the node", prefix);
	if (fstat(fd, &st) < 0)
		r = setup_fail(e, -errno, "--volume: stat '%s' in the node", prefix);
	else if (want_dir != !!S_ISDIR(st.st_mode))
		r = setup_fail(e, want_dir ? -ENOTDIR : -EISDIR,
		               "--volume: '%s' in the node is %sa directory, the source %s", prefix,
		               S_ISDIR(st.st_mode) ? "" : "not ", want_dir ? "is one" : "is not");
	else
		return fd;
	close(fd);
	return r;
}

/*
 * Where a volume goes: dst (normalised) resolved inside the node's root whatever the
 * image's symlinks say, the directories missing on the way made, and the last one a
 * directory or an empty file as the source is.  All of it lands in the overlay's upper
 * layer; without a root of the node's own (may_create false) the tree is the host's,
 * where nothing is made.
 */
static int
volume_target(const char *dst, bool dir, bool may_create, int *ret_fd, struct setup_error *e)
{
	_cleanup_close_ int root = -1, parent = -1;
	char prefix[PATH_MAX], name[NAME_MAX + 1];
	const char *c = dst;

	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0 || (parent = fcntl(root, F_DUPFD_CLOEXEC, 0)) < 0)
		return setup_fail(e, -errno, "open the node's root");
	while (*c) {
		size_t n;
		int fd;

		c += strspn(c, "/");
		n = strcspn(c, "/");
		if (n > NAME_MAX)
			return setup_fail(e, -ENAMETOOLONG, "--volume: '%s' in the node", dst);
		snprintf(name, sizeof(name), "%.*s", (int)n, c);
		c += n;
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(c - dst), dst);
		fd = volume_step(root, parent, prefix, name, *c || dir, may_create, e);
		if (fd < 0)
			return fd;
		close(parent);
		parent = fd;
	}
	*ret_fd = TAKE_FD(parent);
	return 0;
}

/*
 * The volumes, in the order given.  DST never lies in /proc or /sys (the plan refuses
 * such paths; a symlink could still lead there and is refused here), where a bind could
 * hide what the node must not change.
 */
static int
volumes_attach(const struct plan *p, struct mounts_volumes *v, struct setup_error *e)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct plan_volume *vol = &p->volumes[i];
		_cleanup_close_ int target = -1;
		struct statfs sfs;
		struct stat st;
		int r;

		if (fstat(v->fd[i], &st) < 0)
			return setup_fail(e, -errno, "--volume: stat source '%s'", vol->src);
		r = volume_target(vol->dst, S_ISDIR(st.st_mode), p->root != NULL, &target, e);
		if (r < 0)
			return r;
		if (fstatfs(target, &sfs) < 0)
			return setup_fail(e, -errno, "--volume: statfs '%s'", vol->dst);
		if (sfs.f_type == PROC_SUPER_MAGIC || sfs.f_type == SYSFS_MAGIC)
			return setup_fail(e, -EPERM, "--volume: '%s' leads into /proc or /sys",
			                  vol->dst);
		if (move_mount(v->fd[i], "", target, "",
		               MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return setup_fail(e, -errno, "--volume: bind '%s' on '%s'", vol->src,
			                  vol->dst);
		v->fd[i] = safe_close(v->fd[i]);
	}
	return 0;
}

int
mounts_root(const struct plan *p, struct mounts_volumes *v, struct setup_error *e)
{
	int r;

	v->n = 0;
	/* Nothing done from here on may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return setup_fail(e, -errno, "make the mount namespace private");
	r = volumes_open(p, v, e);
	if (r < 0)
		return r;
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
	if (mount(NULL, "/proc/sys/net", NULL, MS_BIND | MS_REMOUNT | NOSUID_NODEV_NOEXEC, NULL) <
	    0)
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
		r = mount_one(&mounts_late[i], p->privileged, e);
		if (r < 0)
			return r;
	}
	/* Before the volumes, so that one on an /etc file replaces containode's. */
	return mounts_etc(p, e);
}

int
mounts_finish(const struct plan *p, struct mounts_volumes *v, struct setup_error *e)
{
	/* --privileged: /sys writable, nothing masked or read-only, as Docker. */
	int r = mount_one(&mount_sys, p->privileged, e);

	if (r < 0)
		return r;
	/* Before the masks and read-only paths, which nothing may cover. */
	r = volumes_attach(p, v, e);
	if (r < 0)
		return r;
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
	return 0;
}

int
mounts_check_root(const struct plan *p)
{
	struct stat st;

	if (stat(p->root, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* The overlay's own directory in the work dir, and its mark of a volatile mount in use. */
#define WORK_OVERLAY "work"
#define WORK_VOLATILE "work/incompat/volatile"
/* What earlier runs left there, set aside to be removed later: "old-PID-N". */
#define WORK_OLD "old-"

/* The time this machine booted, in seconds since the epoch; 0 when unknown. */
static long long
boot_time(void)
{
	_cleanup_free_ char *text = NULL;
	const char *b;

	if (read_file_at(AT_FDCWD, "/proc/stat", 1 << 20, &text, NULL) < 0)
		return 0;
	b = strstr(text, "\nbtime ");
	return b ? strtoll(b + 7, NULL, 10) : 0;
}

/*
 * Sets what an earlier run of overlayfs left in the work dir aside (a rename, which
 * frees nothing: on a file system that discards freed blocks at once, as ext4 mounted
 * with discard and without a journal does, every removed directory is a round trip to
 * the disk), for mounts_sweep_work to remove while the node starts.
 */
static int
work_set_aside(int dfd)
{
	char name[64];

	for (unsigned n = 0; n < 1000; n++) {
		snprintf(name, sizeof(name), WORK_OLD "%d-%u", (int)getpid(), n);
		if (renameat2(dfd, WORK_OVERLAY, dfd, name, RENAME_NOREPLACE) == 0 ||
		    errno == ENOENT)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int
mounts_prepare_top(const struct plan *p, int *ret_lock)
{
	_cleanup_close_ int dfd = -1;
	struct stat st;

	*ret_lock = -1;
	if (p->ephemeral)
		return 0;
	if (mkdir(p->top, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mkdir(p->work, 0700) < 0 && errno != EEXIST)
		return -errno;
	dfd = open(p->work, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return -errno;
	/* One node at a time: a second one would clean the work dir the first one uses. */
	if (flock(dfd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? -EBUSY : -errno;
	/*
	 * The mark of a volatile mount that did not end cleanly.  Made before this boot,
	 * the machine went down while a node wrote TOP, and what it wrote last may never
	 * have reached the disk; made since, only containode was killed, and the kernel
	 * still has all of it.
	 */
	if (fstatat(dfd, WORK_VOLATILE, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    st.st_ctim.tv_sec < boot_time())
		return -EUCLEAN;
	if (work_set_aside(dfd) < 0)
		return -errno;
	*ret_lock = TAKE_FD(dfd);
	return 0;
}

/* Removes what was set aside in the work dir (fd). */
static void
sweep_work(int fd)
{
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	struct dirent *de;

	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (strncmp(de->d_name, WORK_OLD, strlen(WORK_OLD)) == 0)
			(void)rm_rf_at(dirfd(d), de->d_name);
}

int
mounts_sweep_work(int lock)
{
	int fd;

	if (lock < 0)
		return 0;
	/* A fd of its own: readdir's position is the open file's, which lock must not share. */
	fd = openat(lock, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	sweep_work(fd);
	return 0;
}

int
mounts_remove_work(const struct plan *p, int lock)
{
	if (!p->work || p->ephemeral || lock < 0)
		return 0;
	/* Set aside, mark and all: the next run removes it, rm of a detached node too. */
	return work_set_aside(lock);
}
