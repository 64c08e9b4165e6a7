/* imagestore: index.json and manifest parsing, a store built here, the rootfs lock. */
#include "imagestore.h"

#include "check_main.h"
#include "cleanup.h"
#include "rmtree.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define ANN "{\"org.opencontainers.image.ref.name\":"

static char dir[40];

static void
setup(void)
{
	strcpy(dir, "/tmp/test-imagestore-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	rm_rf_at(AT_FDCWD, dir);
}

static int
find(const char *json, const char *name, struct imagestore_desc *d)
{
	return imagestore_index_find(json, strlen(json), name, d);
}

START_TEST(index_entries)
{
	const char *index =
	        "{\"schemaVersion\":2,\"manifests\":["
	        "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D1
	        "\",\"size\":123,"
	        "\"annotations\":" ANN "\"docker.io/library/a:1\"}},"
	        "{\"digest\":\"" D2 "\",\"size\":7,\"annotations\":" ANN
	        "\"docker.io/library/a:1\"}},"
	        "{\"digest\":\"" D2 "\",\"size\":7,\"annotations\":" ANN "\"b\"}}]}";
	struct imagestore_desc d = { 0 };

	/* The first entry with the name, as mocker's store_index_find(). */
	ck_assert_int_eq(find(index, "docker.io/library/a:1", &d), 0);
	ck_assert_str_eq(d.digest, D1);
	ck_assert_uint_eq(d.size, 123);
	ck_assert_str_eq(d.media_type, "application/vnd.oci.image.manifest.v1+json");
	imagestore_desc_done(&d);
	ck_assert_int_eq(find(index, "b", &d), 0);
	ck_assert_str_eq(d.digest, D2);
	ck_assert_ptr_null(d.media_type);
	imagestore_desc_done(&d);
	ck_assert_int_eq(find(index, "docker.io/library/a:2", &d), -ENOENT);
	ck_assert_int_eq(find("{\"schemaVersion\":2}", "b", &d), -ENOENT);
	ck_assert_int_eq(find("{\"manifests\":[]}", "b", &d), -ENOENT);
}
END_TEST

START_TEST(index_refused)
{
	struct imagestore_desc d = { 0 };

	ck_assert_int_eq(find("", "b", &d), -EBADMSG);
	ck_assert_int_eq(find("[]", "b", &d), -EBADMSG);
	ck_assert_int_eq(find("{\"manifests\":{}}", "b", &d), -EBADMSG);
	ck_assert_int_eq(find("{\"manifests\":[", "b", &d), -EBADMSG);
	/* A name cut short at a NUL must not match a shorter one. */
	ck_assert_int_eq(find("{\"manifests\":[{\"digest\":\"" D1 "\",\"size\":1,"
	                      "\"annotations\":" ANN "\"b\\u0000c\"}}]}",
	                      "b", &d),
	                 -EBADMSG);
	/* Digests that could become paths, sizes that are no sizes. */
	ck_assert_int_eq(find("{\"manifests\":[{\"digest\":\"sha256:../../x\",\"size\":1,"
	                      "\"annotations\":" ANN "\"b\"}}]}",
	                      "b", &d),
	                 -EBADMSG);
	ck_assert_int_eq(find("{\"manifests\":[{\"digest\":\"" D1 "\",\"size\":-1,"
	                      "\"annotations\":" ANN "\"b\"}}]}",
	                      "b", &d),
	                 -EBADMSG);
	ck_assert_int_eq(find("{\"manifests\":[{\"digest\":\"" D1 "\",\"size\":1.5,"
	                      "\"annotations\":" ANN "\"b\"}}]}",
	                      "b", &d),
	                 -EBADMSG);
	ck_assert_int_eq(find("{\"manifests\":[{\"digest\":\"" D1 "\","
	                      "\"annotations\":" ANN "\"b\"}}]}",
	                      "b", &d),
	                 -EBADMSG);
}
END_TEST

START_TEST(manifest_config)
{
	const char *m = "{\"schemaVersion\":2,\"mediaType\":"
	                "\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
	                "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" D2
	                "\",\"size\":42},\"layers\":[]}";
	const char *index = "{\"schemaVersion\":2,\"mediaType\":"
	                    "\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}";
	const char *v1 = "{\"schemaVersion\":1,\"config\":{\"digest\":\"" D2 "\",\"size\":42}}";
	struct imagestore_desc d = { 0 };

	ck_assert_int_eq(imagestore_manifest_config(m, strlen(m), &d), 0);
	ck_assert_str_eq(d.digest, D2);
	ck_assert_uint_eq(d.size, 42);
	imagestore_desc_done(&d);
	ck_assert_int_eq(imagestore_manifest_config(index, strlen(index), &d), -EBADMSG);
	ck_assert_int_eq(imagestore_manifest_config(v1, strlen(v1), &d), -EBADMSG);
}
END_TEST

/* Writes data as a blob of the store in dir; its digest in out. */
static void
put_blob(const char *data, char out[72])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char path[200];
	FILE *f;

	SHA256((const unsigned char *)data, strlen(data), md);
	strcpy(out, "sha256:");
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		sprintf(out + 7 + 2 * i, "%02x", md[i]);
	snprintf(path, sizeof(path), "%s/images/blobs/sha256/%s", dir, out + 7);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(data, f);
	fclose(f);
}

static void
write_text(const char *name, const char *text)
{
	char path[200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* A store as mocker writes it: one image named ref, its config text cfg. */
static void
make_store(const char *ref, const char *cfg, long size_delta, char manifest[72])
{
	_cleanup_free_ char *m = NULL, *index = NULL;
	char config[72], path[200];

	snprintf(path, sizeof(path), "mkdir -p %s/images/blobs/sha256 %s/rootfs", dir, dir);
	ck_assert_int_eq(system(path), 0);
	put_blob(cfg, config);
	ck_assert_int_ge(asprintf(&m,
	                          "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image."
	                          "manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd."
	                          "oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":%ld},"
	                          "\"layers\":[]}",
	                          config, (long)strlen(cfg) + size_delta),
	                 0);
	put_blob(m, manifest);
	ck_assert_int_ge(
	        asprintf(&index,
	                 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/"
	                 "vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu,"
	                 "\"annotations\":{\"org.opencontainers.image.ref.name\":\"%s\"}}]}",
	                 manifest, strlen(m), ref),
	        0);
	write_text("images/index.json", index);
}

START_TEST(open_image)
{
	const char *cfg = "{\"config\":{\"Cmd\":[\"sh\"]}}";
	struct imagestore_image img = { 0 };
	_cleanup_free_ char *why = NULL, *rootfs = NULL;
	char manifest[72];

	make_store("127.0.0.1:5000/test/run:latest", cfg, 0, manifest);
	/* The short form is normalised as `mocker pull` stores it. */
	ck_assert_int_eq(imagestore_open(dir, "127.0.0.1:5000/test/run", &img, &why), 0);
	ck_assert_str_eq(img.name, "127.0.0.1:5000/test/run:latest");
	ck_assert_str_eq(img.manifest, manifest);
	ck_assert_str_eq(img.config, cfg);
	ck_assert_uint_eq(img.config_len, strlen(cfg));
	ck_assert_int_ge(asprintf(&rootfs, "%s/rootfs/%s", dir, manifest + 7), 0);
	ck_assert_str_eq(img.rootfs, rootfs);
	imagestore_image_done(&img);

	ck_assert_int_eq(imagestore_open(dir, "127.0.0.1:5000/test/other", &img, &why), -ENOENT);
	ck_assert_ptr_nonnull(strstr(why, "is not in the store"));
}
END_TEST

START_TEST(open_refused)
{
	const char *cfg = "{\"config\":{}}";
	struct imagestore_image img = { 0 };
	_cleanup_free_ char *why = NULL, *why2 = NULL, *why3 = NULL;
	char manifest[72], path[200];

	/* No store at all: no image. */
	ck_assert_int_eq(imagestore_open(dir, "x", &img, &why), -ENOENT);
	/* A config whose size is not the descriptor's. */
	make_store("docker.io/library/x:latest", cfg, 1, manifest);
	ck_assert_int_eq(imagestore_open(dir, "x", &img, &why2), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(why2, "bytes, not"));
	/* A manifest blob that is missing. */
	make_store("docker.io/library/x:latest", cfg, 0, manifest);
	snprintf(path, sizeof(path), "%s/images/blobs/sha256/%s", dir, manifest + 7);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(imagestore_open(dir, "x", &img, &why3), -ENOENT);
	ck_assert_ptr_nonnull(strstr(why3, "reading blob"));
}
END_TEST

START_TEST(rootfs_lock)
{
	char path[200];
	int a, b, c;

	snprintf(path, sizeof(path), "%s/tree", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	/* Nodes share it; a remover cannot have it while one holds it. */
	a = imagestore_rootfs_hold(path);
	ck_assert_int_ge(a, 0);
	b = imagestore_rootfs_hold(path);
	ck_assert_int_ge(b, 0);
	ck_assert_int_eq(imagestore_rootfs_claim(path), -EBUSY);
	close(a);
	ck_assert_int_eq(imagestore_rootfs_claim(path), -EBUSY);
	close(b);
	c = imagestore_rootfs_claim(path);
	ck_assert_int_ge(c, 0);
	/* Removed (or replaced) under the lock: a node cannot take the old tree. */
	ck_assert_int_eq(rmdir(path), 0);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	close(c);
	a = imagestore_rootfs_hold(path);
	ck_assert_int_ge(a, 0);
	close(a);
	ck_assert_int_eq(rmdir(path), 0);
	ck_assert_int_eq(imagestore_rootfs_hold(path), -ENOENT);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("imagestore");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, index_entries);
	tcase_add_test(tc, index_refused);
	tcase_add_test(tc, manifest_config);
	tcase_add_test(tc, open_image);
	tcase_add_test(tc, open_refused);
	tcase_add_test(tc, rootfs_lock);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)
