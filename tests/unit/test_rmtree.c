/* Tree removal: everything below goes, through read-only directories of our own (as root
 * and as an unprivileged owner), never through a symlink, never across a mount point, and
 * on past an error. */
#include "rmtree.h"

#include "check_main.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char base[] = "/tmp/test_rmtree.XXXXXX";
static char tree[128], outside[128], keep[160];

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(base));
	ck_assert_int_eq(chmod(base, 0755), 0);
	snprintf(tree, sizeof(tree), "%s/tree", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	snprintf(keep, sizeof(keep), "%s/keep", outside);
	ck_assert_int_eq(mkdir(outside, 0755), 0);
	ck_assert_int_eq(mknodat(AT_FDCWD, keep, S_IFREG | 0644, 0), 0);
}

static void
teardown(void)
{
	ck_assert_int_eq(rm_rf_at(AT_FDCWD, base), 0);
	strcpy(base, "/tmp/test_rmtree.XXXXXX");
}

static bool
exists(const char *dir, const char *rel)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return lstat(p, &st) == 0;
}

static void
mk(const char *rel, mode_t mode)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", tree, rel);
	if (S_ISDIR(mode))
		ck_assert_int_eq(mkdir(p, mode & 07777), 0);
	else
		ck_assert_int_eq(mknodat(AT_FDCWD, p, S_IFREG | (mode & 07777), 0), 0);
}

/* A tree with read-only directories (modes set last, deepest first) and two symlinks out:
 * one to a directory, one to a file. */
static void
make_tree(void)
{
	char p[256];

	ck_assert_int_eq(mkdir(tree, 0755), 0);
	mk("a", S_IFDIR | 0755);
	mk("a/b", S_IFDIR | 0755);
	mk("a/b/f", 0444);
	mk("a/c", S_IFDIR | 0755);
	mk("a/c/g", 0600);
	mk("a/none", S_IFDIR | 0755);
	mk("a/none/h", 0644);
	mk("top", 0644);
	snprintf(p, sizeof(p), "%s/a/out", tree);
	ck_assert_int_eq(symlink(outside, p), 0);
	snprintf(p, sizeof(p), "%s/a/b/outfile", tree);
	ck_assert_int_eq(symlink(keep, p), 0);
	snprintf(p, sizeof(p), "%s/a/none", tree);
	ck_assert_int_eq(chmod(p, 0), 0);
	snprintf(p, sizeof(p), "%s/a/c", tree);
	ck_assert_int_eq(chmod(p, 0300), 0);
	snprintf(p, sizeof(p), "%s/a/b", tree);
	ck_assert_int_eq(chmod(p, 0555), 0);
	snprintf(p, sizeof(p), "%s/a", tree);
	ck_assert_int_eq(chmod(p, 0500), 0);
	ck_assert_int_eq(chmod(tree, 0555), 0);
}

static void
check_removed(void)
{
	ck_assert(!exists(tree, ""));
	ck_assert(exists(outside, "keep"));
	ck_assert(exists(base, "outside"));
}

START_TEST(removes_read_only_tree)
{
	make_tree();
	ck_assert_int_eq(rm_rf_at(AT_FDCWD, tree), 0);
	check_removed();
	ck_assert_int_eq(rm_rf_at(AT_FDCWD, tree), 0); /* missing: fine */
}
END_TEST

START_TEST(relative_to_dirfd)
{
	int fd = open(base, O_RDONLY | O_DIRECTORY);

	ck_assert_int_ge(fd, 0);
	make_tree();
	ck_assert_int_eq(rm_rf_at(fd, "tree"), 0);
	check_removed();
	close(fd);
}
END_TEST

START_TEST(symlink_itself_goes)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/link", base);
	ck_assert_int_eq(symlink(outside, p), 0);
	ck_assert_int_eq(rm_rf_at(AT_FDCWD, p), 0);
	ck_assert(!exists(base, "link"));
	ck_assert(exists(outside, "keep"));
}
END_TEST

/* An unprivileged owner removes its own read-only tree (setresuid in a child of ours). */
START_TEST(removes_read_only_tree_as_owner)
{
	pid_t pid;
	int status;

	if (geteuid() != 0) {
		make_tree();
		ck_assert_int_eq(rm_rf_at(AT_FDCWD, tree), 0);
		check_removed();
		return;
	}
	ck_assert_int_eq(chown(base, 65534, 65534), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(10);
		make_tree();
		_exit(rm_rf_at(AT_FDCWD, tree) == 0 ? 0 : 11);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: status %d", status);
	check_removed();
}
END_TEST

/* A tree with a mount inside: the mount stays untouched, everything else goes, and the
 * error says why (in a mount namespace of a child, so nothing leaks). */
START_TEST(stops_at_mount_points_and_goes_on)
{
	pid_t pid;
	int status;

	if (geteuid() != 0)
		return;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char p[256];
		int r;

		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(10);
		make_tree();
		snprintf(p, sizeof(p), "%s/a/b", tree);
		if (chmod(p, 0755) < 0 || mkdir(strcat(p, "/mnt"), 0755) < 0 ||
		    mount("tmpfs", p, "tmpfs", 0, "size=1m") < 0 ||
		    mknodat(AT_FDCWD, strcat(p, "/inside"), S_IFREG | 0644, 0) < 0)
			_exit(11);
		r = rm_rf_at(AT_FDCWD, tree);
		if (r != -EXDEV)
			_exit(12);
		if (!exists(tree, "a/b/mnt/inside"))
			_exit(13); /* the mount was entered */
		if (exists(tree, "a/b/f") || exists(tree, "a/c") || exists(tree, "top") ||
		    exists(tree, "a/none"))
			_exit(14); /* it stopped at the error */
		if (!exists(outside, "keep"))
			_exit(15);
		snprintf(p, sizeof(p), "%s/a/b/mnt", tree);
		_exit(umount(p) == 0 && rm_rf_at(AT_FDCWD, tree) == 0 ? 0 : 16);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: status %d", status);
	check_removed();
}
END_TEST

static Suite *
rmtree_suite(void)
{
	Suite *s = suite_create("rmtree");
	TCase *tc = tcase_create("rmtree");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, removes_read_only_tree);
	tcase_add_test(tc, relative_to_dirfd);
	tcase_add_test(tc, symlink_itself_goes);
	tcase_add_test(tc, removes_read_only_tree_as_owner);
	tcase_add_test(tc, stops_at_mount_points_and_goes_on);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(rmtree_suite)
