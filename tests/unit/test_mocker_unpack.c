/* The unpacker on layers built in memory: whiteouts, opaque directories in both orders,
 * type changes, hard links, refused entries, nothing half-written, tree removal.  Runs
 * without root (opts.root = false). */
#include "mocker/unpack.h"
#include "rmtree.h"

#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"

struct ent {
	char kind; /* f file, d dir, l symlink, h hard link */
	const char *path;
	const char *arg; /* content, or link target */
	int mode;
};

#define LAYER_MAX (1 << 20)

static char dir[64], outside[64];
static int rootfd = -1;

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_mocker_unpack.XXXXXX");
	snprintf(outside, sizeof(outside), "/tmp/test_mocker_unpack_out.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_ptr_nonnull(mkdtemp(outside));
	rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(rootfd, 0);
}

static void
teardown(void)
{
	close(rootfd);
	ck_assert_int_eq(rm_rf_at(AT_FDCWD, dir), 0);
	ck_assert_int_eq(rm_rf_at(AT_FDCWD, outside), 0);
}

/* A pax tar of ents in buf; returns its size. */
static size_t
build(const struct ent *ents, size_t n, char *buf)
{
	struct archive *w = archive_write_new();
	size_t used = 0;

	ck_assert_int_eq(archive_write_set_format_pax_restricted(w), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_open_memory(w, buf, LAYER_MAX, &used), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		const struct ent *x = &ents[i];
		size_t len = x->kind == 'f' && x->arg ? strlen(x->arg) : 0;

		archive_entry_set_pathname(e, x->path);
		archive_entry_set_mtime(e, 1600000000, 0);
		archive_entry_set_perm(e, x->mode ? x->mode : (x->kind == 'd' ? 0755 : 0644));
		switch (x->kind) {
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, x->arg);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, x->arg);
			break;
		default:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, (la_int64_t)len);
		}
		ck_assert_int_eq(archive_write_header(w, e), ARCHIVE_OK);
		if (len)
			ck_assert_int_eq(archive_write_data(w, x->arg, len), (la_ssize_t)len);
		archive_entry_free(e);
	}
	ck_assert_int_eq(archive_write_close(w), ARCHIVE_OK);
	archive_write_free(w);
	return used;
}

static int
apply_buf_opts(const char *buf, size_t size, const struct unpack_opts *opts, char **ret_error)
{
	struct archive *a = archive_read_new();
	int r;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	ck_assert_int_eq(archive_read_open_memory(a, buf, size), ARCHIVE_OK);
	r = unpack_layer(rootfd, a, opts, ret_error);
	archive_read_free(a);
	return r;
}

static int
apply_buf(const char *buf, size_t size, char **ret_error)
{
	const struct unpack_opts opts = { .root = false };

	return apply_buf_opts(buf, size, &opts, ret_error);
}

/* A layer of one file, path, with len bytes of data (zeros allowed); returns its size. */
static size_t
build_file(const char *path, const char *data, size_t len, char *buf)
{
	struct archive *w = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t used = 0;

	ck_assert_int_eq(archive_write_set_format_pax_restricted(w), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_open_memory(w, buf, LAYER_MAX, &used), ARCHIVE_OK);
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	ck_assert_int_eq(archive_write_header(w, e), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_data(w, data, len), (la_ssize_t)len);
	archive_entry_free(e);
	ck_assert_int_eq(archive_write_close(w), ARCHIVE_OK);
	archive_write_free(w);
	return used;
}

/* Applies a layer; with ret_error NULL, it must succeed. */
static int
apply(const struct ent *ents, size_t n, char **ret_error)
{
	char *buf = malloc(LAYER_MAX);
	char *error = NULL;
	int r;

	r = apply_buf(buf, build(ents, n, buf), &error);
	free(buf);
	if (!ret_error) {
		ck_assert_msg(r == 0, "layer failed: %s", error ? error : "?");
		free(error);
	} else {
		*ret_error = error;
	}
	return r;
}

static char *
content(const char *rel)
{
	static char got[256];
	ssize_t n;
	int fd = openat(rootfd, rel, O_RDONLY | O_NOFOLLOW);

	if (fd < 0)
		return NULL;
	n = read(fd, got, sizeof(got) - 1);
	close(fd);
	got[n < 0 ? 0 : n] = '\0';
	return got;
}

static bool
exists(int dirfd, const char *rel)
{
	struct stat st;

	return fstatat(dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Number of entries in a directory (not counting "." and ".."). */
static int
count(const char *rel)
{
	char cmd[256];
	int n = -1;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ls -A '%s/%s' | wc -l", dir, rel);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &n), 1);
	pclose(f);
	return n;
}

START_TEST(whiteouts)
{
	const struct ent l1[] = {
		{ .kind = 'd', .path = "d" },
		{ .kind = 'f', .path = "d/a", .arg = "a" },
		{ .kind = 'f', .path = "d/b", .arg = "b" },
		{ .kind = 'd', .path = "d/sub" },
		{ .kind = 'f', .path = "d/sub/deep", .arg = "deep" },
		{ .kind = 'f', .path = "d/again", .arg = "old" },
		{ .kind = 'f', .path = "d/later", .arg = "old" },
	};
	const struct ent l2[] = {
		{ .kind = 'f', .path = "d/.wh.a" },
		{ .kind = 'f', .path = "d/.wh.sub" },
		{ .kind = 'f', .path = "d/.wh.missing" },
		{ .kind = 'f', .path = "nodir/.wh.x" },
		{ .kind = 'f', .path = "d/.wh.again" },
		{ .kind = 'f', .path = "d/again", .arg = "new" },
		{ .kind = 'f', .path = "d/later", .arg = "new" },
		{ .kind = 'f', .path = "d/.wh.later" },
		{ .kind = 'd', .path = ".wh..wh.plnk" },
		{ .kind = 'f', .path = ".wh..wh.plnk/1234.5678", .arg = "aufs" },
	};

	apply(l1, sizeof(l1) / sizeof(*l1), NULL);
	apply(l2, sizeof(l2) / sizeof(*l2), NULL);
	ck_assert(!exists(rootfd, "d/a"));
	ck_assert(!exists(rootfd, "d/sub"));
	ck_assert_str_eq(content("d/b"), "b");
	ck_assert_str_eq(content("d/again"), "new");
	ck_assert_str_eq(content("d/later"), "new");
	ck_assert(!exists(rootfd, "nodir"));
	ck_assert(!exists(rootfd, ".wh..wh.plnk"));
	ck_assert_int_eq(count("d"), 3);
}
END_TEST

START_TEST(opaque_in_both_orders)
{
	const struct ent l1[] = {
		{ .kind = 'd', .path = "o" },
		{ .kind = 'f', .path = "o/x", .arg = "x" },
		{ .kind = 'd', .path = "o/sub" },
		{ .kind = 'f', .path = "o/sub/y", .arg = "y" },
		{ .kind = 'd', .path = "p" },
		{ .kind = 'f', .path = "p/x", .arg = "x" },
		{ .kind = 'd', .path = "p/keep" },
		{ .kind = 'f', .path = "p/keep/old", .arg = "o" },
	};
	const struct ent l2[] = {
		{ .kind = 'f', .path = "o/.wh..wh..opq" },
		{ .kind = 'f', .path = "o/new", .arg = "n" },
		{ .kind = 'f', .path = "p/new", .arg = "n" },
		{ .kind = 'f', .path = "p/keep/added", .arg = "a" },
		{ .kind = 'f', .path = "p/.wh..wh..opq" },
	};

	apply(l1, sizeof(l1) / sizeof(*l1), NULL);
	apply(l2, sizeof(l2) / sizeof(*l2), NULL);
	ck_assert_int_eq(count("o"), 1);
	ck_assert_str_eq(content("o/new"), "n");
	/* p/keep holds an entry of this layer: it stays, but only with that entry. */
	ck_assert_int_eq(count("p"), 2);
	ck_assert_str_eq(content("p/new"), "n");
	ck_assert_int_eq(count("p/keep"), 1);
	ck_assert_str_eq(content("p/keep/added"), "a");
}
END_TEST

START_TEST(type_changes)
{
	const struct ent l1[] = {
		{ .kind = 'd', .path = "d2f" },
		{ .kind = 'd', .path = "d2f/x" },
		{ .kind = 'f', .path = "d2f/x/y", .arg = "y" },
		{ .kind = 'f', .path = "f2d", .arg = "f" },
		{ .kind = 'l', .path = "l2d", .arg = "/" },
		{ .kind = 'd', .path = "keep" },
		{ .kind = 'f', .path = "keep/in", .arg = "in" },
	};
	const struct ent l2[] = {
		{ .kind = 'f', .path = "d2f", .arg = "file" },
		{ .kind = 'd', .path = "f2d", .mode = 0700 },
		{ .kind = 'f', .path = "f2d/in", .arg = "in" },
		{ .kind = 'd', .path = "l2d" },
		{ .kind = 'd', .path = "keep", .mode = 0711 },
	};
	struct stat st;

	apply(l1, sizeof(l1) / sizeof(*l1), NULL);
	apply(l2, sizeof(l2) / sizeof(*l2), NULL);
	ck_assert_str_eq(content("d2f"), "file");
	ck_assert_int_eq(fstatat(rootfd, "f2d", &st, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	ck_assert_int_eq(fstatat(rootfd, "l2d", &st, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(fstatat(rootfd, "keep", &st, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0711);
	ck_assert_str_eq(content("keep/in"), "in");
}
END_TEST

START_TEST(hard_links)
{
	const struct ent l1[] = { { .kind = 'f', .path = "t", .arg = "t" },
		                  { .kind = 'h', .path = "h1", .arg = "t" },
		                  { .kind = 'l', .path = "s", .arg = "t" } };
	const struct ent l2[] = { { .kind = 'h', .path = "h2", .arg = "./t" },
		                  { .kind = 'h', .path = "hs", .arg = "s" },
		                  { .kind = 'h', .path = "h1", .arg = "t" } };
	struct stat a, b;

	apply(l1, 3, NULL);
	apply(l2, 3, NULL);
	ck_assert_int_eq(fstatat(rootfd, "t", &a, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert_int_eq(fstatat(rootfd, "h2", &b, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert_uint_eq(a.st_ino, b.st_ino);
	ck_assert_uint_eq(a.st_nlink, 3);
	ck_assert_int_eq(fstatat(rootfd, "hs", &b, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert(S_ISLNK(b.st_mode));
}
END_TEST

/* Applies one entry that must be refused with err, its reason naming why. */
static void
assert_refused(const struct ent *ents, size_t n, int err, const char *why)
{
	char *error = NULL;

	ck_assert_int_eq(apply(ents, n, &error), err);
	ck_assert_ptr_nonnull(error);
	ck_assert_msg(strstr(error, why), "reason '%s' lacks '%s'", error, why);
	ck_assert_ptr_null(strchr(error, '\n'));
	free(error);
}

START_TEST(refuses_hostile)
{
	const struct ent plant[] = { { .kind = 'l', .path = "evil", .arg = outside },
		                     { .kind = 'l', .path = "rel", .arg = "../../../../.." } };
	const struct ent dotdot[] = { { .kind = 'f', .path = "../x", .arg = "x" } };
	const struct ent abs[] = { { .kind = 'f', .path = "/x", .arg = "x" } };
	const struct ent through[] = { { .kind = 'f', .path = "evil/x", .arg = "x" } };
	const struct ent through_rel[] = { { .kind = 'd', .path = "rel/tmp" } };
	const struct ent wh_through[] = { { .kind = 'f', .path = "evil/.wh.x" } };
	const struct ent hard_out[] = { { .kind = 'h', .path = "h", .arg = "../etc/passwd" } };
	const struct ent hard_through[] = { { .kind = 'h', .path = "h", .arg = "evil/x" } };
	const struct ent in_whiteout[] = { { .kind = 'f', .path = "d/.wh.x/y", .arg = "y" } };
	const struct ent newline[] = { { .kind = 'f', .path = "a/../\n", .arg = "x" } };
	int fd;

	fd = openat(AT_FDCWD, outside, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(mknodat(fd, "x", S_IFREG | 0644, 0), 0);
	apply(plant, 2, NULL);
	assert_refused(dotdot, 1, -EINVAL, "\"..\"");
	assert_refused(abs, 1, -EINVAL, "absolute");
	assert_refused(through, 1, -ELOOP, "symbolic link");
	assert_refused(through_rel, 1, -ELOOP, "symbolic link");
	assert_refused(wh_through, 1, -ELOOP, "symbolic link");
	assert_refused(hard_out, 1, -EINVAL, "hard link");
	assert_refused(hard_through, 1, -ELOOP, "symbolic link");
	assert_refused(newline, 1, -EINVAL, "\"..\"");
	assert_refused(in_whiteout, 1, -EINVAL, "inside a whiteout");
	ck_assert(exists(fd, "x"));
	ck_assert_int_eq(count("."), 2);
	close(fd);
}
END_TEST

/* Runs of zeros become holes (the file ending in one included); the content is exact. */
START_TEST(zeros_become_holes)
{
	enum { SIZE = 600 * 1024 };
	char *data = calloc(1, SIZE), *buf = malloc(LAYER_MAX), *back = malloc(SIZE + 1);
	struct stat st;
	ssize_t n;
	int fd;

	memcpy(data, "head", 4);
	memcpy(data + 300 * 1024 + 5, "tail", 4);
	ck_assert_int_eq(apply_buf(buf, build_file("sparse", data, SIZE, buf), NULL), 0);
	fd = openat(rootfd, "sparse", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, SIZE);
	ck_assert_msg(st.st_blocks * 512 < 64 * 1024, "%lld blocks for two 4 kB pieces of data",
	              (long long)st.st_blocks);
	n = read(fd, back, SIZE + 1);
	ck_assert_int_eq(n, SIZE);
	ck_assert(memcmp(back, data, SIZE) == 0);
	close(fd);
	free(data);
	free(buf);
	free(back);
}
END_TEST

/* The sizes of the files count over the layers of an image; the file that would pass the
 * limit is refused before it is written. */
START_TEST(size_limit)
{
	static char data[600];
	char *buf = malloc(LAYER_MAX), *error = NULL;
	uint64_t total = 0;
	const struct unpack_opts opts = { .max_size = 1000, .size = &total };

	memset(data, 'x', sizeof(data));
	ck_assert_int_eq(apply_buf_opts(buf, build_file("one", data, 600, buf), &opts, NULL), 0);
	ck_assert_uint_eq(total, 600);
	ck_assert_int_eq(apply_buf_opts(buf, build_file("two", data, 600, buf), &opts, &error),
	                 -EFBIG);
	ck_assert_ptr_nonnull(error);
	ck_assert_ptr_nonnull(
	        strstr(error, "'two': the image unpacks to more than its limit of 1000"));
	ck_assert(exists(rootfd, "one"));
	ck_assert(!exists(rootfd, "two"));
	ck_assert_int_eq(count("."), 1); /* no temporary file either */
	free(error);
	free(buf);
}
END_TEST

/* A file cut short by the end of the layer is never visible under its name. */
START_TEST(truncated_leaves_nothing)
{
	static char big[200000];
	const struct ent l[] = { { .kind = 'f', .path = "small", .arg = "s" },
		                 { .kind = 'f', .path = "big", .arg = big } };
	char *buf = malloc(LAYER_MAX), *error = NULL;
	size_t size;

	memset(big, 'b', sizeof(big) - 1);
	size = build(l, 2, buf);
	ck_assert_int_lt(apply_buf(buf, size / 2, &error), 0);
	ck_assert_ptr_nonnull(error);
	ck_assert(exists(rootfd, "small"));
	ck_assert(!exists(rootfd, "big"));
	ck_assert_int_eq(count("."), 1); /* no temporary file either */
	free(error);
	free(buf);
}
END_TEST

/* Directory modes come after the contents: a read-only directory can be filled. */
START_TEST(directory_mode_after_contents)
{
	const struct ent l[] = { { .kind = 'd', .path = "ro", .mode = 0555 },
		                 { .kind = 'f', .path = "ro/f", .arg = "f", .mode = 0444 } };
	struct stat st;

	apply(l, 2, NULL);
	ck_assert_int_eq(fstatat(rootfd, "ro", &st, 0), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0555);
	ck_assert_int_eq(st.st_mtime, 1600000000);
	ck_assert_str_eq(content("ro/f"), "f");
}
END_TEST

/* As an unprivileged user (dropping root if need be): read-only directories of a lower
 * layer are written into and whited out in, and keep their mode. */
START_TEST(read_only_lower_directories_without_root)
{
	const struct ent l1[] = {
		{ .kind = 'd', .path = "ro", .mode = 0555 },
		{ .kind = 'f', .path = "ro/f", .arg = "f" },
		{ .kind = 'd', .path = "ro/sub", .mode = 0500 },
		{ .kind = 'f', .path = "ro/sub/x", .arg = "x" },
		{ .kind = 'd', .path = "ro2", .mode = 0555 },
	};
	const struct ent l2[] = {
		{ .kind = 'f', .path = "ro/g", .arg = "g" },
		{ .kind = 'f', .path = "ro/.wh.f" },
		{ .kind = 'f', .path = "ro/.wh.sub" },
		{ .kind = 'd', .path = "ro2", .mode = 0555 },
		{ .kind = 'f', .path = "ro2/h", .arg = "h" },
	};
	struct stat st;

	if (geteuid() == 0) {
		ck_assert_int_eq(chown(dir, 65534, 65534), 0);
		ck_assert_int_eq(chown(outside, 65534, 65534), 0);
		ck_assert_int_eq(setresgid(65534, 65534, 65534), 0);
		ck_assert_int_eq(setresuid(65534, 65534, 65534), 0);
	}
	apply(l1, sizeof(l1) / sizeof(*l1), NULL);
	apply(l2, sizeof(l2) / sizeof(*l2), NULL);
	ck_assert_int_eq(count("ro"), 1);
	ck_assert_str_eq(content("ro/g"), "g");
	ck_assert_str_eq(content("ro2/h"), "h");
	ck_assert_int_eq(fstatat(rootfd, "ro", &st, 0), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0555);
	ck_assert_int_eq(fstatat(rootfd, "ro2", &st, 0), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0555);
}
END_TEST

START_TEST(remove_tree_stays_inside)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/keep", outside);
	ck_assert_int_eq(mknodat(AT_FDCWD, path, S_IFREG | 0644, 0), 0);
	ck_assert_int_eq(mkdirat(rootfd, "t", 0755), 0);
	ck_assert_int_eq(mkdirat(rootfd, "t/a", 0755), 0);
	ck_assert_int_eq(mkdirat(rootfd, "t/a/b", 0555), 0);
	ck_assert_int_eq(symlinkat(outside, rootfd, "t/a/out"), 0);
	ck_assert_int_eq(rm_rf_at(rootfd, "t"), 0);
	ck_assert(!exists(rootfd, "t"));
	ck_assert_int_eq(rm_rf_at(rootfd, "t"), 0);
	fd = open(outside, O_RDONLY | O_DIRECTORY);
	ck_assert(exists(fd, "keep"));
	close(fd);
}
END_TEST

START_TEST(file_api_reports_open_errors)
{
	const struct unpack_opts opts = { 0 };
	char *error = NULL;

	ck_assert_int_lt(unpack_layer_file(rootfd, "/nonexistent/layer.tar", &opts, &error), 0);
	ck_assert_ptr_nonnull(error);
	ck_assert_ptr_nonnull(strstr(error, "/nonexistent/layer.tar"));
	free(error);
}
END_TEST

static Suite *
unpack_suite(void)
{
	Suite *s = suite_create("unpack");
	TCase *tc = tcase_create("unpack");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, whiteouts);
	tcase_add_test(tc, opaque_in_both_orders);
	tcase_add_test(tc, type_changes);
	tcase_add_test(tc, hard_links);
	tcase_add_test(tc, refuses_hostile);
	tcase_add_test(tc, truncated_leaves_nothing);
	tcase_add_test(tc, zeros_become_holes);
	tcase_add_test(tc, size_limit);
	tcase_add_test(tc, directory_mode_after_contents);
	tcase_add_test(tc, read_only_lower_directories_without_root);
	tcase_add_test(tc, remove_tree_stays_inside);
	tcase_add_test(tc, file_api_reports_open_errors);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(unpack_suite)
