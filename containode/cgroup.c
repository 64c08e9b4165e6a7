#include "cgroup.h"

#include "cleanup.h"
#include "devfilter.h"
#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Attempts at creating a directory whose parent another node may be removing meanwhile. */
#define CGROUP_CREATE_TRIES 8
/* How long removing waits for the last processes to leave a cgroup (EBUSY), in 10 ms. */
#define CGROUP_REMOVE_TRIES 200

static const char *const controller_names[CGROUP_CONTROLLERS] = {
	[CGROUP_DEVICES] = "devices", [CGROUP_MEMORY] = "memory",   [CGROUP_CPU] = "cpu",
	[CGROUP_PIDS] = "pids",       [CGROUP_UNIFIED] = "unified", [CGROUP_FREEZER] = "freezer",
};

const char *
cgroup_controller_name(enum cgroup_controller c)
{
	return c < CGROUP_CONTROLLERS ? controller_names[c] : NULL;
}

/* Whether the list of words separated by sep holds word. */
static bool
list_has(const char *list, size_t len, const char *word, char sep)
{
	size_t wlen = strlen(word);

	for (const char *p = list, *end = list + len; p < end;) {
		const char *comma = memchr(p, sep, end - p);
		size_t n = (comma ? comma : end) - p;

		if (n == wlen && memcmp(p, word, n) == 0)
			return true;
		p += n + 1;
	}
	return false;
}

/*
 * The caller's cgroup in the v1 hierarchy of controller name, or (name NULL) in v2,
 * from /proc/self/cgroup's "ID:CONTROLLERS:PATH" lines.  Points into text; sets *len.
 */
static const char *
self_path(const char *text, const char *name, size_t *len)
{
	for (const char *line = text; *line;) {
		const char *nl = strchrnul(line, '\n');
		const char *c1 = memchr(line, ':', nl - line);
		const char *c2 = c1 ? memchr(c1 + 1, ':', nl - c1 - 1) : NULL;

		if (c2) {
			bool v2 = c1 - line == 1 && line[0] == '0' && c2 == c1 + 1;

			if (name ? !v2 && list_has(c1 + 1, c2 - c1 - 1, name, ',') : v2) {
				*len = nl - c2 - 1;
				return c2 + 1;
			}
		}
		line = *nl ? nl + 1 : nl;
	}
	return NULL;
}

/* A mountinfo line's fields: root and mount point, and after " - " type and options. */
struct mount_fields {
	char *root, *point, *type, *options;
};

static bool
mount_fields(char *line, struct mount_fields *f)
{
	char *field[6], *save = NULL, *sep = strstr(line, " - ");
	char *tok = strtok_r(line, " ", &save);
	size_t n = 0;

	if (!sep)
		return false;
	*sep = '\0';
	for (; tok && n < 5; tok = strtok_r(NULL, " ", &save))
		field[n++] = tok;
	if (n < 5)
		return false;
	f->root = field[3];
	f->point = field[4];
	save = NULL;
	f->type = strtok_r(sep + 3, " ", &save);
	if (!f->type || !strtok_r(NULL, " ", &save))
		return false;
	f->options = strtok_r(NULL, " ", &save);
	return f->options != NULL;
}

/* point + the part of own (a path in the hierarchy) below root (what is mounted there). */
static char *
join_below(const char *point, const char *root, const char *own, size_t own_len)
{
	size_t root_len = strcmp(root, "/") == 0 ? 0 : strlen(root);
	char *dir;

	if (root_len && (own_len < root_len || memcmp(own, root, root_len) != 0 ||
	                 (own_len > root_len && own[root_len] != '/')))
		own_len = root_len = 0; /* outside what is mounted: its top */
	own += root_len;
	own_len -= root_len;
	while (own_len && own[own_len - 1] == '/')
		own_len--;
	if (asprintf(&dir, "%s%.*s", point, (int)own_len, own) < 0)
		return NULL;
	return dir;
}

/* cgroup_locate, or (top) the top of the hierarchy as far as it is mounted here. */
static int
locate(const char *mountinfo, const char *self, enum cgroup_controller c, bool top,
       enum cgroup_version *ret_version, char **ret_dir)
{
	const char *name = cgroup_controller_name(c);
	_cleanup_free_ char *copy = strdup(mountinfo);
	_cleanup_free_ char *v1 = NULL, *v2 = NULL;
	const char *own;
	size_t own_len;
	char *line, *save = NULL;

	if (!name)
		return -EINVAL;
	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct mount_fields f;

		if (!mount_fields(line, &f))
			continue;
		if (!v1 && c != CGROUP_UNIFIED && strcmp(f.type, "cgroup") == 0 &&
		    list_has(f.options, strlen(f.options), name, ',') &&
		    (own = self_path(self, name, &own_len)))
			v1 = join_below(f.point, f.root, top ? f.root : own,
			                top ? strlen(f.root) : own_len);
		else if (!v2 && strcmp(f.type, "cgroup2") == 0 &&
		         (own = self_path(self, NULL, &own_len)))
			v2 = join_below(f.point, f.root, top ? f.root : own,
			                top ? strlen(f.root) : own_len);
	}
	if (v1) {
		*ret_version = CGROUP_V1;
		*ret_dir = TAKE_PTR(v1);
		return 0;
	}
	if (v2) {
		*ret_version = CGROUP_V2;
		*ret_dir = TAKE_PTR(v2);
		return 0;
	}
	return -ENOENT;
}

int
cgroup_locate(const char *mountinfo, const char *self, enum cgroup_controller c,
              enum cgroup_version *ret_version, char **ret_dir)
{
	return locate(mountinfo, self, c, false, ret_version, ret_dir);
}

int
cgroup_parse_bytes(const char *s, uint64_t *ret)
{
	unsigned long long n;
	unsigned shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		return -errno;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	}
	if (shift)
		end++;
	if (*end)
		return -EINVAL;
	if (n == 0 || n > UINT64_MAX >> shift)
		return -ERANGE;
	*ret = (uint64_t)n << shift;
	return 0;
}

int
cgroup_parse_cpus(const char *s, uint32_t *ret_quota)
{
	uint64_t milli = 0;
	size_t whole = 0, decimals = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++, whole++) {
		milli = milli * 10 + (*p - '0');
		if (milli > 1024)
			return -ERANGE;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, decimals++) {
			if (decimals == 3)
				return -EINVAL;
			milli = milli * 10 + (*p - '0');
		}
		if (!decimals)
			return -EINVAL;
	}
	if (*p || !(whole + decimals))
		return -EINVAL;
	for (; decimals < 3; decimals++)
		milli *= 10;
	if (milli < 10 || milli > 1024000)
		return -ERANGE;
	*ret_quota = (uint32_t)(milli * CGROUP_CPU_PERIOD_US / 1000);
	return 0;
}

bool
cgroup_parent_valid(const char *s)
{
	const char *p = s + (*s == '/');

	if (strlen(s) > 1024)
		return false;
	for (;;) {
		const char *slash = strchrnul(p, '/');
		size_t n = slash - p;

		if (n == 0 || n > 255 || (n <= 2 && strncmp(p, "..", n) == 0))
			return false;
		/* '@' names the nodes' own directories, which the sweep removes. */
		for (const char *q = p; q < slash; q++)
			if (*q == '@' || (unsigned char)*q < 0x20 || *q == 0x7f)
				return false;
		if (!*slash)
			return true;
		p = slash + 1;
	}
}

unsigned
cgroup_limits_mask(const struct cgroup_limits *l)
{
	return (l->memory ? CGROUP_MASK(CGROUP_MEMORY) : 0) |
	       (l->cpu_quota ? CGROUP_MASK(CGROUP_CPU) : 0) |
	       (l->pids ? CGROUP_MASK(CGROUP_PIDS) : 0);
}

int64_t
cgroup_oom_kill_count(const char *text)
{
	for (const char *line = text; *line;) {
		const char *nl = strchrnul(line, '\n');

		if (strncmp(line, "oom_kill ", 9) == 0) {
			const char *num = line + 9;
			long long n;
			char *end;

			errno = 0;
			n = strtoll(num, &end, 10);
			if (errno || end == num || end != nl || n < 0 || *num < '0' || *num > '9')
				return -EINVAL;
			return n;
		}
		line = *nl ? nl + 1 : nl;
	}
	return -ENODATA;
}

/* One write of text into a cgroup file: the kernel takes each write as one request. */
static int
write_text(const char *dir, const char *file, const char *text)
{
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = -1;
	size_t len = strlen(text);

	if (dfd < 0)
		return -errno;
	fd = openat(dfd, file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		return -errno;
	return 0;
}

static int
read_text(const char *dir, const char *file, char **ret)
{
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return -errno;
	return read_file_at(dfd, file, 1 << 16, ret, NULL);
}

/* The directory above path. */
static void
parent_of(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');

	snprintf(buf, size, "%.*s", slash ? (int)(slash - path) : 0, path);
}

/*
 * Removes what nodes whose containode was killed left in the parent: directories named
 * for a process that is gone.  rmdir takes only empty cgroups; a live containode's stays.
 */
static void
sweep(const char *parent)
{
	_cleanup_closedir_ DIR *d = opendir(parent);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *at = strrchr(de->d_name, '@');
		char *end;
		long pid;

		if (de->d_type != DT_DIR || !at)
			continue;
		errno = 0;
		pid = strtol(at + 1, &end, 10);
		if (errno || *end || end == at + 1 || pid <= 0 || pid == getpid())
			continue;
		if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			(void)unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
	}
}

/*
 * What v2 has to enable in cgroup.subtree_control above the node for its controllers:
 * "+memory +cpu +pids" or part of it; "" when nothing.
 */
static void
v2_enable_text(unsigned controllers, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (enum cgroup_controller c = CGROUP_MEMORY; c <= CGROUP_PIDS; c++)
		if (controllers & CGROUP_MASK(c))
			n += snprintf(buf + n, size - n, "%s+%s", n ? " " : "",
			              controller_names[c]);
}

/*
 * The directories between CALLER and the node (mkdir -p), on v2 each handing the
 * controllers down from the one above, CALLER included.  The kernel refuses that
 * (EBUSY) where CALLER itself holds processes: v2 wants them in leaves only.
 */
static int
parents_create(const struct cgroup_dir *d)
{
	char parent[PATH_MAX], enable[64];
	size_t len;
	int r;

	parent_of(d->path, parent, sizeof(parent));
	len = strlen(parent);
	v2_enable_text(d->version == CGROUP_V2 ? d->controllers : 0, enable, sizeof(enable));
	for (size_t i = d->base_len; i <= len; i++) {
		if (i < len && parent[i] != '/')
			continue;
		parent[i] = '\0';
		if (i > d->base_len && mkdir(parent, 0755) < 0 && errno != EEXIST)
			return -errno;
		if (i < len && enable[0] &&
		    (r = write_text(parent, "cgroup.subtree_control", enable)) < 0)
			return r;
		if (i < len)
			parent[i] = '/';
	}
	if (enable[0])
		return write_text(parent, "cgroup.subtree_control", enable);
	return 0;
}

static int
dir_create(const struct cgroup_dir *d)
{
	char parent[PATH_MAX];
	int r;

	parent_of(d->path, parent, sizeof(parent));
	for (int i = 0; i < CGROUP_CREATE_TRIES; i++) {
		r = parents_create(d);
		if (r < 0 && r != -ENOENT)
			return r;
		if (i == 0)
			sweep(parent);
		if (r == 0 && mkdir(d->path, 0755) == 0)
			return 0;
		if (r == 0 && errno == EEXIST) {
			/* Left by an earlier containode of this pid; in use, it stays (EBUSY). */
			if (rmdir(d->path) < 0)
				return -errno;
			continue;
		}
		/* ENOENT: a parent removed by a node that just went */
		if (r == 0 && errno != ENOENT)
			return -errno;
	}
	return -EAGAIN;
}

/* rmdir, waiting a little for the node's last processes to be gone (EBUSY). */
static int
rmdir_wait(const char *path)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (int i = 0; rmdir(path) < 0; i++) {
		if (errno == ENOENT)
			return 0;
		if (errno != EBUSY || i == CGROUP_REMOVE_TRIES)
			return -errno;
		nanosleep(&tick, NULL);
	}
	return 0;
}

/* The node's directory, then those above it up to CALLER that no other node uses. */
static int
dir_remove(const struct cgroup_dir *d)
{
	char parent[PATH_MAX];
	int r = rmdir_wait(d->path);

	if (r < 0)
		return r;
	parent_of(d->path, parent, sizeof(parent));
	/* fails while another node uses it, as it should */
	while (strlen(parent) > d->base_len && rmdir(parent) == 0)
		*strrchr(parent, '/') = '\0';
	return 0;
}

/* Whether v2 directory base offers controller c to its children. */
static bool
v2_has(const char *base, enum cgroup_controller c)
{
	_cleanup_free_ char *text = NULL;

	if (c == CGROUP_DEVICES || c == CGROUP_UNIFIED) /* a BPF hook; the hierarchy itself */
		return true;
	if (read_text(base, "cgroup.controllers", &text) < 0)
		return false;
	text[strcspn(text, "\n")] = '\0';
	return list_has(text, strlen(text), controller_names[c], ' ');
}

/* Where the node's directory for controller c goes; 0, or -ENOENT when nowhere. */
static int
node_dir(const char *mountinfo, const char *self, enum cgroup_controller c, const char *parent,
         const char *id, struct cgroup_dir *ret)
{
	_cleanup_free_ char *base = NULL;
	enum cgroup_version v;
	char *path;
	int r;

	r = locate(mountinfo, self, c, parent[0] == '/', &v, &base);
	if (r < 0)
		return r;
	if (v == CGROUP_V2 && !v2_has(base, c))
		return -ENOENT;
	if (asprintf(&path, "%s/%s/%s@%d", base, parent + (parent[0] == '/'), id, (int)getpid()) <
	    0)
		return -ENOMEM;
	if (strlen(path) >= PATH_MAX) { /* the fixed buffers of parents_create and dir_remove */
		free(path);
		return -ENAMETOOLONG;
	}
	*ret = (struct cgroup_dir){ v, path, 0, strlen(base) };
	return 0;
}

int
cgroup_node_create(struct cgroup_node *node, const char *parent, const char *id, unsigned mask)
{
	_cleanup_free_ char *mountinfo = NULL, *self = NULL;
	int r;

	*node = (struct cgroup_node){};
	if (!cgroup_parent_valid(parent))
		return -EINVAL;
	r = read_file_at(AT_FDCWD, "/proc/self/mountinfo", 16 << 20, &mountinfo, NULL);
	if (r >= 0)
		r = read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 20, &self, NULL);
	if (r < 0)
		return r;
	for (enum cgroup_controller c = 0; c < CGROUP_CONTROLLERS && r >= 0; c++) {
		struct cgroup_dir d;
		size_t i;

		if (!(mask & CGROUP_MASK(c)))
			continue;
		r = node_dir(mountinfo, self, c, parent, id, &d);
		if (r == -ENOENT && c == CGROUP_UNIFIED) {
			/* No v2 hierarchy mounted: v1's freezer to pause, and to kill without a race. */
			mask |= CGROUP_MASK(CGROUP_FREEZER);
			r = 0;
			continue;
		}
		if (r == -ENOENT && c == CGROUP_FREEZER) {
			r = 0; /* not even that: nothing to kill or freeze with */
			continue;
		}
		if (r < 0)
			break;
		for (i = 0; i < node->n && strcmp(node->dirs[i].path, d.path) != 0; i++)
			;
		if (i == node->n)
			node->dirs[node->n++] = d;
		else
			free(d.path);
		node->dirs[i].controllers |= CGROUP_MASK(c);
	}
	for (size_t i = 0; i < node->n && r >= 0; i++)
		r = dir_create(&node->dirs[i]);
	if (r < 0)
		(void)cgroup_node_remove(node);
	return r;
}

int
cgroup_node_join(const struct cgroup_node *node)
{
	for (size_t i = 0; i < node->n; i++) {
		int r = write_text(node->dirs[i].path, "cgroup.procs", "0");

		if (r < 0)
			return r;
	}
	return 0;
}

int
cgroup_node_procs_open(const struct cgroup_node *node, unsigned mask, int fds[CGROUP_CONTROLLERS])
{
	int n = 0;

	for (size_t i = 0; i < node->n; i++) {
		_cleanup_close_ int dfd = -1;
		int fd;

		if (!(node->dirs[i].controllers & mask))
			continue;
		dfd = open(node->dirs[i].path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		fd = dfd < 0 ? -1 : openat(dfd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			int r = -errno;

			while (n > 0)
				close(fds[--n]);
			return r;
		}
		fds[n++] = fd;
	}
	return n;
}

int
cgroup_procs_write(int fd, pid_t pid)
{
	char text[16];
	int len = snprintf(text, sizeof(text), "%d", (int)pid);

	if (write(fd, text, len) != len)
		return errno ? -errno : -EIO;
	return 0;
}

static int
allow_devices_v1(const char *dir, const struct device_rule *rules, size_t n)
{
	int r = write_text(dir, "devices.deny", "a");

	for (size_t i = 0; i < n && r >= 0; i++) {
		char line[64];

		r = devfilter_rule_format(&rules[i], line, sizeof(line));
		if (r >= 0)
			r = write_text(dir, "devices.allow", line);
	}
	return r;
}

static int
allow_devices_v2(const char *dir, const struct device_rule *rules, size_t n)
{
	_cleanup_free_ struct bpf_insn *insns = calloc(DEVFILTER_INSNS(n), sizeof(*insns));
	_cleanup_close_ int prog = -1, dfd = -1;
	int len;

	if (!insns)
		return -ENOMEM;
	len = devfilter_build(rules, n, insns, DEVFILTER_INSNS(n));
	if (len < 0)
		return len;
	prog = devfilter_load(insns, len);
	if (prog < 0)
		return prog;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	/* The attachment holds the program: it goes with the cgroup. */
	return devfilter_attach(dfd, prog);
}

int
cgroup_node_allow_devices(const struct cgroup_node *node, const struct device_rule *rules, size_t n)
{
	for (size_t i = 0; i < node->n; i++) {
		const struct cgroup_dir *d = &node->dirs[i];

		if (!(d->controllers & CGROUP_MASK(CGROUP_DEVICES)))
			continue;
		return d->version == CGROUP_V1 ? allow_devices_v1(d->path, rules, n)
		                               : allow_devices_v2(d->path, rules, n);
	}
	return -ENOENT;
}

static int
set_limits(const struct cgroup_dir *d, const struct cgroup_limits *l)
{
	bool v2 = d->version == CGROUP_V2;
	char buf[64];
	int r = 0;

	if (l->memory && (d->controllers & CGROUP_MASK(CGROUP_MEMORY))) {
		snprintf(buf, sizeof(buf), "%" PRIu64, l->memory);
		r = write_text(d->path, v2 ? "memory.max" : "memory.limit_in_bytes", buf);
		/*
		 * No swap beyond the limit, so that a node over it is killed, not swapped
		 * out; the file is absent without swap accounting, which changes nothing then.
		 */
		if (r >= 0) {
			r = write_text(d->path,
			               v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes",
			               v2 ? "0" : buf);
			r = r == -ENOENT ? 0 : r;
		}
	}
	if (r >= 0 && l->cpu_quota && (d->controllers & CGROUP_MASK(CGROUP_CPU))) {
		if (v2) {
			snprintf(buf, sizeof(buf), "%u %u", l->cpu_quota, CGROUP_CPU_PERIOD_US);
			r = write_text(d->path, "cpu.max", buf);
		} else {
			snprintf(buf, sizeof(buf), "%u", CGROUP_CPU_PERIOD_US);
			r = write_text(d->path, "cpu.cfs_period_us", buf);
			snprintf(buf, sizeof(buf), "%u", l->cpu_quota);
			if (r >= 0)
				r = write_text(d->path, "cpu.cfs_quota_us", buf);
		}
	}
	if (r >= 0 && l->pids && (d->controllers & CGROUP_MASK(CGROUP_PIDS))) {
		snprintf(buf, sizeof(buf), "%" PRIu64, l->pids);
		r = write_text(d->path, "pids.max", buf);
	}
	return r;
}

int
cgroup_node_set_limits(const struct cgroup_node *node, const struct cgroup_limits *l)
{
	for (size_t i = 0; i < node->n; i++) {
		int r = set_limits(&node->dirs[i], l);

		if (r < 0)
			return r;
	}
	return 0;
}

int64_t
cgroup_node_oom_kills(const struct cgroup_node *node)
{
	for (size_t i = 0; i < node->n; i++) {
		const struct cgroup_dir *d = &node->dirs[i];
		_cleanup_free_ char *text = NULL;
		int r;

		if (!(d->controllers & CGROUP_MASK(CGROUP_MEMORY)))
			continue;
		r = read_text(d->path,
		              d->version == CGROUP_V2 ? "memory.events" : "memory.oom_control",
		              &text);
		return r < 0 ? r : cgroup_oom_kill_count(text);
	}
	return -ENOENT;
}

const char *
cgroup_node_unified(const struct cgroup_node *node)
{
	for (size_t i = 0; i < node->n; i++)
		if (node->dirs[i].controllers & CGROUP_MASK(CGROUP_UNIFIED))
			return node->dirs[i].path;
	return NULL;
}

unsigned
cgroup_node_unified_mask(const struct cgroup_node *node)
{
	for (size_t i = 0; i < node->n; i++)
		if (node->dirs[i].controllers & CGROUP_MASK(CGROUP_UNIFIED))
			return node->dirs[i].controllers;
	return 0;
}

int
cgroup_node_remove(struct cgroup_node *node)
{
	const char *v2 = cgroup_node_unified(node);
	int r = 0;

	/*
	 * Whatever might still run in the node goes first: rmdir takes only empty cgroups.
	 * Mostly nothing does (the node's PID 1 is reaped, and in a PID namespace of its own
	 * every process of the node went with it), and then the kill, which waits for the
	 * cgroup lock that every cgroup change on the machine takes, is not needed.
	 */
	if (v2 && rmdir(v2) < 0 && errno == EBUSY)
		(void)write_text(v2, "cgroup.kill", "1");
	for (size_t i = node->n; i-- > 0;) {
		int q = dir_remove(&node->dirs[i]);

		if (q < 0 && r == 0)
			r = q;
		free(node->dirs[i].path);
	}
	*node = (struct cgroup_node){};
	return r;
}

const char *
cgroup_node_path(const struct cgroup_node *node)
{
	return node->n ? node->dirs[0].path : "";
}
