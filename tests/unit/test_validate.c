/*
 * Unit tests for common/validate.c: the sku and name rules, the request
 * body checks on parsed JSON and the text forms used for paths, queries and
 * command-line arguments. Every refused input is checked for INV_EINVALID
 * and a detail that names the field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/api.h"
#include "common/json.h"
#include "common/validate.h"

/* Parse a body that must be valid JSON; the caller puts the result. */
static struct json_object *
parse(const char *text)
{
	struct json_object	*o = NULL;
	struct inv_error	 err;

	if (json_parse_strict(text, strlen(text), &o, &err) == -1) {
		print_error("test body does not parse: %s: %s\n", text,
		    err.detail);
		fail();
	}
	return o;
}

/* Fail unless r, err show a refusal whose detail names field. */
static void
expect_refused(int r, const struct inv_error *err, const char *field,
    const char *input)
{
	if (r != -1 || err->code != INV_EINVALID ||
	    (field != NULL && strstr(err->detail, field) == NULL)) {
		print_error("input %s: want -1, INV_EINVALID, detail naming "
		    "'%s'; got %d, code %d, detail '%s'\n", input,
		    field ? field : "(any)", r, (int)err->code, err->detail);
		fail();
	}
}

static void
expect_ok(int r, const struct inv_error *err, const char *input)
{
	if (r != 0) {
		print_error("input %s: want 0, got %d, code %d, detail '%s'\n",
		    input, r, (int)err->code, err->detail);
		fail();
	}
}

/* SKU and name. */

static void
test_sku_ok(void **state)
{
	struct inv_error	err;
	char			sku[INV_SKU_MAX + 1];

	(void)state;
	assert_int_equal(validate_sku("ABC-123", 7, &err), 0);
	assert_int_equal(validate_sku("a", 1, &err), 0);
	assert_int_equal(validate_sku("caf\xc3\xa9", 5, &err), 0);
	assert_int_equal(validate_sku("\xf0\x9f\x98\x80", 4, &err), 0);
	memset(sku, 'x', INV_SKU_MAX);
	sku[INV_SKU_MAX] = '\0';
	assert_int_equal(validate_sku(sku, INV_SKU_MAX, &err), 0);
}

static void
test_sku_refused(void **state)
{
	static const struct {
		const char	*s;
		size_t		 len;
	} cases[] = {
		{ "", 0 },
		{ " ", 1 },
		{ "A B", 3 },
		{ " AB", 3 },
		{ "AB ", 3 },
		{ "A\tB", 3 },
		{ "A\nB", 3 },
		{ "A\rB", 3 },
		{ "A\x01" "B", 3 },
		{ "A\x1f" "B", 3 },
		{ "A\x7f" "B", 3 },
		{ "A\0B", 3 },
		{ "\0", 1 },
		{ "A\xff", 2 },
		{ "A\xc3", 2 },
		{ "\xc0\xaf", 2 },
		{ "\xed\xa0\x80", 3 },
		{ "\xf4\x90\x80\x80", 4 },
		{ "\x80", 1 },
	};
	struct inv_error	err;
	char			sku[INV_SKU_MAX + 2];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&err, 0, sizeof err);
		expect_refused(validate_sku(cases[i].s, cases[i].len, &err),
		    &err, "sku", cases[i].s);
	}
	memset(sku, 'x', INV_SKU_MAX + 1);
	sku[INV_SKU_MAX + 1] = '\0';
	expect_refused(validate_sku(sku, INV_SKU_MAX + 1, &err), &err, "sku",
	    "65 bytes");
}

static void
test_name_ok(void **state)
{
	struct inv_error	err;
	char			name[INV_NAME_MAX + 1];

	(void)state;
	assert_int_equal(validate_name("Widget", 6, &err), 0);
	assert_int_equal(validate_name("Blue widget, large", 18, &err), 0);
	assert_int_equal(validate_name(" x ", 3, &err), 0);
	assert_int_equal(validate_name("Caf\xc3\xa9 \xe2\x82\xac", 9, &err),
	    0);
	memset(name, 'n', INV_NAME_MAX);
	name[INV_NAME_MAX] = '\0';
	assert_int_equal(validate_name(name, INV_NAME_MAX, &err), 0);
}

static void
test_name_refused(void **state)
{
	static const struct {
		const char	*s;
		size_t		 len;
	} cases[] = {
		{ "", 0 },
		{ " ", 1 },
		{ "     ", 5 },
		{ "\t", 1 },
		{ " \n ", 3 },
		{ "a\tb", 3 },
		{ "a\nb", 3 },
		{ "a\x01", 2 },
		{ "a\x7f", 2 },
		{ "a\0b", 3 },
		{ "\0", 1 },
		{ "a\xff", 2 },
		{ "a\xc3", 2 },
		{ "\xc0\x80", 2 },
		{ "\xe0\x80\xaf", 3 },
		{ "\xed\xbf\xbf", 3 },
		{ "\xf5\x80\x80\x80", 4 },
	};
	struct inv_error	err;
	char			name[INV_NAME_MAX + 2];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&err, 0, sizeof err);
		expect_refused(validate_name(cases[i].s, cases[i].len, &err),
		    &err, "name", cases[i].s);
	}
	memset(name, 'n', INV_NAME_MAX + 1);
	name[INV_NAME_MAX + 1] = '\0';
	expect_refused(validate_name(name, INV_NAME_MAX + 1, &err), &err,
	    "name", "201 bytes");
}

/* Request bodies. */

static void
test_product_create_ok(void **state)
{
	struct json_object	*o;
	struct product		 p;
	struct inv_error	 err;

	(void)state;
	o = parse("{\"sku\":\"W-1\",\"name\":\"Widget\",\"price\":99.99,"
	    "\"stock\":5}");
	expect_ok(validate_product_create(o, &p, &err), &err, "basic");
	assert_string_equal(p.sku, "W-1");
	assert_string_equal(p.name, "Widget");
	assert_int_equal(p.price_cents, 9999);
	assert_int_equal(p.stock, 5);
	json_object_put(o);

	/* Field order does not matter; stock 0 and an integer price are ok. */
	o = parse("{\"stock\":0,\"price\":10,\"name\":\"n\",\"sku\":\"s\"}");
	expect_ok(validate_product_create(o, &p, &err), &err, "stock 0");
	assert_int_equal(p.price_cents, 1000);
	assert_int_equal(p.stock, 0);
	json_object_put(o);

	o = parse("{\"sku\":\"s\",\"name\":\"n\",\"price\":10.500,"
	    "\"stock\":2147483647}");
	expect_ok(validate_product_create(o, &p, &err), &err, "10.500");
	assert_int_equal(p.price_cents, 1050);
	assert_int_equal(p.stock, INV_STOCK_MAX);
	json_object_put(o);

	o = parse("{\"sku\":\"s\",\"name\":\"n\",\"price\":0.01,\"stock\":1}");
	expect_ok(validate_product_create(o, &p, &err), &err, "0.01");
	assert_int_equal(p.price_cents, 1);
	json_object_put(o);

	o = parse("{\"sku\":\"s\",\"name\":\"n\",\"price\":1e2,\"stock\":1}");
	expect_ok(validate_product_create(o, &p, &err), &err, "1e2");
	assert_int_equal(p.price_cents, 10000);
	json_object_put(o);

	o = parse("{\"sku\":\"s\",\"name\":\"n\",\"price\":999999999999.99,"
	    "\"stock\":1}");
	expect_ok(validate_product_create(o, &p, &err), &err, "max price");
	assert_int_equal(p.price_cents, INV_PRICE_MAX_CENTS);
	json_object_put(o);

	o = parse("{\"sku\":\"s\",\"name\":\"n\",\"price\":999999999999,"
	    "\"stock\":1}");
	expect_ok(validate_product_create(o, &p, &err), &err, "max int");
	assert_int_equal(p.price_cents, 99999999999900LL);
	json_object_put(o);

	/* Escapes decode before the rules apply. */
	o = parse("{\"sku\":\"caf\\u00e9\",\"name\":\"a \\\"b\\\"\","
	    "\"price\":1,\"stock\":1}");
	expect_ok(validate_product_create(o, &p, &err), &err, "escapes");
	assert_string_equal(p.sku, "caf\xc3\xa9");
	assert_string_equal(p.name, "a \"b\"");
	json_object_put(o);
}

struct body_case {
	const char	*body;
	const char	*field;		/* the detail must name it */
};

static const struct body_case product_create_bad[] = {
	/* Not an object. */
	{ "[]", NULL },
	{ "\"x\"", NULL },
	{ "1", NULL },
	{ "true", NULL },
	/* Unknown fields. */
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1,\"stock\":1,"
	  "\"color\":\"red\"}", "color" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1,\"stock\":1,"
	  "\"id\":5}", "id" },
	{ "{\"SKU\":\"s\",\"name\":\"n\",\"price\":1,\"stock\":1}", "SKU" },
	/* Missing required fields. */
	{ "{}", "sku" },
	{ "{\"name\":\"n\",\"price\":1,\"stock\":1}", "sku" },
	{ "{\"sku\":\"s\",\"price\":1,\"stock\":1}", "name" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"stock\":1}", "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1}", "stock" },
	/* Nulls. */
	{ "{\"sku\":null,\"name\":\"n\",\"price\":1,\"stock\":1}", "sku" },
	{ "{\"sku\":\"s\",\"name\":null,\"price\":1,\"stock\":1}", "name" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":null,\"stock\":1}",
	  "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1,\"stock\":null}",
	  "stock" },
	/* sku: wrong type and rule breaks. */
	{ "{\"sku\":1,\"name\":\"n\",\"price\":1,\"stock\":1}", "sku" },
	{ "{\"sku\":true,\"name\":\"n\",\"price\":1,\"stock\":1}", "sku" },
	{ "{\"sku\":[\"s\"],\"name\":\"n\",\"price\":1,\"stock\":1}", "sku" },
	{ "{\"sku\":{},\"name\":\"n\",\"price\":1,\"stock\":1}", "sku" },
	{ "{\"sku\":\"\",\"name\":\"n\",\"price\":1,\"stock\":1}", "sku" },
	{ "{\"sku\":\"a b\",\"name\":\"n\",\"price\":1,\"stock\":1}", "sku" },
	{ "{\"sku\":\"a\\tb\",\"name\":\"n\",\"price\":1,\"stock\":1}",
	  "sku" },
	{ "{\"sku\":\"a\\u0000b\",\"name\":\"n\",\"price\":1,\"stock\":1}",
	  "sku" },
	{ "{\"sku\":\"a\\u007f\",\"name\":\"n\",\"price\":1,\"stock\":1}",
	  "sku" },
	{ "{\"sku\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxx\",\"name\":\"n\",\"price\":1,\"stock\":1}", "sku" },
	/* name: wrong type and rule breaks. */
	{ "{\"sku\":\"s\",\"name\":5,\"price\":1,\"stock\":1}", "name" },
	{ "{\"sku\":\"s\",\"name\":false,\"price\":1,\"stock\":1}", "name" },
	{ "{\"sku\":\"s\",\"name\":\"\",\"price\":1,\"stock\":1}", "name" },
	{ "{\"sku\":\"s\",\"name\":\"   \",\"price\":1,\"stock\":1}", "name" },
	{ "{\"sku\":\"s\",\"name\":\"a\\nb\",\"price\":1,\"stock\":1}",
	  "name" },
	{ "{\"sku\":\"s\",\"name\":\"a\\u0000\",\"price\":1,\"stock\":1}",
	  "name" },
	{ "{\"sku\":\"s\",\"name\":\"a\\u001b[31m\",\"price\":1,\"stock\":1}",
	  "name" },
	/* price. */
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":\"9.5\",\"stock\":1}",
	  "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":\"10\",\"stock\":1}",
	  "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":true,\"stock\":1}",
	  "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":[1],\"stock\":1}",
	  "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":0,\"stock\":1}", "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":0.0,\"stock\":1}",
	  "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":0.00,\"stock\":1}",
	  "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":-0,\"stock\":1}", "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":-1,\"stock\":1}", "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":-0.01,\"stock\":1}",
	  "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":12.345,\"stock\":1}",
	  "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":0.001,\"stock\":1}",
	  "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1e-3,\"stock\":1}",
	  "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1e400,\"stock\":1}",
	  "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1000000000000,"
	  "\"stock\":1}", "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1e12,\"stock\":1}",
	  "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":99999999999999999999,"
	  "\"stock\":1}", "price" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":9223372036854775807,"
	  "\"stock\":1}", "price" },
	/* stock. */
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1,\"stock\":\"5\"}",
	  "stock" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1,\"stock\":true}",
	  "stock" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1,\"stock\":{}}", "stock" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1,\"stock\":1.5}", "stock" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1,\"stock\":1e2}", "stock" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1,\"stock\":-1}", "stock" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1,\"stock\":2147483648}",
	  "stock" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1,"
	  "\"stock\":9223372036854775807}", "stock" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1,"
	  "\"stock\":9223372036854775808}", "stock" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1,"
	  "\"stock\":-9223372036854775809}", "stock" },
	{ "{\"sku\":\"s\",\"name\":\"n\",\"price\":1,\"stock\":1e400}",
	  "stock" },
};

static void
run_body_cases(const struct body_case *cases, size_t n,
    int (*check)(struct json_object *, struct inv_error *))
{
	struct json_object	*o;
	struct inv_error	 err;
	size_t			 i;
	int			 r;

	for (i = 0; i < n; i++) {
		o = parse(cases[i].body);
		memset(&err, 0, sizeof err);
		r = check(o, &err);
		json_object_put(o);
		expect_refused(r, &err, cases[i].field, cases[i].body);
	}
}

static int
check_product_create(struct json_object *o, struct inv_error *err)
{
	struct product	p;

	return validate_product_create(o, &p, err);
}

static void
test_product_create_refused(void **state)
{
	(void)state;
	run_body_cases(product_create_bad,
	    sizeof product_create_bad / sizeof product_create_bad[0],
	    check_product_create);
}

static void
test_product_patch_ok(void **state)
{
	struct json_object	*o;
	struct product_patch	 pp;
	struct inv_error	 err;

	(void)state;
	o = parse("{}");
	expect_ok(validate_product_patch(o, &pp, &err), &err, "{}");
	assert_false(pp.has_sku || pp.has_name || pp.has_price ||
	    pp.has_stock);
	json_object_put(o);

	o = parse("{\"price\":10.5}");
	expect_ok(validate_product_patch(o, &pp, &err), &err, "price");
	assert_true(pp.has_price);
	assert_false(pp.has_sku || pp.has_name || pp.has_stock);
	assert_int_equal(pp.price_cents, 1050);
	json_object_put(o);

	o = parse("{\"stock\":0}");
	expect_ok(validate_product_patch(o, &pp, &err), &err, "stock 0");
	assert_true(pp.has_stock);
	assert_int_equal(pp.stock, 0);
	assert_false(pp.has_sku || pp.has_name || pp.has_price);
	json_object_put(o);

	o = parse("{\"sku\":\"N-2\",\"name\":\"New\",\"price\":1,"
	    "\"stock\":7}");
	expect_ok(validate_product_patch(o, &pp, &err), &err, "all");
	assert_true(pp.has_sku && pp.has_name && pp.has_price &&
	    pp.has_stock);
	assert_string_equal(pp.sku, "N-2");
	assert_string_equal(pp.name, "New");
	assert_int_equal(pp.price_cents, 100);
	assert_int_equal(pp.stock, 7);
	json_object_put(o);
}

static const struct body_case product_patch_bad[] = {
	{ "[]", NULL },
	{ "null", NULL },
	{ "{\"colour\":1}", "colour" },
	{ "{\"id\":1}", "id" },
	{ "{\"sku\":null}", "sku" },
	{ "{\"name\":null}", "name" },
	{ "{\"price\":null}", "price" },
	{ "{\"stock\":null}", "stock" },
	{ "{\"sku\":\"\"}", "sku" },
	{ "{\"sku\":\"a b\"}", "sku" },
	{ "{\"sku\":7}", "sku" },
	{ "{\"name\":\"\"}", "name" },
	{ "{\"name\":\"  \"}", "name" },
	{ "{\"name\":[]}", "name" },
	{ "{\"price\":0}", "price" },
	{ "{\"price\":-5}", "price" },
	{ "{\"price\":\"1\"}", "price" },
	{ "{\"price\":1.001}", "price" },
	{ "{\"price\":false}", "price" },
	{ "{\"stock\":-1}", "stock" },
	{ "{\"stock\":0.5}", "stock" },
	{ "{\"stock\":\"1\"}", "stock" },
	{ "{\"stock\":2147483648}", "stock" },
	{ "{\"stock\":1e2}", "stock" },
	/* A good field does not excuse a bad one. */
	{ "{\"name\":\"ok\",\"stock\":-1}", "stock" },
	{ "{\"price\":1,\"extra\":1}", "extra" },
};

static int
check_product_patch(struct json_object *o, struct inv_error *err)
{
	struct product_patch	pp;

	return validate_product_patch(o, &pp, err);
}

static void
test_product_patch_refused(void **state)
{
	(void)state;
	run_body_cases(product_patch_bad,
	    sizeof product_patch_bad / sizeof product_patch_bad[0],
	    check_product_patch);
}

static void
test_order_create_ok(void **state)
{
	struct json_object	*o;
	struct inv_error	 err;
	uint64_t		 pid = 0;
	int64_t			 qty = 0;

	(void)state;
	o = parse("{\"product_id\":3,\"quantity\":2}");
	expect_ok(validate_order_create(o, &pid, &qty, &err), &err, "basic");
	assert_int_equal(pid, 3);
	assert_int_equal(qty, 2);
	json_object_put(o);

	o = parse("{\"quantity\":2147483647,"
	    "\"product_id\":9223372036854775807}");
	expect_ok(validate_order_create(o, &pid, &qty, &err), &err, "max");
	assert_int_equal(pid, (uint64_t)INT64_MAX);
	assert_int_equal(qty, INV_QUANTITY_MAX);
	json_object_put(o);

	o = parse("{\"product_id\":1,\"quantity\":1}");
	expect_ok(validate_order_create(o, &pid, &qty, &err), &err, "min");
	assert_int_equal(pid, 1);
	assert_int_equal(qty, 1);
	json_object_put(o);
}

static const struct body_case order_create_bad[] = {
	{ "[]", NULL },
	{ "5", NULL },
	{ "{}", "product_id" },
	{ "{\"quantity\":1}", "product_id" },
	{ "{\"product_id\":1}", "quantity" },
	{ "{\"product_id\":1,\"quantity\":1,\"status\":\"PAID\"}", "status" },
	{ "{\"product_id\":1,\"quantity\":1,\"id\":1}", "id" },
	{ "{\"product_id\":null,\"quantity\":1}", "product_id" },
	{ "{\"product_id\":1,\"quantity\":null}", "quantity" },
	{ "{\"product_id\":\"1\",\"quantity\":1}", "product_id" },
	{ "{\"product_id\":true,\"quantity\":1}", "product_id" },
	{ "{\"product_id\":1.5,\"quantity\":1}", "product_id" },
	{ "{\"product_id\":1e0,\"quantity\":1}", "product_id" },
	{ "{\"product_id\":0,\"quantity\":1}", "product_id" },
	{ "{\"product_id\":-1,\"quantity\":1}", "product_id" },
	{ "{\"product_id\":9223372036854775808,\"quantity\":1}",
	  "product_id" },
	{ "{\"product_id\":18446744073709551616,\"quantity\":1}",
	  "product_id" },
	{ "{\"product_id\":1,\"quantity\":0}", "quantity" },
	{ "{\"product_id\":1,\"quantity\":-1}", "quantity" },
	{ "{\"product_id\":1,\"quantity\":2147483648}", "quantity" },
	{ "{\"product_id\":1,\"quantity\":4294967297}", "quantity" },
	{ "{\"product_id\":1,\"quantity\":9223372036854775808}", "quantity" },
	{ "{\"product_id\":1,\"quantity\":-9223372036854775808}",
	  "quantity" },
	{ "{\"product_id\":1,\"quantity\":1.5}", "quantity" },
	{ "{\"product_id\":1,\"quantity\":1e2}", "quantity" },
	{ "{\"product_id\":1,\"quantity\":\"2\"}", "quantity" },
	{ "{\"product_id\":1,\"quantity\":false}", "quantity" },
	{ "{\"product_id\":1,\"quantity\":[1]}", "quantity" },
};

static int
check_order_create(struct json_object *o, struct inv_error *err)
{
	uint64_t	pid;
	int64_t		qty;

	return validate_order_create(o, &pid, &qty, err);
}

static void
test_order_create_refused(void **state)
{
	(void)state;
	run_body_cases(order_create_bad,
	    sizeof order_create_bad / sizeof order_create_bad[0],
	    check_order_create);
}

static void
test_order_update_ok(void **state)
{
	static const struct {
		const char		*body;
		enum order_status	 want;
	} cases[] = {
		{ "{\"status\":\"PENDING\"}", ORDER_PENDING },
		{ "{\"status\":\"PAID\"}", ORDER_PAID },
		{ "{\"status\":\"SHIPPED\"}", ORDER_SHIPPED },
		{ "{\"status\":\"CANCELED\"}", ORDER_CANCELED },
		{ "{\"status\":\"\\u0050AID\"}", ORDER_PAID },
	};
	struct json_object	*o;
	struct inv_error	 err;
	enum order_status	 to;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		o = parse(cases[i].body);
		to = ORDER_NSTATUS;
		expect_ok(validate_order_update(o, &to, &err), &err,
		    cases[i].body);
		assert_int_equal(to, cases[i].want);
		json_object_put(o);
	}
}

static const struct body_case order_update_bad[] = {
	{ "[]", NULL },
	{ "\"PAID\"", NULL },
	{ "{}", "status" },
	{ "{\"status\":null}", "status" },
	{ "{\"status\":1}", "status" },
	{ "{\"status\":true}", "status" },
	{ "{\"status\":[\"PAID\"]}", "status" },
	{ "{\"status\":\"\"}", "status" },
	{ "{\"status\":\"paid\"}", "status" },
	{ "{\"status\":\"Paid\"}", "status" },
	{ "{\"status\":\" PAID\"}", "status" },
	{ "{\"status\":\"PAID \"}", "status" },
	{ "{\"status\":\"CANCELLED\"}", "status" },
	{ "{\"status\":\"DELIVERED\"}", "status" },
	{ "{\"status\":\"PAID\\u0000\"}", "status" },
	{ "{\"status\":\"PAID\\u0000X\"}", "status" },
	{ "{\"status\":\"PAID\",\"quantity\":1}", "quantity" },
};

static int
check_order_update(struct json_object *o, struct inv_error *err)
{
	enum order_status	to;

	return validate_order_update(o, &to, err);
}

static void
test_order_update_refused(void **state)
{
	(void)state;
	run_body_cases(order_update_bad,
	    sizeof order_update_bad / sizeof order_update_bad[0],
	    check_order_update);
}

/* Text forms. */

static void
test_validate_id(void **state)
{
	static const char *const bad[] = {
		"", "-1", "0", "-0", "+5", " 5", "5 ", "abc", "1.5", "1e3",
		"0x10", "1a", "-", "9223372036854775808",
		"18446744073709551615", "18446744073709551616",
		"99999999999999999999999",
	};
	struct inv_error	err;
	uint64_t		id;
	size_t			i;

	(void)state;
	assert_int_equal(validate_id("id", "1", &id, &err), 0);
	assert_int_equal(id, 1);
	assert_int_equal(validate_id("id", "42", &id, &err), 0);
	assert_int_equal(id, 42);
	assert_int_equal(validate_id("id", "9223372036854775807", &id, &err),
	    0);
	assert_int_equal(id, (uint64_t)INT64_MAX);
	/* Leading zeros are still a number: "01" is 1. */
	assert_int_equal(validate_id("id", "01", &id, &err), 0);
	assert_int_equal(id, 1);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&err, 0, sizeof err);
		id = 777;
		expect_refused(validate_id("product_id", bad[i], &id, &err),
		    &err, "product_id", bad[i]);
		assert_int_equal(id, 777);
	}
}

static void
test_validate_int(void **state)
{
	static const struct {
		const char	*s;
		int64_t		 min, max, want;
	} ok[] = {
		{ "0", 0, 10, 0 },
		{ "10", 0, 10, 10 },
		{ "-5", -10, 10, -5 },
		{ "-0", 0, 10, 0 },
		{ "1000", 1, 1000, 1000 },
		{ "9223372036854775807", 0, INT64_MAX, INT64_MAX },
		{ "-9223372036854775808", INT64_MIN, 0, INT64_MIN },
	};
	static const struct {
		const char	*s;
		int64_t		 min, max;
	} bad[] = {
		{ "", 0, 10 },
		{ "-", -10, 10 },
		{ "11", 0, 10 },
		{ "-1", 0, 10 },
		{ "0", 1, 1000 },
		{ "1001", 1, 1000 },
		{ "+5", 0, 10 },
		{ " 5", 0, 10 },
		{ "5 ", 0, 10 },
		{ "5\n", 0, 10 },
		{ "abc", 0, 10 },
		{ "1.5", 0, 10 },
		{ "1e1", 0, 100 },
		{ "--1", -10, 10 },
		{ "9223372036854775808", 0, INT64_MAX },
		{ "-9223372036854775809", INT64_MIN, 0 },
		{ "99999999999999999999", 0, INT64_MAX },
	};
	struct inv_error	err;
	int64_t			v;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		v = 12345;
		expect_ok(validate_int("limit", ok[i].s, ok[i].min, ok[i].max,
		    &v, &err), &err, ok[i].s);
		assert_int_equal(v, ok[i].want);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&err, 0, sizeof err);
		v = 12345;
		expect_refused(validate_int("limit", bad[i].s, bad[i].min,
		    bad[i].max, &v, &err), &err, "limit", bad[i].s);
		assert_int_equal(v, 12345);
	}
}

static void
test_validate_price_text(void **state)
{
	static const struct {
		const char	*s;
		int64_t		 cents;
	} ok[] = {
		{ "9.99", 999 },
		{ "10", 1000 },
		{ "10.5", 1050 },
		{ "10.50", 1050 },
		{ "10.500", 1050 },
		{ "0.01", 1 },
		{ "0.30", 30 },
		{ "00.10", 10 },
		{ "999999999999.99", INV_PRICE_MAX_CENTS },
	};
	static const char *const bad[] = {
		"", "-1", "-0.5", "+1", " 1", "1 ", "abc", "1,5", "1e2",
		"1E2", "0", "0.0", "0.00", "0.001", "12.345", "1.2.3", ".",
		"1000000000000", "999999999999.999", "NaN", "inf",
	};
	struct inv_error	err;
	int64_t			c;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		c = 0;
		expect_ok(validate_price("price", ok[i].s, &c, &err), &err,
		    ok[i].s);
		assert_int_equal(c, ok[i].cents);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&err, 0, sizeof err);
		expect_refused(validate_price("price", bad[i], &c, &err), &err,
		    "price", bad[i]);
	}
}

static void
test_validate_status_text(void **state)
{
	static const char *const bad[] = {
		"", "pending", "Paid", "PAID ", " PAID", "SHIP", "CANCELLED",
		"PENDINGX", "0", "1",
	};
	struct inv_error	err;
	enum order_status	s;
	size_t			i;

	(void)state;
	assert_int_equal(validate_status("status", "PENDING", &s, &err), 0);
	assert_int_equal(s, ORDER_PENDING);
	assert_int_equal(validate_status("status", "PAID", &s, &err), 0);
	assert_int_equal(s, ORDER_PAID);
	assert_int_equal(validate_status("status", "SHIPPED", &s, &err), 0);
	assert_int_equal(s, ORDER_SHIPPED);
	assert_int_equal(validate_status("status", "CANCELED", &s, &err), 0);
	assert_int_equal(s, ORDER_CANCELED);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&err, 0, sizeof err);
		expect_refused(validate_status("status", bad[i], &s, &err),
		    &err, "status", bad[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sku_ok),
		cmocka_unit_test(test_sku_refused),
		cmocka_unit_test(test_name_ok),
		cmocka_unit_test(test_name_refused),
		cmocka_unit_test(test_product_create_ok),
		cmocka_unit_test(test_product_create_refused),
		cmocka_unit_test(test_product_patch_ok),
		cmocka_unit_test(test_product_patch_refused),
		cmocka_unit_test(test_order_create_ok),
		cmocka_unit_test(test_order_create_refused),
		cmocka_unit_test(test_order_update_ok),
		cmocka_unit_test(test_order_update_refused),
		cmocka_unit_test(test_validate_id),
		cmocka_unit_test(test_validate_int),
		cmocka_unit_test(test_validate_price_text),
		cmocka_unit_test(test_validate_status_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
