#!/usr/bin/env bash
# The crash test: kill -9 invd at random moments under concurrent writes,
# restart it on the same data directory, and check after every restart
# that nothing acknowledged was lost and nothing was applied twice.
#
#   tests/crash/run.sh INVD CRASHLOAD CYCLES [SEED]
#
# Environment: CRASH_CONNS (48 requests in flight), CRASH_PRODUCTS (16),
# CRASH_KILL_MS (max ms of load before the kill, 1500), CRASH_TMPDIR.
# Every cycle: load (crashload run) over TCP and the Unix socket, kill -9
# at a random moment, invd --check-data on the dead daemon's directory,
# restart, crashload check against the model of what was acknowledged.
# The seed is printed; the same seed replays the same kill schedule and
# request mix (timing still varies).
set -euo pipefail

invd=$1 load=$2 cycles=$3
seed=${4:-${CRASH_SEED:-}}
[ -n "$seed" ] || seed=$(( $(od -An -N4 -tu4 /dev/urandom) ))
conns=${CRASH_CONNS:-48}
nprod=${CRASH_PRODUCTS:-16}
kill_ms=${CRASH_KILL_MS:-1500}

tmp=$(mktemp -d "${CRASH_TMPDIR:-${TMPDIR:-/tmp}}/invd-crash.XXXXXX")
data=$tmp/data sock=$tmp/invd.sock state=$tmp/model acks=$tmp/acks.log
invd_pid=
export INVD_WEBHOOK_SECRET=crash-test-secret INVD_CONFIG=none

log() { printf 'crash-test: %s\n' "$*"; }

fail() {
	log "FAILED: $*"
	log "seed $seed; data, model, ack log and invd log kept in $tmp"
	log "reproduce: tests/crash/run.sh $invd $load $cycles $seed"
	[ -n "$invd_pid" ] && kill -9 "$invd_pid" 2>/dev/null
	invd_pid=
	trap - EXIT
	exit 1
}

cleanup() {
	if [ -n "$invd_pid" ]; then
		kill -9 "$invd_pid" 2>/dev/null || true
		wait "$invd_pid" 2>/dev/null || true
	fi
	[ -n "${CRASH_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

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

RANDOM=$seed
port=$(free_port)

invd_up() {
	local i
	"$invd" --data "$data" --listen "127.0.0.1:$port" --socket "$sock" \
	    --log-level warn >>"$tmp/invd.log" 2>&1 &
	invd_pid=$!
	for i in $(seq 1 200); do
		if curl -sf -o /dev/null --max-time 1 \
		    "http://127.0.0.1:$port/health" &&
		    curl -sf -o /dev/null --max-time 1 --unix-socket "$sock" \
		    http://localhost/health; then
			return 0
		fi
		kill -0 "$invd_pid" 2>/dev/null || break
		sleep 0.05
	done
	tail -20 "$tmp/invd.log" >&2
	fail "invd did not start"
}

check_data() {
	local out
	if ! out=$("$invd" --check-data "$data" 2>&1); then
		echo "$out" | head -40 >&2
		fail "invd --check-data: $1"
	fi
}

target=(-t "127.0.0.1:$port" -u "$sock")
log "seed $seed, $cycles cycles, $conns requests in flight, $nprod products"
invd_up
"$load" init "$state" "${target[@]}" -r "$seed" -p "$nprod" -s 1000 ||
    fail "init"

acked=0 sent=0 unknown=0 invariants=0 redelivered=0 start=$SECONDS
for cycle in $(seq 1 "$cycles"); do
	"$load" run "$state" "${target[@]}" -r $((seed + cycle)) -c "$cycle" \
	    -n "$conns" -d 30 -a "$acks" >"$tmp/run.out" 2>"$tmp/run.err" &
	load_pid=$!
	ms=$(( 50 + RANDOM % kill_ms ))
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
	kill -9 "$invd_pid"
	wait "$invd_pid" 2>/dev/null || true
	invd_pid=
	rc=0
	wait "$load_pid" || rc=$?
	cat "$tmp/run.err" >&2
	[ "$rc" = 0 ] || fail "cycle $cycle: the load saw a wrong reply"
	line=$(cat "$tmp/run.out")
	n=$(sed -n 's/.* \([0-9]*\) acknowledged.*/\1/p' <<<"$line")
	acked=$((acked + n))
	sent=$((sent + $(sed -n 's/.* \([0-9]*\) sent.*/\1/p' <<<"$line")))
	unknown=$((unknown + $(sed -n 's/.* \([0-9]*\) without reply.*/\1/p' <<<"$line")))
	# The directory as kill -9 left it, before invd touches it again.
	check_data "after the kill in cycle $cycle"
	invd_up
	all=
	[ "$cycle" = "$cycles" ] && all=-A
	rc=0
	"$load" check "$state" "${target[@]}" -r $((seed + cycle)) $all \
	    >"$tmp/check.out" 2>"$tmp/check.err" || rc=$?
	cat "$tmp/check.err" >&2
	[ "$rc" = 0 ] || fail "cycle $cycle: $(cat "$tmp/check.out")"
	line=$(cat "$tmp/check.out")
	invariants=$((invariants + $(sed -n 's/.* \([0-9]*\) invariants checked.*/\1/p' <<<"$line")))
	redelivered=$((redelivered + $(sed -n 's/.* \([0-9]*\) event ids redelivered.*/\1/p' <<<"$line")))
	log "cycle $cycle: killed after ${ms} ms, $n acknowledged; $line"
done
# And once beside the running daemon, which must keep serving.
check_data "beside the running invd"
kill -TERM "$invd_pid"
wait "$invd_pid" || fail "invd did not stop cleanly"
invd_pid=
log "passed: seed $seed, $cycles kill -9 cycles in $((SECONDS - start)) s," \
    "$sent requests sent, $acked acknowledged, $unknown without reply," \
    "$invariants invariants checked, $redelivered webhook redeliveries" \
    "answered duplicate, --check-data clean $((cycles + 1)) times"
