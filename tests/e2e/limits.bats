#!/usr/bin/env bats
# Connection hygiene: many idle and half-sent connections at once, the
# connection cap, slow clients (slowloris) and the read and idle timeouts,
# the open file limit, header size, and the options that set them.

setup() {
	load helpers
	load api_helpers
	CONNS="$BATS_TEST_DIRNAME/conns.py"
	HELPER_PIDS=()
}

teardown() {
	local p
	for p in "${HELPER_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	invd_stop
}

# The address conns.py takes for the transport under test.
conn_addr() {
	if [ "$INV_TRANSPORT" = unix ]; then
		echo "$SOCK"
	else
		echo "127.0.0.1:$PORT"
	fi
}

# open_fds: how many descriptors invd has open.
open_fds() {
	ls "/proc/$INVD_PID/fd" | wc -l
}

# fds_at_least N, fds_at_most N: invd's descriptor count, read anew on
# each call (wait_for's arguments are expanded only once).
fds_at_least() { [ "$(open_fds)" -ge "$1" ]; }
fds_at_most() { [ "$(open_fds)" -le "$1" ]; }

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds.
wait_for() {
	local n=$(( $1 * 10 ))
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || { echo "timed out waiting for: $*" >&2; return 1; }
		sleep 0.1
	done
}

# slow_client KIND INTERVAL SECONDS: run one conns.py slow client; sets
# CLOSED_AFTER (seconds, empty if invd left it open) and SENT (bytes).
slow_client() {
	local out
	out=$(timeout $(( ${3%.*} + 15 )) python3 "$CONNS" slow "$(conn_addr)" \
	    "$@")
	echo "slow client $1: $out" >&2
	set -- $out
	CLOSED_AFTER=
	[ "$1" = closed ] && CLOSED_AFTER=$2
	SENT=$4
}

# Tests that never touch a transport run in the unix pass only.
unix_pass_only() {
	[ "$INV_TRANSPORT" = unix ] ||
	    skip "transport-independent; runs in the unix pass"
}

# between X LO HI: LO <= X <= HI, for decimals.
between() {
	awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'
}

@test "1000 idle and half-sent connections held; requests stay prompt" {
	invd_start || false
	local base hold="$BATS_TEST_TMPDIR/hold" i t max=0
	base=$(open_fds)
	timeout 60 python3 "$CONNS" hold "$(conn_addr)" 1000 40 >"$hold" &
	HELPER_PIDS+=($!)
	wait_for 30 grep -q '^open 1000$' "$hold"
	# Accepted by invd, not just queued in the kernel.
	wait_for 15 fds_at_least $((base + 1000))
	transport_args
	for i in $(seq 1 10); do
		t=$(curl -sf --max-time 5 "${T_ARGS[@]}" -o /dev/null \
		    -w '%{time_total}' "$T_BASE/health")
		max=$(awk -v a="$t" -v b="$max" 'BEGIN { print (a > b) ? a : b }')
		t=$(curl -sf --max-time 5 "${T_ARGS[@]}" -o /dev/null \
		    -w '%{time_total}' -H 'Content-Type: application/json' \
		    --data-binary "{\"sku\":\"HELD-$i\",\"name\":\"n\",\"price\":1,\"stock\":1}" \
		    "$T_BASE/products")
		max=$(awk -v a="$t" -v b="$max" 'BEGIN { print (a > b) ? a : b }')
	done
	echo "# slowest of 20 requests with 1000 connections held: ${max}s" >&3
	# A generous bound: this checks nothing waits on the held ones.
	between "$max" 0 2
	[ "$(count '/products?limit=100')" = 10 ]
	# None of the held connections was dropped meanwhile.
	kill -TERM "${HELPER_PIDS[0]}"
	wait "${HELPER_PIDS[0]}" || true
	HELPER_PIDS=()
	grep -q '^closed 0$' "$hold"
	# All closed again: invd is back to its own descriptors.
	wait_for 10 fds_at_most $((base + 2))
}

@test "slowloris clients trickling headers or a body are dropped at --read-timeout" {
	invd_start --read-timeout 2 --idle-timeout 10 || false
	local body="$BATS_TEST_TMPDIR/body"
	slow_client body 0.4 12 >"$body" 2>&1 &
	HELPER_PIDS+=($!)
	slow_client headers 0.4 12
	# It kept sending and was dropped all the same, at the deadline.
	[ -n "$CLOSED_AFTER" ]
	between "$CLOSED_AFTER" 1.5 5
	[ "$SENT" -ge 3 ]
	# So was the one sending its body a byte at a time.
	wait "${HELPER_PIDS[0]}"
	HELPER_PIDS=()
	set -- $(sed -n 's/^slow client body: //p' "$body")
	[ "$1" = closed ]
	between "$2" 1.5 5
	[ "$4" -ge 3 ]
	[ "$(grep -c 'request was not whole after 2 s' "$INVD_LOG")" = 2 ]
	[ "$(count /products)" = 0 ]
	expect_alive
}

@test "idle connections, new or kept alive, are closed after --idle-timeout" {
	invd_start --idle-timeout 1 --read-timeout 10 || false
	local ka="$BATS_TEST_TMPDIR/ka"
	slow_client keepalive 0 8 >"$ka" 2>&1 &
	HELPER_PIDS+=($!)
	slow_client idle 0 8
	[ -n "$CLOSED_AFTER" ]
	between "$CLOSED_AFTER" 0.5 3
	wait "${HELPER_PIDS[0]}"
	HELPER_PIDS=()
	set -- $(sed -n 's/^slow client keepalive: //p' "$ka")
	[ "$1" = closed ]
	between "$2" 0.5 3
	expect_alive
}

@test "a request within the limits is answered however it is split" {
	invd_start --read-timeout 3 --idle-timeout 1 || false
	local body='{"sku":"SPLIT-1","name":"n","price":1,"stock":1}' addr
	addr="TCP:127.0.0.1:$PORT"
	[ "$INV_TRANSPORT" = unix ] && addr="UNIX-CONNECT:$SOCK"
	# Headers, a pause shorter than either timeout, then the body.
	RAW=$({
		printf 'POST /products HTTP/1.1\r\nHost: x\r\n'
		printf 'Content-Type: application/json\r\n'
		printf 'Content-Length: %d\r\nConnection: close\r\n\r\n' \
		    ${#body}
		sleep 0.5
		printf '%s' "$body"
		sleep 0.5
	} | socat -t 2 -T 5 - "$addr")
	[ "$(raw_status)" = 201 ]
	[ "$(count '/products?sku=SPLIT-1')" = 1 ]
}

@test "at --max-connections new clients wait, then are served" {
	invd_start --max-connections 20 || false
	local hold="$BATS_TEST_TMPDIR/hold" queued="$BATS_TEST_TMPDIR/queued"
	timeout 60 python3 "$CONNS" hold "$(conn_addr)" 20 30 >"$hold" &
	HELPER_PIDS+=($!)
	wait_for 20 grep -q '^open 20$' "$hold"
	wait_for 10 grep -q '20 connections open, the max-connections limit' \
	    "$INVD_LOG"
	transport_args
	# Not accepted while all 20 are taken: no reply within a second.
	run curl -s --max-time 1 "${T_ARGS[@]}" "$T_BASE/health"
	[ "$status" = 28 ]
	# A client that waits is served as soon as a slot frees.
	curl -s --max-time 20 "${T_ARGS[@]}" -o /dev/null -w '%{http_code}' \
	    "$T_BASE/health" >"$queued" &
	HELPER_PIDS+=($!)
	sleep 0.5
	[ ! -s "$queued" ]
	kill -TERM "${HELPER_PIDS[0]}"
	wait "${HELPER_PIDS[0]}" || true
	wait_for 10 grep -q '^200$' "$queued"
	# And the daemon is back to normal.
	api POST /products '{"sku":"AFTER-CAP","name":"n","price":1,"stock":1}'
	expect_status 201
}

@test "the open file limit is raised to fit --max-connections, or it shrinks" {
	unix_pass_only
	local real=$INVD hard
	hard=$(ulimit -H -n)
	[ "$hard" = unlimited ] || [ "$hard" -ge 1100 ] ||
	    skip "hard open file limit $hard is below 1100"
	printf '#!/bin/sh\nulimit -S -n 256\nexec "%s" "$@"\n' "$real" \
	    >"$BATS_TEST_TMPDIR/low-soft"
	printf '#!/bin/sh\nulimit -n 200\nexec "%s" "$@"\n' "$real" \
	    >"$BATS_TEST_TMPDIR/low-hard"
	chmod +x "$BATS_TEST_TMPDIR/low-soft" "$BATS_TEST_TMPDIR/low-hard"
	INVD="$BATS_TEST_TMPDIR/low-soft" invd_start --max-connections 1000 ||
	    false
	grep -q 'open file limit raised from 256 to .* for max-connections 1000' \
	    "$INVD_LOG"
	[ "$(awk '/Max open files/ { print $4 }' "/proc/$INVD_PID/limits")" -ge 1064 ]
	expect_alive
	invd_stop
	INVD="$BATS_TEST_TMPDIR/low-hard" invd_start --max-connections 1000 ||
	    false
	grep -q 'open file limit 200 is too low for max-connections 1000; serving at most 136' \
	    "$INVD_LOG"
	expect_alive
}

@test "--max-headers is honoured, with a JSON error naming the limit" {
	invd_start --max-headers 2K || false
	api_send /health -H "X-Pad: $(head -c 1000 /dev/zero | tr '\0' a)"
	expect_status 200
	api_send /health -H "X-Pad: $(head -c 3000 /dev/zero | tr '\0' a)"
	expect_status 400
	no_html "$BODY"
	[[ "$(jq -r .detail <<<"$BODY")" == *"2048 bytes"* ]]
	expect_alive
}

@test "the limits come from options, the environment and the file" {
	unix_pass_only
	local conf="$BATS_TEST_TMPDIR/invd.conf" out
	printf '%s\n' 'max-connections = 77' 'idle-timeout = 2m' \
	    'read-timeout = 15s' 'max-headers = 8K' >"$conf"
	out=$("$INVD" --config "$conf" --check-config)
	grep -qx 'max-connections = 77' <<<"$out"
	grep -qx 'idle-timeout = 120s' <<<"$out"
	grep -qx 'read-timeout = 15s' <<<"$out"
	grep -qx 'max-headers = 8K' <<<"$out"
	out=$(INVD_MAX_CONNECTIONS=9 INVD_READ_TIMEOUT=5 "$INVD" \
	    --config "$conf" --idle-timeout 7 --check-config)
	grep -qx 'max-connections = 9' <<<"$out"
	grep -qx 'read-timeout = 5s' <<<"$out"
	grep -qx 'idle-timeout = 7s' <<<"$out"
	# The defaults.
	out=$("$INVD" --check-config)
	grep -qx 'max-connections = 4096' <<<"$out"
	grep -qx 'idle-timeout = 60s' <<<"$out"
	grep -qx 'read-timeout = 30s' <<<"$out"
	grep -qx 'max-headers = 16K' <<<"$out"
	"$INVD" --help | grep -q -- '--max-connections N .*\[4096\]'
	"$INVD" --help | grep -q -- '--read-timeout TIME .*\[30s\]'
}

@test "bad limit values exit 2 naming the option" {
	unix_pass_only
	local bad
	for bad in '--max-connections 0' '--max-connections 4K' \
	    '--max-connections -1' '--idle-timeout 0' '--idle-timeout 2d' \
	    '--read-timeout 0' '--read-timeout 2h' '--read-timeout x' \
	    '--max-headers 10' '--max-headers 2M'; do
		run "$INVD" --data "$BATS_TEST_TMPDIR/d" $bad
		[ "$status" = 2 ] || { echo "$bad: $status $output" >&2; false; }
		[[ "$output" == *"${bad%% *}"* ]]
	done
	INVD_IDLE_TIMEOUT=0 run "$INVD" --data "$BATS_TEST_TMPDIR/d"
	[ "$status" = 2 ]
	[[ "$output" == *INVD_IDLE_TIMEOUT* ]]
}
