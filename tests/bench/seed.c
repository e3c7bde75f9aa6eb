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

typedef int (*seed_fn)(struct store *, uint64_t, struct inv_error *);

/*
 * Run fn(i) for i in [from, to] in batches. A batch that fills the map is
 * committed anyway, which grows the map and applies nothing; it runs again.
 */
static void
run(struct store *st, const char *what, uint64_t from, uint64_t to,
    uint64_t step, seed_fn fn)
{
	struct inv_error	err;
	uint64_t		i, start, end;
	int			r, full;

	for (start = from; start <= to; start = end + step) {
		end = start + (SEED_BATCH - 1) * step;
		if (end > to)
			end = to;
		do {
			if (store_batch_begin(st, &err) == -1)
				die("begin", &err);
			full = 0;
			for (i = start; i <= end && !full; i += step)
				if (fn(st, i, &err) == -1) {
					if (err.code != INV_EFULL)
						die(what, &err);
					full = 1;
				}
			r = store_batch_commit(st, &err);
			if (r == -1)
				die("commit", &err);
			if (r == 2)
				die(what, NULL);
		} while (r == 1);
	}
}

static int
seed_product(struct store *st, uint64_t i, struct inv_error *err)
{
	struct product	p;

	memset(&p, 0, sizeof p);
	snprintf(p.sku, sizeof p.sku, "SKU-%" PRIu64, i);
	snprintf(p.name, sizeof p.name, "Scale product %" PRIu64, i);
	p.price_cents = 100 + (int64_t)(i % 10000);
	p.stock = 1000000000;
	return store_product_create(st, &p, err);
}

static uint64_t	nprod;

/* xorshift64 of the order number: the same data set on every run. */
static int
seed_order(struct store *st, uint64_t i, struct inv_error *err)
{
	struct order	o;
	uint64_t	x = i * 0x9E3779B97F4A7C15ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return store_order_create(st, 1 + x % nprod, 1, &o, err);
}

static int
seed_paid(struct store *st, uint64_t i, struct inv_error *err)
{
	struct order	o;

	return store_order_set_status(st, i, ORDER_PAID, &o, err);
}

int
main(int argc, char **argv)
{
	struct store		*st;
	struct inv_error	 err;
	uint64_t		 nord;
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
	run(st, "product", 1, nprod, 1, seed_product);
	t1 = mono_us();
	run(st, "order", 1, nord, 1, seed_order);
	t2 = mono_us();
	if (nord >= 5)
		run(st, "status", 5, nord - nord % 5, 5, seed_paid);
	t3 = mono_us();
	store_close(st);
	printf("{\"products\":%" PRIu64 ",\"orders\":%" PRIu64
	    ",\"products_s\":%.2f,\"orders_s\":%.2f,\"status_s\":%.2f}\n",
	    nprod, nord, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6);
	return 0;
}
