/*
 * A small client of the switch's control protocol for the integration tests.
 *
 *   ctltool attach SOCK NODE IFNAME [SEGMENT [ROLE]]
 *       creates tap IFNAME in the current network namespace, attaches it (to SEGMENT when
 *       given and not empty, else without naming one, as clients older than segments),
 *       prints the reply and holds the connection (and so the port) until killed or hung
 *       up on.  ROLE: "access=N", or "trunk=N,N,..." with an optional ";native=N".
 *   ctltool send SOCK MESSAGE [--fd-file PATH | --fd-wfile PATH | --fd-tap IFNAME] [--fds N]
 *       sends MESSAGE verbatim as one request, with N copies (default 1) of the given
 *       descriptor, prints the reply; exit 0 when a reply came, 3 when the switch hung up.
 */
#include "cleanup.h"
#include "ctl.h"
#include "fdpass.h"
#include "tap.h"
#include "unixsock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int
die(const char *what, int err)
{
	fprintf(stderr, "ctltool: %s: %s\n", what, strerror(-err));
	return 1;
}

/* ROLE as the usage says, into v; -EINVAL when malformed. */
static int
parse_role(const char *role, struct ctl_vlan *v)
{
	char *end;
	unsigned long n;

	if (!strncmp(role, "access=", 7)) {
		v->mode = CTL_VLAN_ACCESS;
		v->access = strtoul(role + 7, &end, 10);
		return *end ? -EINVAL : 0;
	}
	if (strncmp(role, "trunk=", 6))
		return -EINVAL;
	v->mode = CTL_VLAN_TRUNK;
	for (role += 6; *role && *role != ';'; role = *end == ',' ? end + 1 : end) {
		n = strtoul(role, &end, 10);
		if (end == role || n > 4095)
			return -EINVAL;
		v->trunk[n / 64] |= 1ULL << (n % 64);
	}
	if (!strncmp(role, ";native=", 8))
		v->native = strtoul(role + 8, &end, 10);
	return 0;
}

static int
cmd_attach(const char *sock, const char *node, const char *ifname, const char *segment,
           const char *role)
{
	struct ctl_request req = { .op = CTL_ATTACH };
	_cleanup_json_ cJSON *reply = NULL;
	_cleanup_free_ char *err = NULL, *text = NULL;
	_cleanup_close_ int fd = -1, tap = -1;
	struct pollfd pfd;
	int r;

	snprintf(req.node, sizeof(req.node), "%s", node);
	snprintf(req.ifname, sizeof(req.ifname), "%s", ifname);
	if (segment)
		snprintf(req.segment, sizeof(req.segment), "%s", segment);
	if (role && parse_role(role, &req.vlan) < 0)
		return die("role", -EINVAL);
	tap = tap_open(ifname, NULL);
	if (tap < 0)
		return die("create tap", tap);
	fd = unix_connect(sock);
	if (fd < 0)
		return die("connect", fd);
	r = ctl_call(fd, &req, tap, &reply, &err);
	if (r == -EREMOTEIO) {
		fprintf(stderr, "ctltool: attach refused: %s\n", err);
		return 1;
	}
	if (r < 0)
		return die("attach", r);
	/* The switch holds its own copy: ours would keep the tap alive after the port died. */
	tap = safe_close(tap);
	text = cJSON_PrintUnformatted(reply);
	printf("%s\n", text ? text : "?");
	fflush(stdout);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
	return 0;
}

static int
cmd_send(int argc, char **argv)
{
	const char *sock = argv[0], *msg = argv[1];
	_cleanup_close_ int fd = -1, extra = -1;
	_cleanup_free_ char *buf = NULL;
	int nfds = 1, rfd = -1;
	ssize_t n;

	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--fd-file")) {
			extra = open(argv[i + 1], O_RDONLY | O_CLOEXEC);
			if (extra < 0)
				return die(argv[i + 1], -errno);
		} else if (!strcmp(argv[i], "--fd-wfile")) {
			extra = open(argv[i + 1], O_WRONLY | O_CLOEXEC);
			if (extra < 0)
				return die(argv[i + 1], -errno);
		} else if (!strcmp(argv[i], "--fd-tap")) {
			extra = tap_open(argv[i + 1], NULL);
			if (extra < 0)
				return die("create tap", extra);
		} else if (!strcmp(argv[i], "--fds")) {
			nfds = atoi(argv[i + 1]);
		} else {
			fprintf(stderr, "ctltool: unknown option '%s'\n", argv[i]);
			return 2;
		}
	}
	fd = unix_connect(sock);
	if (fd < 0)
		return die("connect", fd);
	if (extra >= 0 && nfds > 1) {
		/* More than one descriptor: build the control message by hand. */
		union {
			char buf[CMSG_SPACE(8 * sizeof(int))];
			struct cmsghdr align;
		} u = {};
		struct iovec iov = { .iov_base = (void *)msg, .iov_len = strlen(msg) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf };
		struct cmsghdr *c;
		int fds[8];

		nfds = nfds > 8 ? 8 : nfds;
		for (int i = 0; i < nfds; i++)
			fds[i] = extra;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
		if (sendmsg(fd, &mh, 0) < 0)
			return die("sendmsg", -errno);
	} else {
		int r = fdpass_send(fd, msg, strlen(msg), extra);

		if (r < 0)
			return die("send", r);
	}
	buf = malloc(1 << 20);
	if (!buf)
		return 1;
	n = fdpass_recv(fd, buf, (1 << 20) - 1, &rfd);
	safe_close(rfd);
	if (n < 0)
		return die("receive", n);
	if (n == 0) {
		fprintf(stderr, "ctltool: the switch hung up without a reply\n");
		return 3;
	}
	buf[n] = '\0';
	printf("%s\n", buf);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 5 && argc <= 7 && !strcmp(argv[1], "attach"))
		return cmd_attach(argv[2], argv[3], argv[4], argc >= 6 ? argv[5] : NULL,
		                  argc == 7 ? argv[6] : NULL);
	if (argc >= 4 && !strcmp(argv[1], "send"))
		return cmd_send(argc - 2, argv + 2);
	fprintf(stderr,
	        "usage: ctltool attach SOCK NODE IFNAME [SEGMENT [ROLE]]\n"
	        "       ctltool send SOCK MESSAGE [--fd-file PATH|--fd-wfile PATH|--fd-tap IFNAME]\n"
	        "                                    [--fds N]\n");
	return 2;
}
