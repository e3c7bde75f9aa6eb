#!/usr/bin/env bash
# Benchmark invd against this machine's own limits, in one bounded run.
#
#   tests/bench/run.sh [INVD] [RESULTS_JSON]
#
# INVD defaults to build/invd (an optimised build is what should be
# measured: `make bench` builds one into build/bench). RESULTS_JSON defaults
# to build/bench/results.json. Everything runs on 127.0.0.1 and a Unix
# socket in a temporary directory; every process started here is stopped on
# exit. See tests/bench/README.md for the scenarios and the figures.
#
# Settings (environment):
#   BENCH_DURATION=10        seconds per load scenario
#   BENCH_CONNS=64           concurrent keep-alive connections
#   BENCH_THREADS=2          wrk threads
#   BENCH_PRODUCTS=1000      products seeded (ids 1..N)
#   BENCH_COMMIT_SECONDS=3   seconds per LMDB commit loop
#   BENCH_NGINX_WORKERS=1    nginx worker_processes (invd has one event loop)
#   BENCH_README=tests/bench/README.md   results table refreshed here
#                            (empty: leave the README alone)
#   BENCH_TMPDIR=$TMPDIR     where the data, sockets and LMDB files go
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
INVD=${1:-$root/build/invd}
OUT=${2:-$root/build/bench/results.json}
DUR=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNS:-64}
THREADS=${BENCH_THREADS:-2}
NPROD=${BENCH_PRODUCTS:-1000}
COMMIT_SECS=${BENCH_COMMIT_SECONDS:-3}
NGINX_WORKERS=${BENCH_NGINX_WORKERS:-1}
README=${BENCH_README-$here/README.md}
STEP_LIMIT=$((DUR + 30))	# hard bound for any one load step

die() { echo "bench: $*" >&2; exit 1; }
log() { printf '== %s\n' "$*" >&2; }

[ -x "$INVD" ] || die "no invd binary at $INVD (build it first)"
INVD=$(cd "$(dirname "$INVD")" && pwd)/$(basename "$INVD")
for t in wrk curl jq cc pkg-config timeout; do
	command -v "$t" >/dev/null || die "$t is missing (make bench-deps)"
done
pkg-config --exists libevent lmdb || die "libevent/lmdb -dev missing"
NGINX=$(command -v nginx || true)
[ -n "$NGINX" ] || [ ! -x /usr/sbin/nginx ] || NGINX=/usr/sbin/nginx

tmp=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/invd-bench.XXXXXX")
res=$tmp/res
mkdir -p "$res"
INVD_PID=
NGINX_PID=
started_at=$(date +%s)
notes=()

stop_pid() {	# stop_pid PID NAME SECONDS: TERM, wait, then KILL
	local pid=$1 name=$2 secs=$3 i
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "bench: $name (pid $pid) still running ${secs}s after SIGTERM; killed" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	[ -z "$NGINX_PID" ] || stop_pid "$NGINX_PID" nginx 5
	[ -z "$INVD_PID" ] || stop_pid "$INVD_PID" invd 15
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# ---- tools ---------------------------------------------------------------
log "building loadgen and commitloop"
# shellcheck disable=SC2046 # pkg-config output is a list of flags
cc -O2 -Wall -Wextra -I"$here/../.." -o "$tmp/loadgen" "$here/loadgen.c" \
    "$here/../../common/util.c" $(pkg-config --cflags --libs libevent)
# shellcheck disable=SC2046
cc -O2 -Wall -Wextra -I"$here/../.." -o "$tmp/commitloop" \
    "$here/commitloop.c" "$here/../../common/util.c" \
    $(pkg-config --cflags --libs lmdb)

# save NAME TRANSPORT CLIENT JSON: one scenario's result
save() {
	jq -c --arg n "$1" --arg t "$2" --arg c "$3" \
	    '{name:$n, transport:$t, client:$c} + .' <<<"$4" >"$res/$1.json"
}

# run_wrk NAME LUA URL: a wrk scenario; the result is saved as NAME
run_wrk() {
	local name=$1 lua=$2 url=$3 line
	log "$name: wrk -t$THREADS -c$CONNS -d${DUR}s ($lua.lua)"
	timeout -k 5 "$STEP_LIMIT" wrk -t"$THREADS" -c"$CONNS" -d"${DUR}s" \
	    --latency -s "$here/$lua.lua" "$url" \
	    >"$tmp/$name.out" 2>"$tmp/$name.err" || true
	head -5 "$tmp/$name.err" >&2
	line=$(sed -n 's/^BENCH_JSON //p' "$tmp/$name.out")
	if [ -z "$line" ]; then
		cat "$tmp/$name.out" >&2
		die "$name: wrk gave no result"
	fi
	save "$name" tcp wrk "$line"
}

# run_loadgen NAME TRANSPORT ARGS...: a loadgen scenario
run_loadgen() {
	local name=$1 transport=$2 line
	shift 2
	log "$name: loadgen -c$CONNS -d$DUR $*"
	line=$(timeout -k 5 "$STEP_LIMIT" "$tmp/loadgen" -c "$CONNS" \
	    -d "$DUR" "$@" 2>"$tmp/$name.err") || true
	head -5 "$tmp/$name.err" >&2
	[ -n "$line" ] || die "$name: loadgen gave no result"
	save "$name" "$transport" loadgen "$line"
}

# ---- machine limit: synced LMDB commits ------------------------------------
log "commit loop: ${COMMIT_SECS}s one record per commit, ${COMMIT_SECS}s 100 per commit ($tmp)"
timeout -k 5 $((COMMIT_SECS * 2 + 30)) "$tmp/commitloop" "$tmp/commitloop.db" \
    "$COMMIT_SECS" 100 >"$res/_commit.json"
rm -rf "$tmp/commitloop.db"
cat "$res/_commit.json" >&2

# ---- machine limit: nginx's static reply ---------------------------------
if [ -n "$NGINX" ]; then
	nport=$(free_port)
	mkdir -p "$tmp/nginx/logs" "$tmp/nginx/tmp"
	user_line=
	[ "$(id -u)" -ne 0 ] || user_line="user $(id -un) $(id -gn);"
	cat >"$tmp/nginx/nginx.conf" <<-EOF
	$user_line
	worker_processes $NGINX_WORKERS;
	daemon off;
	pid $tmp/nginx/nginx.pid;
	error_log $tmp/nginx/logs/error.log warn;
	events { worker_connections 4096; }
	http {
	    access_log off;
	    client_body_temp_path $tmp/nginx/tmp/body;
	    proxy_temp_path $tmp/nginx/tmp/proxy;
	    fastcgi_temp_path $tmp/nginx/tmp/fastcgi;
	    keepalive_requests 1000000;
	    server {
	        listen 127.0.0.1:$nport;
	        default_type application/json;
	        location / { return 200 '{"status":"ok"}'; }
	    }
	}
	EOF
	"$NGINX" -e "$tmp/nginx/logs/error.log" -p "$tmp/nginx" \
	    -c "$tmp/nginx/nginx.conf" >"$tmp/nginx/logs/stdout" 2>&1 &
	NGINX_PID=$!
	for ((i = 0; i < 100; i++)); do
		curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$nport/" && break
		kill -0 "$NGINX_PID" 2>/dev/null ||
		    { cat "$tmp/nginx/logs/"* >&2; die "nginx did not start"; }
		sleep 0.05
	done
	# The same request stream as `read` (nginx answers any path).
	BENCH_PRODUCTS=$NPROD run_wrk nginx read "http://127.0.0.1:$nport"
	stop_pid "$NGINX_PID" nginx 5
	NGINX_PID=
else
	notes+=("nginx is not installed: no read / nginx ratio")
	log "nginx not installed; skipping the static-reply ceiling"
fi

# ---- invd ------------------------------------------------------------------
SOCK=$tmp/invd.sock
for _ in 1 2 3 4 5; do
	PORT=$(free_port)
	"$INVD" --data "$tmp/data" --listen "127.0.0.1:$PORT" --socket "$SOCK" \
	    --log-level warn --config none >>"$tmp/invd.log" 2>&1 &
	INVD_PID=$!
	up=0
	for ((i = 0; i < 200; i++)); do
		if curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/health" &&
		    curl -sf -o /dev/null --max-time 1 --unix-socket "$SOCK" \
		    http://localhost/health; then
			up=1
			break
		fi
		kill -0 "$INVD_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ "$up" = 1 ] && break
	stop_pid "$INVD_PID" invd 2
	INVD_PID=
done
[ -n "$INVD_PID" ] || { cat "$tmp/invd.log" >&2; die "invd did not start"; }
BASE=http://127.0.0.1:$PORT
log "invd $INVD on $BASE and $SOCK (data in $tmp/data)"

log "seeding $NPROD products through the API (loadgen, 16 connections)"
seed_t0=$(date +%s.%N)
seed=$(timeout -k 5 120 "$tmp/loadgen" -u "$SOCK" -c 16 -n "$NPROD" \
    -m POST -p /products \
    -b '{"sku":"BENCH-{seq}","name":"Bench product {seq}","price":9.99,"stock":1000000}' \
    2>"$tmp/seed.err") || { cat "$tmp/seed.err" >&2; die "seeding failed"; }
seed_t1=$(date +%s.%N)
[ "$(jq .non2xx <<<"$seed")" = 0 ] || { cat "$tmp/seed.err" >&2; die "seeding: $seed"; }
[ "$(curl -s "$BASE/products/$NPROD" | jq -r .sku)" = "BENCH-$NPROD" ] ||
    die "seeding: product $NPROD is not BENCH-$NPROD"
HOT_STOCK=2000000000
HOT_ID=$(curl -sf -X POST "$BASE/products" -H 'Content-Type: application/json' \
    -d "{\"sku\":\"BENCH-HOT\",\"name\":\"Hot product\",\"price\":1.00,\"stock\":$HOT_STOCK}" |
    jq -r .id)
[ -n "$HOT_ID" ] && [ "$HOT_ID" != null ] || die "cannot create the hot product"
seed_secs=$(awk -v a="$seed_t0" -v b="$seed_t1" 'BEGIN { printf "%.3f", b - a }')
log "seeded in ${seed_secs}s; hot product id $HOT_ID"

export BENCH_PRODUCTS=$NPROD BENCH_HOT_ID=$HOT_ID

run_wrk read read "$BASE"
run_wrk list list "$BASE"
run_loadgen read_unix unix -u "$SOCK" -p '/products/{id}' -r "$NPROD"
run_loadgen read_tcp tcp -t "127.0.0.1:$PORT" -p '/products/{id}' -r "$NPROD"
run_wrk order order "$BASE"
run_wrk hot hot "$BASE"
run_wrk mixed mixed "$BASE"

# ---- oversell check on the hot product --------------------------------------
log "hot: checking stock against the stored orders"
hot_stock=$(curl -sf "$BASE/products/$HOT_ID" | jq .stock)
stored=0 after=0 pages=0
while ((pages < 1000)); do
	page=$(curl -sf "$BASE/orders?product_id=$HOT_ID&limit=1000&after=$after")
	n=$(jq length <<<"$page")
	stored=$((stored + $(jq '[.[] | select(.status != "CANCELED") | .quantity] | add // 0' <<<"$page")))
	((n == 1000)) || break
	after=$(jq '.[-1].id' <<<"$page")
	pages=$((pages + 1))
done
hot_acked=$(jq '.requests - .non2xx' "$res/hot.json")
hot_consistent=false
if [ $((HOT_STOCK - hot_stock)) -eq "$stored" ] && [ "$hot_stock" -ge 0 ] &&
    [ "$stored" -ge "$hot_acked" ]; then
	hot_consistent=true
else
	notes+=("hot: stock $hot_stock, stored orders $stored, acknowledged $hot_acked: INCONSISTENT")
fi
jq -c --argjson s "$hot_stock" --argjson o "$stored" --argjson a "$hot_acked" \
    --argjson ok "$hot_consistent" \
    '. + {stock_after:$s, orders_stored:$o, orders_acked:$a, consistent:$ok}' \
    "$res/hot.json" >"$res/hot.json.new"
mv "$res/hot.json.new" "$res/hot.json"

# ---- stop invd (timed: a clean stop is part of the picture) -----------------
log "stopping invd"
stop_t0=$(date +%s.%N)
stop_pid "$INVD_PID" invd 15
INVD_PID=
stop_t1=$(date +%s.%N)
stop_secs=$(awk -v a="$stop_t0" -v b="$stop_t1" 'BEGIN { printf "%.2f", b - a }')
if grep -q 'still pending' "$tmp/invd.log"; then
	notes+=("invd took ${stop_secs}s to stop after SIGTERM: $(grep -m1 'still pending' "$tmp/invd.log")")
fi
if [ -s "$tmp/invd.log" ]; then
	log "invd log (warnings and errors):"
	tail -5 "$tmp/invd.log" >&2
fi

# ---- report ---------------------------------------------------------------
machine=$(jq -n \
    --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --argjson nproc "$(nproc)" \
    --arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
    --arg kernel "$(uname -sr)" \
    --arg fs "$(df -PT "$tmp" | awk 'NR == 2 { print $2 }')" \
    --arg wrk "$(wrk -v 2>&1 | head -1 | awk '{ print $2 }')" \
    --arg nginx "$([ -z "$NGINX" ] || "$NGINX" -v 2>&1 | sed 's/.*\///')" \
    --arg invd "$INVD" \
    '{date:$date, nproc:$nproc, cpu:$cpu, kernel:$kernel, tmp_fs:$fs,
      wrk:$wrk, nginx:$nginx, invd:$invd}')
settings=$(jq -n --argjson d "$DUR" --argjson c "$CONNS" --argjson t "$THREADS" \
    --argjson p "$NPROD" --argjson w "$NGINX_WORKERS" \
    '{duration_s:$d, connections:$c, wrk_threads:$t, products:$p, nginx_workers:$w}')
order=(read list read_unix read_tcp order hot mixed nginx)
scen=$(for n in "${order[@]}"; do [ ! -f "$res/$n.json" ] || cat "$res/$n.json"; done | jq -s .)
notes_json=$(printf '%s\n' "${notes[@]+"${notes[@]}"}" | jq -R . | jq -s 'map(select(length > 0))')
mkdir -p "$(dirname "$OUT")"
jq -n --argjson m "$machine" --argjson s "$settings" --argjson sc "$scen" \
    --argjson cl "$(cat "$res/_commit.json")" --argjson seed "$seed" \
    --argjson seed_s "$seed_secs" --argjson stop "$stop_secs" \
    --argjson notes "$notes_json" '
    def rps($n): ($sc[] | select(.name == $n) | .rps) // null;
    def ratio($a; $b): if $a == null or $b == null or $b == 0 then null
        else ($a / $b * 1000 | round / 1000) end;
    {machine:$m, settings:$s, scenarios:$sc,
     limits:{single_commits_per_s:$cl.single_commits_per_s,
             single_commit_p50_us:$cl.single_commit_p50_us,
             single_commit_p99_us:$cl.single_commit_p99_us,
             batch:$cl.batch, batch_records_per_s:$cl.batch_records_per_s,
             nginx_rps:rps("nginx")},
     ratios:{read_over_nginx:ratio(rps("read"); rps("nginx")),
             order_over_single_commit:ratio(rps("order"); $cl.single_commits_per_s),
             hot_over_single_commit:ratio(rps("hot"); $cl.single_commits_per_s),
             unix_read_over_tcp_read:ratio(rps("read_unix"); rps("read_tcp"))},
     seed:($seed + {seconds:$seed_s}), invd_stop_s:$stop, notes:$notes}' >"$OUT"

table=$(jq -r '
    def ms: (. / 1000 * 100 | round / 100 | tostring) + " ms";
    def lbl: {read:"read", list:"list", read_unix:"unix read",
        read_tcp:"tcp read", order:"order", hot:"hot", mixed:"mixed",
        nginx:"nginx static"}[.name] // .name;
    "| scenario | transport (client) | req/s | p50 | p99 | p99.9 | non-2xx | socket errors |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
    (.scenarios[] | "| \(lbl) | \(.transport) (\(.client)) | \(.rps | round) | \(.p50_us | ms) | \(.p99_us | ms) | \(.p999_us | ms) | \(.non2xx) | \(.errors) |"),
    "",
    "| machine limit | value |",
    "|---|---:|",
    "| synced LMDB commits/s, 1 record per commit (p50 \(.limits.single_commit_p50_us | ms), p99 \(.limits.single_commit_p99_us | ms)) | \(.limits.single_commits_per_s | round) |",
    "| synced LMDB records/s, \(.limits.batch) records per commit | \(.limits.batch_records_per_s | round) |",
    "| nginx static reply, req/s (wrk, same as read) | \(.limits.nginx_rps // "n/a" | if type == "number" then round else . end) |",
    "",
    "| ratio | value |",
    "|---|---:|",
    (.ratios | to_entries[] | "| \({read_over_nginx:"read / nginx", order_over_single_commit:"order / single-commit rate", hot_over_single_commit:"hot / single-commit rate", unix_read_over_tcp_read:"unix read / tcp read"}[.key]) | \(.value // "n/a") |")
    ' "$OUT")
hot_line=$(jq -r '.scenarios[] | select(.name == "hot") |
    "hot product: \(.orders_acked) orders acknowledged, \(.orders_stored) stored, stock \(.stock_after) left: \(if .consistent then "consistent, no oversell" else "INCONSISTENT" end)"' "$OUT")

echo
echo "$table"
echo
echo "$hot_line"
jq -r '"seeded \(.seed.requests) products in \(.seed.seconds) s; invd stopped \(.invd_stop_s) s after SIGTERM"' "$OUT"
jq -r '.notes[] | "note: " + .' "$OUT"
echo "results: $OUT ($(($(date +%s) - started_at)) s)"

# ---- README ----------------------------------------------------------------
if [ -n "$README" ] && [ -f "$README" ]; then
	block=$tmp/block.md
	{
		echo "<!-- bench:begin (refreshed by tests/bench/run.sh) -->"
		jq -r '.machine | "Measured \(.date) on \(.nproc) CPUs (\(.cpu)), \(.kernel), temp filesystem \(.tmp_fs); wrk \(.wrk), nginx \(.nginx)."' "$OUT"
		jq -r '.settings | "Each scenario: \(.duration_s) s, \(.connections) connections (wrk: \(.wrk_threads) threads), \(.products) products; nginx with \(.nginx_workers) worker(s)."' "$OUT"
		echo
		echo "$table"
		echo
		echo "$hot_line"
		jq -r '.notes[] | "- note: " + .' "$OUT"
		echo "<!-- bench:end -->"
	} >"$block"
	if grep -q '<!-- bench:begin' "$README"; then
		awk -v f="$block" '
		    /<!-- bench:begin/ { while ((getline l < f) > 0) print l; skip = 1; next }
		    /<!-- bench:end -->/ { skip = 0; next }
		    !skip' "$README" >"$tmp/readme.new"
	else
		{ cat "$README"; echo; cat "$block"; } >"$tmp/readme.new"
	fi
	cat "$tmp/readme.new" >"$README"
	echo "table refreshed in $README"
fi
