/*
 * /products: create, list (paginated, or by sku), get, partial update and
 * delete. Each handler decodes, validates, makes one store call, encodes.
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

/* resp gets the product as its body with the given status. */
static int
reply_product(struct response *resp, int status, const struct product *p,
    struct inv_error *err)
{
	if ((resp->json = json_product_new(p)) == NULL)
		return oom(err);
	resp->status = status;
	return 0;
}

static struct json_object *
encode_product(const void *p)
{
	return json_product_new(p);
}

int
h_products_list(struct app *app, const struct request *req,
    struct response *resp, struct inv_error *err)
{
	struct product	*items;
	const char	*sku;
	size_t		 limit, n = 0;
	uint64_t	 after;
	int		 more = 0, r = -1;

	if (list_params(req, &limit, &after, err) == -1)
		return -1;
	if ((items = calloc(limit, sizeof *items)) == NULL)
		return oom(err);
	if ((sku = request_query(req, "sku")) != NULL) {
		/* The seed's filter: the one product with that sku, or []. */
		if (store_product_get_by_sku(app->store, sku, items, err) == 0)
			n = items[0].id > after ? 1 : 0;
		else if (err->code != INV_ENOTFOUND)
			goto out;
	} else if (store_product_list(app->store, after, limit, items, &n,
	    &more, err) == -1)
		goto out;
	r = list_reply(req, resp, items, n, sizeof *items, encode_product,
	    more, limit, n > 0 ? items[n - 1].id : 0, err);
out:
	free(items);
	return r;
}

int
h_products_create(struct app *app, const struct request *req,
    struct response *resp, struct inv_error *err)
{
	struct product	p;
	char		loc[64];

	if (validate_product_create(req->json, &p, err) == -1 ||
	    store_product_create(app->store, &p, err) == -1)
		return -1;
	snprintf(loc, sizeof loc, "/products/%llu", (unsigned long long)p.id);
	if ((resp->location = strdup(loc)) == NULL)
		return oom(err);
	return reply_product(resp, 201, &p, err);
}

int
h_products_get(struct app *app, const struct request *req,
    struct response *resp, struct inv_error *err)
{
	struct product	p;

	if (store_product_get(app->store, req->id, &p, err) == -1)
		return -1;
	return reply_product(resp, 200, &p, err);
}

int
h_products_update(struct app *app, const struct request *req,
    struct response *resp, struct inv_error *err)
{
	struct product_patch	pp;
	struct product		p;

	if (validate_product_patch(req->json, &pp, err) == -1 ||
	    store_product_update(app->store, req->id, &pp, &p, err) == -1)
		return -1;
	return reply_product(resp, 200, &p, err);
}

int
h_products_delete(struct app *app, const struct request *req,
    struct response *resp, struct inv_error *err)
{
	if (store_product_delete(app->store, req->id, err) == -1)
		return -1;
	resp->status = 204;
	return 0;
}
