/*
 * The store owns the LMDB environment, every DBI and every transaction.
 * Each business operation is one function running through store_write(),
 * which maps LMDB errors in one place and grows the map once on
 * MDB_MAP_FULL before answering 507.
 *
 * Group commit: between store_batch_begin() and store_batch_commit(), each
 * store_write() on that thread runs in a nested transaction of the batch's
 * one parent, so a refused operation rolls back alone while the others
 * commit together, with one fsync for all of them.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "common/log.h"
#include "common/util.h"
#include "invd/store.h"
#include "invd/store_codec.h"

#define STORE_MAP_INITIAL	((size_t)64 << 20)

struct store {
	MDB_env		*env;
	MDB_dbi		 meta;		/* name -> u64 */
	MDB_dbi		 products;	/* id -> product record */
	MDB_dbi		 skus;		/* sku -> id */
	MDB_dbi		 orders;	/* id -> order record */
	MDB_dbi		 by_product;	/* (product id, order id) -> status */
	MDB_dbi		 pending;	/* (product id, order id) -> "" */
	MDB_dbi		 by_status;	/* (status, order id) -> product id */
	MDB_dbi		 events;	/* webhook event id -> event record */
	MDB_dbi		 events_by_time; /* (processed_at, event id) -> "" */
	size_t		 map_size;
	size_t		 map_max;
	int		 lockfd;
	/*
	 * Growing the map needs every transaction of this process closed:
	 * readers hold this shared, the grower exclusive.
	 */
	pthread_rwlock_t resize;
};

/*
 * The batch this thread has open, if any. Thread-local because readers on
 * the event loop thread must never see the writer thread's batch.
 */
static __thread MDB_txn	*batch_txn;
static __thread int	 batch_full;	/* an operation hit MDB_MAP_FULL */
static __thread int	 batch_broken;	/* the parent can no longer commit */

typedef int (*store_fn)(struct store *, MDB_txn *, void *,
    struct inv_error *);

/*
 * A descriptor on the open store's filesystem (its lock file), for
 * store_err(): LMDB reports a write cut short by a full disk as EIO, and
 * only the free space tells that apart from a failing disk.
 */
static int	store_fs_fd = -1;

/* Whether the store's filesystem has no room left for a page. */
static int
store_fs_full(void)
{
	struct statvfs	sv;

	if (store_fs_fd == -1 || fstatvfs(store_fs_fd, &sv) == -1)
		return 0;
	return (unsigned long long)sv.f_bavail * sv.f_frsize < 64 * 1024;
}

/*
 * The one mapping from LMDB (and errno) codes to API errors. Anything not
 * expected is logged: an operator can act on it, a client cannot.
 */
static int
store_err(int rc, const char *what, struct inv_error *err)
{
	switch (rc) {
	case MDB_MAP_FULL:
		return inv_error_set(err, INV_EFULL,
		    "Insufficient storage: the database is full");
	case EIO:
		if (!store_fs_full())
			break;
		/* FALLTHROUGH */
	case ENOSPC:
	case EDQUOT:
		return inv_error_set(err, INV_EFULL,
		    "Insufficient storage: no space left on device");
	default:
		break;
	}
	log_warnx("lmdb: %s: %s", what, mdb_strerror(rc));
	return inv_error_set(err, INV_EINTERNAL, "Internal storage error");
}

/* Double the map up to map_max. No transaction may be open. */
static int
store_grow(struct store *st)
{
	size_t	next;
	int	rc;

	if (st->map_size >= st->map_max)
		return -1;
	next = st->map_size > st->map_max / 2 ? st->map_max : st->map_size * 2;
	pthread_rwlock_wrlock(&st->resize);
	rc = mdb_env_set_mapsize(st->env, next);
	pthread_rwlock_unlock(&st->resize);
	if (rc != 0) {
		log_warnx("lmdb: grow map to %zu: %s", next, mdb_strerror(rc));
		return -1;
	}
	log_info("database map grown from %zu to %zu bytes", st->map_size,
	    next);
	st->map_size = next;
	return 0;
}

static int
store_begin(struct store *st, unsigned int flags, MDB_txn **txn,
    struct inv_error *err)
{
	int	rc, dead;

	rc = mdb_txn_begin(st->env, NULL, flags, txn);
	if (rc == MDB_READERS_FULL) {
		/* Slots held by dead processes: clear them and retry once. */
		mdb_reader_check(st->env, &dead);
		rc = mdb_txn_begin(st->env, NULL, flags, txn);
	}
	if (rc == MDB_MAP_RESIZED) {
		/* Another process grew the map (the data checker, say). */
		mdb_env_set_mapsize(st->env, 0);
		rc = mdb_txn_begin(st->env, NULL, flags, txn);
	}
	if (rc != 0)
		return store_err(rc, "begin", err);
	return 0;
}

/*
 * Inside a batch: run fn in a transaction nested in the batch's parent.
 * Its effects join the batch only if fn succeeds; they reach the disk only
 * when store_batch_commit() does.
 */
static int
store_write_nested(struct store *st, store_fn fn, void *arg,
    struct inv_error *err)
{
	MDB_txn	*txn;
	int	 rc;

	if ((rc = mdb_txn_begin(st->env, batch_txn, 0, &txn)) != 0) {
		batch_full |= rc == MDB_MAP_FULL;
		return store_err(rc, "begin nested", err);
	}
	if (fn(st, txn, arg, err) == -1) {
		mdb_txn_abort(txn);
		batch_full |= err->code == INV_EFULL;
		return -1;
	}
	if ((rc = mdb_txn_commit(txn)) != 0) {
		/* A failed merge may have left the parent half-updated. */
		batch_broken = 1;
		batch_full |= rc == MDB_MAP_FULL;
		return store_err(rc, "commit nested", err);
	}
	return 0;
}

/*
 * Run fn in one write transaction and commit. The caller answers only after
 * this returned 0: the change is then on disk. Inside a batch, the caller
 * answers only after store_batch_commit() returned 0.
 */
static int
store_write(struct store *st, store_fn fn, void *arg, struct inv_error *err)
{
	MDB_txn	*txn;
	int	 attempt, rc;

	if (batch_txn != NULL) {
		inv_error_clear(err);
		return store_write_nested(st, fn, arg, err);
	}
	for (attempt = 0;; attempt++) {
		inv_error_clear(err);
		if (store_begin(st, 0, &txn, err) == -1)
			return -1;
		if (fn(st, txn, arg, err) == -1) {
			mdb_txn_abort(txn);
			if (err->code == INV_EFULL && attempt == 0 &&
			    store_grow(st) == 0)
				continue;
			return -1;
		}
		if ((rc = mdb_txn_commit(txn)) == 0)
			return 0;
		if (rc == MDB_MAP_FULL && attempt == 0 && store_grow(st) == 0)
			continue;
		return store_err(rc, "commit", err);
	}
}

static int
store_read(struct store *st, store_fn fn, void *arg, struct inv_error *err)
{
	MDB_txn	*txn;
	int	 r;

	inv_error_clear(err);
	/* The batch's own writes must be visible to its later reads. */
	if (batch_txn != NULL)
		return fn(st, batch_txn, arg, err);
	pthread_rwlock_rdlock(&st->resize);
	if (store_begin(st, MDB_RDONLY, &txn, err) == -1) {
		pthread_rwlock_unlock(&st->resize);
		return -1;
	}
	r = fn(st, txn, arg, err);
	mdb_txn_abort(txn);
	pthread_rwlock_unlock(&st->resize);
	return r;
}

int
store_batch_begin(struct store *st, struct inv_error *err)
{
	inv_error_clear(err);
	batch_full = batch_broken = 0;
	if (store_begin(st, 0, &batch_txn, err) == -1) {
		batch_txn = NULL;
		return -1;
	}
	return 0;
}

void
store_batch_abort(struct store *st)
{
	(void)st;
	if (batch_txn != NULL)
		mdb_txn_abort(batch_txn);
	batch_txn = NULL;
}

int
store_batch_commit(struct store *st, struct inv_error *err)
{
	MDB_txn	*txn = batch_txn;
	int	 rc;

	inv_error_clear(err);
	batch_txn = NULL;
	if (txn == NULL)
		return inv_error_set(err, INV_EINTERNAL, "No batch is open");
	/*
	 * An operation ran out of map: with room to grow, grow and let the
	 * caller run the whole batch again rather than refuse anything.
	 * Without, the caller runs each operation alone, so only those that
	 * do not fit are refused.
	 */
	if (batch_full || batch_broken) {
		mdb_txn_abort(txn);
		if (batch_broken) {
			log_warnx("lmdb: a nested transaction could not be "
			    "merged; running the batch again");
			return 1;
		}
		return store_grow(st) == 0 ? 1 : 2;
	}
	if ((rc = mdb_txn_commit(txn)) == 0)
		return 0;
	if (rc == MDB_MAP_FULL && store_grow(st) == 0)
		return 1;
	return store_err(rc, "commit", err);
}

/* Small wrappers that route every failure through store_err(). */

static int
db_put(MDB_txn *txn, MDB_dbi dbi, const void *k, size_t kl, const void *v,
    size_t vl, unsigned int flags, struct inv_error *err)
{
	MDB_val	key = { kl, (void *)k }, val = { vl, (void *)v };
	int	rc;

	if ((rc = mdb_put(txn, dbi, &key, &val, flags)) != 0)
		return store_err(rc, "put", err);
	return 0;
}

/* 1 found, 0 not found, -1 error. */
static int
db_get(MDB_txn *txn, MDB_dbi dbi, const void *k, size_t kl, MDB_val *val,
    struct inv_error *err)
{
	MDB_val	key = { kl, (void *)k };
	int	rc;

	rc = mdb_get(txn, dbi, &key, val);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return store_err(rc, "get", err);
	return 1;
}

static int
db_del(MDB_txn *txn, MDB_dbi dbi, const void *k, size_t kl,
    struct inv_error *err)
{
	MDB_val	key = { kl, (void *)k };
	int	rc;

	rc = mdb_del(txn, dbi, &key, NULL);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return store_err(rc, "del", err);
	return 0;
}

static int
corrupt(const char *what, uint64_t id, struct inv_error *err)
{
	log_warnx("store: malformed %s record %" PRIu64, what, id);
	return inv_error_set(err, INV_EINTERNAL, "Internal storage error");
}

/* Take the next id from a meta counter: sequential, never reused. */
static int
next_id(struct store *st, MDB_txn *txn, const char *name, uint64_t *id,
    struct inv_error *err)
{
	MDB_val		v;
	unsigned char	buf[8];
	int		r;

	if ((r = db_get(txn, st->meta, name, strlen(name), &v, err)) == -1)
		return -1;
	*id = 1;
	if (r == 1 && v.mv_size == 8)
		*id = codec_get_u64(v.mv_data);
	codec_put_u64(buf, *id + 1);
	return db_put(txn, st->meta, name, strlen(name), buf, 8, 0, err);
}

/*
 * Orders per status, kept in meta so that metrics never scan: adjusted in
 * the transaction that writes the order, counted once when absent.
 */
static void
status_count_key(char *k, enum order_status s)
{
	snprintf(k, 32, "orders_status_%d", (int)s);
}

static int
status_count_add(struct store *st, MDB_txn *txn, enum order_status s,
    int64_t delta, struct inv_error *err)
{
	char		k[32];
	unsigned char	buf[8];
	MDB_val		v;
	uint64_t	n = 0;
	int		r;

	status_count_key(k, s);
	if ((r = db_get(txn, st->meta, k, strlen(k), &v, err)) == -1)
		return -1;
	if (r == 1 && v.mv_size == 8)
		n = codec_get_u64(v.mv_data);
	/* Never wrap: a counter is a gauge of rows, not of history. */
	if (delta < 0 && n < (uint64_t)-delta)
		n = 0;
	else
		n += (uint64_t)delta;
	codec_put_u64(buf, n);
	return db_put(txn, st->meta, k, strlen(k), buf, 8, 0, err);
}

static int
product_read(struct store *st, MDB_txn *txn, uint64_t id, struct product *p,
    struct inv_error *err)
{
	unsigned char	k[8];
	MDB_val		v;
	int		r;

	codec_put_u64(k, id);
	if ((r = db_get(txn, st->products, k, 8, &v, err)) == -1)
		return -1;
	if (r == 0)
		return inv_error_set(err, INV_ENOTFOUND, "Product not found");
	if (codec_product_decode(v.mv_data, v.mv_size, p) == -1)
		return corrupt("product", id, err);
	p->id = id;
	return 0;
}

static int
product_write(struct store *st, MDB_txn *txn, const struct product *p,
    struct inv_error *err)
{
	unsigned char	k[8], rec[PRODUCT_REC_MAX];
	size_t		len;

	codec_put_u64(k, p->id);
	len = codec_product_encode(p, rec);
	return db_put(txn, st->products, k, 8, rec, len, 0, err);
}

static int
order_read(struct store *st, MDB_txn *txn, uint64_t id, struct order *o,
    struct inv_error *err)
{
	unsigned char	k[8];
	MDB_val		v;
	int		r;

	codec_put_u64(k, id);
	if ((r = db_get(txn, st->orders, k, 8, &v, err)) == -1)
		return -1;
	if (r == 0)
		return inv_error_set(err, INV_ENOTFOUND, "Order not found");
	if (codec_order_decode(v.mv_data, v.mv_size, o) == -1)
		return corrupt("order", id, err);
	o->id = id;
	return 0;
}

/* Write an order and its index rows; old is its previous state or NULL. */
static int
order_write(struct store *st, MDB_txn *txn, const struct order *o,
    const struct order *old, struct inv_error *err)
{
	unsigned char	k[8], rec[ORDER_REC_LEN], pk[16], sk[9], pid[8];
	unsigned char	status = (unsigned char)o->status;

	codec_put_u64(k, o->id);
	codec_order_encode(o, rec);
	if (db_put(txn, st->orders, k, 8, rec, sizeof rec, 0, err) == -1)
		return -1;
	codec_pair_key(pk, o->product_id, o->id);
	if (db_put(txn, st->by_product, pk, 16, &status, 1, 0, err) == -1)
		return -1;
	if (old != NULL && old->status != o->status) {
		codec_status_key(sk, old->status, o->id);
		if (db_del(txn, st->by_status, sk, 9, err) == -1)
			return -1;
		if (old->status == ORDER_PENDING &&
		    db_del(txn, st->pending, pk, 16, err) == -1)
			return -1;
	}
	if (old == NULL || old->status != o->status) {
		if ((old != NULL && status_count_add(st, txn, old->status, -1,
		    err) == -1) ||
		    status_count_add(st, txn, o->status, 1, err) == -1)
			return -1;
		codec_status_key(sk, o->status, o->id);
		codec_put_u64(pid, o->product_id);
		if (db_put(txn, st->by_status, sk, 9, pid, 8, 0, err) == -1)
			return -1;
		if (o->status == ORDER_PENDING &&
		    db_put(txn, st->pending, pk, 16, "", 0, 0, err) == -1)
			return -1;
	}
	return 0;
}

static int
order_erase(struct store *st, MDB_txn *txn, const struct order *o,
    struct inv_error *err)
{
	unsigned char	k[8], pk[16], sk[9];

	codec_put_u64(k, o->id);
	codec_pair_key(pk, o->product_id, o->id);
	codec_status_key(sk, o->status, o->id);
	if (db_del(txn, st->orders, k, 8, err) == -1 ||
	    db_del(txn, st->by_product, pk, 16, err) == -1 ||
	    db_del(txn, st->by_status, sk, 9, err) == -1 ||
	    db_del(txn, st->pending, pk, 16, err) == -1 ||
	    status_count_add(st, txn, o->status, -1, err) == -1)
		return -1;
	return 0;
}

/*
 * Put an order's quantity back into its product's stock. A product deleted
 * meanwhile (it had no PENDING orders then) has no stock to restore.
 */
static int
restock(struct store *st, MDB_txn *txn, const struct order *o,
    struct inv_error *err)
{
	struct product	p;

	if (product_read(st, txn, o->product_id, &p, err) == -1) {
		if (err->code != INV_ENOTFOUND)
			return -1;
		inv_error_clear(err);
		return 0;
	}
	if (p.stock > INT64_MAX - o->quantity)
		return inv_error_set(err, INV_ECONFLICT,
		    "Stock would overflow");
	p.stock += o->quantity;
	return product_write(st, txn, &p, err);
}

/* Whether any key in dbi starts with the 8-byte prefix. 1, 0 or -1. */
static int
has_prefix(MDB_txn *txn, MDB_dbi dbi, uint64_t prefix, struct inv_error *err)
{
	MDB_cursor	*c;
	unsigned char	 k[16];
	MDB_val		 key = { 16, k }, val;
	int		 rc, r;

	codec_pair_key(k, prefix, 0);
	if ((rc = mdb_cursor_open(txn, dbi, &c)) != 0)
		return store_err(rc, "cursor", err);
	rc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE);
	if (rc == 0)
		r = key.mv_size >= 8 && codec_get_u64(key.mv_data) == prefix;
	else if (rc == MDB_NOTFOUND)
		r = 0;
	else
		r = store_err(rc, "cursor", err);
	mdb_cursor_close(c);
	return r;
}

/* Products. */

static int
op_product_create(struct store *st, MDB_txn *txn, void *arg,
    struct inv_error *err)
{
	struct product	*p = arg;
	unsigned char	 id[8];
	MDB_val		 v;
	int		 r;

	r = db_get(txn, st->skus, p->sku, strlen(p->sku), &v, err);
	if (r == -1)
		return -1;
	if (r == 1)
		return inv_error_set(err, INV_ECONFLICT,
		    "Product with this SKU already exists");
	if (next_id(st, txn, "next_product_id", &p->id, err) == -1)
		return -1;
	codec_put_u64(id, p->id);
	if (db_put(txn, st->skus, p->sku, strlen(p->sku), id, 8,
	    MDB_NOOVERWRITE, err) == -1)
		return -1;
	return product_write(st, txn, p, err);
}

int
store_product_create(struct store *st, struct product *p,
    struct inv_error *err)
{
	return store_write(st, op_product_create, p, err);
}

struct get_arg {
	uint64_t	 id;
	const char	*sku;
	void		*out;
};

static int
op_product_get(struct store *st, MDB_txn *txn, void *arg,
    struct inv_error *err)
{
	struct get_arg	*a = arg;

	return product_read(st, txn, a->id, a->out, err);
}

int
store_product_get(struct store *st, uint64_t id, struct product *p,
    struct inv_error *err)
{
	struct get_arg	a = { id, NULL, p };

	return store_read(st, op_product_get, &a, err);
}

static int
op_product_by_sku(struct store *st, MDB_txn *txn, void *arg,
    struct inv_error *err)
{
	struct get_arg	*a = arg;
	MDB_val		 v;
	int		 r;

	r = db_get(txn, st->skus, a->sku, strlen(a->sku), &v, err);
	if (r == -1)
		return -1;
	if (r == 0 || v.mv_size != 8)
		return inv_error_set(err, INV_ENOTFOUND, "Product not found");
	return product_read(st, txn, codec_get_u64(v.mv_data), a->out, err);
}

int
store_product_get_by_sku(struct store *st, const char *sku, struct product *p,
    struct inv_error *err)
{
	struct get_arg	a = { 0, sku, p };

	/* A key LMDB cannot hold cannot be a stored SKU. */
	if (sku[0] == '\0' || strlen(sku) > INV_SKU_MAX)
		return inv_error_set(err, INV_ENOTFOUND, "Product not found");
	return store_read(st, op_product_by_sku, &a, err);
}

struct list_arg {
	const struct order_filter	*filter;
	uint64_t			 after;
	size_t				 limit;
	void				*out;
	size_t				 n;
	int				 more;
};

static int
op_product_list(struct store *st, MDB_txn *txn, void *arg,
    struct inv_error *err)
{
	struct list_arg	*a = arg;
	struct product	*out = a->out;
	MDB_cursor	*c;
	unsigned char	 k[8];
	MDB_val		 key = { 8, k }, val;
	int		 rc, op = MDB_SET_RANGE;

	if (a->after == UINT64_MAX)
		return 0;
	codec_put_u64(k, a->after + 1);
	if ((rc = mdb_cursor_open(txn, st->products, &c)) != 0)
		return store_err(rc, "cursor", err);
	while ((rc = mdb_cursor_get(c, &key, &val, op)) == 0) {
		op = MDB_NEXT;
		if (a->n == a->limit) {
			a->more = 1;
			break;
		}
		if (key.mv_size != 8 || codec_product_decode(val.mv_data,
		    val.mv_size, &out[a->n]) == -1) {
			mdb_cursor_close(c);
			return corrupt("product", 0, err);
		}
		out[a->n++].id = codec_get_u64(key.mv_data);
	}
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return store_err(rc, "cursor", err);
	return 0;
}

int
store_product_list(struct store *st, uint64_t after, size_t limit,
    struct product *out, size_t *n, int *more, struct inv_error *err)
{
	struct list_arg	a = { NULL, after, limit, out, 0, 0 };
	int		r;

	r = store_read(st, op_product_list, &a, err);
	*n = a.n;
	*more = a.more;
	return r;
}

struct update_arg {
	uint64_t			 id;
	const struct product_patch	*patch;
	struct product			*out;
};

static int
op_product_update(struct store *st, MDB_txn *txn, void *arg,
    struct inv_error *err)
{
	struct update_arg		*a = arg;
	const struct product_patch	*pp = a->patch;
	struct product			*p = a->out;
	unsigned char			 id[8];
	MDB_val				 v;
	int				 r;

	if (product_read(st, txn, a->id, p, err) == -1)
		return -1;
	if (pp->has_sku && strcmp(pp->sku, p->sku) != 0) {
		r = db_get(txn, st->skus, pp->sku, strlen(pp->sku), &v, err);
		if (r == -1)
			return -1;
		if (r == 1)
			return inv_error_set(err, INV_ECONFLICT,
			    "Product with this SKU already exists");
		if (db_del(txn, st->skus, p->sku, strlen(p->sku), err) == -1)
			return -1;
		codec_put_u64(id, p->id);
		if (db_put(txn, st->skus, pp->sku, strlen(pp->sku), id, 8,
		    MDB_NOOVERWRITE, err) == -1)
			return -1;
		memcpy(p->sku, pp->sku, sizeof p->sku);
	}
	if (pp->has_name)
		memcpy(p->name, pp->name, sizeof p->name);
	if (pp->has_price)
		p->price_cents = pp->price_cents;
	if (pp->has_stock)
		p->stock = pp->stock;
	return product_write(st, txn, p, err);
}

int
store_product_update(struct store *st, uint64_t id,
    const struct product_patch *patch, struct product *out,
    struct inv_error *err)
{
	struct update_arg	a = { id, patch, out };

	/* Nothing to change: a read is enough, and commits nothing. */
	if (!patch->has_sku && !patch->has_name && !patch->has_price &&
	    !patch->has_stock)
		return store_product_get(st, id, out, err);
	return store_write(st, op_product_update, &a, err);
}

static int
op_product_delete(struct store *st, MDB_txn *txn, void *arg,
    struct inv_error *err)
{
	uint64_t	*id = arg;
	struct product	 p;
	unsigned char	 k[8];
	int		 r;

	if (product_read(st, txn, *id, &p, err) == -1)
		return -1;
	if ((r = has_prefix(txn, st->pending, *id, err)) == -1)
		return -1;
	if (r == 1)
		return inv_error_set(err, INV_EBADREQ,
		    "Cannot delete product with pending orders");
	codec_put_u64(k, *id);
	if (db_del(txn, st->products, k, 8, err) == -1 ||
	    db_del(txn, st->skus, p.sku, strlen(p.sku), err) == -1)
		return -1;
	return 0;
}

int
store_product_delete(struct store *st, uint64_t id, struct inv_error *err)
{
	return store_write(st, op_product_delete, &id, err);
}

/* Orders. */

static int
op_order_create(struct store *st, MDB_txn *txn, void *arg,
    struct inv_error *err)
{
	struct order	*o = arg;
	struct product	 p;

	if (product_read(st, txn, o->product_id, &p, err) == -1)
		return -1;
	if (p.stock < o->quantity)
		return inv_error_set(err, INV_ECONFLICT,
		    "Insufficient stock. Available: %" PRId64
		    ", Requested: %" PRId64, p.stock, o->quantity);
	p.stock -= o->quantity;
	if (product_write(st, txn, &p, err) == -1)
		return -1;
	if (next_id(st, txn, "next_order_id", &o->id, err) == -1)
		return -1;
	o->status = ORDER_PENDING;
	o->created_at = now_us();
	return order_write(st, txn, o, NULL, err);
}

int
store_order_create(struct store *st, uint64_t product_id, int64_t quantity,
    struct order *out, struct inv_error *err)
{
	memset(out, 0, sizeof *out);
	out->product_id = product_id;
	out->quantity = quantity;
	return store_write(st, op_order_create, out, err);
}

static int
op_order_get(struct store *st, MDB_txn *txn, void *arg,
    struct inv_error *err)
{
	struct get_arg	*a = arg;

	return order_read(st, txn, a->id, a->out, err);
}

int
store_order_get(struct store *st, uint64_t id, struct order *o,
    struct inv_error *err)
{
	struct get_arg	a = { id, NULL, o };

	return store_read(st, op_order_get, &a, err);
}

/*
 * Walk one index from (prefix, after + 1) while keys keep the prefix,
 * reading each order. plen is 0 (the orders DBI itself), 1 (status) or 8
 * (product). With want_status, rows whose status differs are skipped.
 */
static int
order_scan(struct store *st, MDB_txn *txn, MDB_dbi dbi, const void *prefix,
    size_t plen, struct list_arg *a, struct inv_error *err)
{
	const struct order_filter	*f = a->filter;
	struct order			*out = a->out;
	MDB_cursor			*c;
	unsigned char			 k[16];
	MDB_val				 key, val;
	uint64_t			 oid;
	int				 rc, op = MDB_SET_RANGE, r = 0;

	if (a->after == UINT64_MAX)
		return 0;
	memcpy(k, prefix, plen);
	codec_put_u64(k + plen, a->after + 1);
	key.mv_size = plen + 8;
	key.mv_data = k;
	if ((rc = mdb_cursor_open(txn, dbi, &c)) != 0)
		return store_err(rc, "cursor", err);
	while ((rc = mdb_cursor_get(c, &key, &val, op)) == 0) {
		op = MDB_NEXT;
		if (key.mv_size != plen + 8 ||
		    memcmp(key.mv_data, prefix, plen) != 0)
			break;
		oid = codec_get_u64((unsigned char *)key.mv_data + plen);
		if (dbi == st->orders) {
			if (codec_order_decode(val.mv_data, val.mv_size,
			    &out[a->n]) == -1) {
				r = corrupt("order", oid, err);
				break;
			}
			out[a->n].id = oid;
		} else if (order_read(st, txn, oid, &out[a->n], err) == -1) {
			r = -1;
			break;
		}
		if (f->has_status && out[a->n].status != f->status)
			continue;
		if (f->product_id != 0 && out[a->n].product_id != f->product_id)
			continue;
		if (a->n == a->limit) {
			a->more = 1;
			break;
		}
		a->n++;
	}
	mdb_cursor_close(c);
	if (r == 0 && rc != 0 && rc != MDB_NOTFOUND)
		r = store_err(rc, "cursor", err);
	return r;
}

static int
op_order_list(struct store *st, MDB_txn *txn, void *arg,
    struct inv_error *err)
{
	struct list_arg			*a = arg;
	const struct order_filter	*f = a->filter;
	unsigned char			 prefix[8] = { 0 };

	/* Pick the narrowest index that answers the filter. */
	if (f->product_id != 0) {
		codec_put_u64(prefix, f->product_id);
		return order_scan(st, txn, f->has_status &&
		    f->status == ORDER_PENDING ? st->pending : st->by_product,
		    prefix, 8, a, err);
	}
	if (f->has_status) {
		prefix[0] = (unsigned char)f->status;
		return order_scan(st, txn, st->by_status, prefix, 1, a, err);
	}
	return order_scan(st, txn, st->orders, prefix, 0, a, err);
}

int
store_order_list(struct store *st, const struct order_filter *f,
    uint64_t after, size_t limit, struct order *out, size_t *n, int *more,
    struct inv_error *err)
{
	struct order	*buf = NULL;
	struct list_arg	 a = { f, after, limit, NULL, 0, 0 };
	int		 r;

	/* One spare slot: the scan reads a row before it knows it is extra. */
	if ((buf = calloc(limit + 1, sizeof *buf)) == NULL)
		return inv_error_set(err, INV_EINTERNAL, "Out of memory");
	a.out = buf;
	r = store_read(st, op_order_list, &a, err);
	memcpy(out, buf, a.n * sizeof *buf);
	free(buf);
	*n = a.n;
	*more = a.more;
	return r;
}

struct status_arg {
	uint64_t		 id;
	enum order_status	 to;
	struct order		*out;
	int			 erase_canceled;
};

/* Move an order to a new status, restoring stock when it is canceled. */
static int
order_move(struct store *st, MDB_txn *txn, struct order *o,
    enum order_status to, struct inv_error *err)
{
	struct order	old = *o;

	if (!order_transition_ok(o->status, to))
		return inv_error_set(err, INV_EBADREQ,
		    "Invalid status transition from %s to %s",
		    order_status_name(o->status), order_status_name(to));
	if (to == ORDER_CANCELED && order_status_holds_stock(o->status) &&
	    restock(st, txn, o, err) == -1)
		return -1;
	o->status = to;
	return order_write(st, txn, o, &old, err);
}

static int
op_order_status(struct store *st, MDB_txn *txn, void *arg,
    struct inv_error *err)
{
	struct status_arg	*a = arg;

	if (order_read(st, txn, a->id, a->out, err) == -1)
		return -1;
	if (a->erase_canceled && a->out->status == ORDER_CANCELED)
		return order_erase(st, txn, a->out, err);
	return order_move(st, txn, a->out, a->to, err);
}

int
store_order_set_status(struct store *st, uint64_t id, enum order_status to,
    struct order *out, struct inv_error *err)
{
	struct status_arg	a = { id, to, out, 0 };

	return store_write(st, op_order_status, &a, err);
}

int
store_order_delete(struct store *st, uint64_t id, struct inv_error *err)
{
	struct order		o;
	struct status_arg	a = { id, ORDER_CANCELED, &o, 1 };

	return store_write(st, op_order_status, &a, err);
}

/* Webhook events. */

struct webhook_arg {
	const char		*event_id;
	enum payment_event	 type;
	uint64_t		 order_id;
	struct webhook_result	*out;
};

static int
op_webhook_apply(struct store *st, MDB_txn *txn, void *arg,
    struct inv_error *err)
{
	struct webhook_arg	*a = arg;
	struct webhook_result	*res = a->out;
	struct order		 o;
	unsigned char		 rec[EVENT_REC_LEN];
	unsigned char		 tk[8 + WEBHOOK_EVENT_ID_MAX];
	size_t			 idlen = strlen(a->event_id);
	MDB_val			 v;
	int			 r;

	/* A replay is a duplicate whatever the order's state is now. */
	r = db_get(txn, st->events, a->event_id, idlen, &v, err);
	if (r == -1)
		return -1;
	if (r == 1) {
		if (codec_event_decode(v.mv_data, v.mv_size,
		    &res->processed_at, &res->order_id,
		    &res->new_status) == -1)
			return corrupt("webhook event", 0, err);
		res->duplicate = 1;
		return 0;
	}
	if (order_read(st, txn, a->order_id, &o, err) == -1)
		return -1;
	if (o.status != ORDER_PENDING)
		return inv_error_set(err, INV_ECONFLICT,
		    "Order %llu is %s, not PENDING",
		    (unsigned long long)o.id, order_status_name(o.status));
	if (order_move(st, txn, &o, payment_event_status(a->type), err) == -1)
		return -1;
	res->duplicate = 0;
	res->order_id = o.id;
	res->new_status = o.status;
	res->processed_at = now_us();
	codec_event_encode(res->processed_at, o.id, o.status, rec);
	if (db_put(txn, st->events, a->event_id, idlen, rec, sizeof rec,
	    MDB_NOOVERWRITE, err) == -1)
		return -1;
	codec_put_u64(tk, (uint64_t)res->processed_at);
	memcpy(tk + 8, a->event_id, idlen);
	return db_put(txn, st->events_by_time, tk, 8 + idlen, "", 0, 0, err);
}

int
store_webhook_apply(struct store *st, const char *event_id,
    enum payment_event type, uint64_t order_id, struct webhook_result *out,
    struct inv_error *err)
{
	struct webhook_arg	a = { event_id, type, order_id, out };

	memset(out, 0, sizeof *out);
	return store_write(st, op_webhook_apply, &a, err);
}

struct prune_arg {
	int64_t	before;
	size_t	max;
	size_t	removed;
};

static int
op_webhook_prune(struct store *st, MDB_txn *txn, void *arg,
    struct inv_error *err)
{
	struct prune_arg	*a = arg;
	MDB_cursor		*c;
	MDB_val			 key, val;
	int			 rc, r = 0;

	a->removed = 0;
	if ((rc = mdb_cursor_open(txn, st->events_by_time, &c)) != 0)
		return store_err(rc, "cursor", err);
	while (a->removed < a->max &&
	    (rc = mdb_cursor_get(c, &key, &val, MDB_FIRST)) == 0) {
		if (key.mv_size < 8 ||
		    (int64_t)codec_get_u64(key.mv_data) >= a->before)
			break;
		if (db_del(txn, st->events, (char *)key.mv_data + 8,
		    key.mv_size - 8, err) == -1) {
			r = -1;
			break;
		}
		if ((rc = mdb_cursor_del(c, 0)) != 0) {
			r = store_err(rc, "del", err);
			break;
		}
		a->removed++;
	}
	mdb_cursor_close(c);
	if (r == 0 && rc != 0 && rc != MDB_NOTFOUND)
		r = store_err(rc, "cursor", err);
	return r;
}

int
store_webhook_prune(struct store *st, int64_t before, size_t max,
    size_t *removed, struct inv_error *err)
{
	struct prune_arg	a = { before, max, 0 };
	int			r;

	r = store_write(st, op_webhook_prune, &a, err);
	*removed = r == 0 ? a.removed : 0;
	return r;
}

/* Statistics for logs and metrics: O(1), no scans. */

static int
status_counts_read(struct store *st, MDB_txn *txn, uint64_t *out,
    struct inv_error *err)
{
	char	k[32];
	MDB_val	v;
	int	i, r;

	for (i = 0; i < ORDER_NSTATUS; i++) {
		status_count_key(k, (enum order_status)i);
		if ((r = db_get(txn, st->meta, k, strlen(k), &v, err)) == -1)
			return -1;
		out[i] = r == 1 && v.mv_size == 8 ?
		    codec_get_u64(v.mv_data) : 0;
	}
	return 0;
}

/*
 * Data written before the counters existed: count the status index once,
 * in one write transaction, and mark the counters as kept from then on.
 */
static int
op_status_counts_init(struct store *st, MDB_txn *txn, void *arg,
    struct inv_error *err)
{
	static const char	 mark[] = "orders_status_counted";
	MDB_cursor		*c;
	MDB_val			 key, val;
	uint64_t		 n[ORDER_NSTATUS] = { 0 };
	unsigned char		 buf[8];
	char			 k[32];
	int			 i, rc, r;

	(void)arg;
	if ((r = db_get(txn, st->meta, mark, sizeof mark - 1, &val,
	    err)) != 0)
		return r == 1 ? 0 : -1;
	if ((rc = mdb_cursor_open(txn, st->by_status, &c)) != 0)
		return store_err(rc, "cursor", err);
	while ((rc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) == 0)
		if (key.mv_size == 9 &&
		    *(unsigned char *)key.mv_data < ORDER_NSTATUS)
			n[*(unsigned char *)key.mv_data]++;
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		return store_err(rc, "cursor", err);
	for (i = 0; i < ORDER_NSTATUS; i++) {
		status_count_key(k, (enum order_status)i);
		codec_put_u64(buf, n[i]);
		if (db_put(txn, st->meta, k, strlen(k), buf, 8, 0, err) == -1)
			return -1;
	}
	return db_put(txn, st->meta, mark, sizeof mark - 1, "", 0, 0, err);
}

static int
op_stats(struct store *st, MDB_txn *txn, void *arg, struct inv_error *err)
{
	struct store_stats	*s = arg;
	MDB_stat		 ms;
	MDB_envinfo		 info;
	int			 rc;

	if ((rc = mdb_stat(txn, st->products, &ms)) != 0)
		return store_err(rc, "stat", err);
	s->products = ms.ms_entries;
	if ((rc = mdb_stat(txn, st->orders, &ms)) != 0)
		return store_err(rc, "stat", err);
	s->orders = ms.ms_entries;
	if (status_counts_read(st, txn, s->orders_by_status, err) == -1)
		return -1;
	mdb_env_info(st->env, &info);
	mdb_env_stat(st->env, &ms);
	s->map_size = info.me_mapsize;
	s->map_max = st->map_max;
	s->page_size = ms.ms_psize;
	s->pages_used = (uint64_t)info.me_last_pgno + 1;
	s->used_bytes = (info.me_last_pgno + 1) * (size_t)ms.ms_psize;
	return 0;
}

int
store_stats(struct store *st, struct store_stats *s, struct inv_error *err)
{
	return store_read(st, op_stats, s, err);
}

/* Opening and closing. */

static int
open_dbis(struct store *st, struct inv_error *err)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} dbis[] = {
		{ "meta", offsetof(struct store, meta) },
		{ "products", offsetof(struct store, products) },
		{ "skus", offsetof(struct store, skus) },
		{ "orders", offsetof(struct store, orders) },
		{ "orders_by_product", offsetof(struct store, by_product) },
		{ "pending_by_product", offsetof(struct store, pending) },
		{ "orders_by_status", offsetof(struct store, by_status) },
		{ "webhook_events", offsetof(struct store, events) },
		{ "webhook_events_by_time",
		    offsetof(struct store, events_by_time) },
	};
	MDB_txn		*txn;
	size_t		 i;
	int		 rc;

	if ((rc = mdb_txn_begin(st->env, NULL, 0, &txn)) != 0)
		return store_err(rc, "begin", err);
	for (i = 0; i < sizeof dbis / sizeof dbis[0]; i++) {
		rc = mdb_dbi_open(txn, dbis[i].name, MDB_CREATE,
		    (MDB_dbi *)((char *)st + dbis[i].off));
		if (rc != 0) {
			mdb_txn_abort(txn);
			return store_err(rc, dbis[i].name, err);
		}
	}
	if ((rc = mdb_txn_commit(txn)) != 0)
		return store_err(rc, "commit", err);
	return 0;
}

int
store_open(struct store **out, const char *dir, size_t map_max,
    struct inv_error *err)
{
	struct store	*st;
	char		 lock[4096];
	MDB_envinfo	 info;
	int		 rc, dead;

	*out = NULL;
	if ((st = calloc(1, sizeof *st)) == NULL)
		return inv_error_set(err, INV_EINTERNAL, "out of memory");
	st->lockfd = -1;
	pthread_rwlock_init(&st->resize, NULL);
	st->map_max = map_max;
	st->map_size = map_max < STORE_MAP_INITIAL ? map_max :
	    STORE_MAP_INITIAL;
	if (mkdir_p(dir, 0750) == -1) {
		inv_error_set(err, INV_EINTERNAL, "%s: %s", dir,
		    strerror(errno));
		goto fail;
	}
	/* LMDB's own lock allows many processes; a daemon wants one. */
	if ((size_t)snprintf(lock, sizeof lock, "%s/invd.pid", dir) >=
	    sizeof lock) {
		inv_error_set(err, INV_EINTERNAL, "%s: path too long", dir);
		goto fail;
	}
	st->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (st->lockfd == -1) {
		inv_error_set(err, INV_EINTERNAL, "%s: %s", lock,
		    strerror(errno));
		goto fail;
	}
	if (flock(st->lockfd, LOCK_EX | LOCK_NB) == -1) {
		inv_error_set(err, INV_EINTERNAL, errno == EWOULDBLOCK ?
		    "%s is in use by another invd" : "%s: lock: %s", dir,
		    strerror(errno));
		goto fail;
	}
	if (ftruncate(st->lockfd, 0) == 0)
		dprintf(st->lockfd, "%ld\n", (long)getpid());
	store_fs_fd = st->lockfd;

	if ((rc = mdb_env_create(&st->env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(st->env, 16)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->env, st->map_size)) != 0) {
		inv_error_set(err, INV_EINTERNAL, "lmdb: %s",
		    mdb_strerror(rc));
		goto fail;
	}
	/*
	 * Default flags keep full durability: every commit is fsynced
	 * before it returns, so a reply after commit survives a crash.
	 */
	if ((rc = mdb_env_open(st->env, dir, MDB_NOTLS, 0640)) != 0) {
		inv_error_set(err, INV_EINTERNAL, "lmdb: %s: %s", dir,
		    mdb_strerror(rc));
		goto fail;
	}
	mdb_reader_check(st->env, &dead);
	if (dead > 0)
		log_info("cleared %d stale reader slots", dead);
	/* An existing file larger than our start size keeps its size. */
	mdb_env_info(st->env, &info);
	st->map_size = info.me_mapsize;
	if (st->map_max < st->map_size)
		st->map_max = st->map_size;
	if (open_dbis(st, err) == -1 ||
	    store_write(st, op_status_counts_init, NULL, err) == -1)
		goto fail;
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

int
store_set_nosync(struct store *st, int nosync, struct inv_error *err)
{
	int	rc;

	if ((rc = mdb_env_set_flags(st->env, MDB_NOSYNC, nosync)) != 0)
		return store_err(rc, "set flags", err);
	return 0;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->env != NULL)
		mdb_env_close(st->env);
	if (st->lockfd != -1) {
		if (store_fs_fd == st->lockfd)
			store_fs_fd = -1;
		close(st->lockfd);
	}
	pthread_rwlock_destroy(&st->resize);
	free(st);
}

/*
 * The data checker: a read-only walk of every index against its records,
 * for invd --check-data. It runs on its own environment opened MDB_RDONLY
 * and never takes the daemon's lock file, so it is safe beside a running
 * invd: one read transaction sees one committed snapshot.
 */
#include <stdarg.h>

struct check {
	struct store		 st;	/* env and DBIs; no lock file */
	MDB_txn			*txn;
	struct store_check	*res;
	store_check_fn		 fn;
	void			*arg;
	uint64_t		 by_status_n[ORDER_NSTATUS];
};

static void __attribute__((format(printf, 2, 3)))
check_bad(struct check *c, const char *fmt, ...)
{
	char	line[256];
	va_list	ap;

	c->res->problems++;
	if (c->fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	c->fn(c->arg, line);
}

/* 1 found, 0 not found, -1 an LMDB error (reported as a problem). */
static int
check_get(struct check *c, MDB_dbi dbi, const void *k, size_t kl,
    MDB_val *v)
{
	MDB_val	key = { kl, (void *)k };
	int	rc;

	if ((rc = mdb_get(c->txn, dbi, &key, v)) == 0)
		return 1;
	if (rc == MDB_NOTFOUND)
		return 0;
	check_bad(c, "lmdb get: %s", mdb_strerror(rc));
	return -1;
}

typedef void (*check_row_fn)(struct check *, const MDB_val *,
    const MDB_val *);

/* Call fn for every row of dbi; counts rows into *n. */
static void
check_walk(struct check *c, MDB_dbi dbi, const char *name, uint64_t *n,
    check_row_fn fn)
{
	MDB_cursor	*cur;
	MDB_val		 k, v;
	int		 rc, op = MDB_FIRST;

	if ((rc = mdb_cursor_open(c->txn, dbi, &cur)) != 0) {
		check_bad(c, "%s: cursor: %s", name, mdb_strerror(rc));
		return;
	}
	while ((rc = mdb_cursor_get(cur, &k, &v, op)) == 0) {
		op = MDB_NEXT;
		(*n)++;
		fn(c, &k, &v);
	}
	if (rc != MDB_NOTFOUND)
		check_bad(c, "%s: cursor: %s", name, mdb_strerror(rc));
	mdb_cursor_close(cur);
}

static uint64_t
check_meta(struct check *c, const char *name)
{
	MDB_val	v;
	int	r;

	if ((r = check_get(c, c->st.meta, name, strlen(name), &v)) != 1)
		return 1;	/* absent: next_id() starts at 1 */
	if (v.mv_size != 8) {
		check_bad(c, "meta %s: value of %zu bytes", name, v.mv_size);
		return 1;
	}
	return codec_get_u64(v.mv_data);
}

/* A product: decodes, stock never negative, its sku row points back. */
static void
check_product(struct check *c, const MDB_val *k, const MDB_val *v)
{
	struct product	p;
	MDB_val		sv;
	uint64_t	id;
	int		r;

	if (k->mv_size != 8) {
		check_bad(c, "products: key of %zu bytes", k->mv_size);
		return;
	}
	id = codec_get_u64(k->mv_data);
	if (codec_product_decode(v->mv_data, v->mv_size, &p) == -1) {
		check_bad(c, "product %" PRIu64 ": record does not decode",
		    id);
		return;
	}
	if (id == 0 || id >= c->res->next_product_id)
		check_bad(c, "product %" PRIu64 ": id not below "
		    "next_product_id %" PRIu64, id, c->res->next_product_id);
	if (p.stock < 0)
		check_bad(c, "product %" PRIu64 ": negative stock %" PRId64,
		    id, p.stock);
	if ((r = check_get(c, c->st.skus, p.sku, strlen(p.sku), &sv)) == 0)
		check_bad(c, "product %" PRIu64 ": sku '%s' not in the sku "
		    "index", id, p.sku);
	else if (r == 1 && (sv.mv_size != 8 ||
	    codec_get_u64(sv.mv_data) != id))
		check_bad(c, "product %" PRIu64 ": sku '%s' indexed to "
		    "another product", id, p.sku);
}

/* A sku row names an existing product with that very sku. */
static void
check_sku(struct check *c, const MDB_val *k, const MDB_val *v)
{
	struct product	p;
	unsigned char	pk[8];
	MDB_val		pv;
	int		r;

	if (v->mv_size != 8) {
		check_bad(c, "sku '%.*s': value of %zu bytes",
		    (int)(k->mv_size > 64 ? 64 : k->mv_size),
		    (const char *)k->mv_data, v->mv_size);
		return;
	}
	memcpy(pk, v->mv_data, 8);
	if ((r = check_get(c, c->st.products, pk, 8, &pv)) == 0)
		check_bad(c, "sku '%.*s': product %" PRIu64 " does not exist",
		    (int)(k->mv_size > 64 ? 64 : k->mv_size),
		    (const char *)k->mv_data, codec_get_u64(pk));
	else if (r == 1 && codec_product_decode(pv.mv_data, pv.mv_size,
	    &p) == 0 && (strlen(p.sku) != k->mv_size ||
	    memcmp(p.sku, k->mv_data, k->mv_size) != 0))
		check_bad(c, "sku '%.*s': product %" PRIu64 " has sku '%s'",
		    (int)(k->mv_size > 64 ? 64 : k->mv_size),
		    (const char *)k->mv_data, codec_get_u64(pk), p.sku);
}

/*
 * An order: decodes, a positive quantity, one row in each index that
 * matches it, a pending row exactly when PENDING, and an existing product
 * when PENDING (a product with PENDING orders cannot be deleted).
 */
static void
check_order(struct check *c, const MDB_val *k, const MDB_val *v)
{
	struct order	o;
	unsigned char	pk[16], sk[9];
	MDB_val		iv;
	uint64_t	id;
	int		r;

	if (k->mv_size != 8) {
		check_bad(c, "orders: key of %zu bytes", k->mv_size);
		return;
	}
	id = codec_get_u64(k->mv_data);
	if (codec_order_decode(v->mv_data, v->mv_size, &o) == -1) {
		check_bad(c, "order %" PRIu64 ": record does not decode", id);
		return;
	}
	if (id == 0 || id >= c->res->next_order_id)
		check_bad(c, "order %" PRIu64 ": id not below next_order_id "
		    "%" PRIu64, id, c->res->next_order_id);
	if (o.quantity <= 0)
		check_bad(c, "order %" PRIu64 ": quantity %" PRId64, id,
		    o.quantity);
	if ((int)o.status >= 0 && o.status < ORDER_NSTATUS)
		c->by_status_n[o.status]++;
	codec_pair_key(pk, o.product_id, id);
	codec_status_key(sk, o.status, id);
	if ((r = check_get(c, c->st.by_product, pk, 16, &iv)) == 0)
		check_bad(c, "order %" PRIu64 ": missing from "
		    "orders_by_product", id);
	else if (r == 1 && (iv.mv_size != 1 ||
	    *(unsigned char *)iv.mv_data != (unsigned char)o.status))
		check_bad(c, "order %" PRIu64 ": orders_by_product has another "
		    "status", id);
	if ((r = check_get(c, c->st.by_status, sk, 9, &iv)) == 0)
		check_bad(c, "order %" PRIu64 ": missing from orders_by_status "
		    "under %s", id, order_status_name(o.status));
	else if (r == 1 && (iv.mv_size != 8 ||
	    codec_get_u64(iv.mv_data) != o.product_id))
		check_bad(c, "order %" PRIu64 ": orders_by_status names another "
		    "product", id);
	r = check_get(c, c->st.pending, pk, 16, &iv);
	if (r == 0 && o.status == ORDER_PENDING)
		check_bad(c, "order %" PRIu64 ": PENDING but not in "
		    "pending_by_product", id);
	if (o.status != ORDER_PENDING)
		return;
	codec_put_u64(pk, o.product_id);
	if (check_get(c, c->st.products, pk, 8, &iv) == 0)
		check_bad(c, "order %" PRIu64 ": PENDING for product %" PRIu64
		    ", which does not exist", id, o.product_id);
}

/* The order an index row names, decoded; 0 when there is none. */
static int
check_index_order(struct check *c, const char *index, uint64_t id,
    struct order *o)
{
	unsigned char	k[8];
	MDB_val		v;

	codec_put_u64(k, id);
	if (check_get(c, c->st.orders, k, 8, &v) != 1) {
		check_bad(c, "%s: order %" PRIu64 " does not exist", index, id);
		return 0;
	}
	return codec_order_decode(v.mv_data, v.mv_size, o) == 0;
}

/*
 * A (product id, order id) row of a per-product index with a value of vlen
 * bytes: its ids and its order, or 0 when the row is already reported.
 */
static int
check_pair_row(struct check *c, const char *name, const MDB_val *k,
    const MDB_val *v, size_t vlen, uint64_t *pid, uint64_t *id,
    struct order *o)
{
	if (k->mv_size != 16 || v->mv_size != vlen) {
		check_bad(c, "%s: row of %zu+%zu bytes", name, k->mv_size,
		    v->mv_size);
		return 0;
	}
	*pid = codec_get_u64(k->mv_data);
	*id = codec_get_u64((unsigned char *)k->mv_data + 8);
	return check_index_order(c, name, *id, o);
}

static void
check_by_product(struct check *c, const MDB_val *k, const MDB_val *v)
{
	struct order	o;
	uint64_t	pid, id;

	if (!check_pair_row(c, "orders_by_product", k, v, 1, &pid, &id, &o))
		return;
	if (o.product_id != pid ||
	    (unsigned char)o.status != *(unsigned char *)v->mv_data)
		check_bad(c, "orders_by_product: row (%" PRIu64 ", %" PRIu64
		    ") does not match the order", pid, id);
}

static void
check_pending(struct check *c, const MDB_val *k, const MDB_val *v)
{
	struct order	o;
	uint64_t	pid, id;

	if (!check_pair_row(c, "pending_by_product", k, v, 0, &pid, &id, &o))
		return;
	if (o.product_id != pid || o.status != ORDER_PENDING)
		check_bad(c, "pending_by_product: order %" PRIu64 " is %s for "
		    "product %" PRIu64, id, order_status_name(o.status),
		    o.product_id);
}

static void
check_by_status(struct check *c, const MDB_val *k, const MDB_val *v)
{
	struct order	o;
	unsigned char	s;
	uint64_t	id;

	if (k->mv_size != 9 || v->mv_size != 8) {
		check_bad(c, "orders_by_status: row of %zu+%zu bytes",
		    k->mv_size, v->mv_size);
		return;
	}
	s = *(unsigned char *)k->mv_data;
	id = codec_get_u64((unsigned char *)k->mv_data + 1);
	if (!check_index_order(c, "orders_by_status", id, &o))
		return;
	if ((unsigned char)o.status != s ||
	    o.product_id != codec_get_u64(v->mv_data))
		check_bad(c, "orders_by_status: row (%u, %" PRIu64 ") does not "
		    "match the order", (unsigned)s, id);
}

/* An event record decodes and has its one row in the time index. */
static void
check_event(struct check *c, const MDB_val *k, const MDB_val *v)
{
	unsigned char		 tk[8 + WEBHOOK_EVENT_ID_MAX];
	enum order_status	 s;
	uint64_t		 oid;
	int64_t			 at;
	MDB_val			 tv;
	int			 n = (int)(k->mv_size > 64 ? 64 : k->mv_size);

	if (k->mv_size == 0 || k->mv_size > WEBHOOK_EVENT_ID_MAX) {
		check_bad(c, "webhook_events: key of %zu bytes", k->mv_size);
		return;
	}
	if (codec_event_decode(v->mv_data, v->mv_size, &at, &oid, &s) == -1) {
		check_bad(c, "webhook event '%.*s': record does not decode", n,
		    (const char *)k->mv_data);
		return;
	}
	codec_put_u64(tk, (uint64_t)at);
	memcpy(tk + 8, k->mv_data, k->mv_size);
	if (check_get(c, c->st.events_by_time, tk, 8 + k->mv_size, &tv) == 0)
		check_bad(c, "webhook event '%.*s': missing from "
		    "webhook_events_by_time", n, (const char *)k->mv_data);
}

static void
check_event_time(struct check *c, const MDB_val *k, const MDB_val *v)
{
	enum order_status	 s;
	uint64_t		 oid;
	int64_t			 at;
	MDB_val			 ev;
	const char		*id = (const char *)k->mv_data + 8;
	int			 n = (int)(k->mv_size > 72 ? 64 :
				    k->mv_size - 8);

	(void)v;
	if (k->mv_size <= 8) {
		check_bad(c, "webhook_events_by_time: key of %zu bytes",
		    k->mv_size);
		return;
	}
	if (check_get(c, c->st.events, id, k->mv_size - 8, &ev) != 1)
		check_bad(c, "webhook_events_by_time: event '%.*s' does not "
		    "exist", n, id);
	else if (codec_event_decode(ev.mv_data, ev.mv_size, &at, &oid,
	    &s) == 0 && (uint64_t)at != codec_get_u64(k->mv_data))
		check_bad(c, "webhook_events_by_time: event '%.*s' has another "
		    "time", n, id);
}

static int
check_open(struct check *c, const char *dir, struct inv_error *err)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} dbis[] = {
		{ "meta", offsetof(struct store, meta) },
		{ "products", offsetof(struct store, products) },
		{ "skus", offsetof(struct store, skus) },
		{ "orders", offsetof(struct store, orders) },
		{ "orders_by_product", offsetof(struct store, by_product) },
		{ "pending_by_product", offsetof(struct store, pending) },
		{ "orders_by_status", offsetof(struct store, by_status) },
		{ "webhook_events", offsetof(struct store, events) },
		{ "webhook_events_by_time",
		    offsetof(struct store, events_by_time) },
	};
	struct stat	sb;
	size_t		i;
	int		rc;

	/* Say which: LMDB's own error for these is less plain. */
	if (stat(dir, &sb) == -1)
		return inv_error_set(err, INV_EINTERNAL, "%s: %s", dir,
		    strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return inv_error_set(err, INV_EINTERNAL, "%s: not a directory",
		    dir);
	if ((rc = mdb_env_create(&c->st.env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(c->st.env, 16)) != 0)
		return inv_error_set(err, INV_EINTERNAL, "lmdb: %s",
		    mdb_strerror(rc));
	/* Read-only, no invd.pid lock: safe beside a running invd. */
	if ((rc = mdb_env_open(c->st.env, dir, MDB_RDONLY | MDB_NOTLS,
	    0640)) != 0)
		return inv_error_set(err, INV_EINTERNAL, "lmdb: %s: %s", dir,
		    mdb_strerror(rc));
	if ((rc = mdb_txn_begin(c->st.env, NULL, MDB_RDONLY, &c->txn)) != 0)
		return inv_error_set(err, INV_EINTERNAL, "lmdb: begin: %s",
		    mdb_strerror(rc));
	for (i = 0; i < sizeof dbis / sizeof dbis[0]; i++) {
		rc = mdb_dbi_open(c->txn, dbis[i].name, 0,
		    (MDB_dbi *)((char *)&c->st + dbis[i].off));
		if (rc != 0)
			return inv_error_set(err, INV_EINTERNAL,
			    "lmdb: %s: database %s: %s", dir, dbis[i].name,
			    mdb_strerror(rc));
	}
	return 0;
}

/* The per-status counters /metrics reads, once they are kept. */
static void
check_status_counts(struct check *c)
{
	static const char	mark[] = "orders_status_counted";
	char			k[32];
	MDB_val			v;
	uint64_t		n;
	int			i, r;

	if (check_get(c, c->st.meta, mark, sizeof mark - 1, &v) != 1)
		return;
	for (i = 0; i < ORDER_NSTATUS; i++) {
		status_count_key(k, (enum order_status)i);
		if ((r = check_get(c, c->st.meta, k, strlen(k), &v)) == -1)
			continue;
		n = r == 1 && v.mv_size == 8 ? codec_get_u64(v.mv_data) : 0;
		if (n != c->by_status_n[i])
			check_bad(c, "meta %s is %" PRIu64 ", but %" PRIu64
			    " orders are %s", k, n, c->by_status_n[i],
			    order_status_name((enum order_status)i));
	}
}

int
store_check(const char *dir, struct store_check *res, store_check_fn fn,
    void *arg, struct inv_error *err)
{
	struct check	c;
	int		r = -1;

	memset(&c, 0, sizeof c);
	memset(res, 0, sizeof *res);
	c.res = res;
	c.fn = fn;
	c.arg = arg;
	inv_error_clear(err);
	if (check_open(&c, dir, err) == -1)
		goto out;
	res->next_product_id = check_meta(&c, "next_product_id");
	res->next_order_id = check_meta(&c, "next_order_id");
	check_walk(&c, c.st.products, "products", &res->products,
	    check_product);
	check_walk(&c, c.st.skus, "skus", &res->skus, check_sku);
	check_walk(&c, c.st.orders, "orders", &res->orders, check_order);
	check_walk(&c, c.st.by_product, "orders_by_product",
	    &res->by_product, check_by_product);
	check_walk(&c, c.st.pending, "pending_by_product", &res->pending,
	    check_pending);
	check_walk(&c, c.st.by_status, "orders_by_status", &res->by_status,
	    check_by_status);
	check_walk(&c, c.st.events, "webhook_events", &res->events,
	    check_event);
	check_walk(&c, c.st.events_by_time, "webhook_events_by_time",
	    &res->events_by_time, check_event_time);
	check_status_counts(&c);
	r = res->problems == 0 ? 0 : 1;
out:
	if (c.txn != NULL)
		mdb_txn_abort(c.txn);
	if (c.st.env != NULL)
		mdb_env_close(c.st.env);
	return r;
}
