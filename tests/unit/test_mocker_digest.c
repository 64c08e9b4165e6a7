/* Digest validation (what may become a path) and hashing, against FIPS 180-4 examples. */
#include "mocker/digest.h"
#include "mocker/http.h"

#include "check_main.h"

#include <stdlib.h>
#include <string.h>

START_TEST(valid_forms)
{
	ck_assert(digest_valid(
	        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	ck_assert(!digest_valid(NULL));
	ck_assert(!digest_valid("sha256:"));
	ck_assert(!digest_valid(
	        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
	ck_assert(!digest_valid(
	        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"));
	ck_assert(!digest_valid(
	        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555"));
	ck_assert(!digest_valid(
	        "sha256:../../../../etc/passwd/c149afbf4c8996fb92427ae41e4649b934ca495991b7"));
	ck_assert(!digest_valid(
	        "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	ck_assert_str_eq(digest_hex("sha256:ab"), "ab");
}
END_TEST

START_TEST(nist_vectors)
{
	char out[DIGEST_STR_SIZE];
	static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	digest_buffer("", 0, out);
	ck_assert_str_eq(out,
	                 "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	digest_buffer("abc", 3, out);
	ck_assert_str_eq(out,
	                 "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	digest_buffer(two_blocks, strlen(two_blocks), out);
	ck_assert_str_eq(out,
	                 "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(streaming_equals_oneshot)
{
	/* a million 'a', fed in uneven pieces */
	char *buf = malloc(1000000), out[DIGEST_STR_SIZE];
	struct sha256 *h = sha256_new();
	size_t off = 0, step = 1;

	memset(buf, 'a', 1000000);
	while (off < 1000000) {
		size_t n = step < 1000000 - off ? step : 1000000 - off;
		sha256_update(h, buf + off, n);
		off += n;
		step = step * 3 + 1;
	}
	sha256_final(h, out);
	sha256_free(h);
	ck_assert_str_eq(out,
	                 "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(buf);
}
END_TEST

START_TEST(http_helpers)
{
	ck_assert(http_same_origin("https://r.io/v2/x", "https://r.io/v2/y?z"));
	ck_assert(http_same_origin("http://127.0.0.1:5000/a", "http://127.0.0.1:5000"));
	ck_assert(!http_same_origin("http://127.0.0.1:5000/a", "http://127.0.0.1:5001/a"));
	ck_assert(!http_same_origin("https://r.io/a", "http://r.io/a"));
	ck_assert(!http_same_origin("https://r.io/a", "https://r.io.cdn.com/a"));
	ck_assert(!http_same_origin("https://r.io/a", "/relative"));
	ck_assert(http_retryable(CURLE_OK, 503));
	ck_assert(http_retryable(CURLE_OK, 429));
	ck_assert(http_retryable(CURLE_PARTIAL_FILE, 200));
	ck_assert(http_retryable(CURLE_RECV_ERROR, 0));
	ck_assert(!http_retryable(CURLE_OK, 404));
	ck_assert(!http_retryable(CURLE_OK, 401));
	ck_assert_int_eq(http_backoff_ms(1, -1), 250);
	ck_assert_int_eq(http_backoff_ms(2, -1), 500);
	ck_assert_int_eq(http_backoff_ms(20, -1), 8000);
	ck_assert_int_eq(http_backoff_ms(1, 3), 3000);
	ck_assert_int_eq(http_backoff_ms(1, 100000), 60000);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("mocker_digest");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, valid_forms);
	tcase_add_test(tc, nist_vectors);
	tcase_add_test(tc, streaming_equals_oneshot);
	tcase_add_test(tc, http_helpers);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)
