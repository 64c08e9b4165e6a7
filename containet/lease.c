/*
 * The segments' addressing as the switch keeps it: the lease table (ipam.c decides, this
 * file does the I/O), its state file, and what attach asks for.  The state file holds one
 * lease a line (ipam_lease_format); it is rewritten whole, temp + fsync + rename + fsync
 * of the directory, and any answer that hands a new address out (an attach reply, a DHCP
 * ACK) waits until that is done, so an address survives kill -9 of the switch (and a
 * crash of the machine) the moment a node has been told it.  Changes that only move a
 * lease's last use or end are saved by the next tick.
 */
#include "switch.h"

#include "cleanup.h"
#include "fileio.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEASE_FILE "leases"
#define LEASE_FILE_MAX (IPAM_LEASES_MAX * 160)

uint64_t
lease_clock(void)
{
	return (uint64_t)time(NULL);
}

/*
 * A save runs on the ring, so that the loop never waits for the disk: the text is made
 * and the temp file opened on the loop, then write, fsync, rename over the state file and
 * fsync of the directory go as one linked chain.  One save at a time; saves are numbered,
 * and an answer that hands out an address waits for the save that holds it
 * (lease_need), sent when that save completes.
 */
enum lease_step { LEASE_WRITE, LEASE_FSYNC, LEASE_RENAME, LEASE_SYNC_DIR, LEASE_STEPS };

struct lease_io {
	int dirfd;        /* the state directory, once made; -1 before */
	int fd;           /* the temp file of the save under way, -1 when none */
	char *buf;        /* its text */
	bool busy;        /* a save is under way */
	bool busy_urgent; /* and it carries an address handed out or taken back */
	unsigned left;    /* its completions still to come */
	int err;          /* its first failure */
	uint64_t started; /* the number of the last save started */
	uint64_t durable; /* of the last one on disk */
	uint64_t failed;  /* of the last one that failed */
	uint64_t wanted;  /* the highest lease_need handed out */
	uint64_t logged;  /* when a failure was last logged (s) */
};

#define LEASE_TMP LEASE_FILE ".tmp"

int
lease_init(struct sw *sw)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;
	unsigned lineno = 0, bad = 0;
	int r;

	if (!sw->cfg.state_dir)
		return 0;
	sw->lio = calloc(1, sizeof(*sw->lio));
	if (!sw->lio)
		return -ENOMEM;
	sw->lio->dirfd = sw->lio->fd = -1;
	if (asprintf(&sw->lease_path, "%s/" LEASE_FILE, sw->cfg.state_dir) < 0) {
		sw->lease_path = NULL;
		return -ENOMEM;
	}
	r = read_file_at(AT_FDCWD, sw->lease_path, LEASE_FILE_MAX, &text, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		log_error_errno(r, "read the leases '%s'", sw->lease_path);
		return r;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct ipam_lease l;

		lineno++;
		if (ipam_lease_parse(line, &l) < 0 || ipam_load(&sw->ipam, &l) < 0) {
			if (bad++ < 5)
				log_warn("%s:%u: not a lease, ignoring", sw->lease_path, lineno);
			continue;
		}
	}
	sw->ipam.dirty = sw->ipam.urgent = false;
	log_info("%u leases from %s", sw->ipam.n, sw->lease_path);
	return 0;
}

/* The table as the state file holds it (malloc'd), its length in *ret_len. */
static char *
lease_text(const struct sw *sw, size_t *ret_len)
{
	size_t size = (size_t)sw->ipam.n * 160 + 1, len = 0;
	char *buf = malloc(size);

	for (uint32_t i = 0; buf && i < sw->ipam.n; i++) {
		int r = ipam_lease_format(&sw->ipam.v[i], buf + len, size - len);

		if (r < 0) {
			free(buf);
			return NULL;
		}
		len += r;
	}
	*ret_len = len;
	return buf;
}

static void
lease_failed(struct sw *sw, int err)
{
	struct lease_io *io = sw->lio;
	uint64_t now = lease_clock();

	io->failed = io->started;
	/* What it held is unsaved again: the next save (a tick away) tries again. */
	sw->ipam.dirty = true;
	sw->ipam.urgent |= io->busy_urgent;
	if (now != io->logged) {
		io->logged = now;
		log_warn_errno(err, "save the leases to '%s'", sw->lease_path);
	}
}

/* Starts a save of the table (which changed) on the ring: -errno when it cannot. */
static int
lease_start(struct sw *sw)
{
	struct lease_io *io = sw->lio;
	struct io_uring_sqe *sqe;
	size_t len;
	int r;

	io->buf = lease_text(sw, &len);
	if (!io->buf)
		return -ENOMEM;
	if (io->dirfd < 0) {
		/* Made with the first lease: a switch without addressing leaves nothing behind. */
		r = mkdir_p(sw->cfg.state_dir, 0700);
		if (r < 0)
			return r;
		io->dirfd = open(sw->cfg.state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (io->dirfd < 0)
			return -errno;
	}
	io->fd = openat(io->dirfd, LEASE_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (io->fd < 0)
		return -errno;
	/* The chain goes to the kernel whole: a submit between its SQEs would cut it. */
	if (io_uring_sq_space_left(&sw->ring) < LEASE_STEPS)
		io_uring_submit(&sw->ring);
	sqe = sw_sqe(sw);
	io_uring_prep_write(sqe, io->fd, io->buf, len, 0);
	sqe->flags |= IOSQE_IO_LINK;
	io_uring_sqe_set_data64(sqe, ud_pack(OP_LEASE, 0, 0, LEASE_WRITE));
	sqe = sw_sqe(sw);
	io_uring_prep_fsync(sqe, io->fd, 0);
	sqe->flags |= IOSQE_IO_LINK;
	io_uring_sqe_set_data64(sqe, ud_pack(OP_LEASE, 0, 0, LEASE_FSYNC));
	sqe = sw_sqe(sw);
	io_uring_prep_renameat(sqe, io->dirfd, LEASE_TMP, io->dirfd, LEASE_FILE, 0);
	sqe->flags |= IOSQE_IO_LINK;
	io_uring_sqe_set_data64(sqe, ud_pack(OP_LEASE, 0, 0, LEASE_RENAME));
	sqe = sw_sqe(sw);
	io_uring_prep_fsync(sqe, io->dirfd, 0);
	io_uring_sqe_set_data64(sqe, ud_pack(OP_LEASE, 0, 0, LEASE_SYNC_DIR));
	io->busy = true;
	io->busy_urgent = sw->ipam.urgent;
	io->left = LEASE_STEPS;
	io->err = 0;
	io->started++;
	sw->ipam.dirty = sw->ipam.urgent = false;
	return 0;
}

/* Starts a save if the table changed and none is under way. */
static void
lease_try(struct sw *sw)
{
	struct lease_io *io = sw->lio;
	int r;

	if (!io || io->busy || !sw->ipam.dirty)
		return;
	r = lease_start(sw);
	if (r >= 0)
		return;
	free(io->buf);
	io->buf = NULL;
	io->fd = safe_close(io->fd);
	io->busy_urgent = sw->ipam.urgent;
	io->started++;
	io->err = r;
	lease_failed(sw, r);
}

void
lease_kick(struct sw *sw)
{
	lease_try(sw);
}

uint64_t
lease_need(struct sw *sw)
{
	struct lease_io *io = sw->lio;
	uint64_t need;

	if (!io)
		return 0;
	if (sw->ipam.urgent)
		need = io->started + 1; /* the next save holds it */
	else if (io->busy && io->busy_urgent)
		need = io->started; /* the one under way does (a client asking again) */
	else
		return 0;
	if (need > io->wanted)
		io->wanted = need;
	lease_try(sw);
	return need;
}

int
lease_state(const struct sw *sw, uint64_t seq)
{
	const struct lease_io *io = sw->lio;

	if (!seq || !io || seq <= io->durable)
		return 1;
	if (seq <= io->failed)
		return io->err ? io->err : -EIO;
	return 0;
}

bool
lease_io_done(struct sw *sw, const struct io_uring_cqe *cqe)
{
	struct lease_io *io = sw->lio;

	if (!io || !io->busy)
		return false;
	/* A step after a failed one ends with -ECANCELED: the first failure says why. */
	if (cqe->res < 0 && !io->err)
		io->err = cqe->res;
	if (--io->left)
		return false;
	io->busy = false;
	free(io->buf);
	io->buf = NULL;
	sw_close_async(sw, io->fd, ud_pack(OP_IGNORE, 0, 0, 0));
	io->fd = -1;
	if (io->err) {
		unlinkat(io->dirfd, LEASE_TMP, 0);
		lease_failed(sw, io->err);
	} else {
		io->durable = io->started;
	}
	/* An answer waits for a save that has not started: it starts now. */
	if (io->wanted > io->started)
		lease_try(sw);
	return true;
}

/* Saves the table now, blocking: at exit, with the ring gone. */
static int
lease_save_now(struct sw *sw)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	if (!sw->ipam.dirty || !sw->lease_path)
		return 0;
	buf = lease_text(sw, &len);
	if (!buf)
		return -ENOMEM;
	r = mkdir_p(sw->cfg.state_dir, 0700);
	if (r >= 0)
		r = write_file_atomic(sw->lease_path, buf, len, ATOMIC_SYNC | ATOMIC_SYNC_DIR);
	if (r < 0) {
		log_warn_errno(r, "save the leases to '%s'", sw->lease_path);
		return r;
	}
	sw->ipam.dirty = sw->ipam.urgent = false;
	return 0;
}

void
lease_stop(struct sw *sw)
{
	struct lease_io *io = sw->lio;

	if (!io)
		return;
	/* The save under way ends first, so that it cannot rename an older table over the
	 * last one; other completions no longer matter. */
	while (io->busy) {
		struct io_uring_cqe *cqe;
		int r = io_uring_submit_and_wait(&sw->ring, 1);

		if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY)
			break;
		while (io->busy && io_uring_peek_cqe(&sw->ring, &cqe) == 0) {
			if (ud_op(cqe->user_data) == OP_LEASE)
				lease_io_done(sw, cqe);
			io_uring_cqe_seen(&sw->ring, cqe);
		}
	}
	if (io->busy) {
		/* The ring failed: the save under way is lost, the table is saved again. */
		sw->ipam.dirty = true;
	}
	lease_save_now(sw);
	safe_close(io->dirfd);
	safe_close(io->fd);
	free(io->buf);
	free(io);
	sw->lio = NULL;
}

bool
lease_busy(const struct ipam_lease *l, void *userdata)
{
	const struct sw *sw = userdata;
	char name[CTL_PORT_NAME_MAX];
	uint32_t idx;

	if (ctl_port_name(l->node, l->ifname, name) < 0)
		return false;
	idx = port_find(sw, name);
	return idx != UINT32_MAX && !strcmp(sw->segs[sw->ports[idx].seg].name, l->segment);
}

static void
lease_addr_text(uint32_t host, char ret[CTL_ADDR_MAX])
{
	struct in_addr a = { htonl(host) };

	inet_ntop(AF_INET, &a, ret, CTL_ADDR_MAX);
}

/* A static address: recorded in the subnet, refused when an attached node holds it. */
static int
lease_static(struct sw *sw, uint32_t seg, const struct ctl_request *req, uint32_t *ret_ipv4,
             char **ret_error)
{
	const struct segment *s = &sw->segs[seg];
	const struct ipam_lease *holder = NULL;
	char addr[CTL_ADDR_MAX];
	struct in_addr a;
	unsigned len;
	int r;

	if (ctl_prefix_parse(req->ipv4, AF_INET, &a, &len) < 0)
		return -EINVAL;
	*ret_ipv4 = ntohl(a.s_addr);
	if (!s->addr.len)
		return 0;
	r = ipam_static(&sw->ipam, s->name, &s->addr, req->node, req->ifname, *ret_ipv4,
	                lease_clock(), lease_busy, sw, &holder);
	if (r == -EADDRINUSE) {
		lease_addr_text(*ret_ipv4, addr);
		if (holder->kind == IPAM_DHCP)
			r = asprintf(ret_error,
			             "address %s of node '%s' (%s) is leased by DHCP to another "
			             "client on segment '%s'",
			             addr, req->node, req->ifname, s->name);
		else
			r = asprintf(ret_error,
			             "address %s of node '%s' (%s) is held by node '%s' (%s) on "
			             "segment '%s'",
			             addr, req->node, req->ifname, holder->node, holder->ifname,
			             s->name);
		if (r < 0)
			*ret_error = NULL;
		return -EADDRINUSE;
	}
	return r;
}

static int
lease_auto(struct sw *sw, uint32_t seg, const struct ctl_request *req, struct ctl_assign *a,
           uint32_t *ret_ipv4, char **ret_error)
{
	const struct segment *s = &sw->segs[seg];
	char addr[CTL_ADDR_MAX];
	int r;

	if (!s->addr.len) {
		if (asprintf(ret_error, "\"ipv4\":\"auto\": segment '%s' has no subnet", s->name) <
		    0)
			*ret_error = NULL;
		return -EINVAL;
	}
	r = ipam_auto(&sw->ipam, s->name, &s->addr, req->node, req->ifname, lease_clock(),
	              lease_busy, sw, ret_ipv4);
	if (r == -ENOSPC) {
		if (asprintf(ret_error,
		             "segment '%s' has no free address left: all %u of its pool are held "
		             "by attached nodes",
		             s->name, ipam_pool_size(&s->addr)) < 0)
			*ret_error = NULL;
		return r;
	}
	if (r < 0)
		return r;
	lease_addr_text(*ret_ipv4, addr);
	snprintf(a->ipv4, sizeof(a->ipv4), "%s/%u", addr, s->addr.len);
	if (s->addr.gateway)
		lease_addr_text(s->addr.gateway, a->gateway);
	if (s->addr.dns)
		lease_addr_text(s->addr.service, a->dns[a->ndns++]);
	return 0;
}

int
lease_attach(struct sw *sw, uint32_t seg, const struct ctl_request *req, struct ctl_assign *ret,
             uint32_t *ret_ipv4, char **ret_error)
{
	const struct segment *s = &sw->segs[seg];
	/* Every node hears the segment's MTU, whatever it asks about addresses. */
	struct ctl_assign a = { .mtu = s->mtu };
	int r = 0;

	snprintf(a.domain, sizeof(a.domain), "%s", s->addr.domain);
	*ret_ipv4 = 0;
	*ret_error = NULL;
	if (!strcmp(req->ipv4, CTL_AUTO))
		r = lease_auto(sw, seg, req, &a, ret_ipv4, ret_error);
	else if (req->ipv4[0])
		r = lease_static(sw, seg, req, ret_ipv4, ret_error);
	if (r < 0)
		return r;
	if (!strcmp(req->ipv6, CTL_AUTO)) {
		char prefix[INET6_ADDRSTRLEN];

		if (!s->addr.has_v6) {
			if (asprintf(ret_error,
			             "\"ipv6\":\"auto\": segment '%s' has no IPv6 prefix",
			             s->name) < 0)
				*ret_error = NULL;
			return -EINVAL;
		}
		/* SLAAC: the node makes its address from the prefix and its own MAC. */
		inet_ntop(AF_INET6, &s->addr.v6, prefix, sizeof(prefix));
		snprintf(a.ipv6, sizeof(a.ipv6), "%s/64", prefix);
	}
	*ret = a;
	return 0;
}
