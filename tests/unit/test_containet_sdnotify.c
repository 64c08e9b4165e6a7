/* sd_notify without libsystemd: $NOTIFY_SOCKET's two forms, and the datagram itself. */
#include "containet/sdnotify.h"

#include "check_main.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BASE offsetof(struct sockaddr_un, sun_path)

START_TEST(path_and_abstract)
{
	struct sockaddr_un sa;
	socklen_t len;

	ck_assert_int_eq(sdnotify_address("/run/systemd/notify", &sa, &len), 0);
	ck_assert_int_eq(sa.sun_family, AF_UNIX);
	ck_assert_str_eq(sa.sun_path, "/run/systemd/notify");
	ck_assert_uint_eq(len, BASE + strlen("/run/systemd/notify") + 1);
	/* Abstract: a leading NUL and exactly the name's bytes, no NUL after them. */
	ck_assert_int_eq(sdnotify_address("@sd-notify", &sa, &len), 0);
	ck_assert_int_eq(sa.sun_path[0], '\0');
	ck_assert_mem_eq(sa.sun_path + 1, "sd-notify", 9);
	ck_assert_uint_eq(len, BASE + 10);
}
END_TEST

START_TEST(refused_values)
{
	char longest[sizeof(((struct sockaddr_un *)0)->sun_path) + 2];
	struct sockaddr_un sa;
	socklen_t len = 7;

	ck_assert_int_eq(sdnotify_address("", &sa, &len), -EINVAL);
	ck_assert_int_eq(sdnotify_address("@", &sa, &len), -EINVAL);
	ck_assert_int_eq(sdnotify_address("/", &sa, &len), -EINVAL);
	ck_assert_int_eq(sdnotify_address("run/notify", &sa, &len), -EINVAL);
	ck_assert_int_eq(sdnotify_address("vsock:2:1234", &sa, &len), -EINVAL);
	ck_assert_int_eq(sdnotify_address(NULL, &sa, &len), -EINVAL);
	ck_assert_uint_eq(len, 7);
	/* A path needs room for its NUL; an abstract name fills sun_path to the last byte. */
	memset(longest, 'a', sizeof(longest));
	longest[0] = '/';
	longest[sizeof(sa.sun_path)] = '\0';
	ck_assert_int_eq(sdnotify_address(longest, &sa, &len), -ENAMETOOLONG);
	longest[sizeof(sa.sun_path) - 1] = '\0';
	ck_assert_int_eq(sdnotify_address(longest, &sa, &len), 0);
	ck_assert_uint_eq(len, sizeof(sa));
	longest[0] = '@';
	longest[sizeof(sa.sun_path) - 1] = 'a';
	longest[sizeof(sa.sun_path)] = '\0';
	ck_assert_int_eq(sdnotify_address(longest, &sa, &len), 0);
	ck_assert_uint_eq(len, sizeof(sa));
	longest[sizeof(sa.sun_path)] = 'a';
	longest[sizeof(sa.sun_path) + 1] = '\0';
	ck_assert_int_eq(sdnotify_address(longest, &sa, &len), -ENAMETOOLONG);
}
END_TEST

/* Receives one datagram on fd into buf; its length. */
static ssize_t
receive(int fd, char *buf, size_t size)
{
	ssize_t n = recv(fd, buf, size - 1, MSG_DONTWAIT);

	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	return n;
}

/* A datagram socket bound where the $NOTIFY_SOCKET value says, and the variable set to it. */
static int
listen_at(const char *value)
{
	struct sockaddr_un sa;
	socklen_t len;
	int fd;

	ck_assert_int_eq(sdnotify_address(value, &sa, &len), 0);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, len), 0);
	setenv("NOTIFY_SOCKET", value, 1);
	return fd;
}

START_TEST(sends_ready_once)
{
	char dir[] = "/tmp/test-sdnotify-XXXXXX", path[64], name[64], buf[64];
	int fd;

	/* Not under a service manager: nothing to do. */
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(sdnotify_send("READY=1"), 0);

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = listen_at(path);
	ck_assert_int_eq(sdnotify_send("READY=1"), 0);
	ck_assert_int_eq(receive(fd, buf, sizeof(buf)), 7);
	ck_assert_str_eq(buf, "READY=1");
	ck_assert_ptr_null(getenv("NOTIFY_SOCKET"));
	close(fd);
	unlink(path);
	rmdir(dir);

	snprintf(name, sizeof(name), "@containet-test-%d", (int)getpid());
	fd = listen_at(name);
	ck_assert_int_eq(sdnotify_send("READY=1"), 0);
	ck_assert_int_eq(receive(fd, buf, sizeof(buf)), 7);
	ck_assert_str_eq(buf, "READY=1");
	close(fd);

	/* Nobody listening: an error for the caller to report, and the variable is gone. */
	setenv("NOTIFY_SOCKET", name, 1);
	ck_assert_int_eq(sdnotify_send("READY=1"), -ECONNREFUSED);
	ck_assert_ptr_null(getenv("NOTIFY_SOCKET"));
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	ck_assert_int_eq(sdnotify_send("READY=1"), -EINVAL);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("sdnotify");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, path_and_abstract);
	tcase_add_test(tc, refused_values);
	tcase_add_test(tc, sends_ready_once);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)
