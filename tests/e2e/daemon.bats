#!/usr/bin/env bats
# The daemon itself: options and environment, the Unix socket (mode, stale
# and live sockets), one daemon per data directory, stale LMDB reader slots,
# signals, restarts, kill -9 durability, a full map, and log levels.

setup() {
	load helpers
	load api_helpers
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

# run_invd_fails [invd args...]: invd must exit by itself within 10 s with
# a non-zero status. Sets EXIT_RC, ERR (stderr) and OUT (stdout).
run_invd_fails() {
	local out="$BATS_TEST_TMPDIR/fail.out" err="$BATS_TEST_TMPDIR/fail.err"
	EXIT_RC=0
	timeout 10 "$INVD" "$@" >"$out" 2>"$err" || EXIT_RC=$?
	OUT=$(<"$out")
	ERR=$(<"$err")
	if [ "$EXIT_RC" = 0 ] || [ "$EXIT_RC" = 124 ]; then
		echo "invd $*: exit $EXIT_RC, expected a refusal; stderr: $ERR" >&2
		return 1
	fi
}

# option_error NAME [invd args...]: exit status 2 and a one-line error that
# names NAME (then at most a usage hint); nothing on stdout.
option_error() {
	local name=$1
	shift
	run_invd_fails --data "$BATS_TEST_TMPDIR/optdata" "$@" || return 1
	if [ "$EXIT_RC" != 2 ]; then
		echo "invd $*: exit $EXIT_RC, expected 2: $ERR" >&2
		return 1
	fi
	if ! head -1 <<<"$ERR" | grep -qiF -- "$name"; then
		echo "invd $*: the error does not name '$name': $ERR" >&2
		return 1
	fi
	if [ "$(wc -l <<<"$ERR")" -gt 2 ]; then
		echo "invd $*: more than a one-line error: $ERR" >&2
		return 1
	fi
	expect_eq "stdout of invd $*" "$OUT" ""
}

# stale_socket PATH: leave a socket file nobody listens on.
stale_socket() {
	socat "UNIX-LISTEN:$1" /dev/null &
	local p=$! i
	for i in $(seq 1 100); do
		[ -S "$1" ] && break
		sleep 0.02
	done
	kill -9 "$p"
	wait "$p" 2>/dev/null || true
	[ -S "$1" ]
}

# ---- options -------------------------------------------------------------

@test "--help and -h print the options and exit 0" {
	run "$INVD" --help
	[ "$status" -eq 0 ]
	local o
	for o in --data --listen --socket --map-size --log-level --max-body \
	    --help --version INVD_DATA INVD_LISTEN INVD_SOCKET; do
		grep -qF -- "$o" <<<"$output"
	done
	run "$INVD" -h
	[ "$status" -eq 0 ]
	grep -qF -- --listen <<<"$output"
}

@test "--version and -V print the version and exit 0" {
	run "$INVD" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ [0-9]+\.[0-9]+ ]]
	[ "$(wc -l <<<"$output")" -eq 1 ]
	run "$INVD" -V
	[ "$status" -eq 0 ]
	[[ "$output" =~ [0-9]+\.[0-9]+ ]]
}

@test "unknown options exit 2 naming the option" {
	option_error bogus --bogus
	option_error -x -x
	option_error datta --datta=x
	option_error extra --listen off --socket off extra
}

@test "bad option values exit 2 naming the option" {
	option_error log-level --log-level loud
	option_error log-level --log-level ''
	option_error map-size --map-size abc
	option_error map-size --map-size -1G
	option_error map-size --map-size 99999999999999999999
	option_error listen --listen nope
	option_error listen --listen 127.0.0.1:99999
	option_error listen --listen 127.0.0.1:
	option_error listen --listen 127.0.0.1:-1
	option_error max-body --max-body -5
	option_error max-body --max-body lots
	option_error max-body --max-body 0
}

@test "a missing option argument exits 2 naming the option" {
	option_error data --data
	option_error socket --listen off --socket
	option_error listen --socket off --listen
	option_error log-level --log-level
}

@test "bad environment values exit 2 naming the setting" {
	local var
	for var in 'INVD_LOG_LEVEL=loud' 'INVD_MAP_SIZE=abc' 'INVD_LISTEN=nope' \
	    'INVD_MAX_BODY=-5'; do
		EXIT_RC=0
		ERR=$(env "$var" timeout 10 "$INVD" --data "$BATS_TEST_TMPDIR/d" \
		    --socket off 2>&1 >/dev/null) || EXIT_RC=$?
		[ "$EXIT_RC" = 2 ] || { echo "$var: exit $EXIT_RC: $ERR" >&2; false; }
		local name=${var%%=*} opt
		opt=${name#INVD_}
		opt=${opt,,}
		opt=${opt//_/-}
		grep -qiE -- "$name|$opt" <<<"$ERR" ||
		    { echo "$var: error does not name it: $ERR" >&2; false; }
	done
}

@test "nothing to serve (no TCP, no socket) is refused" {
	run_invd_fails --data "$BATS_TEST_TMPDIR/d" --listen off --socket off
	[ -n "$ERR" ]
}

@test "the environment sets data, listen address, socket and log level" {
	local port sock="$BATS_TEST_TMPDIR/env.sock" data="$BATS_TEST_TMPDIR/envdata"
	port=$(free_port)
	INVD_DATA=$data INVD_LISTEN=127.0.0.1:$port INVD_SOCKET=$sock \
	    INVD_LOG_LEVEL=info invd_run_bg
	wait_tcp "$port"
	wait_unix "$sock"
	[ -d "$data" ]
	PORT=$port SOCK=$sock BASE_URL=http://127.0.0.1:$port
	make_product ENV-1
	[ "$(count '/products?sku=ENV-1')" = 1 ]
	invd_stop
	[ ! -e "$sock" ]
}

@test "options win over the environment" {
	local p1 p2
	p1=$(free_port)
	p2=$(free_port)
	while [ "$p2" = "$p1" ]; do p2=$(free_port); done
	INVD_LISTEN=127.0.0.1:$p1 INVD_SOCKET=off invd_run_bg \
	    --data "$BATS_TEST_TMPDIR/d" --listen "127.0.0.1:$p2"
	wait_tcp "$p2"
	run curl -s --max-time 2 "http://127.0.0.1:$p1/health"
	[ "$status" -ne 0 ]
}

@test "short options work" {
	local port
	port=$(free_port)
	invd_run_bg -d "$BATS_TEST_TMPDIR/d" -l "127.0.0.1:$port" \
	    -s "$BATS_TEST_TMPDIR/short.sock" -L warn -m 64M -b 1M
	wait_tcp "$port"
	wait_unix "$BATS_TEST_TMPDIR/short.sock"
}

@test "--listen off serves only the socket; --socket off only TCP" {
	local port sock="$BATS_TEST_TMPDIR/only.sock"
	invd_run_bg --data "$BATS_TEST_TMPDIR/d1" --listen off --socket "$sock"
	wait_unix "$sock"
	invd_stop
	[ ! -e "$sock" ]
	port=$(free_port)
	invd_run_bg --data "$BATS_TEST_TMPDIR/d2" --listen "127.0.0.1:$port" \
	    --socket off
	wait_tcp "$port"
	[ ! -e "$sock" ]
	[ -z "$(find "$BATS_TEST_TMPDIR" -type s)" ]
}

@test "--listen is repeatable" {
	local p1 p2
	p1=$(free_port)
	p2=$(free_port)
	while [ "$p2" = "$p1" ]; do p2=$(free_port); done
	invd_run_bg --data "$BATS_TEST_TMPDIR/d" --socket off \
	    --listen "127.0.0.1:$p1" --listen "127.0.0.1:$p2"
	wait_tcp "$p1"
	wait_tcp "$p2"
}

@test "a TCP port already in use is refused" {
	invd_start || false
	run_invd_fails --data "$BATS_TEST_TMPDIR/other" \
	    --listen "127.0.0.1:$PORT" --socket off
	[ -n "$ERR" ]
	expect_alive
}

# ---- socket --------------------------------------------------------------

@test "the socket is created with mode 0660" {
	invd_start || false
	[ -S "$SOCK" ]
	[ "$(stat -c %a "$SOCK")" = 660 ]
}

@test "a stale socket file is replaced" {
	SOCK="$BATS_TEST_TMPDIR/stale.sock"
	stale_socket "$SOCK"
	invd_start || false
	curl -sf --max-time 5 --unix-socket "$SOCK" http://localhost/health
	[ "$(stat -c %a "$SOCK")" = 660 ]
}

@test "a live socket of another program is refused and left alone" {
	local sock="$BATS_TEST_TMPDIR/live.sock" i
	socat "UNIX-LISTEN:$sock,fork" SYSTEM:'echo busy' &
	HELPER_PIDS+=($!)
	for i in $(seq 1 100); do
		[ -S "$sock" ] && break
		sleep 0.02
	done
	run_invd_fails --data "$BATS_TEST_TMPDIR/d" --listen off --socket "$sock"
	[ -n "$ERR" ]
	# The other program still owns its socket.
	[ -S "$sock" ]
	[ "$(socat - "UNIX-CONNECT:$sock" </dev/null)" = busy ]
}

@test "a second invd on the same socket is refused; the first keeps it" {
	invd_start || false
	run_invd_fails --data "$BATS_TEST_TMPDIR/other" --listen off \
	    --socket "$SOCK"
	[ -S "$SOCK" ]
	curl -sf --max-time 5 --unix-socket "$SOCK" http://localhost/health
}

@test "a second invd on the same data directory is refused" {
	invd_start || false
	make_product ONE-1
	local sum pid
	sum=$(sha256sum <"$DATA/data.mdb")
	pid=$(cat "$DATA/invd.pid")
	[ "$pid" = "$INVD_PID" ]
	run_invd_fails --data "$DATA" --listen "127.0.0.1:$(free_port)" \
	    --socket "$BATS_TEST_TMPDIR/second.sock"
	[ "$EXIT_RC" = 1 ]
	# One clear line that names the directory and why.
	grep -qF "$DATA is in use by another invd" <<<"$ERR"
	[ ! -e "$BATS_TEST_TMPDIR/second.sock" ]
	# The data and the first one's pid file are untouched.
	[ "$(sha256sum <"$DATA/data.mdb")" = "$sum" ]
	[ "$(cat "$DATA/invd.pid")" = "$pid" ]
	# The first one is untouched and still serves, socket included.
	[ -S "$SOCK" ]
	[ "$(count /products)" = 1 ]
	make_product ONE-2
}

@test "reader slots left by a killed process are cleared at start" {
	local reader
	reader="$(dirname "$INVD")/tests/lmdb_reader"
	[ -x "$reader" ] || skip "$reader not built (make e2e builds it)"
	invd_start || false
	make_product READ-1
	invd_stop
	# LMDB resets the reader table when the first process opens the
	# environment, so a stale slot survives only while another process
	# (a checker, a backup) keeps it open: one holds it, one reads.
	"$reader" "$DATA" >"$BATS_TEST_TMPDIR/holder" &
	HELPER_PIDS+=($!)
	"$reader" -t "$DATA" >"$BATS_TEST_TMPDIR/reader" &
	local rpid=$! i
	for i in $(seq 1 100); do
		grep -q ready "$BATS_TEST_TMPDIR/holder" &&
		    grep -q ready "$BATS_TEST_TMPDIR/reader" && break
		sleep 0.05
	done
	grep -q ready "$BATS_TEST_TMPDIR/reader"
	kill -9 "$rpid"
	wait "$rpid" 2>/dev/null || true
	# mdb_stat sees the dead process's slot.
	mdb_stat -r "$DATA" | grep -q "^ *$rpid "
	invd_start || false
	grep -q 'cleared 1 stale reader slots' "$INVD_LOG"
	run mdb_stat -r "$DATA"
	[[ "$output" != *" $rpid "* ]]
	make_product READ-2
	[ "$(count /products)" = 2 ]
}

# ---- signals -------------------------------------------------------------

@test "SIGTERM: exit 0 and the socket file is removed" {
	invd_start || false
	make_product SIG-1
	[ -S "$SOCK" ]
	invd_stop
	[ ! -e "$SOCK" ]
}

@test "SIGINT: exit 0 and the socket file is removed" {
	invd_start || false
	kill -INT "$INVD_PID"
	wait_exit "$INVD_PID" 10
	INVD_PID=
	[ "$EXIT_RC" = 0 ]
	[ ! -e "$SOCK" ]
	run grep -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$INVD_LOG"
	[ "$status" -ne 0 ]
}

@test "SIGTERM with idle and half-sent connections open still exits 0 soon" {
	invd_start || false
	transport_args
	# An idle keep-alive connection and one stuck in the middle of headers.
	socat "TCP:127.0.0.1:$PORT" EXEC:'sleep 20' \
	    </dev/null >/dev/null 2>&1 &
	HELPER_PIDS+=($!)
	printf '#!/bin/sh\nprintf "GET /health HTTP/1.1\\r\\nHost: x\\r\\n"\nexec sleep 20\n' \
	    >"$BATS_TEST_TMPDIR/half.sh"
	chmod +x "$BATS_TEST_TMPDIR/half.sh"
	socat "UNIX-CONNECT:$SOCK" EXEC:"$BATS_TEST_TMPDIR/half.sh" \
	    </dev/null >/dev/null 2>&1 &
	HELPER_PIDS+=($!)
	sleep 0.2
	api GET /health
	expect_status 200
	kill -TERM "$INVD_PID"
	wait_exit "$INVD_PID" 10
	INVD_PID=
	[ "$EXIT_RC" = 0 ]
	[ ! -e "$SOCK" ]
}

@test "SIGTERM after heavy use is clean (no leaks, exit 0)" {
	invd_start || false
	local p
	p=$(make_product HEAVY 1 1000)
	bulk_orders 200 "$p" >/dev/null
	bulk_products 50 HV
	api GET '/orders?limit=1000'
	[ "$(jq length <<<"$BODY")" = 200 ]
	invd_stop
}

# ---- restart and durability ----------------------------------------------

@test "data survives a restart and ids continue without reuse" {
	invd_start || false
	local a b o1 o2 before
	a=$(make_product RS-1 9.99 10 Kept)
	b=$(make_product RS-2 5 5)
	o1=$(make_order "$a" 3)
	o2=$(make_order "$a" 2)
	api PUT "/orders/$o1" '{"status":"PAID"}'
	api DELETE "/orders/$o2"
	expect_status 204
	api DELETE "/products/$b"
	expect_status 204
	api GET /products
	before=$BODY
	local orders_before
	api GET /orders
	orders_before=$BODY
	invd_stop
	[ -d "$DATA" ]
	invd_start || false
	api GET /products
	[ "$(jq -cS . <<<"$BODY")" = "$(jq -cS . <<<"$before")" ]
	api GET /orders
	[ "$(jq -cS . <<<"$BODY")" = "$(jq -cS . <<<"$orders_before")" ]
	[ "$(stock_of "$a")" = 7 ]
	[ "$(status_of "$o1")" = PAID ]
	[ "$(status_of "$o2")" = CANCELED ]
	grep -q '"price": *9\.99' <<<"$before"
	# The SKU index survived too.
	api POST /products '{"sku":"RS-1","name":"dup","price":1,"stock":1}'
	expect_error 409
	api GET '/products?sku=RS-1'
	[ "$(jq -r '.[0].id' <<<"$BODY")" = "$a" ]
	# New ids are above every id given out before, deleted ones included.
	local c o3
	c=$(make_product RS-3)
	[ "$c" -gt "$b" ]
	o3=$(make_order "$a" 1)
	[ "$o3" -gt "$o2" ]
	# And the order index: PENDING orders still block deletion.
	api DELETE "/products/$a"
	expect_status 400
}

@test "restart twice in a row keeps everything" {
	invd_start || false
	local a
	a=$(make_product RR-1 1 10)
	make_order "$a" 1
	invd_stop
	invd_start || false
	make_order "$a" 1
	invd_stop
	invd_start || false
	[ "$(stock_of "$a")" = 8 ]
	[ "$(count /orders)" = 2 ]
}

@test "a 201 survives kill -9 right after the reply" {
	invd_start || false
	local p o
	p=$(make_product K9-1 2.5 10)
	api POST /orders "{\"product_id\":$p,\"quantity\":3}"
	expect_status 201
	o=$(jq -r .id <<<"$BODY")
	local made=$BODY
	invd_kill9
	# The socket file is left behind: the restart must replace it.
	invd_start || false
	api GET "/orders/$o"
	expect_status 200
	[ "$(jq -cS . <<<"$BODY")" = "$(jq -cS . <<<"$made")" ]
	[ "$(stock_of "$p")" = 7 ]
	[ "$(count /orders)" = 1 ]
}

@test "updates, cancels and deletes survive kill -9" {
	invd_start || false
	local p q o1 o2
	p=$(make_product K9-2 1 10)
	q=$(make_product K9-3 1 10)
	o1=$(make_order "$p" 4)
	o2=$(make_order "$p" 2)
	api PUT "/products/$p" '{"name":"Renamed","price":7.25}'
	expect_status 200
	api PUT "/orders/$o1" '{"status":"CANCELED"}'
	expect_status 200
	api DELETE "/orders/$o1"
	expect_status 204
	api PUT "/orders/$o2" '{"status":"PAID"}'
	expect_status 200
	api DELETE "/products/$q"
	expect_status 204
	invd_kill9
	invd_start || false
	api GET "/products/$p"
	[ "$(jq -c '[.name, .stock]' <<<"$BODY")" = '["Renamed",8]' ]
	[ "$(raw_field price)" = 7.25 ]
	api GET "/orders/$o1"
	expect_status 404
	[ "$(status_of "$o2")" = PAID ]
	api GET "/products/$q"
	expect_status 404
	make_product K9-3
}

@test "kill -9 in the middle of a burst of orders never oversells" {
	invd_start || false
	local p
	p=$(make_product K9-4 1 100)
	bulk_orders 300 "$p" >"$BATS_TEST_TMPDIR/codes" &
	local bp=$!
	sleep 0.3
	invd_kill9
	wait "$bp" || true
	invd_start || false
	local stock n
	stock=$(stock_of "$p")
	n=$(count '/orders?limit=1000')
	# Every order on disk took its unit, and no more than the stock.
	[ $((stock + n)) = 100 ]
	[ "$n" -le 100 ]
	# Every 201 a client saw is on disk.
	[ "$(grep -c '^201$' "$BATS_TEST_TMPDIR/codes" || true)" -le "$n" ]
}

# ---- map size ------------------------------------------------------------

@test "a full map answers 507 (or grows), never crashes or half-applies" {
	invd_start --map-size 1M || false
	local f="$BATS_TEST_TMPDIR/fill" codes
	# Records as large as the limits allow: 1 MiB holds about 2200.
	seq 1 3000 | awk '{
		printf "{\"sku\":\"F-%060d\",\"name\":\"%0190d\",", $1, 0
		printf "\"price\":1,\"stock\":5}\n"
	}' >"$f"
	codes=$(bulk_post /products "$f")
	[ "$(grep -cvE '^(201|507)$' <<<"$codes" || true)" = 0 ]
	local ok
	ok=$(grep -c '^201$' <<<"$codes")
	expect_alive
	# What was answered 201 is there, and nothing else.
	walk_pages '/products?limit=1000'
	[ "$(wc -l <"$WALK_IDS")" = "$ok" ]
	if grep -q '^507$' <<<"$codes"; then
		local first
		first=$(grep -n '^507$' <<<"$codes" | head -1 | cut -d: -f1)
		api GET "/products?sku=F-$(printf '%060d' "$first")"
		[ "$(jq -c . <<<"$BODY")" = '[]' ]
		api POST /products "$(sed -n 3000p "$f")"
		expect_error 507 201
		# An order either fully happens or leaves the stock alone.
		api POST /orders '{"product_id":1,"quantity":2}'
		if [ "$STATUS" = 201 ]; then
			[ "$(stock_of 1)" = 3 ]
		else
			expect_error 507
			[ "$(stock_of 1)" = 5 ]
			[ "$(count /orders)" = 0 ]
		fi
	fi
	# Deleting frees room; the daemon keeps working and stops cleanly.
	api DELETE /products/2
	expect_status 204
	api GET /products/1
	expect_status 200
	invd_stop
	invd_start --map-size 1M || false
	walk_pages '/products?limit=1000'
	[ "$(wc -l <"$WALK_IDS")" -ge $((ok - 1)) ]
}

# ---- logging -------------------------------------------------------------

@test "access lines carry method, path, status, bytes and time" {
	invd_start || false
	api GET /health
	api GET /no-such-path
	local i
	for i in $(seq 1 40); do
		grep -q 'no-such-path' "$INVD_LOG" && break
		sleep 0.05
	done
	grep -E 'GET /no-such-path.* 404( |$)' "$INVD_LOG" |
	    grep -qE '404[^0-9]+[0-9]+[^0-9]+[0-9]+'
}

@test "--log-level error leaves the access log out" {
	invd_start --log-level error || false
	api GET /health
	api GET /no-such-path
	sleep 0.1
	run grep -E 'GET /(health|no-such-path)' "$INVD_LOG"
	[ "$status" -ne 0 ]
}

@test "--log-level debug works" {
	invd_start --log-level debug || false
	expect_alive
}

@test "--sync none warns loudly and still serves; a bad mode is exit 2" {
	invd_stop
	invd_start --sync none
	grep -q 'ACKNOWLEDGED WRITES CAN BE LOST' "$INVD_LOG"
	api POST /products '{"sku":"NS-1","name":"n","price":1,"stock":1}'
	expect_status 201
	run "$INVD" --sync sometimes --check-config
	[ "$status" -eq 2 ]
	[[ "$output" == *"--sync: invalid mode 'sometimes'"* ]]
	INVD_SYNC=none run "$INVD" --check-config
	grep -qx 'sync = none' <<<"$output"
	run "$INVD" --check-config
	grep -qx 'sync = full' <<<"$output"
}
