/*
 * Unit tests for common/json.c: the strict reader's accept and refuse
 * table, exact prices in both directions, time stamps and the writers for
 * products, orders and error bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/api.h"
#include "common/json.h"

struct text {
	const char	*s;
	size_t		 len;	/* 0: strlen(s) */
};

static size_t
text_len(const struct text *t)
{
	return t->len ? t->len : strlen(t->s);
}

static void
test_parse_accepts(void **state)
{
	static const struct text ok[] = {
		{ "{}", 0 },
		{ "[]", 0 },
		{ "{\"a\":1}", 0 },
		{ "{\"a\":[1,2,{\"b\":null}],\"c\":true,\"d\":false}", 0 },
		{ " \t\r\n{ \"a\" : 1 , \"b\" : [ ] } \n\t\r ", 0 },
		{ "1", 0 },
		{ "-1", 0 },
		{ "0", 0 },
		{ "-0", 0 },
		{ "0.5", 0 },
		{ "-0.5", 0 },
		{ "1e5", 0 },
		{ "1E5", 0 },
		{ "1e+5", 0 },
		{ "1e-5", 0 },
		{ "1.25e2", 0 },
		{ "\"\"", 0 },
		{ "\"abc\"", 0 },
		{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", 0 },
		{ "\"\\u00e9\\u00E9\"", 0 },
		{ "\"\\ud83d\\ude00\"", 0 },
		{ "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", 0 },
		{ "\"\x7f\"", 0 },
		{ "true", 0 },
		{ "false", 0 },
		{ "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]", 0 },	/* depth 16 */
	};
	struct json_object	*o;
	struct inv_error	 err;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		o = NULL;
		if (json_parse_strict(ok[i].s, text_len(&ok[i]), &o,
		    &err) != 0) {
			print_error("refused %s: %s\n", ok[i].s, err.detail);
			fail();
		}
		assert_non_null(o);
		json_object_put(o);
	}
}

static void
test_parse_null(void **state)
{
	struct json_object	*o = (struct json_object *)&o;
	struct inv_error	 err;

	(void)state;
	assert_int_equal(json_parse_strict("null", 4, &o, &err), 0);
	assert_null(o);
	assert_int_equal(err.code, INV_OK);
	assert_int_equal(json_parse_strict(" null ", 6, &o, &err), 0);
	assert_null(o);
}

static void
test_parse_refuses(void **state)
{
	static const struct text bad[] = {
		/* Empty bodies. */
		{ "", 0 },
		{ "   ", 0 },
		{ "\n", 0 },
		/* Extensions json-c would let through. */
		{ "NaN", 0 },
		{ "-NaN", 0 },
		{ "Infinity", 0 },
		{ "-Infinity", 0 },
		{ "[NaN]", 0 },
		{ "{\"price\":Infinity}", 0 },
		{ "'a'", 0 },
		{ "{'a':1}", 0 },
		{ "{\"a\":'b'}", 0 },
		{ "{a:1}", 0 },
		{ "/* c */ {}", 0 },
		{ "{} // c", 0 },
		{ "True", 0 },
		{ "NULL", 0 },
		{ "tru", 0 },
		{ "nul", 0 },
		{ "fals", 0 },
		{ "truex", 0 },
		/* Numbers. */
		{ "1.", 0 },
		{ ".5", 0 },
		{ "-", 0 },
		{ "+1", 0 },
		{ "01", 0 },
		{ "-01", 0 },
		{ "00", 0 },
		{ "1e", 0 },
		{ "1e+", 0 },
		{ "1.e5", 0 },
		{ "--1", 0 },
		{ "0x10", 0 },
		{ "1_000", 0 },
		{ "[1.]", 0 },
		{ "{\"a\":1.}", 0 },
		/* Structure. */
		{ "{", 0 },
		{ "[", 0 },
		{ "}", 0 },
		{ "]", 0 },
		{ "[1,]", 0 },
		{ "[,1]", 0 },
		{ "[1 2]", 0 },
		{ "{\"a\":1,}", 0 },
		{ "{,}", 0 },
		{ "{\"a\" 1}", 0 },
		{ "{\"a\":}", 0 },
		{ "{\"a\"}", 0 },
		{ "{1:2}", 0 },
		{ "{\"a\":1}}", 0 },
		{ "{\"a\":1} x", 0 },
		{ "{}{}", 0 },
		{ "1 2", 0 },
		{ "[]]", 0 },
		{ "\"a\" \"b\"", 0 },
		/* Whitespace RFC 8259 does not list. */
		{ "\f{}", 0 },
		{ "{}\v", 0 },
		{ "\xc2\xa0{}", 0 },
		{ "\xef\xbb\xbf{}", 0 },
		/* Strings. */
		{ "\"abc", 0 },
		{ "\"abc\\", 0 },
		{ "\"\\x\"", 0 },
		{ "\"\\a\"", 0 },
		{ "\"\\'\"", 0 },
		{ "\"\\u12\"", 0 },
		{ "\"\\u12G4\"", 0 },
		{ "\"\\U00e9\"", 0 },
		{ "\"\\ud800\"", 0 },
		{ "\"\\udfff\"", 0 },
		{ "\"\\udc00\\ud800\"", 0 },
		{ "\"\\ud800\\u0041\"", 0 },
		{ "\"\\ud800\\ud800\"", 0 },
		{ "\"\\ud800x\"", 0 },
		{ "\"\\ud800\\\"", 0 },
		/* Raw control characters, a raw NUL included. */
		{ "\"a\x01\"", 0 },
		{ "\"a\tb\"", 0 },
		{ "\"a\nb\"", 0 },
		{ "\"a\x1f\"", 0 },
		{ "\"a\0b\"", 5 },
		{ "{\"a\":1}\0", 8 },
		{ "\0{}", 3 },
		/* Invalid UTF-8, in and out of strings. */
		{ "\"\xff\"", 0 },
		{ "\"\xfe\"", 0 },
		{ "\"\x80\"", 0 },
		{ "\"\xc3\"", 0 },
		{ "\"\xc3(\"", 0 },
		{ "\"\xc0\xaf\"", 0 },
		{ "\"\xc1\xbf\"", 0 },
		{ "\"\xe0\x80\xaf\"", 0 },
		{ "\"\xed\xa0\x80\"", 0 },
		{ "\"\xf0\x80\x80\xaf\"", 0 },
		{ "\"\xf4\x90\x80\x80\"", 0 },
		{ "\"\xf5\x80\x80\x80\"", 0 },
		{ "{\"\xff\":1}", 0 },
		{ "\xff", 0 },
		/* A NUL in a key can never name a field. */
		{ "{\"sku\\u0000x\":1}", 0 },
		/* Depth 17. */
		{ "[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]", 0 },
	};
	struct json_object	*o;
	struct inv_error	 err;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		o = (struct json_object *)&o;
		memset(&err, 0, sizeof err);
		if (json_parse_strict(bad[i].s, text_len(&bad[i]), &o,
		    &err) != -1 || err.code != INV_EBADREQ ||
		    strstr(err.detail, "JSON") == NULL) {
			print_error("case %zu '%s': want -1 INV_EBADREQ, got "
			    "code %d detail '%s'\n", i, bad[i].s,
			    (int)err.code, err.detail);
			json_object_put(o == (struct json_object *)&o ? NULL :
			    o);
			fail();
		}
		assert_null(o);
	}
}

static void
test_parse_depth(void **state)
{
	char			 doc[256];
	struct json_object	*o;
	struct inv_error	 err;
	int			 n, i, r;
	size_t			 len;

	(void)state;
	/* Objects: 16 levels are fine, 17 are not. */
	for (n = 1; n <= 20; n++) {
		len = 0;
		for (i = 0; i < n; i++)
			len += (size_t)snprintf(doc + len, sizeof doc - len,
			    i + 1 < n ? "{\"a\":" : "{}");
		for (i = 1; i < n; i++)
			doc[len++] = '}';
		doc[len] = '\0';
		o = NULL;
		if (n <= INV_JSON_DEPTH) {
			if (json_parse_strict(doc, len, &o, &err) != 0) {
				print_error("depth %d refused: %s\n", n,
				    err.detail);
				fail();
			}
			json_object_put(o);
		} else {
			assert_int_equal(json_parse_strict(doc, len, &o, &err),
			    -1);
			assert_int_equal(err.code, INV_EBADREQ);
			assert_null(o);
		}
	}
	/*
	 * A value at the bottom adds no nesting: 16 containers around a
	 * scalar are as deep as 16 empty ones.
	 */
	for (n = 1; n <= 17; n++) {
		len = 0;
		for (i = 0; i < n; i++)
			len += (size_t)snprintf(doc + len, sizeof doc - len,
			    "{\"a\":");
		doc[len++] = '1';
		for (i = 0; i < n; i++)
			doc[len++] = '}';
		doc[len] = '\0';
		o = NULL;
		r = json_parse_strict(doc, len, &o, &err);
		json_object_put(o);
		if (r != (n <= INV_JSON_DEPTH ? 0 : -1)) {
			print_error("%d objects around a number: got %d "
			    "(%s)\n", n, r, err.detail);
			fail();
		}
	}
	/* Absurd nesting is refused without exhausting the stack. */
	{
		size_t	 big = 1000000;
		char	*deep = malloc(big);

		assert_non_null(deep);
		memset(deep, '[', big);
		assert_int_equal(json_parse_strict(deep, big, &o, &err), -1);
		assert_int_equal(err.code, INV_EBADREQ);
		free(deep);
	}
}

static void
test_parse_values(void **state)
{
	struct json_object	*o, *v;
	struct inv_error	 err;
	const char		*s;

	(void)state;
	/* Escapes decode to UTF-8. */
	s = "[\"\\u00e9\",\"\\ud83d\\ude00\",\"\\\"\\\\\\/\\b\\f\\n\\r\\t\","
	    "\"a\\u0000b\",\"\\u20AC\"]";
	assert_int_equal(json_parse_strict(s, strlen(s), &o, &err), 0);
	v = json_object_array_get_idx(o, 0);
	assert_string_equal(json_object_get_string(v), "\xc3\xa9");
	v = json_object_array_get_idx(o, 1);
	assert_string_equal(json_object_get_string(v), "\xf0\x9f\x98\x80");
	v = json_object_array_get_idx(o, 2);
	assert_string_equal(json_object_get_string(v), "\"\\/\b\f\n\r\t");
	/* \u0000 is kept, with its length. */
	v = json_object_array_get_idx(o, 3);
	assert_int_equal(json_object_get_string_len(v), 3);
	assert_memory_equal(json_object_get_string(v), "a\0b", 3);
	v = json_object_array_get_idx(o, 4);
	assert_string_equal(json_object_get_string(v), "\xe2\x82\xac");
	json_object_put(o);

	/* Integers stay integers up to int64; beyond, doubles. */
	s = "[9223372036854775807,-9223372036854775808,"
	    "9223372036854775808,-9223372036854775809,1.5,1e2,0,-0]";
	assert_int_equal(json_parse_strict(s, strlen(s), &o, &err), 0);
	v = json_object_array_get_idx(o, 0);
	assert_true(json_object_is_type(v, json_type_int));
	assert_true(json_object_get_int64(v) == INT64_MAX);
	v = json_object_array_get_idx(o, 1);
	assert_true(json_object_is_type(v, json_type_int));
	assert_true(json_object_get_int64(v) == INT64_MIN);
	v = json_object_array_get_idx(o, 2);
	assert_true(json_object_is_type(v, json_type_double));
	v = json_object_array_get_idx(o, 3);
	assert_true(json_object_is_type(v, json_type_double));
	v = json_object_array_get_idx(o, 4);
	assert_true(json_object_is_type(v, json_type_double));
	v = json_object_array_get_idx(o, 5);
	assert_true(json_object_is_type(v, json_type_double));
	v = json_object_array_get_idx(o, 6);
	assert_true(json_object_is_type(v, json_type_int));
	v = json_object_array_get_idx(o, 7);
	assert_true(json_object_is_type(v, json_type_int));
	assert_int_equal(json_object_get_int64(v), 0);
	json_object_put(o);

	/* Numbers keep their source text. */
	s = "{\"p\":10.500,\"q\":1E2,\"r\":9223372036854775808}";
	assert_int_equal(json_parse_strict(s, strlen(s), &o, &err), 0);
	assert_true(json_object_object_get_ex(o, "p", &v));
	assert_string_equal(json_object_to_json_string(v), "10.500");
	assert_true(json_object_object_get_ex(o, "q", &v));
	assert_string_equal(json_object_to_json_string(v), "1E2");
	assert_true(json_object_object_get_ex(o, "r", &v));
	assert_string_equal(json_object_to_json_string(v),
	    "9223372036854775808");
	json_object_put(o);

	/* null members are present with a NULL value. */
	s = "{\"a\":null}";
	assert_int_equal(json_parse_strict(s, strlen(s), &o, &err), 0);
	assert_true(json_object_object_get_ex(o, "a", &v));
	assert_null(v);
	json_object_put(o);
}

static void
test_parse_duplicate_keys(void **state)
{
	struct json_object	*o, *v;
	struct inv_error	 err;
	const char		*s = "{\"a\":1,\"a\":2}";

	(void)state;
	/* Accepted; the last one wins, as in most readers. */
	assert_int_equal(json_parse_strict(s, strlen(s), &o, &err), 0);
	assert_int_equal(json_object_object_length(o), 1);
	assert_true(json_object_object_get_ex(o, "a", &v));
	assert_int_equal(json_object_get_int64(v), 2);
	json_object_put(o);
}

static void
test_parse_error_offset(void **state)
{
	struct json_object	*o;
	struct inv_error	 err;

	(void)state;
	assert_int_equal(json_parse_strict("[1,]", 4, &o, &err), -1);
	assert_non_null(strstr(err.detail, "byte 3"));
	assert_int_equal(json_parse_strict("{\"a\":1} x", 9, &o, &err), -1);
	assert_non_null(strstr(err.detail, "byte 8"));
	assert_int_equal(json_parse_strict("", 0, &o, &err), -1);
	assert_non_null(strstr(err.detail, "empty"));
	/* Length, not NUL, ends the input. */
	assert_int_equal(json_parse_strict("{}garbage", 2, &o, &err), 0);
	json_object_put(o);
}

/* Prices. */

static void
test_price_text_ok(void **state)
{
	static const struct {
		const char	*s;
		int64_t		 cents;
	} ok[] = {
		{ "0.01", 1 },
		{ "0.1", 10 },
		{ "0.10", 10 },
		{ "0.30", 30 },
		{ "0.3", 30 },
		{ "1", 100 },
		{ "10", 1000 },
		{ "100", 10000 },
		{ "99.99", 9999 },
		{ "10.5", 1050 },
		{ "10.500", 1050 },
		{ "10.50000000000000000000000000", 1050 },
		{ "1e2", 10000 },
		{ "1E2", 10000 },
		{ "1e+2", 10000 },
		{ "1.5e1", 1500 },
		{ "1e-2", 1 },
		{ "1e0", 100 },
		{ "0.001e1", 1 },
		{ "12.345e1", 12345 },
		{ "999999999999.99", INV_PRICE_MAX_CENTS },
		{ "99999999999999e-2", INV_PRICE_MAX_CENTS },
		{ "999999999999", 99999999999900LL },
		{ "9.99", 999 },
		{ "19.99", 1999 },
		{ "0.07", 7 },
		{ "1.10", 110 },
	};
	struct inv_error	err;
	int64_t			c;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		c = -7;
		memset(&err, 0, sizeof err);
		if (json_price_text("price", ok[i].s, &c, &err) != 0) {
			print_error("%s refused: %s\n", ok[i].s, err.detail);
			fail();
		}
		if (c != ok[i].cents) {
			print_error("%s: want %lld cents, got %lld\n", ok[i].s,
			    (long long)ok[i].cents, (long long)c);
			fail();
		}
	}
}

static void
test_price_text_refused(void **state)
{
	static const char *const bad[] = {
		"", "-", ".", "e2", "abc", "1a", "1.2.3", "1e", "1e+",
		"1e2.5", "1ee2", " 1", "1 ",
		"0", "0.0", "0.00", "-0", "-0.0", "0e5", "0.000e-3",
		"-1", "-0.01", "-1e2",
		"12.345", "0.001", "1e-3", "0.005", "10.001", "1.999",
		"99.989999", "99.989999e0", "1234.5e-2", "0.30000000000000004",
		"1000000000000", "999999999999.991", "1e12", "1e13", "1e20",
		"1e64", "1e65", "1e400", "1e99999999999999999999",
		"1e-400", "123456789012345678901234567890",
	};
	struct inv_error	err;
	int64_t			c;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		c = 4242;
		memset(&err, 0, sizeof err);
		if (json_price_text("price", bad[i], &c, &err) != -1 ||
		    err.code != INV_EINVALID ||
		    strstr(err.detail, "price") == NULL) {
			print_error("'%s': want refused naming price, got "
			    "code %d detail '%s' cents %lld\n", bad[i],
			    (int)err.code, err.detail, (long long)c);
			fail();
		}
		assert_int_equal(c, 4242);
	}
}

static void
test_price_text_long_zeros(void **state)
{
	char			text[160];
	struct inv_error	err;
	int64_t			c = 0;

	(void)state;
	/* 1.000...0 with 100 zeros is exactly one unit. */
	memcpy(text, "1.", 2);
	memset(text + 2, '0', 100);
	text[102] = '\0';
	if (json_price_text("price", text, &c, &err) != 0) {
		print_error("1.(100 zeros) refused: %s\n", err.detail);
		fail();
	}
	assert_int_equal(c, 100);
}

static void
test_price_format(void **state)
{
	static const struct {
		int64_t		 cents;
		const char	*text;
	} cases[] = {
		{ 1, "0.01" },
		{ 9, "0.09" },
		{ 10, "0.1" },
		{ 30, "0.3" },
		{ 99, "0.99" },
		{ 100, "1.0" },
		{ 101, "1.01" },
		{ 110, "1.1" },
		{ 999, "9.99" },
		{ 1000, "10.0" },
		{ 1050, "10.5" },
		{ 9999, "99.99" },
		{ 10000, "100.0" },
		{ 123456789, "1234567.89" },
		{ INV_PRICE_MAX_CENTS, "999999999999.99" },
		{ 99999999999900LL, "999999999999.0" },
	};
	char		buf[32];
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_price_format(cases[i].cents, buf, sizeof buf);
		assert_string_equal(buf, cases[i].text);
	}
	/* A short buffer is truncated, never overrun. */
	memset(buf, 'Z', sizeof buf);
	json_price_format(9999, buf, 3);
	assert_string_equal(buf, "99");
	assert_int_equal(buf[3], 'Z');
}

static void
test_price_round_trip(void **state)
{
	static const int64_t edges[] = {
		1, 2, 9, 10, 11, 29, 30, 31, 99, 100, 101, 109, 110, 999,
		1000, 1001, 9989, 9999, 10000, 123456789,
		INV_PRICE_MAX_CENTS - 1, INV_PRICE_MAX_CENTS,
	};
	struct json_object	*o;
	struct inv_error	 err;
	char			 buf[32];
	const char		*s;
	int64_t			 c, back;
	size_t			 i;

	(void)state;
	for (c = 1; c <= 100000; c++) {
		json_price_format(c, buf, sizeof buf);
		back = -1;
		if (json_price_text("price", buf, &back, &err) != 0 ||
		    back != c) {
			print_error("%lld -> '%s' -> %lld (%s)\n",
			    (long long)c, buf, (long long)back, err.detail);
			fail();
		}
	}
	for (i = 0; i < sizeof edges / sizeof edges[0]; i++) {
		json_price_format(edges[i], buf, sizeof buf);
		assert_int_equal(json_price_text("price", buf, &back, &err),
		    0);
		assert_int_equal(back, edges[i]);
		/* json_price_new prints the same text, and it parses back. */
		o = json_price_new(edges[i]);
		assert_non_null(o);
		s = json_dump(o, NULL);
		assert_string_equal(s, buf);
		json_object_put(o);
		assert_int_equal(json_parse_strict(buf, strlen(buf), &o,
		    &err), 0);
		json_object_put(o);
	}
}

/* Time. */

static void
test_time_format(void **state)
{
	char	buf[40];

	(void)state;
	json_time_format(0, buf, sizeof buf);
	assert_string_equal(buf, "1970-01-01T00:00:00.000000Z");
	json_time_format(1, buf, sizeof buf);
	assert_string_equal(buf, "1970-01-01T00:00:00.000001Z");
	json_time_format(1700000000123456LL, buf, sizeof buf);
	assert_string_equal(buf, "2023-11-14T22:13:20.123456Z");
	json_time_format(951782400999999LL, buf, sizeof buf);
	assert_string_equal(buf, "2000-02-29T00:00:00.999999Z");
	json_time_format(4102444799000000LL, buf, sizeof buf);
	assert_string_equal(buf, "2099-12-31T23:59:59.000000Z");
}

/* Writers. */

static void
test_product_new(void **state)
{
	struct product		 p;
	struct json_object	*o;
	size_t			 len;
	const char		*s;

	(void)state;
	memset(&p, 0, sizeof p);
	p.id = 7;
	strcpy(p.sku, "SKU-1");
	strcpy(p.name, "Widget");
	p.price_cents = 9999;
	p.stock = 5;
	o = json_product_new(&p);
	assert_non_null(o);
	s = json_dump(o, &len);
	assert_string_equal(s, "{\"id\":7,\"sku\":\"SKU-1\","
	    "\"name\":\"Widget\",\"price\":99.99,\"stock\":5}");
	assert_int_equal(len, strlen(s));
	json_object_put(o);

	p.id = UINT64_C(9223372036854775807);
	strcpy(p.sku, "caf\xc3\xa9/1");
	strcpy(p.name, "say \"hi\" \\ back");
	p.price_cents = 1000;
	p.stock = 0;
	o = json_product_new(&p);
	assert_non_null(o);
	assert_string_equal(json_dump(o, NULL), "{\"id\":9223372036854775807,"
	    "\"sku\":\"caf\xc3\xa9/1\",\"name\":\"say \\\"hi\\\" \\\\ back\","
	    "\"price\":10.0,\"stock\":0}");
	json_object_put(o);

	p.id = 1;
	strcpy(p.sku, "A");
	strcpy(p.name, "B");
	p.price_cents = 1050;
	p.stock = 2147483647;
	o = json_product_new(&p);
	assert_string_equal(json_dump(o, NULL), "{\"id\":1,\"sku\":\"A\","
	    "\"name\":\"B\",\"price\":10.5,\"stock\":2147483647}");
	json_object_put(o);
}

static void
test_product_new_parses_back(void **state)
{
	struct product		 p;
	struct json_object	*o, *back, *v;
	struct inv_error	 err;
	const char		*s;

	(void)state;
	memset(&p, 0, sizeof p);
	p.id = 3;
	strcpy(p.sku, "X");
	strcpy(p.name, "tab\tnl\nctl\x01");
	p.price_cents = 1;
	p.stock = 1;
	o = json_product_new(&p);
	s = json_dump(o, NULL);
	/* Whatever we write, our own strict reader accepts. */
	assert_int_equal(json_parse_strict(s, strlen(s), &back, &err), 0);
	assert_true(json_object_object_get_ex(back, "name", &v));
	assert_string_equal(json_object_get_string(v), p.name);
	assert_true(json_object_object_get_ex(back, "price", &v));
	assert_string_equal(json_object_to_json_string(v), "0.01");
	json_object_put(back);
	json_object_put(o);
}

static void
test_order_new(void **state)
{
	struct order		 ord;
	struct json_object	*o;
	static const struct {
		enum order_status	 st;
		const char		*name;
	} sts[] = {
		{ ORDER_PENDING, "PENDING" },
		{ ORDER_PAID, "PAID" },
		{ ORDER_SHIPPED, "SHIPPED" },
		{ ORDER_CANCELED, "CANCELED" },
	};
	char			 want[256];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof sts / sizeof sts[0]; i++) {
		memset(&ord, 0, sizeof ord);
		ord.id = 12;
		ord.product_id = 3;
		ord.quantity = 4;
		ord.status = sts[i].st;
		ord.created_at = 1700000000123456LL;
		o = json_order_new(&ord);
		assert_non_null(o);
		snprintf(want, sizeof want, "{\"id\":12,\"product_id\":3,"
		    "\"quantity\":4,\"status\":\"%s\","
		    "\"created_at\":\"2023-11-14T22:13:20.123456Z\"}",
		    sts[i].name);
		assert_string_equal(json_dump(o, NULL), want);
		json_object_put(o);
	}
}

static void
test_error_body(void **state)
{
	struct json_object	*o, *v;
	struct inv_error	 err;
	char			*s;

	(void)state;
	s = json_error_body("Product not found");
	assert_non_null(s);
	assert_string_equal(s, "{\"detail\":\"Product not found\"}");
	free(s);

	s = json_error_body("Unknown field: \"x\"");
	assert_string_equal(s, "{\"detail\":\"Unknown field: \\\"x\\\"\"}");
	free(s);

	s = json_error_body("a\\b/c\nd\te");
	assert_string_equal(s, "{\"detail\":\"a\\\\b/c\\nd\\te\"}");
	/* Parses back to the same text. */
	assert_int_equal(json_parse_strict(s, strlen(s), &o, &err), 0);
	assert_true(json_object_object_get_ex(o, "detail", &v));
	assert_string_equal(json_object_get_string(v), "a\\b/c\nd\te");
	json_object_put(o);
	free(s);

	s = json_error_body("");
	assert_string_equal(s, "{\"detail\":\"\"}");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_accepts),
		cmocka_unit_test(test_parse_null),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_parse_depth),
		cmocka_unit_test(test_parse_values),
		cmocka_unit_test(test_parse_duplicate_keys),
		cmocka_unit_test(test_parse_error_offset),
		cmocka_unit_test(test_price_text_ok),
		cmocka_unit_test(test_price_text_refused),
		cmocka_unit_test(test_price_text_long_zeros),
		cmocka_unit_test(test_price_format),
		cmocka_unit_test(test_price_round_trip),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_product_new),
		cmocka_unit_test(test_product_new_parses_back),
		cmocka_unit_test(test_order_new),
		cmocka_unit_test(test_error_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
