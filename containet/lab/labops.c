/*
 * `lab wait` and `lab pingall` (labops.h): the lab's topology from its state directory,
 * the nodes reached through `containode ps` and `containode exec`, at most `jobs` of
 * those at once, and pingall's echo requests from a socket in each node's network
 * namespace; what comes back is read by labaddr's and labping's pure code.
 */
#include "labops.h"

#include "cleanup.h"
#include "errtext.h"
#include "fileio.h"
#include "json.h"
#include "labaddr.h"
#include "labjson.h"
#include "labmgmtrun.h"
#include "labping.h"
#include "labproc.h"
#include "log.h"
#include "monotime.h"
#include "strv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/icmp.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

DEFINE_CLEANUP_FUNC(struct lab *, labconf_free)

#define OUTPUT_MAX (1 << 20) /* of one command whose output is read */
#define RETRY_MS 100

static void
sleep_ms(long long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int
labops_state_lab(const struct labrun *r, struct lab **ret)
{
	_cleanup_free_ char *path = NULL, *buf = NULL, *err = NULL;
	size_t len = 0;
	int e;

	if (asprintf(&path, "%s/lab.json", r->plan.state_dir) < 0)
		return LAB_FAIL(1, log_error("out of memory"));
	e = read_file_at(AT_FDCWD, path, LAB_FILE_MAX, &buf, &len);
	if (e == -ENOENT)
		return LAB_FAIL(1, log_error("lab '%s' is not up", r->plan.name));
	if (e < 0)
		return LAB_FAIL(1, log_error_errno(e, "read '%s'", path));
	e = labjson_parse(buf, len, path, ret, &err);
	if (e < 0 && err)
		return LAB_FAIL(1, log_error("%s", err));
	if (e < 0)
		return LAB_FAIL(1, log_error_errno(e, "read '%s'", path));
	return 0;
}

/* 0 when the lab that is up has the node, else 1 with the error said. */
int
labops_node_check(const struct labrun *r, const char *node)
{
	_cleanup_(labconf_freep) struct lab *lab = NULL;
	int e = labops_state_lab(r, &lab);

	if (e)
		return e;
	for (size_t i = 0; i < lab->n_nodes; i++)
		if (strcmp(lab->nodes[i].name, node) == 0)
			return 0;
	return LAB_FAIL(1, log_error("lab '%s' has no node '%s'", r->plan.name, node));
}

static void
job_read(struct labops_job *j)
{
	off_t end = lseek(j->fd, 0, SEEK_END);

	if (end > 0 && end <= OUTPUT_MAX && (j->out = malloc((size_t)end + 1))) {
		ssize_t n = pread(j->fd, j->out, (size_t)end, 0);

		j->len = n > 0 ? (size_t)n : 0;
		j->out[j->len] = '\0';
	}
	close(j->fd);
	j->fd = -1;
}

int
labops_run_jobs(struct labops_job *jobs, size_t n, unsigned max, int devnull)
{
	size_t next = 0, done = 0;
	unsigned running = 0;

	while (done < n) {
		while (running < max && next < n) {
			struct labops_job *j = &jobs[next++];

			j->fd = memfd_create("labops", MFD_CLOEXEC);
			if (j->fd < 0 || labproc_spawn(j->argv, -1, j->fd, devnull, &j->pid) < 0) {
				if (j->fd >= 0)
					close(j->fd);
				j->fd = -1;
				j->pid = 0;
				j->status = 127;
				done++;
				continue;
			}
			running++;
		}
		if (running == 0)
			continue;
		int st;
		pid_t pid = waitpid(-1, &st, 0);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (size_t i = 0; i < next; i++) {
			if (jobs[i].pid != pid)
				continue;
			jobs[i].pid = 0;
			jobs[i].status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			job_read(&jobs[i]);
			running--;
			done++;
			break;
		}
	}
	return 0;
}

void
labops_jobs_free(struct labops_job *jobs, size_t n)
{
	for (size_t i = 0; jobs && i < n; i++) {
		strv_free(jobs[i].argv);
		free(jobs[i].out);
	}
	free(jobs);
}

/*
 * `containode ps -a --json` over the lab's nodes, its output in *ret (len *ret_len, free
 * it): one run answers for every node.  0 or -errno.
 */
static int
ps_json(const struct labrun *r, int devnull, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *sd = NULL;
	struct labops_job j = { .fd = -1 };
	int e;

	*ret = NULL;
	if (asprintf(&sd, "--state-dir=%s/nodes", r->plan.state_dir) < 0)
		return -ENOMEM;
	{
		char *argv[] = { (char *)r->containode, sd, "ps", "-a", "--json", NULL };

		if (strv_extend(&j.argv, argv) < 0)
			return -ENOMEM;
	}
	e = labops_run_jobs(&j, 1, 1, devnull);
	strv_free(j.argv);
	if (e == 0 && (j.status != 0 || !j.out))
		e = -EIO;
	if (e < 0) {
		free(j.out);
		return e;
	}
	*ret = j.out;
	*ret_len = j.len;
	return 0;
}

/* Every node runs: the first that does not, or NULL; -errno when ps could not be read. */
static int
first_not_running(const struct labrun *r, const struct lab *lab, int devnull, const char **ret)
{
	_cleanup_free_ char *out = NULL;
	size_t len = 0;
	int e;

	*ret = NULL;
	e = ps_json(r, devnull, &out, &len);
	for (size_t i = 0; e == 0 && i < lab->n_nodes; i++) {
		_cleanup_free_ char *id = labplan_identity(&r->plan, lab->nodes[i].name),
		                    *st = NULL;

		if (!id) {
			e = -ENOMEM;
			break;
		}
		e = labaddr_ps_status(out, len, id, &st);
		if (e == 0 && (!st || strcmp(st, "running") != 0)) {
			*ret = lab->nodes[i].name;
			break;
		}
	}
	return e;
}

int
labops_wait(const struct labrun *r, unsigned timeout_s, const char *node, char *const *cmd)
{
	_cleanup_(labconf_freep) struct lab *lab = NULL;
	_cleanup_strv_ char **argv = NULL;
	_cleanup_close_ int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	long long deadline = monotime_ms() + (long long)timeout_s * 1000;
	const char *waiting = NULL;
	int e, last = -1;

	e = labops_state_lab(r, &lab);
	if (e)
		return e;
	if (node) {
		bool found = false;

		for (size_t i = 0; i < lab->n_nodes; i++)
			found |= strcmp(lab->nodes[i].name, node) == 0;
		if (!found)
			return LAB_FAIL(1,
			                log_error("lab '%s' has no node '%s'", r->plan.name, node));
		if (labplan_exec_argv(&r->plan, r->containode, node, false, cmd, &argv) < 0)
			return LAB_FAIL(1, log_error("out of memory"));
	}
	for (;;) {
		long long left;
		pid_t pid;

		if (!node) {
			e = first_not_running(r, lab, devnull, &waiting);
			if (e == -ENOMEM)
				return LAB_FAIL(1, log_error("out of memory"));
			if (e == 0 && !waiting)
				return 0;
			if (e < 0)
				waiting = "(containode ps failed)";
		} else if (labproc_spawn(argv, -1, devnull, devnull, &pid) < 0) {
			return LAB_FAIL(1, log_error_errno(-errno, "run '%s'", r->containode));
		} else {
			left = deadline - monotime_ms();
			e = labproc_wait(pid, left > 0 ? (int)left : 0, &last);
			if (e == -ETIME) {
				kill(pid, SIGTERM);
				labproc_wait(pid, -1, &last);
				break;
			}
			if (e == 0 && last == 0)
				return 0;
		}
		left = deadline - monotime_ms();
		if (left <= 0)
			break;
		sleep_ms(left < RETRY_MS ? left : RETRY_MS);
	}
	if (!node)
		return LAB_FAIL(1,
		                log_error("timeout after %us: node %s of lab '%s' is not running",
		                          timeout_s, waiting ? waiting : "?", r->plan.name));
	return LAB_FAIL(1, log_error("timeout after %us: '%s' did not succeed in node %s "
	                             "(last exit status %d)",
	                             timeout_s, cmd[0], node, last));
}

/* --- pingall --- */

struct node_addrs {
	struct labaddr *v;
	size_t n;
};

/* The addresses the lab declares for a node (node[N.ip] as A.B.C.D/LEN), as eth<N>. */
static int
declared_addrs(const struct lab_node *n, struct node_addrs *ret)
{
	for (size_t k = 0; k < n->n_ifaces; k++) {
		const char *ip = n->ifaces[k].ipv4;
		const char *slash = ip ? strchr(ip, '/') : NULL;
		struct labaddr *nv;
		size_t alen;

		if (!ip || !slash || (alen = (size_t)(slash - ip)) >= 16)
			continue;
		nv = realloc(ret->v, (ret->n + 1) * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		ret->v = nv;
		memset(&nv[ret->n], 0, sizeof(*nv));
		snprintf(nv[ret->n].ifname, sizeof(nv->ifname), "eth%u", n->ifaces[k].index);
		memcpy(nv[ret->n].addr, ip, alen);
		nv[ret->n].prefixlen = (unsigned)strtoul(slash + 1, NULL, 10);
		ret->n++;
	}
	return 0;
}

/* The segment of a node's interface named ifname (eth<N>), or (size_t)-1. */
static size_t
iface_segment(const struct lab_node *n, const char *ifname)
{
	char buf[LABADDR_IFNAME_MAX + 1];

	for (size_t k = 0; k < n->n_ifaces; k++) {
		snprintf(buf, sizeof(buf), "eth%u", n->ifaces[k].index);
		if (strcmp(buf, ifname) == 0)
			return n->ifaces[k].segment;
	}
	return (size_t)-1;
}

static bool
on_segment(const struct lab_node *n, size_t seg)
{
	for (size_t k = 0; k < n->n_ifaces; k++)
		if (n->ifaces[k].segment == seg)
			return true;
	return false;
}

/*
 * The address from pings to: one of to's on a segment from is on too, else on a subnet
 * of from's, else to's first (then the path is routed).
 */
static const char *
target(const struct lab *lab, size_t from, size_t to, const struct node_addrs *a)
{
	for (size_t k = 0; k < a[to].n; k++) {
		size_t seg = iface_segment(&lab->nodes[to], a[to].v[k].ifname);

		if (seg != (size_t)-1 && on_segment(&lab->nodes[from], seg))
			return a[to].v[k].addr;
	}
	/* Interfaces the lab does not know of (a node's own): by subnet. */
	for (size_t k = 0; k < a[to].n; k++)
		for (size_t m = 0; m < a[from].n; m++)
			if (labaddr_same_subnet(a[from].v[m].addr, a[from].v[m].prefixlen,
			                        a[to].v[k].addr))
				return a[to].v[k].addr;
	return a[to].n ? a[to].v[0].addr : NULL;
}

/*
 * Each node's IPv4 addresses: the lab's own, else what the node has (`ip -j addr` in it,
 * every node at once); a node that could not be read is warned about and has none.
 * 0, -ENOMEM, or -errno once logged.
 */
static int
node_addresses(const struct labrun *r, const struct lab *lab, int devnull, struct node_addrs *addrs)
{
	size_t nn = lab->n_nodes, n_jobs = 0;
	struct labops_job *jobs = calloc(nn ? nn : 1, sizeof(*jobs));
	_cleanup_free_ size_t *which = calloc(nn ? nn : 1, sizeof(*which));
	int e = 0;

	if (!jobs || !which) {
		free(jobs);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nn; i++) {
		char *ip[] = { "ip", "-j", "-4", "addr", "show", NULL };

		if (declared_addrs(&lab->nodes[i], &addrs[i]) < 0) {
			e = -ENOMEM;
			goto out;
		}
		if (addrs[i].n)
			continue;
		if (labplan_exec_argv(&r->plan, r->containode, lab->nodes[i].name, false, ip,
		                      &jobs[n_jobs].argv) < 0) {
			e = -ENOMEM;
			goto out;
		}
		jobs[n_jobs].fd = -1;
		which[n_jobs++] = i;
	}
	e = labops_run_jobs(jobs, n_jobs, r->jobs, devnull);
	for (size_t k = 0; e == 0 && k < n_jobs; k++) {
		struct node_addrs *a = &addrs[which[k]];

		if (jobs[k].status != 0 || !jobs[k].out) {
			log_warn("node %s: 'ip -j addr' failed (exit status %d)",
			         lab->nodes[which[k]].name, jobs[k].status);
			continue;
		}
		e = labaddr_parse(jobs[k].out, jobs[k].len, &a->v, &a->n);
		if (e == -EINVAL) {
			log_warn("node %s: 'ip -j addr' printed what it does not print",
			         lab->nodes[which[k]].name);
			e = 0;
		}
	}
	if (e < 0 && e != -ENOMEM)
		log_error_errno(e, "wait for the nodes");
out:
	labops_jobs_free(jobs, n_jobs);
	return e;
}

/*
 * A bridged node's management address out of its list (a node's own interfaces, read
 * with `ip addr`, have it), then, with first, at its head: what the host reaches.
 */
static int
mgmt_addrs(const struct lab *lab, const struct labmgmt *m, struct node_addrs *addrs, bool first)
{
	for (size_t i = 0; i < lab->n_nodes; i++) {
		const struct lab_node *n = &lab->nodes[i];
		const struct labmgmt_node *mn = labmgmt_node(m, n->name);
		struct node_addrs *a = &addrs[i];
		struct labaddr *nv;
		char addr[16];
		size_t k = 0;

		if (!mn)
			continue;
		labmgmt_addr(m, mn->host, addr);
		while (k < a->n)
			if (strcmp(a->v[k].addr, addr) == 0)
				memmove(&a->v[k], &a->v[k + 1], (--a->n - k) * sizeof(*a->v));
			else
				k++;
		if (!first)
			continue;
		nv = realloc(a->v, (a->n + 1) * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		a->v = nv;
		memmove(&nv[1], &nv[0], a->n * sizeof(*nv));
		memset(&nv[0], 0, sizeof(*nv));
		snprintf(nv[0].ifname, sizeof(nv->ifname), "eth%u",
		         n->n_ifaces ? n->ifaces[n->n_ifaces - 1].index + 1 : 0);
		snprintf(nv[0].addr, sizeof(nv->addr), "%s", addr);
		nv[0].prefixlen = 24;
		a->n++;
	}
	return 0;
}

/*
 * Each running node's pid (`containode ps --json`, one run), or 0: a node that does not
 * run pings nothing.  0, or -errno once logged.
 */
static int
node_pids(const struct labrun *r, const struct lab *lab, int devnull, int *pids)
{
	_cleanup_free_ char *out = NULL;
	size_t len = 0;
	int e = ps_json(r, devnull, &out, &len);

	for (size_t i = 0; e == 0 && i < lab->n_nodes; i++) {
		_cleanup_free_ char *id = labplan_identity(&r->plan, lab->nodes[i].name);

		e = id ? labaddr_ps_pid(out, len, id, &pids[i]) : -ENOMEM;
	}
	if (e < 0 && e != -ENOMEM)
		log_error_errno(e, "read the nodes of lab '%s' ('containode ps')", r->plan.name);
	return e;
}

/*
 * A socket in the network namespace of process pid (a node's), made there and used from
 * here: the socket stays in the namespace it was made in.  host is our own.
 */
static int
netns_socket(int host, int pid, int domain, int type, int protocol)
{
	char path[64];
	_cleanup_close_ int ns = -1;
	int fd, e;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return -errno;
	if (setns(ns, CLONE_NEWNET) < 0)
		return -errno;
	fd = socket(domain, type | SOCK_CLOEXEC, protocol);
	e = fd < 0 ? -errno : 0;
	if (setns(host, CLONE_NEWNET) < 0) {
		/* Left in a node's namespace, this process must not go on. */
		log_error_errno(-errno, "return to our own network namespace");
		_exit(1);
	}
	return e < 0 ? e : fd;
}

/* A raw ICMP socket in a node's network namespace that reads echo replies only. */
static int
netns_icmp_socket(int host, int pid)
{
	struct icmp_filter only_replies = { ~(1u << ICMP_ECHOREPLY) };
	int fd = netns_socket(host, pid, AF_INET, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ICMP);

	if (fd >= 0)
		(void)setsockopt(fd, SOL_RAW, ICMP_FILTER, &only_replies, sizeof(only_replies));
	return fd;
}

struct pair {
	uint32_t addr; /* network order; 0: not pinged */
	unsigned sent, received;
	int64_t next, end; /* the next request's time, the pair's end (ms) */
};

/*
 * The neighbour entries pingall causes: an all-pairs run would leave one per ordered pair
 * at once, and the kernel's table is shared by every network namespace (gc_thresh3, 16384
 * on Debian), so ARP fails past it.  Each node's entries are read at the start; once a
 * node has no pair left, those the run added for the lab's addresses are removed from it,
 * from it again every second, and from every node once more at the end.
 */
struct neigh_trim {
	int *nl;                       /* each node's NETLINK_ROUTE socket, or -1 */
	struct labping_neigh **before; /* each node's entries at the start */
	size_t *n_before;
	unsigned *left; /* each node's pairs not ended yet */
	uint32_t *lab;  /* the lab's addresses, network order */
	size_t n_lab;
	bool *done;         /* each node's pairs all ended */
	int64_t next_sweep; /* ms */
	uint32_t seq;
};

struct neigh_list {
	struct labping_neigh *v;
	size_t n;
	const struct neigh_trim *only; /* with before: what pingall caused, else all */
	size_t node;
};

static int
neigh_add(const struct labping_neigh *n, void *userdata)
{
	struct neigh_list *l = userdata;
	struct labping_neigh *nv;

	if (l->only &&
	    !labping_neigh_caused(n, l->only->before[l->node], l->only->n_before[l->node],
	                          l->only->lab, l->only->n_lab))
		return 0;
	nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	l->v = nv;
	nv[l->n++] = *n;
	return 0;
}

/* The IPv4 neighbour entries on netlink socket fd into l (RTM_GETNEIGH, a dump). */
static int
neigh_dump(int fd, uint32_t seq, struct neigh_list *l)
{
	uint8_t req[LABPING_NL_LEN];
	size_t len = labping_neigh_dump(req, seq);
	_cleanup_free_ uint8_t *buf = malloc(1 << 16);
	int e = 0;

	if (!buf)
		return -ENOMEM;
	if (send(fd, req, len, 0) < 0)
		return -errno;
	while (e == 0) {
		ssize_t n = recv(fd, buf, 1 << 16, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		e = labping_neigh_read(buf, (size_t)n, seq, neigh_add, l);
	}
	return e < 0 ? e : 0;
}

/* The entries pingall caused in node k go (its socket stays, for the last sweep). */
static void
neigh_trim_node(struct neigh_trim *t, const struct lab *lab, size_t k)
{
	int fd = t->nl[k];
	struct neigh_list l = { .only = t, .node = k };
	int e;

	if (fd < 0)
		return;
	e = neigh_dump(fd, ++t->seq, &l);
	for (size_t m = 0; e == 0 && m < l.n; m++) {
		uint8_t req[LABPING_NL_LEN];
		size_t len = labping_neigh_del(req, ++t->seq, &l.v[m]);

		/* An entry gone already is gone: its NLMSG_ERROR is not read. */
		if (send(fd, req, len, 0) < 0)
			e = -errno;
	}
	free(l.v);
	if (e < 0)
		log_warn_errno(e, "node %s: remove the neighbour entries pingall caused, ignoring",
		               lab->nodes[k].name);
}

/*
 * Before the first ping: the lab's addresses, each node's pairs, and the entries of each
 * node that has some (a node whose table cannot be read is left as it is, with a warning).
 * 0 or -ENOMEM.
 */
static int
neigh_start(struct neigh_trim *t, const struct lab *lab, int host, const int *pids,
            const int *socks, const struct pair *pairs, const struct node_addrs *addrs)
{
	size_t nn = lab->n_nodes;

	for (size_t i = 0; i < nn; i++)
		for (size_t k = 0; k < addrs[i].n; k++) {
			struct in_addr a;
			uint32_t *nv;

			if (inet_pton(AF_INET, addrs[i].v[k].addr, &a) != 1)
				continue;
			nv = realloc(t->lab, (t->n_lab + 1) * sizeof(*nv));
			if (!nv)
				return -ENOMEM;
			t->lab = nv;
			nv[t->n_lab++] = a.s_addr;
		}
	for (size_t i = 0; i < nn; i++)
		for (size_t j = 0; j < nn; j++)
			if (i != j && pairs[i * nn + j].addr && socks[i] >= 0) {
				t->left[i]++;
				t->left[j]++;
			}
	for (size_t i = 0; i < nn; i++) {
		struct neigh_list l = { 0 };
		int fd, e;

		if (!t->left[i])
			continue;
		fd = netns_socket(host, pids[i], AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
		e = fd < 0 ? fd : neigh_dump(fd, ++t->seq, &l);
		if (e == -ENOMEM) {
			close(fd);
			return e;
		}
		if (e < 0) {
			log_warn_errno(e, "node %s: read its neighbour table, ignoring",
			               lab->nodes[i].name);
			if (fd >= 0)
				close(fd);
			free(l.v);
			continue;
		}
		t->nl[i] = fd;
		t->before[i] = l.v;
		t->n_before[i] = l.n;
	}
	return 0;
}

/*
 * Every second, the nodes done with their pairs once more: the peers they answered probe
 * them 5 s later (DELAY, then an ARP request) and they learn those peers again.
 */
static void
neigh_sweep(struct neigh_trim *t, const struct lab *lab, int64_t now)
{
	if (now < t->next_sweep)
		return;
	t->next_sweep = now + 1000;
	for (size_t k = 0; k < lab->n_nodes; k++)
		if (t->done[k])
			neigh_trim_node(t, lab, k);
}

/* A pair of from and to ended (or was never started): a node with none left is trimmed. */
static void
neigh_pair_done(struct neigh_trim *t, const struct lab *lab, size_t from, size_t to)
{
	if (t->left[from] && --t->left[from] == 0) {
		neigh_trim_node(t, lab, from);
		t->done[from] = true;
	}
	if (t->left[to] && --t->left[to] == 0) {
		neigh_trim_node(t, lab, to);
		t->done[to] = true;
	}
}

/* Replies waiting on node from's socket, each counted once in its pair. */
static void
read_replies(int fd, size_t from, size_t nn, struct pair *pairs, uint16_t id, uint32_t nonce)
{
	uint8_t buf[256];

	for (;;) {
		struct labping_reply rep;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct pair *p;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		if (labping_parse(buf, (size_t)n, id, nonce, &rep) < 0 || rep.tag >= nn ||
		    rep.tag == from)
			continue;
		p = &pairs[from * nn + rep.tag];
		if (rep.src == p->addr && rep.seq == p->received && p->received < p->sent)
			p->received++;
	}
}

/* Pair idx under way from now (false: it has no address or no socket to ping from). */
static bool
pair_start(struct pair *pairs, size_t idx, const int *socks, size_t nn, unsigned deadline_s,
           int64_t now)
{
	struct pair *p = &pairs[idx];

	if (!p->addr || socks[idx / nn] < 0)
		return false;
	p->next = now;
	p->end = deadline_s ? now + (int64_t)deadline_s * 1000 : INT64_MAX;
	return true;
}

/*
 * Every pair (from, to) with an address: count echo requests a second apart from from's
 * network namespace, at most window pairs under way; a pair ends at its count of replies,
 * a second after its last request, or deadline_s after its first.  No process per ping:
 * one raw socket per node, all polled here.  (i, j) goes first for i < j, (j, i) once it
 * has ended: j has learnt i's MAC from i's ARP request by then, so that a segment sees one
 * broadcast per two pairs, the switch copying each to every port.  Row by row
 * (labping_next_pair), a node is done early, and trim removes what it left there.
 */
static int
ping_pairs(const struct lab *lab, const int *socks, struct pair *pairs, unsigned count,
           unsigned deadline_s, unsigned window, struct neigh_trim *trim)
{
	size_t nn = lab->n_nodes, n_active = 0, ni = 0, nj = 0;
	bool more = labping_next_pair(nn, &ni, &nj);
	_cleanup_free_ size_t *active = calloc(window ? window : 1, sizeof(*active));
	_cleanup_free_ struct pollfd *pfd = calloc(nn ? nn : 1, sizeof(*pfd));
	uint16_t id = (uint16_t)(getpid() ^ monotime_ns());
	uint32_t nonce = (uint32_t)(monotime_ns() >> 7) ^ (uint32_t)getpid() << 16;

	if (!active || !pfd)
		return -ENOMEM;
	for (size_t i = 0; i < nn; i++)
		pfd[i] = (struct pollfd){ .fd = socks[i], .events = POLLIN };
	while (more || n_active > 0) {
		int64_t now = monotime_ms(), wake = now + 1000;

		/* The next (i, j) with i < j; a (j, i) whose (i, j) had nothing to do too. */
		for (; more && n_active < window; more = labping_next_pair(nn, &ni, &nj)) {
			if (pair_start(pairs, ni * nn + nj, socks, nn, deadline_s, now))
				active[n_active++] = ni * nn + nj;
			else if (pair_start(pairs, nj * nn + ni, socks, nn, deadline_s, now))
				active[n_active++] = nj * nn + ni;
		}
		for (size_t k = 0; k < n_active;) {
			size_t idx = active[k], from = idx / nn, to = idx % nn;
			struct pair *p = &pairs[idx];

			if (p->sent < count && now >= p->next && now < p->end) {
				struct sockaddr_in dst = { .sin_family = AF_INET,
					                   .sin_addr.s_addr = p->addr };
				uint8_t req[LABPING_LEN];

				labping_request(req, id, (uint16_t)p->sent, nonce, (uint32_t)to);
				/* A request the node cannot send (no route) is one not answered. */
				(void)!sendto(socks[from], req, sizeof(req), 0,
				              (struct sockaddr *)&dst, sizeof(dst));
				p->sent++;
				p->next = now + 1000;
				if (p->sent == count && p->next < p->end)
					p->end = p->next; /* ping -W 1 after the last */
			}
			if (p->received >= count || now >= p->end) {
				neigh_pair_done(trim, lab, from, to);
				/* Its reverse takes its place. */
				if (from < to &&
				    pair_start(pairs, to * nn + from, socks, nn, deadline_s, now)) {
					active[k] = to * nn + from;
					continue;
				}
				active[k] = active[--n_active];
				continue;
			}
			if (p->sent < count && p->next < wake)
				wake = p->next;
			if (p->end < wake)
				wake = p->end;
			k++;
		}
		neigh_sweep(trim, lab, now);
		if (n_active == 0)
			continue;
		if (poll(pfd, nn, wake > now ? (int)(wake - now) : 0) < 0 && errno != EINTR)
			return -errno;
		for (size_t i = 0; i < nn; i++)
			if (pfd[i].fd >= 0 && (pfd[i].revents & POLLIN))
				read_replies(pfd[i].fd, i, nn, pairs, id, nonce);
	}
	return 0;
}

int
labops_pingall(const struct labrun *r, unsigned count, unsigned deadline_s, bool json)
{
	_cleanup_(labconf_freep) struct lab *lab = NULL;
	_cleanup_close_ int devnull = open("/dev/null", O_RDWR | O_CLOEXEC),
	                    host = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	struct node_addrs *addrs = NULL;
	struct pair *pairs = NULL;
	const char **tgt = NULL;
	int *pids = NULL, *socks = NULL;
	struct neigh_trim trim = { 0 };
	size_t nn, cells, pairs_n, received = 0;
	int e, status = 1;

	e = labops_state_lab(r, &lab);
	if (e)
		return e;
	if (access(r->plan.state_dir, F_OK) < 0)
		return LAB_FAIL(1, log_error("lab '%s' is not up", r->plan.name));
	if (host < 0)
		return LAB_FAIL(1, log_error_errno(-errno, "open '/proc/self/ns/net'"));
	nn = lab->n_nodes;
	cells = nn * nn; /* pair (i, j) at i * nn + j, the diagonal unused */
	pairs_n = nn * (nn ? nn - 1 : 0);
	addrs = calloc(nn ? nn : 1, sizeof(*addrs));
	tgt = calloc(cells ? cells : 1, sizeof(*tgt));
	pairs = calloc(cells ? cells : 1, sizeof(*pairs));
	pids = calloc(nn ? nn : 1, sizeof(*pids));
	socks = calloc(nn ? nn : 1, sizeof(*socks));
	trim.nl = calloc(nn ? nn : 1, sizeof(*trim.nl));
	trim.before = calloc(nn ? nn : 1, sizeof(*trim.before));
	trim.n_before = calloc(nn ? nn : 1, sizeof(*trim.n_before));
	trim.left = calloc(nn ? nn : 1, sizeof(*trim.left));
	trim.done = calloc(nn ? nn : 1, sizeof(*trim.done));
	if (!addrs || !tgt || !pairs || !pids || !socks || !trim.nl || !trim.before ||
	    !trim.n_before || !trim.left || !trim.done)
		goto oom;
	for (size_t i = 0; i < nn; i++)
		socks[i] = trim.nl[i] = -1;
	e = node_addresses(r, lab, devnull, addrs);
	if (e == 0)
		e = node_pids(r, lab, devnull, pids);
	if (e == -ENOMEM)
		goto oom;
	if (e < 0)
		goto out;
	/* The lab's own network is what pingall checks, not the management segment. */
	{
		struct labmgmt m;
		int bridged = labmgmtrun_read(r, &m);

		if (bridged < 0)
			goto out;
		if (bridged && mgmt_addrs(lab, &m, addrs, false) < 0)
			goto oom;
	}
	for (size_t i = 0; i < nn; i++) {
		if (!pids[i]) {
			log_warn("node %s does not run: it pings nothing", lab->nodes[i].name);
			continue;
		}
		socks[i] = netns_icmp_socket(host, pids[i]);
		if (socks[i] < 0)
			log_warn_errno(socks[i], "node %s: a socket in its network namespace",
			               lab->nodes[i].name);
	}
	for (size_t i = 0; i < nn; i++)
		for (size_t j = 0; j < nn; j++) {
			struct in_addr a;

			if (i == j)
				continue;
			tgt[i * nn + j] = target(lab, i, j, addrs);
			if (tgt[i * nn + j] && inet_pton(AF_INET, tgt[i * nn + j], &a) == 1)
				pairs[i * nn + j].addr = a.s_addr;
		}
	e = neigh_start(&trim, lab, host, pids, socks, pairs, addrs);
	if (e < 0)
		goto oom;
	e = ping_pairs(lab, socks, pairs, count, deadline_s, r->jobs, &trim);
	/*
	 * Once more in every node: an entry a node answered through goes to DELAY, and 5 s
	 * later (delay_probe_time) it probes the peer with an ARP request, which makes the
	 * peer, trimmed already, learn it again.  The last trims have removed every DELAY.
	 */
	for (size_t i = 0; i < nn; i++)
		neigh_trim_node(&trim, lab, i);
	if (e == -ENOMEM)
		goto oom;
	if (e < 0) {
		log_error_errno(e, "wait for the pings");
		goto out;
	}
	for (size_t p = 0; p < cells; p++)
		received += pairs[p].received > 0;

	if (json) {
		_cleanup_json_ cJSON *o = cJSON_CreateObject();
		_cleanup_free_ char *text = NULL;
		cJSON *arr = o ? cJSON_AddArrayToObject(o, "pairs") : NULL;

		if (!arr || !cJSON_AddStringToObject(o, "lab", r->plan.name) ||
		    !cJSON_AddNumberToObject(o, "count", count) ||
		    !cJSON_AddNumberToObject(o, "sent", (double)pairs_n) ||
		    !cJSON_AddNumberToObject(o, "received", (double)received) ||
		    !cJSON_AddNumberToObject(
		            o, "dropped_percent",
		            pairs_n ? (double)(100 * (pairs_n - received) / pairs_n) : 0))
			goto oom;
		for (size_t i = 0; i < nn; i++)
			for (size_t j = 0; j < nn; j++) {
				const struct pair *p = &pairs[i * nn + j];
				const char *t = tgt[i * nn + j];
				cJSON *x;

				if (i == j)
					continue;
				x = cJSON_CreateObject();
				if (!x || !cJSON_AddItemToArray(arr, x) ||
				    !cJSON_AddStringToObject(x, "from", lab->nodes[i].name) ||
				    !cJSON_AddStringToObject(x, "to", lab->nodes[j].name) ||
				    !(t ? cJSON_AddStringToObject(x, "address", t)
				        : cJSON_AddNullToObject(x, "address")) ||
				    !cJSON_AddBoolToObject(x, "reached", p->received > 0) ||
				    !cJSON_AddNumberToObject(x, "replies", p->received))
					goto oom;
			}
		text = cJSON_Print(o);
		if (!text)
			goto oom;
		printf("%s\n", text);
	} else {
		int w = 2;

		for (size_t i = 0; i < nn; i++)
			if ((int)strlen(lab->nodes[i].name) > w)
				w = (int)strlen(lab->nodes[i].name);
		printf("*** Ping: testing ping reachability (X: reached, .: not)\n%*s ", w, "");
		for (size_t j = 0; j < nn; j++)
			printf(" %-*s", w, lab->nodes[j].name);
		printf("\n");
		for (size_t i = 0; i < nn; i++) {
			printf("%-*s ", w, lab->nodes[i].name);
			for (size_t j = 0; j < nn; j++)
				printf(j + 1 < nn ? " %-*s" : " %.*s", w,
				       i == j                           ? "-"
				       : pairs[i * nn + j].received > 0 ? "X"
				                                        : ".");
			printf("\n");
		}
		for (size_t i = 0; i < nn; i++)
			for (size_t j = 0; j < nn; j++) {
				const char *t = tgt[i * nn + j];

				if (i != j && pairs[i * nn + j].received == 0)
					printf("%s -> %s (%s): %s\n", lab->nodes[i].name,
					       lab->nodes[j].name, t ? t : "no address",
					       t && socks[i] >= 0 ? "not reached" : "not pinged");
			}
		printf("*** Results: %zu%% dropped (%zu/%zu received)\n",
		       pairs_n ? 100 * (pairs_n - received) / pairs_n : 0, received, pairs_n);
	}
	status = received == pairs_n ? 0 : 1;
	goto out;
oom:
	log_error("out of memory");
	status = 1;
out:
	for (size_t i = 0; socks && i < nn; i++)
		if (socks[i] >= 0)
			close(socks[i]);
	for (size_t i = 0; addrs && i < nn; i++)
		free(addrs[i].v);
	free(addrs);
	free(tgt);
	free(pairs);
	free(pids);
	free(socks);
	for (size_t i = 0; trim.nl && i < nn; i++)
		if (trim.nl[i] >= 0)
			close(trim.nl[i]);
	for (size_t i = 0; trim.before && i < nn; i++)
		free(trim.before[i]);
	free(trim.nl);
	free(trim.before);
	free(trim.n_before);
	free(trim.left);
	free(trim.done);
	free(trim.lab);
	return status;
}

int
labops_hosts(const struct labrun *r, bool json)
{
	struct labmgmt m;
	int bridged;
	_cleanup_(labconf_freep) struct lab *lab = NULL;
	_cleanup_close_ int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	_cleanup_json_ cJSON *o = NULL;
	struct node_addrs *addrs = NULL;
	const char *domain;
	size_t nn;
	int e, status = 1;

	e = labops_state_lab(r, &lab);
	if (e)
		return e;
	nn = lab->n_nodes;
	domain = lab->domain ? lab->domain : r->plan.name;
	addrs = calloc(nn ? nn : 1, sizeof(*addrs));
	if (!addrs)
		goto oom;
	e = node_addresses(r, lab, devnull, addrs);
	if (e == -ENOMEM)
		goto oom;
	if (e < 0)
		goto out;
	bridged = labmgmtrun_read(r, &m);
	if (bridged < 0)
		goto out;
	if (bridged && mgmt_addrs(lab, &m, addrs, true) < 0)
		goto oom;
	if (json) {
		_cleanup_free_ char *text = NULL;
		cJSON *arr;

		o = cJSON_CreateObject();
		if (!o || !cJSON_AddStringToObject(o, "lab", r->plan.name) ||
		    !cJSON_AddStringToObject(o, "domain", domain) ||
		    !(arr = cJSON_AddArrayToObject(o, "hosts")))
			goto oom;
		for (size_t i = 0; i < nn; i++)
			for (size_t k = 0; k < addrs[i].n; k++) {
				cJSON *x = cJSON_CreateObject();
				char fqdn[LAB_NODE_NAME_MAX + 2 + 256];
				bool mgmt = bridged && labmgmt_node(&m, lab->nodes[i].name);

				snprintf(fqdn, sizeof(fqdn), "%s.%s", lab->nodes[i].name, domain);
				if (!x || !cJSON_AddItemToArray(arr, x) ||
				    !cJSON_AddStringToObject(x, "node", lab->nodes[i].name) ||
				    !cJSON_AddStringToObject(x, "name", fqdn) ||
				    !cJSON_AddStringToObject(x, "ifname", addrs[i].v[k].ifname) ||
				    !cJSON_AddStringToObject(x, "address", addrs[i].v[k].addr) ||
				    !cJSON_AddNumberToObject(x, "prefixlen",
				                             addrs[i].v[k].prefixlen) ||
				    !cJSON_AddBoolToObject(x, "management", mgmt && k == 0))
					goto oom;
			}
		text = cJSON_Print(o);
		if (!text)
			goto oom;
		printf("%s\n", text);
	} else {
		printf("# lab %s\n", r->plan.name);
		for (size_t i = 0; i < nn; i++)
			for (size_t k = 0; k < addrs[i].n; k++)
				printf("%-15s %s.%s %s%s%s\n", addrs[i].v[k].addr,
				       lab->nodes[i].name, domain, lab->nodes[i].name, k ? "-" : "",
				       k ? addrs[i].v[k].ifname : "");
	}
	status = fflush(stdout) == 0 ? 0 : 1;
	goto out;
oom:
	log_error("out of memory");
	status = 1;
out:
	for (size_t i = 0; addrs && i < nn; i++)
		free(addrs[i].v);
	free(addrs);
	return status;
}
