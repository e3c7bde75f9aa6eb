/*
 * The route table: one row per endpoint. The router finds handlers, 404s
 * and 405s with Allow from these rows alone.
 */
#include <stddef.h>

#include "invd/router.h"

const struct route routes[] = {
	{ METHOD_GET,	 "/health",		h_health,		BODY_NONE },

	{ METHOD_GET,	 "/products",		h_products_list,	BODY_NONE },
	{ METHOD_POST,	 "/products",		h_products_create,	BODY_JSON },
	{ METHOD_GET,	 "/products/{id}",	h_products_get,		BODY_NONE },
	{ METHOD_PUT,	 "/products/{id}",	h_products_update,	BODY_JSON },
	{ METHOD_DELETE, "/products/{id}",	h_products_delete,	BODY_NONE },

	{ METHOD_GET,	 "/orders",		h_orders_list,		BODY_NONE },
	{ METHOD_POST,	 "/orders",		h_orders_create,	BODY_JSON },
	{ METHOD_GET,	 "/orders/{id}",	h_orders_get,		BODY_NONE },
	{ METHOD_PUT,	 "/orders/{id}",	h_orders_update,	BODY_JSON },
	{ METHOD_DELETE, "/orders/{id}",	h_orders_delete,	BODY_NONE },

	{ METHOD_POST,	 "/webhooks/payment",	h_webhooks_payment,	BODY_RAW },

	{ METHOD_GET,	 "/openapi.json",	h_openapi,		BODY_NONE },
	{ METHOD_GET,	 "/docs",		h_docs,			BODY_NONE },
	{ METHOD_GET,	 "/metrics",		h_metrics,		BODY_NONE },

	{ METHOD_N,	 NULL,			NULL,			0 }
};
