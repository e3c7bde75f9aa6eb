/*
 * Ask invd whether it is up: prints its status ("ok"), exits 0 if so.
 */
#include <stdio.h>

#include "invctl/commands.h"
#include "invctl/output.h"

enum cmd_retval
cmd_health(struct cmd_ctx *ctx)
{
	return out_call(ctx, "GET", "/health", NULL, NULL);
}
