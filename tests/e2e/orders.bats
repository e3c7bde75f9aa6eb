#!/usr/bin/env bats
# /orders and /orders/{id}: create (stock checks), list (filters,
# pagination), get, status transitions, delete, with the stock each moves.

setup() {
	load helpers
	load api_helpers
	invd_start || return 1
}

teardown() {
	invd_stop
}

# no_orders: the store holds no order.
no_orders() {
	api GET /orders
	expect_status 200 || return 1
	expect_eq "orders left behind" "$(jq -c . <<<"$BODY")" '[]'
}

# order_in STATE PRODUCT-ID [QUANTITY]: an order brought to STATE through
# the API; prints its id.
order_in() {
	local state=$1 o
	o=$(make_order "$2" "${3:-1}") || return 1
	case "$state" in
	PENDING) ;;
	PAID | SHIPPED | CANCELED)
		if [ "$state" != CANCELED ]; then
			api PUT "/orders/$o" '{"status":"PAID"}'
			expect_status 200 >&2 || return 1
		fi
		if [ "$state" != PAID ]; then
			api PUT "/orders/$o" "{\"status\":\"$state\"}"
			expect_status 200 >&2 || return 1
		fi ;;
	esac
	echo "$o"
}

# transitions_from STATE: try every target status on a fresh order in
# STATE; allowed moves answer 200 with the new status, the others 400 with
# the contract's detail and change nothing, stock included.
transitions_from() {
	local from=$1 to p o stock want
	for to in PENDING PAID SHIPPED CANCELED; do
		p=$(make_product "T-$from-$to" 1 10)
		o=$(order_in "$from" "$p" 4)
		stock=$(stock_of "$p")
		api PUT "/orders/$o" "{\"status\":\"$to\"}"
		case "$from>$to" in
		'PENDING>PAID' | 'PENDING>CANCELED' | 'PAID>SHIPPED' | \
		    'PAID>CANCELED')
			expect_status 200
			expect_json
			[ "$(jq -r .status <<<"$BODY")" = "$to" ]
			[ "$(status_of "$o")" = "$to" ]
			want=$stock
			[ "$to" != CANCELED ] || want=$((stock + 4))
			[ "$(stock_of "$p")" = "$want" ] ;;
		*)
			expect_error 400
			expect_detail "Invalid status transition from $from to $to"
			[ "$(status_of "$o")" = "$from" ]
			[ "$(stock_of "$p")" = "$stock" ] ;;
		esac
	done
}

# ---- POST /orders --------------------------------------------------------

@test "POST /orders answers 201 PENDING and takes the stock" {
	local p
	p=$(make_product O-1 9.99 10)
	api POST /orders "{\"product_id\":$p,\"quantity\":3}"
	expect_status 201
	expect_json
	[ "$(jq -c 'keys' <<<"$BODY")" = '["created_at","id","product_id","quantity","status"]' ]
	[ "$(jq -c '[.product_id, .quantity, .status, (.id | type)]' \
	    <<<"$BODY")" = "[$p,3,\"PENDING\",\"number\"]" ]
	local id created
	id=$(jq -r .id <<<"$BODY")
	[[ "$id" =~ ^[1-9][0-9]*$ ]]
	created=$(jq -r .created_at <<<"$BODY")
	[[ "$created" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$ ]]
	# Now-ish, in UTC.
	local t now
	t=$(date -u -d "$created" +%s)
	now=$(date -u +%s)
	[ $((now - t)) -lt 120 ] && [ $((t - now)) -lt 120 ]
	if hdr Location; then
		[[ "$HDR" =~ /orders/$id$ ]]
	fi
	[ "$(stock_of "$p")" = 7 ]
	local made=$BODY
	api GET "/orders/$id"
	expect_status 200
	[ "$(jq -cS . <<<"$BODY")" = "$(jq -cS . <<<"$made")" ]
}

@test "order ids increase and each order takes its own stock" {
	local p a b c
	p=$(make_product O-2 1 100)
	a=$(make_order "$p" 1)
	b=$(make_order "$p" 10)
	c=$(make_order "$p" 89)
	[ "$b" -gt "$a" ] && [ "$c" -gt "$b" ]
	[ "$(stock_of "$p")" = 0 ]
}

@test "stock too low is 409 with the real numbers and changes nothing" {
	local p
	p=$(make_product O-3 1 50)
	api POST /orders "{\"product_id\":$p,\"quantity\":100}"
	expect_error 409
	expect_detail "Insufficient stock. Available: 50, Requested: 100"
	[ "$(stock_of "$p")" = 50 ]
	no_orders
	api POST /orders "{\"product_id\":$p,\"quantity\":51}"
	expect_error 409
	expect_detail "Insufficient stock. Available: 50, Requested: 51"
	no_orders
}

@test "ordering exactly the stock leaves 0; one more is 409" {
	local p
	p=$(make_product O-4 1 5)
	make_order "$p" 5
	[ "$(stock_of "$p")" = 0 ]
	api POST /orders "{\"product_id\":$p,\"quantity\":1}"
	expect_error 409
	expect_detail "Insufficient stock. Available: 0, Requested: 1"
	[ "$(stock_of "$p")" = 0 ]
	[ "$(count /orders)" = 1 ]
}

@test "the largest 32-bit quantity is checked against stock" {
	local p
	p=$(make_product O-5 1 10)
	api POST /orders "{\"product_id\":$p,\"quantity\":2147483647}"
	expect_error 409
	expect_detail "Insufficient stock. Available: 10, Requested: 2147483647"
	[ "$(stock_of "$p")" = 10 ]
}

@test "an order for a missing product is 404 Product not found" {
	api POST /orders '{"product_id":1,"quantity":1}'
	expect_error 404
	expect_detail "Product not found"
	local p
	p=$(make_product O-6 1 10)
	api POST /orders "{\"product_id\":$((p + 1)),\"quantity\":1}"
	expect_error 404
	expect_detail "Product not found"
	api DELETE "/products/$p"
	api POST /orders "{\"product_id\":$p,\"quantity\":1}"
	expect_error 404
	expect_detail "Product not found"
	no_orders
}

@test "quantity <= 0, fractional or beyond 32 bits is 422 naming quantity" {
	local p q
	p=$(make_product O-7 1 10)
	for q in 0 -1 -2147483648 1.5 0.5 2147483648 4294967296 \
	    99999999999 9223372036854775807 -0; do
		printf '/orders\t{"product_id":%s,"quantity":%s}\n' "$p" "$q"
	done | batch POST 422 quantity
	[ "$(stock_of "$p")" = 10 ]
	no_orders
}

@test "quantity of the wrong type or absurd size is refused" {
	local p q
	p=$(make_product O-8 1 10)
	for q in '"1"' '""' true false null '[]' '{}' '[1]' NaN Infinity \
	    1e400 99999999999999999999999 -1e400; do
		printf '/orders\t{"product_id":%s,"quantity":%s}\n' "$p" "$q"
	done | batch POST "400 422" quantity
	printf '/orders\t{"product_id":%s}\n' "$p" | batch POST 422 quantity
	[ "$(stock_of "$p")" = 10 ]
	no_orders
}

@test "a bad product_id is refused" {
	local p v
	p=$(make_product O-9 1 10)
	printf '/orders\t{"quantity":1}\n' | batch POST 422 product_id
	for v in '"1"' true null '[]' 1.5 "$p.0" '"abc"'; do
		printf '/orders\t{"product_id":%s,"quantity":1}\n' "$v"
	done | batch POST "400 422" product_id
	for v in -1 0 99999999999999999999999 18446744073709551616 \
	    -9223372036854775808 1e400; do
		printf '/orders\t{"product_id":%s,"quantity":1}\n' "$v"
	done | batch POST "400 404 422" product_id
	[ "$(stock_of "$p")" = 10 ]
	no_orders
}

@test "unknown fields, non-objects and malformed bodies are refused" {
	local p b
	p=$(make_product O-10 1 10)
	printf '/orders\t{"product_id":%s,"quantity":1,"note":"x"}\n' "$p" |
	    batch POST 422 note
	printf '/orders\t{"product_id":%s,"quantity":1,"status":"PAID"}\n' "$p" |
	    batch POST "400 422" status
	for b in '[]' '"x"' 1 null; do
		printf '/orders\t%s\n' "$b"
	done | batch POST "400 422" -
	for b in '{' '{"product_id":}' 'x' "{\"product_id\":$p,}" \
	    "{'product_id':$p,'quantity':1}"; do
		printf '/orders\t%s\n' "$b"
	done | batch POST 400 -
	for b in "{\"product_id\":$p,\"quantity\":1} x" \
	    "{\"product_id\":$p,\"quantity\":1}{}" \
	    "$(printf '%0.s[' $(seq 1 20000))" \
	    "{\"product_id\":$p,\"quantity\":1,\"x\":$(printf '%0.s{"a":' $(seq 1 100))1$(printf '%0.s}' $(seq 1 100))}"; do
		printf '/orders\t%s\n' "$b"
	done | batch POST "400 422" -
	api POST /orders ''
	expect_error 400 422
	[ "$(stock_of "$p")" = 10 ]
	no_orders
}

@test "orders take JSON with charset, and refuse other content types" {
	local p
	p=$(make_product O-11 1 10)
	api_ct POST /orders text/plain "{\"product_id\":$p,\"quantity\":1}"
	expect_error 415 400
	api_ct POST /orders application/x-www-form-urlencoded \
	    "{\"product_id\":$p,\"quantity\":1}"
	expect_error 415 400
	[ "$(stock_of "$p")" = 10 ]
	no_orders
	api_ct POST /orders 'application/json; charset=utf-8' \
	    "{\"product_id\":$p,\"quantity\":1}"
	expect_status 201
	[ "$(stock_of "$p")" = 9 ]
}

# ---- GET /orders ---------------------------------------------------------

@test "GET /orders lists orders in id order" {
	no_orders
	local p q a b c
	p=$(make_product OL-1 1 10)
	q=$(make_product OL-2 1 10)
	a=$(make_order "$p" 1)
	b=$(make_order "$q" 2)
	c=$(make_order "$p" 3)
	api GET /orders
	expect_status 200
	expect_json
	[ "$(jq -c '[.[].id]' <<<"$BODY")" = "[$a,$b,$c]" ]
	[ "$(jq -c '[.[].product_id]' <<<"$BODY")" = "[$p,$q,$p]" ]
	[ "$(jq -c '[.[].quantity]' <<<"$BODY")" = '[1,2,3]' ]
	[ "$(jq -c '[.[] | keys] | unique' <<<"$BODY")" = '[["created_at","id","product_id","quantity","status"]]' ]
	[ -z "$(next_link)" ]
}

@test "?status= and ?product_id= filter, alone and together" {
	local p q pend paid ship canc q1 q2
	p=$(make_product OF-1 1 100)
	q=$(make_product OF-2 1 100)
	pend=$(order_in PENDING "$p")
	paid=$(order_in PAID "$p")
	ship=$(order_in SHIPPED "$p")
	canc=$(order_in CANCELED "$p")
	q1=$(order_in PAID "$q")
	q2=$(order_in PENDING "$q")
	api GET '/orders?status=PENDING'
	expect_status 200
	[ "$(jq -c '[.[].id]' <<<"$BODY")" = "[$pend,$q2]" ]
	api GET '/orders?status=PAID'
	[ "$(jq -c '[.[].id]' <<<"$BODY")" = "[$paid,$q1]" ]
	[ "$(jq -c '[.[].status] | unique' <<<"$BODY")" = '["PAID"]' ]
	api GET '/orders?status=SHIPPED'
	[ "$(jq -c '[.[].id]' <<<"$BODY")" = "[$ship]" ]
	api GET '/orders?status=CANCELED'
	[ "$(jq -c '[.[].id]' <<<"$BODY")" = "[$canc]" ]
	api GET "/orders?product_id=$p"
	[ "$(jq -c '[.[].id]' <<<"$BODY")" = "[$pend,$paid,$ship,$canc]" ]
	api GET "/orders?product_id=$q"
	[ "$(jq -c '[.[].id]' <<<"$BODY")" = "[$q1,$q2]" ]
	api GET "/orders?status=PAID&product_id=$q"
	expect_status 200
	[ "$(jq -c '[.[].id]' <<<"$BODY")" = "[$q1]" ]
	api GET "/orders?product_id=$p&status=PENDING"
	[ "$(jq -c '[.[].id]' <<<"$BODY")" = "[$pend]" ]
	api GET "/orders?product_id=$q&status=SHIPPED"
	expect_status 200
	[ "$(jq -c . <<<"$BODY")" = '[]' ]
	# Unknown query parameters are ignored.
	api GET "/orders?product_id=$q&colour=red"
	[ "$(jq -c '[.[].id]' <<<"$BODY")" = "[$q1,$q2]" ]
}

@test "a product_id filter for a product with no orders answers []" {
	local p
	p=$(make_product OF-3 1 10)
	make_order "$p" 1
	api GET "/orders?product_id=$((p + 100))"
	if [ "$STATUS" = 200 ]; then
		[ "$(jq -c . <<<"$BODY")" = '[]' ]
	else
		expect_error 404
	fi
}

@test "an unknown status filter is 422" {
	local s
	for s in BOGUS '' PENDINGX DELETED 1 pending; do
		echo "/orders?status=$s"
	done | batch GET 422 status
	printf '%s\n' '/orders?status=%00' '/orders?status=PAID%00' |
	    batch GET "400 422" -
}

@test "a bad product_id filter is refused" {
	local v
	for v in abc -1 1.5 99999999999999999999999 '' 1x; do
		echo "/orders?product_id=$v"
	done | batch GET "400 404 422" product_id
}

@test "orders paginate: default 100, limit, after, Link keeps the filters" {
	local p q i
	p=$(make_product OP-1 1 1000)
	q=$(make_product OP-2 1 1000)
	bulk_orders 101 "$p" | grep -c 201 | grep -qx 101
	bulk_orders 3 "$q" | grep -c 201 | grep -qx 3
	api GET /orders
	expect_status 200
	[ "$(jq length <<<"$BODY")" = 100 ]
	[ -n "$(next_link)" ]
	walk_pages /orders
	[ "$PAGES" = 2 ]
	[ "$(sort -n "$WALK_IDS" | uniq | wc -l)" = 104 ]
	sort -n -c "$WALK_IDS"
	# Filtered pages: every next link keeps status and product_id.
	walk_pages "/orders?status=PENDING&product_id=$p&limit=30"
	[ "$PAGES" = 4 ]
	[ "$(wc -l <"$WALK_IDS")" = 101 ]
	[ "$(grep -c 'status=PENDING' "$WALK_LINKS")" = 3 ]
	[ "$(grep -c "product_id=$p" "$WALK_LINKS")" = 3 ]
	[ "$(grep -c 'limit=30' "$WALK_LINKS")" = 3 ]
	sort -n -c "$WALK_IDS"
	api GET "/orders?product_id=$q&limit=3"
	[ "$(jq length <<<"$BODY")" = 3 ]
	[ -z "$(next_link)" ]
	# after= counts from an id, with the filter on.
	local first
	first=$(head -1 "$WALK_IDS")
	api GET "/orders?product_id=$p&after=$first&limit=1000"
	[ "$(jq length <<<"$BODY")" = 100 ]
	api GET "/orders?product_id=$q&after=$first"
	[ "$(jq length <<<"$BODY")" = 3 ]
}

@test "order limits outside 1..1000 are 422" {
	local l
	for l in 0 1001 -5 x 2.5 ''; do
		echo "/orders?limit=$l"
	done | batch GET 422 limit
	echo "/orders?after=zz" | batch GET "400 422" after
	api GET '/orders?limit=1000'
	expect_status 200
}

# ---- GET /orders/{id} ----------------------------------------------------

@test "GET /orders/{id} answers the order; missing is 404 Order not found" {
	local p o
	p=$(make_product OG-1 1 10)
	o=$(make_order "$p" 2)
	api GET "/orders/$o"
	expect_status 200
	expect_json
	[ "$(jq -c '[.id, .product_id, .quantity, .status]' <<<"$BODY")" = "[$o,$p,2,\"PENDING\"]" ]
	api GET "/orders/$((o + 1))"
	expect_error 404
	expect_detail "Order not found"
	api GET /orders/123456789
	expect_error 404
	expect_detail "Order not found"
}

@test "non-numeric, negative and huge order ids are 404 or 422" {
	local i
	for i in abc -1 0 1.5 99999999999999999999999 18446744073709551616 \
	    ' 1' 0x1 '%00' "$(printf '%02000d' 7)"; do
		echo "/orders/${i// /%20}"
	done | batch GET "404 422" -
	expect_alive
}

# ---- PUT /orders/{id} ----------------------------------------------------

@test "transitions from PENDING: to PAID and CANCELED only" {
	transitions_from PENDING
}

@test "transitions from PAID: to SHIPPED and CANCELED only" {
	transitions_from PAID
}

@test "transitions from SHIPPED: none" {
	transitions_from SHIPPED
}

@test "transitions from CANCELED: none" {
	transitions_from CANCELED
}

@test "the contract's example: PAID to PENDING" {
	local p o
	p=$(make_product TX-1 1 10)
	o=$(order_in PAID "$p")
	api PUT "/orders/$o" '{"status":"PENDING"}'
	expect_error 400
	expect_detail "Invalid status transition from PAID to PENDING"
}

@test "a full life: PENDING, PAID, SHIPPED keeps the stock taken" {
	local p o created
	p=$(make_product LF-1 1 10)
	o=$(make_order "$p" 6)
	created=$(field "/orders/$o" .created_at)
	api PUT "/orders/$o" '{"status":"PAID"}'
	expect_status 200
	[ "$(jq -c '[.id, .product_id, .quantity, .status]' <<<"$BODY")" = "[$o,$p,6,\"PAID\"]" ]
	[ "$(jq -r .created_at <<<"$BODY")" = "$created" ]
	api PUT "/orders/$o" '{"status":"SHIPPED"}'
	expect_status 200
	[ "$(jq -r .status <<<"$BODY")" = SHIPPED ]
	[ "$(jq -r .created_at <<<"$BODY")" = "$created" ]
	[ "$(stock_of "$p")" = 4 ]
}

@test "canceling gives back the quantity, on top of the current stock" {
	local p o
	p=$(make_product CS-1 1 10)
	o=$(make_order "$p" 3)
	[ "$(stock_of "$p")" = 7 ]
	api PUT "/products/$p" '{"stock":100}'
	expect_status 200
	api PUT "/orders/$o" '{"status":"CANCELED"}'
	expect_status 200
	[ "$(stock_of "$p")" = 103 ]
	# A canceled order gives nothing back twice.
	api PUT "/orders/$o" '{"status":"CANCELED"}'
	expect_error 400
	expect_detail "Invalid status transition from CANCELED to CANCELED"
	[ "$(stock_of "$p")" = 103 ]
}

@test "stock freed by a cancel can be ordered again" {
	local p a
	p=$(make_product CS-2 1 5)
	a=$(make_order "$p" 5)
	api POST /orders "{\"product_id\":$p,\"quantity\":5}"
	expect_status 409
	api PUT "/orders/$a" '{"status":"CANCELED"}'
	expect_status 200
	make_order "$p" 5
	[ "$(stock_of "$p")" = 0 ]
}

@test "bad status values are 422 naming status and change nothing" {
	local p o s
	p=$(make_product BS-1 1 10)
	o=$(make_order "$p" 2)
	for s in '"BOGUS"' '"paid"' '"Paid"' '""' '" PAID"' 1 true '["PAID"]' \
	    null '"PAID\u0000"'; do
		printf '/orders/%s\t{"status":%s}\n' "$o" "$s"
	done | batch PUT 422 status
	printf '/orders/%s\t{"status":"PAID","quantity":9}\n' "$o" |
	    batch PUT "400 422" -
	for s in '{"status":' 'x' '[]' '{"status":"PAID"} x' \
	    $'{"status":"\xff"}'; do
		printf '/orders/%s\t%s\n' "$o" "$s"
	done | batch PUT "400 422" -
	api_ct PUT "/orders/$o" text/plain '{"status":"PAID"}'
	expect_error 415 400
	[ "$(status_of "$o")" = PENDING ]
	[ "$(field "/orders/$o" .quantity)" = 2 ]
	[ "$(stock_of "$p")" = 8 ]
	api_ct PUT "/orders/$o" 'application/json; charset=utf-8' '{"status":"PAID"}'
	expect_status 200
	[ "$(status_of "$o")" = PAID ]
}

@test "PUT {} on an order changes nothing" {
	local p o before
	p=$(make_product BS-2 1 10)
	o=$(make_order "$p" 2)
	api GET "/orders/$o"
	before=$BODY
	api PUT "/orders/$o" '{}'
	if [ "$STATUS" = 200 ]; then
		[ "$(jq -cS . <<<"$BODY")" = "$(jq -cS . <<<"$before")" ]
	else
		expect_field_error status
	fi
	api GET "/orders/$o"
	[ "$(jq -cS . <<<"$BODY")" = "$(jq -cS . <<<"$before")" ]
	[ "$(stock_of "$p")" = 8 ]
}

@test "PUT on a missing order is 404 Order not found; bad ids 404 or 422" {
	api PUT /orders/77 '{"status":"PAID"}'
	expect_error 404
	expect_detail "Order not found"
	local i
	for i in abc -1 0 99999999999999999999999; do
		printf '/orders/%s\t{"status":"PAID"}\n' "$i"
	done | batch PUT "404 422" -
}

# ---- DELETE /orders/{id} -------------------------------------------------

@test "DELETE of a PENDING order cancels it and restores the stock" {
	local p o
	p=$(make_product DO-1 1 10)
	o=$(make_order "$p" 4)
	api DELETE "/orders/$o"
	expect_status 204
	[ -z "$BODY" ]
	[ "$(status_of "$o")" = CANCELED ]
	[ "$(stock_of "$p")" = 10 ]
}

@test "DELETE of a PAID order cancels it and restores the stock" {
	local p o
	p=$(make_product DO-2 1 10)
	o=$(order_in PAID "$p" 4)
	[ "$(stock_of "$p")" = 6 ]
	api DELETE "/orders/$o"
	expect_status 204
	[ "$(status_of "$o")" = CANCELED ]
	[ "$(stock_of "$p")" = 10 ]
}

@test "DELETE of a SHIPPED order is 400 and changes nothing" {
	local p o
	p=$(make_product DO-3 1 10)
	o=$(order_in SHIPPED "$p" 4)
	api DELETE "/orders/$o"
	expect_error 400
	[ "$(status_of "$o")" = SHIPPED ]
	[ "$(stock_of "$p")" = 6 ]
}

@test "DELETE of a CANCELED order removes it without touching stock" {
	local p o other
	p=$(make_product DO-4 1 10)
	o=$(order_in CANCELED "$p" 4)
	other=$(make_order "$p" 1)
	[ "$(stock_of "$p")" = 9 ]
	api DELETE "/orders/$o"
	expect_status 204
	api GET "/orders/$o"
	expect_error 404
	expect_detail "Order not found"
	[ "$(stock_of "$p")" = 9 ]
	api GET /orders
	[ "$(jq -c '[.[].id]' <<<"$BODY")" = "[$other]" ]
	[ "$(count "/orders?product_id=$p")" = 1 ]
	[ "$(count '/orders?status=CANCELED')" = 0 ]
	api DELETE "/orders/$o"
	expect_error 404
	expect_detail "Order not found"
}

@test "DELETE twice: cancel, then remove, then 404" {
	local p o
	p=$(make_product DO-5 1 10)
	o=$(make_order "$p" 3)
	api DELETE "/orders/$o"
	expect_status 204
	[ "$(stock_of "$p")" = 10 ]
	api DELETE "/orders/$o"
	expect_status 204
	[ "$(stock_of "$p")" = 10 ]
	api GET "/orders/$o"
	expect_status 404
	api DELETE "/orders/$o"
	expect_error 404
	expect_detail "Order not found"
	# The id is not given out again.
	local n
	n=$(make_order "$p" 1)
	[ "$n" -gt "$o" ]
}

@test "DELETE of a missing order is 404; bad ids 404 or 422" {
	api DELETE /orders/5
	expect_error 404
	expect_detail "Order not found"
	printf '/orders/%s\n' abc -1 0 99999999999999999999999 |
	    batch DELETE "404 422" -
}

# ---- methods -------------------------------------------------------------

@test "wrong methods on /orders and /orders/{id} answer 405 with Allow" {
	local p o m
	p=$(make_product OM-1 1 10)
	o=$(make_order "$p" 1)
	for m in PUT DELETE PATCH; do
		api "$m" /orders '{}'
		expect_error 405
		header Allow | grep -q GET
		header Allow | grep -q POST
	done
	for m in POST PATCH; do
		api "$m" "/orders/$o" '{"status":"PAID"}'
		expect_error 405
		header Allow | grep -q GET
		header Allow | grep -q PUT
		header Allow | grep -q DELETE
	done
	[ "$(status_of "$o")" = PENDING ]
	[ "$(count /orders)" = 1 ]
}
