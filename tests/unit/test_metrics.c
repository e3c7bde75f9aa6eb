/*
 * Unit tests for invd/metrics.c: histogram buckets, route slots and the
 * text format, without a network or a store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/util.h"
#include "invd/metrics.h"

/* The bucket of a duration is the first whose bound is not below it. */
static void
test_buckets(void **state)
{
	size_t	i;

	(void)state;
	assert_int_equal(metrics_bucket(0), 0);
	assert_int_equal(metrics_bucket(250), 0);
	assert_int_equal(metrics_bucket(251), 1);
	assert_int_equal(metrics_bucket(1000000), METRICS_NBUCKETS - 3);
	assert_int_equal(metrics_bucket(5000000), METRICS_NBUCKETS - 2);
	assert_int_equal(metrics_bucket(5000001), METRICS_NBUCKETS - 1);
	assert_int_equal(metrics_bucket(INT64_MAX), METRICS_NBUCKETS - 1);
	for (i = 0; i + 1 < METRICS_NBUCKETS - 1; i++) {
		assert_true(metrics_bucket_le(i) < metrics_bucket_le(i + 1));
		assert_int_equal(metrics_bucket(metrics_bucket_le(i)), i);
		assert_int_equal(metrics_bucket(metrics_bucket_le(i) + 1),
		    i + 1);
	}
	assert_int_equal(metrics_bucket_le(METRICS_NBUCKETS - 1), -1);
}

static char *
format(struct buf *b)
{
	struct store_stats	st;

	memset(&st, 0, sizeof st);
	st.products = 7;
	st.orders_by_status[ORDER_PAID] = 3;
	st.map_size = 65536;
	st.page_size = 4096;
	st.pages_used = 5;
	buf_reset(b);
	assert_int_equal(metrics_format(b, &st), 0);
	return b->data;
}

static int
has_line(const char *text, const char *line)
{
	size_t		 n = strlen(line);
	const char	*p;

	for (p = text; (p = strstr(p, line)) != NULL; p += n)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

static void
test_requests_and_histogram(void **state)
{
	struct buf	 b = BUF_INIT;
	const char	*t;

	(void)state;
	metrics_reset();
	metrics_request("/orders", "POST", 201, OUTCOME_NONE, 100);
	metrics_request("/orders", "POST", 409, OUTCOME_STOCKOUT, 3000);
	metrics_request("/orders", "POST", 201, OUTCOME_NONE, 9000000);
	metrics_request(NULL, "-", 400, OUTCOME_NONE, 10);
	metrics_request("/no/such/pattern", "BREW", 404, OUTCOME_NONE, 10);
	t = format(&b);
	assert_true(has_line(t, "invd_http_requests_total{route=\"/orders\","
	    "method=\"POST\",code=\"2xx\"} 2"));
	assert_true(has_line(t, "invd_http_requests_total{route=\"/orders\","
	    "method=\"POST\",code=\"4xx\"} 1"));
	/* Unknown paths and methods share bounded label values. */
	assert_true(has_line(t, "invd_http_requests_total{route=\"unmatched\","
	    "method=\"OTHER\",code=\"4xx\"} 2"));
	/* Buckets are cumulative; +Inf equals the count. */
	assert_true(has_line(t, "invd_http_request_duration_seconds_bucket{"
	    "route=\"/orders\",method=\"POST\",le=\"0.00025\"} 1"));
	assert_true(has_line(t, "invd_http_request_duration_seconds_bucket{"
	    "route=\"/orders\",method=\"POST\",le=\"0.005\"} 2"));
	assert_true(has_line(t, "invd_http_request_duration_seconds_bucket{"
	    "route=\"/orders\",method=\"POST\",le=\"5\"} 2"));
	assert_true(has_line(t, "invd_http_request_duration_seconds_bucket{"
	    "route=\"/orders\",method=\"POST\",le=\"+Inf\"} 3"));
	assert_true(has_line(t, "invd_http_request_duration_seconds_count{"
	    "route=\"/orders\",method=\"POST\"} 3"));
	assert_true(has_line(t, "invd_http_request_duration_seconds_sum{"
	    "route=\"/orders\",method=\"POST\"} 9.003100"));
	assert_true(has_line(t, "invd_stockouts_total 1"));
	/* No series for a route that saw no request. */
	assert_null(strstr(t, "route=\"/health\""));
	buf_free(&b);
}

static void
test_outcomes_and_gauges(void **state)
{
	struct buf	 b = BUF_INIT;
	const char	*t;

	(void)state;
	metrics_reset();
	metrics_request("/webhooks/payment", "POST", 200,
	    OUTCOME_WEBHOOK_PROCESSED, 1);
	metrics_request("/webhooks/payment", "POST", 200,
	    OUTCOME_WEBHOOK_DUPLICATE, 1);
	metrics_request("/webhooks/payment", "POST", 403,
	    OUTCOME_WEBHOOK_BAD_SIGNATURE, 1);
	metrics_request("/webhooks/payment", "POST", 403,
	    OUTCOME_WEBHOOK_BAD_SIGNATURE, 1);
	t = format(&b);
	assert_true(has_line(t,
	    "invd_webhook_events_total{outcome=\"processed\"} 1"));
	assert_true(has_line(t,
	    "invd_webhook_events_total{outcome=\"duplicate\"} 1"));
	assert_true(has_line(t,
	    "invd_webhook_rejections_total{reason=\"invalid_signature\"} 2"));
	/* Every reason is there from the start, at 0. */
	assert_true(has_line(t,
	    "invd_webhook_rejections_total{reason=\"missing_signature\"} 0"));
	assert_true(has_line(t, "invd_stockouts_total 0"));
	assert_true(has_line(t, "invd_products 7"));
	assert_true(has_line(t, "invd_orders{status=\"PAID\"} 3"));
	assert_true(has_line(t, "invd_orders{status=\"PENDING\"} 0"));
	assert_true(has_line(t, "invd_lmdb_pages_used 5"));
	assert_true(has_line(t, "invd_lmdb_map_size_bytes 65536"));
	assert_true(has_line(t, "# TYPE invd_http_request_duration_seconds "
	    "histogram"));
	assert_true(has_line(t, "# TYPE process_start_time_seconds gauge"));
	/* The text ends with a newline, as the format requires. */
	assert_int_equal(t[strlen(t) - 1], '\n');
	buf_free(&b);
}

/* Each family is announced once, before its samples. */
static void
test_families_once(void **state)
{
	struct buf	 b = BUF_INIT;
	const char	*t, *p;
	char		 name[128];
	int		 n;

	(void)state;
	metrics_reset();
	metrics_request("/health", "GET", 200, OUTCOME_NONE, 1);
	metrics_request("/products", "GET", 200, OUTCOME_NONE, 1);
	t = format(&b);
	for (p = t; (p = strstr(p, "# TYPE ")) != NULL; p++) {
		assert_int_equal(sscanf(p, "# TYPE %127s", name), 1);
		n = 0;
		for (const char *q = t; (q = strstr(q, "# TYPE ")) != NULL;
		    q++)
			if (strncmp(q + 7, name, strlen(name)) == 0 &&
			    q[7 + strlen(name)] == ' ')
				n++;
		assert_int_equal(n, 1);
	}
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_requests_and_histogram),
		cmocka_unit_test(test_outcomes_and_gauges),
		cmocka_unit_test(test_families_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
