/* Layer entry paths: normalisation, refusal of escapes, whiteout classification. */
#include "mocker/layerpath.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"

static void
assert_norm(const char *in, const char *want)
{
	const char *reason = NULL;
	char *out = NULL;

	ck_assert_msg(layerpath_normalize(in, &out, &reason) == 0, "'%s' refused: %s", in,
	              reason ? reason : "?");
	ck_assert_str_eq(out, want);
	free(out);
}

static void
assert_refused(const char *in, int err, const char *why)
{
	const char *reason = NULL;
	char *out = NULL;

	ck_assert_int_eq(layerpath_normalize(in, &out, &reason), err);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(reason);
	ck_assert_msg(strstr(reason, why), "'%s': reason '%s' lacks '%s'", in, reason, why);
}

START_TEST(normalises_harmless_forms)
{
	assert_norm("etc/passwd", "etc/passwd");
	assert_norm("./etc/passwd", "etc/passwd");
	assert_norm("././etc//./passwd", "etc/passwd");
	assert_norm("usr/bin/", "usr/bin");
	assert_norm("usr//bin///", "usr/bin");
	assert_norm("./", "");
	assert_norm(".", "");
	assert_norm("a/./b/.", "a/b");
	assert_norm("...", "...");
	assert_norm("..a/b..", "..a/b..");
	assert_norm(".wh..wh..opq", ".wh..wh..opq");
}
END_TEST

START_TEST(refuses_escapes)
{
	assert_refused("../etc/passwd", -EINVAL, "..");
	assert_refused("a/../../x", -EINVAL, "..");
	assert_refused("a/..", -EINVAL, "..");
	assert_refused("a/../b", -EINVAL, "..");
	assert_refused("./..", -EINVAL, "..");
	assert_refused("..", -EINVAL, "..");
	assert_refused("/etc/passwd", -EINVAL, "absolute");
	assert_refused("/", -EINVAL, "absolute");
	assert_refused("//x", -EINVAL, "absolute");
	assert_refused("", -EINVAL, "empty");
}
END_TEST

START_TEST(refuses_overlong)
{
	char *name = malloc(LAYERPATH_MAX + 2);

	memset(name, 'a', LAYERPATH_MAX + 1);
	name[LAYERPATH_MAX + 1] = '\0';
	assert_refused(name, -ENAMETOOLONG, "long");
	name[LAYERPATH_MAX] = '\0';
	assert_norm(name, name);
	free(name);
}
END_TEST

START_TEST(classifies_whiteouts)
{
	const char *target = NULL;

	ck_assert_int_eq(layerpath_classify("passwd", &target), LAYERPATH_NORMAL);
	ck_assert_int_eq(layerpath_classify(".whiteout", &target), LAYERPATH_NORMAL);
	ck_assert_int_eq(layerpath_classify(".wh", &target), LAYERPATH_NORMAL);
	ck_assert_int_eq(layerpath_classify(".wh.passwd", &target), LAYERPATH_WHITEOUT);
	ck_assert_str_eq(target, "passwd");
	ck_assert_int_eq(layerpath_classify(".wh..hidden", &target), LAYERPATH_WHITEOUT);
	ck_assert_str_eq(target, ".hidden");
	ck_assert_int_eq(layerpath_classify(".wh..wh..opq", NULL), LAYERPATH_OPAQUE);
	ck_assert_int_eq(layerpath_classify(".wh..wh.plnk", NULL), LAYERPATH_META);
	ck_assert_int_eq(layerpath_classify(".wh..wh.aufs", NULL), LAYERPATH_META);
	ck_assert_int_eq(layerpath_classify(".wh.", NULL), LAYERPATH_INVALID);
	ck_assert_int_eq(layerpath_classify(".wh..", NULL), LAYERPATH_INVALID);
	ck_assert_int_eq(layerpath_classify(".wh...", NULL), LAYERPATH_INVALID);
}
END_TEST

START_TEST(splits_paths)
{
	ck_assert_uint_eq(layerpath_parent_len("a/b/c"), 3);
	ck_assert_uint_eq(layerpath_parent_len("a"), 0);
	ck_assert_uint_eq(layerpath_parent_len(""), 0);
	ck_assert_str_eq(layerpath_base("a/b/c"), "c");
	ck_assert_str_eq(layerpath_base("a"), "a");
	ck_assert_str_eq(layerpath_base(""), "");
	ck_assert_uint_eq(layerpath_depth(""), 0);
	ck_assert_uint_eq(layerpath_depth("a"), 1);
	ck_assert_uint_eq(layerpath_depth("a/b/c"), 3);
}
END_TEST

START_TEST(classifies_directories)
{
	ck_assert_int_eq(layerpath_classify_dirs("a/b/.wh.c"), LAYERPATH_NORMAL);
	ck_assert_int_eq(layerpath_classify_dirs(".wh.c"), LAYERPATH_NORMAL);
	ck_assert_int_eq(layerpath_classify_dirs(".wh..wh..opq"), LAYERPATH_NORMAL);
	ck_assert_int_eq(layerpath_classify_dirs(""), LAYERPATH_NORMAL);
	ck_assert_int_eq(layerpath_classify_dirs(".whx/c"), LAYERPATH_NORMAL);
	ck_assert_int_eq(layerpath_classify_dirs(".wh/c"), LAYERPATH_NORMAL);
	ck_assert_int_eq(layerpath_classify_dirs("a/.wh.b/c"), LAYERPATH_INVALID);
	ck_assert_int_eq(layerpath_classify_dirs("a/.wh..wh..opq/c"), LAYERPATH_INVALID);
	ck_assert_int_eq(layerpath_classify_dirs(".wh./c"), LAYERPATH_INVALID);
	ck_assert_int_eq(layerpath_classify_dirs(".wh..wh.plnk/x"), LAYERPATH_META);
	ck_assert_int_eq(layerpath_classify_dirs("a/.wh..wh.aufs/b/c"), LAYERPATH_META);
}
END_TEST

static Suite *
layerpath_suite(void)
{
	Suite *s = suite_create("layerpath");
	TCase *tc = tcase_create("layerpath");

	tcase_add_test(tc, normalises_harmless_forms);
	tcase_add_test(tc, refuses_escapes);
	tcase_add_test(tc, refuses_overlong);
	tcase_add_test(tc, classifies_whiteouts);
	tcase_add_test(tc, splits_paths);
	tcase_add_test(tc, classifies_directories);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(layerpath_suite)
