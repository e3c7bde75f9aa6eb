#!/usr/bin/env bats
# GET /health, the JSON shape of every reply and the access log.

setup() {
	load helpers
	load api_helpers
	invd_start || return 1
}

teardown() {
	invd_stop
}

@test "GET /health answers 200 {\"status\":\"ok\"}" {
	api GET /health
	expect_status 200
	expect_json
	[ "$(jq -c . <<<"$BODY")" = '{"status":"ok"}' ]
}

@test "health answers over TCP and over the Unix socket alike" {
	local a b
	a=$(curl -s --max-time 5 "$BASE_URL/health")
	b=$(curl -s --max-time 5 --unix-socket "$SOCK" http://localhost/health)
	[ "$(jq -c . <<<"$a")" = '{"status":"ok"}' ]
	[ "$(jq -c . <<<"$b")" = '{"status":"ok"}' ]
}

@test "unknown query parameters on /health are ignored" {
	api GET '/health?verbose=1&x='
	expect_status 200
	[ "$(jq -r .status <<<"$BODY")" = ok ]
}

@test "wrong methods on /health answer 405 with Allow: GET" {
	local m
	for m in POST PUT DELETE PATCH; do
		api "$m" /health
		expect_error 405
		header Allow | grep -q GET
		if header Allow | grep -qE 'POST|PUT|DELETE|PATCH'; then
			echo "Allow: $(header Allow)" >&2
			false
		fi
	done
	expect_alive
}

@test "health answers many requests on one connection" {
	transport_args
	local out
	out=$(curl -s --max-time 10 "${T_ARGS[@]}" \
	    "$T_BASE/health" "$T_BASE/health" "$T_BASE/health")
	[ "$(grep -o '"ok"' <<<"$out" | wc -l)" -eq 3 ]
}

@test "the access log has one line per request with method, path, status" {
	api GET /health
	api GET /no-such-thing
	expect_status 404
	api POST /products '{"sku":"LOG-1","name":"n","price":1,"stock":1}'
	expect_status 201
	# The log is written before or right after the reply: poll briefly.
	local i
	for i in $(seq 1 40); do
		grep -q 'POST.*/products.*201' "$INVD_LOG" && break
		sleep 0.05
	done
	grep 'GET' "$INVD_LOG" | grep '/health' | grep -q '200'
	grep 'GET' "$INVD_LOG" | grep '/no-such-thing' | grep -q '404'
	grep 'POST' "$INVD_LOG" | grep '/products' | grep -q '201'
	[ "$(grep -c '/no-such-thing' "$INVD_LOG")" -eq 1 ]
}

@test "the access log never holds request bodies" {
	api POST /products '{"sku":"SECRET-SKU-77","name":"n","price":1,"stock":1}'
	expect_status 201
	api POST /products '{"sku":"BAD","name":"TOPSECRETNAME","price":-1,"stock":1}'
	expect_status 422
	sleep 0.1
	run grep -q 'TOPSECRETNAME' "$INVD_LOG"
	[ "$status" -ne 0 ]
}
