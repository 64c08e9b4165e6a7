#include "cgroup.h"

#include "cleanup.h"
#include "devfilter.h"
#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

DEFINE_CLEANUP_FUNC(DIR *, closedir)
#define _cleanup_closedir_ _cleanup_(closedirp)

/* Attempts at creating a directory whose parent another node may be removing meanwhile. */
#define CGROUP_CREATE_TRIES 8

static const char *const controller_names[CGROUP_CONTROLLERS] = {
	[CGROUP_DEVICES] = "devices",
};

const char *
cgroup_controller_name(enum cgroup_controller c)
{
	return c < CGROUP_CONTROLLERS ? controller_names[c] : NULL;
}

/* Whether the comma-separated list holds word. */
static bool
list_has(const char *list, size_t len, const char *word)
{
	size_t wlen = strlen(word);

	for (const char *p = list, *end = list + len; p < end;) {
		const char *comma = memchr(p, ',', end - p);
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

			if (name ? !v2 && list_has(c1 + 1, c2 - c1 - 1, name) : v2) {
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

int
cgroup_locate(const char *mountinfo, const char *self, enum cgroup_controller c,
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
		if (!v1 && strcmp(f.type, "cgroup") == 0 &&
		    list_has(f.options, strlen(f.options), name) &&
		    (own = self_path(self, name, &own_len)))
			v1 = join_below(f.point, f.root, own, own_len);
		else if (!v2 && strcmp(f.type, "cgroup2") == 0 &&
			 (own = self_path(self, NULL, &own_len)))
			v2 = join_below(f.point, f.root, own, own_len);
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

/* The directory above path: containode/, shared by the nodes. */
static void
parent_of(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');

	snprintf(buf, size, "%.*s", slash ? (int)(slash - path) : 0, path);
}

/*
 * Removes what nodes whose containode was killed left in containode/: directories named
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

static int
dir_create(const char *path)
{
	char parent[4096];

	parent_of(path, parent, sizeof(parent));
	for (int i = 0; i < CGROUP_CREATE_TRIES; i++) {
		if (mkdir(parent, 0755) < 0 && errno != EEXIST)
			return -errno;
		if (i == 0)
			sweep(parent);
		if (mkdir(path, 0755) == 0)
			return 0;
		if (errno == EEXIST) {
			/* Left by an earlier containode of this pid; in use, it stays (EBUSY). */
			if (rmdir(path) < 0)
				return -errno;
			continue;
		}
		if (errno != ENOENT) /* ENOENT: parent removed by a node that just went */
			return -errno;
	}
	return -EAGAIN;
}

static int
dir_remove(const char *path)
{
	char parent[4096];

	if (rmdir(path) < 0 && errno != ENOENT)
		return -errno;
	parent_of(path, parent, sizeof(parent));
	(void)rmdir(parent); /* fails while another node uses it, as it should */
	return 0;
}

int
cgroup_node_create(struct cgroup_node *node, const char *id, unsigned mask)
{
	_cleanup_free_ char *mountinfo = NULL, *self = NULL;
	int r;

	*node = (struct cgroup_node){};
	r = read_file_at(AT_FDCWD, "/proc/self/mountinfo", 16 << 20, &mountinfo, NULL);
	if (r >= 0)
		r = read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 20, &self, NULL);
	if (r < 0)
		return r;
	for (enum cgroup_controller c = 0; c < CGROUP_CONTROLLERS && r >= 0; c++) {
		_cleanup_free_ char *base = NULL, *path = NULL;
		enum cgroup_version v;
		size_t i;

		if (!(mask & CGROUP_MASK(c)))
			continue;
		r = cgroup_locate(mountinfo, self, c, &v, &base);
		if (r < 0)
			break;
		if (asprintf(&path, "%s/containode/%s@%d", base, id, (int)getpid()) < 0) {
			r = -ENOMEM;
			break;
		}
		for (i = 0; i < node->n && strcmp(node->dirs[i].path, path) != 0; i++)
			;
		if (i == node->n) {
			r = dir_create(path);
			if (r < 0)
				break;
			node->dirs[node->n++] = (struct cgroup_dir){ v, TAKE_PTR(path), 0 };
		}
		node->dirs[i].controllers |= CGROUP_MASK(c);
	}
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

static int
allow_devices_v1(const char *dir, const struct device_rule *rules, size_t n)
{
	int r = write_text(dir, "devices.deny", "a");

	for (size_t i = 0; i < n && r >= 0; i++) {
		char line[64];

		r = devices_rule_format(&rules[i], line, sizeof(line));
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
cgroup_node_allow_devices(const struct cgroup_node *node, const struct device_rule *rules,
			  size_t n)
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

int
cgroup_node_remove(struct cgroup_node *node)
{
	int r = 0;

	for (size_t i = node->n; i-- > 0;) {
		int q = dir_remove(node->dirs[i].path);

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
