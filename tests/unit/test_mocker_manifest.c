/* Manifest and index decoding, platform choice, image config diff_ids. */
#include "mocker/manifest.h"

#include "check_main.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"
#define H3 "3333333333333333333333333333333333333333333333333333333333333333"

static const char image_json[] =
        "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\","
        "\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"sha256:" H1 "\",\"size\":7},"
        "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
        "\"digest\":\"sha256:" H2 "\",\"size\":100},"
        "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\","
        "\"digest\":\"sha256:" H3 "\",\"size\":200}]}";

static int
parse(const char *json, const char *ct, struct manifest *m, char **why)
{
	*why = NULL;
	return manifest_parse(json, strlen(json), ct, m, why);
}

START_TEST(image_manifest)
{
	struct manifest m;
	char *why;

	ck_assert_int_eq(parse(image_json, NULL, &m, &why), 0);
	ck_assert_int_eq(m.kind, MANIFEST_IMAGE);
	ck_assert_str_eq(m.media_type, MT_OCI_MANIFEST);
	ck_assert_str_eq(m.config.digest, "sha256:" H1);
	ck_assert_uint_eq(m.config.size, 7);
	ck_assert_uint_eq(m.n_items, 2);
	ck_assert_str_eq(m.items[1].digest, "sha256:" H3);
	ck_assert_uint_eq(m.items[1].size, 200);
	manifest_done(&m);
}
END_TEST

/* Declared sizes are checked before anything is fetched. */
START_TEST(declared_sizes)
{
	struct manifest m;
	char *why = NULL;

	ck_assert_int_eq(parse(image_json, NULL, &m, &why), 0);
	ck_assert_int_eq(manifest_check_sizes(&m, 200, &why), 0);
	ck_assert_int_eq(manifest_check_sizes(&m, 199, &why), -EFBIG);
	ck_assert_ptr_nonnull(strstr(why, "layer sha256:" H3 " declares 200 bytes"));
	free(why);
	why = NULL;
	m.config.size = 300000000;
	ck_assert_int_eq(manifest_check_sizes(&m, 200, &why), -EFBIG);
	ck_assert_ptr_nonnull(strstr(why, "config sha256:" H1 " declares 300000000 bytes"));
	free(why);
	m.config.size = CONFIG_MAX;
	ck_assert_int_eq(manifest_check_sizes(&m, 200, NULL), 0);
	manifest_done(&m);
}
END_TEST

START_TEST(docker_schema2_by_content_type)
{
	static const char json[] =
	        "{\"schemaVersion\":2,"
	        "\"config\":{\"digest\":\"sha256:" H1 "\",\"size\":7},"
	        "\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\","
	        "\"digest\":\"sha256:" H2 "\",\"size\":1}]}";
	struct manifest m;
	char *why;

	ck_assert_int_eq(parse(json, MT_DOCKER_MANIFEST "; charset=utf-8", &m, &why), 0);
	ck_assert_str_eq(m.media_type, MT_DOCKER_MANIFEST);
	ck_assert_uint_eq(m.n_items, 1);
	manifest_done(&m);
}
END_TEST

START_TEST(schema1_refused)
{
	static const char json[] = "{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}";
	struct manifest m;
	char *why;

	ck_assert_int_eq(parse(json, NULL, &m, &why), -EPROTONOSUPPORT);
	ck_assert_ptr_nonnull(strstr(why, "schema 1"));
	free(why);
	ck_assert_int_eq(parse(image_json,
	                       "application/vnd.docker.distribution.manifest.v1+prettyjws", &m,
	                       &why),
	                 -EPROTONOSUPPORT);
	free(why);
}
END_TEST

START_TEST(bad_descriptors)
{
	static const char *const bad[] = {
		/* a digest that would walk out of blobs/sha256 */
		"{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:../../etc/"
		"passwd\",\"size\":1},"
		"\"layers\":[]}",
		"{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:" H1 "\"},\"layers\":[]}",
		"{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:" H1 "\",\"size\":-1},"
		"\"layers\":[]}",
		"{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:" H1 "\",\"size\":1}}",
		"{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:" H1 "\",\"size\":1},"
		"\"layers\":[{\"mediaType\":\"text/plain\",\"digest\":\"sha256:" H2
		"\",\"size\":1}]}",
		"{\"schemaVersion\":2,\"config\":{\"digest\":\"sha512:" H1 H1 "\",\"size\":1},"
		"\"layers\":[]}",
		"[1,2]",
		"not json",
	};
	struct manifest m;
	char *why;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse(bad[i], NULL, &m, &why) < 0, "case %zu accepted", i);
		free(why);
	}
}
END_TEST

static const char index_json[] =
        "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\",\"manifests\":["
        "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"sha256:" H1 "\",\"size\":1,"
        "\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"},"
        "\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"}},"
        "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"sha256:" H2 "\",\"size\":2,"
        "\"platform\":{\"os\":\"windows\",\"architecture\":\"amd64\"}},"
        "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"sha256:" H3 "\",\"size\":3,"
        "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
        "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"sha256:" H1 "\",\"size\":4,"
        "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
        "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"sha256:" H2 "\",\"size\":5,"
        "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v6\"}},"
        "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"sha256:" H3 "\",\"size\":6,"
        "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\"}}"
        "]}";

static int
select_for(const char *platform)
{
	struct manifest m;
	struct platform p;
	char *why;
	int i;

	ck_assert_int_eq(parse(index_json, NULL, &m, &why), 0);
	ck_assert_int_eq(m.kind, MANIFEST_INDEX);
	ck_assert_int_eq(platform_parse(platform, &p), 0);
	i = manifest_select(&m, &p);
	manifest_done(&m);
	return i;
}

START_TEST(platform_choice)
{
	ck_assert_int_eq(select_for("linux/amd64"), 2);
	/* arm64 means v8, and an entry without a variant is v8 too */
	ck_assert_int_eq(select_for("linux/arm64"), 3);
	ck_assert_int_eq(select_for("linux/arm64/v8"), 3);
	ck_assert_int_eq(select_for("linux/aarch64"), 3);
	/* plain arm means v7: the entry without a variant, not v6 */
	ck_assert_int_eq(select_for("linux/arm"), 5);
	ck_assert_int_eq(select_for("linux/arm/v7"), 5);
	ck_assert_int_eq(select_for("linux/arm/v6"), 4);
	ck_assert_int_eq(select_for("windows/amd64"), 1);
	/* never the attestation, whatever is asked */
	ck_assert_int_eq(select_for("unknown/unknown"), -ENOENT);
	ck_assert_int_eq(select_for("linux/s390x"), -ENOENT);
}
END_TEST

START_TEST(platform_strings)
{
	struct platform p;

	ck_assert_int_eq(platform_parse("linux/x86_64", &p), 0);
	ck_assert_str_eq(p.arch, "amd64");
	ck_assert_str_eq(p.variant, "");
	ck_assert_int_eq(platform_parse("linux/arm/7", &p), 0);
	ck_assert_str_eq(p.variant, "v7");
	ck_assert_int_eq(platform_parse("linux", &p), -EINVAL);
	ck_assert_int_eq(platform_parse("linux/", &p), -EINVAL);
	ck_assert_int_eq(platform_parse("linux/amd64/", &p), -EINVAL);
	ck_assert_int_eq(platform_parse("linux/AMD64", &p), -EINVAL);
	platform_default(&p);
	ck_assert_str_eq(p.os, "linux");
	ck_assert(strlen(p.arch) > 0);
}
END_TEST

START_TEST(docker_list)
{
	static const char json[] =
	        "{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_LIST "\",\"manifests\":["
	        "{\"mediaType\":\"" MT_DOCKER_MANIFEST "\",\"digest\":\"sha256:" H3 "\",\"size\":3,"
	        "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}";
	struct manifest m;
	struct platform p;
	char *why;

	ck_assert_int_eq(parse(json, NULL, &m, &why), 0);
	ck_assert_int_eq(m.kind, MANIFEST_INDEX);
	ck_assert_int_eq(platform_parse("linux/arm64", &p), 0);
	ck_assert_int_eq(manifest_select(&m, &p), 0);
	manifest_done(&m);
}
END_TEST

START_TEST(diff_ids)
{
	static const char cfg[] = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" H1
	                          "\",\"sha256:" H2 "\"]}}";
	static const char bad[] = "{\"rootfs\":{\"diff_ids\":[\"sha256:../x\"]}}";
	char **ids;
	size_t n;

	ck_assert_int_eq(config_diff_ids(cfg, strlen(cfg), &ids, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(ids[1], "sha256:" H2);
	ck_assert_ptr_null(ids[2]);
	strv_free(ids);
	ck_assert_int_eq(config_diff_ids(bad, strlen(bad), &ids, &n), -EINVAL);
	ck_assert_int_eq(config_diff_ids("{}", 2, &ids, &n), -EINVAL);
}
END_TEST

/* The platform an image config declares, and whether it is the one asked for. */
START_TEST(config_platforms)
{
	struct platform have, want;
	const char *arm = "{\"os\":\"linux\",\"architecture\":\"aarch64\"}";
	const char *amd = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"variant\":\"\"}";

	ck_assert_int_eq(config_platform(arm, strlen(arm), &have), 0);
	ck_assert_str_eq(have.arch, "arm64");
	ck_assert_str_eq(have.variant, "v8");
	ck_assert_int_eq(platform_parse("linux/arm64", &want), 0);
	ck_assert(platform_matches(&have, &want));
	ck_assert_int_eq(platform_parse("linux/amd64", &want), 0);
	ck_assert(!platform_matches(&have, &want));
	ck_assert_int_eq(config_platform(amd, strlen(amd), &have), 0);
	ck_assert(platform_matches(&have, &want));
	ck_assert_int_eq(platform_parse("windows/amd64", &want), 0);
	ck_assert(!platform_matches(&have, &want));
	ck_assert_int_eq(config_platform("{}", 2, &have), -EINVAL);
	const char *bad = "{\"os\":\"linux\",\"architecture\":\"../x\"}";
	ck_assert_int_eq(config_platform(bad, strlen(bad), &have), -EINVAL);
	ck_assert_int_eq(config_platform("[1]", 3, &have), -EINVAL);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("mocker_manifest");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, image_manifest);
	tcase_add_test(tc, declared_sizes);
	tcase_add_test(tc, docker_schema2_by_content_type);
	tcase_add_test(tc, schema1_refused);
	tcase_add_test(tc, bad_descriptors);
	tcase_add_test(tc, platform_choice);
	tcase_add_test(tc, platform_strings);
	tcase_add_test(tc, docker_list);
	tcase_add_test(tc, diff_ids);
	tcase_add_test(tc, config_platforms);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)
