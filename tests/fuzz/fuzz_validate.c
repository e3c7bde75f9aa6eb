/*
 * Fuzz the field rules: the first byte picks a validator, the rest is its
 * input, a JSON body (products, orders, webhooks) or a text argument (id,
 * int, price, status, sku, name). Each must accept or refuse with a
 * detail, and what it accepts must be within the API's limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/validate.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

enum which {
	V_PRODUCT_CREATE,
	V_PRODUCT_PATCH,
	V_ORDER_CREATE,
	V_ORDER_UPDATE,
	V_WEBHOOK,
	V_ID,
	V_INT,
	V_PRICE,
	V_STATUS,
	V_SKU,
	V_NAME,
	V_N
};

static int
check_body(enum which w, struct json_object *o, struct inv_error *err)
{
	struct product		p;
	struct product_patch	pp;
	enum order_status	st;
	enum payment_event	ev;
	char			event_id[WEBHOOK_EVENT_ID_MAX + 1];
	uint64_t		id;
	int64_t			qty;

	switch (w) {
	case V_PRODUCT_CREATE:
		if (validate_product_create(o, &p, err) == -1)
			return -1;
		if (p.price_cents <= 0 || p.price_cents > INV_PRICE_MAX_CENTS ||
		    p.stock < 0 || p.stock > INV_STOCK_MAX ||
		    strlen(p.sku) == 0 || strlen(p.name) == 0)
			abort();
		return 0;
	case V_PRODUCT_PATCH:
		if (validate_product_patch(o, &pp, err) == -1)
			return -1;
		if ((pp.has_stock && (pp.stock < 0 ||
		    pp.stock > INV_STOCK_MAX)) || (pp.has_price &&
		    pp.price_cents <= 0))
			abort();
		return 0;
	case V_ORDER_CREATE:
		if (validate_order_create(o, &id, &qty, err) == -1)
			return -1;
		if (id == 0 || qty <= 0 || qty > INV_QUANTITY_MAX)
			abort();
		return 0;
	case V_ORDER_UPDATE:
		if (validate_order_update(o, &st, err) == -1)
			return -1;
		if (order_status_name(st) == NULL)
			abort();
		return 0;
	default:
		if (validate_webhook(o, event_id, &ev, &id, err) == -1)
			return -1;
		if (strlen(event_id) == 0 || id == 0 ||
		    payment_event_name(ev) == NULL)
			abort();
		return 0;
	}
}

static int
check_text(enum which w, const char *s, struct inv_error *err)
{
	enum order_status	st;
	uint64_t		id;
	int64_t			v;

	switch (w) {
	case V_ID:
		if (validate_id("id", s, &id, err) == 0 &&
		    (id == 0 || id > INT64_MAX))
			abort();
		return 0;
	case V_INT:
		if (validate_int("n", s, -5, 1000, &v, err) == 0 &&
		    (v < -5 || v > 1000))
			abort();
		return 0;
	case V_PRICE:
		if (validate_price("price", s, &v, err) == 0 && v <= 0)
			abort();
		return 0;
	case V_STATUS:
		if (validate_status("status", s, &st, err) == 0 &&
		    order_status_name(st) == NULL)
			abort();
		return 0;
	case V_SKU:
		return validate_sku(s, strlen(s), err);
	default:
		return validate_name(s, strlen(s), err);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*o = NULL;
	struct inv_error	 err;
	enum which		 w;
	char			*s;

	if (size == 0)
		return 0;
	w = (enum which)(data[0] % V_N);
	data++;
	size--;
	inv_error_clear(&err);
	if (w <= V_WEBHOOK) {
		if (json_parse_strict((const char *)data, size, &o, &err) == 0) {
			inv_error_clear(&err);
			if (check_body(w, o, &err) == -1 &&
			    err.detail[0] == '\0')
				abort();
		}
		json_object_put(o);
		return 0;
	}
	if ((s = strndup((const char *)data, size)) == NULL)
		return 0;
	if (check_text(w, s, &err) == -1 && err.detail[0] == '\0')
		abort();
	free(s);
	return 0;
}
