/*
 * Strict JSON (RFC 8259) reading into json-c objects, and the writers for
 * products, orders, prices and errors.
 */
#ifndef INV_JSON_H
#define INV_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "common/errors.h"
#include "common/model.h"

/*
 * Parse exactly one JSON document of len bytes. Refuses what json-c lets
 * through: NaN and Infinity, single quotes, "1.", raw control characters,
 * invalid UTF-8, trailing text and nesting deeper than INV_JSON_DEPTH.
 * Numbers keep their source text (json_object_to_json_string() returns it)
 * and an integer beyond int64 becomes a double, so range checks see it.
 * On success *out is a new reference the caller puts; on failure returns -1
 * with INV_EBADREQ and a detail naming the byte offset.
 */
int	 json_parse_strict(const char *, size_t, struct json_object **,
	    struct inv_error *);

/*
 * Prices are integer cents on disk. Parse a decimal number's text
 * ("99.99", "1e2", "10.500") exactly into cents; -1 with INV_EINVALID and
 * a detail naming field when it has more than 2 decimals, is not > 0 or is
 * beyond INV_PRICE_MAX_CENTS.
 */
int	 json_price_text(const char *, const char *, int64_t *,
	    struct inv_error *);
/* Format cents the way Python prints a float: 99.99, 10.5, 10.0. */
void	 json_price_format(int64_t, char *, size_t);
/* A JSON number whose text is the exact price. New reference. */
struct json_object *json_price_new(int64_t);

/* ISO-8601 UTC with microseconds, e.g. 2026-11-27T12:00:00.123456Z. */
void	 json_time_format(int64_t, char *, size_t);

/* New objects for the API's shapes. NULL on allocation failure. */
struct json_object *json_product_new(const struct product *);
struct json_object *json_order_new(const struct order *);

/*
 * Add val to obj under key. obj takes val, or val is put on failure, so a
 * NULL from a json_object_new_*() call can be passed straight in. 0 or -1.
 */
int	 json_add(struct json_object *, const char *, struct json_object *);

/* Serialise compactly; the string belongs to obj. */
const char *json_dump(struct json_object *, size_t *);

/* {"detail": "..."} as a heap string the caller frees; NULL on OOM. */
char	*json_error_body(const char *);

#endif
