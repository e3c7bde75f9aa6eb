/*
 * seed: fill a data directory for bench-scale through invd's own store, in
 * large group-commit batches: the same code, checks and indexes as the
 * daemon, without HTTP in the way.
 *
 *   seed DIR PRODUCTS ORDERS [MAP_SIZE_MIB]
 *
 * Products get ids 1..PRODUCTS, sku "SKU-<id>", a stock far above what the
 * orders take. Orders (quantity 1) go to products picked at random (fixed
 * seed); every fifth is then marked PAID, so the status index is mixed.
 * Prints one JSON line: counts and seconds per phase.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/model.h"
#include "common/util.h"
#include "invd/store.h"

#define SEED_BATCH	20000	/* operations per commit */

static void
die(const char *what, const struct inv_error *err)
{
	fprintf(stderr, "seed: %s: %s\n", what, err != NULL ? err->detail :
	    "failed");
	exit(1);
}

static void
commit(struct store *st)
{
	struct inv_error	err;
	int			r;

	if ((r = store_batch_commit(st, &err)) != 0)
		die("commit", r == -1 ? &err : NULL);
}

static void
begin(struct store *st)
{
	struct inv_error	err;

	if (store_batch_begin(st, &err) == -1)
		die("begin", &err);
}

int
main(int argc, char **argv)
{
	struct store		*st;
	struct inv_error	 err;
	struct product		 p;
	struct order		 o;
	uint64_t		 nprod, nord, i, rnd = 88172645463325252ULL;
	size_t			 map = (size_t)16 << 30;
	int64_t			 t0, t1, t2, t3;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: seed DIR PRODUCTS ORDERS "
		    "[MAP_SIZE_MIB]\n");
		return 2;
	}
	nprod = strtoull(argv[2], NULL, 10);
	nord = strtoull(argv[3], NULL, 10);
	if (argc == 5)
		map = (size_t)strtoull(argv[4], NULL, 10) << 20;
	if (nprod == 0)
		return 2;
	if (store_open(&st, argv[1], map, &err) == -1)
		die(argv[1], &err);

	t0 = mono_us();
	begin(st);
	for (i = 1; i <= nprod; i++) {
		memset(&p, 0, sizeof p);
		snprintf(p.sku, sizeof p.sku, "SKU-%" PRIu64, i);
		snprintf(p.name, sizeof p.name, "Scale product %" PRIu64, i);
		p.price_cents = 100 + (int64_t)(i % 10000);
		p.stock = 1000000000;
		if (store_product_create(st, &p, &err) == -1)
			die("product", &err);
		if (i % SEED_BATCH == 0) {
			commit(st);
			begin(st);
		}
	}
	commit(st);
	t1 = mono_us();
	begin(st);
	for (i = 1; i <= nord; i++) {
		/* xorshift64: the same data set on every run. */
		rnd ^= rnd << 13;
		rnd ^= rnd >> 7;
		rnd ^= rnd << 17;
		if (store_order_create(st, 1 + rnd % nprod, 1, &o, &err) == -1)
			die("order", &err);
		if (i % SEED_BATCH == 0) {
			commit(st);
			begin(st);
		}
	}
	commit(st);
	t2 = mono_us();
	begin(st);
	for (i = 5; i <= nord; i += 5) {
		if (store_order_set_status(st, i, ORDER_PAID, &o, &err) == -1)
			die("status", &err);
		if (i % SEED_BATCH == 0) {
			commit(st);
			begin(st);
		}
	}
	commit(st);
	t3 = mono_us();
	store_close(st);
	printf("{\"products\":%" PRIu64 ",\"orders\":%" PRIu64
	    ",\"products_s\":%.2f,\"orders_s\":%.2f,\"status_s\":%.2f}\n",
	    nprod, nord, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6);
	return 0;
}
