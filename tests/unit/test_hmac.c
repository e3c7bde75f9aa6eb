/*
 * Unit tests for common/hmac.c against the published test vectors: GitHub's
 * ("It's a Secret to Everybody" / "Hello, World!") for the seed scheme and
 * the Standard Webhooks specification's for v1 signatures; then rotation,
 * tampering, timestamps in both directions and secret files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/hmac.h"

#define GH_SECRET	"It's a Secret to Everybody"
#define GH_BODY		"Hello, World!"
#define GH_SIG		"sha256=757107ea0eb2509fc211221cce984b8a37570b6d" \
			"7586c22c46f4379c8b043e17"

#define SW_SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SW_ID		"msg_p5jXN8AQM9LWM0D4loKWxJek"
#define SW_TS		"1614265330"
#define SW_BODY		"{\"test\": 2432232314}"
#define SW_SIG		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

static void
load(struct secrets *ss, const char *text)
{
	struct inv_error	err;

	memset(ss, 0, sizeof *ss);
	assert_int_equal(secrets_add_text(ss, text, strlen(text), &err), 0);
}

static void
test_seed_vector(void **state)
{
	struct secrets	ss;
	char		sig[80];

	(void)state;
	load(&ss, GH_SECRET);
	assert_int_equal(hmac_sign_seed(&ss.v[0], GH_BODY, strlen(GH_BODY),
	    sig, sizeof sig), 0);
	assert_string_equal(sig, GH_SIG);
	assert_int_equal(hmac_verify_seed(&ss, GH_SIG, GH_BODY,
	    strlen(GH_BODY)), 1);
	/* Upper-case hex is the same bytes. */
	assert_int_equal(hmac_verify_seed(&ss, "sha256=757107EA0EB2509FC2112"
	    "21CCE984B8A37570B6D7586C22C46F4379C8B043E17", GH_BODY,
	    strlen(GH_BODY)), 1);
	secrets_clear(&ss);
}

static void
test_seed_refused(void **state)
{
	static const char *const bad[] = {
		"", "sha256=", "sha1=757107ea0eb2509fc211221cce984b8a37570b6d",
		GH_SIG "00", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d"
		"7586c22c46f4379c8b043e1", "sha256=057107ea0eb2509fc211221cce9"
		"84b8a37570b6d7586c22c46f4379c8b043e17", "757107ea0eb2509fc2112"
		"21cce984b8a37570b6d7586c22c46f4379c8b043e17",
		"sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f437"
		"9c8b043e17",
	};
	struct secrets	ss;
	size_t		i;

	(void)state;
	load(&ss, GH_SECRET);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(hmac_verify_seed(&ss, bad[i], GH_BODY,
		    strlen(GH_BODY)), 0);
	/* The right signature over another body. */
	assert_int_equal(hmac_verify_seed(&ss, GH_SIG, "Hello, World?", 13),
	    0);
	secrets_clear(&ss);
	/* The seed key is the secret as written, even for whsec_ ones. */
	load(&ss, SW_SECRET);
	assert_int_equal(hmac_verify_seed(&ss, "sha256=7ad4fd21c74c164320d9ac01f24d0797c8be594b"
	    "f356ab332fdd61a03b78cec0", GH_BODY,
	    strlen(GH_BODY)), 1);
	secrets_clear(&ss);
}

static void
test_standard_vector(void **state)
{
	struct secrets	ss;
	char		sig[80];
	int64_t		t = 1614265330;

	(void)state;
	load(&ss, SW_SECRET);
	assert_int_equal(hmac_sign_standard(&ss.v[0], SW_ID, SW_TS, SW_BODY,
	    strlen(SW_BODY), sig, sizeof sig), 0);
	assert_string_equal(sig, SW_SIG);
	assert_int_equal(hmac_verify_standard(&ss, SW_ID, SW_TS, SW_SIG,
	    SW_BODY, strlen(SW_BODY), t, 300), 1);
	/* Several signatures, space separated: one valid is enough. */
	assert_int_equal(hmac_verify_standard(&ss, SW_ID, SW_TS,
	    "v1,Zm9v v2,abc " SW_SIG, SW_BODY, strlen(SW_BODY), t, 300), 1);
	secrets_clear(&ss);
}

static void
test_standard_refused(void **state)
{
	struct secrets	ss;
	int64_t		t = 1614265330;
	const char	*b = SW_BODY;

	(void)state;
	load(&ss, SW_SECRET);
	/* Tolerance in either direction, edges included. */
	assert_int_equal(hmac_verify_standard(&ss, SW_ID, SW_TS, SW_SIG, b,
	    strlen(b), t + 300, 300), 1);
	assert_int_equal(hmac_verify_standard(&ss, SW_ID, SW_TS, SW_SIG, b,
	    strlen(b), t - 300, 300), 1);
	assert_int_equal(hmac_verify_standard(&ss, SW_ID, SW_TS, SW_SIG, b,
	    strlen(b), t + 301, 300), 0);
	assert_int_equal(hmac_verify_standard(&ss, SW_ID, SW_TS, SW_SIG, b,
	    strlen(b), t - 301, 300), 0);
	/* Tampered id, timestamp, body, signature; bad forms. */
	assert_int_equal(hmac_verify_standard(&ss, "msg_x", SW_TS, SW_SIG, b,
	    strlen(b), t, 300), 0);
	assert_int_equal(hmac_verify_standard(&ss, SW_ID, "1614265331",
	    SW_SIG, b, strlen(b), t, 300), 0);
	assert_int_equal(hmac_verify_standard(&ss, SW_ID, SW_TS, SW_SIG,
	    "{\"test\": 2432232315}", strlen(b), t, 300), 0);
	assert_int_equal(hmac_verify_standard(&ss, SW_ID, SW_TS,
	    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1PE=", b, strlen(b),
	    t, 300), 0);
	assert_int_equal(hmac_verify_standard(&ss, SW_ID, SW_TS,
	    "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", b, strlen(b),
	    t, 300), 0);
	assert_int_equal(hmac_verify_standard(&ss, SW_ID, "abc", SW_SIG, b,
	    strlen(b), t, 300), 0);
	assert_int_equal(hmac_verify_standard(&ss, SW_ID, "-1", SW_SIG, b,
	    strlen(b), t, 300), 0);
	assert_int_equal(hmac_verify_standard(&ss, "", SW_TS, SW_SIG, b,
	    strlen(b), t, 300), 0);
	assert_int_equal(hmac_verify_standard(&ss, SW_ID, SW_TS, "", b,
	    strlen(b), t, 300), 0);
	assert_int_equal(hmac_verify_standard(&ss, SW_ID, SW_TS, "v1,!!!!", b,
	    strlen(b), t, 300), 0);
	secrets_clear(&ss);
}

static void
test_rotation(void **state)
{
	struct secrets	ss;

	(void)state;
	/* Old and new secret both active; comments and blanks ignored. */
	load(&ss, "# rotated 2026-11\n\n  old-secret  \r\n" GH_SECRET "\n");
	assert_int_equal(ss.n, 2);
	assert_int_equal(hmac_verify_seed(&ss, GH_SIG, GH_BODY,
	    strlen(GH_BODY)), 1);
	secrets_clear(&ss);
	assert_int_equal(ss.n, 0);
	load(&ss, "old-secret\n" SW_SECRET);
	assert_int_equal(hmac_verify_standard(&ss, SW_ID, SW_TS, SW_SIG,
	    SW_BODY, strlen(SW_BODY), 1614265330, 300), 1);
	secrets_clear(&ss);
	/* After rotation the old one alone no longer verifies. */
	load(&ss, "old-secret");
	assert_int_equal(hmac_verify_seed(&ss, GH_SIG, GH_BODY,
	    strlen(GH_BODY)), 0);
	secrets_clear(&ss);
}

static void
test_bad_secrets(void **state)
{
	struct secrets		ss;
	struct inv_error	err;
	char			many[2048];
	size_t			i, n = 0;

	(void)state;
	memset(&ss, 0, sizeof ss);
	assert_int_equal(secrets_add_text(&ss, "whsec_%%%", 9, &err), -1);
	/* The detail never carries the secret. */
	assert_null(strstr(err.detail, "%%%"));
	assert_int_equal(ss.n, 0);
	for (i = 0; i < HMAC_SECRETS_MAX + 1; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, "s%zu\n", i);
	assert_int_equal(secrets_add_text(&ss, many, n, &err), -1);
	secrets_clear(&ss);
}

static void
test_secret_file(void **state)
{
	struct secrets		ss;
	struct inv_error	err;
	char			path[] = "/tmp/invd-secret-XXXXXX";
	int			fd;

	(void)state;
	memset(&ss, 0, sizeof ss);
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, GH_SECRET "\n", strlen(GH_SECRET) + 1),
	    (ssize_t)strlen(GH_SECRET) + 1);
	close(fd);
	assert_int_equal(secrets_load_file(&ss, path, &err), 0);
	assert_int_equal(hmac_verify_seed(&ss, GH_SIG, GH_BODY,
	    strlen(GH_BODY)), 1);
	secrets_clear(&ss);
	/* An empty file is an error, not "no secret". */
	assert_true((fd = open(path, O_WRONLY | O_TRUNC)) != -1);
	close(fd);
	assert_int_equal(secrets_load_file(&ss, path, &err), -1);
	unlink(path);
	assert_int_equal(secrets_load_file(&ss, path, &err), -1);
	secrets_clear(&ss);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_vector),
		cmocka_unit_test(test_seed_refused),
		cmocka_unit_test(test_standard_vector),
		cmocka_unit_test(test_standard_refused),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_bad_secrets),
		cmocka_unit_test(test_secret_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
