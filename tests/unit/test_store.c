/*
 * Unit tests for invd/store.c, each on a fresh LMDB directory: products,
 * orders and their stock arithmetic, the list indexes, ids across restarts,
 * the directory lock, a full map and group commit batches.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <lmdb.h>

#include "common/api.h"
#include "common/errors.h"
#include "common/model.h"
#include "common/util.h"
#include "invd/store.h"

#define MAP_MAX		((size_t)64 << 20)

struct fixture {
	char		 dir[256];
	struct store	*st;
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
	snprintf(f->dir, sizeof f->dir, "%s/invd-store-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	if (store_open(&f->st, f->dir, MAP_MAX, &err) == -1) {
		print_error("store_open %s: %s\n", f->dir, err.detail);
		rm_dir(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	store_close(f->st);
	rm_dir(f->dir);
	free(f);
	return 0;
}

/* Fail the test with the error's detail unless r is 0. */
#define OK(call) do {							\
	struct inv_error	*e_ = &err;				\
	if ((call) != 0) {						\
		print_error("%s: code %d: %s\n", #call, (int)e_->code,	\
		    e_->detail);					\
		fail();							\
	}								\
} while (0)

static void
check_refused(int r, const struct inv_error *err, enum inv_code code,
    const char *detail, const char *what)
{
	if (r != -1 || err->code != code ||
	    (detail != NULL && strcmp(err->detail, detail) != 0)) {
		print_error("%s: want -1 code %d '%s'; got %d code %d '%s'\n",
		    what, (int)code, detail ? detail : "(any)", r,
		    (int)err->code, err->detail);
		fail();
	}
}

/* Expect -1 with the given code, and exactly this detail unless NULL. */
#define REFUSED(call, code, detail) do {				\
	memset(&err, 0, sizeof err);					\
	check_refused((call), &err, (code), (detail), #call);		\
} while (0)

static uint64_t
mkprod(struct store *st, const char *sku, int64_t price, int64_t stock)
{
	struct product		p;
	struct inv_error	err;

	memset(&p, 0, sizeof p);
	inv_strlcpy(p.sku, sku, sizeof p.sku);
	snprintf(p.name, sizeof p.name, "Product %s", sku);
	p.price_cents = price;
	p.stock = stock;
	OK(store_product_create(st, &p, &err));
	assert_true(p.id > 0);
	return p.id;
}

static int64_t
stock_of(struct store *st, uint64_t id)
{
	struct product		p;
	struct inv_error	err;

	OK(store_product_get(st, id, &p, &err));
	return p.stock;
}

static uint64_t
mkorder(struct store *st, uint64_t pid, int64_t qty)
{
	struct order		o;
	struct inv_error	err;

	OK(store_order_create(st, pid, qty, &o, &err));
	return o.id;
}

static enum order_status
status_of(struct store *st, uint64_t id)
{
	struct order		o;
	struct inv_error	err;

	OK(store_order_get(st, id, &o, &err));
	return o.status;
}

static void
expect_same_product(const struct product *a, const struct product *b)
{
	assert_int_equal(a->id, b->id);
	assert_string_equal(a->sku, b->sku);
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->price_cents, b->price_cents);
	assert_int_equal(a->stock, b->stock);
}

/* Products. */

static void
test_product_create_get(void **state)
{
	struct fixture		*f = *state;
	struct product		 p, g;
	struct inv_error	 err;

	memset(&p, 0, sizeof p);
	strcpy(p.sku, "W-1");
	strcpy(p.name, "Widget \"one\" caf\xc3\xa9");
	p.price_cents = 9999;
	p.stock = 50;
	OK(store_product_create(f->st, &p, &err));
	assert_int_equal(p.id, 1);

	memset(&g, 0x55, sizeof g);
	OK(store_product_get(f->st, 1, &g, &err));
	assert_int_equal(g.id, 1);
	assert_string_equal(g.sku, "W-1");
	assert_string_equal(g.name, p.name);
	assert_int_equal(g.price_cents, 9999);
	assert_int_equal(g.stock, 50);

	memset(&g, 0, sizeof g);
	OK(store_product_get_by_sku(f->st, "W-1", &g, &err));
	assert_int_equal(g.id, 1);
	assert_string_equal(g.name, p.name);

	REFUSED(store_product_get(f->st, 2, &g, &err), INV_ENOTFOUND,
	    "Product not found");
	REFUSED(store_product_get(f->st, 0, &g, &err), INV_ENOTFOUND,
	    "Product not found");
	REFUSED(store_product_get(f->st, UINT64_MAX, &g, &err),
	    INV_ENOTFOUND, "Product not found");
	REFUSED(store_product_get_by_sku(f->st, "w-1", &g, &err),
	    INV_ENOTFOUND, "Product not found");
	REFUSED(store_product_get_by_sku(f->st, "W-1 ", &g, &err),
	    INV_ENOTFOUND, "Product not found");
	REFUSED(store_product_get_by_sku(f->st, "", &g, &err), INV_ENOTFOUND,
	    "Product not found");
	REFUSED(store_product_get_by_sku(f->st,
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	    &g, &err), INV_ENOTFOUND, "Product not found");
}

static void
test_product_limits_round_trip(void **state)
{
	struct fixture		*f = *state;
	struct product		 p, g;
	struct inv_error	 err;

	memset(&p, 0, sizeof p);
	memset(p.sku, 'S', INV_SKU_MAX);
	memset(p.name, 'N', INV_NAME_MAX);
	p.price_cents = INV_PRICE_MAX_CENTS;
	p.stock = INV_STOCK_MAX;
	OK(store_product_create(f->st, &p, &err));
	OK(store_product_get(f->st, p.id, &g, &err));
	assert_string_equal(g.sku, p.sku);
	assert_string_equal(g.name, p.name);
	assert_int_equal(g.price_cents, INV_PRICE_MAX_CENTS);
	assert_int_equal(g.stock, INV_STOCK_MAX);
	OK(store_product_get_by_sku(f->st, p.sku, &g, &err));
	assert_int_equal(g.id, p.id);
}

static void
test_product_duplicate_sku(void **state)
{
	struct fixture		*f = *state;
	struct product		 p, g;
	struct inv_error	 err;
	struct store_stats	 s;

	assert_int_equal(mkprod(f->st, "DUP", 100, 1), 1);
	memset(&p, 0, sizeof p);
	strcpy(p.sku, "DUP");
	strcpy(p.name, "Other");
	p.price_cents = 5;
	p.stock = 9;
	REFUSED(store_product_create(f->st, &p, &err), INV_ECONFLICT,
	    "Product with this SKU already exists");
	assert_int_equal(inv_error_status(err.code), 409);
	/* The first product is untouched and no id was used up. */
	OK(store_product_get_by_sku(f->st, "DUP", &g, &err));
	assert_int_equal(g.id, 1);
	assert_string_equal(g.name, "Product DUP");
	assert_int_equal(g.stock, 1);
	OK(store_stats(f->st, &s, &err));
	assert_int_equal(s.products, 1);
	assert_int_equal(mkprod(f->st, "OTHER", 100, 1), 2);
	/* SKUs are case sensitive bytes. */
	assert_int_equal(mkprod(f->st, "dup", 100, 1), 3);
}

static void
expect_ids(const struct product *items, size_t n, const uint64_t *want,
    size_t nwant)
{
	size_t	i;

	assert_int_equal(n, nwant);
	for (i = 0; i < n; i++)
		assert_int_equal(items[i].id, want[i]);
}

static void
test_product_list_pagination(void **state)
{
	struct fixture		*f = *state;
	struct product		 items[10];
	struct inv_error	 err;
	size_t			 n;
	int			 more;
	char			 sku[16];
	int			 i;

	/* Empty store. */
	OK(store_product_list(f->st, 0, 10, items, &n, &more, &err));
	assert_int_equal(n, 0);
	assert_false(more);

	for (i = 1; i <= 5; i++) {
		snprintf(sku, sizeof sku, "P%d", i);
		assert_int_equal(mkprod(f->st, sku, 100 * i, i), i);
	}
	OK(store_product_list(f->st, 0, 2, items, &n, &more, &err));
	expect_ids(items, n, (const uint64_t[]){ 1, 2 }, 2);
	assert_true(more);
	assert_string_equal(items[0].sku, "P1");
	assert_int_equal(items[1].price_cents, 200);
	assert_int_equal(items[1].stock, 2);

	OK(store_product_list(f->st, 2, 2, items, &n, &more, &err));
	expect_ids(items, n, (const uint64_t[]){ 3, 4 }, 2);
	assert_true(more);

	OK(store_product_list(f->st, 4, 2, items, &n, &more, &err));
	expect_ids(items, n, (const uint64_t[]){ 5 }, 1);
	assert_false(more);

	/* A page exactly as long as what is left has no next page. */
	OK(store_product_list(f->st, 0, 5, items, &n, &more, &err));
	expect_ids(items, n, (const uint64_t[]){ 1, 2, 3, 4, 5 }, 5);
	assert_false(more);
	OK(store_product_list(f->st, 3, 2, items, &n, &more, &err));
	expect_ids(items, n, (const uint64_t[]){ 4, 5 }, 2);
	assert_false(more);

	OK(store_product_list(f->st, 0, 10, items, &n, &more, &err));
	assert_int_equal(n, 5);
	assert_false(more);

	OK(store_product_list(f->st, 5, 10, items, &n, &more, &err));
	assert_int_equal(n, 0);
	assert_false(more);
	OK(store_product_list(f->st, 1000, 10, items, &n, &more, &err));
	assert_int_equal(n, 0);
	assert_false(more);
	OK(store_product_list(f->st, UINT64_MAX, 10, items, &n, &more, &err));
	assert_int_equal(n, 0);
	assert_false(more);
	OK(store_product_list(f->st, UINT64_MAX - 1, 10, items, &n, &more,
	    &err));
	assert_int_equal(n, 0);

	/* Deleted ids leave gaps; after may name a deleted id. */
	OK(store_product_delete(f->st, 2, &err));
	OK(store_product_delete(f->st, 3, &err));
	OK(store_product_list(f->st, 0, 2, items, &n, &more, &err));
	expect_ids(items, n, (const uint64_t[]){ 1, 4 }, 2);
	assert_true(more);
	OK(store_product_list(f->st, 2, 1, items, &n, &more, &err));
	expect_ids(items, n, (const uint64_t[]){ 4 }, 1);
	assert_true(more);
	OK(store_product_list(f->st, 1, 1, items, &n, &more, &err));
	expect_ids(items, n, (const uint64_t[]){ 4 }, 1);
	assert_true(more);
}

static void
test_product_update(void **state)
{
	struct fixture		*f = *state;
	struct product_patch	 pp;
	struct product		 p, g;
	struct inv_error	 err;

	assert_int_equal(mkprod(f->st, "A", 100, 10), 1);
	assert_int_equal(mkprod(f->st, "B", 200, 20), 2);

	/* Nothing set: the product as it is. */
	memset(&pp, 0, sizeof pp);
	OK(store_product_update(f->st, 1, &pp, &p, &err));
	assert_int_equal(p.id, 1);
	assert_string_equal(p.sku, "A");
	assert_int_equal(p.price_cents, 100);
	assert_int_equal(p.stock, 10);

	/* Only the fields sent change. */
	memset(&pp, 0, sizeof pp);
	pp.has_name = 1;
	strcpy(pp.name, "Renamed");
	pp.has_price = 1;
	pp.price_cents = 1050;
	pp.has_stock = 1;
	pp.stock = 0;
	strcpy(pp.sku, "IGNORED");
	OK(store_product_update(f->st, 1, &pp, &p, &err));
	assert_int_equal(p.id, 1);
	assert_string_equal(p.sku, "A");
	assert_string_equal(p.name, "Renamed");
	assert_int_equal(p.price_cents, 1050);
	assert_int_equal(p.stock, 0);
	OK(store_product_get(f->st, 1, &g, &err));
	expect_same_product(&g, &p);
	REFUSED(store_product_get_by_sku(f->st, "IGNORED", &g, &err),
	    INV_ENOTFOUND, "Product not found");

	/* Same sku as its own: no conflict. */
	memset(&pp, 0, sizeof pp);
	pp.has_sku = 1;
	strcpy(pp.sku, "A");
	OK(store_product_update(f->st, 1, &pp, &p, &err));
	assert_string_equal(p.sku, "A");

	/* Unknown id. */
	REFUSED(store_product_update(f->st, 99, &pp, &p, &err),
	    INV_ENOTFOUND, "Product not found");
	memset(&pp, 0, sizeof pp);
	REFUSED(store_product_update(f->st, 99, &pp, &p, &err),
	    INV_ENOTFOUND, "Product not found");
}

static void
test_product_update_sku(void **state)
{
	struct fixture		*f = *state;
	struct product_patch	 pp;
	struct product		 p, g;
	struct inv_error	 err;

	assert_int_equal(mkprod(f->st, "OLD", 100, 10), 1);
	assert_int_equal(mkprod(f->st, "TAKEN", 200, 20), 2);

	memset(&pp, 0, sizeof pp);
	pp.has_sku = 1;
	strcpy(pp.sku, "NEW");
	OK(store_product_update(f->st, 1, &pp, &p, &err));
	assert_string_equal(p.sku, "NEW");
	OK(store_product_get_by_sku(f->st, "NEW", &g, &err));
	assert_int_equal(g.id, 1);
	assert_string_equal(g.sku, "NEW");
	/* The old sku is free again. */
	REFUSED(store_product_get_by_sku(f->st, "OLD", &g, &err),
	    INV_ENOTFOUND, "Product not found");
	assert_int_equal(mkprod(f->st, "OLD", 1, 1), 3);
	OK(store_product_get_by_sku(f->st, "OLD", &g, &err));
	assert_int_equal(g.id, 3);

	/* Another product's sku: 409, and nothing of the patch applied. */
	memset(&pp, 0, sizeof pp);
	pp.has_sku = 1;
	strcpy(pp.sku, "TAKEN");
	pp.has_name = 1;
	strcpy(pp.name, "Should not stick");
	pp.has_stock = 1;
	pp.stock = 777;
	REFUSED(store_product_update(f->st, 1, &pp, &p, &err), INV_ECONFLICT,
	    "Product with this SKU already exists");
	OK(store_product_get(f->st, 1, &g, &err));
	assert_string_equal(g.sku, "NEW");
	assert_string_equal(g.name, "Product OLD");
	assert_int_equal(g.stock, 10);
	OK(store_product_get_by_sku(f->st, "TAKEN", &g, &err));
	assert_int_equal(g.id, 2);
	OK(store_product_get_by_sku(f->st, "NEW", &g, &err));
	assert_int_equal(g.id, 1);

	/* Deleting the renamed product frees its new sku, not the old one. */
	OK(store_product_delete(f->st, 1, &err));
	REFUSED(store_product_get_by_sku(f->st, "NEW", &g, &err),
	    INV_ENOTFOUND, "Product not found");
	OK(store_product_get_by_sku(f->st, "OLD", &g, &err));
	assert_int_equal(g.id, 3);
	assert_int_equal(mkprod(f->st, "NEW", 1, 1), 4);
}

static void
test_product_delete(void **state)
{
	struct fixture		*f = *state;
	struct product		 g;
	struct order		 o;
	struct inv_error	 err;
	struct store_stats	 s;
	uint64_t		 o1, o2, o3;

	assert_int_equal(mkprod(f->st, "D", 100, 10), 1);
	assert_int_equal(mkprod(f->st, "KEEP", 100, 10), 2);

	/* No orders: deleted, gone by id and by sku. */
	OK(store_product_delete(f->st, 2, &err));
	REFUSED(store_product_get(f->st, 2, &g, &err), INV_ENOTFOUND,
	    "Product not found");
	REFUSED(store_product_get_by_sku(f->st, "KEEP", &g, &err),
	    INV_ENOTFOUND, "Product not found");
	REFUSED(store_product_delete(f->st, 2, &err), INV_ENOTFOUND,
	    "Product not found");
	REFUSED(store_product_delete(f->st, 42, &err), INV_ENOTFOUND,
	    "Product not found");

	/* A PENDING order blocks it with 400. */
	o1 = mkorder(f->st, 1, 1);
	o2 = mkorder(f->st, 1, 2);
	o3 = mkorder(f->st, 1, 3);
	REFUSED(store_product_delete(f->st, 1, &err), INV_EBADREQ,
	    "Cannot delete product with pending orders");
	assert_int_equal(inv_error_status(err.code), 400);
	OK(store_product_get(f->st, 1, &g, &err));
	assert_int_equal(g.stock, 4);

	/* Still blocked while any one of them is PENDING. */
	OK(store_order_set_status(f->st, o1, ORDER_CANCELED, &o, &err));
	OK(store_order_set_status(f->st, o2, ORDER_PAID, &o, &err));
	OK(store_order_set_status(f->st, o2, ORDER_SHIPPED, &o, &err));
	REFUSED(store_product_delete(f->st, 1, &err), INV_EBADREQ, NULL);

	/* All SHIPPED or CANCELED: deletable, and the sku can be reused. */
	OK(store_order_delete(f->st, o3, &err));
	assert_int_equal(status_of(f->st, o3), ORDER_CANCELED);
	OK(store_product_delete(f->st, 1, &err));
	REFUSED(store_product_get(f->st, 1, &g, &err), INV_ENOTFOUND,
	    "Product not found");
	assert_int_equal(mkprod(f->st, "D", 1, 1), 3);
	OK(store_stats(f->st, &s, &err));
	assert_int_equal(s.products, 1);
	/* The orders outlive their product. */
	assert_int_equal(s.orders, 3);
	assert_int_equal(status_of(f->st, o2), ORDER_SHIPPED);
}

/* Orders. */

static void
test_order_create(void **state)
{
	struct fixture		*f = *state;
	struct order		 o, g;
	struct inv_error	 err;
	int64_t			 t0;

	assert_int_equal(mkprod(f->st, "S", 100, 50), 1);
	t0 = now_us();
	OK(store_order_create(f->st, 1, 20, &o, &err));
	assert_int_equal(o.id, 1);
	assert_int_equal(o.product_id, 1);
	assert_int_equal(o.quantity, 20);
	assert_int_equal(o.status, ORDER_PENDING);
	assert_true(o.created_at >= t0 - 1000000 &&
	    o.created_at <= now_us() + 1000000);
	assert_int_equal(stock_of(f->st, 1), 30);

	OK(store_order_get(f->st, 1, &g, &err));
	assert_int_equal(g.id, o.id);
	assert_int_equal(g.product_id, o.product_id);
	assert_int_equal(g.quantity, o.quantity);
	assert_int_equal(g.status, o.status);
	assert_int_equal(g.created_at, o.created_at);

	/* Too much: 409 with the real numbers, and stock is unchanged. */
	REFUSED(store_order_create(f->st, 1, 31, &o, &err), INV_ECONFLICT,
	    "Insufficient stock. Available: 30, Requested: 31");
	assert_int_equal(stock_of(f->st, 1), 30);
	REFUSED(store_order_create(f->st, 1, 2147483647, &o, &err),
	    INV_ECONFLICT,
	    "Insufficient stock. Available: 30, Requested: 2147483647");
	assert_int_equal(stock_of(f->st, 1), 30);

	/* Exactly what is left is fine; then nothing is left. */
	OK(store_order_create(f->st, 1, 30, &o, &err));
	assert_int_equal(o.id, 2);
	assert_int_equal(stock_of(f->st, 1), 0);
	REFUSED(store_order_create(f->st, 1, 1, &o, &err), INV_ECONFLICT,
	    "Insufficient stock. Available: 0, Requested: 1");
	assert_int_equal(stock_of(f->st, 1), 0);

	/* Unknown product. */
	REFUSED(store_order_create(f->st, 9, 1, &o, &err), INV_ENOTFOUND,
	    "Product not found");
	REFUSED(store_order_get(f->st, 3, &g, &err), INV_ENOTFOUND,
	    "Order not found");
	REFUSED(store_order_get(f->st, 0, &g, &err), INV_ENOTFOUND,
	    "Order not found");

	/* Refused orders took no id. */
	assert_int_equal(mkprod(f->st, "T", 100, 5), 2);
	assert_int_equal(mkorder(f->st, 2, 1), 3);
}

static void
test_order_transitions(void **state)
{
	struct fixture		*f = *state;
	struct order		 o;
	struct inv_error	 err;
	uint64_t		 a, b, c;

	assert_int_equal(mkprod(f->st, "S", 100, 100), 1);
	a = mkorder(f->st, 1, 10);
	b = mkorder(f->st, 1, 20);
	c = mkorder(f->st, 1, 30);
	assert_int_equal(stock_of(f->st, 1), 40);

	/* Same-state and backward moves are refused, nothing changes. */
	REFUSED(store_order_set_status(f->st, a, ORDER_PENDING, &o, &err),
	    INV_EBADREQ, "Invalid status transition from PENDING to PENDING");
	REFUSED(store_order_set_status(f->st, a, ORDER_SHIPPED, &o, &err),
	    INV_EBADREQ, "Invalid status transition from PENDING to SHIPPED");

	/* PENDING -> PAID -> SHIPPED keeps the stock taken. */
	OK(store_order_set_status(f->st, a, ORDER_PAID, &o, &err));
	assert_int_equal(o.status, ORDER_PAID);
	assert_int_equal(o.id, a);
	assert_int_equal(o.quantity, 10);
	assert_int_equal(stock_of(f->st, 1), 40);
	REFUSED(store_order_set_status(f->st, a, ORDER_PENDING, &o, &err),
	    INV_EBADREQ, "Invalid status transition from PAID to PENDING");
	REFUSED(store_order_set_status(f->st, a, ORDER_PAID, &o, &err),
	    INV_EBADREQ, "Invalid status transition from PAID to PAID");
	OK(store_order_set_status(f->st, a, ORDER_SHIPPED, &o, &err));
	assert_int_equal(o.status, ORDER_SHIPPED);
	assert_int_equal(status_of(f->st, a), ORDER_SHIPPED);
	assert_int_equal(stock_of(f->st, 1), 40);
	REFUSED(store_order_set_status(f->st, a, ORDER_CANCELED, &o, &err),
	    INV_EBADREQ, "Invalid status transition from SHIPPED to CANCELED");
	REFUSED(store_order_set_status(f->st, a, ORDER_PAID, &o, &err),
	    INV_EBADREQ, "Invalid status transition from SHIPPED to PAID");
	assert_int_equal(stock_of(f->st, 1), 40);
	assert_int_equal(status_of(f->st, a), ORDER_SHIPPED);

	/* PENDING -> CANCELED restores, once. */
	OK(store_order_set_status(f->st, b, ORDER_CANCELED, &o, &err));
	assert_int_equal(o.status, ORDER_CANCELED);
	assert_int_equal(stock_of(f->st, 1), 60);
	REFUSED(store_order_set_status(f->st, b, ORDER_CANCELED, &o, &err),
	    INV_EBADREQ,
	    "Invalid status transition from CANCELED to CANCELED");
	REFUSED(store_order_set_status(f->st, b, ORDER_PENDING, &o, &err),
	    INV_EBADREQ, "Invalid status transition from CANCELED to PENDING");
	REFUSED(store_order_set_status(f->st, b, ORDER_PAID, &o, &err),
	    INV_EBADREQ, "Invalid status transition from CANCELED to PAID");
	assert_int_equal(stock_of(f->st, 1), 60);

	/* PAID -> CANCELED restores too, once. */
	OK(store_order_set_status(f->st, c, ORDER_PAID, &o, &err));
	assert_int_equal(stock_of(f->st, 1), 60);
	OK(store_order_set_status(f->st, c, ORDER_CANCELED, &o, &err));
	assert_int_equal(stock_of(f->st, 1), 90);
	REFUSED(store_order_set_status(f->st, c, ORDER_CANCELED, &o, &err),
	    INV_EBADREQ, NULL);
	assert_int_equal(stock_of(f->st, 1), 90);

	REFUSED(store_order_set_status(f->st, 99, ORDER_PAID, &o, &err),
	    INV_ENOTFOUND, "Order not found");
}

static void
test_order_delete(void **state)
{
	struct fixture		*f = *state;
	struct order		 o, g;
	struct inv_error	 err;
	struct store_stats	 s;
	uint64_t		 a, b, c;

	assert_int_equal(mkprod(f->st, "S", 100, 100), 1);
	a = mkorder(f->st, 1, 10);
	b = mkorder(f->st, 1, 20);
	c = mkorder(f->st, 1, 30);
	assert_int_equal(stock_of(f->st, 1), 40);

	/* PENDING: the first delete cancels and restores. */
	OK(store_order_delete(f->st, a, &err));
	OK(store_order_get(f->st, a, &g, &err));
	assert_int_equal(g.status, ORDER_CANCELED);
	assert_int_equal(g.quantity, 10);
	assert_int_equal(stock_of(f->st, 1), 50);
	/* The second erases it, without restoring again. */
	OK(store_order_delete(f->st, a, &err));
	REFUSED(store_order_get(f->st, a, &g, &err), INV_ENOTFOUND,
	    "Order not found");
	assert_int_equal(stock_of(f->st, 1), 50);
	REFUSED(store_order_delete(f->st, a, &err), INV_ENOTFOUND,
	    "Order not found");
	assert_int_equal(stock_of(f->st, 1), 50);

	/* PAID: canceled and restored. */
	OK(store_order_set_status(f->st, b, ORDER_PAID, &o, &err));
	OK(store_order_delete(f->st, b, &err));
	assert_int_equal(status_of(f->st, b), ORDER_CANCELED);
	assert_int_equal(stock_of(f->st, 1), 70);

	/* SHIPPED cannot be canceled: 400, and it stays as it was. */
	OK(store_order_set_status(f->st, c, ORDER_PAID, &o, &err));
	OK(store_order_set_status(f->st, c, ORDER_SHIPPED, &o, &err));
	REFUSED(store_order_delete(f->st, c, &err), INV_EBADREQ,
	    "Invalid status transition from SHIPPED to CANCELED");
	assert_int_equal(inv_error_status(err.code), 400);
	assert_int_equal(status_of(f->st, c), ORDER_SHIPPED);
	assert_int_equal(stock_of(f->st, 1), 70);

	REFUSED(store_order_delete(f->st, 99, &err), INV_ENOTFOUND,
	    "Order not found");
	OK(store_stats(f->st, &s, &err));
	assert_int_equal(s.orders, 2);
	/* The per-status counters follow every move, erase and refusal. */
	assert_int_equal(s.orders_by_status[ORDER_PENDING], 0);
	assert_int_equal(s.orders_by_status[ORDER_PAID], 0);
	assert_int_equal(s.orders_by_status[ORDER_SHIPPED], 1);
	assert_int_equal(s.orders_by_status[ORDER_CANCELED], 1);
	assert_true(s.page_size > 0 && s.pages_used > 0);
}

static void
test_order_cancel_after_product_delete(void **state)
{
	struct fixture		*f = *state;
	struct order		 o;
	struct inv_error	 err;
	struct product		 g;
	uint64_t		 a, b;

	assert_int_equal(mkprod(f->st, "GONE", 100, 10), 1);
	a = mkorder(f->st, 1, 4);
	b = mkorder(f->st, 1, 1);
	OK(store_order_set_status(f->st, a, ORDER_PAID, &o, &err));
	OK(store_order_delete(f->st, b, &err));
	OK(store_product_delete(f->st, 1, &err));
	/* The sku comes back as a new product, which the old order's
	 * cancellation must not credit. */
	assert_int_equal(mkprod(f->st, "GONE", 100, 0), 2);
	OK(store_order_set_status(f->st, a, ORDER_CANCELED, &o, &err));
	assert_int_equal(o.status, ORDER_CANCELED);
	REFUSED(store_product_get(f->st, 1, &g, &err), INV_ENOTFOUND, NULL);
	assert_int_equal(stock_of(f->st, 2), 0);
}

static size_t
list_orders(struct store *st, int has_status, enum order_status status,
    uint64_t pid, uint64_t after, size_t limit, uint64_t *ids, int *more)
{
	struct order_filter	 flt;
	struct order		 out[64];
	struct inv_error	 err;
	size_t			 n, i;

	assert_true(limit <= 64);
	memset(&flt, 0, sizeof flt);
	flt.has_status = has_status;
	flt.status = status;
	flt.product_id = pid;
	memset(out, 0, sizeof out);
	OK(store_order_list(st, &flt, after, limit, out, &n, more, &err));
	assert_true(n <= limit);
	for (i = 0; i < n; i++) {
		ids[i] = out[i].id;
		if (has_status)
			assert_int_equal(out[i].status, status);
		if (pid != 0)
			assert_int_equal(out[i].product_id, pid);
		if (i > 0)
			assert_true(out[i].id > out[i - 1].id);
	}
	return n;
}

#define ANY	0, ORDER_PENDING

static void
expect_list(size_t n, const uint64_t *got, const uint64_t *want,
    size_t nwant)
{
	size_t	i;

	if (n != nwant)
		print_error("want %zu orders, got %zu\n", nwant, n);
	assert_int_equal(n, nwant);
	for (i = 0; i < n; i++)
		assert_int_equal(got[i], want[i]);
}

static void
test_order_list_filters(void **state)
{
	struct fixture		*f = *state;
	struct order		 o;
	struct inv_error	 err;
	uint64_t		 ids[64];
	size_t			 n;
	int			 more;
	uint64_t		 pa, pb;

	pa = mkprod(f->st, "A", 100, 100);
	pb = mkprod(f->st, "B", 100, 100);
	/*
	 * 1 A PENDING, 2 B PENDING, 3 A PAID, 4 B SHIPPED, 5 A CANCELED,
	 * 6 A PENDING, 7 B PAID, 8 A SHIPPED
	 */
	mkorder(f->st, pa, 1);
	mkorder(f->st, pb, 1);
	mkorder(f->st, pa, 1);
	mkorder(f->st, pb, 1);
	mkorder(f->st, pa, 1);
	mkorder(f->st, pa, 1);
	mkorder(f->st, pb, 1);
	mkorder(f->st, pa, 1);
	OK(store_order_set_status(f->st, 3, ORDER_PAID, &o, &err));
	OK(store_order_set_status(f->st, 4, ORDER_PAID, &o, &err));
	OK(store_order_set_status(f->st, 4, ORDER_SHIPPED, &o, &err));
	OK(store_order_set_status(f->st, 5, ORDER_CANCELED, &o, &err));
	OK(store_order_set_status(f->st, 7, ORDER_PAID, &o, &err));
	OK(store_order_set_status(f->st, 8, ORDER_PAID, &o, &err));
	OK(store_order_set_status(f->st, 8, ORDER_SHIPPED, &o, &err));

	n = list_orders(f->st, ANY, 0, 0, 64, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 1, 2, 3, 4, 5, 6, 7, 8 }, 8);
	assert_false(more);

	n = list_orders(f->st, 1, ORDER_PENDING, 0, 0, 64, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 1, 2, 6 }, 3);
	n = list_orders(f->st, 1, ORDER_PAID, 0, 0, 64, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 3, 7 }, 2);
	n = list_orders(f->st, 1, ORDER_SHIPPED, 0, 0, 64, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 4, 8 }, 2);
	n = list_orders(f->st, 1, ORDER_CANCELED, 0, 0, 64, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 5 }, 1);

	n = list_orders(f->st, ANY, pa, 0, 64, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 1, 3, 5, 6, 8 }, 5);
	n = list_orders(f->st, ANY, pb, 0, 64, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 2, 4, 7 }, 3);
	n = list_orders(f->st, ANY, 99, 0, 64, ids, &more);
	assert_int_equal(n, 0);
	assert_false(more);

	/* Both filters; PENDING with a product uses the pending index. */
	n = list_orders(f->st, 1, ORDER_PENDING, pa, 0, 64, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 1, 6 }, 2);
	n = list_orders(f->st, 1, ORDER_PENDING, pb, 0, 64, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 2 }, 1);
	n = list_orders(f->st, 1, ORDER_PAID, pa, 0, 64, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 3 }, 1);
	n = list_orders(f->st, 1, ORDER_SHIPPED, pb, 0, 64, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 4 }, 1);
	n = list_orders(f->st, 1, ORDER_CANCELED, pb, 0, 64, ids, &more);
	assert_int_equal(n, 0);

	/* Pagination under a filter. */
	n = list_orders(f->st, ANY, pa, 0, 2, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 1, 3 }, 2);
	assert_true(more);
	n = list_orders(f->st, ANY, pa, 3, 2, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 5, 6 }, 2);
	assert_true(more);
	n = list_orders(f->st, ANY, pa, 6, 2, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 8 }, 1);
	assert_false(more);
	n = list_orders(f->st, 1, ORDER_PENDING, 0, 0, 2, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 1, 2 }, 2);
	assert_true(more);
	n = list_orders(f->st, 1, ORDER_PENDING, 0, 2, 2, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 6 }, 1);
	assert_false(more);
	n = list_orders(f->st, 1, ORDER_PENDING, pa, 1, 1, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 6 }, 1);
	assert_false(more);
	/* Exactly the rest: no next page. */
	n = list_orders(f->st, 1, ORDER_PAID, pb, 0, 1, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 7 }, 1);
	assert_false(more);
	n = list_orders(f->st, ANY, 0, 6, 2, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 7, 8 }, 2);
	assert_false(more);
	n = list_orders(f->st, ANY, 0, UINT64_MAX, 2, ids, &more);
	assert_int_equal(n, 0);

	/* The indexes follow changes: 1 paid, 6 canceled, 5 erased. */
	OK(store_order_set_status(f->st, 1, ORDER_PAID, &o, &err));
	OK(store_order_delete(f->st, 6, &err));
	OK(store_order_delete(f->st, 5, &err));
	n = list_orders(f->st, 1, ORDER_PENDING, pa, 0, 64, ids, &more);
	assert_int_equal(n, 0);
	n = list_orders(f->st, 1, ORDER_PENDING, 0, 0, 64, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 2 }, 1);
	n = list_orders(f->st, 1, ORDER_PAID, 0, 0, 64, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 1, 3, 7 }, 3);
	n = list_orders(f->st, 1, ORDER_CANCELED, 0, 0, 64, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 6 }, 1);
	n = list_orders(f->st, ANY, pa, 0, 64, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 1, 3, 6, 8 }, 4);
	n = list_orders(f->st, ANY, 0, 0, 64, ids, &more);
	expect_list(n, ids, (const uint64_t[]){ 1, 2, 3, 4, 6, 7, 8 }, 7);
	/* With no PENDING order left, product A may go. */
	OK(store_product_delete(f->st, pa, &err));
}

static void
test_ids_never_reused(void **state)
{
	struct fixture		*f = *state;
	struct inv_error	 err;
	struct product		 g;
	struct order		 o;

	assert_int_equal(mkprod(f->st, "P1", 100, 10), 1);
	assert_int_equal(mkprod(f->st, "P2", 100, 10), 2);
	assert_int_equal(mkprod(f->st, "P3", 100, 10), 3);
	OK(store_product_delete(f->st, 3, &err));
	assert_int_equal(mkprod(f->st, "P3", 100, 10), 4);

	assert_int_equal(mkorder(f->st, 1, 1), 1);
	assert_int_equal(mkorder(f->st, 1, 1), 2);
	OK(store_order_delete(f->st, 2, &err));
	OK(store_order_delete(f->st, 2, &err));
	assert_int_equal(mkorder(f->st, 1, 1), 3);
	OK(store_product_delete(f->st, 2, &err));

	/* Closed and opened again: data and counters are still there. */
	store_close(f->st);
	f->st = NULL;
	OK(store_open(&f->st, f->dir, MAP_MAX, &err));
	OK(store_product_get(f->st, 1, &g, &err));
	assert_string_equal(g.sku, "P1");
	assert_int_equal(g.stock, 8);
	REFUSED(store_product_get(f->st, 2, &g, &err), INV_ENOTFOUND, NULL);
	REFUSED(store_order_get(f->st, 2, &o, &err), INV_ENOTFOUND, NULL);
	OK(store_order_get(f->st, 3, &o, &err));
	assert_int_equal(o.status, ORDER_PENDING);
	assert_int_equal(mkprod(f->st, "P5", 100, 10), 5);
	assert_int_equal(mkorder(f->st, 5, 1), 4);

	/* And again, after deleting the newest of each. */
	OK(store_order_delete(f->st, 4, &err));
	OK(store_order_delete(f->st, 4, &err));
	OK(store_product_delete(f->st, 5, &err));
	store_close(f->st);
	f->st = NULL;
	OK(store_open(&f->st, f->dir, MAP_MAX, &err));
	assert_int_equal(mkprod(f->st, "P6", 100, 10), 6);
	assert_int_equal(mkorder(f->st, 6, 1), 5);
}

static void
test_open_twice_refused(void **state)
{
	struct fixture		*f = *state;
	struct store		*second = (struct store *)&second;
	struct inv_error	 err;

	mkprod(f->st, "X", 1, 1);
	memset(&err, 0, sizeof err);
	assert_int_equal(store_open(&second, f->dir, MAP_MAX, &err), -1);
	assert_null(second);
	assert_int_not_equal(err.code, INV_OK);
	assert_non_null(strstr(err.detail, "in use"));
	/* The first one still works. */
	assert_int_equal(stock_of(f->st, 1), 1);
	mkprod(f->st, "Y", 1, 1);

	/* Once closed, the directory can be opened again. */
	store_close(f->st);
	f->st = NULL;
	OK(store_open(&f->st, f->dir, MAP_MAX, &err));
	assert_int_equal(stock_of(f->st, 2), 1);
}

static void
test_stats(void **state)
{
	struct fixture		*f = *state;
	struct inv_error	 err;
	struct store_stats	 s;

	OK(store_stats(f->st, &s, &err));
	assert_int_equal(s.products, 0);
	assert_int_equal(s.orders, 0);
	assert_true(s.map_max >= s.map_size);
	assert_true(s.used_bytes > 0 && s.used_bytes <= s.map_size);
	mkprod(f->st, "A", 1, 5);
	mkprod(f->st, "B", 1, 5);
	mkorder(f->st, 1, 1);
	OK(store_stats(f->st, &s, &err));
	assert_int_equal(s.products, 2);
	assert_int_equal(s.orders, 1);
}

/* A full map answers 507 and leaves every earlier change whole. */
static void
test_map_full(void **state)
{
	struct fixture		*f = *state;
	struct store		*st;
	struct inv_error	 err;
	struct product		 p, g, *items;
	struct order		*ords;
	struct order_filter	 flt;
	struct store_stats	 s;
	const int64_t		 initial = 1000000000;
	int64_t			 held = 0;
	uint64_t		 made = 0, norders = 0, after;
	size_t			 n, i, seen;
	int			 more, r, k;
	char			 failed_sku[32];

	/* This test uses its own small store. */
	store_close(f->st);
	f->st = NULL;
	rm_dir(f->dir);
	OK(store_open(&st, f->dir, (size_t)1 << 20, &err));
	f->st = st;

	OK(store_stats(st, &s, &err));
	assert_true(s.map_max <= ((size_t)1 << 20));

	assert_int_equal(mkprod(st, "STOCK", 100, initial), 1);
	made = 1;
	for (k = 0; k < 100000; k++) {
		memset(&p, 0, sizeof p);
		snprintf(p.sku, sizeof p.sku, "FILL-%06d", k);
		memset(p.name, 'n', INV_NAME_MAX);
		p.price_cents = 1;
		p.stock = 1;
		memset(&err, 0, sizeof err);
		if ((r = store_product_create(st, &p, &err)) == -1)
			break;
		made++;
	}
	assert_int_equal(r, -1);
	assert_int_equal(err.code, INV_EFULL);
	assert_int_equal(inv_error_status(err.code), 507);
	assert_true(err.detail[0] != '\0');
	snprintf(failed_sku, sizeof failed_sku, "FILL-%06d", k);

	/* Orders until full as well. */
	for (k = 0; k < 100000; k++) {
		struct order	o;

		memset(&err, 0, sizeof err);
		if (store_order_create(st, 1, 1 + k % 7, &o, &err) == -1)
			break;
		held += 1 + k % 7;
		norders++;
		assert_int_equal(o.id, norders);
	}
	assert_int_equal(err.code, INV_EFULL);

	/* Reads still work, and the refused writes left nothing behind. */
	REFUSED(store_product_get_by_sku(st, failed_sku, &g, &err),
	    INV_ENOTFOUND, NULL);
	REFUSED(store_order_get(st, norders + 1, &(struct order){ 0 }, &err),
	    INV_ENOTFOUND, NULL);
	OK(store_stats(st, &s, &err));
	assert_int_equal(s.products, made);
	assert_int_equal(s.orders, norders);

	items = calloc(1000, sizeof *items);
	assert_non_null(items);
	seen = 0;
	after = 0;
	do {
		OK(store_product_list(st, after, 1000, items, &n, &more, &err));
		for (i = 0; i < n; i++)
			assert_int_equal(items[i].id, seen + i + 1);
		seen += n;
		if (n > 0)
			after = items[n - 1].id;
	} while (more);
	assert_int_equal(seen, made);
	free(items);

	ords = calloc(1000, sizeof *ords);
	assert_non_null(ords);
	memset(&flt, 0, sizeof flt);
	seen = 0;
	after = 0;
	{
		int64_t	sum = 0;

		do {
			OK(store_order_list(st, &flt, after, 1000, ords, &n,
			    &more, &err));
			for (i = 0; i < n; i++) {
				assert_int_equal(ords[i].status,
				    ORDER_PENDING);
				sum += ords[i].quantity;
			}
			seen += n;
			if (n > 0)
				after = ords[n - 1].id;
		} while (more);
		assert_int_equal(seen, norders);
		assert_int_equal(sum, held);
	}
	free(ords);
	assert_int_equal(stock_of(st, 1) + held, initial);

	/*
	 * A cancel may or may not fit now; either way it is all or nothing:
	 * stock plus what live orders hold stays the initial stock.
	 */
	for (k = 1; k <= 3 && (uint64_t)k <= norders; k++) {
		struct order	o, before;

		OK(store_order_get(st, (uint64_t)k, &before, &err));
		memset(&err, 0, sizeof err);
		if (store_order_set_status(st, (uint64_t)k, ORDER_CANCELED, &o,
		    &err) == 0) {
			held -= before.quantity;
		} else {
			assert_int_equal(err.code, INV_EFULL);
			assert_int_equal(status_of(st, (uint64_t)k),
			    ORDER_PENDING);
		}
		assert_int_equal(stock_of(st, 1) + held, initial);
	}

	/* Closing and opening again keeps all of it. */
	store_close(st);
	f->st = NULL;
	OK(store_open(&f->st, f->dir, (size_t)1 << 20, &err));
	OK(store_stats(f->st, &s, &err));
	assert_int_equal(s.products, made);
	assert_int_equal(s.orders, norders);
	assert_int_equal(stock_of(f->st, 1) + held, initial);
}

/* A payment event applies once; a replay changes nothing, even later. */
static void
test_webhook_once(void **state)
{
	struct fixture		*f = *state;
	struct webhook_result	 res;
	struct inv_error	 err;
	uint64_t		 pid, o1, o2;

	pid = mkprod(f->st, "WH", 500, 10);
	o1 = mkorder(f->st, pid, 3);
	o2 = mkorder(f->st, pid, 4);
	OK(store_webhook_apply(f->st, "evt_1", PAYMENT_SUCCEEDED, o1, &res,
	    &err));
	assert_false(res.duplicate);
	assert_int_equal(res.new_status, ORDER_PAID);
	assert_int_equal(status_of(f->st, o1), ORDER_PAID);
	/* Replayed, even naming another order: a duplicate, no change. */
	OK(store_webhook_apply(f->st, "evt_1", PAYMENT_FAILED, o2, &res,
	    &err));
	assert_true(res.duplicate);
	assert_int_equal(res.order_id, o1);
	assert_int_equal(res.new_status, ORDER_PAID);
	assert_int_equal(status_of(f->st, o2), ORDER_PENDING);
	/* payment.failed cancels and restores stock exactly once. */
	OK(store_webhook_apply(f->st, "evt_2", PAYMENT_FAILED, o2, &res,
	    &err));
	assert_int_equal(status_of(f->st, o2), ORDER_CANCELED);
	assert_int_equal(stock_of(f->st, pid), 7);
	OK(store_webhook_apply(f->st, "evt_2", PAYMENT_FAILED, o2, &res,
	    &err));
	assert_true(res.duplicate);
	assert_int_equal(stock_of(f->st, pid), 7);
	/* Refusals record nothing: the same id may succeed later. */
	REFUSED(store_webhook_apply(f->st, "evt_3", PAYMENT_SUCCEEDED, 999,
	    &res, &err), INV_ENOTFOUND, "Order not found");
	REFUSED(store_webhook_apply(f->st, "evt_3", PAYMENT_SUCCEEDED, o1,
	    &res, &err), INV_ECONFLICT, NULL);
	o2 = mkorder(f->st, pid, 1);
	OK(store_webhook_apply(f->st, "evt_3", PAYMENT_SUCCEEDED, o2, &res,
	    &err));
	assert_false(res.duplicate);
}

/* Pruning forgets only ids older than the cut-off, in bounded batches. */
static void
test_webhook_prune(void **state)
{
	struct fixture		*f = *state;
	struct webhook_result	 res;
	struct inv_error	 err;
	char			 id[32];
	uint64_t		 pid, oid;
	size_t			 removed;
	int64_t			 cut;
	int			 i;

	pid = mkprod(f->st, "PR", 100, 100);
	for (i = 0; i < 5; i++) {
		oid = mkorder(f->st, pid, 1);
		snprintf(id, sizeof id, "evt_%d", i);
		OK(store_webhook_apply(f->st, id, PAYMENT_SUCCEEDED, oid, &res,
		    &err));
	}
	cut = now_us() + 1;
	oid = mkorder(f->st, pid, 1);
	OK(store_webhook_apply(f->st, "evt_late", PAYMENT_SUCCEEDED, oid, &res,
	    &err));
	OK(store_webhook_prune(f->st, 0, 100, &removed, &err));
	assert_int_equal(removed, 0);
	OK(store_webhook_prune(f->st, cut, 3, &removed, &err));
	assert_int_equal(removed, 3);
	OK(store_webhook_prune(f->st, cut, 3, &removed, &err));
	assert_int_equal(removed, 2);
	OK(store_webhook_prune(f->st, cut, 3, &removed, &err));
	assert_int_equal(removed, 0);
	/* A pruned id is new again (the order is PAID now: 409). */
	REFUSED(store_webhook_apply(f->st, "evt_0", PAYMENT_SUCCEEDED, 1, &res,
	    &err), INV_ECONFLICT, NULL);
	OK(store_webhook_apply(f->st, "evt_late", PAYMENT_SUCCEEDED, oid, &res,
	    &err));
	assert_true(res.duplicate);
}

/* Group commit. */

struct peek {
	struct store	*st;
	uint64_t	 id;
	int64_t		 stock;
	int		 order_found;
};

/* Another thread's view while a batch is open: only committed data. */
static void *
peek_main(void *arg)
{
	struct peek		*pk = arg;
	struct product		 p;
	struct order		 o;
	struct inv_error	 err;

	if (store_product_get(pk->st, pk->id, &p, &err) == 0)
		pk->stock = p.stock;
	pk->order_found = store_order_get(pk->st, 1, &o, &err) == 0;
	return NULL;
}

static void
test_batch_partial(void **state)
{
	struct fixture		*f = *state;
	struct order		 o;
	struct product		 p;
	struct inv_error	 err;
	struct peek		 pk;
	pthread_t		 t;
	uint64_t		 pid;

	pid = mkprod(f->st, "BATCH", 100, 5);
	OK(store_batch_begin(f->st, &err));
	OK(store_order_create(f->st, pid, 3, &o, &err));
	assert_int_equal(o.id, 1);
	REFUSED(store_order_create(f->st, pid, 3, &o, &err), INV_ECONFLICT,
	    "Insufficient stock. Available: 2, Requested: 3");
	REFUSED(store_order_create(f->st, 999, 1, &o, &err), INV_ENOTFOUND,
	    NULL);
	OK(store_order_create(f->st, pid, 2, &o, &err));
	/* The refused ones took no id: the batch's reads see its writes. */
	assert_int_equal(o.id, 2);
	assert_int_equal(stock_of(f->st, pid), 0);

	memset(&pk, 0, sizeof pk);
	pk.st = f->st;
	pk.id = pid;
	assert_int_equal(pthread_create(&t, NULL, peek_main, &pk), 0);
	pthread_join(t, NULL);
	assert_int_equal(pk.stock, 5);
	assert_false(pk.order_found);

	assert_int_equal(store_batch_commit(f->st, &err), 0);
	assert_int_equal(stock_of(f->st, pid), 0);
	assert_int_equal(status_of(f->st, 1), ORDER_PENDING);
	OK(store_order_get(f->st, 2, &o, &err));
	assert_int_equal(o.quantity, 2);
	REFUSED(store_order_get(f->st, 3, &o, &err), INV_ENOTFOUND, NULL);
	/* Outside a batch, writes commit one by one again. */
	memset(&p, 0, sizeof p);
	OK(store_product_update(f->st, pid, &(struct product_patch){
	    .has_stock = 1, .stock = 7 }, &p, &err));
	assert_int_equal(stock_of(f->st, pid), 7);
}

static void
test_batch_abort(void **state)
{
	struct fixture		*f = *state;
	struct order		 o;
	struct inv_error	 err;
	uint64_t		 pid, pid2;

	pid = mkprod(f->st, "KEEP", 100, 10);
	OK(store_batch_begin(f->st, &err));
	OK(store_order_create(f->st, pid, 4, &o, &err));
	pid2 = mkprod(f->st, "GONE", 100, 1);
	assert_int_equal(pid2, pid + 1);
	store_batch_abort(f->st);
	assert_int_equal(stock_of(f->st, pid), 10);
	REFUSED(store_order_get(f->st, 1, &o, &err), INV_ENOTFOUND, NULL);
	REFUSED(store_product_get(f->st, pid2, &(struct product){ 0 }, &err),
	    INV_ENOTFOUND, NULL);
	/* Nothing of the aborted batch used an id. */
	assert_int_equal(mkorder(f->st, pid, 1), 1);
	assert_int_equal(mkprod(f->st, "NEXT", 100, 1), pid + 1);
}

static void
test_batch_map_full(void **state)
{
	struct fixture		*f = *state;
	struct store		*st;
	struct store_stats	 s;
	struct product		 p;
	struct inv_error	 err;
	int			 k, r, made = 0, refused = 0;

	store_close(f->st);
	f->st = NULL;
	rm_dir(f->dir);
	OK(store_open(&st, f->dir, (size_t)1 << 20, &err));
	f->st = st;

	/* One batch far larger than the map: nothing of it may land. */
	OK(store_batch_begin(st, &err));
	for (k = 0; k < 5000; k++) {
		memset(&p, 0, sizeof p);
		snprintf(p.sku, sizeof p.sku, "FULL-%05d", k);
		memset(p.name, 'n', INV_NAME_MAX);
		p.price_cents = 1;
		p.stock = 1;
		store_product_create(st, &p, &err);
	}
	assert_int_equal(store_batch_commit(st, &err), 2);
	OK(store_stats(st, &s, &err));
	assert_int_equal(s.products, 0);

	/* Each alone, as the writer then runs them: the early ones fit. */
	for (k = 0; k < 5000; k++) {
		OK(store_batch_begin(st, &err));
		memset(&p, 0, sizeof p);
		snprintf(p.sku, sizeof p.sku, "FULL-%05d", k);
		memset(p.name, 'n', INV_NAME_MAX);
		p.price_cents = 1;
		p.stock = 1;
		memset(&err, 0, sizeof err);
		r = store_product_create(st, &p, &err);
		if (r == -1)
			assert_int_equal(err.code, INV_EFULL);
		/* The commit itself may find no room: -1 with 507. */
		r = store_batch_commit(st, &err);
		if (r == -1)
			assert_int_equal(err.code, INV_EFULL);
		assert_true(r == 0 || r == 2 || r == -1);
		if (r == 0)
			made++;
		else
			refused++;
	}
	assert_true(made > 100);
	assert_true(refused > 0);
	OK(store_stats(st, &s, &err));
	assert_int_equal(s.products, (uint64_t)made);
	/* Reads still work on the full map. */
	OK(store_product_get_by_sku(st, "FULL-00000", &p, &err));
}

/* The data checker. */

/* One edit of a closed store's raw LMDB: put k -> v, or delete k. */
static void
raw_edit(const char *dir, const char *db, const void *k, size_t kl,
    const void *v, size_t vl, int del)
{
	MDB_env	*env;
	MDB_txn	*txn;
	MDB_dbi	 dbi;
	MDB_val	 key = { kl, (void *)k }, val = { vl, (void *)v };

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, dir, 0, 0640), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, db, 0, &dbi), 0);
	if (del)
		assert_int_equal(mdb_del(txn, dbi, &key, NULL), 0);
	else
		assert_int_equal(mdb_put(txn, dbi, &key, &val, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/*
 * Every kind of row the store writes, in every state the rules allow:
 * order 1 PENDING on product 1, order 2 PAID by event evt-1, order 3
 * canceled and erased, order 4 PAID by evt-2 for product 2, which was then
 * deleted (it had no PENDING orders).
 */
static void
check_populate(struct store *st)
{
	struct webhook_result	res;
	struct inv_error	err;
	uint64_t		o3;

	assert_int_equal(mkprod(st, "CHK-1", 100, 10), 1);
	assert_int_equal(mkprod(st, "CHK-2", 100, 5), 2);
	assert_int_equal(mkorder(st, 1, 2), 1);
	assert_int_equal(mkorder(st, 1, 1), 2);
	OK(store_webhook_apply(st, "evt-1", PAYMENT_SUCCEEDED, 2, &res,
	    &err));
	o3 = mkorder(st, 2, 1);
	OK(store_order_delete(st, o3, &err));
	OK(store_order_delete(st, o3, &err));
	assert_int_equal(mkorder(st, 2, 1), 4);
	OK(store_webhook_apply(st, "evt-2", PAYMENT_SUCCEEDED, 4, &res,
	    &err));
	OK(store_product_delete(st, 2, &err));
}

struct check_lines {
	char	text[4096];
};

static void
check_collect(void *arg, const char *line)
{
	struct check_lines	*l = arg;
	size_t			 used = strlen(l->text);

	snprintf(l->text + used, sizeof l->text - used, "%s\n", line);
}

static void
test_check_clean(void **state)
{
	struct fixture		*f = *state;
	struct store_check	 res;
	struct check_lines	 lines;
	struct inv_error	 err;

	check_populate(f->st);
	store_close(f->st);
	f->st = NULL;
	memset(&lines, 0, sizeof lines);
	if (store_check(f->dir, &res, check_collect, &lines, &err) != 0) {
		print_error("store_check: %s%s\n", err.detail, lines.text);
		fail();
	}
	assert_int_equal(res.problems, 0);
	assert_int_equal(res.products, 1);
	assert_int_equal(res.skus, 1);
	assert_int_equal(res.orders, 3);
	assert_int_equal(res.by_product, 3);
	assert_int_equal(res.pending, 1);
	assert_int_equal(res.by_status, 3);
	assert_int_equal(res.events, 2);
	assert_int_equal(res.events_by_time, 2);
	assert_int_equal(res.next_product_id, 3);
	assert_int_equal(res.next_order_id, 5);

	/* An empty directory is not a data directory. */
	REFUSED(store_check("/nonexistent/invd-data", &res, NULL, NULL,
	    &err), INV_EINTERNAL, NULL);
}

/* One deliberate corruption and the words its report must contain. */
struct corruption {
	const char	*db;
	unsigned char	 key[16];
	size_t		 klen;
	unsigned char	 val[32];
	size_t		 vlen;
	int		 del;
	const char	*expect;
};

static void
test_check_catches(void **state)
{
	/* Keys and records spelled out in store_codec.c's layouts. */
	static const struct corruption rows[] = {
		{ "pending_by_product", { 0,0,0,0,0,0,0,1, 0,0,0,0,0,0,0,1 },
		    16, { 0 }, 0, 1, "order 1: PENDING but not in "
		    "pending_by_product" },
		{ "orders_by_status", { ORDER_PAID, 0,0,0,0,0,0,0,1 }, 9,
		    { 0,0,0,0,0,0,0,1 }, 8, 0,
		    "orders_by_status: row (1, 1) does not match" },
		{ "orders_by_product", { 0,0,0,0,0,0,0,1, 0,0,0,0,0,0,0,2 },
		    16, { ORDER_SHIPPED }, 1, 0, "order 2: orders_by_product "
		    "has another status" },
		{ "products", { 0,0,0,0,0,0,0,1 }, 8,
		    { 1, 0,0,0,0,0,0,0,100, 0xff,0xff,0xff,0xff,0xff,0xff,
		    0xff,0xfe, 5, 0, 'C','H','K','-','1' }, 24, 0,
		    "product 1: negative stock -2" },
		{ "products", { 0,0,0,0,0,0,0,1 }, 8, { 9 }, 1, 0,
		    "product 1: record does not decode" },
		{ "products", { 0,0,0,0,0,0,0,1 }, 8, { 0 }, 0, 1,
		    "order 1: PENDING for product 1, which does not exist" },
		{ "skus", { 'G','H','O','S','T' }, 5, { 0,0,0,0,0,0,0,9 }, 8,
		    0, "sku 'GHOST': product 9 does not exist" },
		{ "skus", { 'C','H','K','-','1' }, 5, { 0 }, 0, 1,
		    "product 1: sku 'CHK-1' not in the sku index" },
		{ "meta", { 'n','e','x','t','_','o','r','d','e','r','_','i',
		    'd' }, 13, { 0,0,0,0,0,0,0,2 }, 8, 0,
		    "order 2: id not below next_order_id 2" },
		{ "orders", { 0,0,0,0,0,0,0,2 }, 8, { 0 }, 0, 1,
		    "orders_by_product: order 2 does not exist" },
		{ "webhook_events", { 'e','v','t','-','1' }, 5, { 0 }, 0, 1,
		    "webhook_events_by_time: event 'evt-1' does not exist" },
		{ "meta", { 'o','r','d','e','r','s','_','s','t','a','t','u','s',
		    '_','0' + ORDER_PENDING }, 15, { 0,0,0,0,0,0,0,7 }, 8, 0,
		    "meta orders_status_0 is 7, but 1 orders are PENDING" },
	};
	struct fixture		*f = *state;
	struct store_check	 res;
	struct check_lines	 lines;
	struct inv_error	 err;
	size_t			 i;
	int			 r;

	store_close(f->st);
	f->st = NULL;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		rm_dir(f->dir);
		OK(store_open(&f->st, f->dir, MAP_MAX, &err));
		check_populate(f->st);
		store_close(f->st);
		f->st = NULL;
		raw_edit(f->dir, rows[i].db, rows[i].key, rows[i].klen,
		    rows[i].val, rows[i].vlen, rows[i].del);
		memset(&lines, 0, sizeof lines);
		r = store_check(f->dir, &res, check_collect, &lines, &err);
		if (r != 1 || res.problems == 0 ||
		    strstr(lines.text, rows[i].expect) == NULL) {
			print_error("row %zu (%s): got %d, %llu problems, want "
			    "'%s' in:\n%s", i, rows[i].db, r,
			    (unsigned long long)res.problems, rows[i].expect,
			    lines.text);
			fail();
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_product_create_get,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_product_limits_round_trip,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_product_duplicate_sku,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_product_list_pagination,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_product_update,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_product_update_sku,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_product_delete,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_create,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_transitions,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_delete,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_order_cancel_after_product_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_list_filters,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids_never_reused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_twice_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_full,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_webhook_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_webhook_prune,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_partial,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_abort,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_map_full,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_clean,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_catches,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
