#!/usr/bin/env bash
# bench-scale: does a request cost the same on a large data set as on a
# small one? Seeds a small and a large data directory through invd's store
# (tests/bench/seed.c), then for each: measures the start-up time to READY=1
# (tests/bench/startlat.c), runs the same bounded loadgen scenarios, and
# samples invd's own memory (RSS minus the pages of LMDB's mapped files).
#
#   tests/bench/scale.sh BUILD_DIR [RESULTS_JSON]
#
# BUILD_DIR holds an optimised invd, libinvd.a and libcommon.a (make
# bench-scale builds build/bench). Settings (environment):
#   SCALE_PRODUCTS=1000000 SCALE_ORDERS=5000000   the large data set
#   SCALE_SMALL_PRODUCTS=1000 SCALE_SMALL_ORDERS=5000
#   SCALE_DURATION=5     seconds per scenario
#   SCALE_CONNS=16       loadgen connections
#   SCALE_TMPDIR=$TMPDIR where the data sets go (the large one is ~2 GiB)
# Targets checked (printed PASS/MISS, never hidden): every operation's p50
# and req/s within 20% between the two sets; start < 100 ms on the large
# one; invd's own memory < 32 MiB. Exit 0 when the run completed, whatever
# the verdicts; 1 on a failure to run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=$(cd "${1:-$root/build/bench}" && pwd)
OUT=${2:-$B/scale.json}
LP=${SCALE_PRODUCTS:-1000000}
LO=${SCALE_ORDERS:-5000000}
SP=${SCALE_SMALL_PRODUCTS:-1000}
SO=${SCALE_SMALL_ORDERS:-5000}
DUR=${SCALE_DURATION:-5}
CONNS=${SCALE_CONNS:-16}

die() { echo "bench-scale: $*" >&2; exit 1; }
log() { printf '== %s\n' "$*" >&2; }

for f in invd libinvd.a libcommon.a; do
	[ -e "$B/$f" ] || die "no $B/$f (make bench-scale builds it)"
done
for t in jq cc pkg-config timeout awk; do
	command -v "$t" >/dev/null || die "$t is missing"
done

tmp=$(mktemp -d "${SCALE_TMPDIR:-${TMPDIR:-/tmp}}/invd-scale.XXXXXX")
INVD_PID=
SAMPLER_PID=
cleanup() {
	local rc=$?
	[ -z "$SAMPLER_PID" ] || kill "$SAMPLER_PID" 2>/dev/null || true
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

log "building seed, startlat and loadgen"
# shellcheck disable=SC2046 # pkg-config output is a list of flags
cc -O2 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -I"$root" -o "$tmp/seed" \
    "$here/seed.c" "$B/libinvd.a" "$B/libcommon.a" \
    $(pkg-config --cflags --libs libevent json-c lmdb openssl) -lpthread
cc -O2 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -I"$root" -o "$tmp/startlat" \
    "$here/startlat.c" "$root/common/util.c"
# shellcheck disable=SC2046
cc -O2 -Wall -Wextra -I"$root" -o "$tmp/loadgen" "$here/loadgen.c" \
    "$root/common/util.c" $(pkg-config --cflags --libs libevent)

port=$((20000 + RANDOM % 40000))

# memory PID: invd's resident memory without LMDB's file pages, in KiB
memory() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { skip = ($NF ~ /\/(data|lock)\.mdb$/) }
	     /^Rss:/ && !skip { kb += $2 }
	     END { print kb + 0 }' "/proc/$1/smaps" 2>/dev/null || echo 0
}

# start DIR: start invd on DIR; the start-up time (us) goes to $tmp/t
start() {
	"$tmp/startlat" "$tmp/pid" "$B/invd" --data "$1" \
	    --listen "127.0.0.1:$port" --socket "$tmp/invd.sock" \
	    --log-level warn --map-size 16G >"$tmp/t" 2>>"$tmp/invd.log" ||
	    { cat "$tmp/invd.log" >&2; die "invd did not start on $1"; }
	INVD_PID=$(cat "$tmp/pid")
}

stop() {
	kill -TERM "$INVD_PID" 2>/dev/null || true
	for _ in $(seq 1 100); do
		kill -0 "$INVD_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$INVD_PID" 2>/dev/null || true
	INVD_PID=
}

# scenario NAME ARGS...: one loadgen run, saved as $tmp/$set.NAME.json
scenario() {
	local name=$1 line
	shift
	line=$(timeout -k 5 $((DUR + 30)) "$tmp/loadgen" -t "127.0.0.1:$port" \
	    -c "$CONNS" -d "$DUR" "$@" 2>"$tmp/$set.$name.err") || true
	[ -n "$line" ] || { cat "$tmp/$set.$name.err" >&2; die "$name failed"; }
	echo "$line" >"$tmp/$set.$name.json"
	log "$set $name: $(jq -r '"\(.rps|floor) req/s, p50 \(.p50_us) us, non-2xx \(.non2xx)"' <<<"$line")"
}

run_set() {	# run_set NAME PRODUCTS ORDERS
	set=$1
	local np=$2 no=$3 dir=$tmp/$1 t i starts=()
	log "$set: seeding $np products and $no orders"
	"$tmp/seed" "$dir" "$np" "$no" 16384 >"$tmp/$set.seed.json"
	log "$set: seeded: $(cat "$tmp/$set.seed.json"), $(du -sh "$dir" | cut -f1)"
	# Start-up time: the median of three (the page cache is warm).
	for i in 1 2 3; do
		start "$dir"
		starts+=("$(cat "$tmp/t")")
		stop
	done
	printf '%s\n' "${starts[@]}" | sort -n | sed -n 2p >"$tmp/$set.start"
	log "$set: start-up to READY=1: ${starts[*]} us"
	start "$dir"
	( peak=0
	  while kill -0 "$INVD_PID" 2>/dev/null; do
		m=$(memory "$INVD_PID")
		[ "$m" -gt "$peak" ] && peak=$m && echo "$peak" >"$tmp/$set.mem"
		sleep 0.5
	  done ) &
	SAMPLER_PID=$!
	scenario get_id -p '/products/{id}' -r "$np"
	scenario get_sku -p '/products?sku=SKU-{id}' -r "$np"
	scenario list_products -p '/products?limit=100&after={id}' \
	    -r "$((np > 100 ? np - 100 : 1))"
	scenario list_paid -p '/orders?status=PAID&limit=100&after={id}' \
	    -r "$((no > 500 ? no - 500 : 1))"
	scenario order -m POST -p /orders \
	    -b '{"product_id":{id},"quantity":1}' -r "$np"
	sleep 0.6
	kill "$SAMPLER_PID" 2>/dev/null || true
	wait "$SAMPLER_PID" 2>/dev/null || true
	SAMPLER_PID=
	stop
	rm -rf "$dir"
}

run_set small "$SP" "$SO"
run_set large "$LP" "$LO"

# ---- report ----------------------------------------------------------------
ops=(get_id get_sku list_products list_paid order)
{
	echo "| operation | p50 ${SP} | p50 ${LP} | ratio | req/s ${SP} | req/s ${LP} | ratio | within 20% |"
	echo "|---|---:|---:|---:|---:|---:|---:|---|"
	for op in "${ops[@]}"; do
		jq -rs --arg op "$op" '
		    (.[0].p50_us / 1000) as $sp | (.[1].p50_us / 1000) as $lp |
		    (.[0].rps) as $sr | (.[1].rps) as $lr |
		    ($lp / $sp) as $pr | ($lr / $sr) as $rr |
		    (if $pr <= 1.2 and $rr >= 0.8 and .[0].non2xx == 0 and
		        .[1].non2xx == 0 then "PASS" else "MISS" end) as $v |
		    "| \($op) | \($sp*100|round/100) ms | \($lp*100|round/100) ms | \($pr*100|round/100) | \($sr|floor) | \($lr|floor) | \($rr*100|round/100) | \($v) |"' \
		    "$tmp/small.$op.json" "$tmp/large.$op.json"
	done
	echo
	ss=$(cat "$tmp/small.start")
	ls=$(cat "$tmp/large.start")
	ms=$(cat "$tmp/large.mem" 2>/dev/null || echo 0)
	echo "| measure | value | target | verdict |"
	echo "|---|---:|---:|---|"
	echo "| start-up to READY=1, $SP products | $((ss / 1000)).$(((ss % 1000) / 100)) ms | 100 ms | $([ "$ss" -lt 100000 ] && echo PASS || echo MISS) |"
	echo "| start-up to READY=1, $LP products | $((ls / 1000)).$(((ls % 1000) / 100)) ms | 100 ms | $([ "$ls" -lt 100000 ] && echo PASS || echo MISS) |"
	echo "| invd's own memory (RSS minus LMDB file pages), $LP set, peak | $((ms / 1024)) MiB | 32 MiB | $([ "$ms" -lt 32768 ] && echo PASS || echo MISS) |"
} | tee "$tmp/table"

jq -n --slurpfile ss "$tmp/small.seed.json" --slurpfile ls "$tmp/large.seed.json" \
    --arg sstart "$(cat "$tmp/small.start")" --arg lstart "$(cat "$tmp/large.start")" \
    --arg mem "$(cat "$tmp/large.mem" 2>/dev/null || echo 0)" \
    --arg conns "$CONNS" --arg dur "$DUR" \
    '{settings: {conns: ($conns|tonumber), duration_s: ($dur|tonumber)},
      small: {seed: $ss[0], start_us: ($sstart|tonumber)},
      large: {seed: $ls[0], start_us: ($lstart|tonumber)},
      memory_peak_kib: ($mem|tonumber)}' >"$tmp/meta.json"
for s in small large; do
	for op in "${ops[@]}"; do
		jq -c --arg s "$s" --arg op "$op" '{set: $s, op: $op} + .' \
		    "$tmp/$s.$op.json"
	done
done | jq -s --slurpfile m "$tmp/meta.json" '$m[0] + {scenarios: .}' >"$OUT"
log "results: $OUT"
