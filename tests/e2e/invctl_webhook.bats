#!/usr/bin/env bats
# invctl webhook send against a real invd: both signature schemes, replays,
# refusals (1), usage errors (2), an unreachable daemon (3), --print replayed
# with curl, and the secret never shown. Run over TCP and the Unix socket.

SECRET='wh-ctl-secret-8675309'
WHSEC='whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

setup() {
	load helpers
	load invctl_helpers
	export INVD_WEBHOOK_SECRET="$SECRET"
	invd_start
	target_args
}

teardown() {
	invd_stop
}

# ctl_env ENV-ARGS... -- INVCTL-ARGS...: invctl under `env ENV-ARGS`, with
# the transport's target, separate stdout and stderr.
ctl_env() {
	local envargs=()
	while [ "$1" != -- ]; do
		envargs+=("$1")
		shift
	done
	shift
	run --separate-stderr env "${envargs[@]}" "$INVCTL" "${TARGET[@]}" "$@"
}

# replay FILE: send what --print wrote, with curl over the transport, the
# headers and body exactly as printed. Sets STATUS and BODY.
replay() {
	local line body args=() out="$BATS_TEST_TMPDIR/replay.$$"
	{
		read -r line
		[ "$line" = "POST /webhooks/payment" ] || {
			echo "bad request line: $line" >&2
			return 1
		}
		while IFS= read -r line && [ -n "$line" ]; do
			args+=(-H "$line")
		done
		IFS= read -r body
	} <"$1"
	STATUS=$(inv_curl -o "$out" -w '%{http_code}' -X POST "${args[@]}" \
	    --data-binary "$body" /webhooks/payment)
	BODY=$(cat "$out")
}

# print_header NAME: the value of a header in the --print output $output.
print_header() {
	sed -n "2,/^\$/s/^$1: //p" <<<"$output"
}

# The body line of the --print output $output.
print_body() {
	sed -n '/^$/{n;p;q}' <<<"$output"
}

# Fail when invd logged any request to the webhook endpoint.
no_deliveries() {
	! grep -q 'POST /webhooks/payment' "$INVD_LOG"
}

order_status() {
	api GET "/orders/$1"
	jq -r .status <<<"$BODY"
}

product_stock() {
	api GET "/products/$1"
	jq -r .stock <<<"$BODY"
}

@test "seed scheme: payment.succeeded marks the order PAID" {
	pid=$(make_product WC-1 5 10)
	oid=$(make_order "$pid" 2)
	ctl webhook send --order "$oid"
	expect_rc 0
	[[ $output == *"status:"*"processed"* ]]
	[[ $output == *"order_id:"*" $oid"* ]]
	[[ $output == *"new_status:"*"PAID"* ]]
	[[ $output == *"event_id:"*" evt_"* ]]
	[ -z "$stderr" ]
	[ "$(order_status "$oid")" = PAID ]
}

@test "standard scheme: plain and whsec_ secrets both verify" {
	pid=$(make_product WC-2 5 10)
	oid=$(make_order "$pid" 1)
	ctl webhook send --order "$oid" --scheme standard
	expect_rc 0
	[[ $output == *"processed"* ]]
	[ "$(order_status "$oid")" = PAID ]
	invd_stop
	export INVD_WEBHOOK_SECRET="$WHSEC"
	invd_start
	oid=$(make_order "$pid" 1)
	ctl webhook send --order "$oid" --scheme standard
	expect_rc 0
	[ "$(order_status "$oid")" = PAID ]
	# The seed scheme keys with the secret as written, whsec_ and all.
	oid=$(make_order "$pid" 1)
	ctl webhook send --order "$oid" --scheme seed
	expect_rc 0
	[ "$(order_status "$oid")" = PAID ]
}

@test "a replay with the same --event-id is a duplicate and changes nothing" {
	pid=$(make_product WC-3 5 10)
	oid=$(make_order "$pid" 3)
	ctl webhook send --order "$oid" --event-id evt_replay_1
	expect_rc 0
	[[ $output == *"processed"* ]]
	[[ $output == *"evt_replay_1"* ]]
	for scheme in seed standard; do
		ctl webhook send --order "$oid" --event-id evt_replay_1 \
		    --scheme "$scheme"
		expect_rc 0
		[[ $output == *"status:"*"duplicate"* ]]
		[[ $output != *"processed"* ]]
	done
	# Even a replay claiming failure: the recorded event wins.
	ctl webhook send --order "$oid" --event-id evt_replay_1 \
	    --event payment.failed
	expect_rc 0
	[[ $output == *"duplicate"* ]]
	[ "$(order_status "$oid")" = PAID ]
	[ "$(product_stock "$pid")" = 7 ]
}

@test "payment.failed cancels the order and restores its stock" {
	pid=$(make_product WC-4 5 10)
	oid=$(make_order "$pid" 4)
	[ "$(product_stock "$pid")" = 6 ]
	ctl webhook send --order "$oid" --event payment.failed
	expect_rc 0
	[[ $output == *"new_status:"*"CANCELED"* ]]
	[ "$(order_status "$oid")" = CANCELED ]
	[ "$(product_stock "$pid")" = 10 ]
	# Option names may be shortened to a unique prefix.
	oid=$(make_order "$pid" 2)
	ctl webhook send --ord "$oid" --event payment.failed --sch standard
	expect_rc 0
	[ "$(product_stock "$pid")" = 10 ]
}

@test "--json prints the reply exactly and parses with jq" {
	pid=$(make_product WC-5 5 10)
	oid=$(make_order "$pid" 1)
	ctl --json webhook send --order "$oid" --event-id evt_json
	expect_rc 0
	[ "$(wc -l <<<"$output")" = 1 ]
	expect_json_eq .status processed
	expect_json_eq .event_id evt_json
	expect_json_eq .order_id "$oid"
	expect_json_eq .new_status PAID
	[ "$(jq -r 'keys_unsorted | join(",")' <<<"$output")" = \
	    status,event_id,order_id,new_status ]
	# The same bytes the API sends: compare with a signed curl replay.
	ctl webhook send --order "$oid" --event-id evt_json --print
	replay <(printf '%s\n' "$output")
	ctl webhook send --order "$oid" --event-id evt_json --json
	expect_rc 0
	[ "$output" = "$BODY" ]
	expect_json_eq .status duplicate
}

@test "a wrong secret is refused: exit 1, Invalid webhook signature" {
	pid=$(make_product WC-6 5 10)
	oid=$(make_order "$pid" 1)
	for scheme in seed standard; do
		ctl webhook send --order "$oid" --secret not-the-secret \
		    --scheme "$scheme"
		expect_rc 1
		[ "$stderr" = "invctl: Invalid webhook signature" ]
		[ -z "$output" ]
	done
	ctl --json webhook send --order "$oid" --secret not-the-secret
	expect_rc 1
	[ -z "$output" ]
	[ "$(order_status "$oid")" = PENDING ]
}

@test "a daemon without a secret answers 503: exit 1" {
	invd_stop
	unset INVD_WEBHOOK_SECRET
	invd_start
	pid=$(make_product WC-7 5 10)
	oid=$(make_order "$pid" 1)
	ctl webhook send --order "$oid" --secret "$SECRET"
	expect_rc 1
	[[ $stderr == "invctl: "*"not configured"* ]]
	[ -z "$output" ]
	[ "$(order_status "$oid")" = PENDING ]
}

@test "an unknown order (404) or a non-PENDING one (409) exits 1" {
	ctl webhook send --order 424242
	expect_rc 1
	[ "$stderr" = "invctl: Order not found" ]
	[ -z "$output" ]
	pid=$(make_product WC-8 5 10)
	oid=$(make_order "$pid" 1)
	ctl order pay "$oid"
	expect_rc 0
	ctl webhook send --order "$oid"
	expect_rc 1
	[[ $stderr == "invctl: "*PAID* ]]
}

@test "bad --order, --event, --scheme or --event-id: usage error, exit 2" {
	ctl webhook send --order 0
	expect_usage_error "--order"
	ctl webhook send --order abc
	expect_usage_error "--order"
	ctl webhook send
	expect_usage_error "missing --order"
	ctl webhook send --order 1 --event payment.refunded
	expect_usage_error "--event must be payment.succeeded or payment.failed"
	ctl webhook send --order 1 --event ''
	expect_usage_error "--event must be"
	ctl webhook send --order 1 --scheme svix
	expect_usage_error "--scheme must be seed or standard"
	ctl webhook send --order 1 --scheme
	expect_usage_error "--scheme needs a value"
	ctl webhook send --order 1 --event-id ''
	expect_usage_error "--event-id must be 1 to 255 bytes"
	ctl webhook send --order 1 --event-id "$(printf 'a\tb')"
	expect_usage_error "--event-id must be"
	ctl webhook send --order 1 --event-id "$(printf 'x%.0s' $(seq 256))"
	expect_usage_error "--event-id must be"
	ctl webhook send --order 1 --secret a --secret-file /etc/hostname
	expect_usage_error "give only one of --secret or --secret-file"
	ctl webhook send --order 1 --secret-file "$BATS_TEST_TMPDIR/nope"
	expect_usage_error "--secret-file"
	printf '# only a comment\n\n' >"$BATS_TEST_TMPDIR/empty"
	ctl webhook send --order 1 --secret-file "$BATS_TEST_TMPDIR/empty"
	expect_usage_error "no secret in file"
	ctl webhook send --order 1 --secret ''
	expect_usage_error "--secret must not be empty"
	ctl webhook send --order 1 --secret 'whsec_!!!' --scheme standard
	expect_usage_error "not valid base64"
	ctl webhook send --order 1 --bogus
	expect_usage_error "unknown option --bogus"
	# None of these reached the daemon.
	no_deliveries
}

@test "no secret anywhere: usage error naming the options, exit 2" {
	pid=$(make_product WC-9 5 10)
	oid=$(make_order "$pid" 1)
	for extra in "" --print; do
		ctl_env -u INVD_WEBHOOK_SECRET -- webhook send --order "$oid" \
		    $extra
		expect_usage_error "no webhook secret"
		[[ $stderr == *--secret* && $stderr == *--secret-file* &&
		    $stderr == *INVD_WEBHOOK_SECRET* ]]
	done
	ctl_env INVD_WEBHOOK_SECRET= -- webhook send --order "$oid"
	expect_usage_error "no webhook secret"
	no_deliveries
	[ "$(order_status "$oid")" = PENDING ]
}

@test "the secret comes from --secret, --secret-file or the environment" {
	pid=$(make_product WC-10 5 10)
	o1=$(make_order "$pid" 1)
	o2=$(make_order "$pid" 1)
	o3=$(make_order "$pid" 1)
	ctl_env -u INVD_WEBHOOK_SECRET -- webhook send --order "$o1" \
	    --secret "$SECRET"
	expect_rc 0
	printf '# rotated 2026-11\n\n  %s  \nsecond-secret\n' "$SECRET" \
	    >"$BATS_TEST_TMPDIR/secret"
	ctl_env -u INVD_WEBHOOK_SECRET -- webhook send --order "$o2" \
	    --secret-file "$BATS_TEST_TMPDIR/secret" --scheme standard
	expect_rc 0
	# The environment may list several secrets, as for invd: the first.
	ctl_env INVD_WEBHOOK_SECRET="$SECRET"$'\nother' -- webhook send \
	    --order "$o3"
	expect_rc 0
	# The options win over the environment.
	o4=$(make_order "$pid" 1)
	ctl_env INVD_WEBHOOK_SECRET=wrong -- webhook send --order "$o4" \
	    --secret "$SECRET"
	expect_rc 0
	o5=$(make_order "$pid" 1)
	ctl webhook send --order "$o5" --secret-file /dev/null
	expect_usage_error "no secret in file"
	for o in "$o1" "$o2" "$o3" "$o4"; do
		[ "$(order_status "$o")" = PAID ]
	done
}

@test "--print needs no daemon and curl replays it: seed scheme" {
	pid=$(make_product WC-11 5 10)
	oid=$(make_order "$pid" 1)
	run --separate-stderr "$INVCTL" --socket "$BATS_TEST_TMPDIR/none.sock" \
	    webhook send --order "$oid" --event-id evt_print_1 --print
	expect_rc 0
	[ -z "$stderr" ]
	[ "$(head -1 <<<"$output")" = "POST /webhooks/payment" ]
	[ "$(print_header Content-Type)" = application/json ]
	body=$(print_body)
	[ "$(jq -r .event_id <<<"$body")" = evt_print_1 ]
	[ "$(jq -r .type <<<"$body")" = payment.succeeded ]
	[ "$(jq -r .order_id <<<"$body")" = "$oid" ]
	now=$(date +%s)
	created=$(jq -r .created <<<"$body")
	(( created <= now && created >= now - 60 ))
	# The signature is the one openssl computes over the printed body.
	want=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$SECRET" |
	    awk '{print $NF}')
	[ "$(print_header X-Webhook-Signature)" = "sha256=$want" ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/req"
	no_deliveries
	replay "$BATS_TEST_TMPDIR/req"
	expect_status 200
	grep -q 'POST /webhooks/payment 200' "$INVD_LOG"
	[ "$(jq -r .status <<<"$BODY")" = processed ]
	[ "$(order_status "$oid")" = PAID ]
	replay "$BATS_TEST_TMPDIR/req"
	[ "$(jq -r .status <<<"$BODY")" = duplicate ]
}

@test "--print needs no daemon and curl replays it: standard scheme" {
	pid=$(make_product WC-12 5 10)
	oid=$(make_order "$pid" 3)
	run --separate-stderr "$INVCTL" --url "http://127.0.0.1:$(free_port)" \
	    webhook send --order "$oid" --event payment.failed \
	    --scheme standard --print
	expect_rc 0
	[[ $(print_header webhook-id) == msg_[0-9a-f]* ]]
	ts=$(print_header webhook-timestamp)
	now=$(date +%s)
	(( ts <= now && ts >= now - 60 ))
	[[ $(print_header webhook-signature) == v1,* ]]
	[ -z "$(print_header X-Webhook-Signature)" ]
	[ "$(jq -r .type <<<"$(print_body)")" = payment.failed ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/req"
	replay "$BATS_TEST_TMPDIR/req"
	expect_status 200
	[ "$(jq -r .new_status <<<"$BODY")" = CANCELED ]
	[ "$(product_stock "$pid")" = 10 ]
	# One byte more in the body and the signature no longer holds.
	sed -i '$s/}$/ }/' "$BATS_TEST_TMPDIR/req"
	replay "$BATS_TEST_TMPDIR/req"
	expect_status 403
}

@test "--print --json is one object that curl can replay" {
	pid=$(make_product WC-13 5 10)
	oid=$(make_order "$pid" 1)
	run --separate-stderr "$INVCTL" --socket "$BATS_TEST_TMPDIR/none.sock" \
	    --json webhook send --order "$oid" --scheme standard --print
	expect_rc 0
	expect_json_eq .method POST
	expect_json_eq .path /webhooks/payment
	expect_json_eq '.headers["Content-Type"]' application/json
	args=()
	while IFS= read -r h; do
		args+=(-H "$h")
	done < <(jq -r '.headers | to_entries[] | "\(.key): \(.value)"' \
	    <<<"$output")
	STATUS=$(inv_curl -o "$BATS_TEST_TMPDIR/out" -w '%{http_code}' \
	    -X POST "${args[@]}" --data-binary "$(jq -r .body <<<"$output")" \
	    /webhooks/payment)
	[ "$STATUS" = 200 ]
	[ "$(order_status "$oid")" = PAID ]
}

@test "each run without --event-id is a new random event" {
	pid=$(make_product WC-14 5 10)
	oid=$(make_order "$pid" 1)
	ctl webhook send --order "$oid" --print
	a=$(jq -r .event_id <<<"$(print_body)")
	ctl webhook send --order "$oid" --print
	b=$(jq -r .event_id <<<"$(print_body)")
	[[ $a =~ ^evt_[0-9a-f]{32}$ ]]
	[[ $b =~ ^evt_[0-9a-f]{32}$ ]]
	[ "$a" != "$b" ]
}

@test "an unreachable daemon exits 3" {
	run --separate-stderr "$INVCTL" --socket "$BATS_TEST_TMPDIR/none.sock" \
	    webhook send --order 1
	expect_rc 3
	[[ $stderr == "invctl: cannot connect to "* ]]
	[ -z "$output" ]
	run --separate-stderr "$INVCTL" --url "http://127.0.0.1:$(free_port)" \
	    webhook send --order 1 --scheme standard
	expect_rc 3
	[[ $stderr == "invctl: cannot connect to "* ]]
}

@test "the secret never appears in invctl's output" {
	local all=
	pid=$(make_product WC-15 5 10)
	oid=$(make_order "$pid" 1)
	printf '%s\n' "$SECRET" >"$BATS_TEST_TMPDIR/secret"
	for args in "--print" "--print --scheme standard" "--print --json" \
	    "--print --json --scheme standard" "" "--scheme standard" \
	    "--secret-file $BATS_TEST_TMPDIR/secret --print" \
	    "--secret $SECRET --print --scheme standard" \
	    "--secret $SECRET --event nope" "--secret $SECRET --help"; do
		ctl webhook send --order "$oid" $args
		all+="$output$stderr"
		ctl --json webhook send --order "$oid" $args
		all+="$output$stderr"
	done
	ctl webhook send --order "$oid" --secret "$SECRET"x
	[ "$status" -eq 1 ]
	all+="$output$stderr"
	ctl_env -u INVD_WEBHOOK_SECRET -- webhook send --order "$oid"
	all+="$output$stderr"
	[ -n "$all" ]
	[[ $all != *"$SECRET"* ]] || {
		echo "secret leaked: $all" >&2
		return 1
	}
	! grep -qF "$SECRET" "$INVD_LOG"
}

@test "webhook send runs from the shell too" {
	pid=$(make_product WC-16 5 10)
	oid=$(make_order "$pid" 1)
	run --separate-stderr bash -c 'printf "%s\n" "$1" | "$2" "${@:3}"' _ \
	    "webhook send --order $oid --event-id evt_sh" "$INVCTL" \
	    "${TARGET[@]}"
	expect_rc 0
	[[ $output == *processed* ]]
	[ "$(order_status "$oid")" = PAID ]
}
