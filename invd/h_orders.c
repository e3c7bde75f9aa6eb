/*
 * /orders: create (taking stock), list with status and product filters,
 * get, status transitions, and delete (cancel first, then remove).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/validate.h"
#include "invd/router.h"
#include "invd/store.h"

static int
oom(struct inv_error *err)
{
	return inv_error_set(err, INV_EINTERNAL, "Out of memory");
}

static int
reply_order(struct response *resp, int status, const struct order *o,
    struct inv_error *err)
{
	if ((resp->json = json_order_new(o)) == NULL)
		return oom(err);
	resp->status = status;
	return 0;
}

static struct json_object *
encode_order(const void *o)
{
	return json_order_new(o);
}

int
h_orders_list(struct app *app, const struct request *req,
    struct response *resp, struct inv_error *err)
{
	struct order_filter	 f;
	struct order		*items;
	const char		*s;
	size_t			 limit, n = 0;
	uint64_t		 after;
	int			 more = 0, r = -1;

	memset(&f, 0, sizeof f);
	if (list_params(req, &limit, &after, err) == -1)
		return -1;
	if ((s = request_query(req, "status")) != NULL) {
		if (validate_status("status", s, &f.status, err) == -1)
			return -1;
		f.has_status = 1;
	}
	if ((s = request_query(req, "product_id")) != NULL &&
	    validate_id("product_id", s, &f.product_id, err) == -1)
		return -1;
	if ((items = calloc(limit, sizeof *items)) == NULL)
		return oom(err);
	if (store_order_list(app->store, &f, after, limit, items, &n, &more,
	    err) == 0)
		r = list_reply(req, resp, items, n, sizeof *items,
		    encode_order, more, limit, n > 0 ? items[n - 1].id : 0,
		    err);
	free(items);
	return r;
}

int
h_orders_create(struct app *app, const struct request *req,
    struct response *resp, struct inv_error *err)
{
	struct order	o;
	uint64_t	product_id;
	int64_t		quantity;
	char		loc[64];

	if (validate_order_create(req->json, &product_id, &quantity,
	    err) == -1)
		return -1;
	if (store_order_create(app->store, product_id, quantity, &o,
	    err) == -1) {
		/* The one 409 of order creation: not enough stock. */
		if (err->code == INV_ECONFLICT)
			resp->outcome = OUTCOME_STOCKOUT;
		return -1;
	}
	snprintf(loc, sizeof loc, "/orders/%llu", (unsigned long long)o.id);
	if ((resp->location = strdup(loc)) == NULL)
		return oom(err);
	return reply_order(resp, 201, &o, err);
}

int
h_orders_get(struct app *app, const struct request *req,
    struct response *resp, struct inv_error *err)
{
	struct order	o;

	if (store_order_get(app->store, req->id, &o, err) == -1)
		return -1;
	return reply_order(resp, 200, &o, err);
}

int
h_orders_update(struct app *app, const struct request *req,
    struct response *resp, struct inv_error *err)
{
	enum order_status	to;
	struct order		o;

	if (validate_order_update(req->json, &to, err) == -1 ||
	    store_order_set_status(app->store, req->id, to, &o, err) == -1)
		return -1;
	return reply_order(resp, 200, &o, err);
}

int
h_orders_delete(struct app *app, const struct request *req,
    struct response *resp, struct inv_error *err)
{
	if (store_order_delete(app->store, req->id, err) == -1)
		return -1;
	resp->status = 204;
	return 0;
}
