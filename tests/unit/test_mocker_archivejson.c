/* The JSON files of image archives: index.json of OCI archives, manifest.json of docker
 * save; member paths normalised, hostile ones refused with the reason. */
#include "mocker/archivejson.h"

#include "check_main.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"

static int
index_of(const char *json, struct archivejson_oci **v, size_t *n, char **why)
{
	*why = NULL;
	return archivejson_parse_index(json, strlen(json), v, n, why);
}

static int
docker_of(const char *json, struct archivejson_docker **v, size_t *n, char **why)
{
	*why = NULL;
	return archivejson_parse_docker(json, strlen(json), v, n, why);
}

START_TEST(paths)
{
	const char *why;
	char *p;

	p = archivejson_path("./blobs//sha256/./" H1, &why);
	ck_assert_str_eq(p, "blobs/sha256/" H1);
	free(p);
	p = archivejson_path("a/b/", &why);
	ck_assert_str_eq(p, "a/b");
	free(p);
	ck_assert_ptr_null(archivejson_path("../x", &why));
	ck_assert_ptr_nonnull(strstr(why, ".."));
	ck_assert_ptr_null(archivejson_path("a/../../x", &why));
	ck_assert_ptr_null(archivejson_path("/etc/passwd", &why));
	ck_assert_str_eq(why, "absolute name");
	ck_assert_ptr_null(archivejson_path("./", &why));
	ck_assert_str_eq(why, "names the root");
	ck_assert_ptr_null(archivejson_path("", &why));
}
END_TEST

START_TEST(oci_index)
{
	struct archivejson_oci *v;
	size_t n;
	char *why;

	ck_assert_int_eq(
	        index_of("{\"schemaVersion\":2,\"manifests\":["
	                 "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"sha256:" H1
	                 "\",\"size\":10,\"annotations\":{\"org.opencontainers.image.ref.name\":"
	                 "\"latest\",\"io.containerd.image.name\":\"docker.io/library/a:1\"}},"
	                 "{\"mediaType\":\"" MT_OCI_INDEX "\",\"digest\":\"sha256:" H2
	                 "\",\"size\":20,\"annotations\":{\"org.opencontainers.image.ref.name\":"
	                 "\"b:2\"}},"
	                 "{\"mediaType\":\"" MT_DOCKER_MANIFEST "\",\"digest\":\"sha256:" H2
	                 "\",\"size\":0}]}",
	                 &v, &n, &why),
	        0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(v[0].name, "docker.io/library/a:1"); /* containerd's name wins */
	ck_assert_str_eq(v[0].desc.digest, "sha256:" H1);
	ck_assert_uint_eq(v[0].desc.size, 10);
	ck_assert_str_eq(v[1].name, "b:2");
	ck_assert_str_eq(v[1].desc.media_type, MT_OCI_INDEX);
	ck_assert_ptr_null(v[2].name);
	archivejson_oci_free(v, n);
}
END_TEST

static void
index_refused(const char *json, const char *want)
{
	struct archivejson_oci *v = NULL;
	size_t n = 0;
	char *why;

	ck_assert_int_lt(index_of(json, &v, &n, &why), 0);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, want), "'%s' lacks '%s'", why, want);
	free(why);
}

START_TEST(oci_refusals)
{
	index_refused("[]", "not a JSON object");
	index_refused("{}", "no manifests array");
	index_refused("{\"manifests\":[{\"digest\":\"sha256:" H1 "\"}]}", "entry 1 has no valid");
	index_refused("{\"manifests\":[{\"digest\":\"sha256:../x\",\"size\":1}]}",
	              "entry 1 has no valid");
	index_refused("{\"manifests\":[{\"digest\":\"sha256:" H1 "\",\"size\":-1}]}",
	              "no valid digest and size");
	index_refused("{\"manifests\":[{\"mediaType\":\"text/plain\",\"digest\":\"sha256:" H1
	              "\",\"size\":1}]}",
	              "unsupported media type 'text/plain'");
	index_refused("{\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST
	              "\",\"digest\":\"sha256:" H1
	              "\",\"size\":1,\"annotations\":{\"org.opencontainers.image.ref.name\":"
	              "\"a\\u0000b\"}}]}",
	              "NUL");
}
END_TEST

START_TEST(docker_manifest)
{
	struct archivejson_docker *v;
	size_t n;
	char *why;

	ck_assert_int_eq(docker_of("[{\"Config\":\"./" H1
	                           ".json\",\"RepoTags\":[\"a:1\",\"b/c:2\"],"
	                           "\"Layers\":[\"abc/layer.tar\",\"blobs/sha256/" H2 "\"]},"
	                           "{\"Config\":\"x.json\",\"RepoTags\":null,\"Layers\":[]}]",
	                           &v, &n, &why),
	                 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].config, H1 ".json");
	ck_assert_uint_eq(v[0].n_layers, 2);
	ck_assert_str_eq(v[0].layers[0], "abc/layer.tar");
	ck_assert_str_eq(v[0].tags[1], "b/c:2");
	ck_assert_ptr_null(v[1].tags[0]);
	ck_assert_uint_eq(v[1].n_layers, 0);
	archivejson_docker_free(v, n);
}
END_TEST

static void
docker_refused(const char *json, const char *want)
{
	struct archivejson_docker *v = NULL;
	size_t n = 0;
	char *why;

	ck_assert_int_lt(docker_of(json, &v, &n, &why), 0);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, want), "'%s' lacks '%s'", why, want);
	free(why);
}

START_TEST(docker_refusals)
{
	docker_refused("{}", "not a JSON array");
	docker_refused("[]", "lists no image");
	docker_refused("[{\"Layers\":[]}]", "image 1 has no Config");
	docker_refused("[{\"Config\":\"../c.json\"}]", "Config '../c.json' of image 1");
	docker_refused("[{\"Config\":\"/c.json\"}]", "absolute name");
	docker_refused("[{\"Config\":\"c\",\"Layers\":[\"../../etc/passwd\"]}]",
	               "Layers '../../etc/passwd' of image 1");
	docker_refused("[{\"Config\":\"c\",\"Layers\":[1]}]",
	               "Layers of image 1 holds a non-string");
	docker_refused("[{\"Config\":\"c\",\"Layers\":\"x\"}]", "Layers of image 1 is not a list");
	docker_refused("[{\"Config\":\"c\",\"RepoTags\":[\"\"]}]", "RepoTags of image 1 holds");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("mocker_archivejson");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, paths);
	tcase_add_test(tc, oci_index);
	tcase_add_test(tc, oci_refusals);
	tcase_add_test(tc, docker_manifest);
	tcase_add_test(tc, docker_refusals);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)
