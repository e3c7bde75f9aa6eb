/*
 * Order status names and the one table of allowed transitions.
 */
#include <string.h>

#include "common/model.h"

static const char *order_status_names[ORDER_NSTATUS] = {
	[ORDER_PENDING] = "PENDING",
	[ORDER_PAID] = "PAID",
	[ORDER_SHIPPED] = "SHIPPED",
	[ORDER_CANCELED] = "CANCELED",
};

/* [from][to]: the seed's lifecycle. Nothing leaves SHIPPED or CANCELED. */
static const unsigned char order_transitions[ORDER_NSTATUS][ORDER_NSTATUS] = {
	[ORDER_PENDING] = { [ORDER_PAID] = 1, [ORDER_CANCELED] = 1 },
	[ORDER_PAID] = { [ORDER_SHIPPED] = 1, [ORDER_CANCELED] = 1 },
};

const char *
order_status_name(enum order_status s)
{
	if ((int)s < 0 || s >= ORDER_NSTATUS)
		return NULL;
	return order_status_names[s];
}

int
order_status_parse(const char *name, enum order_status *out)
{
	int	i;

	for (i = 0; i < ORDER_NSTATUS; i++) {
		if (strcmp(name, order_status_names[i]) == 0) {
			*out = (enum order_status)i;
			return 0;
		}
	}
	return -1;
}

int
order_transition_ok(enum order_status from, enum order_status to)
{
	if ((int)from < 0 || from >= ORDER_NSTATUS ||
	    (int)to < 0 || to >= ORDER_NSTATUS)
		return 0;
	return order_transitions[from][to];
}

int
order_status_holds_stock(enum order_status s)
{
	return s != ORDER_CANCELED;
}

static const char *payment_event_names[PAYMENT_NEVENTS] = {
	[PAYMENT_SUCCEEDED] = "payment.succeeded",
	[PAYMENT_FAILED] = "payment.failed",
};

const char *
payment_event_name(enum payment_event e)
{
	if ((int)e < 0 || e >= PAYMENT_NEVENTS)
		return NULL;
	return payment_event_names[e];
}

int
payment_event_parse(const char *name, enum payment_event *out)
{
	int	i;

	for (i = 0; i < PAYMENT_NEVENTS; i++) {
		if (strcmp(name, payment_event_names[i]) == 0) {
			*out = (enum payment_event)i;
			return 0;
		}
	}
	return -1;
}

enum order_status
payment_event_status(enum payment_event e)
{
	return e == PAYMENT_SUCCEEDED ? ORDER_PAID : ORDER_CANCELED;
}
