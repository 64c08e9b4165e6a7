/* The compiled seccomp filters kept between starts: the entry format and the directory. */
#include "containode/seccomp_cache.h"

#include "check_main.h"
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char PROFILE[] = "{\"defaultAction\":\"SCMP_ACT_ERRNO\"}";

static struct seccomp_cache_key
key_make(void)
{
	struct seccomp_cache_key k = {
		.profile = PROFILE,
		.profile_len = sizeof(PROFILE) - 1,
		.caps = 0xa80425fb,
		.arch = "amd64",
		.kernel_major = 6,
		.kernel_minor = 1,
		.build = { 1, 2, 3, 4 },
		.build_len = 4,
	};
	return k;
}

static void
prog_make(struct sock_filter *prog, size_t n)
{
	for (size_t i = 0; i < n; i++)
		prog[i] = (struct sock_filter){
			.code = (uint16_t)i, .jt = 1, .jf = 2, .k = (uint32_t)(i * 7)
		};
}

START_TEST(round_trip)
{
	struct seccomp_cache_key k = key_make();
	struct sock_filter prog[5], *back = NULL;
	_cleanup_free_ void *blob = NULL;
	size_t len, n = 0;

	prog_make(prog, 5);
	ck_assert_int_eq(seccomp_cache_encode(&k, prog, 5, &blob, &len), 0);
	ck_assert_int_eq(seccomp_cache_decode(blob, len, &k, &back, &n), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_mem_eq(back, prog, sizeof(prog));
	free(back);
	/* What cannot be stored */
	ck_assert_int_eq(seccomp_cache_encode(&k, prog, 0, &blob, &len), -EINVAL);
	ck_assert_int_eq(seccomp_cache_encode(&k, prog, SECCOMP_CACHE_INSNS_MAX + 1, &blob, &len),
	                 -EINVAL);
	k.arch = "a-very-long-architecture";
	ck_assert_int_eq(seccomp_cache_encode(&k, prog, 5, &blob, &len), -EINVAL);
}
END_TEST

START_TEST(damage_is_found)
{
	struct seccomp_cache_key k = key_make();
	struct sock_filter prog[3], *back = NULL;
	_cleanup_free_ uint8_t *blob = NULL;
	size_t len, n;

	prog_make(prog, 3);
	ck_assert_int_eq(seccomp_cache_encode(&k, prog, 3, (void **)&blob, &len), 0);
	/* Every byte flipped, every length cut short: never taken for a filter. */
	for (size_t i = 0; i < len; i++) {
		blob[i] ^= 0x40;
		ck_assert_msg(seccomp_cache_decode(blob, len, &k, &back, &n) < 0, "byte %zu", i);
		blob[i] ^= 0x40;
	}
	for (size_t cut = 0; cut < len; cut++)
		ck_assert_int_eq(seccomp_cache_decode(blob, cut, &k, &back, &n), -EBADMSG);
	ck_assert_int_eq(seccomp_cache_decode(blob, len, &k, &back, &n), 0);
	free(back);
}
END_TEST

START_TEST(other_inputs_are_stale)
{
	struct seccomp_cache_key k = key_make(), other;
	struct sock_filter prog[2], *back = NULL;
	_cleanup_free_ void *blob = NULL;
	char name[SECCOMP_CACHE_NAME_MAX], other_name[SECCOMP_CACHE_NAME_MAX];
	static const char PROFILE2[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}";
	size_t len, n;

	prog_make(prog, 2);
	ck_assert_int_eq(seccomp_cache_encode(&k, prog, 2, &blob, &len), 0);
	seccomp_cache_name(&k, name);
	ck_assert_uint_eq(strlen(name), 20);
	ck_assert_str_eq(name + 16, ".bpf");
	for (int field = 0; field < 7; field++) {
		other = key_make();
		switch (field) {
		case 0:
			other.profile = PROFILE2;
			break;
		case 1:
			other.profile_len--;
			break;
		case 2:
			other.caps |= 1u << 21;
			break;
		case 3:
			other.arch = "arm64";
			break;
		case 4:
			other.kernel_minor = 2;
			break;
		case 5:
			other.build[3] = 5;
			break;
		default:
			other.build_len = 3;
			break;
		}
		ck_assert_msg(seccomp_cache_decode(blob, len, &other, &back, &n) == -ESTALE,
		              "field %d", field);
		seccomp_cache_name(&other, other_name);
		ck_assert_msg(strcmp(name, other_name) != 0, "field %d: same name", field);
	}
}
END_TEST

static char *
tmpdir(void)
{
	char *d = strdup("/tmp/test_seccomp_cache.XXXXXX");

	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

static void
rm_dir(const char *d)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(directory)
{
	_cleanup_free_ char *top = tmpdir();
	struct seccomp_cache_key k = key_make();
	struct sock_filter prog[4], *back = NULL;
	char path[256], name[SECCOMP_CACHE_NAME_MAX], file[300];
	_cleanup_close_ int dfd = -1;
	struct stat st;
	size_t n = 0;

	prog_make(prog, 4);
	/* Made when missing, 0700, below a sticky /tmp */
	snprintf(path, sizeof(path), "%s/a/cache", top);
	dfd = seccomp_cache_open_dir(path);
	ck_assert_int_ge(dfd, 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	ck_assert_int_eq(seccomp_cache_load(dfd, &k, &back, &n), -ENOENT);
	ck_assert_int_eq(seccomp_cache_store(dfd, &k, prog, 4), 0);
	ck_assert_int_eq(seccomp_cache_load(dfd, &k, &back, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_mem_eq(back, prog, sizeof(prog));
	free(back);
	seccomp_cache_name(&k, name);
	snprintf(file, sizeof(file), "%s/%s", path, name);
	ck_assert_int_eq(stat(file, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);

	/* An entry others may write, or a symlink, is not loaded */
	ck_assert_int_eq(chmod(file, 0622), 0);
	ck_assert_int_eq(seccomp_cache_load(dfd, &k, &back, &n), -EPERM);
	ck_assert_int_eq(unlink(file), 0);
	ck_assert_int_eq(symlink("/etc/passwd", file), 0);
	ck_assert_int_eq(seccomp_cache_load(dfd, &k, &back, &n), -EPERM);
	/* Storing replaces it, with a file of its own */
	ck_assert_int_eq(seccomp_cache_store(dfd, &k, prog, 4), 0);
	ck_assert_int_eq(lstat(file, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(seccomp_cache_load(dfd, &k, &back, &n), 0);
	free(back);
	dfd = safe_close(dfd);

	/* A directory others may write, itself or above it, is refused */
	ck_assert_int_eq(chmod(path, 0777), 0);
	ck_assert_int_eq(seccomp_cache_open_dir(path), -EPERM);
	ck_assert_int_eq(chmod(path, 01777), 0);
	ck_assert_int_eq(seccomp_cache_open_dir(path), -EPERM);
	ck_assert_int_eq(chmod(path, 0700), 0);
	snprintf(file, sizeof(file), "%s/a", top);
	ck_assert_int_eq(chmod(file, 0777), 0);
	ck_assert_int_eq(seccomp_cache_open_dir(path), -EPERM);
	ck_assert_int_eq(chmod(file, 01777), 0);
	dfd = seccomp_cache_open_dir(path);
	ck_assert_int_ge(dfd, 0);
	dfd = safe_close(dfd);
	/* A symlink on the way is not followed */
	snprintf(file, sizeof(file), "%s/link", top);
	ck_assert_int_eq(symlink("a", file), 0);
	snprintf(path, sizeof(path), "%s/link/cache", top);
	ck_assert_int_eq(seccomp_cache_open_dir(path), -ENOTDIR);
	ck_assert_int_eq(seccomp_cache_open_dir("relative/cache"), -EINVAL);
	rm_dir(top);
}
END_TEST

START_TEST(oldest_entries_go)
{
	_cleanup_free_ char *top = tmpdir();
	struct seccomp_cache_key k = key_make();
	struct sock_filter prog[1];
	_cleanup_close_ int dfd = -1;
	char path[256];
	size_t count = 0;
	FILE *ls;

	prog_make(prog, 1);
	snprintf(path, sizeof(path), "%s/cache", top);
	dfd = seccomp_cache_open_dir(path);
	ck_assert_int_ge(dfd, 0);
	for (unsigned i = 0; i < SECCOMP_CACHE_ENTRIES_MAX + 5; i++) {
		k.caps = i;
		ck_assert_int_eq(seccomp_cache_store(dfd, &k, prog, 1), 0);
	}
	snprintf(path, sizeof(path), "ls '%s/cache' | grep -c 'bpf$'", top);
	ls = popen(path, "r");
	ck_assert_ptr_nonnull(ls);
	ck_assert_int_eq(fscanf(ls, "%zu", &count), 1);
	pclose(ls);
	ck_assert_uint_eq(count, SECCOMP_CACHE_ENTRIES_MAX);
	/* The newest stays */
	{
		struct sock_filter *back = NULL;
		size_t n;

		ck_assert_int_eq(seccomp_cache_load(dfd, &k, &back, &n), 0);
		free(back);
	}
	rm_dir(top);
}
END_TEST

START_TEST(build_identity)
{
	struct seccomp_cache_key k = key_make();

	/* This program and libseccomp, as Debian builds them, have build ids. */
	ck_assert_int_eq(seccomp_cache_build(&k, (const void *)seccomp_init), 0);
	ck_assert_uint_ge(k.build_len, 20 + 20 + 12);
}
END_TEST

static Suite *
seccomp_cache_suite(void)
{
	Suite *s = suite_create("containode_seccomp_cache");
	TCase *tc = tcase_create("seccomp_cache");

	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, damage_is_found);
	tcase_add_test(tc, other_inputs_are_stale);
	tcase_add_test(tc, directory);
	tcase_add_test(tc, oldest_entries_go);
	tcase_add_test(tc, build_identity);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(seccomp_cache_suite)
