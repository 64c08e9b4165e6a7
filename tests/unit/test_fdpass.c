/* Descriptor passing: one fd through, extra fds refused and closed, truncation caught. */
#include "fdpass.h"

#include "check_main.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int sv[2];

static void
setup(void)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
}

static void
teardown(void)
{
	close(sv[0]);
	close(sv[1]);
}

static int
count_open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

START_TEST(message_with_fd)
{
	char buf[64];
	struct stat a, b;
	int fd = open("/dev/null", O_RDONLY), got;
	ssize_t n;

	ck_assert_int_eq(fdpass_send(sv[0], "hello", 5, fd), 0);
	n = fdpass_recv(sv[1], buf, sizeof(buf), &got);
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(memcmp(buf, "hello", 5), 0);
	ck_assert_int_ge(got, 0);
	ck_assert_int_eq(fstat(fd, &a), 0);
	ck_assert_int_eq(fstat(got, &b), 0);
	ck_assert(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	ck_assert_int_eq(fcntl(got, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(got);
	close(fd);
}
END_TEST

START_TEST(message_without_fd)
{
	char buf[64];
	int got;

	ck_assert_int_eq(fdpass_send(sv[0], "x", 1, -1), 0);
	ck_assert_int_eq(fdpass_recv(sv[1], buf, sizeof(buf), &got), 1);
	ck_assert_int_eq(got, -1);
}
END_TEST

START_TEST(two_fds_refused_and_closed)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u = {};
	struct iovec iov = { .iov_base = "m", .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov,
		             .msg_iovlen = 1,
		             .msg_control = u.buf,
		             .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	int fds[2] = { open("/dev/null", O_RDONLY), open("/dev/zero", O_RDONLY) };
	char buf[8];
	int before, got;

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(2 * sizeof(int));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	ck_assert_int_eq(sendmsg(sv[0], &mh, 0), 1);
	close(fds[0]);
	close(fds[1]);
	before = count_open_fds();
	ck_assert_int_eq(fdpass_recv(sv[1], buf, sizeof(buf), &got), -EBADMSG);
	ck_assert_int_eq(got, -1);
	/* Nothing leaked: both received descriptors were closed. */
	ck_assert_int_eq(count_open_fds(), before);
}
END_TEST

/* fdpass_take_fds hands every descriptor over, closing none, even when it says no. */
START_TEST(take_fds_closes_none)
{
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} u = {}, r = {};
	struct iovec iov = { .iov_base = "m", .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov,
		             .msg_iovlen = 1,
		             .msg_control = u.buf,
		             .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	int fds[3] = { open("/dev/null", O_RDONLY), open("/dev/zero", O_RDONLY),
		       open("/dev/null", O_RDONLY) };
	char buf[8];
	int got[4], before;
	size_t n;

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(3 * sizeof(int));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	ck_assert_int_eq(sendmsg(sv[0], &mh, 0), 1);
	for (int i = 0; i < 3; i++)
		close(fds[i]);

	/* All three fit in the buffer: all three come back open. */
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	mh.msg_control = r.buf;
	mh.msg_controllen = sizeof(r.buf);
	ck_assert_int_eq(recvmsg(sv[1], &mh, MSG_CMSG_CLOEXEC), 1);
	before = count_open_fds();
	ck_assert_int_eq(fdpass_take_fds(&mh, got, 4, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(count_open_fds(), before);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_ge(fcntl(got[i], F_GETFD), 0);

	/* A buffer for two: the third is closed, the two others are the caller's. */
	ck_assert_int_eq(fdpass_take_fds(&mh, got, 2, &n), -EBADMSG);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(count_open_fds(), before - 1);
	close(got[0]);
	close(got[1]);
	ck_assert_int_eq(count_open_fds(), before - 3);

	/* Cut short: refused, and the one that came is still handed over. */
	ck_assert_int_eq(fdpass_send(sv[0], "m", 1, STDIN_FILENO), 0);
	mh.msg_control = r.buf;
	mh.msg_controllen = sizeof(r.buf);
	ck_assert_int_eq(recvmsg(sv[1], &mh, MSG_CMSG_CLOEXEC), 1);
	mh.msg_flags |= MSG_CTRUNC;
	ck_assert_int_eq(fdpass_take_fds(&mh, got, 4, &n), -EBADMSG);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_ge(fcntl(got[0], F_GETFD), 0);
	close(got[0]);
}
END_TEST

START_TEST(truncated_message)
{
	char buf[4];
	int got, fd = open("/dev/null", O_RDONLY), before;

	ck_assert_int_eq(fdpass_send(sv[0], "0123456789", 10, fd), 0);
	close(fd);
	before = count_open_fds();
	ck_assert_int_eq(fdpass_recv(sv[1], buf, sizeof(buf), &got), -EMSGSIZE);
	ck_assert_int_eq(got, -1);
	ck_assert_int_eq(count_open_fds(), before);
}
END_TEST

START_TEST(end_of_stream)
{
	char buf[4];
	int got;

	close(sv[0]);
	sv[0] = open("/dev/null", O_RDONLY); /* for teardown */
	ck_assert_int_eq(fdpass_recv(sv[1], buf, sizeof(buf), &got), 0);
}
END_TEST

static Suite *
fdpass_suite(void)
{
	Suite *s = suite_create("fdpass");
	TCase *tc = tcase_create("fdpass");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, message_with_fd);
	tcase_add_test(tc, message_without_fd);
	tcase_add_test(tc, two_fds_refused_and_closed);
	tcase_add_test(tc, take_fds_closes_none);
	tcase_add_test(tc, truncated_message);
	tcase_add_test(tc, end_of_stream);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(fdpass_suite)
