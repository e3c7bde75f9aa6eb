#!/usr/bin/env bats
# Many clients at once: no oversell, one winner for a SKU, stock given back
# exactly once, and the product/order rules hold under races.

setup() {
	load helpers
	load api_helpers
	invd_start || return 1
	OUT="$BATS_TEST_TMPDIR/out"
	mkdir -p "$OUT"
}

teardown() {
	invd_stop
}

# parallel_curl N JOBS METHOD PATH [BODY]: N requests, JOBS at a time, each
# its own curl over the transport. The status codes go to $OUT/codes, one a
# line; the body of request i to $OUT/i.
parallel_curl() {
	local n=$1 jobs=$2 method=$3 path=$4 body=${5-}
	transport_args
	local args=(-s --max-time 30 -X "$method" -w '%{http_code}\n')
	if [ -n "$body" ]; then
		args+=(-H 'Content-Type: application/json' --data-binary "$body")
	fi
	seq 1 "$n" | xargs -P "$jobs" -I{} \
	    curl "${T_ARGS[@]}" "${args[@]}" -o "$OUT/{}" "$T_BASE$path" \
	    >"$OUT/codes"
	[ "$(wc -l <"$OUT/codes")" = "$n" ]
}

# codes CODE: how many requests got CODE.
codes() {
	grep -c "^$1\$" "$OUT/codes" || true
}

@test "stock 50, 200 concurrent single-unit orders: exactly 50 succeed" {
	local p
	p=$(make_product C-1 1 50)
	parallel_curl 200 50 POST /orders "{\"product_id\":$p,\"quantity\":1}"
	[ "$(codes 201)" = 50 ] || { sort "$OUT/codes" | uniq -c >&2; false; }
	[ "$(codes 409)" = 150 ]
	[ "$(stock_of "$p")" = 0 ]
	api GET "/orders?product_id=$p&limit=1000"
	[ "$(jq length <<<"$BODY")" = 50 ]
	[ "$(jq -r '[.[].quantity] | add' <<<"$BODY")" = 50 ]
	[ "$(jq -r '[.[].id] | unique | length' <<<"$BODY")" = 50 ]
	# Every refusal says why, with the real numbers.
	local f n=0
	for f in "$OUT"/[0-9]*; do
		if grep -q Insufficient "$f"; then
			n=$((n + 1))
		fi
	done
	[ "$n" = 150 ]
	cat "$OUT"/[0-9]* | jq -r 'select(.detail) | .detail' | sort -u |
	    grep -qx 'Insufficient stock. Available: 0, Requested: 1'
	[ "$(cat "$OUT"/[0-9]* | jq -r 'select(.detail) | .detail' |
	    sort -u | wc -l)" = 1 ]
}

@test "orders over TCP and the socket at once share one stock" {
	local p port_args
	p=$(make_product C-2 1 30)
	local body="{\"product_id\":$p,\"quantity\":1}"
	seq 1 40 | xargs -P 20 -I{} curl -s --max-time 30 -o /dev/null \
	    -w '%{http_code}\n' -X POST -H 'Content-Type: application/json' \
	    --data-binary "$body" "$BASE_URL/orders" >"$OUT/tcp" &
	local a=$!
	seq 1 40 | xargs -P 20 -I{} curl -s --max-time 30 -o /dev/null \
	    -w '%{http_code}\n' -X POST -H 'Content-Type: application/json' \
	    --data-binary "$body" --unix-socket "$SOCK" \
	    http://localhost/orders >"$OUT/unix" &
	local b=$!
	wait "$a" "$b"
	[ "$(cat "$OUT/tcp" "$OUT/unix" | grep -c '^201$')" = 30 ]
	[ "$(cat "$OUT/tcp" "$OUT/unix" | grep -c '^409$')" = 50 ]
	[ "$(stock_of "$p")" = 0 ]
}

@test "concurrent multi-unit orders never take more than the stock" {
	local p
	p=$(make_product C-3 1 50)
	parallel_curl 30 30 POST /orders "{\"product_id\":$p,\"quantity\":3}"
	[ "$(codes 201)" = 16 ]
	[ "$(codes 409)" = 14 ]
	[ "$(stock_of "$p")" = 2 ]
	grep -h 'Insufficient' "$OUT"/[0-9]* | jq -r .detail | sort -u |
	    grep -qx 'Insufficient stock. Available: 2, Requested: 3'
}

@test "one SKU, 30 concurrent creates: one 201, 29 409" {
	parallel_curl 30 30 POST /products \
	    '{"sku":"RACE","name":"n","price":1,"stock":1}'
	[ "$(codes 201)" = 1 ]
	[ "$(codes 409)" = 29 ]
	[ "$(count /products)" = 1 ]
}

@test "30 concurrent DELETEs of one order give the stock back once" {
	local p o
	p=$(make_product C-4 1 10)
	o=$(make_order "$p" 4)
	parallel_curl 30 30 DELETE "/orders/$o"
	# The first cancels, the next removes the canceled order, the rest
	# find nothing.
	[ "$(codes 204)" = 2 ]
	[ "$(codes 404)" = 28 ]
	[ "$(stock_of "$p")" = 10 ]
	api GET "/orders/$o"
	expect_status 404
}

@test "30 concurrent cancels of one order: one 200, stock restored once" {
	local p o
	p=$(make_product C-5 1 10)
	o=$(make_order "$p" 4)
	api PUT "/orders/$o" '{"status":"PAID"}'
	expect_status 200
	parallel_curl 30 30 PUT "/orders/$o" '{"status":"CANCELED"}'
	[ "$(codes 200)" = 1 ]
	[ "$(codes 400)" = 29 ]
	[ "$(stock_of "$p")" = 10 ]
}

@test "concurrent creates and cancels keep stock plus held quantity constant" {
	local p i ids
	p=$(make_product C-6 1 20)
	bulk_orders 10 "$p" 2 >/dev/null
	api GET "/orders?product_id=$p"
	jq -r '.[].id' <<<"$BODY" >"$OUT/ids"
	[ "$(wc -l <"$OUT/ids")" = 10 ]
	[ "$(stock_of "$p")" = 0 ]
	transport_args
	# Cancel the 10 orders while 30 new ones race for the freed stock.
	xargs -P 10 -I{} curl "${T_ARGS[@]}" -s --max-time 30 -o /dev/null \
	    -w '%{http_code}\n' -X DELETE "$T_BASE/orders/{}" \
	    <"$OUT/ids" >"$OUT/del" &
	local a=$!
	seq 1 30 | xargs -P 15 -I{} curl "${T_ARGS[@]}" -s --max-time 30 \
	    -o /dev/null -w '%{http_code}\n' -X POST \
	    -H 'Content-Type: application/json' \
	    --data-binary "{\"product_id\":$p,\"quantity\":1}" \
	    "$T_BASE/orders" >"$OUT/new" &
	local b=$!
	wait "$a" "$b"
	[ "$(grep -c '^204$' "$OUT/del")" = 10 ]
	local made held stock
	made=$(grep -c '^201$' "$OUT/new" || true)
	[ "$made" -le 20 ]
	stock=$(stock_of "$p")
	api GET "/orders?product_id=$p&limit=1000"
	held=$(jq '[.[] | select(.status != "CANCELED") | .quantity] | add // 0' <<<"$BODY")
	[ "$held" = "$made" ]
	[ $((stock + held)) = 20 ]
}

@test "deleting a product while orders race for it stays consistent" {
	local p
	p=$(make_product C-7 1 100)
	transport_args
	seq 1 20 | xargs -P 10 -I{} curl "${T_ARGS[@]}" -s --max-time 30 \
	    -o /dev/null -w '%{http_code}\n' -X POST \
	    -H 'Content-Type: application/json' \
	    --data-binary "{\"product_id\":$p,\"quantity\":1}" \
	    "$T_BASE/orders" >"$OUT/new" &
	local a=$!
	local del
	del=$(curl "${T_ARGS[@]}" -s --max-time 30 -o /dev/null \
	    -w '%{http_code}' -X DELETE "$T_BASE/products/$p")
	wait "$a"
	local made
	made=$(grep -c '^201$' "$OUT/new" || true)
	# Orders that came first block the delete; after it, orders are 404.
	[ "$(grep -cvE '^(201|404)$' "$OUT/new" || true)" = 0 ]
	if [ "$del" = 204 ]; then
		api GET "/products/$p"
		expect_status 404
		[ "$(count "/orders?product_id=$p&status=PENDING")" = 0 ]
	else
		[ "$del" = 400 ]
		[ "$made" -gt 0 ]
		[ "$(stock_of "$p")" = $((100 - made)) ]
	fi
}

@test "reads stay correct while writes run" {
	local p
	p=$(make_product C-8 1 1000)
	bulk_products 20 RD
	parallel_curl 30 10 POST /orders "{\"product_id\":$p,\"quantity\":1}" &
	local a=$!
	transport_args
	seq 1 30 | xargs -P 10 -I{} curl "${T_ARGS[@]}" -s --max-time 30 \
	    -o /dev/null -w '%{http_code}\n' "$T_BASE/products" >"$BATS_TEST_TMPDIR/reads"
	wait "$a"
	[ "$(grep -c '^200$' "$BATS_TEST_TMPDIR/reads")" = 30 ]
	[ "$(codes 201)" = 30 ]
	[ "$(stock_of "$p")" = 970 ]
}

# Group commit: requests that arrive together are applied in one LMDB
# transaction, each in its own nested one. A refusal must roll back alone.
@test "half of one concurrent batch is refused for stock, the other half lands and survives kill -9" {
	local a b i cfg="$BATS_TEST_TMPDIR/batch.curl"
	# Restart with the debug log, which reports each group commit.
	invd_stop
	invd_start --log-level debug || false
	a=$(make_product GC-A 1 20)
	b=$(make_product GC-B 1 1000)
	transport_args
	: >"$cfg"
	# One curl process, 80 transfers at once: A and B interleaved.
	for i in $(seq 1 80); do
		local p=$a
		[ $((i % 2)) = 0 ] && p=$b
		{
			[ "$i" = 1 ] || echo next
			[ "$INV_TRANSPORT" = unix ] &&
			    echo "unix-socket = \"$SOCK\""
			echo "url = \"$T_BASE/orders\""
			echo 'request = "POST"'
			echo 'header = "Content-Type: application/json"'
			echo "data-binary = \"{\\\"product_id\\\":$p,\\\"quantity\\\":1}\""
			echo "output = \"$OUT/$i\""
			echo "write-out = \"%{http_code} $p $i\\n\""
		} >>"$cfg"
	done
	curl -s --max-time 30 --parallel --parallel-immediate \
	    --parallel-max 80 -K "$cfg" >"$OUT/codes"
	[ "$(wc -l <"$OUT/codes")" = 80 ]
	[ "$(grep -c "^201 $a " "$OUT/codes")" = 20 ]
	[ "$(grep -c "^409 $a " "$OUT/codes")" = 20 ]
	[ "$(grep -c "^201 $b " "$OUT/codes")" = 40 ]
	[ "$(stock_of "$a")" = 0 ]
	[ "$(stock_of "$b")" = 960 ]
	# Every acknowledged order is on disk: crash, restart, find each.
	local acked
	acked=$(awk '$1 == 201 { print $3 }' "$OUT/codes" |
	    while read -r i; do jq -r .id "$OUT/$i"; done | sort -n)
	[ "$(wc -l <<<"$acked")" = 60 ]
	invd_kill9
	invd_start || false
	api GET "/orders?limit=1000"
	[ "$(jq -r '.[].id' <<<"$BODY" | sort -n)" = "$acked" ]
	[ "$(stock_of "$a")" = 0 ]
	[ "$(stock_of "$b")" = 960 ]
	# The writes were committed in groups, not one by one.
	local largest
	largest=$(sed -n 's/.*group commit: \([0-9]*\) write.*/\1/p' \
	    "$INVD_LOG" | sort -n | tail -1)
	[ -n "$largest" ] && [ "$largest" -ge 2 ]
}
