#!/usr/bin/env bats
# GET /openapi.json: the document served is invd/openapi.json with invd's
# version, a real OpenAPI linter passes it, and every operation answers
# every status the document lists, each reply checked against it
# (tests/e2e/contract.py). That the route table and the document name the
# same operations is a unit test (tests/unit/test_router.c); the whole
# suite's replies are checked too when make e2e runs.

SECRET='openapi-test-secret'
# Supports Debian 12's Node.js 18; installed under build/, not globally.
REDOCLY_VERSION=1.34.20

setup() {
	load helpers
	load api_helpers
	export INVD_WEBHOOK_SECRET="$SECRET"
	SPEC="$BATS_TEST_DIRNAME/../../invd/openapi.json"
	invd_start
}

teardown() {
	invd_stop
}

# served_spec: fetch /openapi.json into $SERVED.
served_spec() {
	SERVED="$BATS_TEST_TMPDIR/openapi.json"
	api GET /openapi.json
	expect_status 200 || return 1
	printf '%s\n' "$BODY" >"$SERVED"
}

redocly() {
	local dir="$BATS_TEST_DIRNAME/../../build/npm"
	local bin="$dir/node_modules/.bin/redocly" have=
	have=$(jq -r .version "$dir/node_modules/@redocly/cli/package.json" \
	    2>/dev/null || true)
	if [ "$have" != "$REDOCLY_VERSION" ]; then
		command -v npm >/dev/null ||
		    "$BATS_TEST_DIRNAME/../deps.sh" nodejs npm >&2
		npm install --prefix "$dir" --no-audit --no-fund \
		    --loglevel=error "@redocly/cli@$REDOCLY_VERSION" >&2
	fi
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	    "$bin" "$@"
}

@test "GET /openapi.json serves the source document with invd's version" {
	served_spec
	json_content_type
	local version
	version=$(sed -n 's/^#define INV_VERSION[^"]*"\(.*\)"/\1/p' \
	    "$BATS_TEST_DIRNAME/../../common/api.h")
	[ -n "$version" ]
	[ "$(jq -r .openapi "$SERVED")" = 3.1.0 ]
	[ "$(jq -r .info.title "$SERVED")" = "Orders & Inventory Service" ]
	[ "$(jq -r .info.version "$SERVED")" = "$version" ]
	diff <(sed "s/@INV_VERSION@/$version/" "$SPEC") "$SERVED"
	# The Unix socket is named in the description.
	jq -r .info.description "$SERVED" | grep -q 'Unix socket'
	# invctl api prints the same document.
	inv_ctl api >"$BATS_TEST_TMPDIR/ctl.json"
	diff "$SERVED" "$BATS_TEST_TMPDIR/ctl.json"
}

@test "the served document passes redocly lint with no errors" {
	[ "$INV_TRANSPORT" = tcp ] || skip "the same bytes are linted over TCP"
	served_spec
	run redocly lint --format=stylish "$SERVED"
	echo "$output"
	[ "$status" -eq 0 ]
	! grep -qi 'error' <<<"$output"
}

sig() {
	printf 'sha256=%s' "$(printf '%s' "$1" |
	    openssl dgst -sha256 -hmac "$SECRET" | awk '{print $NF}')"
}

hook() {
	api_send /webhooks/payment -X POST -H 'Content-Type: application/json' \
	    "${@:2}" --data-binary "$1"
}

@test "every operation answers every documented status as documented" {
	export INV_CONTRACT_LOG="$BATS_TEST_TMPDIR/contract.log"
	local big="$BATS_TEST_TMPDIR/big.json" p o e
	head -c 1100000 /dev/zero | tr '\0' ' ' >"$big"

	for p in /health /products /orders /openapi.json /docs /metrics; do
		api GET "$p"
		api GET "$p?x"
		api GET "$p?x=%00"
	done

	api POST /products '{"sku":"C-1","name":"Cup","price":9.99,"stock":5}'
	p=$(jfield id)
	api POST /products '{"sku":"C-1","name":"Cup","price":9.99,"stock":5}'
	api POST /products '{"sku":"C-2","name":"Cup","price":0,"stock":5}'
	api POST /products '{"sku":'
	api_ct POST /products text/plain '{}'
	api_file POST /products "$big" application/json -H Expect:
	api POST /products '{"sku":"C-3","name":"Saucer","price":1.5,"stock":0}'
	api GET '/products?limit=1'
	api GET '/products?sku=C-1'
	api GET '/products?limit=0'
	api GET "/products/$p"
	api GET /products/99999
	api GET /products/abc
	api GET '/products/1?x'
	api PUT "/products/$p" '{"price":12.5}'
	api PUT "/products/$p" '{}'
	api PUT /products/99999 '{"price":1}'
	api PUT "/products/$p" '{"sku":"C-3"}'
	api PUT "/products/$p" '{"stock":-1}'
	api PUT "/products/$p" '{"stock":'
	api_ct PUT "/products/$p" text/plain '{}'
	api_file PUT "/products/$p" "$big" application/json -H Expect:

	api POST /orders "{\"product_id\":$p,\"quantity\":2}"
	o=$(jfield id)
	api POST /orders "{\"product_id\":$p,\"quantity\":500}"
	api POST /orders '{"product_id":99999,"quantity":1}'
	api POST /orders "{\"product_id\":$p,\"quantity\":0}"
	api POST /orders '['
	api_ct POST /orders text/plain '{}'
	api_file POST /orders "$big" application/json -H Expect:
	api GET "/orders?status=PENDING&product_id=$p&limit=1"
	api GET '/orders?status=LOST'
	api GET "/orders/$o"
	api GET /orders/99999
	api GET /orders/0
	api GET '/orders/1?x'
	api DELETE "/products/$p"
	api PUT "/orders/$o" '{"status":"PAID"}'
	api PUT "/orders/$o" '{"status":"PENDING"}'
	api PUT /orders/99999 '{"status":"PAID"}'
	api PUT "/orders/$o" '{"status":"LOST"}'
	api_ct PUT "/orders/$o" text/plain '{}'
	api_file PUT "/orders/$o" "$big" application/json -H Expect:
	api PUT "/orders/$o" '{"status":"SHIPPED"}'
	api DELETE "/orders/$o"
	api DELETE /orders/99999
	api DELETE /orders/x
	api DELETE '/orders/1?x'
	api POST /orders "{\"product_id\":$p,\"quantity\":1}"
	o=$(jfield id)
	api DELETE "/orders/$o"
	api DELETE "/orders/$o"
	api DELETE "/products/$p"
	api DELETE /products/99999
	api DELETE /products/x
	api DELETE '/products/1?x'

	api POST /orders "{\"product_id\":$(make_product C-4 1 5),\"quantity\":1}"
	o=$(jfield id)
	e="{\"event_id\":\"evt_c1\",\"type\":\"payment.succeeded\",\"order_id\":$o}"
	hook "$e" -H "X-Webhook-Signature: $(sig "$e")"
	hook "$e" -H "X-Webhook-Signature: $(sig "$e")"
	hook "$e" -H "X-Webhook-Signature: sha256=00"
	hook "$e"
	e='{"event_id":"evt_c2","type":"payment.succeeded","order_id":99999}'
	hook "$e" -H "X-Webhook-Signature: $(sig "$e")"
	e="{\"event_id\":\"evt_c3\",\"type\":\"payment.failed\",\"order_id\":$o}"
	hook "$e" -H "X-Webhook-Signature: $(sig "$e")"
	e='{"event_id":"evt_c4"}'
	hook "$e" -H "X-Webhook-Signature: $(sig "$e")"
	e='{"event_id":'
	hook "$e" -H "X-Webhook-Signature: $(sig "$e")"
	api_ct POST /webhooks/payment text/plain '{}'
	api_file POST /webhooks/payment "$big" application/json -H Expect:
	api POST '/webhooks/payment?x' '{}'

	# Unknown paths and methods, checked against components.responses.
	api GET /no/such/path
	api PATCH /products
	api DELETE /health

	# No secret configured: 503.
	invd_stop
	unset INVD_WEBHOOK_SECRET
	invd_start
	hook "$e" -H "X-Webhook-Signature: $(sig "$e")"

	run /usr/bin/python3 "$BATS_TEST_DIRNAME/contract.py" "$SPEC" \
	    "$INV_CONTRACT_LOG" --cover
	echo "$output"
	[ "$status" -eq 0 ]
}
