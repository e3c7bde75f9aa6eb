/*
 * The wire types: products and orders, order statuses and the transitions
 * allowed between them.
 */
#ifndef INV_MODEL_H
#define INV_MODEL_H

#include <stdint.h>

#include "common/api.h"

enum order_status {
	ORDER_PENDING = 0,
	ORDER_PAID,
	ORDER_SHIPPED,
	ORDER_CANCELED,
	ORDER_NSTATUS
};

struct product {
	uint64_t	id;
	char		sku[INV_SKU_MAX + 1];
	char		name[INV_NAME_MAX + 1];
	int64_t		price_cents;
	int64_t		stock;
};

struct order {
	uint64_t		id;
	uint64_t		product_id;
	int64_t			quantity;
	enum order_status	status;
	int64_t			created_at;	/* unix time, microseconds */
};

/*
 * A partial product update: only the fields whose has_ flag is set change.
 */
struct product_patch {
	int		has_sku, has_name, has_price, has_stock;
	char		sku[INV_SKU_MAX + 1];
	char		name[INV_NAME_MAX + 1];
	int64_t		price_cents;
	int64_t		stock;
};

/* Payment webhook events and what each does to a PENDING order. */
enum payment_event {
	PAYMENT_SUCCEEDED = 0,	/* -> PAID */
	PAYMENT_FAILED,		/* -> CANCELED, stock restored */
	PAYMENT_NEVENTS
};

#define WEBHOOK_EVENT_ID_MAX	255	/* bytes */

/* "PENDING", "PAID", ... or NULL for a value out of range. */
const char	*order_status_name(enum order_status);
/* Parse an exact upper-case status name; 0 on success, -1 if unknown. */
int		 order_status_parse(const char *, enum order_status *);
/* Whether from -> to is allowed. Same-state moves are not. */
int		 order_transition_ok(enum order_status, enum order_status);
/* Whether an order in this status holds stock (not CANCELED). */
int		 order_status_holds_stock(enum order_status);
/* "payment.succeeded" / "payment.failed"; parse returns -1 if unknown. */
const char	*payment_event_name(enum payment_event);
int		 payment_event_parse(const char *, enum payment_event *);
/* The status a payment event moves a PENDING order to. */
enum order_status payment_event_status(enum payment_event);

#endif
