/*
 * POST /webhooks/payment: a payment provider reports an order paid or
 * failed. The signature is checked over the exact bytes received before
 * anything else is read; the store applies each event_id exactly once.
 */
#include <string.h>
#include <time.h>

#include "common/hmac.h"
#include "common/json.h"
#include "common/log.h"
#include "common/util.h"
#include "common/validate.h"
#include "invd/router.h"
#include "invd/store.h"

/* Either scheme may sign a delivery; one valid signature is enough. */
static int
webhook_verify(struct app *app, const struct request *req,
    struct inv_error *err)
{
	const char	*seed, *std, *id, *ts;
	int		 ok = 0;

	if (app->secrets == NULL || app->secrets->n == 0)
		return inv_error_set(err, INV_EUNAVAIL,
		    "Webhook secret is not configured");
	seed = request_header(req, "X-Webhook-Signature");
	std = request_header(req, "webhook-signature");
	if (seed == NULL && std == NULL)
		return inv_error_set(err, INV_EUNAUTH,
		    "Missing webhook signature");
	if (std != NULL) {
		id = request_header(req, "webhook-id");
		ts = request_header(req, "webhook-timestamp");
		if (id != NULL && ts != NULL)
			ok = hmac_verify_standard(app->secrets, id, ts, std,
			    req->body, req->body_len, (int64_t)time(NULL),
			    app->webhook_tolerance);
	}
	if (!ok && seed != NULL)
		ok = hmac_verify_seed(app->secrets, seed, req->body,
		    req->body_len);
	if (!ok)
		return inv_error_set(err, INV_EFORBIDDEN,
		    "Invalid webhook signature");
	return 0;
}

/* Why a delivery was refused, for metrics, by the error's code. */
static const enum outcome webhook_refusals[INV_NCODES] = {
	[INV_EUNAVAIL] = OUTCOME_WEBHOOK_UNCONFIGURED,
	[INV_EUNAUTH] = OUTCOME_WEBHOOK_NO_SIGNATURE,
	[INV_EFORBIDDEN] = OUTCOME_WEBHOOK_BAD_SIGNATURE,
	[INV_EBADREQ] = OUTCOME_WEBHOOK_BAD_BODY,
	[INV_EINVALID] = OUTCOME_WEBHOOK_BAD_BODY,
	[INV_ENOTFOUND] = OUTCOME_WEBHOOK_NO_ORDER,
	[INV_ECONFLICT] = OUTCOME_WEBHOOK_NOT_PENDING,
};

int
h_webhooks_payment(struct app *app, const struct request *req,
    struct response *resp, struct inv_error *err)
{
	struct json_object	*body = NULL, *o = NULL;
	struct webhook_result	 res;
	enum payment_event	 type;
	char			 event_id[WEBHOOK_EVENT_ID_MAX + 1];
	uint64_t		 order_id;
	int			 r = -1;

	if (webhook_verify(app, req, err) == -1)
		goto out;
	if (req->body_len == 0) {
		inv_error_set(err, INV_EINVALID,
		    "Request body must be a JSON object");
		goto out;
	}
	if (json_parse_strict(req->body, req->body_len, &body, err) == -1 ||
	    validate_webhook(body, event_id, &type, &order_id, err) == -1 ||
	    store_webhook_apply(app->store, event_id, type, order_id, &res,
	    err) == -1)
		goto out;
	if ((o = json_object_new_object()) == NULL ||
	    json_add(o, "status", json_object_new_string(res.duplicate ?
	    "duplicate" : "processed")) == -1 ||
	    json_add(o, "event_id", json_object_new_string(event_id)) == -1 ||
	    json_add(o, "order_id",
	    json_object_new_int64((int64_t)res.order_id)) == -1 ||
	    json_add(o, "new_status",
	    json_object_new_string(order_status_name(res.new_status))) == -1) {
		inv_error_set(err, INV_EINTERNAL, "Out of memory");
		goto out;
	}
	log_info("webhook %s: %s order %llu -> %s", payment_event_name(type),
	    res.duplicate ? "duplicate for" : "processed",
	    (unsigned long long)res.order_id,
	    order_status_name(res.new_status));
	resp->status = 200;
	resp->json = o;
	resp->outcome = res.duplicate ? OUTCOME_WEBHOOK_DUPLICATE :
	    OUTCOME_WEBHOOK_PROCESSED;
	o = NULL;
	r = 0;
out:
	if (r == -1)
		resp->outcome = (int)err->code >= 0 &&
		    err->code < INV_NCODES && webhook_refusals[err->code] != 0 ?
		    webhook_refusals[err->code] : OUTCOME_WEBHOOK_ERROR;
	json_object_put(o);
	json_object_put(body);
	return r;
}

size_t
webhooks_prune(struct app *app, size_t max)
{
	struct inv_error	err;
	size_t			removed = 0;
	int64_t			before;

	before = now_us() - app->webhook_retention * 1000000;
	if (store_webhook_prune(app->store, before, max, &removed, &err) == -1)
		log_warnx("pruning webhook events: %s", err.detail);
	else if (removed > 0)
		log_debug("pruned %zu webhook event ids", removed);
	return removed;
}
