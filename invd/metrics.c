/*
 * Prometheus metrics in the text exposition format 0.0.4. Requests are
 * counted by route pattern (never the raw path: bounded label values),
 * method and status class, with a latency histogram alongside; handlers
 * report stock-outs and webhook outcomes through struct response.
 */
#include <stdatomic.h>
#include <string.h>

#include "common/api.h"
#include "common/model.h"
#include "invd/metrics.h"

#define METRICS_ROUTES	32		/* patterns; the last: unmatched */
#define METRICS_CLASSES	6		/* 0xx (none) to 5xx */

typedef _Atomic uint64_t	counter;

static counter	requests[METRICS_ROUTES][METHOD_N][METRICS_CLASSES];
static counter	latency[METRICS_ROUTES][METHOD_N][METRICS_NBUCKETS];
static counter	latency_us[METRICS_ROUTES][METHOD_N];
static counter	outcomes[OUTCOME_N];
static counter	commits, commit_writes, commit_failed, commit_largest;
static int64_t	start_us;

/* Bucket bounds in microseconds, from 250 us to 5 s. */
static const int64_t bucket_le[METRICS_NBUCKETS - 1] = {
	250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
	500000, 1000000, 5000000
};

enum outcome_family {
	FAMILY_NONE = 0,
	FAMILY_STOCKOUT,
	FAMILY_WEBHOOK,		/* invd_webhook_events_total{outcome} */
	FAMILY_REJECTED		/* invd_webhook_rejections_total{reason} */
};

static const struct {
	enum outcome_family	 family;
	const char		*label;
} outcome_rows[OUTCOME_N] = {
	[OUTCOME_NONE] = { FAMILY_NONE, NULL },
	[OUTCOME_STOCKOUT] = { FAMILY_STOCKOUT, NULL },
	[OUTCOME_WEBHOOK_PROCESSED] = { FAMILY_WEBHOOK, "processed" },
	[OUTCOME_WEBHOOK_DUPLICATE] = { FAMILY_WEBHOOK, "duplicate" },
	[OUTCOME_WEBHOOK_UNCONFIGURED] = { FAMILY_REJECTED, "not_configured" },
	[OUTCOME_WEBHOOK_NO_SIGNATURE] = { FAMILY_REJECTED,
	    "missing_signature" },
	[OUTCOME_WEBHOOK_BAD_SIGNATURE] = { FAMILY_REJECTED,
	    "invalid_signature" },
	[OUTCOME_WEBHOOK_BAD_BODY] = { FAMILY_REJECTED, "invalid_body" },
	[OUTCOME_WEBHOOK_NO_ORDER] = { FAMILY_REJECTED, "unknown_order" },
	[OUTCOME_WEBHOOK_NOT_PENDING] = { FAMILY_REJECTED,
	    "order_not_pending" },
	[OUTCOME_WEBHOOK_ERROR] = { FAMILY_REJECTED, "error" },
};

void
metrics_init(int64_t now)
{
	start_us = now;
}

void
metrics_reset(void)
{
	memset(requests, 0, sizeof requests);
	memset(latency, 0, sizeof latency);
	memset(latency_us, 0, sizeof latency_us);
	memset(outcomes, 0, sizeof outcomes);
	atomic_store(&commits, 0);
	atomic_store(&commit_writes, 0);
	atomic_store(&commit_failed, 0);
	atomic_store(&commit_largest, 0);
}

void
metrics_commit(size_t writes, int failed)
{
	uint64_t	n = writes, big;

	atomic_fetch_add_explicit(&commits, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&commit_writes, n, memory_order_relaxed);
	if (failed)
		atomic_fetch_add_explicit(&commit_failed, 1,
		    memory_order_relaxed);
	big = atomic_load_explicit(&commit_largest, memory_order_relaxed);
	while (n > big && !atomic_compare_exchange_weak(&commit_largest, &big,
	    n))
		;
}

size_t
metrics_bucket(int64_t us)
{
	size_t	i;

	for (i = 0; i < METRICS_NBUCKETS - 1; i++)
		if (us <= bucket_le[i])
			return i;
	return METRICS_NBUCKETS - 1;
}

int64_t
metrics_bucket_le(size_t i)
{
	return i < METRICS_NBUCKETS - 1 ? bucket_le[i] : -1;
}

/*
 * The slot of a pattern: the first route row with it, so that all methods
 * of one path share it. Rows past the slots, and NULL, are "unmatched".
 */
static size_t
route_slot(const char *route)
{
	size_t	i;

	if (route == NULL)
		return METRICS_ROUTES - 1;
	for (i = 0; routes[i].pattern != NULL && i < METRICS_ROUTES - 1; i++)
		if (routes[i].pattern == route ||
		    strcmp(routes[i].pattern, route) == 0)
			return i;
	return METRICS_ROUTES - 1;
}

static const char *
slot_name(size_t slot)
{
	return slot < METRICS_ROUTES - 1 ? routes[slot].pattern : "unmatched";
}

void
metrics_request(const char *route, const char *method, int status,
    enum outcome outcome, int64_t us)
{
	size_t			slot = route_slot(route);
	enum http_method	m = method_parse(method);
	int			class = status / 100;

	if (class < 0 || class >= METRICS_CLASSES)
		class = 0;
	if (us < 0)
		us = 0;
	atomic_fetch_add_explicit(&requests[slot][m][class], 1,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&latency[slot][m][metrics_bucket(us)], 1,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&latency_us[slot][m], (uint64_t)us,
	    memory_order_relaxed);
	if ((int)outcome > 0 && outcome < OUTCOME_N)
		atomic_fetch_add_explicit(&outcomes[outcome], 1,
		    memory_order_relaxed);
}

static uint64_t
get(counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static int
head(struct buf *b, const char *name, const char *type, const char *help)
{
	return buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

static int
format_requests(struct buf *b)
{
	size_t	s, m, c;
	int	r = 0;

	r |= head(b, "invd_http_requests_total", "counter",
	    "HTTP requests answered, by route pattern, method and status "
	    "class.");
	for (s = 0; s < METRICS_ROUTES; s++)
		for (m = 0; m < METHOD_N; m++)
			for (c = 0; c < METRICS_CLASSES; c++)
				if (get(&requests[s][m][c]) > 0)
					r |= buf_printf(b, "invd_http_requests"
					    "_total{route=\"%s\",method=\"%s\","
					    "code=\"%zuxx\"} %llu\n",
					    slot_name(s), method_name(m), c,
					    (unsigned long long)
					    get(&requests[s][m][c]));
	return r;
}

static int
format_histogram(struct buf *b, size_t s, size_t m)
{
	const char	*name = "invd_http_request_duration_seconds";
	uint64_t	 n = 0;
	size_t		 i;
	int		 r = 0;

	for (i = 0; i < METRICS_NBUCKETS; i++) {
		n += get(&latency[s][m][i]);
		if (i == METRICS_NBUCKETS - 1)
			r |= buf_printf(b, "%s_bucket{route=\"%s\","
			    "method=\"%s\",le=\"+Inf\"} %llu\n", name,
			    slot_name(s), method_name(m),
			    (unsigned long long)n);
		else
			r |= buf_printf(b, "%s_bucket{route=\"%s\","
			    "method=\"%s\",le=\"%g\"} %llu\n", name,
			    slot_name(s), method_name(m),
			    (double)bucket_le[i] / 1e6, (unsigned long long)n);
	}
	r |= buf_printf(b, "%s_sum{route=\"%s\",method=\"%s\"} %.6f\n", name,
	    slot_name(s), method_name(m),
	    (double)get(&latency_us[s][m]) / 1e6);
	r |= buf_printf(b, "%s_count{route=\"%s\",method=\"%s\"} %llu\n", name,
	    slot_name(s), method_name(m), (unsigned long long)n);
	return r;
}

static int
format_latency(struct buf *b)
{
	size_t	s, m, i;
	int	r = 0, seen;

	r |= head(b, "invd_http_request_duration_seconds", "histogram",
	    "Time from a complete request to its reply, by route pattern "
	    "and method.");
	for (s = 0; s < METRICS_ROUTES; s++)
		for (m = 0; m < METHOD_N; m++) {
			for (i = 0, seen = 0; i < METRICS_NBUCKETS; i++)
				seen |= get(&latency[s][m][i]) > 0;
			if (seen)
				r |= format_histogram(b, s, m);
		}
	return r;
}

static int
format_outcomes(struct buf *b)
{
	static const struct {
		enum outcome_family	 family;
		const char		*name, *label, *help;
	} families[] = {
		{ FAMILY_STOCKOUT, "invd_stockouts_total", NULL,
		    "Orders refused with 409 for insufficient stock." },
		{ FAMILY_WEBHOOK, "invd_webhook_events_total", "outcome",
		    "Payment webhook deliveries accepted: processed, or a "
		    "duplicate of a recorded event id." },
		{ FAMILY_REJECTED, "invd_webhook_rejections_total", "reason",
		    "Payment webhook deliveries refused, by reason." },
	};
	size_t	f, o;
	int	r = 0;

	for (f = 0; f < sizeof families / sizeof families[0]; f++) {
		r |= head(b, families[f].name, "counter", families[f].help);
		for (o = 0; o < OUTCOME_N; o++) {
			if (outcome_rows[o].family != families[f].family)
				continue;
			if (families[f].label == NULL)
				r |= buf_printf(b, "%s %llu\n",
				    families[f].name,
				    (unsigned long long)get(&outcomes[o]));
			else
				r |= buf_printf(b, "%s{%s=\"%s\"} %llu\n",
				    families[f].name, families[f].label,
				    outcome_rows[o].label,
				    (unsigned long long)get(&outcomes[o]));
		}
	}
	return r;
}

static int
format_store(struct buf *b, const struct store_stats *st)
{
	int	i, r = 0;

	r |= head(b, "invd_products", "gauge", "Products in the store.");
	r |= buf_printf(b, "invd_products %llu\n",
	    (unsigned long long)st->products);
	r |= head(b, "invd_orders", "gauge", "Orders in the store, by status.");
	for (i = 0; i < ORDER_NSTATUS; i++)
		r |= buf_printf(b, "invd_orders{status=\"%s\"} %llu\n",
		    order_status_name((enum order_status)i),
		    (unsigned long long)st->orders_by_status[i]);
	r |= head(b, "invd_lmdb_map_size_bytes", "gauge",
	    "Current size of the LMDB memory map.");
	r |= buf_printf(b, "invd_lmdb_map_size_bytes %zu\n", st->map_size);
	r |= head(b, "invd_lmdb_map_max_bytes", "gauge",
	    "Size the LMDB map may grow to (--map-size).");
	r |= buf_printf(b, "invd_lmdb_map_max_bytes %zu\n", st->map_max);
	r |= head(b, "invd_lmdb_page_size_bytes", "gauge",
	    "LMDB page size.");
	r |= buf_printf(b, "invd_lmdb_page_size_bytes %zu\n", st->page_size);
	r |= head(b, "invd_lmdb_pages_used", "gauge",
	    "LMDB pages in use, up to the last one written.");
	r |= buf_printf(b, "invd_lmdb_pages_used %llu\n",
	    (unsigned long long)st->pages_used);
	return r;
}

int
metrics_format(struct buf *b, const struct store_stats *st)
{
	int	r = 0;

	r |= format_requests(b);
	r |= format_latency(b);
	r |= format_outcomes(b);
	r |= format_store(b, st);
	r |= head(b, "invd_group_commits_total", "counter",
	    "Write transactions committed (or failed) by the writer, each "
	    "holding one or more requests.");
	r |= buf_printf(b, "invd_group_commits_total %llu\n",
	    (unsigned long long)get(&commits));
	r |= head(b, "invd_group_commit_writes_total", "counter",
	    "Write requests applied in those transactions.");
	r |= buf_printf(b, "invd_group_commit_writes_total %llu\n",
	    (unsigned long long)get(&commit_writes));
	r |= head(b, "invd_group_commit_failures_total", "counter",
	    "Transactions whose commit failed: every request in them was "
	    "answered with the error.");
	r |= buf_printf(b, "invd_group_commit_failures_total %llu\n",
	    (unsigned long long)get(&commit_failed));
	r |= head(b, "invd_group_commit_largest_writes", "gauge",
	    "The most requests one transaction has held since start.");
	r |= buf_printf(b, "invd_group_commit_largest_writes %llu\n",
	    (unsigned long long)get(&commit_largest));
	r |= head(b, "process_start_time_seconds", "gauge",
	    "Start time of the process since the epoch, in seconds.");
	r |= buf_printf(b, "process_start_time_seconds %.6f\n",
	    (double)start_us / 1e6);
	r |= head(b, "invd_build_info", "gauge",
	    "Always 1; the version of invd as a label.");
	r |= buf_printf(b, "invd_build_info{version=\"%s\"} 1\n", INV_VERSION);
	return r != 0 ? -1 : 0;
}
