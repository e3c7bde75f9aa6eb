/*
 * The order commands: create, list, get, delete, and pay, ship and cancel,
 * which share one handler since each only sets a status.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "common/model.h"
#include "common/util.h"
#include "invctl/client.h"
#include "invctl/commands.h"
#include "invctl/output.h"

static const char *const order_cols[] = {
	"id", "product_id", "quantity", "status", "created_at", NULL
};

/* The status each moving verb sets. */
static const struct {
	const char		*verb;
	enum order_status	 to;
} order_moves[] = {
	{ "pay", ORDER_PAID },
	{ "ship", ORDER_SHIPPED },
	{ "cancel", ORDER_CANCELED },
};

enum cmd_retval
cmd_order_create(struct cmd_ctx *ctx)
{
	char	body[128];

	snprintf(body, sizeof body, "{\"product_id\":%" PRIu64
	    ",\"quantity\":%" PRId64 "}", cmd_arg(ctx, "product")->id,
	    cmd_arg(ctx, "quantity")->num);
	return out_call(ctx, "POST", "/orders", body, NULL);
}

enum cmd_retval
cmd_order_list(struct cmd_ctx *ctx)
{
	const struct arg_value	*v;
	struct buf		 path = BUF_INIT;
	enum cmd_retval		 rv;
	char			 sep = '?';

	buf_add(&path, "/orders", 7);
	if ((v = cmd_arg(ctx, "status")) != NULL) {
		buf_printf(&path, "%cstatus=%s", sep,
		    order_status_name(v->status));
		sep = '&';
	}
	if ((v = cmd_arg(ctx, "product")) != NULL) {
		buf_printf(&path, "%cproduct_id=%" PRIu64, sep, v->id);
		sep = '&';
	}
	if ((v = cmd_arg(ctx, "limit")) != NULL) {
		buf_printf(&path, "%climit=%" PRId64, sep, v->num);
		sep = '&';
	}
	if ((v = cmd_arg(ctx, "after")) != NULL)
		buf_printf(&path, "%cafter=%" PRIu64, sep, v->id);
	if (path.data == NULL) {
		out_error(ctx->ctl, "out of memory");
		return CMD_REFUSED;
	}
	rv = out_list(ctx, buf_str(&path), cmd_arg(ctx, "all") != NULL,
	    order_cols);
	buf_free(&path);
	return rv;
}

enum cmd_retval
cmd_order_get(struct cmd_ctx *ctx)
{
	char	path[64];

	snprintf(path, sizeof path, "/orders/%" PRIu64,
	    cmd_arg(ctx, "ID")->id);
	return out_call(ctx, "GET", path, NULL, NULL);
}

enum cmd_retval
cmd_order_move(struct cmd_ctx *ctx)
{
	char	path[64], body[64];
	size_t	i;

	for (i = 0; i < sizeof order_moves / sizeof order_moves[0]; i++)
		if (strcmp(order_moves[i].verb, ctx->entry->verb) == 0)
			break;
	if (i == sizeof order_moves / sizeof order_moves[0]) {
		out_error(ctx->ctl, "no status for 'order %s'",
		    ctx->entry->verb);
		return CMD_USAGE;
	}
	snprintf(path, sizeof path, "/orders/%" PRIu64,
	    cmd_arg(ctx, "ID")->id);
	snprintf(body, sizeof body, "{\"status\":\"%s\"}",
	    order_status_name(order_moves[i].to));
	return out_call(ctx, "PUT", path, body, NULL);
}

/*
 * DELETE cancels a live order (restoring its stock) and removes a CANCELED
 * one, answering 204 both times: look first, so the message says which.
 */
enum cmd_retval
cmd_order_delete(struct cmd_ctx *ctx)
{
	struct client_reply	 reply;
	struct json_object	*obj = NULL, *st;
	char			 path[64], done[128];
	uint64_t		 id = cmd_arg(ctx, "ID")->id;
	enum cmd_retval		 rv;
	int			 canceled = 0;

	snprintf(path, sizeof path, "/orders/%" PRIu64, id);
	client_reply_init(&reply);
	rv = out_request(ctx, "GET", path, NULL, &reply);
	if (rv == CMD_OK && json_parse_strict(reply.body.data, reply.body.len,
	    &obj, &(struct inv_error){ 0 }) == 0 &&
	    json_object_object_get_ex(obj, "status", &st))
		canceled = strcmp(json_object_get_string(st), "CANCELED") == 0;
	json_object_put(obj);
	client_reply_deinit(&reply);
	if (rv != CMD_OK)
		return rv;
	if (canceled)
		snprintf(done, sizeof done, "Deleted order %" PRIu64 ".", id);
	else
		snprintf(done, sizeof done, "Canceled order %" PRIu64 " and "
		    "restored its stock; delete it again to remove it.", id);
	return out_call(ctx, "DELETE", path, NULL, done);
}
