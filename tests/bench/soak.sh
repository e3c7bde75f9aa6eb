#!/usr/bin/env bash
# soak: a long, bounded, mixed load on one invd, watching for request
# errors and memory growth.
#
#   tests/bench/soak.sh BUILD_DIR
#
# Every SOAK_STEP seconds two loadgen clients run at once, one over TCP and
# one over the Unix socket, cycling through reads by id and by sku, list
# pages, order creates and product updates, until SOAK_SECONDS have passed.
# invd's own memory (RSS minus the pages of LMDB's mapped files) is sampled
# after every step. Fails (exit 1) on any failed request or connection
# error, or when memory at the end exceeds the level after the first
# SOAK_WARMUP seconds by more than SOAK_GROWTH_KIB.
#   SOAK_SECONDS=600 SOAK_STEP=20 SOAK_WARMUP=60 SOAK_GROWTH_KIB=2048
#   SOAK_CONNS=32 SOAK_PRODUCTS=1000
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=$(cd "${1:-$root/build/bench}" && pwd)
SECS=${SOAK_SECONDS:-600}
STEP=${SOAK_STEP:-20}
WARM=${SOAK_WARMUP:-60}
GROWTH=${SOAK_GROWTH_KIB:-2048}
CONNS=${SOAK_CONNS:-32}
NP=${SOAK_PRODUCTS:-1000}

die() { echo "soak: $*" >&2; exit 1; }
log() { printf '== %s\n' "$*" >&2; }

[ -x "$B/invd" ] || die "no $B/invd (make soak builds it)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/invd-soak.XXXXXX")
INVD_PID=
cleanup() {
	local rc=$?
	if [ -n "$INVD_PID" ]; then
		kill -TERM "$INVD_PID" 2>/dev/null || true
		sleep 1
		kill -KILL "$INVD_PID" 2>/dev/null || true
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck disable=SC2046 # pkg-config output is a list of flags
cc -O2 -Wall -Wextra -I"$root" -o "$tmp/loadgen" "$here/loadgen.c" \
    "$root/common/util.c" $(pkg-config --cflags --libs libevent)

memory() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { skip = ($NF ~ /\/(data|lock)\.mdb$/) }
	     /^Rss:/ && !skip { kb += $2 }
	     END { print kb + 0 }' "/proc/$1/smaps"
}

port=$((20000 + RANDOM % 40000))
sock=$tmp/invd.sock
"$B/invd" --data "$tmp/data" --listen "127.0.0.1:$port" --socket "$sock" \
    --log-level warn 2>"$tmp/invd.log" &
INVD_PID=$!
for _ in $(seq 1 100); do
	[ -S "$sock" ] && break
	sleep 0.05
done
[ -S "$sock" ] || { cat "$tmp/invd.log" >&2; die "invd did not start"; }

log "seeding $NP products"
"$tmp/loadgen" -u "$sock" -c 16 -n "$NP" -m POST -p /products \
    -b '{"sku":"SKU-{seq}","name":"Soak {seq}","price":9.99,"stock":1000000000}' \
    >"$tmp/seed.json"
[ "$(jq .non2xx "$tmp/seed.json")" = 0 ] || die "seeding failed"

# Two clients per step; each pair is (TCP request, Unix-socket request).
steps=(
	"-p /products/{id}|-m POST -p /orders -b {\"product_id\":{id},\"quantity\":1}"
	"-p /products?sku=SKU-{id}|-p /products?limit=100&after={id}"
	"-m PUT -p /products/{id} -b {\"stock\":1000000000}|-p /products/{id}"
	"-p /orders?status=PENDING&limit=50|-m POST -p /orders -b {\"product_id\":{id},\"quantity\":2}"
)
start=$(date +%s)
base=
n=0
reqs=0
log "soak: ${SECS}s in ${STEP}s steps, $CONNS connections per client"
while [ $(($(date +%s) - start)) -lt "$SECS" ]; do
	IFS='|' read -r a b <<<"${steps[$((n % ${#steps[@]}))]}"
	# shellcheck disable=SC2086 # the step strings are argument lists
	timeout -k 5 $((STEP + 30)) "$tmp/loadgen" -t "127.0.0.1:$port" \
	    -c "$CONNS" -d "$STEP" -r "$NP" $a >"$tmp/a.json" &
	local_a=$!
	# shellcheck disable=SC2086
	timeout -k 5 $((STEP + 30)) "$tmp/loadgen" -u "$sock" \
	    -c "$CONNS" -d "$STEP" -r "$NP" $b >"$tmp/b.json" &
	local_b=$!
	wait "$local_a" "$local_b" || die "a load client failed"
	for f in a b; do
		jq -e '.non2xx == 0 and .errors == 0' "$tmp/$f.json" >/dev/null ||
		    die "step $n: errors: $(cat "$tmp/$f.json")"
		reqs=$((reqs + $(jq .requests "$tmp/$f.json")))
	done
	kill -0 "$INVD_PID" 2>/dev/null || die "invd died: $(tail "$tmp/invd.log")"
	mem=$(memory "$INVD_PID")
	elapsed=$(($(date +%s) - start))
	if [ -z "$base" ] && [ "$elapsed" -ge "$WARM" ]; then
		base=$mem
	fi
	log "$(printf '%4ds: %d requests, memory %d KiB' "$elapsed" "$reqs" "$mem")"
	n=$((n + 1))
done
[ -n "$base" ] || base=$mem
growth=$((mem - base))
log "requests: $reqs, errors: 0; memory after warm-up $base KiB, at the end $mem KiB (growth $growth KiB, limit $GROWTH)"
[ "$growth" -le "$GROWTH" ] || die "memory grew by $growth KiB"
kill -TERM "$INVD_PID"
wait "$INVD_PID" || die "invd exited with status $?"
INVD_PID=
log "soak passed"
