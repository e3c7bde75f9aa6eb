/*
 * Deliver a payment event to invd the way a payment provider would: build
 * the body, sign it under the seed or the Standard Webhooks scheme, and POST
 * it to /webhooks/payment, or print the request for curl. The secret is
 * used for signing only and never printed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/rand.h>

#include "common/api.h"
#include "common/hmac.h"
#include "common/json.h"
#include "common/model.h"
#include "common/validate.h"
#include "invctl/commands.h"
#include "invctl/output.h"

#define WEBHOOK_PATH		"/webhooks/payment"
#define WEBHOOK_SECRET_ENV	"INVD_WEBHOOK_SECRET"
/* Random bytes in a generated event or message id: 128 bits. */
#define WEBHOOK_RANDOM_BYTES	16
/* The most headers a scheme adds, and the terminating row. */
#define WEBHOOK_HEADERS_MAX	4

/* The signed request, ready to send or print. */
struct delivery {
	struct json_object	*event;	/* the body as an object */
	const char		*body;	/* its text; event owns it */
	size_t			 len;
	char			 msg_id[8 + 2 * WEBHOOK_RANDOM_BYTES];
	char			 ts[32];
	char			 sig[96];
	struct client_header	 headers[WEBHOOK_HEADERS_MAX];
};

/* prefix and hex of fresh random bytes into out. 0, or -1 on failure. */
static int
random_id(const char *prefix, char *out, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 r[WEBHOOK_RANDOM_BYTES];
	size_t			 plen = strlen(prefix), i;

	if (len < plen + 2 * sizeof r + 1 || RAND_bytes(r, sizeof r) != 1)
		return -1;
	memcpy(out, prefix, plen);
	for (i = 0; i < sizeof r; i++) {
		out[plen + 2 * i] = hex[r[i] >> 4];
		out[plen + 2 * i + 1] = hex[r[i] & 0xf];
	}
	out[plen + 2 * sizeof r] = '\0';
	return 0;
}

/*
 * The signing secret from --secret, --secret-file or the environment, in
 * that order; the first secret when the text holds several. A usage error
 * (printed) when there is none or it is not valid. Details never quote it.
 */
static enum cmd_retval
load_secret(struct cmd_ctx *ctx, struct secrets *ss)
{
	const struct arg_value	*text, *file;
	struct inv_error	 err;
	const char		*env;

	inv_error_clear(&err);
	text = cmd_arg(ctx, "secret");
	file = cmd_arg(ctx, "secret-file");
	if (text != NULL && file != NULL)
		return cmd_usage_error(ctx->ctl, ctx->entry,
		    "give only one of --secret or --secret-file");
	if (text != NULL) {
		if (secrets_add_text(ss, text->str, strlen(text->str),
		    &err) == -1)
			return cmd_usage_error(ctx->ctl, ctx->entry,
			    "--secret: %s", err.detail);
		if (ss->n == 0)
			return cmd_usage_error(ctx->ctl, ctx->entry,
			    "--secret must not be empty");
		return CMD_OK;
	}
	if (file != NULL) {
		if (secrets_load_file(ss, file->str, &err) == -1)
			return cmd_usage_error(ctx->ctl, ctx->entry,
			    "--secret-file %s", err.detail);
		return CMD_OK;
	}
	env = getenv(WEBHOOK_SECRET_ENV);
	if (env != NULL && secrets_add_text(ss, env, strlen(env), &err) == -1)
		return cmd_usage_error(ctx->ctl, ctx->entry, "%s: %s",
		    WEBHOOK_SECRET_ENV, err.detail);
	if (ss->n == 0)
		return cmd_usage_error(ctx->ctl, ctx->entry,
		    "no webhook secret: give --secret S or --secret-file F, "
		    "or set %s", WEBHOOK_SECRET_ENV);
	return CMD_OK;
}

/*
 * The event body, checked with the daemon's own rules so that a bad
 * --event-id is a usage error here rather than a 422 there.
 */
static enum cmd_retval
build_event(struct cmd_ctx *ctx, time_t now, struct delivery *d)
{
	const struct arg_value	*v;
	struct inv_error	 err;
	struct json_object	*o;
	enum payment_event	 type = PAYMENT_SUCCEEDED, checked_type;
	char			 id[WEBHOOK_EVENT_ID_MAX + 1];
	uint64_t		 checked_order;

	if ((v = cmd_arg(ctx, "event")) != NULL)
		type = v->event;
	if ((v = cmd_arg(ctx, "event-id")) == NULL &&
	    random_id("evt_", id, sizeof id) == -1) {
		out_error(ctx->ctl, "cannot get random bytes for an event id");
		return CMD_REFUSED;
	}
	if ((d->event = o = json_object_new_object()) == NULL ||
	    json_add(o, "event_id", json_object_new_string(v != NULL ?
	    v->str : id)) == -1 ||
	    json_add(o, "type",
	    json_object_new_string(payment_event_name(type))) == -1 ||
	    json_add(o, "order_id",
	    json_object_new_int64((int64_t)cmd_arg(ctx, "order")->id)) == -1 ||
	    json_add(o, "created", json_object_new_int64((int64_t)now)) ==
	    -1) {
		out_error(ctx->ctl, "out of memory");
		return CMD_REFUSED;
	}
	inv_error_clear(&err);
	if (validate_webhook(o, id, &checked_type, &checked_order, &err) ==
	    -1) {
		/* "event_id must be ..." becomes "--event-id must be ...". */
		if (strncmp(err.detail, "event_id ", 9) == 0)
			return cmd_usage_error(ctx->ctl, ctx->entry,
			    "--event-id %s", err.detail + 9);
		return cmd_usage_error(ctx->ctl, ctx->entry, "%s", err.detail);
	}
	d->body = json_dump(o, &d->len);
	return CMD_OK;
}

/* The signature headers of the chosen scheme for d's body. */
static enum cmd_retval
sign_event(struct cmd_ctx *ctx, const struct secret *s, time_t now,
    struct delivery *d)
{
	const struct arg_value	*v = cmd_arg(ctx, "scheme");
	int			 n = 0;

	if (v != NULL && strcmp(v->str, "standard") == 0) {
		snprintf(d->ts, sizeof d->ts, "%" PRId64, (int64_t)now);
		if (random_id("msg_", d->msg_id, sizeof d->msg_id) == -1 ||
		    hmac_sign_standard(s, d->msg_id, d->ts, d->body, d->len,
		    d->sig, sizeof d->sig) == -1)
			goto fail;
		d->headers[n++] = (struct client_header){ "webhook-id",
		    d->msg_id };
		d->headers[n++] = (struct client_header){ "webhook-timestamp",
		    d->ts };
		d->headers[n++] = (struct client_header){ "webhook-signature",
		    d->sig };
	} else {
		if (hmac_sign_seed(s, d->body, d->len, d->sig,
		    sizeof d->sig) == -1)
			goto fail;
		d->headers[n++] = (struct client_header){
		    "X-Webhook-Signature", d->sig };
	}
	d->headers[n] = (struct client_header){ NULL, NULL };
	return CMD_OK;
fail:
	out_error(ctx->ctl, "cannot sign the event");
	return CMD_REFUSED;
}

/*
 * --print: the request line, the headers to send and, after a blank line,
 * the body, which is one line; with --json, one object holding the same.
 */
static enum cmd_retval
print_delivery(struct cmd_ctx *ctx, const struct delivery *d)
{
	const struct client_header	*h;
	struct json_object		*o = NULL, *hdrs = NULL;
	enum cmd_retval			 rv = CMD_REFUSED;
	const char			*text;
	size_t				 len;

	if (!ctx->json) {
		printf("POST %s\n", WEBHOOK_PATH);
		printf("Content-Type: %s\n", INV_MIME_JSON);
		for (h = d->headers; h->name != NULL; h++)
			printf("%s: %s\n", h->name, h->value);
		printf("\n%.*s\n", (int)d->len, d->body);
		return CMD_OK;
	}
	if ((o = json_object_new_object()) == NULL ||
	    json_add(o, "method", json_object_new_string("POST")) == -1 ||
	    json_add(o, "path", json_object_new_string(WEBHOOK_PATH)) ==
	    -1 || (hdrs = json_object_new_object()) == NULL ||
	    json_add(o, "headers", hdrs) == -1 ||
	    json_add(hdrs, "Content-Type",
	    json_object_new_string(INV_MIME_JSON)) == -1)
		goto oom;
	for (h = d->headers; h->name != NULL; h++)
		if (json_add(hdrs, h->name,
		    json_object_new_string(h->value)) == -1)
			goto oom;
	if (json_add(o, "body", json_object_new_string_len(d->body,
	    (int)d->len)) == -1)
		goto oom;
	text = json_dump(o, &len);
	out_json_text(text, len);
	rv = CMD_OK;
	goto out;
oom:
	out_error(ctx->ctl, "out of memory");
out:
	json_object_put(o);
	return rv;
}

enum cmd_retval
cmd_webhook_send(struct cmd_ctx *ctx)
{
	struct secrets	 ss;
	struct delivery	 d;
	enum cmd_retval	 rv;
	time_t		 now = time(NULL);

	memset(&ss, 0, sizeof ss);
	memset(&d, 0, sizeof d);
	if ((rv = build_event(ctx, now, &d)) != CMD_OK ||
	    (rv = load_secret(ctx, &ss)) != CMD_OK ||
	    (rv = sign_event(ctx, &ss.v[0], now, &d)) != CMD_OK)
		goto out;
	if (cmd_arg(ctx, "print") != NULL)
		rv = print_delivery(ctx, &d);
	else
		rv = out_call_headers(ctx, "POST", WEBHOOK_PATH, d.body,
		    d.headers, NULL);
out:
	secrets_clear(&ss);
	json_object_put(d.event);
	return rv;
}
