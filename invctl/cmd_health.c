/*
 * Ask invd about itself: whether it is up (prints its status, "ok", and
 * exits 0 if so), and the OpenAPI document of the API it serves.
 */
#include <stdio.h>

#include "invctl/commands.h"
#include "invctl/output.h"

enum cmd_retval
cmd_health(struct cmd_ctx *ctx)
{
	return out_call(ctx, "GET", "/health", NULL, NULL);
}

/* The document as invd sent it: already JSON, whatever --json says. */
enum cmd_retval
cmd_api(struct cmd_ctx *ctx)
{
	struct client_reply	reply;
	enum cmd_retval		rv;

	client_reply_init(&reply);
	if ((rv = out_request(ctx, "GET", "/openapi.json", NULL,
	    &reply)) == CMD_OK)
		out_json_text(reply.body.data, reply.body.len);
	client_reply_deinit(&reply);
	return rv;
}
