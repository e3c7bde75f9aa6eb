/*
 * Field rules for products, orders and ids, shared by invd and invctl so a
 * value is judged the same way on both sides.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/api.h"
#include "common/json.h"
#include "common/util.h"
#include "common/validate.h"

static int
has_control(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

int
validate_sku(const char *s, size_t len, struct inv_error *err)
{
	size_t	i;

	if (len == 0)
		return inv_error_set(err, INV_EINVALID,
		    "sku must not be empty");
	if (len > INV_SKU_MAX)
		return inv_error_set(err, INV_EINVALID,
		    "sku must be at most %d bytes", INV_SKU_MAX);
	if (!utf8_valid(s, len))
		return inv_error_set(err, INV_EINVALID,
		    "sku must be valid UTF-8");
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return inv_error_set(err, INV_EINVALID,
			    "sku must not contain whitespace or control "
			    "characters");
	return 0;
}

int
validate_name(const char *s, size_t len, struct inv_error *err)
{
	size_t	i;

	for (i = 0; i < len && s[i] == ' '; i++)
		;
	if (i == len)
		return inv_error_set(err, INV_EINVALID,
		    "name must not be empty");
	if (len > INV_NAME_MAX)
		return inv_error_set(err, INV_EINVALID,
		    "name must be at most %d bytes", INV_NAME_MAX);
	if (!utf8_valid(s, len))
		return inv_error_set(err, INV_EINVALID,
		    "name must be valid UTF-8");
	if (has_control(s, len))
		return inv_error_set(err, INV_EINVALID,
		    "name must not contain control characters");
	return 0;
}

/* Fail on any member of obj not listed in the NULL-terminated names. */
static int
check_fields(struct json_object *obj, const char *const *names,
    struct inv_error *err)
{
	size_t	i;

	if (!json_object_is_type(obj, json_type_object))
		return inv_error_set(err, INV_EINVALID,
		    "Request body must be a JSON object");
	json_object_object_foreach(obj, key, val) {
		(void)val;
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(key, names[i]) == 0)
				break;
		if (names[i] == NULL)
			return inv_error_set(err, INV_EINVALID,
			    "Unknown field: %.64s", key);
	}
	return 0;
}

/*
 * Look up a member. Returns 1 when present (and not null), 0 when absent;
 * -1 when present but null, or absent and required.
 */
static int
get_field(struct json_object *obj, const char *name, int required,
    struct json_object **out, struct inv_error *err)
{
	if (!json_object_object_get_ex(obj, name, out)) {
		if (required)
			return inv_error_set(err, INV_EINVALID,
			    "%s is required", name);
		return 0;
	}
	if (*out == NULL)
		return inv_error_set(err, INV_EINVALID,
		    "%s must not be null", name);
	return 1;
}

static int
get_string(struct json_object *v, const char *name, const char **s,
    size_t *len, struct inv_error *err)
{
	if (!json_object_is_type(v, json_type_string))
		return inv_error_set(err, INV_EINVALID,
		    "%s must be a string", name);
	*s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	return 0;
}

/*
 * An integer member within [min, max]. json.c turned anything beyond int64
 * into a double, so a double here is a fraction or out of range.
 */
static int
get_int(struct json_object *v, const char *name, int64_t min, int64_t max,
    int64_t *out, struct inv_error *err)
{
	int64_t	n;

	if (json_object_is_type(v, json_type_int)) {
		n = json_object_get_int64(v);
		if (n >= min && n <= max) {
			*out = n;
			return 0;
		}
	} else if (!json_object_is_type(v, json_type_double))
		return inv_error_set(err, INV_EINVALID,
		    "%s must be an integer", name);
	return inv_error_set(err, INV_EINVALID,
	    "%s must be an integer between %lld and %lld", name,
	    (long long)min, (long long)max);
}

static int
get_price(struct json_object *v, const char *name, int64_t *cents,
    struct inv_error *err)
{
	int64_t	n;

	if (json_object_is_type(v, json_type_int)) {
		n = json_object_get_int64(v);
		if (n <= 0)
			return inv_error_set(err, INV_EINVALID,
			    "%s must be greater than 0", name);
		if (n > INV_PRICE_MAX_CENTS / 100)
			return inv_error_set(err, INV_EINVALID,
			    "%s must be at most 999999999999.99", name);
		*cents = n * 100;
		return 0;
	}
	if (!json_object_is_type(v, json_type_double))
		return inv_error_set(err, INV_EINVALID,
		    "%s must be a number", name);
	/* The parser kept the source text: judge the digits, not a double. */
	return json_price_text(name, json_object_to_json_string(v), cents,
	    err);
}

static int
field_sku(struct json_object *v, char *out, struct inv_error *err)
{
	const char	*s = "";
	size_t		 len = 0;

	if (get_string(v, "sku", &s, &len, err) == -1 ||
	    validate_sku(s, len, err) == -1)
		return -1;
	memcpy(out, s, len + 1);
	return 0;
}

static int
field_name(struct json_object *v, char *out, struct inv_error *err)
{
	const char	*s = "";
	size_t		 len = 0;

	if (get_string(v, "name", &s, &len, err) == -1 ||
	    validate_name(s, len, err) == -1)
		return -1;
	memcpy(out, s, len + 1);
	return 0;
}

static const char *const product_fields[] = {
	"sku", "name", "price", "stock", NULL
};

int
validate_product_create(struct json_object *body, struct product *p,
    struct inv_error *err)
{
	struct json_object	*v = NULL;

	memset(p, 0, sizeof *p);
	if (check_fields(body, product_fields, err) == -1)
		return -1;
	if (get_field(body, "sku", 1, &v, err) == -1 ||
	    field_sku(v, p->sku, err) == -1)
		return -1;
	if (get_field(body, "name", 1, &v, err) == -1 ||
	    field_name(v, p->name, err) == -1)
		return -1;
	if (get_field(body, "price", 1, &v, err) == -1 ||
	    get_price(v, "price", &p->price_cents, err) == -1)
		return -1;
	if (get_field(body, "stock", 1, &v, err) == -1 ||
	    get_int(v, "stock", 0, INV_STOCK_MAX, &p->stock, err) == -1)
		return -1;
	return 0;
}

int
validate_product_patch(struct json_object *body, struct product_patch *pp,
    struct inv_error *err)
{
	struct json_object	*v = NULL;
	int			 r;

	memset(pp, 0, sizeof *pp);
	if (check_fields(body, product_fields, err) == -1)
		return -1;
	if ((r = get_field(body, "sku", 0, &v, err)) == -1 ||
	    (r == 1 && field_sku(v, pp->sku, err) == -1))
		return -1;
	pp->has_sku = r;
	if ((r = get_field(body, "name", 0, &v, err)) == -1 ||
	    (r == 1 && field_name(v, pp->name, err) == -1))
		return -1;
	pp->has_name = r;
	if ((r = get_field(body, "price", 0, &v, err)) == -1 ||
	    (r == 1 && get_price(v, "price", &pp->price_cents, err) == -1))
		return -1;
	pp->has_price = r;
	if ((r = get_field(body, "stock", 0, &v, err)) == -1 ||
	    (r == 1 && get_int(v, "stock", 0, INV_STOCK_MAX, &pp->stock,
	    err) == -1))
		return -1;
	pp->has_stock = r;
	return 0;
}

static const char *const order_fields[] = { "product_id", "quantity", NULL };

int
validate_order_create(struct json_object *body, uint64_t *product_id,
    int64_t *quantity, struct inv_error *err)
{
	struct json_object	*v = NULL;
	int64_t			 id;

	if (check_fields(body, order_fields, err) == -1)
		return -1;
	if (get_field(body, "product_id", 1, &v, err) == -1 ||
	    get_int(v, "product_id", 1, INT64_MAX, &id, err) == -1)
		return -1;
	if (get_field(body, "quantity", 1, &v, err) == -1 ||
	    get_int(v, "quantity", 1, INV_QUANTITY_MAX, quantity, err) == -1)
		return -1;
	*product_id = (uint64_t)id;
	return 0;
}

static const char *const order_update_fields[] = { "status", NULL };

int
validate_order_update(struct json_object *body, enum order_status *to,
    struct inv_error *err)
{
	struct json_object	*v = NULL;
	const char		*s = "";
	size_t			 len = 0;

	if (check_fields(body, order_update_fields, err) == -1)
		return -1;
	if (get_field(body, "status", 1, &v, err) == -1 ||
	    get_string(v, "status", &s, &len, err) == -1)
		return -1;
	if (strlen(s) != len)
		return validate_status("status", "", to, err);
	return validate_status("status", s, to, err);
}

static const char *const webhook_fields[] = {
	"event_id", "type", "order_id", "created", NULL
};

int
validate_webhook(struct json_object *body, char *event_id,
    enum payment_event *type, uint64_t *order_id, struct inv_error *err)
{
	struct json_object	*v = NULL;
	const char		*s = "";
	size_t			 len = 0;
	int64_t			 n;
	int			 r;

	if (check_fields(body, webhook_fields, err) == -1)
		return -1;
	if (get_field(body, "event_id", 1, &v, err) == -1 ||
	    get_string(v, "event_id", &s, &len, err) == -1)
		return -1;
	if (len == 0 || len > WEBHOOK_EVENT_ID_MAX || has_control(s, len) ||
	    !utf8_valid(s, len))
		return inv_error_set(err, INV_EINVALID, "event_id must be 1 to "
		    "%d bytes of text without control characters",
		    WEBHOOK_EVENT_ID_MAX);
	memcpy(event_id, s, len + 1);
	if (get_field(body, "type", 1, &v, err) == -1 ||
	    get_string(v, "type", &s, &len, err) == -1)
		return -1;
	if (strlen(s) != len || payment_event_parse(s, type) == -1)
		return inv_error_set(err, INV_EINVALID, "type must be "
		    "payment.succeeded or payment.failed");
	if (get_field(body, "order_id", 1, &v, err) == -1 ||
	    get_int(v, "order_id", 1, INT64_MAX, &n, err) == -1)
		return -1;
	*order_id = (uint64_t)n;
	if ((r = get_field(body, "created", 0, &v, err)) == -1 ||
	    (r == 1 && get_int(v, "created", 0, INT64_MAX, &n, err) == -1))
		return -1;
	return 0;
}

int
validate_id(const char *field, const char *s, uint64_t *out,
    struct inv_error *err)
{
	int64_t	v;

	if (validate_int(field, s, 1, INT64_MAX, &v, err) == -1)
		return inv_error_set(err, INV_EINVALID,
		    "%s must be a positive integer", field);
	*out = (uint64_t)v;
	return 0;
}

int
validate_int(const char *field, const char *s, int64_t min, int64_t max,
    int64_t *out, struct inv_error *err)
{
	const char	*p = s;
	char		*end;
	long long	 v;

	if (*p == '-')
		p++;
	if (*p == '\0')
		goto bad;
	for (; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			goto bad;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	return inv_error_set(err, INV_EINVALID,
	    "%s must be an integer between %lld and %lld", field,
	    (long long)min, (long long)max);
}

int
validate_price(const char *field, const char *s, int64_t *cents,
    struct inv_error *err)
{
	const char	*p = s;

	/* Plain decimals only on the command line: no signs, no exponents. */
	if (*p == '\0')
		return inv_error_set(err, INV_EINVALID,
		    "%s must be a number", field);
	for (; *p != '\0'; p++)
		if ((*p < '0' || *p > '9') && *p != '.')
			return inv_error_set(err, INV_EINVALID,
			    "%s must be a number", field);
	return json_price_text(field, s, cents, err);
}

int
validate_status(const char *field, const char *s, enum order_status *out,
    struct inv_error *err)
{
	if (order_status_parse(s, out) == -1)
		return inv_error_set(err, INV_EINVALID,
		    "%s must be one of PENDING, PAID, SHIPPED, CANCELED",
		    field);
	return 0;
}
