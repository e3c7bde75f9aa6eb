#!/usr/bin/env bats
# POST /webhooks/payment: both signature schemes, rotation, tolerance,
# exactly-once under replays (sequential, concurrent, after a restart), and
# secrets never logged. Run over TCP and the Unix socket like every file.

SECRET='wh-test-secret-31337'
OLD_SECRET='wh-old-secret-4242'
WHSEC='whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

setup() {
	load helpers
	export INVD_WEBHOOK_SECRET="$SECRET"
	invd_start
}

teardown() {
	invd_stop
}

# seed_sig BODY [SECRET]: the X-Webhook-Signature value.
seed_sig() {
	printf 'sha256=%s' "$(printf '%s' "$1" |
	    openssl dgst -sha256 -hmac "${2:-$SECRET}" | awk '{print $NF}')"
}

# std_sig ID TS BODY KEY-HEX: a Standard Webhooks v1 signature.
std_sig() {
	printf 'v1,%s' "$(printf '%s.%s.%s' "$1" "$2" "$3" |
	    openssl dgst -sha256 -mac HMAC -macopt "hexkey:$4" -binary |
	    base64 -w0)"
}

hex_of() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

# hook BODY [curl header args...]: POST the exact bytes; sets STATUS, BODY.
hook() {
	local body=$1 out="$BATS_TEST_TMPDIR/hook.$$"
	shift
	STATUS=$(inv_curl -o "$out" -w '%{http_code}' -X POST \
	    -H 'Content-Type: application/json' "$@" --data-binary "$body" \
	    /webhooks/payment)
	BODY=$(cat "$out")
}

event() {
	printf '{"event_id":"%s","type":"%s","order_id":%s}' "$1" "$2" "$3"
}

@test "a signed payment.succeeded marks the order PAID" {
	pid=$(make_product WH-1 5 10)
	oid=$(make_order "$pid" 2)
	b=$(event evt_ok payment.succeeded "$oid")
	hook "$b" -H "X-Webhook-Signature: $(seed_sig "$b")"
	expect_status 200
	[ "$(jq -r .status <<<"$BODY")" = processed ]
	[ "$(jq -r .order_id <<<"$BODY")" = "$oid" ]
	[ "$(jq -r .new_status <<<"$BODY")" = PAID ]
	api GET "/orders/$oid"
	[ "$(jq -r .status <<<"$BODY")" = PAID ]
}

@test "payment.failed cancels the PENDING order and restores its stock" {
	pid=$(make_product WH-2 5 10)
	oid=$(make_order "$pid" 4)
	api GET "/products/$pid"
	[ "$(jq .stock <<<"$BODY")" = 6 ]
	b=$(event evt_fail payment.failed "$oid")
	hook "$b" -H "X-Webhook-Signature: $(seed_sig "$b")"
	expect_status 200
	[ "$(jq -r .new_status <<<"$BODY")" = CANCELED ]
	api GET "/products/$pid"
	[ "$(jq .stock <<<"$BODY")" = 10 ]
	hook "$b" -H "X-Webhook-Signature: $(seed_sig "$b")"
	[ "$(jq -r .status <<<"$BODY")" = duplicate ]
	api GET "/products/$pid"
	[ "$(jq .stock <<<"$BODY")" = 10 ]
}

@test "missing signature is 401, wrong or other-body signature is 403" {
	pid=$(make_product WH-3 5 10)
	oid=$(make_order "$pid" 1)
	b=$(event evt_sig payment.succeeded "$oid")
	hook "$b"
	expect_status 401
	expect_detail "Missing webhook signature"
	hook "$b" -H "X-Webhook-Signature: sha256=$(printf '%064d' 0)"
	expect_status 403
	expect_detail "Invalid webhook signature"
	hook "$b" -H "X-Webhook-Signature: $(seed_sig "$b" not-the-secret)"
	expect_status 403
	other=$(event evt_sig payment.succeeded 999)
	hook "$b" -H "X-Webhook-Signature: $(seed_sig "$other")"
	expect_status 403
	hook "$b " -H "X-Webhook-Signature: $(seed_sig "$b")"
	expect_status 403
	hook "$b" -H "X-Webhook-Signature: garbage"
	expect_status 403
	api GET "/orders/$oid"
	[ "$(jq -r .status <<<"$BODY")" = PENDING ]
}

@test "Standard Webhooks signatures verify, several allowed, whsec_ decoded" {
	invd_stop
	export INVD_WEBHOOK_SECRET="$WHSEC"
	invd_start
	key=$(printf '%s' "${WHSEC#whsec_}" | base64 -d | od -An -tx1 |
	    tr -d ' \n')
	pid=$(make_product WH-4 5 10)
	oid=$(make_order "$pid" 1)
	b=$(event evt_std payment.succeeded "$oid")
	ts=$(date +%s)
	sig=$(std_sig msg_1 "$ts" "$b" "$key")
	hook "$b" -H "webhook-id: msg_1" -H "webhook-timestamp: $ts" \
	    -H "webhook-signature: v1,bm90IGl0 $sig"
	expect_status 200
	[ "$(jq -r .new_status <<<"$BODY")" = PAID ]
	# The seed scheme keys with the secret as written, whsec_ and all.
	oid2=$(make_order "$pid" 1)
	b2=$(event evt_std2 payment.succeeded "$oid2")
	hook "$b2" -H "X-Webhook-Signature: $(seed_sig "$b2" "$WHSEC")"
	expect_status 200
}

@test "a Standard Webhooks timestamp outside the tolerance is refused, either way" {
	pid=$(make_product WH-5 5 10)
	oid=$(make_order "$pid" 1)
	b=$(event evt_ts payment.succeeded "$oid")
	key=$(hex_of "$SECRET")
	for ts in $(( $(date +%s) - 400 )) $(( $(date +%s) + 400 )) abc ''; do
		sig=$(std_sig msg_ts "$ts" "$b" "$key")
		hook "$b" -H "webhook-id: msg_ts" -H "webhook-timestamp: $ts" \
		    -H "webhook-signature: $sig"
		expect_status 403
	done
	ts=$(( $(date +%s) - 200 ))
	hook "$b" -H "webhook-id: msg_ts" -H "webhook-timestamp: $ts" \
	    -H "webhook-signature: $(std_sig msg_ts "$ts" "$b" "$key")"
	expect_status 200
}

@test "--webhook-tolerance narrows the window" {
	invd_stop
	invd_start --webhook-tolerance 10s
	pid=$(make_product WH-6 5 10)
	oid=$(make_order "$pid" 1)
	b=$(event evt_tol payment.succeeded "$oid")
	ts=$(( $(date +%s) - 60 ))
	hook "$b" -H "webhook-id: m" -H "webhook-timestamp: $ts" \
	    -H "webhook-signature: $(std_sig m "$ts" "$b" "$(hex_of "$SECRET")")"
	expect_status 403
}

@test "rotation: old and new secrets from a file both verify" {
	invd_stop
	unset INVD_WEBHOOK_SECRET
	printf '# rotation in progress\n%s\n%s\n' "$OLD_SECRET" "$SECRET" \
	    >"$BATS_TEST_TMPDIR/secrets"
	invd_start --webhook-secret-file "$BATS_TEST_TMPDIR/secrets"
	pid=$(make_product WH-7 5 10)
	o1=$(make_order "$pid" 1)
	o2=$(make_order "$pid" 1)
	b=$(event evt_old payment.succeeded "$o1")
	hook "$b" -H "X-Webhook-Signature: $(seed_sig "$b" "$OLD_SECRET")"
	expect_status 200
	b=$(event evt_new payment.succeeded "$o2")
	hook "$b" -H "X-Webhook-Signature: $(seed_sig "$b" "$SECRET")"
	expect_status 200
}

@test "no secret configured: 503, nothing applied" {
	invd_stop
	unset INVD_WEBHOOK_SECRET
	invd_start
	pid=$(make_product WH-8 5 10)
	oid=$(make_order "$pid" 1)
	b=$(event evt_none payment.succeeded "$oid")
	hook "$b" -H "X-Webhook-Signature: $(seed_sig "$b")"
	expect_status 503
	[ -n "$(jq -r .detail <<<"$BODY")" ]
	api GET "/orders/$oid"
	[ "$(jq -r .status <<<"$BODY")" = PENDING ]
}

@test "an unreadable or empty secret file stops start-up" {
	invd_stop
	# Even with INVD_WEBHOOK_SECRET set: a named file must be usable.
	run timeout 10 "$INVD" --data "$BATS_TEST_TMPDIR/d2" --listen off \
	    --socket "$BATS_TEST_TMPDIR/s2" --webhook-secret-file /nonexistent
	[ "$status" -eq 1 ]
	: >"$BATS_TEST_TMPDIR/empty"
	run timeout 10 "$INVD" --data "$BATS_TEST_TMPDIR/d2" --listen off \
	    --socket "$BATS_TEST_TMPDIR/s2" \
	    --webhook-secret-file "$BATS_TEST_TMPDIR/empty"
	[ "$status" -eq 1 ]
	run timeout 10 "$INVD" --webhook-secret "$SECRET"
	[ "$status" -eq 2 ]
}

@test "unknown order is 404, a non-PENDING order is 409" {
	b=$(event evt_404 payment.succeeded 424242)
	hook "$b" -H "X-Webhook-Signature: $(seed_sig "$b")"
	expect_status 404
	expect_detail "Order not found"
	pid=$(make_product WH-9 5 10)
	oid=$(make_order "$pid" 1)
	api PUT "/orders/$oid" '{"status":"PAID"}'
	b=$(event evt_409 payment.succeeded "$oid")
	hook "$b" -H "X-Webhook-Signature: $(seed_sig "$b")"
	expect_status 409
	[[ "$(jq -r .detail <<<"$BODY")" == *PAID* ]]
}

@test "signed but malformed or invalid bodies are 400 or 422" {
	for b in '{"event_id":"e","type":"payment.succeeded","order_id":1' \
	    '[]' 'nope' '{"event_id":"e","type":"payment.succeeded","order_id":1} x'; do
		hook "$b" -H "X-Webhook-Signature: $(seed_sig "$b")"
		[[ "$STATUS" == 400 || "$STATUS" == 422 ]] ||
		    { echo "$b -> $STATUS $BODY"; false; }
	done
	for b in '{"type":"payment.succeeded","order_id":1}' \
	    '{"event_id":"","type":"payment.succeeded","order_id":1}' \
	    '{"event_id":"e","type":"payment.refunded","order_id":1}' \
	    '{"event_id":"e","type":"payment.succeeded","order_id":"1"}' \
	    '{"event_id":"e","type":"payment.succeeded","order_id":0}' \
	    '{"event_id":7,"type":"payment.succeeded","order_id":1}' \
	    '{"event_id":"e","type":"payment.succeeded","order_id":1,"x":1}'; do
		hook "$b" -H "X-Webhook-Signature: $(seed_sig "$b")"
		[ "$STATUS" = 422 ] || { echo "$b -> $STATUS $BODY"; false; }
	done
	b='{"event_id":"e","type":"payment.succeeded","order_id":1,"created":1700000000}'
	hook "$b" -H "X-Webhook-Signature: $(seed_sig "$b")"
	expect_status 404
}

@test "20 concurrent deliveries of one event: exactly one processed" {
	pid=$(make_product WH-10 5 10)
	oid=$(make_order "$pid" 3)
	b=$(event evt_conc payment.failed "$oid")
	sig=$(seed_sig "$b")
	export b sig BATS_TEST_DIRNAME
	seq 1 20 | xargs -P 20 -I{} bash -c '
		source "$BATS_TEST_DIRNAME/helpers.bash"
		inv_curl -X POST -H "Content-Type: application/json" \
		    -H "X-Webhook-Signature: $sig" --data-binary "$b" \
		    /webhooks/payment; echo' >"$BATS_TEST_TMPDIR/out"
	# Replies may interleave on the shared pipe: count, not lines.
	[ "$(grep -o '"status":"processed"' "$BATS_TEST_TMPDIR/out" |
	    wc -l)" = 1 ]
	[ "$(grep -o '"status":"duplicate"' "$BATS_TEST_TMPDIR/out" |
	    wc -l)" = 19 ]
	api GET "/products/$pid"
	[ "$(jq .stock <<<"$BODY")" = 10 ]
}

@test "a replay after a restart is still a duplicate" {
	pid=$(make_product WH-11 5 10)
	oid=$(make_order "$pid" 1)
	b=$(event evt_restart payment.succeeded "$oid")
	hook "$b" -H "X-Webhook-Signature: $(seed_sig "$b")"
	[ "$(jq -r .status <<<"$BODY")" = processed ]
	invd_kill9
	invd_start
	hook "$b" -H "X-Webhook-Signature: $(seed_sig "$b")"
	expect_status 200
	[ "$(jq -r .status <<<"$BODY")" = duplicate ]
	invd_stop
	invd_start
	hook "$b" -H "X-Webhook-Signature: $(seed_sig "$b")"
	[ "$(jq -r .status <<<"$BODY")" = duplicate ]
}

@test "secrets never appear in the log" {
	invd_stop
	printf '%s\n' "$OLD_SECRET" >"$BATS_TEST_TMPDIR/secrets"
	invd_start --log-level debug --webhook-secret-file \
	    "$BATS_TEST_TMPDIR/secrets"
	pid=$(make_product WH-12 5 10)
	oid=$(make_order "$pid" 1)
	b=$(event evt_log payment.succeeded "$oid")
	hook "$b" -H "X-Webhook-Signature: $(seed_sig "$b")"
	hook "$b" -H "X-Webhook-Signature: sha256=00"
	invd_stop
	! grep -F -e "$SECRET" -e "$OLD_SECRET" "$INVD_LOG"
	grep -q 'webhook' "$INVD_LOG"
}
