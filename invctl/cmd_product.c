/*
 * The product commands: add, list, get (by id or SKU), update, delete.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "common/json.h"
#include "common/util.h"
#include "invctl/commands.h"
#include "invctl/output.h"

static const char *const product_cols[] = {
	"id", "sku", "name", "price", "stock", NULL
};

/*
 * A product body from whichever of --sku, --name, --price, --stock were
 * given. The caller frees the string; NULL on allocation failure.
 */
static char *
product_body(const struct cmd_ctx *ctx)
{
	const struct arg_value	*v;
	struct json_object	*obj, *val;
	char			*text = NULL;
	int			 bad = 0;

	if ((obj = json_object_new_object()) == NULL)
		return NULL;
	if ((v = cmd_arg(ctx, "sku")) != NULL) {
		val = json_object_new_string(v->str);
		bad |= val == NULL || json_object_object_add(obj, "sku", val);
	}
	if ((v = cmd_arg(ctx, "name")) != NULL) {
		val = json_object_new_string(v->str);
		bad |= val == NULL || json_object_object_add(obj, "name", val);
	}
	if ((v = cmd_arg(ctx, "price")) != NULL) {
		/* The price's text is exact cents: 9.99 stays 9.99. */
		val = json_price_new(v->num);
		bad |= val == NULL || json_object_object_add(obj, "price", val);
	}
	if ((v = cmd_arg(ctx, "stock")) != NULL) {
		val = json_object_new_int64(v->num);
		bad |= val == NULL || json_object_object_add(obj, "stock", val);
	}
	if (!bad)
		text = strdup(json_object_to_json_string_ext(obj,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
	return text;
}

static enum cmd_retval
out_of_memory(struct cmd_ctx *ctx)
{
	out_error(ctx->ctl, "out of memory");
	return CMD_REFUSED;
}

enum cmd_retval
cmd_product_add(struct cmd_ctx *ctx)
{
	enum cmd_retval	 rv;
	char		*body;

	if ((body = product_body(ctx)) == NULL)
		return out_of_memory(ctx);
	rv = out_call(ctx, "POST", "/products", body, NULL);
	free(body);
	return rv;
}

enum cmd_retval
cmd_product_list(struct cmd_ctx *ctx)
{
	const struct arg_value	*v;
	struct buf		 path = BUF_INIT;
	enum cmd_retval		 rv;
	char			 sep = '?';

	buf_add(&path, "/products", 9);
	if ((v = cmd_arg(ctx, "limit")) != NULL) {
		buf_printf(&path, "%climit=%" PRId64, sep, v->num);
		sep = '&';
	}
	if ((v = cmd_arg(ctx, "after")) != NULL)
		buf_printf(&path, "%cafter=%" PRIu64, sep, v->id);
	if (path.data == NULL)
		return out_of_memory(ctx);
	rv = out_list(ctx, buf_str(&path), cmd_arg(ctx, "all") != NULL,
	    product_cols);
	buf_free(&path);
	return rv;
}

/* GET /products?sku=S answers a list of zero or one product. */
static enum cmd_retval
product_get_sku(struct cmd_ctx *ctx, const char *sku)
{
	struct client_reply	 reply;
	struct json_object	*arr = NULL, *p;
	struct inv_error	 err;
	struct buf		 path = BUF_INIT;
	enum cmd_retval		 rv;

	client_reply_init(&reply);
	if (buf_add(&path, "/products?sku=", 14) == -1 ||
	    buf_add_urlenc(&path, sku) == -1) {
		rv = out_of_memory(ctx);
		goto out;
	}
	if ((rv = out_request(ctx, "GET", buf_str(&path), NULL, &reply)) !=
	    CMD_OK)
		goto out;
	rv = CMD_REFUSED;
	if (json_parse_strict(buf_str(&reply.body), reply.body.len, &arr,
	    &err) == -1 || !json_object_is_type(arr, json_type_array)) {
		out_error(ctx->ctl, "unexpected reply: not a list");
		goto out;
	}
	if (json_object_array_length(arr) == 0) {
		out_error(ctx->ctl, "Product not found");
		goto out;
	}
	p = json_object_array_get_idx(arr, 0);
	if (ctx->json)
		printf("%s\n", json_object_to_json_string_ext(p,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		out_object(ctx->ctl, p);
	rv = CMD_OK;
out:
	json_object_put(arr);
	buf_free(&path);
	client_reply_deinit(&reply);
	return rv;
}

enum cmd_retval
cmd_product_get(struct cmd_ctx *ctx)
{
	const struct arg_value	*v;
	char			 path[64];

	if ((v = cmd_arg(ctx, "sku")) != NULL)
		return product_get_sku(ctx, v->str);
	v = cmd_arg(ctx, "ID");
	snprintf(path, sizeof path, "/products/%" PRIu64, v->id);
	return out_call(ctx, "GET", path, NULL, NULL);
}

enum cmd_retval
cmd_product_update(struct cmd_ctx *ctx)
{
	enum cmd_retval	 rv;
	char		 path[64];
	char		*body;

	if (cmd_arg(ctx, "sku") == NULL && cmd_arg(ctx, "name") == NULL &&
	    cmd_arg(ctx, "price") == NULL && cmd_arg(ctx, "stock") == NULL)
		return cmd_usage_error(ctx->ctl, ctx->entry, "nothing to "
		    "update: give --sku, --name, --price or --stock");
	if ((body = product_body(ctx)) == NULL)
		return out_of_memory(ctx);
	snprintf(path, sizeof path, "/products/%" PRIu64,
	    cmd_arg(ctx, "ID")->id);
	rv = out_call(ctx, "PUT", path, body, NULL);
	free(body);
	return rv;
}

enum cmd_retval
cmd_product_delete(struct cmd_ctx *ctx)
{
	char	path[64], done[64];
	uint64_t id = cmd_arg(ctx, "ID")->id;

	snprintf(path, sizeof path, "/products/%" PRIu64, id);
	snprintf(done, sizeof done, "Deleted product %" PRIu64 ".", id);
	return out_call(ctx, "DELETE", path, NULL, done);
}
