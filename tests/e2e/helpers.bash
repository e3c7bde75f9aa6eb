# Shared helpers for the end-to-end tests: start a real invd on a temporary
# data directory, a free loopback port and a temporary Unix socket, talk to
# it over the transport named by INV_TRANSPORT (tcp or unix), and check on
# teardown that it exits cleanly (no sanitizer report, exit status 0).
#
# Binaries: $INVD and $INVCTL (set by the Makefile), else build/.

: "${INVD:=$BATS_TEST_DIRNAME/../../build/invd}"
: "${INVCTL:=$BATS_TEST_DIRNAME/../../build/invctl}"
: "${INV_TRANSPORT:=tcp}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
# An installed /etc/invd/invd.conf must not change what the tests see.
export INVD_CONFIG="${INVD_CONFIG:-none}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# A port nobody listens on right now (invd_start retries on a bind race).
free_port() {
	local p
	while :; do
		p=$(( 20000 + RANDOM % 40000 ))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# invd_start [extra invd options...]
# Sets INVD_PID, PORT, SOCK, DATA, INVD_LOG, BASE_URL.
invd_start() {
	DATA="${DATA:-$BATS_TEST_TMPDIR/data}"
	SOCK="${SOCK:-$BATS_TEST_TMPDIR/invd.sock}"
	INVD_LOG="$BATS_TEST_TMPDIR/invd.log"
	local try i
	for try in 1 2 3 4 5; do
		PORT=$(free_port)
		"$INVD" --data "$DATA" --listen "127.0.0.1:$PORT" \
		    --socket "$SOCK" --log-level info "$@" \
		    >>"$INVD_LOG" 2>&1 &
		INVD_PID=$!
		for i in $(seq 1 200); do
			if curl -sf -o /dev/null --max-time 1 \
			    "http://127.0.0.1:$PORT/health" &&
			    curl -sf -o /dev/null --max-time 1 \
			    --unix-socket "$SOCK" http://localhost/health; then
				BASE_URL="http://127.0.0.1:$PORT"
				export PORT SOCK DATA BASE_URL INVD_PID
				return 0
			fi
			kill -0 "$INVD_PID" 2>/dev/null || break
			sleep 0.05
		done
		kill -9 "$INVD_PID" 2>/dev/null || true
		wait "$INVD_PID" 2>/dev/null || true
	done
	echo "invd did not start; log:" >&2
	cat "$INVD_LOG" >&2
	return 1
}

# Stop with SIGTERM; fail if the exit status is not 0 or a sanitizer spoke.
invd_stop() {
	[ -n "${INVD_PID:-}" ] || return 0
	local rc=0
	kill -TERM "$INVD_PID" 2>/dev/null || true
	wait "$INVD_PID" || rc=$?
	INVD_PID=
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' \
	    "$INVD_LOG"; then
		echo "sanitizer report in invd log:" >&2
		cat "$INVD_LOG" >&2
		return 1
	fi
	if [ "$rc" -ne 0 ]; then
		echo "invd exited with status $rc; log:" >&2
		tail -50 "$INVD_LOG" >&2
		return 1
	fi
}

# Kill without any chance to clean up (crash and durability tests).
invd_kill9() {
	[ -n "${INVD_PID:-}" ] || return 0
	kill -9 "$INVD_PID" 2>/dev/null || true
	wait "$INVD_PID" 2>/dev/null || true
	INVD_PID=
}

# curl over the chosen transport. Usage: inv_curl [curl args...] PATH
# (PATH is the last argument and starts with /).
inv_curl() {
	local path="${*: -1}"
	local args=("${@:1:$#-1}")
	if [ "$INV_TRANSPORT" = unix ]; then
		curl -s --max-time 10 --unix-socket "$SOCK" "${args[@]}" \
		    "http://localhost$path"
	else
		curl -s --max-time 10 "${args[@]}" "$BASE_URL$path"
	fi
}

# api METHOD PATH [JSON-BODY]
# Sets STATUS (HTTP status), BODY (response body), HEADERS (file path).
api() {
	local method=$1 path=$2 body=${3-}
	HEADERS="$BATS_TEST_TMPDIR/headers.$$"
	local out="$BATS_TEST_TMPDIR/body.$$"
	local args=(-X "$method" -D "$HEADERS" -o "$out" -w '%{http_code}')
	if [ $# -ge 3 ]; then
		args+=(-H 'Content-Type: application/json' --data-binary "$body")
	fi
	STATUS=$(inv_curl "${args[@]}" "$path")
	BODY=$(cat "$out")
	contract_record "$method" "$path"
}

# contract_record METHOD TARGET: with INV_CONTRACT_LOG set, append the last
# reply (STATUS, HEADERS, BODY) to that file, for tests/e2e/contract.py to
# check against the OpenAPI document. No process started: the suite makes
# thousands of requests.
contract_record() {
	[ -n "${INV_CONTRACT_LOG:-}" ] || return 0
	[ -n "$STATUS" ] && [ "$STATUS" != 000 ] || return 0
	local h=
	IFS= read -r -d '' h <"$HEADERS" || true
	printf '\036%s %s %s\n%s\037%s\n' "$1" "$2" "$STATUS" "$h" "$BODY" \
	    >>"$INV_CONTRACT_LOG"
}

# header NAME: the value of a response header from the last api call.
header() {
	grep -i "^$1:" "$HEADERS" | head -1 | cut -d: -f2- |
	    sed -e 's/^ *//' -e 's/\r$//'
}

# expect_status CODE: fail with the body shown when STATUS differs.
expect_status() {
	if [ "$STATUS" != "$1" ]; then
		echo "expected HTTP $1, got $STATUS: $BODY" >&2
		return 1
	fi
}

# expect_detail TEXT: the body is {"detail": TEXT} (other members allowed).
expect_detail() {
	local got
	got=$(jq -r '.detail' <<<"$BODY")
	if [ "$got" != "$1" ]; then
		echo "expected detail '$1', got: $BODY" >&2
		return 1
	fi
}

# invctl over the chosen transport.
inv_ctl() {
	if [ "$INV_TRANSPORT" = unix ]; then
		"$INVCTL" --socket "$SOCK" "$@"
	else
		"$INVCTL" --url "$BASE_URL" "$@"
	fi
}

# A product made through the API; prints its id.
make_product() {
	local sku=$1 price=${2:-9.99} stock=${3:-10} name=${4:-Widget}
	api POST /products "{\"sku\":\"$sku\",\"name\":\"$name\",\"price\":$price,\"stock\":$stock}"
	[ "$STATUS" = 201 ] || { echo "make_product: $STATUS $BODY" >&2; return 1; }
	jq -r .id <<<"$BODY"
}

# An order made through the API; prints its id.
make_order() {
	api POST /orders "{\"product_id\":$1,\"quantity\":${2:-1}}"
	[ "$STATUS" = 201 ] || { echo "make_order: $STATUS $BODY" >&2; return 1; }
	jq -r .id <<<"$BODY"
}

inv_setup() { invd_start "$@"; }
inv_teardown() { invd_stop; }
