/*
 * The store: the only module that touches LMDB. One function per business
 * operation, one transaction each; results are copied into caller-owned
 * structs before the transaction ends.
 */
#ifndef INV_STORE_H
#define INV_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/errors.h"
#include "common/model.h"

struct store;

struct order_filter {
	int			has_status;
	enum order_status	status;
	uint64_t		product_id;	/* 0: any product */
};

struct store_stats {
	uint64_t	products;
	uint64_t	orders;
	size_t		map_size;
	size_t		map_max;
	size_t		used_bytes;
	size_t		page_size;
	uint64_t	pages_used;	/* up to the last page in use */
	uint64_t	orders_by_status[ORDER_NSTATUS];
};

/*
 * Open (creating if needed) the data directory and its LMDB environment.
 * map_max caps the map: it starts smaller and doubles on MDB_MAP_FULL up to
 * it. Refuses a directory another process holds. -1 with a detail on error.
 */
int	store_open(struct store **, const char *, size_t, struct inv_error *);
/*
 * With nosync set, commits return before the data reaches the disk: fast,
 * but acknowledged writes can be lost on a power cut or an OS crash (not
 * on a crash of invd alone). Off by default.
 */
int	store_set_nosync(struct store *, int, struct inv_error *);
/* Close the environment and release the directory. NULL is fine. */
void	store_close(struct store *);

/*
 * Group commit. store_batch_begin() opens one write transaction for the
 * calling thread; until store_batch_commit() or store_batch_abort(), every
 * write operation on that thread runs nested in it (a failed one rolls
 * back alone) and every read sees the batch's writes. Nothing is durable,
 * and no caller may be answered, before store_batch_commit() returns 0.
 * It returns:
 *   0	committed and synced;
 *  -1	nothing applied; err says why (answer every caller with it);
 *   1	nothing applied, the map grew: run the same batch again;
 *   2	nothing applied, the map is full for good: run each operation in
 *	a batch of its own, so only those that do not fit are refused.
 */
int	store_batch_begin(struct store *, struct inv_error *);
int	store_batch_commit(struct store *, struct inv_error *);
void	store_batch_abort(struct store *);

/* Create: p's fields in, p->id out. 409 on a duplicate sku. */
int	store_product_create(struct store *, struct product *,
	    struct inv_error *);
int	store_product_get(struct store *, uint64_t, struct product *,
	    struct inv_error *);
int	store_product_get_by_sku(struct store *, const char *,
	    struct product *, struct inv_error *);
/*
 * Up to limit products with id > after, in id order, into out[limit].
 * *more is set when further products exist.
 */
int	store_product_list(struct store *, uint64_t, size_t, struct product *,
	    size_t *, int *, struct inv_error *);
/* Apply the fields set in patch; out gets the new product. */
int	store_product_update(struct store *, uint64_t,
	    const struct product_patch *, struct product *, struct inv_error *);
/* Delete; 400 while the product has PENDING orders. */
int	store_product_delete(struct store *, uint64_t, struct inv_error *);

/* Check stock, write the order and the new stock in one transaction. */
int	store_order_create(struct store *, uint64_t, int64_t, struct order *,
	    struct inv_error *);
int	store_order_get(struct store *, uint64_t, struct order *,
	    struct inv_error *);
int	store_order_list(struct store *, const struct order_filter *,
	    uint64_t, size_t, struct order *, size_t *, int *,
	    struct inv_error *);
/* Move an order; moving to CANCELED restores stock in the same txn. */
int	store_order_set_status(struct store *, uint64_t, enum order_status,
	    struct order *, struct inv_error *);
/* Cancel (restoring stock) unless CANCELED; delete if already CANCELED. */
int	store_order_delete(struct store *, uint64_t, struct inv_error *);

struct webhook_result {
	int			duplicate;	/* the event was seen before */
	uint64_t		order_id;
	enum order_status	new_status;
	int64_t			processed_at;	/* unix time, microseconds */
};

/*
 * Apply a payment event exactly once: in one write transaction, answer a
 * recorded event_id as a duplicate (changing nothing), else move the
 * PENDING order (404 unknown, 409 not PENDING) and record the event id.
 */
int	store_webhook_apply(struct store *, const char *, enum payment_event,
	    uint64_t, struct webhook_result *, struct inv_error *);
/*
 * Forget up to max event ids processed before the given time (unix
 * microseconds), in one short write transaction; *removed says how many.
 */
int	store_webhook_prune(struct store *, int64_t, size_t, size_t *,
	    struct inv_error *);

int	store_stats(struct store *, struct store_stats *, struct inv_error *);

/* What store_check() walked, and how many mismatches it found. */
struct store_check {
	uint64_t	products;
	uint64_t	skus;
	uint64_t	orders;
	uint64_t	by_product;
	uint64_t	pending;
	uint64_t	by_status;
	uint64_t	events;
	uint64_t	events_by_time;
	uint64_t	next_product_id;
	uint64_t	next_order_id;
	uint64_t	problems;
};

/* Called with one line per mismatch; the line is borrowed. */
typedef void (*store_check_fn)(void *, const char *);

/*
 * Check the data directory dir read-only, in one snapshot: every record
 * decodes, stock is never negative, the meta ids are above every id, and
 * each index (skus, orders by product, pending, orders by status, webhook
 * events by time) matches its records both ways. Takes no lock a running
 * invd holds. fn (may be NULL) gets each mismatch. Returns 0 when all is
 * consistent, 1 when res->problems > 0, -1 with a detail when dir cannot
 * be opened.
 */
int	store_check(const char *, struct store_check *, store_check_fn,
	    void *, struct inv_error *);

#endif
