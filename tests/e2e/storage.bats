#!/usr/bin/env bats
# Storage full: a database map at its --map-size, and a data directory on a
# full filesystem. Writes answer 507 with a detail, reads go on, a failed
# write leaves nothing behind, and writes work again once there is room.

setup() {
	load helpers
	load api_helpers
	FS=
}

teardown() {
	invd_stop
	if [ -n "$FS" ]; then
		umount "$FS" || umount -l "$FS" || true
	fi
}

# fill_products N [PREFIX]: POST N products as large as the limits allow (about 450
# bytes stored each) until the store is full. Sets OK (how many were
# answered 201) and FULL_AT (the line of the first 507, empty if none);
# every answer is 201 or 507.
fill_products() {
	local f="$BATS_TEST_TMPDIR/fill" codes
	seq 1 "$1" | awk -v p="${2:-F}" '{
		printf "{\"sku\":\"%s-%060d\",\"name\":\"%0190d\",", p, $1, 0
		printf "\"price\":1,\"stock\":5}\n"
	}' >"$f"
	codes=$(bulk_post /products "$f")
	if grep -qvE '^(201|507)$' <<<"$codes"; then
		echo "fill: $(sort <<<"$codes" | uniq -c)" >&2
		return 1
	fi
	OK=$(grep -c '^201$' <<<"$codes" || true)
	FULL_AT=$(grep -n '^507$' <<<"$codes" | head -1 | cut -d: -f1)
}

# bulk_delete FROM TO: DELETE /products/FROM..TO in one curl; all 204.
bulk_delete() {
	transport_args
	local cfg="$BATS_TEST_TMPDIR/delete.$$" codes
	seq "$1" "$2" | awk -v base="$T_BASE" -v sock="${T_ARGS[1]:-}" '{
		if (NR > 1)
			print "next"
		if (sock != "")
			printf "unix-socket = \"%s\"\n", sock
		printf "url = \"%s/products/%d\"\n", base, $1
		print "request = \"DELETE\""
		print "output = \"/dev/null\""
		print "write-out = \"%{http_code}\\n\""
	}' >"$cfg"
	codes=$(curl -s --max-time 60 -K "$cfg")
	[ "$(grep -c '^204$' <<<"$codes")" = $(($2 - $1 + 1)) ]
}

# expect_full DETAIL: writes are refused with 507 and DETAIL, reads work,
# and the refused writes left nothing behind.
expect_full() {
	local sku="NEW-$(printf '%060d' 1)" stock orders
	# A product that does not fit: no record, no SKU index row.
	api POST /products "{\"sku\":\"$sku\",\"name\":\"$(printf '%0190d' 0)\",\"price\":1,\"stock\":5}"
	expect_status 507
	expect_detail "$1"
	api GET "/products?sku=$sku"
	expect_status 200
	[ "$(jq -c . <<<"$BODY")" = '[]' ]
	# An order that does not fit: the stock stays as it was.
	stock=$(stock_of 1)
	orders=$(count '/orders?limit=1000')
	api POST /orders '{"product_id":1,"quantity":2}'
	expect_status 507
	expect_detail "$1"
	[ "$(stock_of 1)" = "$stock" ]
	[ "$(count '/orders?limit=1000')" = "$orders" ]
	# Reads go on.
	api GET /products/1
	expect_status 200
	api GET /health
	expect_status 200
	walk_pages '/products?limit=1000'
	[ "$(wc -l <"$WALK_IDS")" = "$OK" ]
}

# expect_writes SKU: writes work again, a product and an order.
expect_writes() {
	local stock
	api POST /products "{\"sku\":\"$1\",\"name\":\"n\",\"price\":1,\"stock\":5}"
	expect_status 201
	stock=$(stock_of 1)
	api POST /orders '{"product_id":1,"quantity":2}'
	expect_status 201
	[ "$(stock_of 1)" = $((stock - 2)) ]
}

@test "a full map: 507 with a detail, reads go on, no half writes; deletes or a larger map make room" {
	# Not synced: this is about room in the map, and fills it faster.
	invd_start --map-size 1M --sync none || false
	fill_products 2600
	[ -n "$FULL_AT" ]
	expect_full "Insufficient storage: the database is full"
	# Deleting products frees pages that later writes reuse.
	bulk_delete 10 409
	OK=$((OK - 400))
	expect_writes AGAIN-1
	# What was acknowledged is on disk after a restart, and only that.
	invd_stop
	invd_start --map-size 1M --sync none || false
	walk_pages '/products?limit=1000'
	[ "$(wc -l <"$WALK_IDS")" = $((OK + 1)) ]
	[ "$(count '/orders?limit=1000')" = 1 ]
	# Full again; a restart with a larger map takes writes again.
	fill_products 1000 G
	[ -n "$FULL_AT" ]
	invd_stop
	invd_start --map-size 4M --sync none || false
	expect_writes AGAIN-2
	[ "$(count '/orders?limit=1000')" = 2 ]
}

@test "a full filesystem: 507 with a detail, reads go on, no half writes, room frees it" {
	[ "$(id -u)" = 0 ] ||
	    skip "mounting a small tmpfs needs root (running as uid $(id -u))"
	FS="$BATS_TEST_TMPDIR/fs"
	mkdir -p "$FS"
	if ! mount -t tmpfs -o size=1m tmpfs "$FS" 2>"$BATS_TEST_TMPDIR/mount.err"; then
		FS=
		skip "cannot mount a tmpfs here: $(cat "$BATS_TEST_TMPDIR/mount.err")"
	fi
	# Ballast to remove later, as an operator frees space.
	head -c 400K /dev/zero >"$FS/ballast"
	DATA="$FS/data" invd_start --map-size 64M || false
	fill_products 2000
	[ -n "$FULL_AT" ]
	[ "$(df --output=avail -k "$FS" | tail -1 | tr -d ' ')" -lt 64 ]
	expect_full "Insufficient storage: no space left on device"
	# The disk, not LMDB, is at fault: no internal error was logged.
	run grep -c 'Internal storage error\|lmdb: commit' "$INVD_LOG"
	[ "$output" = 0 ]
	rm "$FS/ballast"
	expect_writes AGAIN-1
	invd_stop
	DATA="$FS/data" invd_start --map-size 64M || false
	walk_pages '/products?limit=1000'
	[ "$(wc -l <"$WALK_IDS")" = $((OK + 1)) ]
	[ "$(count '/orders?limit=1000')" = 1 ]
}
