/*
 * Field rules, written once for invd (request bodies, paths, queries) and
 * invctl (command-line arguments). Each check names the field in its detail.
 */
#ifndef INV_VALIDATE_H
#define INV_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "common/errors.h"
#include "common/model.h"

/* SKU: 1..INV_SKU_MAX bytes of UTF-8, no whitespace or control chars. */
int	validate_sku(const char *, size_t, struct inv_error *);
/* Name: 1..INV_NAME_MAX bytes of UTF-8, not blank, no control chars. */
int	validate_name(const char *, size_t, struct inv_error *);

/*
 * Request bodies. Each refuses a non-object, unknown fields, nulls, wrong
 * types and out-of-range values with INV_EINVALID (422).
 */
int	validate_product_create(struct json_object *, struct product *,
	    struct inv_error *);
int	validate_product_patch(struct json_object *, struct product_patch *,
	    struct inv_error *);
int	validate_order_create(struct json_object *, uint64_t *, int64_t *,
	    struct inv_error *);
int	validate_order_update(struct json_object *, enum order_status *,
	    struct inv_error *);

/*
 * A payment webhook body: event_id (1..255 bytes, no control chars), type
 * (payment.succeeded or payment.failed), order_id, optional created.
 * event_id is copied into a buffer of WEBHOOK_EVENT_ID_MAX + 1 bytes.
 */
int	validate_webhook(struct json_object *, char *, enum payment_event *,
	    uint64_t *, struct inv_error *);

/*
 * Text arguments (path segments, query values, CLI arguments).
 * validate_id: decimal digits only, 1..INT64_MAX.
 * validate_int: an optional '-' and digits, within [min, max].
 * validate_price: a plain decimal ("9.99"), > 0, at most 2 decimals.
 * validate_status: an exact status name.
 * All fill a detail naming field and return -1 with INV_EINVALID.
 */
int	validate_id(const char *, const char *, uint64_t *, struct inv_error *);
int	validate_int(const char *, const char *, int64_t, int64_t, int64_t *,
	    struct inv_error *);
int	validate_price(const char *, const char *, int64_t *,
	    struct inv_error *);
int	validate_status(const char *, const char *, enum order_status *,
	    struct inv_error *);

#endif
