#!/usr/bin/env bats
# GET /metrics: Prometheus text format 0.0.4 read by prometheus_client's
# own parser, and the counters and gauges moving as requests are made.

SECRET='metrics-test-secret'

setup() {
	load helpers
	load api_helpers
	export INVD_WEBHOOK_SECRET="$SECRET"
	invd_start
}

teardown() {
	invd_stop
}

# scrape: GET /metrics, parse it; one sample a line in $SCRAPE.
scrape() {
	api GET /metrics
	expect_status 200 || return 1
	SCRAPE="$BATS_TEST_TMPDIR/scrape.$$"
	/usr/bin/python3 "$BATS_TEST_DIRNAME/prom_parse.py" <<<"$BODY" \
	    >"$SCRAPE"
}

# sample SERIES: its value in the last scrape (0 when absent).
sample() {
	awk -v s="$1 " 'index($0, s) == 1 { v = $NF }
	    END { print v == "" ? 0 : v }' "$SCRAPE"
}

sig() {
	printf 'sha256=%s' "$(printf '%s' "$1" |
	    openssl dgst -sha256 -hmac "$SECRET" | awk '{print $NF}')"
}

hook() {
	api_send /webhooks/payment -X POST -H 'Content-Type: application/json' \
	    "${@:2}" --data-binary "$1"
}

@test "GET /metrics is Prometheus text 0.0.4 that the parser reads" {
	scrape
	hdr Content-Type
	[[ "$HDR" == "text/plain; version=0.0.4"* ]]
	grep -q '^process_start_time_seconds ' "$SCRAPE"
	grep -q '^invd_build_info{version="' "$SCRAPE"
	grep -q '^invd_lmdb_map_size_bytes [1-9]' "$SCRAPE"
	grep -q '^invd_lmdb_pages_used [1-9]' "$SCRAPE"
	grep -q '^invd_lmdb_page_size_bytes [1-9]' "$SCRAPE"
	# The process started within the last minute.
	local t now
	t=$(sample process_start_time_seconds)
	now=$(date +%s)
	(( ${t%.*} <= now && ${t%.*} > now - 60 ))
	# Only route patterns as labels: an unknown path is "unmatched".
	api GET /no/such/path/12345
	scrape
	[ "$(sample 'invd_http_requests_total{code="4xx",method="GET",route="unmatched"}')" -ge 1 ]
	! grep -q 12345 "$SCRAPE"
}

@test "request counters and the latency histogram move by route pattern" {
	scrape
	local before hb
	before=$(sample 'invd_http_requests_total{code="2xx",method="GET",route="/products/{id}"}')
	hb=$(sample 'invd_http_request_duration_seconds_count{method="GET",route="/products/{id}"}')
	pid=$(make_product MET-1 2.5 3)
	api GET "/products/$pid"
	api GET "/products/$pid"
	api GET /products/999999
	api DELETE /health
	scrape
	[ "$(sample 'invd_http_requests_total{code="2xx",method="GET",route="/products/{id}"}')" -eq $((before + 2)) ]
	[ "$(sample 'invd_http_requests_total{code="4xx",method="GET",route="/products/{id}"}')" -ge 1 ]
	[ "$(sample 'invd_http_requests_total{code="4xx",method="DELETE",route="/health"}')" -ge 1 ]
	[ "$(sample 'invd_http_request_duration_seconds_count{method="GET",route="/products/{id}"}')" -eq $((hb + 3)) ]
	[ "$(sample 'invd_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/products/{id}"}')" -eq $((hb + 3)) ]
}

@test "products, orders by status and stock-outs follow the store" {
	local i w0
	# The webhook id pruning at start is the first group commit.
	for i in $(seq 1 40); do
		scrape
		[ "$(sample invd_group_commits_total)" -ge 1 ] && break
		sleep 0.05
	done
	w0=$(sample invd_group_commit_writes_total)
	[ "$(sample invd_products)" -eq 0 ]
	[ "$(sample invd_stockouts_total)" -eq 0 ]
	pid=$(make_product MET-2 1 5)
	a=$(make_order "$pid" 2)
	b=$(make_order "$pid" 1)
	api POST /orders "{\"product_id\":$pid,\"quantity\":50}"
	expect_status 409
	api PUT "/orders/$a" '{"status":"PAID"}'
	api DELETE "/orders/$b"
	scrape
	[ "$(sample invd_products)" -eq 1 ]
	[ "$(sample 'invd_orders{status="PENDING"}')" -eq 0 ]
	[ "$(sample 'invd_orders{status="PAID"}')" -eq 1 ]
	[ "$(sample 'invd_orders{status="CANCELED"}')" -eq 1 ]
	[ "$(sample invd_stockouts_total)" -eq 1 ]
	# Six writes (the refused order included) went through group
	# commits, none of which failed.
	[ "$(sample invd_group_commit_writes_total)" -eq $((w0 + 6)) ]
	[ "$(sample invd_group_commits_total)" -ge 1 ]
	[ "$(sample invd_group_commits_total)" -le 7 ]
	[ "$(sample invd_group_commit_failures_total)" -eq 0 ]
	[ "$(sample invd_group_commit_largest_writes)" -ge 1 ]
	# Erasing a CANCELED order takes it out of the count; the counts
	# survive a restart.
	api DELETE "/orders/$b"
	expect_status 204
	invd_stop
	invd_start
	scrape
	[ "$(sample 'invd_orders{status="CANCELED"}')" -eq 0 ]
	[ "$(sample 'invd_orders{status="PAID"}')" -eq 1 ]
	[ "$(sample invd_products)" -eq 1 ]
}

@test "webhook outcomes: processed, duplicate and rejections by reason" {
	pid=$(make_product MET-3 1 5)
	oid=$(make_order "$pid" 1)
	local e="{\"event_id\":\"evt_m1\",\"type\":\"payment.succeeded\",\"order_id\":$oid}"
	hook "$e" -H "X-Webhook-Signature: $(sig "$e")"
	expect_status 200
	hook "$e" -H "X-Webhook-Signature: $(sig "$e")"
	expect_status 200
	hook "$e" -H "X-Webhook-Signature: sha256=00"
	expect_status 403
	hook "$e"
	expect_status 401
	e='{"event_id":"evt_m2","type":"payment.succeeded","order_id":424242}'
	hook "$e" -H "X-Webhook-Signature: $(sig "$e")"
	expect_status 404
	e="{\"event_id\":\"evt_m3\",\"type\":\"payment.failed\",\"order_id\":$oid}"
	hook "$e" -H "X-Webhook-Signature: $(sig "$e")"
	expect_status 409
	e='{"event_id":"evt_m4"}'
	hook "$e" -H "X-Webhook-Signature: $(sig "$e")"
	expect_status 422
	scrape
	[ "$(sample 'invd_webhook_events_total{outcome="processed"}')" -eq 1 ]
	[ "$(sample 'invd_webhook_events_total{outcome="duplicate"}')" -eq 1 ]
	[ "$(sample 'invd_webhook_rejections_total{reason="invalid_signature"}')" -eq 1 ]
	[ "$(sample 'invd_webhook_rejections_total{reason="missing_signature"}')" -eq 1 ]
	[ "$(sample 'invd_webhook_rejections_total{reason="unknown_order"}')" -eq 1 ]
	[ "$(sample 'invd_webhook_rejections_total{reason="order_not_pending"}')" -eq 1 ]
	[ "$(sample 'invd_webhook_rejections_total{reason="invalid_body"}')" -eq 1 ]
	[ "$(sample 'invd_webhook_rejections_total{reason="not_configured"}')" -eq 0 ]
}
