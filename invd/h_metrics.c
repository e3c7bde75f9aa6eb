/*
 * GET /metrics: the counters kept by metrics.c and the store's gauges, in
 * the Prometheus text format. O(1) in the data: the store keeps its counts.
 */
#include "common/util.h"
#include "invd/metrics.h"
#include "invd/router.h"
#include "invd/store.h"

int
h_metrics(struct app *app, const struct request *req, struct response *resp,
    struct inv_error *err)
{
	struct store_stats	st;
	struct buf		b = BUF_INIT;

	(void)req;
	if (store_stats(app->store, &st, err) == -1)
		return -1;
	if (metrics_format(&b, &st) == -1) {
		buf_free(&b);
		return inv_error_set(err, INV_EINTERNAL, "Out of memory");
	}
	resp->status = 200;
	resp->raw = resp->raw_owned = b.data;
	resp->raw_len = b.len;
	resp->raw_type = METRICS_CONTENT_TYPE;
	return 0;
}
