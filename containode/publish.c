#include "publish.h"

#include "cleanup.h"
#include "log.h"
#include "monotime.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* What a pipe of one direction holds at most (the kernel's default pipe size). */
#define PUBLISH_PIPE_BYTES 65536
#define PUBLISH_EVENTS 64
#define PUBLISH_DGRAM_MAX 65536

/* epoll data: the kind in the low bits, the index above. */
enum { TAG_LISTEN, TAG_OUTSIDE, TAG_INSIDE, TAG_FLOW, TAG_BITS = 2 };

/* One relayed TCP connection: side 0 outside, side 1 in the node. */
struct conn {
	int fd[2];
	int pipe[2][2];   /* pipe[d]: bytes read from side d, to be written to side !d */
	size_t queued[2]; /* bytes in pipe[d] */
	bool eof[2];      /* side d has nothing more to send */
	bool connecting;  /* the inside connect has not finished */
	bool used;
};

/* One UDP flow: a client of a UDP listener and its socket in the node. */
struct flow {
	size_t listener;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	int fd;
	long long used_at;
};

struct listener {
	struct portspec spec;
	int fd;
};

struct publish {
	int epfd;
	int netns;  /* the node's network namespace */
	int hostns; /* ours, to come back to */
	struct listener *listeners;
	size_t n_listeners;
	struct conn conns[PUBLISH_CONNS_MAX];
	struct flow flows[PUBLISH_FLOWS_MAX];
	char dgram[PUBLISH_DGRAM_MAX];
};

static uint64_t
tag(unsigned kind, size_t i)
{
	return ((uint64_t)i << TAG_BITS) | kind;
}

static int
listener_open(const struct portspec *s, int *ret_fd)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_storage ss = {};
	socklen_t len;
	int one = 1;

	if (s->family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = s->host.v6;
		a->sin6_port = htons(s->host_port);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_addr = s->host.v4;
		a->sin_port = htons(s->host_port);
		len = sizeof(*a);
	}
	fd = socket(s->family, (s->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC,
	            0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 || (!s->udp && listen(fd, 128) < 0))
		return -errno;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int
publish_open(const struct portspec *specs, size_t n, struct publish **ret, char *why,
             size_t why_size)
{
	struct publish *p = calloc(1, sizeof(*p));
	int r;

	if (!p || !(p->listeners = calloc(n ? n : 1, sizeof(*p->listeners)))) {
		free(p);
		snprintf(why, why_size, "out of memory");
		return -ENOMEM;
	}
	p->netns = p->hostns = -1;
	p->n_listeners = n;
	for (size_t i = 0; i < n; i++)
		p->listeners[i].fd = -1;
	for (size_t i = 0; i < PUBLISH_FLOWS_MAX; i++)
		p->flows[i].fd = -1;
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (p->epfd < 0) {
		r = -errno;
		snprintf(why, why_size, "create an epoll set: %s", strerror(-r));
		publish_free(p);
		return r;
	}
	for (size_t i = 0; i < n; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag(TAG_LISTEN, i) };
		char spec[PORTSPEC_STRLEN];

		p->listeners[i].spec = specs[i];
		r = listener_open(&specs[i], &p->listeners[i].fd);
		if (r >= 0 && epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->listeners[i].fd, &ev) < 0)
			r = -errno;
		if (r < 0) {
			portspec_format(&specs[i], spec);
			snprintf(why, why_size, "publish port %s: %s", spec, strerror(-r));
			publish_free(p);
			return r;
		}
	}
	*ret = p;
	return 0;
}

int
publish_start(struct publish *p, int pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	p->netns = open(path, O_RDONLY | O_CLOEXEC);
	p->hostns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (p->netns < 0 || p->hostns < 0)
		return -errno;
	return 0;
}

int
publish_fd(const struct publish *p)
{
	return p->epfd;
}

/* A socket of the node's network namespace: made there, it stays there. */
static int
socket_inside(struct publish *p, int type)
{
	int fd, err;

	if (setns(p->netns, CLONE_NEWNET) < 0)
		return -errno;
	fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	err = errno;
	if (setns(p->hostns, CLONE_NEWNET) < 0) {
		/* Never go on in the node's namespace: the listeners would not be ours. */
		log_error_errno(errno, "return to the host's network namespace");
		abort();
	}
	return fd < 0 ? -err : fd;
}

static struct sockaddr_in
inside_addr(uint16_t port)
{
	return (struct sockaddr_in){
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		.sin_port = htons(port),
	};
}

/* --- TCP --- */

static void
conn_close(struct publish *p, size_t i)
{
	struct conn *c = &p->conns[i];

	for (int s = 0; s < 2; s++) {
		if (c->fd[s] >= 0)
			close(c->fd[s]);
		for (int e = 0; e < 2; e++)
			if (c->pipe[s][e] >= 0)
				close(c->pipe[s][e]);
	}
	*c = (struct conn){};
}

/* What each side waits for: room to read into, bytes to write, the connect. */
static void
conn_arm(struct publish *p, size_t i)
{
	struct conn *c = &p->conns[i];

	for (int s = 0; s < 2; s++) {
		struct epoll_event ev = { .data.u64 = tag(s ? TAG_INSIDE : TAG_OUTSIDE, i) };

		if (c->connecting) {
			ev.events = s ? EPOLLOUT : 0;
		} else {
			if (!c->eof[s] && c->queued[s] < PUBLISH_PIPE_BYTES)
				ev.events |= EPOLLIN | EPOLLRDHUP;
			if (c->queued[!s])
				ev.events |= EPOLLOUT;
		}
		(void)epoll_ctl(p->epfd, EPOLL_CTL_MOD, c->fd[s], &ev);
	}
}

/*
 * Moves what it can from side d to side !d: into the pipe, out of it.  false when the
 * connection is over (an error, or both sides done).
 */
static bool
conn_pump(struct conn *c, int d)
{
	ssize_t n;

	if (!c->eof[d] && c->queued[d] < PUBLISH_PIPE_BYTES) {
		n = splice(c->fd[d], NULL, c->pipe[d][1], NULL, PUBLISH_PIPE_BYTES - c->queued[d],
		           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0)
			c->queued[d] += (size_t)n;
		else if (n == 0)
			c->eof[d] = true;
		else if (errno != EAGAIN && errno != EINTR)
			return false;
	}
	if (c->queued[d]) {
		n = splice(c->pipe[d][0], NULL, c->fd[!d], NULL, c->queued[d],
		           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0)
			c->queued[d] -= (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			return false;
	}
	/* All of d's bytes are across: the other side learns that no more come. */
	if (c->eof[d] && !c->queued[d])
		(void)shutdown(c->fd[!d], SHUT_WR);
	return !(c->eof[0] && c->eof[1] && !c->queued[0] && !c->queued[1]);
}

static void
conn_event(struct publish *p, size_t i, int side, uint32_t events)
{
	struct conn *c = &p->conns[i];

	if (c->connecting && side == 1) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
			/* Refused inside: the outside connection closes too. */
			log_debug("relay: connect in the node: %s", strerror(err ? err : errno));
			conn_close(p, i);
			return;
		}
		c->connecting = false;
	}
	(void)events;
	if (!conn_pump(c, 0) || !conn_pump(c, 1)) {
		conn_close(p, i);
		return;
	}
	conn_arm(p, i);
}

static void
conn_accept(struct publish *p, struct listener *l)
{
	struct sockaddr_in in = inside_addr(l->spec.port);
	struct conn *c = NULL;
	size_t i;
	int fd, r;

	fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < PUBLISH_CONNS_MAX && !c; i++)
		if (!p->conns[i].used)
			c = &p->conns[i];
	if (!c || p->netns < 0) {
		close(fd);
		return;
	}
	i--;
	*c = (struct conn){ .fd = { fd, -1 }, .pipe = { { -1, -1 }, { -1, -1 } }, .used = true };
	c->fd[1] = socket_inside(p, SOCK_STREAM);
	if (c->fd[1] < 0 || pipe2(c->pipe[0], O_NONBLOCK | O_CLOEXEC) < 0 ||
	    pipe2(c->pipe[1], O_NONBLOCK | O_CLOEXEC) < 0) {
		conn_close(p, i);
		return;
	}
	r = connect(c->fd[1], (struct sockaddr *)&in, sizeof(in));
	c->connecting = r < 0 && errno == EINPROGRESS;
	if (r < 0 && !c->connecting) {
		conn_close(p, i);
		return;
	}
	for (int s = 0; s < 2; s++) {
		struct epoll_event ev = { .data.u64 = tag(s ? TAG_INSIDE : TAG_OUTSIDE, i) };

		if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, c->fd[s], &ev) < 0) {
			conn_close(p, i);
			return;
		}
	}
	conn_arm(p, i);
}

/* --- UDP --- */

static void
flow_close(struct publish *p, size_t i)
{
	if (p->flows[i].fd >= 0)
		close(p->flows[i].fd);
	p->flows[i] = (struct flow){ .fd = -1 };
}

/* The flow of a client, made (evicting the least recently used) when it is new. */
static struct flow *
flow_get(struct publish *p, size_t listener, const struct sockaddr_storage *peer,
         socklen_t peer_len)
{
	struct sockaddr_in in = inside_addr(p->listeners[listener].spec.port);
	struct epoll_event ev = { .events = EPOLLIN };
	size_t oldest = 0, i;

	for (i = 0; i < PUBLISH_FLOWS_MAX; i++) {
		struct flow *f = &p->flows[i];

		if (f->fd >= 0 && f->listener == listener && f->peer_len == peer_len &&
		    memcmp(&f->peer, peer, peer_len) == 0)
			return f;
		if (f->fd < 0 ||
		    (p->flows[oldest].fd >= 0 && f->used_at < p->flows[oldest].used_at))
			oldest = i;
	}
	flow_close(p, oldest);
	p->flows[oldest] =
	        (struct flow){ .listener = listener, .peer = *peer, .peer_len = peer_len };
	p->flows[oldest].fd = socket_inside(p, SOCK_DGRAM);
	ev.data.u64 = tag(TAG_FLOW, oldest);
	if (p->flows[oldest].fd < 0 ||
	    connect(p->flows[oldest].fd, (struct sockaddr *)&in, sizeof(in)) < 0 ||
	    epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->flows[oldest].fd, &ev) < 0) {
		flow_close(p, oldest);
		return NULL;
	}
	return &p->flows[oldest];
}

/* Datagrams from clients, each to its flow's socket in the node. */
static void
udp_in(struct publish *p, size_t listener)
{
	for (int k = 0; k < PUBLISH_EVENTS; k++) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		ssize_t n = recvfrom(p->listeners[listener].fd, p->dgram, sizeof(p->dgram), 0,
		                     (struct sockaddr *)&peer, &len);
		struct flow *f;

		if (n < 0)
			return;
		f = p->netns >= 0 ? flow_get(p, listener, &peer, len) : NULL;
		if (!f)
			continue;
		f->used_at = monotime_ms();
		(void)send(f->fd, p->dgram, (size_t)n, MSG_DONTWAIT);
	}
}

/* Replies from the node, back to the flow's client through the listener. */
static void
udp_out(struct publish *p, size_t i)
{
	struct flow *f = &p->flows[i];

	for (int k = 0; k < PUBLISH_EVENTS; k++) {
		ssize_t n = recv(f->fd, p->dgram, sizeof(p->dgram), MSG_DONTWAIT);

		if (n < 0 && errno == ECONNREFUSED)
			continue; /* nothing listens inside (yet): the client retries */
		if (n < 0)
			return;
		f->used_at = monotime_ms();
		(void)sendto(p->listeners[f->listener].fd, p->dgram, (size_t)n, MSG_DONTWAIT,
		             (struct sockaddr *)&f->peer, f->peer_len);
	}
}

void
publish_dispatch(struct publish *p)
{
	struct epoll_event ev[PUBLISH_EVENTS];
	int n = epoll_wait(p->epfd, ev, PUBLISH_EVENTS, 0);

	for (int k = 0; k < n; k++) {
		size_t i = (size_t)(ev[k].data.u64 >> TAG_BITS);

		switch (ev[k].data.u64 & ((1u << TAG_BITS) - 1)) {
		case TAG_LISTEN:
			if (p->listeners[i].spec.udp)
				udp_in(p, i);
			else
				conn_accept(p, &p->listeners[i]);
			break;
		case TAG_OUTSIDE:
		case TAG_INSIDE:
			if (p->conns[i].used)
				conn_event(p, i, (ev[k].data.u64 & 3) == TAG_INSIDE, ev[k].events);
			break;
		case TAG_FLOW:
			if (p->flows[i].fd >= 0)
				udp_out(p, i);
			break;
		}
	}
}

void
publish_free(struct publish *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < PUBLISH_CONNS_MAX; i++)
		if (p->conns[i].used)
			conn_close(p, i);
	for (size_t i = 0; i < PUBLISH_FLOWS_MAX; i++)
		flow_close(p, i);
	for (size_t i = 0; i < p->n_listeners; i++)
		if (p->listeners[i].fd >= 0)
			close(p->listeners[i].fd);
	free(p->listeners);
	if (p->epfd >= 0)
		close(p->epfd);
	if (p->netns >= 0)
		close(p->netns);
	if (p->hostns >= 0)
		close(p->hostns);
	free(p);
}
