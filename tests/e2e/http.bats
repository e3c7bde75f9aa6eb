#!/usr/bin/env bats
# The HTTP layer: unknown paths and methods, body and header limits,
# content types, Expect, malformed requests and garbage bytes. Every reply
# is JSON, no HTML error page ever reaches a client, and the daemon keeps
# serving afterwards.

setup() {
	load helpers
	load api_helpers
	invd_start || return 1
}

teardown() {
	invd_stop
}

# big_body FILE SIZE [SKU]: a valid product body of exactly SIZE bytes,
# padded with white space inside the object.
big_body() {
	local head="{\"sku\":\"${3:-BIG}\",\"name\":\"n\",\"price\":1,\"stock\":1"
	local pad=$(($2 - ${#head} - 1))
	{
		printf '%s' "$head"
		head -c "$pad" /dev/zero | tr '\0' ' '
		printf '}'
	} >"$1"
	[ "$(stat -c %s "$1")" = "$2" ]
}

# ---- paths and methods ---------------------------------------------------

@test "unknown paths are 404 with a JSON detail" {
	printf '%s\n' / /nope /products/1/x /health/x /orders/1/items \
	    /PRODUCTS /Health /products/1/ /orders/ /products// \
	    '/%00' '/products%2F1' /index.html /favicon.ico \
	    "/$(printf '%0500d' 0)" | batch GET 404 -
	printf '%s\t{}\n' /nope /products/1/x / | batch POST 404 -
	printf '%s\n' /nope /orders/1/x | batch DELETE 404 -
	expect_alive
}

@test "PATCH is 405 with Allow on every route" {
	local path
	for path in /health /products /products/1 /orders /orders/1; do
		api PATCH "$path" '{}'
		expect_error 405
		hdr Allow
		[ -n "$HDR" ]
		[[ "$HDR" != *PATCH* ]]
	done
}

@test "the Allow header lists exactly the methods of each route" {
	api DELETE /health
	expect_status 405
	[ "$(header Allow | tr -d ' ' | tr ',' '\n' | sort | tr '\n' ,)" = "GET," ] ||
	    [ "$(header Allow | tr -d ' ' | tr ',' '\n' | sort | tr '\n' ,)" = "GET,HEAD," ]
	api PATCH /products
	[ "$(header Allow | tr -d ' ' | tr ',' '\n' | grep -v HEAD | sort | tr '\n' ,)" = "GET,POST," ]
	api PATCH /products/1
	[ "$(header Allow | tr -d ' ' | tr ',' '\n' | grep -v HEAD | sort | tr '\n' ,)" = "DELETE,GET,PUT," ]
	api PATCH /orders
	[ "$(header Allow | tr -d ' ' | tr ',' '\n' | grep -v HEAD | sort | tr '\n' ,)" = "GET,POST," ]
	api PATCH /orders/1
	[ "$(header Allow | tr -d ' ' | tr ',' '\n' | grep -v HEAD | sort | tr '\n' ,)" = "DELETE,GET,PUT," ]
}

@test "unknown methods get a JSON error, never HTML" {
	local m
	for m in FOO PROPFIND MKCOL LOCK BREW get Get TRACE; do
		api "$m" /products
		case "$STATUS" in
		400 | 405 | 501) ;;
		*) echo "$m: unexpected $STATUS $BODY" >&2; false ;;
		esac
		expect_error "$STATUS"
		if [ "$STATUS" = 405 ]; then
			header Allow | grep -q GET
		fi
	done
	api FOO /health
	expect_error 400 405 501
	api FOO /nope
	expect_error 400 404 405 501
	[ "$(count /products)" = 0 ]
	expect_alive
}

@test "an unknown method is answered 405 with Allow like any other" {
	api FOO /products '{"sku":"M","name":"n","price":1,"stock":1}'
	expect_error 405
	header Allow | grep -q POST
	[ "$(count /products)" = 0 ]
}

@test "OPTIONS gets JSON or an empty reply, never HTML" {
	api OPTIONS /products
	no_html "$BODY"
	case "$STATUS" in
	2?? | 405) ;;
	*) echo "OPTIONS: $STATUS $BODY" >&2; false ;;
	esac
	[ -z "$BODY" ] || expect_json
	header Allow | grep -q GET
}

# ---- every reply is JSON -------------------------------------------------

@test "every reply, success or error, says application/json" {
	local p o
	api GET /health
	expect_json
	api POST /products '{"sku":"J-1","name":"n","price":1,"stock":5}'
	expect_status 201
	expect_json
	p=$(jq -r .id <<<"$BODY")
	api GET /products
	expect_json
	api GET "/products/$p"
	expect_json
	api PUT "/products/$p" '{"name":"m"}'
	expect_json
	api POST /orders "{\"product_id\":$p,\"quantity\":1}"
	expect_status 201
	expect_json
	o=$(jq -r .id <<<"$BODY")
	api GET /orders
	expect_json
	api GET "/orders/$o"
	expect_json
	api PUT "/orders/$o" '{"status":"PAID"}'
	expect_json
	api GET /nope
	expect_error 404
	api POST /products '{'
	expect_error 400
	api POST /products '{"sku":"J-1","name":"n","price":1,"stock":5}'
	expect_error 409
	api POST /products '{"sku":"J-2","name":"n","price":0,"stock":5}'
	expect_error 422
	api PATCH /products
	expect_error 405
	api_ct POST /products text/plain '{}'
	expect_error 415 400
	api POST /orders "{\"product_id\":$p,\"quantity\":1000}"
	expect_error 409
	api PUT "/orders/$o" '{"status":"PENDING"}'
	expect_error 400
	api GET /orders/999
	expect_error 404
	api GET '/products?limit=0'
	expect_error 422
}

# ---- body size -----------------------------------------------------------

@test "a body of exactly 1 MiB is accepted" {
	big_body "$BATS_TEST_TMPDIR/1m.json" 1048576
	api_file POST /products "$BATS_TEST_TMPDIR/1m.json"
	expect_status 201
	[ "$(jq -r .sku <<<"$BODY")" = BIG ]
}

@test "a body over 1 MiB is 413 with a JSON detail and creates nothing" {
	big_body "$BATS_TEST_TMPDIR/big.json" 1048577
	api_file POST /products "$BATS_TEST_TMPDIR/big.json"
	expect_error 413
	# Without Expect: 100-continue curl sends the body at once.
	big_body "$BATS_TEST_TMPDIR/huge.json" $((5 * 1048576))
	api_file POST /products "$BATS_TEST_TMPDIR/huge.json" \
	    application/json -H 'Expect:'
	[ "$STATUS" = 000 ] || expect_error 413
	api_file PUT /products/1 "$BATS_TEST_TMPDIR/big.json" \
	    application/json -H 'Expect:'
	expect_error 413 404
	api_file POST /orders "$BATS_TEST_TMPDIR/big.json" \
	    application/json -H 'Expect:'
	expect_error 413
	[ "$(count /products)" = 0 ]
	expect_alive
}

@test "an oversized body without Expect: 100-continue never gets HTML" {
	big_body "$BATS_TEST_TMPDIR/big.json" $((2 * 1048576))
	api_file POST /products "$BATS_TEST_TMPDIR/big.json" \
	    application/json -H 'Expect:'
	no_html "$BODY"
	# The reply may be lost if the daemon closes while curl still sends.
	[ "$STATUS" = 000 ] || expect_error 413
	[ "$(count /products)" = 0 ]
	expect_alive
}

@test "an oversized chunked body is 413 with a JSON detail" {
	big_body "$BATS_TEST_TMPDIR/big.json" $((2 * 1048576))
	api_file POST /products "$BATS_TEST_TMPDIR/big.json" \
	    application/json -H 'Transfer-Encoding: chunked'
	no_html "$BODY"
	[ "$STATUS" = 000 ] || expect_error 413
	[ "$(count /products)" = 0 ]
	expect_alive
}

@test "a small chunked body is read like any other" {
	api_send /products -X POST -H 'Content-Type: application/json' \
	    -H 'Transfer-Encoding: chunked' \
	    --data-binary '{"sku":"CH-1","name":"n","price":1,"stock":1}'
	expect_status 201
}

@test "a huge Content-Length is refused before any body arrives" {
	raw_printf '%s\r\n' 'POST /products HTTP/1.1' 'Host: x' \
	    'Content-Type: application/json' 'Content-Length: 99999999999' \
	    'Connection: close' ''
	expect_raw_ok
	[ -z "$RAW" ] || [ "$(raw_status)" = 413 ] || [ "$(raw_status)" = 400 ]
	raw_printf '%s\r\n' 'POST /products HTTP/1.1' 'Host: x' \
	    'Content-Type: application/json' \
	    'Content-Length: 99999999999999999999999999' 'Connection: close' ''
	expect_raw_ok
}

@test "Expect: 100-continue with an oversized body: no 100, a JSON 413" {
	# invd never invites an oversized body with 100 Continue; it reads
	# what the client sends anyway (so the client sees the reply rather
	# than a reset) and answers 413 in JSON. curl sends after 1 s.
	head -c 2000000 /dev/zero | tr '\0' x >"$BATS_TEST_TMPDIR/big"
	api_send /products -X POST -H 'Content-Type: application/json' \
	    -H 'Expect: 100-continue' --data-binary @"$BATS_TEST_TMPDIR/big"
	expect_status 413
	! grep -qi '100 Continue' "$HEADERS"
	[[ "$(jq -r .detail <<<"$BODY")" == *"too large"* ]]
	api GET /health
	expect_status 200
}

@test "a bad Content-Length never gets HTML" {
	local cl
	for cl in -1 abc '1, 2' ' ' 0x10 '18446744073709551617'; do
		raw_printf '%s\r\n' 'POST /products HTTP/1.1' 'Host: x' \
		    'Content-Type: application/json' "Content-Length: $cl" \
		    'Connection: close' '' '{}'
		raw_reply_ok
	done
	expect_alive
}

@test "a body shorter than its Content-Length never gets HTML" {
	raw_printf '%s\r\n' 'POST /products HTTP/1.1' 'Host: x' \
	    'Content-Type: application/json' 'Content-Length: 100' '' '{"sku"'
	expect_raw_ok
	[ "$(count /products)" = 0 ]
}

@test "--max-body is honoured" {
	invd_stop
	DATA= SOCK= invd_start --max-body 1K || false
	local body='{"sku":"MB-1","name":"n","price":1,"stock":1}'
	api POST /products "$body"
	expect_status 201
	big_body "$BATS_TEST_TMPDIR/1024.json" 1024 MB-2
	api_file POST /products "$BATS_TEST_TMPDIR/1024.json"
	expect_status 201
	big_body "$BATS_TEST_TMPDIR/1025.json" 1025 MB-3
	api_file POST /products "$BATS_TEST_TMPDIR/1025.json"
	expect_error 413
	[ "$(count /products)" = 2 ]
}

# ---- content types -------------------------------------------------------

@test "a body without Content-Type is refused with 415 or taken as JSON" {
	api_ct POST /products '' '{"sku":"NC-1","name":"n","price":1,"stock":1}'
	if [ "$STATUS" = 201 ]; then
		expect_json
	else
		expect_error 415 400
		[ "$(count /products)" = 0 ]
	fi
}

@test "content type parameters and case" {
	api_ct POST /products 'application/json; charset=utf-8' \
	    '{"sku":"CP-1","name":"n","price":1,"stock":1}'
	expect_status 201
	api_ct POST /products 'application/json ; charset="utf-8"' \
	    '{"sku":"CP-2","name":"n","price":1,"stock":1}'
	[ "$STATUS" = 201 ] || expect_error 415 400
	api_ct POST /products 'application/json; charset=latin1' \
	    '{"sku":"CP-3","name":"n","price":1,"stock":1}'
	[ "$STATUS" = 201 ] || expect_error 415 400
	api_ct POST /products 'application/json-seq' \
	    '{"sku":"CP-4","name":"n","price":1,"stock":1}'
	expect_error 415 400
	api_ct POST /products 'application/jsonp' \
	    '{"sku":"CP-5","name":"n","price":1,"stock":1}'
	expect_error 415 400
	api_ct POST /products 'json' \
	    '{"sku":"CP-6","name":"n","price":1,"stock":1}'
	expect_error 415 400
	[ "$(count '/products?sku=CP-4')" = 0 ]
	[ "$(count '/products?sku=CP-5')" = 0 ]
	[ "$(count '/products?sku=CP-6')" = 0 ]
}

@test "GET and DELETE need no Content-Type" {
	local p
	p=$(make_product CT-1)
	api_send "/products/$p" -X GET -H 'Content-Type: text/plain'
	expect_status 200
	api_send "/products/$p" -X DELETE
	expect_status 204
}

# ---- Expect --------------------------------------------------------------

@test "Expect: something-weird gets a JSON error, never HTML" {
	api_send /products -X POST -H 'Content-Type: application/json' \
	    -H 'Expect: something-weird' \
	    --data-binary '{"sku":"EX-1","name":"n","price":1,"stock":1}'
	no_html "$BODY"
	expect_error 417 400
	api_send /health -H 'Expect: something-weird'
	no_html "$BODY"
	[ "$STATUS" = 200 ] || expect_error 417 400
	[ "$(count '/products?sku=EX-1')" = 0 ]
	raw_printf '%s\r\n' 'POST /products HTTP/1.1' 'Host: x' \
	    'Content-Type: application/json' 'Expect: something-weird' \
	    'Content-Length: 2' 'Connection: close' '' '{}'
	expect_raw_ok
}

@test "Expect: 100-continue works for a good request" {
	api_send /products -X POST -H 'Content-Type: application/json' \
	    -H 'Expect: 100-continue' \
	    --data-binary '{"sku":"EX-2","name":"n","price":1,"stock":1}'
	expect_status 201
}

# ---- headers -------------------------------------------------------------

@test "one header over 16 KiB gets a JSON error, never HTML" {
	local big
	big=$(printf '%017000d' 0)
	api_send /health -H "X-Big: $big"
	no_html "$BODY"
	[ "$STATUS" = 000 ] || expect_error 431 400 413
	expect_alive
}

@test "many headers over 16 KiB in all get a JSON error, never HTML" {
	local args=() i
	local v
	for i in $(seq 1 400); do
		printf -v v '%060d' "$i"
		args+=(-H "X-H$i: $v")
	done
	api_send /health "${args[@]}"
	no_html "$BODY"
	[ "$STATUS" = 000 ] || expect_error 431 400 413
	expect_alive
}

@test "headers just under the limit are fine" {
	api_send /health -H "X-Big: $(printf '%08000d' 0)"
	expect_status 200
}

@test "a huge request line gets a JSON error, never HTML" {
	api GET "/products/$(printf '%020000d' 1)"
	no_html "$BODY"
	[ "$STATUS" = 000 ] || expect_error 400 404 414 422 431
	api GET "/products?sku=$(printf '%020000d' 1)"
	no_html "$BODY"
	[ "$STATUS" = 000 ] || expect_error 400 414 422 431
	expect_alive
}

@test "oversized headers sent raw never get HTML" {
	local f="$BATS_TEST_TMPDIR/hdr.raw"
	{
		printf 'GET /health HTTP/1.1\r\nHost: x\r\n'
		printf 'X-Big: %s\r\n' "$(printf '%040000d' 0)"
		printf 'Connection: close\r\n\r\n'
	} >"$f"
	raw_send "$f"
	expect_raw_ok
	# Headers that never end.
	{
		printf 'GET /health HTTP/1.1\r\nHost: x\r\n'
		for i in $(seq 1 2000); do printf 'X-%d: yyyyyyyyyyyyyyyy\r\n' "$i"; done
	} >"$f"
	raw_send "$f"
	expect_raw_ok
}

# ---- malformed requests (raw bytes) --------------------------------------

@test "malformed request lines never get HTML" {
	local line i=0 pids=()
	for line in 'GARBAGE' 'GET' 'GET /health' 'GET /health HTTP/9.9' \
	    'GET /health HTTP/1.1x' 'GET  /health  HTTP/1.1' \
	    '/health HTTP/1.1' 'GET health HTTP/1.1' 'GET /health FOO/1.1' \
	    'GET /he alth HTTP/1.1' ' GET /health HTTP/1.1' \
	    'GET /health HTTP/1.1 extra' 'G@T /health HTTP/1.1' \
	    'GET /%zz HTTP/1.1' 'GET /health?%zz HTTP/1.1' 'GET * HTTP/1.1' \
	    'CONNECT example.com:443 HTTP/1.1' 'OPTIONS * HTTP/1.1' \
	    'GET http://x/health HTTP/1.1' 'GET //health HTTP/1.1' \
	    'GET /health HTTP/0.9' 'GET /health HTTP/1'; do
		i=$((i + 1))
		printf '%s\r\nHost: x\r\nConnection: close\r\n\r\n' "$line" \
		    >"$BATS_TEST_TMPDIR/line.$i"
		echo "$line" >"$BATS_TEST_TMPDIR/line.$i.text"
		# All at once: each may wait for the daemon to close.
		(raw_send "$BATS_TEST_TMPDIR/line.$i"
		    printf '%s' "$RAW" >"$BATS_TEST_TMPDIR/line.$i.reply") &
		pids+=($!)
	done
	wait "${pids[@]}"
	for ((; i > 0; i--)); do
		RAW=$(<"$BATS_TEST_TMPDIR/line.$i.reply")
		raw_reply_ok || { echo "for request line:" \
		    "$(<"$BATS_TEST_TMPDIR/line.$i.text")" >&2; false; }
	done
	expect_alive
}

@test "malformed headers never get HTML" {
	local h
	for h in 'NoColonHere' ': empty-name' 'Bad Name: x' $'X-Fold: a\r\n folded' \
	    'Host: x' 'Content-Length: 5' 'Transfer-Encoding: gzip' \
	    'Transfer-Encoding: chunked'; do
		raw_printf 'POST /products HTTP/1.1\r\nHost: x\r\n%s\r\nConnection: close\r\n\r\n' "$h"
		raw_reply_ok || { echo "for header: $h" >&2; false; }
	done
	expect_alive
}

@test "bad chunked encoding never gets HTML" {
	raw_printf '%s\r\n' 'POST /products HTTP/1.1' 'Host: x' \
	    'Content-Type: application/json' 'Transfer-Encoding: chunked' \
	    'Connection: close' '' 'zz' '{}' '0' ''
	expect_raw_ok
	raw_printf '%s\r\n' 'POST /products HTTP/1.1' 'Host: x' \
	    'Content-Type: application/json' 'Transfer-Encoding: chunked' \
	    'Connection: close' '' 'FFFFFFFFFFFFFFFF' 'x' '0' ''
	expect_raw_ok
	raw_printf '%s\r\n' 'POST /products HTTP/1.1' 'Host: x' \
	    'Content-Type: application/json' 'Transfer-Encoding: chunked' \
	    'Content-Length: 5' 'Connection: close' '' '2' '{}' '0' ''
	expect_raw_ok
	[ "$(count /products)" = 0 ]
}

@test "garbage bytes never get HTML" {
	local f="$BATS_TEST_TMPDIR/garbage"
	head -c 4096 /dev/urandom >"$f"
	raw_send "$f"
	expect_raw_ok
	printf '\x00\x01\x02\x03\xff\xfe\r\n\r\n' >"$f"
	raw_send "$f"
	expect_raw_ok
	printf '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' >"$f"
	raw_send "$f"
	expect_raw_ok
	printf 'GET /health HTTP/1.1\r\nHost: \x00\xff\r\nConnection: close\r\n\r\n' >"$f"
	raw_send "$f"
	expect_raw_ok
	printf 'GET /\x00health HTTP/1.1\r\nConnection: close\r\n\r\n' >"$f"
	raw_send "$f"
	expect_raw_ok
	printf '\r\n\r\n\r\n' >"$f"
	raw_send "$f"
	expect_raw_ok
	printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' >"$f"
	raw_send "$f"
	expect_raw_ok
}

@test "a client that connects and says nothing does not hurt" {
	: >"$BATS_TEST_TMPDIR/empty"
	raw_send "$BATS_TEST_TMPDIR/empty"
	expect_raw_ok
	[ -z "$RAW" ]
}

@test "a raw well-formed request gets a JSON reply" {
	raw_printf '%s\r\n' 'GET /health HTTP/1.1' 'Host: x' \
	    'Connection: close' ''
	[ "$(raw_status)" = 200 ]
	grep -qi '^content-type: application/json' <<<"$RAW"
	grep -q '"ok"' <<<"$RAW"
	raw_printf '%s\r\n' 'GET /health HTTP/1.0' ''
	[ "$(raw_status)" = 200 ]
	grep -q '"ok"' <<<"$RAW"
	raw_printf '%s\r\n' 'GET /nope HTTP/1.0' ''
	[ "$(raw_status)" = 404 ]
	expect_raw_ok
}

@test "pipelined requests are all answered" {
	RAW_HOLD=0.5 raw_printf '%s\r\n' 'GET /health HTTP/1.1' 'Host: x' '' \
	    'GET /nope HTTP/1.1' 'Host: x' '' \
	    'GET /health HTTP/1.1' 'Host: x' 'Connection: close' ''
	# A reply body has no final newline: count status lines anywhere.
	[ "$(grep -o 'HTTP/1\.[01] 200 ' <<<"$RAW" | wc -l)" = 2 ]
	[ "$(grep -o 'HTTP/1\.[01] 404 ' <<<"$RAW" | wc -l)" = 1 ]
	no_html "$RAW"
}

@test "POST with raw bytes is parsed like from curl" {
	local body='{"sku":"RAW-1","name":"n","price":1.5,"stock":2}'
	raw_printf '%s\r\n' 'POST /products HTTP/1.1' 'Host: x' \
	    'Content-Type: application/json' "Content-Length: ${#body}" \
	    'Connection: close' '' "$body"
	[ "$(raw_status)" = 201 ]
	expect_raw_ok
	[ "$(count '/products?sku=RAW-1')" = 1 ]
}

@test "the daemon still serves after a burst of bad requests" {
	local i f="$BATS_TEST_TMPDIR/burst" pids=()
	for i in $(seq 1 20); do
		printf 'BAD%d\r\n\r\n' "$i" >"$f.$i"
		raw_send "$f.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	api POST /products '{"sku":"AFTER","name":"n","price":1,"stock":1}'
	expect_status 201
	expect_alive
}
