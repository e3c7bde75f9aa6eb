/*
 * Prometheus metrics: counters kept as the event loop answers requests,
 * gauges read from the store at scrape time. Counters are C11 atomics, so
 * any thread may count.
 */
#ifndef INV_METRICS_H
#define INV_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "common/util.h"
#include "invd/router.h"
#include "invd/store.h"

#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"
#define METRICS_NBUCKETS	14	/* the last one is +Inf */

/* Remember when the process started (unix time, microseconds). */
void	metrics_init(int64_t);
/*
 * Count one answered request: the route pattern it matched (NULL for
 * none), the method name ("-" when unknown), the status, what the handler
 * reported and how long it took in microseconds.
 */
void	metrics_request(const char *, const char *, int, enum outcome,
	    int64_t);
/* Count one group commit of that many writes, failed or not. */
void	metrics_commit(size_t, int);
/* The histogram bucket, 0 to METRICS_NBUCKETS - 1, of a duration in us. */
size_t	metrics_bucket(int64_t);
/* The upper bound of a bucket in microseconds; -1 for +Inf. */
int64_t	metrics_bucket_le(size_t);
/* Append every metric in the text format 0.0.4 to b; -1 on no memory. */
int	metrics_format(struct buf *, const struct store_stats *);
/* Zero every counter (for tests). */
void	metrics_reset(void);

#endif
