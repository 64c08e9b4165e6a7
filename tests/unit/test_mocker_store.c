/* The store: blobs verified on the way in and out, index.json entries, image lookup. */
#include "fileio.h"
#include "mocker/digest.h"
#include "fileio.h"
#include "mocker/image.h"
#include "mocker/store.h"
#include "rmtree.h"

#include "check_main.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[] = "/tmp/test_mocker_store.XXXXXX";
static struct store s;

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(root));
	ck_assert_int_eq(store_open(root, true, &s), 0);
}

static void
teardown(void)
{
	store_close(&s);
	rm_rf_at(AT_FDCWD, root);
	strcpy(root, "/tmp/test_mocker_store.XXXXXX");
}

START_TEST(layout_files)
{
	char p[256], *text;
	size_t len;

	snprintf(p, sizeof(p), "%s/images/oci-layout", root);
	ck_assert_int_eq(read_file_at(AT_FDCWD, p, 4096, &text, &len), 0);
	ck_assert_str_eq(text, "{\"imageLayoutVersion\":\"1.0.0\"}");
	free(text);
	/* an empty index.json (a creation cut by a power failure) is repaired */
	snprintf(p, sizeof(p), "%s/images/index.json", root);
	ck_assert_int_eq(truncate(p, 0), 0);
	store_close(&s);
	ck_assert_int_eq(store_open(root, true, &s), 0);
	ck_assert_int_eq(read_file_at(AT_FDCWD, p, 4096, &text, &len), 0);
	ck_assert_str_eq(text, "{\"schemaVersion\":2,\"manifests\":[]}");
	free(text);
}
END_TEST

START_TEST(blobs_verified)
{
	char d[DIGEST_STR_SIZE], *back;
	size_t len;

	digest_buffer("hello", 5, d);
	ck_assert(!store_has_blob(&s, d, 5));
	ck_assert_int_eq(store_put_blob(&s, "hellO", 5, d), -EBADMSG);
	ck_assert(!store_has_blob(&s, d, 5));
	ck_assert_int_eq(store_put_blob(&s, "hello", 5, d), 0);
	ck_assert(store_has_blob(&s, d, 5));
	ck_assert(!store_has_blob(&s, d, 6));
	ck_assert_int_eq(store_read_blob(&s, d, 100, &back, &len), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(back, "hello", 5);
	free(back);
	ck_assert_int_eq(store_read_blob(&s, d, 4, &back, &len), -EFBIG);

	/* a blob that rotted in the store is refused on the way out */
	char *p = store_blob_path(&s, d);
	FILE *f = fopen(p, "w");
	fputs("jello", f);
	fclose(f);
	free(p);
	ck_assert_int_eq(store_read_blob(&s, d, 100, &back, &len), -EBADMSG);
	ck_assert_int_eq(store_remove_blob(&s, d), 0);
	ck_assert(!store_has_blob(&s, d, 5));
	/* digests that are not sha256:<64 hex> never become paths */
	ck_assert_ptr_null(store_blob_path(&s, "sha256:../../../etc/passwd"));
	ck_assert_ptr_null(store_rootfs_path(&s, "sha256:abc"));
}
END_TEST

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:1112222222222222222222222222222222222222222222222222222222222222"

START_TEST(index_entries)
{
	cJSON *index, *e;

	ck_assert_int_eq(store_index_load(&s, &index), 0);
	ck_assert_ptr_null(store_index_find(index, "docker.io/library/busybox:latest"));
	ck_assert_int_eq(store_index_set(index, "docker.io/library/busybox:latest",
	                                 "application/vnd.oci.image.manifest.v1+json", D1, 10),
	                 0);
	ck_assert_int_eq(store_index_set(index, "h:5000/x:1",
	                                 "application/vnd.oci.image.manifest.v1+json", D2, 20),
	                 0);
	/* the same reference again replaces its entry */
	ck_assert_int_eq(store_index_set(index, "h:5000/x:1",
	                                 "application/vnd.oci.image.manifest.v1+json", D1, 10),
	                 0);
	ck_assert_int_eq(store_index_save(&s, index), 0);
	cJSON_Delete(index);

	ck_assert_int_eq(store_index_load(&s, &index), 0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(index, "manifests")), 2);
	e = store_index_find(index, "h:5000/x:1");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(image_digest(e), D1);

	/* lookup: Docker's short names, full names, digests and their prefixes */
	ck_assert_int_eq(image_lookup(index, "busybox", &e), 0);
	ck_assert_int_eq(image_lookup(index, "docker.io/library/busybox", &e), 0);
	ck_assert_int_eq(image_lookup(index, "h:5000/x:1", &e), 0);
	ck_assert_int_eq(image_lookup(index, "h:5000/x:2", &e), -ENOENT);
	ck_assert_int_eq(image_lookup(index, "111111", &e), 0);
	ck_assert_str_eq(image_digest(e), D1);
	ck_assert_int_eq(image_lookup(index, D1, &e), 0);
	ck_assert_int_eq(image_lookup(index, "11111", &e), -ENOENT); /* too short */
	cJSON_Delete(index);
}
END_TEST

START_TEST(ambiguous_prefix)
{
	cJSON *index, *e;

	ck_assert_int_eq(store_index_load(&s, &index), 0);
	store_index_set(index, "a/b:1", "application/vnd.oci.image.manifest.v1+json", D1, 1);
	store_index_set(index, "a/b:2", "application/vnd.oci.image.manifest.v1+json", D2, 1);
	ck_assert_int_eq(image_lookup(index, "111", &e), -ENOENT);
	ck_assert_int_eq(image_lookup(index, "111111", &e), 0);
	ck_assert_int_eq(image_lookup(index, "1112", &e), -ENOENT);
	ck_assert_int_eq(image_lookup(index, "111222", &e), 0);
	store_index_set(index, "a/b:3", "application/vnd.oci.image.manifest.v1+json",
	                "sha256:1111112222222222222222222222222222222222222222222222222222222222",
	                1);
	ck_assert_int_eq(image_lookup(index, "111111", &e), -EEXIST);
	cJSON_Delete(index);
}
END_TEST

START_TEST(sweep_leftovers)
{
	char p[256];
	char *tmp;
	int fd = store_tmpfile(&s, &tmp);

	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/rootfs/.tmp-abc-1", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p),
	         "%s/rootfs/"
	         "1111111111111111111111111111111111111111111111111111111111111111",
	         root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/images/index.json.tmp-123", root);
	fclose(fopen(p, "w"));
	store_sweep(&s);
	ck_assert_int_eq(access(p, F_OK), -1);
	snprintf(p, sizeof(p), "%s/images/index.json", root);
	ck_assert_int_eq(access(p, F_OK), 0);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	snprintf(p, sizeof(p), "%s/rootfs/.tmp-abc-1", root);
	ck_assert_int_eq(access(p, F_OK), -1);
	snprintf(p, sizeof(p),
	         "%s/rootfs/"
	         "1111111111111111111111111111111111111111111111111111111111111111",
	         root);
	ck_assert_int_eq(access(p, F_OK), 0);
	free(tmp);
}
END_TEST

static Suite *
suite(void)
{
	Suite *su = suite_create("mocker_store");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, layout_files);
	tcase_add_test(tc, blobs_verified);
	tcase_add_test(tc, index_entries);
	tcase_add_test(tc, ambiguous_prefix);
	tcase_add_test(tc, sweep_leftovers);
	suite_add_tcase(su, tc);
	return su;
}

CHECK_MAIN(suite)
