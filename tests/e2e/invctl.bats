#!/usr/bin/env bats
# invctl one-shot commands against a real invd: every command's table or
# key: value output, its --json output and its exit status, refusals by
# the API (1), usage errors (2) and an unreachable daemon (3).

setup() {
	load helpers
	load invctl_helpers
	invd_start
}

teardown() {
	invd_stop
}

# ---- health and global options ------------------------------------------

@test "health prints the status and exits 0" {
	ctl health
	expect_rc 0
	[ "$output" = "status: ok" ]
	ctl --json health
	expect_rc 0
	expect_json_eq .status ok
	[ "$(jq -c . <<<"$output")" = '{"status":"ok"}' ]
}

@test "--version and --help print and exit 0" {
	run "$INVCTL" --version
	[ "$status" -eq 0 ]
	[[ $output == "invctl "[0-9]* ]]
	run "$INVCTL" --help
	[ "$status" -eq 0 ]
	[[ $output == *"usage: invctl"* ]]
	[[ $output == *"product add"* ]]
	[[ $output == *"Exit status"* ]]
}

@test "every command takes --help and prints its usage" {
	local c
	while read -r c; do
		ctl $c --help
		expect_rc 0
		[[ $output == "usage: invctl $c"* ]] || {
			echo "$c: $output" >&2
			return 1
		}
	done < <("$INVCTL" --help | awk '/^Commands:/{f=1;next} /^$/{f=0} f{print $1, ($2 ~ /^[a-z]+$/ && $1 != "health" && $1 != "api") ? $2 : ""}')
}

@test "the target comes from INVD_SOCKET or INVD_URL" {
	run --separate-stderr env INVD_SOCKET="$SOCK" "$INVCTL" health
	[ "$status" -eq 0 ]
	run --separate-stderr env -u INVD_SOCKET INVD_URL="$BASE_URL" \
	    "$INVCTL" health
	[ "$status" -eq 0 ]
	# The command line wins over the environment.
	run --separate-stderr env INVD_SOCKET=/nonexistent "$INVCTL" \
	    --url "$BASE_URL" health
	[ "$status" -eq 0 ]
}

@test "an unreachable daemon exits 3 with cannot connect" {
	run --separate-stderr "$INVCTL" --socket "$BATS_TEST_TMPDIR/none.sock" \
	    health
	expect_rc 3
	[[ $stderr == "invctl: cannot connect to "* ]]
	[ -z "$output" ]
	run --separate-stderr "$INVCTL" --url "http://127.0.0.1:$(free_port)" \
	    product list
	expect_rc 3
	[[ $stderr == "invctl: cannot connect to "* ]]
}

@test "a daemon that does not answer times out with exit 3" {
	local port=$(free_port)
	socat TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr EXEC:'sleep 5' &
	local pid=$!
	sleep 0.3
	run --separate-stderr "$INVCTL" --url "http://127.0.0.1:$port" \
	    --timeout 1 health
	kill $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	expect_rc 3
	[[ $stderr == *"timed out"* ]]
}

@test "bad global options are usage errors" {
	run --separate-stderr "$INVCTL" --url ftp://x health
	expect_usage_error "--url must look like"
	run --separate-stderr "$INVCTL" --timeout 0 health
	expect_usage_error "--timeout must be an integer"
	run --separate-stderr "$INVCTL" --bogus health
	expect_usage_error "unknown option --bogus"
}

# ---- products ------------------------------------------------------------

@test "product add prints the product; --json is the API's object" {
	ctl product add --sku W-1 --name "Blue widget" --price 9.99 --stock 50
	expect_rc 0
	[[ $output == *"sku:   W-1"* ]]
	[[ $output == *"name:  Blue widget"* ]]
	[[ $output == *"price: 9.99"* ]]
	ctl --json product add --sku W-2 --name Gadget --price 10.5 --stock 5
	expect_rc 0
	expect_json_eq .sku W-2
	expect_json_eq .price 10.5
	expect_json_eq .stock 5
	[ "$(jq -r 'keys_unsorted | join(",")' <<<"$output")" = \
	    "id,sku,name,price,stock" ]
	# --json after the command works the same.
	ctl product add --sku W-3 --name X --price 1 --stock 0 --json
	expect_rc 0
	# Printed exactly as sent: the API writes 1.0, jq would say 1.
	[[ $output == *'"price":1.0'* ]]
}

@test "product add refusals: duplicate SKU exits 1 with the detail" {
	make_product DUP >/dev/null
	ctl product add --sku DUP --name X --price 1 --stock 1
	expect_rc 1
	[[ $stderr == "invctl: "* ]]
	[ -z "$output" ]
}

@test "product add usage errors name the argument and exit 2" {
	ctl product add --name X --price 1 --stock 1
	expect_usage_error "missing --sku"
	ctl product add --sku A --name X --price 1.999 --stock 1
	expect_usage_error "--price"
	ctl product add --sku A --name X --price -1 --stock 1
	expect_usage_error "--price"
	ctl product add --sku A --name X --price abc --stock 1
	expect_usage_error "--price must be a number"
	ctl product add --sku A --name X --price 1 --stock -1
	expect_usage_error "--stock must be an integer"
	ctl product add --sku "A B" --name X --price 1 --stock 1
	expect_usage_error "--sku must not contain whitespace"
	ctl product add --sku A --name "   " --price 1 --stock 1
	expect_usage_error "--name must not be empty"
	ctl product add --sku A --name X --price 1 --stock
	expect_usage_error "--stock needs a value"
	ctl product add --sku A --sku B --name X --price 1 --stock 1
	expect_usage_error "--sku given twice"
	ctl product add --sku A --name X --price 1 --stock 1 --colour red
	expect_usage_error "unknown option --colour"
	ctl product add --sku A --name X --price 1 --stock 1 extra
	expect_usage_error "unexpected argument 'extra'"
	# Nothing reached the daemon.
	api GET /products
	[ "$(jq length <<<"$BODY")" -eq 0 ]
}

@test "product list prints a table; --json the API's array" {
	make_product L-1 1.5 3 "Alpha" >/dev/null
	make_product L-2 20 7 "Beta gamma" >/dev/null
	ctl product list
	expect_rc 0
	[ "$(sed -n 1p <<<"$output" | tr -s ' ')" = "ID SKU NAME PRICE STOCK" ]
	[ "$(wc -l <<<"$output")" -eq 3 ]
	[[ $(sed -n 3p <<<"$output" | tr -s ' ') == *"L-2 Beta gamma 20.0 7" ]]
	ctl --json product list
	expect_rc 0
	expect_json_eq 'length' 2
	expect_json_eq '.[1].name' "Beta gamma"
}

@test "product list --limit and --after page; --all follows Link" {
	local i ids=()
	for i in 1 2 3 4 5; do
		ids+=("$(make_product "P-$i")")
	done
	ctl --json product list --limit 2
	expect_rc 0
	expect_json_eq 'length' 2
	ctl --json product list --limit 2 --after "${ids[1]}"
	expect_rc 0
	expect_json_eq '.[0].sku' P-3
	ctl --json product list --limit 2 --all
	expect_rc 0
	expect_json_eq 'length' 5
	expect_json_eq '[.[].sku] | join(",")' "P-1,P-2,P-3,P-4,P-5"
	ctl --json product list --limit 2 --after "${ids[0]}" --all
	expect_rc 0
	expect_json_eq '[.[].sku] | join(",")' "P-2,P-3,P-4,P-5"
	ctl product list --limit 2 --all
	expect_rc 0
	[ "$(wc -l <<<"$output")" -eq 6 ]
	ctl product list --limit 0
	expect_usage_error "--limit must be an integer between 1 and 1000"
	ctl product list --after x
	expect_usage_error "--after must be a positive integer"
}

@test "product get by id and by --sku; unknown ones exit 1" {
	local id
	id=$(make_product G-1 3.25 8 "Gizmo")
	ctl product get "$id"
	expect_rc 0
	[[ $output == *"name:  Gizmo"* ]]
	ctl --json product get "$id"
	expect_json_eq .id "$id"
	expect_json_eq .price 3.25
	ctl --json product get --sku G-1
	expect_rc 0
	expect_json_eq .id "$id"
	ctl product get --sku NOPE
	expect_rc 1
	[ "$stderr" = "invctl: Product not found" ]
	ctl product get 999999
	expect_rc 1
	[[ $stderr == "invctl: "*"not found"* ]]
	ctl product get
	expect_usage_error "missing ID or --sku"
	ctl product get "$id" --sku G-1
	expect_usage_error "give only one of ID or --sku"
	ctl product get 0
	expect_usage_error "ID must be a positive integer"
}

@test "product update changes only the given fields" {
	local id
	id=$(make_product U-1 5 5 "Old")
	ctl --json product update "$id" --name New --price 7.5
	expect_rc 0
	expect_json_eq .name New
	expect_json_eq .price 7.5
	expect_json_eq .sku U-1
	expect_json_eq .stock 5
	ctl product update "$id" --stock 9
	expect_rc 0
	[[ $output == *"stock: 9"* ]]
	ctl product update "$id"
	expect_usage_error "nothing to update"
	ctl product update 999999 --stock 1
	expect_rc 1
}

@test "product delete exits 0, then 1 for the same id" {
	local id
	id=$(make_product D-1)
	ctl product delete "$id"
	expect_rc 0
	[ "$output" = "Deleted product $id." ]
	ctl product delete "$id"
	expect_rc 1
	[[ $stderr == "invctl: "* ]]
	id=$(make_product D-2)
	ctl --json product delete "$id"
	expect_rc 0
	[ -z "$output" ]
}

# ---- orders --------------------------------------------------------------

@test "order create takes stock; insufficient stock exits 1" {
	local pid
	pid=$(make_product O-1 2 50)
	ctl --json order create --product "$pid" --quantity 10
	expect_rc 0
	expect_json_eq .product_id "$pid"
	expect_json_eq .quantity 10
	expect_json_eq .status PENDING
	[ "$(jq -r 'keys_unsorted | join(",")' <<<"$output")" = \
	    "id,product_id,quantity,status,created_at" ]
	ctl order create --product "$pid" --quantity 100
	expect_rc 1
	[ "$stderr" = "invctl: Insufficient stock. Available: 40, Requested: 100" ]
	[ -z "$output" ]
	ctl order create --product 999999 --quantity 1
	expect_rc 1
	[ "$stderr" = "invctl: Product not found" ]
	ctl order create --product "$pid" --quantity 0
	expect_usage_error "--quantity must be an integer between 1 and"
	ctl order create --quantity 1
	expect_usage_error "missing --product"
}

@test "order pay, ship, cancel move the status; bad moves exit 1" {
	local pid oid
	pid=$(make_product M-1 2 50)
	oid=$(make_order "$pid" 5)
	ctl order pay "$oid"
	expect_rc 0
	[[ $output == *"status:     PAID"* ]]
	ctl --json order ship "$oid"
	expect_rc 0
	expect_json_eq .status SHIPPED
	ctl order cancel "$oid"
	expect_rc 1
	[[ $stderr == "invctl: "* ]]
	oid=$(make_order "$pid" 5)
	ctl --json order cancel "$oid"
	expect_rc 0
	expect_json_eq .status CANCELED
	# A canceled order's quantity is back in stock.
	ctl --json product get "$pid"
	expect_json_eq .stock 45
	ctl order pay 999999
	expect_rc 1
}

@test "order get, list with filters, delete" {
	local p1 p2 o1 o2 o3
	p1=$(make_product F-1 1 100)
	p2=$(make_product F-2 1 100)
	o1=$(make_order "$p1" 1)
	o2=$(make_order "$p2" 2)
	o3=$(make_order "$p1" 3)
	api PUT "/orders/$o3" '{"status":"PAID"}'
	ctl --json order get "$o2"
	expect_rc 0
	expect_json_eq .quantity 2
	ctl order get "$o2"
	[[ $output == *"quantity:   2"* ]]
	ctl --json order list
	expect_json_eq length 3
	ctl --json order list --product "$p1"
	expect_json_eq '[.[].id] | join(",")' "$o1,$o3"
	ctl --json order list --status PAID
	expect_json_eq '[.[].id] | join(",")' "$o3"
	ctl --json order list --status PENDING --product "$p1"
	expect_json_eq '[.[].id] | join(",")' "$o1"
	ctl --json order list --limit 1 --all
	expect_json_eq length 3
	ctl order list
	expect_rc 0
	[ "$(sed -n 1p <<<"$output" | tr -s ' ')" = \
	    "ID PRODUCT_ID QUANTITY STATUS CREATED_AT" ]
	ctl order list --status paid
	expect_usage_error "--status must be one of PENDING, PAID, SHIPPED, CANCELED"
	ctl order cancel "$o1"
	expect_rc 0
	ctl order delete "$o1"
	expect_rc 0
	[ "$output" = "Deleted order $o1." ]
	ctl order delete "$o3"
	expect_rc 0
	[[ "$output" == "Canceled order $o3 and restored its stock"* ]]
	ctl --json order get "$o3"
	expect_json_eq .status CANCELED
	ctl order delete "$o3"
	[ "$output" = "Deleted order $o3." ]
	ctl order get "$o1"
	expect_rc 1
	ctl --json order delete "$o1"
	expect_rc 1
	[ -z "$output" ]
}

# ---- parsing -------------------------------------------------------------

@test "unique prefixes work; ambiguous ones name the candidates" {
	make_product X-1 >/dev/null
	ctl --json prod li
	expect_rc 0
	expect_json_eq length 1
	ctl product list --lim 1 --js
	expect_rc 0
	expect_json_eq length 1
	ctl order c 1
	expect_rc 2
	[[ $stderr == *"ambiguous command 'order c': could be create, cancel"* ]]
	ctl order list --a
	expect_usage_error "ambiguous option --a: --after, --all"
}

@test "unknown commands and missing verbs are usage errors" {
	ctl frobnicate
	expect_rc 2
	[[ $stderr == *"unknown command 'frobnicate'"* ]]
	[[ $stderr == *"usage: invctl"* ]]
	ctl product
	expect_rc 2
	[[ $stderr == *"missing command after 'product'"* ]]
	[[ $stderr == *"usage: invctl product add"* ]]
	ctl product fly
	expect_rc 2
	[[ $stderr == *"unknown command 'product fly'"* ]]
	ctl order pay
	expect_usage_error "missing ID"
	ctl order pay abc
	expect_usage_error "ID must be a positive integer"
}

@test "no color when stdout is not a terminal, even with a TERM" {
	make_product C-1 >/dev/null
	TERM=xterm-256color ctl product list
	expect_rc 0
	[[ $output != *$'\033'* ]]
}
