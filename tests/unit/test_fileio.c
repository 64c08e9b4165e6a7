/* read_file_at: whole files, bounded, /proc included. */
#include "fileio.h"

#include "check_main.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[32];
static int dfd = -1;

static void
setup(void)
{
	strcpy(dir, "/tmp/test-fileio-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);
}

static void
teardown(void)
{
	char cmd[64];

	close(dfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
put(const char *name, size_t len)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	ck_assert_int_ge(fd, 0);
	for (size_t i = 0; i < len; i++)
		ck_assert_int_eq(write(fd, &"0123456789"[i % 10], 1), 1);
	close(fd);
}

START_TEST(exactly_max_and_one_more)
{
	char *text = NULL;
	size_t len = 0;

	put("f", 10000);
	ck_assert_int_eq(read_file_at(dfd, "f", 10000, &text, &len), 0);
	ck_assert_uint_eq(len, 10000);
	ck_assert_uint_eq(strlen(text), 10000);
	ck_assert_int_eq(text[9999], '9');
	free(text);
	ck_assert_int_eq(read_file_at(dfd, "f", 9999, &text, &len), -EFBIG);
	put("empty", 0);
	ck_assert_int_eq(read_file_at(dfd, "empty", 10, &text, NULL), 0);
	ck_assert_str_eq(text, "");
	free(text);
}
END_TEST

/* /proc says st_size 0: the reader must not believe it. */
START_TEST(proc_files_read_whole)
{
	char *text = NULL;
	size_t len = 0;

	ck_assert_int_eq(read_file_at(AT_FDCWD, "/proc/self/status", 1 << 20, &text, &len), 0);
	ck_assert_uint_gt(len, 100);
	ck_assert_ptr_nonnull(strstr(text, "\nPid:"));
	ck_assert_ptr_nonnull(strstr(text, "\nCpus_allowed:"));
	free(text);
	ck_assert_int_eq(read_file_at(AT_FDCWD, "/proc/self/status", 20, &text, &len), -EFBIG);
}
END_TEST

START_TEST(not_regular_files)
{
	char *text = NULL;

	ck_assert_int_eq(mkdirat(dfd, "d", 0755), 0);
	ck_assert_int_eq(read_file_at(dfd, "d", 10, &text, NULL), -EINVAL);
	/* A FIFO with no writer: refused at once, not waited on. */
	ck_assert_int_eq(mkfifoat(dfd, "fifo", 0644), 0);
	ck_assert_int_eq(read_file_at(dfd, "fifo", 10, &text, NULL), -EINVAL);
	ck_assert_int_eq(read_file_at(dfd, "missing", 10, &text, NULL), -ENOENT);
	ck_assert_ptr_null(text);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("fileio");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, exactly_max_and_one_more);
	tcase_add_test(tc, proc_files_read_whole);
	tcase_add_test(tc, not_regular_files);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)
