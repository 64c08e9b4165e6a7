#include "labmgmtrun.h"

#include "cleanup.h"
#include "fileio.h"
#include "labproc.h"
#include "labstate.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define HOSTS_FILE_MAX (4 * 1024 * 1024)

/* Runs argv, its output kept; on failure the output goes to stderr.  0 or -errno (logged). */
static int
run_logged(char *const *argv, const char *what)
{
	_cleanup_close_ int fd = memfd_create("labmgmt", MFD_CLOEXEC);
	char buf[4096];
	ssize_t n;
	int e, st = 0;

	if (fd < 0)
		return LAB_FAIL(-errno, log_error_errno(-errno, "%s: memfd", what));
	e = labproc_run(argv, fd, fd, &st);
	if (e < 0)
		return LAB_FAIL(e, log_error_errno(e, "%s: run '%s'", what, argv[0]));
	if (st == 0)
		return 0;
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		(void)!write(STDERR_FILENO, buf, (size_t)n);
	log_error("%s: '%s' exited with status %d", what, argv[0], st);
	return -ECHILD;
}

static char *
mgmt_path(const struct labrun *r)
{
	char *s;

	return asprintf(&s, "%s/mgmt", r->plan.state_dir) < 0 ? NULL : s;
}

int
labmgmtrun_read(const struct labrun *r, struct labmgmt *ret)
{
	_cleanup_free_ char *path = mgmt_path(r), *buf = NULL;
	size_t len = 0;
	int e;

	if (!path)
		return LAB_FAIL(-ENOMEM, log_error("out of memory"));
	e = read_file_at(AT_FDCWD, path, LABMGMT_STATE_MAX, &buf, &len);
	if (e == -ENOENT)
		return 0;
	if (e < 0)
		return LAB_FAIL(e, log_error_errno(e, "read '%s'", path));
	e = labmgmt_parse(buf, len, ret);
	if (e < 0)
		return LAB_FAIL(e, log_error("'%s': not a management segment's state", path));
	return 1;
}

int
labmgmtrun_write(const struct labrun *r, const struct labmgmt *m)
{
	_cleanup_free_ char *text = labmgmt_format(m);

	if (!text)
		return LAB_FAIL(-ENOMEM, log_error("out of memory"));
	return labstate_write(r->plan.state_dir, "mgmt", text);
}

/* The /24s of LABMGMT_PREFIX that an address of this network namespace lies in or covers. */
static int
taken_nets(bool taken[256])
{
	struct ifaddrs *ifa = NULL;
	struct in_addr base;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	inet_pton(AF_INET, LABMGMT_PREFIX ".0.0", &base);
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		uint32_t a, mask;
		unsigned len;

		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !i->ifa_netmask)
			continue;
		a = ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr);
		mask = ntohl(((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr);
		len = (unsigned)__builtin_popcount(mask);
		/* Overlap of two prefixes: equal under the shorter one's mask. */
		mask = len < 24 ? mask : 0xffffff00u;
		for (unsigned net = 0; net < 256; net++) {
			uint32_t cand = ntohl(base.s_addr) | (net << 8);

			if ((cand & mask) == (a & mask))
				taken[net] = true;
		}
	}
	freeifaddrs(ifa);
	return 0;
}

int
labmgmtrun_up(struct labrun *r, struct labmgmt *m)
{
	const struct lab *lab = r->lab;
	_cleanup_free_ char *sock = NULL, *subnet = NULL, *gwaddr = NULL;
	bool taken[256] = {};
	char gw[16];
	int e;

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < lab->n_nodes; i++)
		if (labconf_node_flag(&lab->nodes[i], LAB_NODE_BRIDGED, false)) {
			e = labmgmt_add_node(m, lab->nodes[i].name);
			if (e == -ENOSPC)
				return LAB_FAIL(e, log_error("lab '%s': more than %d bridged nodes",
				                             r->plan.name, LABMGMT_HOSTS_MAX));
		}
	if (m->n_nodes == 0)
		return 0;
	e = taken_nets(taken);
	if (e < 0)
		return LAB_FAIL(e, log_error_errno(e, "read the host's addresses"));
	if (labmgmt_pick(r->plan.name, taken, &m->net) < 0)
		return LAB_FAIL(-ENOSPC, log_error("lab '%s': every /24 of %s.0.0/16 is in use "
		                                   "here: no management segment",
		                                   r->plan.name, LABMGMT_PREFIX));
	if (m->net != labmgmt_preferred(r->plan.name))
		log_warn("lab '%s': %s.%u.0/24 is in use here; its management segment is "
		         "%s.%u.0/24",
		         r->plan.name, LABMGMT_PREFIX, labmgmt_preferred(r->plan.name),
		         LABMGMT_PREFIX, m->net);
	labmgmt_port_name(r->plan.state_dir, m->port);
	/* The state first: down finds the port's table even if up dies right after. */
	e = labmgmtrun_write(r, m);
	if (e < 0)
		return e;
	labmgmt_addr(m, LABMGMT_GATEWAY, gw);
	if (asprintf(&sock, "%s/switch.sock", r->plan.state_dir) < 0 ||
	    asprintf(&subnet, "%s.%u.0/24", LABMGMT_PREFIX, m->net) < 0 ||
	    asprintf(&gwaddr, "%s/24", gw) < 0)
		return LAB_FAIL(-ENOMEM, log_error("out of memory"));
	{
		char *seg[] = { (char *)r->containet, "-s",       sock,   "segment", "add",
			        LABMGMT_SEGMENT,      "--subnet", subnet, NULL };
		char *host[] = { (char *)r->containet,
			         "-s",
			         sock,
			         "host",
			         "add",
			         m->port,
			         "--segment",
			         LABMGMT_SEGMENT,
			         "--ipv4",
			         gwaddr,
			         "--masquerade",
			         NULL };

		e = run_logged(seg, "the management segment");
		if (e == 0)
			e = run_logged(host, "the management segment's host port");
		if (e < 0)
			return e;
	}
	r->plan.mgmt = m;
	return 0;
}

/* Writes text over path: a temporary file renamed over it, or in place where it is a mount. */
static int
hosts_replace(const char *path, const char *text, size_t len)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	struct stat st;
	int e = 0;

	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			return -errno;
		st.st_mode = 0644;
		st.st_uid = getuid();
		st.st_gid = getgid();
	}
	if (asprintf(&tmp, "%s.containet-%d", path, (int)getpid()) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
	if (fd >= 0) {
		if (fchown(fd, st.st_uid, st.st_gid) < 0 || fchmod(fd, st.st_mode & 07777) < 0 ||
		    write_all(fd, text, len) < 0 || fsync(fd) < 0)
			e = -errno;
		if (e == 0 && rename(tmp, path) == 0)
			return 0;
		if (e == 0)
			e = -errno;
		unlink(tmp);
		if (e != -EBUSY && e != -EXDEV)
			return e;
	} else if (errno != EROFS && errno != EACCES) {
		return -errno;
	}
	/* A bind-mounted file (EBUSY): the same inode, rewritten. */
	close(TAKE_FD(fd));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write_all(fd, text, len) < 0 || ftruncate(fd, (off_t)len) < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

int
labmgmtrun_hosts(const struct labrun *r, const struct lab *lab, const struct labmgmt *m,
                 bool update)
{
	const char *env = getenv("CONTAINET_HOSTS_FILE");
	const char *path = env && *env ? env : LABMGMT_HOSTS_FILE;
	struct labmgmt_host hosts[LABMGMT_HOSTS_MAX];
	char addrs[LABMGMT_HOSTS_MAX][16];
	_cleanup_free_ char *old = NULL, *text = NULL, *dir = strdup(path);
	_cleanup_close_ int dirfd = -1;
	size_t len = 0, text_len = 0, n = 0;
	int e;

	if (!dir)
		return LAB_FAIL(-ENOMEM, log_error("out of memory"));
	/* Two labs writing at once: one at a time, by a lock on the file's directory. */
	if (strrchr(dir, '/'))
		strrchr(dir, '/')[strrchr(dir, '/') == dir ? 1 : 0] = '\0';
	else
		strcpy(dir, ".");
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd >= 0)
		while (flock(dirfd, LOCK_EX) < 0 && errno == EINTR)
			;
	e = read_file_at(AT_FDCWD, path, HOSTS_FILE_MAX, &old, &len);
	if (e == -ENOENT && !m)
		return 0;
	if (e < 0 && e != -ENOENT)
		return LAB_FAIL(e, log_error_errno(e, "read '%s'", path));
	if (update) {
		/* The lab's begin line, at a line's start: labmgmt_hosts_edit judges the rest. */
		_cleanup_free_ char *mark = NULL;
		const char *at;

		if (asprintf(&mark, "# containet lab %s begin", r->plan.name) < 0)
			return LAB_FAIL(-ENOMEM, log_error("out of memory"));
		at = old ? strstr(old, mark) : NULL;
		while (at && at != old && at[-1] != '\n')
			at = strstr(at + 1, mark);
		if (!at)
			return 0;
	}
	for (size_t i = 0; m && i < m->n_nodes; i++) {
		labmgmt_addr(m, m->nodes[i].host, addrs[n]);
		hosts[n] = (struct labmgmt_host){ addrs[n], m->nodes[i].name,
			                          lab && lab->domain ? lab->domain : r->plan.name };
		n++;
	}
	e = labmgmt_hosts_edit(old ? old : "", old ? len : 0, r->plan.name, hosts, n, &text,
	                       &text_len);
	if (e == -EINVAL)
		return LAB_FAIL(e, log_error("'%s': the block of lab '%s' is damaged (a begin "
		                             "without its end?), or a name cannot go there",
		                             path, r->plan.name));
	if (e < 0)
		return LAB_FAIL(e, log_error("out of memory"));
	if (old && text_len == len && memcmp(text, old, len) == 0)
		return 0;
	e = hosts_replace(path, text, text_len);
	if (e < 0)
		return LAB_FAIL(e, log_error_errno(e, "write '%s'", path));
	return 0;
}

void
labmgmtrun_down(const struct labrun *r)
{
	struct labmgmt m;
	_cleanup_free_ char *script = NULL;

	if (labmgmtrun_read(r, &m) == 1 &&
	    asprintf(&script, "delete table ip containet-%s", m.port) >= 0) {
		/* The switch removes its table as it exits; one a SIGKILL left goes here. */
		char *list[] = { "nft", "list", "table", "ip", script + 16, NULL };
		char *del[] = { "nft", script, NULL };
		_cleanup_close_ int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
		int st;

		if (labproc_run(list, devnull, devnull, &st) == 0 && st == 0)
			run_logged(del, "remove the management segment's nftables table");
	}
	labmgmtrun_hosts(r, NULL, NULL, false);
}
