/*
 * The router: a plain request in, a plain response out, no network. The
 * edge (server.c) fills struct request from evhttp; unit tests and fuzzers
 * fill it by hand.
 */
#ifndef INV_ROUTER_H
#define INV_ROUTER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "common/errors.h"

struct store;

enum http_method {
	METHOD_GET = 0,
	METHOD_POST,
	METHOD_PUT,
	METHOD_DELETE,
	METHOD_PATCH,
	METHOD_HEAD,
	METHOD_OPTIONS,
	METHOD_OTHER,
	METHOD_N
};

struct param {
	char	*key;
	char	*value;
};

struct secrets;

/*
 * What the handlers share: the store, secrets, settings. Write handlers
 * run on the writer thread: they read the settings a reload changes only
 * while holding lock shared; a reload changes them holding it exclusive.
 */
struct app {
	struct store	*store;
	size_t		 max_body;
	struct secrets	*secrets;		/* webhook secrets; may be empty */
	int64_t		 webhook_tolerance;	/* seconds */
	int64_t		 webhook_retention;	/* seconds */
	pthread_rwlock_t lock;
};

struct request {
	enum http_method	 method;
	const char		*path;		/* without the query */
	const struct param	*query;		/* decoded, in order */
	size_t			 nquery;
	const char		*content_type;	/* NULL when absent */
	const struct param	*headers;	/* as received, in order */
	size_t			 nheaders;
	const char		*body;		/* not NUL terminated */
	size_t			 body_len;
	uint64_t		 id;		/* {id} from the path */
	struct json_object	*json;		/* parsed body, borrowed */
};

/* What a handler saw that metrics count; set by the handler, if any. */
enum outcome {
	OUTCOME_NONE = 0,
	OUTCOME_STOCKOUT,		/* POST /orders: insufficient stock */
	OUTCOME_WEBHOOK_PROCESSED,
	OUTCOME_WEBHOOK_DUPLICATE,
	OUTCOME_WEBHOOK_UNCONFIGURED,	/* rejected: no secret */
	OUTCOME_WEBHOOK_NO_SIGNATURE,
	OUTCOME_WEBHOOK_BAD_SIGNATURE,
	OUTCOME_WEBHOOK_BAD_BODY,	/* malformed or invalid fields */
	OUTCOME_WEBHOOK_NO_ORDER,
	OUTCOME_WEBHOOK_NOT_PENDING,
	OUTCOME_WEBHOOK_ERROR,		/* storage full or failed */
	OUTCOME_N
};

struct response {
	int			 status;
	struct json_object	*json;		/* owned; NULL: no body */
	char			*location;	/* owned header values */
	char			*link;
	char			 allow[64];
	/* A body that is not JSON: raw_len bytes of type raw_type. */
	const char		*raw;		/* borrowed, or raw_owned */
	char			*raw_owned;	/* freed by response_free() */
	size_t			 raw_len;
	const char		*raw_type;
	const char		*route;		/* the pattern matched, or NULL */
	enum outcome		 outcome;
};

/* A route's handler; -1 with err filled, which the router answers. */
typedef int (*handler_fn)(struct app *, const struct request *,
    struct response *, struct inv_error *);

enum route_body {
	BODY_NONE = 0,
	BODY_JSON,		/* parsed strictly by the router */
	BODY_RAW		/* type-checked; the handler reads the bytes */
};

struct route {
	enum http_method	 method;
	const char		*pattern;	/* "/orders/{id}" */
	handler_fn		 handler;
	enum route_body		 body;
};

/* routes.c */
extern const struct route	routes[];

/* router.c */
/*
 * Route req and fill resp (always: a status and, but for 204, a JSON
 * body or a raw one with its type; the pattern matched, if any). The
 * caller frees resp with response_free(). The same as router_match()
 * then router_call().
 */
void	router_dispatch(struct app *, struct request *, struct response *);
/*
 * Find req's route and check what the table says of it: {id}, the
 * Content-Type, the size, a JSON body (parsed into req->json, which the
 * caller then owns). NULL when resp already holds the answer.
 */
const struct route *router_match(struct app *, struct request *,
	    struct response *);
/* Run the route's handler; a failure becomes a {"detail"} reply. */
void	router_call(struct app *, const struct route *,
	    const struct request *, struct response *);
/* Whether the route changes the store (it then goes to the writer). */
int	route_writes(const struct route *);
void	response_free(struct response *);
/* Fill resp with {"detail": ...} and the status for err. */
void	response_error(struct response *, const struct inv_error *);
/* Method name <-> enum. */
const char *method_name(enum http_method);
enum http_method method_parse(const char *);
/* The last value given for a query key, or NULL. Borrowed. */
const char *request_query(const struct request *, const char *);
/* The first value of a header (name case-insensitive), or NULL. */
const char *request_header(const struct request *, const char *);

/* h_health.c */
int	h_health(struct app *, const struct request *, struct response *,
	    struct inv_error *);

/* h_products.c */
int	h_products_list(struct app *, const struct request *,
	    struct response *, struct inv_error *);
int	h_products_create(struct app *, const struct request *,
	    struct response *, struct inv_error *);
int	h_products_get(struct app *, const struct request *,
	    struct response *, struct inv_error *);
int	h_products_update(struct app *, const struct request *,
	    struct response *, struct inv_error *);
int	h_products_delete(struct app *, const struct request *,
	    struct response *, struct inv_error *);

/* h_orders.c */
int	h_orders_list(struct app *, const struct request *, struct response *,
	    struct inv_error *);
int	h_orders_create(struct app *, const struct request *,
	    struct response *, struct inv_error *);
int	h_orders_get(struct app *, const struct request *, struct response *,
	    struct inv_error *);
int	h_orders_update(struct app *, const struct request *,
	    struct response *, struct inv_error *);
int	h_orders_delete(struct app *, const struct request *,
	    struct response *, struct inv_error *);

/* h_docs.c */
int	h_openapi(struct app *, const struct request *, struct response *,
	    struct inv_error *);
int	h_docs(struct app *, const struct request *, struct response *,
	    struct inv_error *);

/* h_metrics.c */
int	h_metrics(struct app *, const struct request *, struct response *,
	    struct inv_error *);

/* h_webhooks.c */
int	h_webhooks_payment(struct app *, const struct request *,
	    struct response *, struct inv_error *);
/* Forget old event ids in one bounded batch; returns how many. */
size_t	webhooks_prune(struct app *, size_t);

/* Shared by the list handlers: limit and after from the query. */
int	list_params(const struct request *, size_t *, uint64_t *,
	    struct inv_error *);
/*
 * Answer 200 with n items (each size bytes, encoded by encode) as a JSON
 * array and, when more remain, a Link to the page after last_id that keeps
 * the request's other query parameters. -1 on allocation failure.
 */
typedef struct json_object *(*list_encode_fn)(const void *);
int	list_reply(const struct request *, struct response *, const void *,
	    size_t, size_t, list_encode_fn, int, size_t, uint64_t,
	    struct inv_error *);

#endif
