#!/usr/bin/env bats
# invd --check-data DIR: a read-only walk of every index against its
# records, beside a running invd and after kill -9; exit 0 consistent,
# 1 with a line per mismatch, 2 when the directory cannot be opened.

setup() {
	load helpers
	load api_helpers
}

teardown() {
	invd_stop
}

@test "--check-data passes on live data while invd serves, and after kill -9" {
	invd_start || false
	local p q o1 o2
	p=$(make_product CD-1 2.5 10)
	q=$(make_product CD-2 1 5)
	o1=$(make_order "$p" 2)
	o2=$(make_order "$q" 1)
	api PUT "/orders/$o2" '{"status":"CANCELED"}'
	expect_status 200
	api DELETE "/orders/$o2"
	expect_status 204
	api DELETE "/products/$q"
	expect_status 204
	run "$INVD" --check-data "$DATA"
	[ "$status" = 0 ]
	[[ "$output" == *"1 products, 1 skus, 1 orders"* ]]
	[[ "$output" == *"# data OK"* ]]
	# invd still owns its directory and keeps serving.
	make_order "$p" 1 >/dev/null
	[ "$(stock_of "$p")" = 7 ]
	invd_kill9
	run "$INVD" --check-data "$DATA"
	[ "$status" = 0 ]
	[[ "$output" == *"2 orders"* ]]
	# The checker leaves the directory to the next invd.
	invd_start || false
	[ "$(status_of "$o1")" = PENDING ]
}

@test "--check-data exits 2 on a directory it cannot open, 2 on usage" {
	run "$INVD" --check-data "$BATS_TEST_TMPDIR/none"
	[ "$status" = 2 ]
	[[ "$output" == *"No such file or directory"* ]]
	mkdir "$BATS_TEST_TMPDIR/empty"
	run "$INVD" --check-data "$BATS_TEST_TMPDIR/empty"
	[ "$status" = 2 ]
	run "$INVD" --check-data
	[ "$status" = 2 ]
	[[ "$output" == *"--check-data: missing argument"* ]]
}

@test "--check-data reports a damaged index with exit 1" {
	invd_start || false
	local p
	p=$(make_product CD-3 1 10)
	make_order "$p" 3 >/dev/null
	invd_stop
	# Copy every database but the order's pending row with LMDB's own
	# tools: a PENDING order missing from pending_by_product is what a
	# half-applied write would leave.
	mdb_dump -a "$DATA" >"$BATS_TEST_TMPDIR/dump"
	grep -q '^ 00000000000000010000000000000001$' "$BATS_TEST_TMPDIR/dump"
	awk '/^database=/ { db = $0 }
	    db == "database=pending_by_product" &&
	    $0 == " 00000000000000010000000000000001" { getline; next }
	    { print }' "$BATS_TEST_TMPDIR/dump" >"$BATS_TEST_TMPDIR/damaged"
	mkdir "$BATS_TEST_TMPDIR/copy"
	mdb_load "$BATS_TEST_TMPDIR/copy" <"$BATS_TEST_TMPDIR/damaged"
	run "$INVD" --check-data "$BATS_TEST_TMPDIR/copy"
	[ "$status" = 1 ]
	[[ "$output" == *"mismatch: order 1: PENDING but not in pending_by_product"* ]]
	[[ "$output" == *"# data INCONSISTENT: 1 mismatches"* ]]
	# The original, untouched, is consistent.
	run "$INVD" --check-data "$DATA"
	[ "$status" = 0 ]
}
