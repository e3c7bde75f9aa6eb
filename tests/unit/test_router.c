/*
 * Unit tests for invd/router.c and the handlers behind it, driven through
 * router_dispatch() with plain requests on a temporary store: routing,
 * 404/405/415/413/422/400, Location, Link and side effects on stock.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/api.h"
#include "common/json.h"
#include "invd/router.h"
#include "invd/store.h"

struct fixture {
	char		 dir[256];
	struct app	 app;
	struct response	 resp;
};

static void
rm_dir(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[512];

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static int
setup(void **state)
{
	struct fixture		*f;
	struct inv_error	 err;
	const char		*tmp = getenv("TMPDIR");

	if ((f = calloc(1, sizeof *f)) == NULL)
		return -1;
	snprintf(f->dir, sizeof f->dir, "%s/invd-router-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	if (store_open(&f->app.store, f->dir, (size_t)64 << 20, &err) == -1) {
		print_error("store_open: %s\n", err.detail);
		rm_dir(f->dir);
		free(f);
		return -1;
	}
	f->app.max_body = INV_MAX_BODY;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	response_free(&f->resp);
	store_close(f->app.store);
	rm_dir(f->dir);
	free(f);
	return 0;
}

/*
 * Dispatch one request; the previous response is freed first. query is
 * "k=v&k=v" (no decoding needed in tests) or NULL. Every answer but 204
 * must carry a JSON body, and errors a {"detail": string}.
 */
static struct response *
call_ct(struct fixture *f, enum http_method m, const char *path,
    const char *query, const char *ct, const char *body, size_t body_len)
{
	struct request		 req;
	struct param		 params[16];
	char			 qbuf[512], *p, *amp, *eq;
	size_t			 n = 0;
	struct json_object	*d;

	response_free(&f->resp);
	memset(&req, 0, sizeof req);
	memset(params, 0, sizeof params);
	if (query != NULL) {
		snprintf(qbuf, sizeof qbuf, "%s", query);
		for (p = qbuf; p != NULL && *p != '\0' && n < 16; p = amp) {
			if ((amp = strchr(p, '&')) != NULL)
				*amp++ = '\0';
			if ((eq = strchr(p, '=')) != NULL)
				*eq++ = '\0';
			params[n].key = p;
			params[n].value = eq != NULL ? eq : p + strlen(p);
			n++;
		}
	}
	req.method = m;
	req.path = path;
	req.query = n ? params : NULL;
	req.nquery = n;
	req.content_type = ct;
	req.body = body != NULL ? body : "";
	req.body_len = body != NULL ? body_len : 0;
	router_dispatch(&f->app, &req, &f->resp);
	assert_null(req.json);
	if (f->resp.status == 204) {
		assert_null(f->resp.json);
		assert_null(f->resp.raw);
	} else {
		/* JSON, or a raw body with its type (/docs, /metrics). */
		assert_true((f->resp.json != NULL) != (f->resp.raw != NULL));
		assert_true(f->resp.raw == NULL || f->resp.raw_type != NULL);
	}
	if (f->resp.status >= 400) {
		assert_true(json_object_is_type(f->resp.json,
		    json_type_object));
		assert_true(json_object_object_get_ex(f->resp.json, "detail",
		    &d));
		assert_true(json_object_is_type(d, json_type_string));
		assert_null(f->resp.location);
		assert_null(f->resp.link);
	}
	return &f->resp;
}

static struct response *
call(struct fixture *f, enum http_method m, const char *path,
    const char *query, const char *body)
{
	return call_ct(f, m, path, query, body ? INV_MIME_JSON : NULL, body,
	    body ? strlen(body) : 0);
}

static const char *
detail(const struct response *r)
{
	struct json_object	*d;

	if (!json_object_object_get_ex(r->json, "detail", &d))
		return "";
	return json_object_get_string(d);
}

static const char *
dump(const struct response *r)
{
	return r->json ? json_dump(r->json, NULL) : "";
}

static int64_t
member_int(struct json_object *o, const char *key)
{
	struct json_object	*v;

	assert_true(json_object_object_get_ex(o, key, &v));
	assert_true(json_object_is_type(v, json_type_int));
	return json_object_get_int64(v);
}

static void
expect_status(const struct response *r, int status, const char *what)
{
	if (r->status != status) {
		print_error("%s: want %d, got %d %s\n", what, status,
		    r->status, dump(r));
		fail();
	}
}

static void
mkprod(struct fixture *f, const char *sku, int stock)
{
	char	body[256];

	snprintf(body, sizeof body, "{\"sku\":\"%s\",\"name\":\"N %s\","
	    "\"price\":9.99,\"stock\":%d}", sku, sku, stock);
	expect_status(call(f, METHOD_POST, "/products", NULL, body), 201,
	    body);
}

static int64_t
stock_of(struct fixture *f, const char *path)
{
	struct response	*r = call(f, METHOD_GET, path, NULL, NULL);

	expect_status(r, 200, path);
	return member_int(r->json, "stock");
}

static void
test_health(void **state)
{
	struct fixture	*f = *state;
	struct response	*r;

	r = call(f, METHOD_GET, "/health", NULL, NULL);
	expect_status(r, 200, "health");
	assert_string_equal(dump(r), "{\"status\":\"ok\"}");
}

static void
test_unknown_path(void **state)
{
	static const char *const paths[] = {
		"/", "", "/nope", "/health/", "/healthz", "/Products",
		"/products/", "/products//", "/products/1/", "/products/1/x",
		"/orders/", "/orders/1/items", "//products", "/products?x",
		"/product", "/productsX",
	};
	struct fixture	*f = *state;
	struct response	*r;
	size_t		 i;

	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		r = call(f, METHOD_GET, paths[i], NULL, NULL);
		expect_status(r, 404, paths[i]);
		assert_string_equal(r->allow, "");
		r = call(f, METHOD_PATCH, paths[i], NULL, NULL);
		expect_status(r, 404, paths[i]);
	}
}

static void
test_method_not_allowed(void **state)
{
	static const struct {
		enum http_method	 m;
		const char		*path;
		const char		*allow;
	} cases[] = {
		{ METHOD_PATCH, "/products/1", "GET, PUT, DELETE" },
		{ METHOD_PATCH, "/products", "GET, POST" },
		{ METHOD_PATCH, "/orders/1", "GET, PUT, DELETE" },
		{ METHOD_PATCH, "/orders", "GET, POST" },
		{ METHOD_PATCH, "/health", "GET" },
		{ METHOD_DELETE, "/products", "GET, POST" },
		{ METHOD_PUT, "/orders", "GET, POST" },
		{ METHOD_POST, "/health", "GET" },
		{ METHOD_POST, "/products/1", "GET, PUT, DELETE" },
		{ METHOD_OPTIONS, "/orders", "GET, POST" },
		{ METHOD_OTHER, "/products", "GET, POST" },
		/* The method is judged before the id. */
		{ METHOD_PATCH, "/products/abc", "GET, PUT, DELETE" },
	};
	struct fixture	*f = *state;
	struct response	*r;
	size_t		 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		r = call(f, cases[i].m, cases[i].path, NULL, "{}");
		expect_status(r, 405, cases[i].path);
		assert_string_equal(r->allow, cases[i].allow);
	}
	/* An allowed method carries no Allow. */
	r = call(f, METHOD_GET, "/products", NULL, NULL);
	expect_status(r, 200, "GET /products");
	assert_string_equal(r->allow, "");
}

static void
test_content_type(void **state)
{
	static const char *const bad[] = {
		"text/plain", "application/xml", "application/jsonx",
		"application/json-patch+json", "text/json", "",
		"application/json; charset=latin-1",
		"application/json; charset=iso-8859-1",
		"multipart/form-data; boundary=x",
		"application/x-www-form-urlencoded",
	};
	static const char *const good[] = {
		"application/json", "application/json; charset=utf-8",
		"application/json;charset=UTF-8", "Application/JSON",
		"application/json; charset=\"utf-8\"",
	};
	struct fixture	*f = *state;
	struct response	*r;
	char		 body[128];
	size_t		 i;
	const char	*ok = "{\"sku\":\"S\",\"name\":\"N\",\"price\":1,"
			    "\"stock\":1}";

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = call_ct(f, METHOD_POST, "/products", NULL, bad[i], ok,
		    strlen(ok));
		expect_status(r, 415, bad[i]);
	}
	/* Nothing was created by the refused requests. */
	r = call(f, METHOD_GET, "/products", NULL, NULL);
	assert_string_equal(dump(r), "[]");

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		snprintf(body, sizeof body, "{\"sku\":\"S%zu\",\"name\":\"N\","
		    "\"price\":1,\"stock\":1}", i);
		r = call_ct(f, METHOD_POST, "/products", NULL, good[i], body,
		    strlen(body));
		expect_status(r, 201, good[i]);
	}
	/* PUT bodies are checked the same way. */
	r = call_ct(f, METHOD_PUT, "/products/1", NULL, "text/plain", "{}", 2);
	expect_status(r, 415, "PUT text/plain");
}

static void
test_bad_bodies(void **state)
{
	static const struct {
		const char	*body;
		size_t		 len;	/* 0: strlen(body) */
		int		 status;
	} cases[] = {
		{ "", 0, 422 },
		{ "{", 0, 400 },
		{ "{\"sku\":", 0, 400 },
		{ "NaN", 0, 400 },
		{ "{\"sku\":\"a\",}", 0, 400 },
		{ "{} {}", 0, 400 },
		{ "{'sku':'a'}", 0, 400 },
		{ "{\"a\":\"\xff\"}", 0, 400 },
		{ "{\"a\":\"x\0y\"}", 11, 400 },	/* raw NUL */
		{ "[]", 0, 422 },
		{ "\"x\"", 0, 422 },
		{ "1", 0, 422 },
		{ "null", 0, 422 },
		{ "true", 0, 422 },
		{ "{\"sku\":\"S\",\"name\":\"N\",\"price\":1,\"stock\":1,"
		  "\"x\":1}", 0, 422 },
		{ "{\"sku\":\"S\",\"name\":\"N\",\"price\":\"9.5\","
		  "\"stock\":1}", 0, 422 },
		{ "{\"sku\":\"S\",\"name\":\"N\",\"price\":1,\"stock\":1.5}",
		  0, 422 },
		{ "{\"sku\":\"S\",\"name\":\"N\",\"price\":12.345,\"stock\":1}",
		  0, 422 },
	};
	struct fixture	*f = *state;
	struct response	*r;
	size_t		 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		r = call_ct(f, METHOD_POST, "/products", NULL, INV_MIME_JSON,
		    cases[i].body, cases[i].len ? cases[i].len :
		    strlen(cases[i].body));
		expect_status(r, cases[i].status, cases[i].body);
	}
	r = call(f, METHOD_POST, "/products", NULL,
	    "{\"sku\":\"S\",\"name\":\"N\",\"price\":1,\"stock\":-1}");
	expect_status(r, 422, "stock -1");
	assert_non_null(strstr(detail(r), "stock"));
	r = call(f, METHOD_POST, "/products", NULL,
	    "{\"name\":\"N\",\"price\":1,\"stock\":1}");
	expect_status(r, 422, "no sku");
	assert_non_null(strstr(detail(r), "sku"));

	/* None of it left anything behind. */
	r = call(f, METHOD_GET, "/products", NULL, NULL);
	assert_string_equal(dump(r), "[]");
}

static void
test_body_too_large(void **state)
{
	struct fixture	*f = *state;
	struct response	*r;
	const char	*ok = "{\"sku\":\"S\",\"name\":\"N\",\"price\":1,"
			    "\"stock\":1}";

	f->app.max_body = strlen(ok) - 1;
	r = call(f, METHOD_POST, "/products", NULL, ok);
	expect_status(r, 413, "over the limit");
	f->app.max_body = strlen(ok);
	r = call(f, METHOD_POST, "/products", NULL, ok);
	expect_status(r, 201, "at the limit");
}

static void
test_product_create_and_get(void **state)
{
	struct fixture	*f = *state;
	struct response	*r;

	r = call(f, METHOD_POST, "/products", NULL,
	    "{\"sku\":\"W-1\",\"name\":\"Widget\",\"price\":99.99,"
	    "\"stock\":50}");
	expect_status(r, 201, "create");
	assert_non_null(r->location);
	assert_string_equal(r->location, "/products/1");
	assert_string_equal(dump(r), "{\"id\":1,\"sku\":\"W-1\","
	    "\"name\":\"Widget\",\"price\":99.99,\"stock\":50}");

	r = call(f, METHOD_POST, "/products", NULL,
	    "{\"sku\":\"W-1\",\"name\":\"Other\",\"price\":1,\"stock\":1}");
	expect_status(r, 409, "duplicate");
	assert_string_equal(detail(r), "Product with this SKU already exists");

	r = call(f, METHOD_POST, "/products", NULL,
	    "{\"sku\":\"W-2\",\"name\":\"Ten\",\"price\":10.500,\"stock\":0}");
	expect_status(r, 201, "second");
	assert_string_equal(r->location, "/products/2");
	assert_string_equal(dump(r), "{\"id\":2,\"sku\":\"W-2\","
	    "\"name\":\"Ten\",\"price\":10.5,\"stock\":0}");

	r = call(f, METHOD_GET, "/products/1", NULL, NULL);
	expect_status(r, 200, "get 1");
	assert_null(r->location);
	assert_string_equal(dump(r), "{\"id\":1,\"sku\":\"W-1\","
	    "\"name\":\"Widget\",\"price\":99.99,\"stock\":50}");
	r = call(f, METHOD_GET, "/products/3", NULL, NULL);
	expect_status(r, 404, "get 3");
	assert_string_equal(detail(r), "Product not found");
	r = call(f, METHOD_GET, "/products/9223372036854775807", NULL, NULL);
	expect_status(r, 404, "get max");

	/* PUT {} changes nothing and answers 200. */
	r = call(f, METHOD_PUT, "/products/1", NULL, "{}");
	expect_status(r, 200, "PUT {}");
	assert_string_equal(dump(r), "{\"id\":1,\"sku\":\"W-1\","
	    "\"name\":\"Widget\",\"price\":99.99,\"stock\":50}");
	r = call(f, METHOD_PUT, "/products/1", NULL, "{\"sku\":\"W-2\"}");
	expect_status(r, 409, "PUT taken sku");
	r = call(f, METHOD_PUT, "/products/1", NULL, "{\"price\":0}");
	expect_status(r, 422, "PUT price 0");
	r = call(f, METHOD_PUT, "/products/7", NULL, "{\"price\":1}");
	expect_status(r, 404, "PUT unknown");
	r = call(f, METHOD_PUT, "/products/1", NULL, "{\"stock\":7}");
	expect_status(r, 200, "PUT stock");
	assert_int_equal(member_int(r->json, "stock"), 7);

	r = call(f, METHOD_DELETE, "/products/2", NULL, NULL);
	expect_status(r, 204, "delete");
	r = call(f, METHOD_GET, "/products/2", NULL, NULL);
	expect_status(r, 404, "deleted");
	r = call(f, METHOD_DELETE, "/products/2", NULL, NULL);
	expect_status(r, 404, "deleted twice");
}

static void
test_bad_ids(void **state)
{
	static const char *const paths[] = {
		"/products/abc", "/products/0", "/products/-1",
		"/products/+1", "/products/1.5", "/products/1e3",
		"/products/%31", "/products/ 1", "/products/1 ",
		"/products/9223372036854775808",
		"/products/18446744073709551616",
		"/products/99999999999999999999999999999999999999999999",
		/* Past the router's id buffer: must not shrink into "1". */
		"/products/0000000000000000000000000000001abc",
		"/products/0000000000000000000000000000001xyzxyzxyz",
		"/orders/abc", "/orders/0", "/orders/-5",
	};
	struct fixture	*f = *state;
	struct response	*r;
	size_t		 i;

	mkprod(f, "A", 5);
	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		r = call(f, METHOD_GET, paths[i], NULL, NULL);
		if (r->status != 404 && r->status != 422) {
			print_error("%s: want 404 or 422, got %d %s\n",
			    paths[i], r->status, dump(r));
			fail();
		}
		r = call(f, METHOD_DELETE, paths[i], NULL, NULL);
		if (r->status != 404 && r->status != 422) {
			print_error("DELETE %s: want 404 or 422, got %d\n",
			    paths[i], r->status);
			fail();
		}
	}
	/* Product 1 survived all of those DELETEs. */
	assert_int_equal(stock_of(f, "/products/1"), 5);
}

static void
test_product_list_link(void **state)
{
	struct fixture	*f = *state;
	struct response	*r;
	char		 sku[8];
	int		 i;

	for (i = 1; i <= 5; i++) {
		snprintf(sku, sizeof sku, "P%d", i);
		mkprod(f, sku, i);
	}
	r = call(f, METHOD_GET, "/products", NULL, NULL);
	expect_status(r, 200, "list");
	assert_int_equal(json_object_array_length(r->json), 5);
	assert_null(r->link);

	r = call(f, METHOD_GET, "/products", "limit=2", NULL);
	expect_status(r, 200, "limit=2");
	assert_int_equal(json_object_array_length(r->json), 2);
	assert_int_equal(member_int(json_object_array_get_idx(r->json, 1),
	    "id"), 2);
	assert_non_null(r->link);
	assert_string_equal(r->link, "</products?limit=2&after=2>; "
	    "rel=\"next\"");

	r = call(f, METHOD_GET, "/products", "limit=2&after=2", NULL);
	assert_int_equal(json_object_array_length(r->json), 2);
	assert_int_equal(member_int(json_object_array_get_idx(r->json, 0),
	    "id"), 3);
	assert_string_equal(r->link, "</products?limit=2&after=4>; "
	    "rel=\"next\"");

	/* The last page, even when exactly full, has no Link. */
	r = call(f, METHOD_GET, "/products", "limit=2&after=4", NULL);
	assert_int_equal(json_object_array_length(r->json), 1);
	assert_null(r->link);
	r = call(f, METHOD_GET, "/products", "after=3&limit=2", NULL);
	assert_int_equal(json_object_array_length(r->json), 2);
	assert_null(r->link);
	r = call(f, METHOD_GET, "/products", "limit=5", NULL);
	assert_int_equal(json_object_array_length(r->json), 5);
	assert_null(r->link);
	r = call(f, METHOD_GET, "/products", "after=5", NULL);
	assert_string_equal(dump(r), "[]");
	assert_null(r->link);

	/* Other parameters are kept, limit and after replaced. */
	r = call(f, METHOD_GET, "/products", "view=full&limit=1&after=0",
	    NULL);
	assert_string_equal(r->link, "</products?view=full&limit=1&after=1>; "
	    "rel=\"next\"");
	r = call(f, METHOD_GET, "/products", "limit=1&note=a b/c", NULL);
	assert_string_equal(r->link, "</products?note=a%20b%2Fc&limit=1&"
	    "after=1>; rel=\"next\"");

	/* sku: the one product or an empty array, never a next page. */
	r = call(f, METHOD_GET, "/products", "sku=P3", NULL);
	expect_status(r, 200, "sku=P3");
	assert_int_equal(json_object_array_length(r->json), 1);
	assert_int_equal(member_int(json_object_array_get_idx(r->json, 0),
	    "id"), 3);
	assert_null(r->link);
	r = call(f, METHOD_GET, "/products", "sku=P3&limit=1", NULL);
	assert_int_equal(json_object_array_length(r->json), 1);
	assert_null(r->link);
	r = call(f, METHOD_GET, "/products", "sku=nope", NULL);
	expect_status(r, 200, "sku=nope");
	assert_string_equal(dump(r), "[]");
	r = call(f, METHOD_GET, "/products", "sku=", NULL);
	expect_status(r, 200, "sku=");
	assert_string_equal(dump(r), "[]");
}

static void
test_list_params_refused(void **state)
{
	static const char *const bad[] = {
		"limit=0", "limit=1001", "limit=-1", "limit=abc", "limit=",
		"limit=1.5", "limit=+5", "limit= 5",
		"limit=99999999999999999999",
		"after=-1", "after=abc", "after=", "after=1.0",
		"after=9223372036854775808", "limit=2&limit=0",
	};
	static const char *const bad_orders[] = {
		"status=BOGUS", "status=paid", "status=", "product_id=0",
		"product_id=-1", "product_id=abc", "product_id=",
		"limit=1001",
	};
	struct fixture	*f = *state;
	struct response	*r;
	size_t		 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = call(f, METHOD_GET, "/products", bad[i], NULL);
		expect_status(r, 422, bad[i]);
		r = call(f, METHOD_GET, "/orders", bad[i], NULL);
		expect_status(r, 422, bad[i]);
	}
	r = call(f, METHOD_GET, "/products", "limit=0", NULL);
	assert_non_null(strstr(detail(r), "limit"));
	r = call(f, METHOD_GET, "/products", "after=x", NULL);
	assert_non_null(strstr(detail(r), "after"));
	for (i = 0; i < sizeof bad_orders / sizeof bad_orders[0]; i++) {
		r = call(f, METHOD_GET, "/orders", bad_orders[i], NULL);
		expect_status(r, 422, bad_orders[i]);
	}
	r = call(f, METHOD_GET, "/orders", "status=BOGUS", NULL);
	assert_non_null(strstr(detail(r), "status"));

	r = call(f, METHOD_GET, "/products", "limit=1000", NULL);
	expect_status(r, 200, "limit=1000");
	r = call(f, METHOD_GET, "/products", "limit=1", NULL);
	expect_status(r, 200, "limit=1");
	r = call(f, METHOD_GET, "/orders", "limit=1000&after=0", NULL);
	expect_status(r, 200, "orders limit=1000");
}

static void
test_orders_flow(void **state)
{
	struct fixture	*f = *state;
	struct response	*r;
	char		 want[128];

	mkprod(f, "S", 50);
	r = call(f, METHOD_POST, "/orders", NULL,
	    "{\"product_id\":1,\"quantity\":20}");
	expect_status(r, 201, "order");
	assert_string_equal(r->location, "/orders/1");
	assert_int_equal(member_int(r->json, "id"), 1);
	assert_int_equal(member_int(r->json, "product_id"), 1);
	assert_int_equal(member_int(r->json, "quantity"), 20);
	snprintf(want, sizeof want, "\"status\":\"PENDING\"");
	assert_non_null(strstr(dump(r), want));
	assert_non_null(strstr(dump(r), "\"created_at\":\""));
	assert_int_equal(stock_of(f, "/products/1"), 30);

	r = call(f, METHOD_POST, "/orders", NULL,
	    "{\"product_id\":1,\"quantity\":100}");
	expect_status(r, 409, "too many");
	assert_string_equal(detail(r),
	    "Insufficient stock. Available: 30, Requested: 100");
	r = call(f, METHOD_POST, "/orders", NULL,
	    "{\"product_id\":9,\"quantity\":1}");
	expect_status(r, 404, "unknown product");
	assert_string_equal(detail(r), "Product not found");
	r = call(f, METHOD_POST, "/orders", NULL,
	    "{\"product_id\":1,\"quantity\":0}");
	expect_status(r, 422, "quantity 0");
	r = call(f, METHOD_POST, "/orders", NULL,
	    "{\"product_id\":1,\"quantity\":2147483648}");
	expect_status(r, 422, "quantity 2^31");
	r = call(f, METHOD_POST, "/orders", NULL,
	    "{\"product_id\":1,\"quantity\":\"1\"}");
	expect_status(r, 422, "quantity string");
	r = call(f, METHOD_POST, "/orders", NULL, "{\"product_id\":1,");
	expect_status(r, 400, "malformed");
	assert_int_equal(stock_of(f, "/products/1"), 30);

	r = call(f, METHOD_DELETE, "/products/1", NULL, NULL);
	expect_status(r, 400, "delete with pending");
	assert_non_null(strstr(detail(r), "pending"));

	r = call(f, METHOD_GET, "/orders/1", NULL, NULL);
	expect_status(r, 200, "get order");
	r = call(f, METHOD_GET, "/orders/2", NULL, NULL);
	expect_status(r, 404, "get order 2");
	assert_string_equal(detail(r), "Order not found");

	r = call(f, METHOD_PUT, "/orders/1", NULL, "{\"status\":\"PAID\"}");
	expect_status(r, 200, "paid");
	assert_non_null(strstr(dump(r), "\"status\":\"PAID\""));
	r = call(f, METHOD_PUT, "/orders/1", NULL, "{\"status\":\"PENDING\"}");
	expect_status(r, 400, "back to pending");
	assert_string_equal(detail(r),
	    "Invalid status transition from PAID to PENDING");
	r = call(f, METHOD_PUT, "/orders/1", NULL, "{\"status\":\"LOST\"}");
	expect_status(r, 422, "unknown status");
	r = call(f, METHOD_PUT, "/orders/9", NULL, "{\"status\":\"PAID\"}");
	expect_status(r, 404, "unknown order");

	/* DELETE cancels (restoring stock), then removes. */
	r = call(f, METHOD_DELETE, "/orders/1", NULL, NULL);
	expect_status(r, 204, "cancel");
	assert_int_equal(stock_of(f, "/products/1"), 50);
	r = call(f, METHOD_GET, "/orders/1", NULL, NULL);
	assert_non_null(strstr(dump(r), "\"status\":\"CANCELED\""));
	r = call(f, METHOD_DELETE, "/orders/1", NULL, NULL);
	expect_status(r, 204, "erase");
	r = call(f, METHOD_GET, "/orders/1", NULL, NULL);
	expect_status(r, 404, "erased");
	assert_int_equal(stock_of(f, "/products/1"), 50);

	r = call(f, METHOD_DELETE, "/products/1", NULL, NULL);
	expect_status(r, 204, "delete product");
}

static void
test_orders_list_link(void **state)
{
	struct fixture	*f = *state;
	struct response	*r;
	int		 i;

	mkprod(f, "A", 100);
	mkprod(f, "B", 100);
	for (i = 0; i < 6; i++) {
		r = call(f, METHOD_POST, "/orders", NULL, i % 2 ?
		    "{\"product_id\":2,\"quantity\":1}" :
		    "{\"product_id\":1,\"quantity\":1}");
		expect_status(r, 201, "order");
	}
	/* Orders 1, 3, 5 on A; 2, 4, 6 on B; 3 is PAID. */
	r = call(f, METHOD_PUT, "/orders/3", NULL, "{\"status\":\"PAID\"}");
	expect_status(r, 200, "paid");

	r = call(f, METHOD_GET, "/orders", "status=PENDING&product_id=1&"
	    "limit=1", NULL);
	expect_status(r, 200, "filtered");
	assert_int_equal(json_object_array_length(r->json), 1);
	assert_int_equal(member_int(json_object_array_get_idx(r->json, 0),
	    "id"), 1);
	assert_non_null(r->link);
	assert_string_equal(r->link, "</orders?status=PENDING&product_id=1&"
	    "limit=1&after=1>; rel=\"next\"");
	r = call(f, METHOD_GET, "/orders", "status=PENDING&product_id=1&"
	    "limit=1&after=1", NULL);
	assert_int_equal(member_int(json_object_array_get_idx(r->json, 0),
	    "id"), 5);
	assert_null(r->link);

	r = call(f, METHOD_GET, "/orders", "product_id=2&limit=2", NULL);
	assert_int_equal(json_object_array_length(r->json), 2);
	assert_string_equal(r->link, "</orders?product_id=2&limit=2&after=4>; "
	    "rel=\"next\"");
	r = call(f, METHOD_GET, "/orders", "status=PAID", NULL);
	assert_int_equal(json_object_array_length(r->json), 1);
	assert_null(r->link);
	r = call(f, METHOD_GET, "/orders", "status=SHIPPED", NULL);
	assert_string_equal(dump(r), "[]");
	r = call(f, METHOD_GET, "/orders", "limit=5", NULL);
	assert_int_equal(json_object_array_length(r->json), 5);
	assert_string_equal(r->link, "</orders?limit=5&after=5>; "
	    "rel=\"next\"");
	r = call(f, METHOD_GET, "/orders", "limit=6", NULL);
	assert_null(r->link);
}

static void
test_response_error(void **state)
{
	static const struct {
		enum inv_code	code;
		int		status;
	} map[] = {
		{ INV_EBADREQ, 400 }, { INV_ENOTFOUND, 404 },
		{ INV_EMETHOD, 405 }, { INV_ECONFLICT, 409 },
		{ INV_ETOOLARGE, 413 }, { INV_EMEDIA, 415 },
		{ INV_EINVALID, 422 }, { INV_EINTERNAL, 500 },
		{ INV_EUNAVAIL, 503 }, { INV_EFULL, 507 },
	};
	struct response		resp;
	struct inv_error	err;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof map / sizeof map[0]; i++) {
		memset(&resp, 0, sizeof resp);
		inv_error_set(&err, map[i].code, "say \"%s\"", "why");
		response_error(&resp, &err);
		assert_int_equal(resp.status, map[i].status);
		assert_string_equal(json_dump(resp.json, NULL),
		    "{\"detail\":\"say \\\"why\\\"\"}");
		response_free(&resp);
	}
	/* An empty detail still gives a detail: the reason phrase. */
	memset(&resp, 0, sizeof resp);
	inv_error_clear(&err);
	err.code = INV_EFULL;
	response_error(&resp, &err);
	assert_int_equal(resp.status, 507);
	assert_string_equal(json_dump(resp.json, NULL),
	    "{\"detail\":\"Insufficient Storage\"}");
	response_free(&resp);
}

/*
 * The document served at /openapi.json is JSON, carries invd's version and
 * names every row of the route table; /docs and /metrics have their own
 * types; the router records the pattern it matched.
 */
static void
test_self_description(void **state)
{
	struct fixture		*f = *state;
	struct response		*r;
	struct json_object	*doc, *v, *paths, *item;
	struct json_tokener	*tok;
	const struct route	*rt;
	char			 m[16];
	size_t			 i;

	r = call(f, METHOD_GET, "/openapi.json", NULL, NULL);
	assert_int_equal(r->status, 200);
	assert_string_equal(r->raw_type, INV_MIME_JSON);
	assert_string_equal(r->route, "/openapi.json");
	/* Embedded bytes: not NUL terminated. */
	tok = json_tokener_new();
	assert_non_null(tok);
	doc = json_tokener_parse_ex(tok, r->raw, (int)r->raw_len);
	assert_non_null(doc);
	assert_int_equal(json_tokener_get_parse_end(tok), r->raw_len);
	json_tokener_free(tok);
	assert_true(json_object_object_get_ex(doc, "openapi", &v));
	assert_string_equal(json_object_get_string(v), "3.1.0");
	assert_true(json_object_object_get_ex(doc, "info", &v));
	assert_true(json_object_object_get_ex(v, "version", &v));
	assert_string_equal(json_object_get_string(v), INV_VERSION);
	assert_true(json_object_object_get_ex(doc, "paths", &paths));
	for (rt = routes; rt->pattern != NULL; rt++) {
		if (!json_object_object_get_ex(paths, rt->pattern, &item))
			fail_msg("%s is not in openapi.json", rt->pattern);
		snprintf(m, sizeof m, "%s", method_name(rt->method));
		for (i = 0; m[i] != '\0'; i++)
			m[i] = (char)(m[i] - 'A' + 'a');
		if (!json_object_object_get_ex(item, m, &v))
			fail_msg("%s %s is not in openapi.json",
			    method_name(rt->method), rt->pattern);
	}
	/* And the other way: every documented operation has its row. */
	json_object_object_foreach(paths, path, ops) {
		json_object_object_foreach(ops, method, op) {
			(void)op;
			if (strcmp(method, "parameters") == 0)
				continue;
			for (rt = routes; rt->pattern != NULL; rt++)
				if (strcmp(rt->pattern, path) == 0 &&
				    strcasecmp(method_name(rt->method),
				    method) == 0)
					break;
			if (rt->pattern == NULL)
				fail_msg("%s %s has no route", method, path);
		}
	}
	json_object_put(doc);

	r = call(f, METHOD_GET, "/docs", NULL, NULL);
	assert_int_equal(r->status, 200);
	assert_string_equal(r->raw_type, "text/html; charset=utf-8");
	assert_non_null(memmem(r->raw, r->raw_len, "openapi.json", 12));

	r = call(f, METHOD_GET, "/metrics", NULL, NULL);
	assert_int_equal(r->status, 200);
	assert_non_null(strstr(r->raw_type, "version=0.0.4"));
	assert_non_null(strstr(r->raw, "\ninvd_products 0\n"));

	/* A 405 names the pattern too; an unknown path none. */
	r = call(f, METHOD_DELETE, "/orders", NULL, NULL);
	assert_int_equal(r->status, 405);
	assert_string_equal(r->route, "/orders");
	r = call(f, METHOD_GET, "/nope", NULL, NULL);
	assert_null(r->route);
}

/* Handlers report what metrics count through resp->outcome. */
static void
test_outcomes(void **state)
{
	struct fixture	*f = *state;
	struct response	*r;

	r = call(f, METHOD_POST, "/products", NULL,
	    "{\"sku\":\"O\",\"name\":\"o\",\"price\":1,\"stock\":1}");
	assert_int_equal(r->status, 201);
	r = call(f, METHOD_POST, "/orders", NULL,
	    "{\"product_id\":1,\"quantity\":2}");
	assert_int_equal(r->status, 409);
	assert_int_equal(r->outcome, OUTCOME_STOCKOUT);
	r = call(f, METHOD_POST, "/orders", NULL,
	    "{\"product_id\":1,\"quantity\":1}");
	assert_int_equal(r->status, 201);
	assert_int_equal(r->outcome, OUTCOME_NONE);
	/* No secret in this fixture. */
	r = call(f, METHOD_POST, "/webhooks/payment", NULL, "{}");
	assert_int_equal(r->status, 503);
	assert_int_equal(r->outcome, OUTCOME_WEBHOOK_UNCONFIGURED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_health, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_path,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_method_not_allowed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_content_type,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_bodies,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_body_too_large,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_product_create_and_get,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_product_list_link,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_params_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_orders_flow,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_orders_list_link,
		    setup, teardown),
		cmocka_unit_test(test_response_error),
		cmocka_unit_test_setup_teardown(test_self_description, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_outcomes, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
