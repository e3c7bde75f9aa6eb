#!/usr/bin/env bats
# /products and /products/{id}: create, list (pagination, ?sku=), get,
# partial update, delete, and every wrong input for each.

setup() {
	load helpers
	load api_helpers
	invd_start || return 1
}

teardown() {
	invd_stop
}

# no_products: the store holds no product.
no_products() {
	api GET /products
	expect_status 200 || return 1
	expect_eq "products left behind" "$BODY" '[]'
}

# post_lines FORMAT VALUE...: one "/products<TAB>body" line per VALUE, the
# body being FORMAT with the value in place of %s (for batch).
post_lines() {
	local fmt=$1 v
	shift
	for v in "$@"; do
		# shellcheck disable=SC2059
		printf "/products\t$fmt\n" "$v"
	done
}

# ---- POST /products ------------------------------------------------------

@test "POST /products answers 201 with the product and a Location" {
	api POST /products '{"sku":"ABC-1","name":"Widget","price":9.99,"stock":50}'
	expect_status 201
	expect_json
	local id
	id=$(jq -r .id <<<"$BODY")
	[[ "$id" =~ ^[1-9][0-9]*$ ]]
	[ "$(jq -c 'keys' <<<"$BODY")" = '["id","name","price","sku","stock"]' ]
	[ "$(jq -c '[.sku, .name, .stock, (.id | type), (.stock | type)]' \
	    <<<"$BODY")" = '["ABC-1","Widget",50,"number","number"]' ]
	[ "$(raw_field price)" = 9.99 ]
	[[ "$(header Location)" =~ /products/$id$ ]]
	# What was answered is what is stored.
	local created=$BODY
	api GET "/products/$id"
	expect_status 200
	[ "$(jq -cS . <<<"$BODY")" = "$(jq -cS . <<<"$created")" ]
}

@test "ids are sequential and increasing" {
	local a b c
	a=$(make_product S-1)
	b=$(make_product S-2)
	c=$(make_product S-3)
	[ "$b" -gt "$a" ]
	[ "$c" -gt "$b" ]
}

@test "prices print exactly, the way Python prints floats" {
	local pair in want i=0
	for pair in 10:10.0 10.5:10.5 9.99:9.99 99.99:99.99 0.01:0.01 \
	    0.1:0.1 19.90:19.9 10.50:10.5 100:100.0 1234567.89:1234567.89 \
	    999999999999.99:999999999999.99 1e2:100.0 0.3:0.3 1.1:1.1; do
		in=${pair%%:*}
		want=${pair#*:}
		i=$((i + 1))
		api POST /products "{\"sku\":\"P-$i\",\"name\":\"n\",\"price\":$in,\"stock\":1}"
		expect_status 201
		expect_eq "price $in" "$(raw_field price)" "$want"
	done
	# Stored as written, listed as written.
	api GET '/products?limit=1000'
	[ "$(grep -o '"price": *[0-9.e]*' <<<"$BODY" | sed 's/.*: *//' |
	    tr '\n' ' ')" = "10.0 10.5 9.99 99.99 0.01 0.1 19.9 10.5 100.0 1234567.89 999999999999.99 100.0 0.3 1.1 " ]
}

@test "price with more than 2 decimals, zero or negative is 422 naming price" {
	post_lines '{"sku":"X","name":"n","price":%s,"stock":1}' \
	    9.999 0.001 1.005 0 0.0 0.00 -1 -0.01 -100 1e-3 -0 |
	    batch POST 422 price
	no_products
}

@test "price of the wrong JSON type is 422 naming price" {
	post_lines '{"sku":"X","name":"n","price":%s,"stock":1}' \
	    '"9.5"' '"abc"' '""' true false null '[]' '{}' '[9.5]' |
	    batch POST 422 price
	no_products
}

@test "huge prices are refused" {
	post_lines '{"sku":"X","name":"n","price":%s,"stock":1}' \
	    1000000000000 1e15 99999999999999999999 1e400 -1e400 \
	    123456789012345678901234567890.5 1000000000000.00 \
	    9223372036854775807 9223372036854775808 1e308 |
	    batch POST "400 422" price
	no_products
	expect_alive
}

@test "stock 0 is accepted" {
	api POST /products '{"sku":"Z","name":"n","price":1,"stock":0}'
	expect_status 201
	[ "$(jq -r .stock <<<"$BODY")" = 0 ]
}

@test "negative, fractional and non-integer stock is 422 naming stock" {
	post_lines '{"sku":"X","name":"n","price":1,"stock":%s}' \
	    -1 -100 1.5 0.5 '"5"' '""' true false null '[]' '{}' |
	    batch POST 422 stock
	no_products
}

@test "huge stock values are refused" {
	post_lines '{"sku":"X","name":"n","price":1,"stock":%s}' \
	    99999999999999999999 1e30 18446744073709551616 \
	    -9223372036854775809 1e400 9223372036854775807 |
	    batch POST "400 422" stock
	no_products
	expect_alive
}

@test "missing, empty or mistyped sku is 422 naming sku" {
	batch POST 422 sku <<-EOF
	/products	{"name":"n","price":1,"stock":1}
	/products	{"sku":"","name":"n","price":1,"stock":1}
	/products	{"sku":null,"name":"n","price":1,"stock":1}
	/products	{"sku":5,"name":"n","price":1,"stock":1}
	/products	{"sku":["A"],"name":"n","price":1,"stock":1}
	/products	{"sku":{},"name":"n","price":1,"stock":1}
	/products	{"sku":true,"name":"n","price":1,"stock":1}
	EOF
	no_products
}

@test "missing, empty or mistyped name is 422 naming name" {
	batch POST 422 name <<-EOF
	/products	{"sku":"A","price":1,"stock":1}
	/products	{"sku":"A","name":"","price":1,"stock":1}
	/products	{"sku":"A","name":"   ","price":1,"stock":1}
	/products	{"sku":"A","name":null,"price":1,"stock":1}
	/products	{"sku":"A","name":42,"price":1,"stock":1}
	/products	{"sku":"A","name":["n"],"price":1,"stock":1}
	EOF
	no_products
}

@test "missing price or stock is 422 naming the field" {
	api POST /products '{"sku":"A","name":"n","stock":1}'
	expect_field_error price
	api POST /products '{"sku":"A","name":"n","price":1}'
	expect_field_error stock
	no_products
}

@test "unknown fields are 422 naming the field" {
	api POST /products '{"sku":"A","name":"n","price":1,"stock":1,"colour":"red"}'
	expect_field_error colour
	api POST /products '{"id":7,"sku":"A","name":"n","price":1,"stock":1}'
	expect_field_error id
	no_products
}

@test "absurdly long sku or name is 422 naming the field" {
	local long
	long=$(printf '%05000d' 0 | tr 0 a)
	api POST /products "{\"sku\":\"$long\",\"name\":\"n\",\"price\":1,\"stock\":1}"
	expect_field_error sku
	api POST /products "{\"sku\":\"A\",\"name\":\"$long\",\"price\":1,\"stock\":1}"
	expect_field_error name
	no_products
}

@test "a body that is not an object is refused" {
	post_lines '%s' '[]' '[{"sku":"A","name":"n","price":1,"stock":1}]' \
	    '"text"' 42 null true '""' | batch POST "400 422" -
	no_products
}

@test "NUL bytes in strings are refused" {
	batch POST "400 422" - <<-'EOF'
	/products	{"sku":"A\u0000B","name":"n","price":1,"stock":1}
	/products	{"sku":"A","name":"bad\u0000name","price":1,"stock":1}
	/products	{"sku":"\u0000","name":"\u0000","price":1,"stock":1}
	/products	{"sku":"A","name":"n\u0000","price":1,"stock":1}
	EOF
	# A raw NUL byte, not an escape.
	printf '{"sku":"A\0B","name":"n","price":1,"stock":1}' \
	    >"$BATS_TEST_TMPDIR/nul.json"
	api_file POST /products "$BATS_TEST_TMPDIR/nul.json"
	expect_4xx
	printf '{"sku":"A","name":"n","price":1,"stock":1}\0' \
	    >"$BATS_TEST_TMPDIR/nul2.json"
	api_file POST /products "$BATS_TEST_TMPDIR/nul2.json"
	expect_4xx
	no_products
	expect_alive
}

@test "invalid UTF-8 in strings is refused" {
	# A bad byte, a truncated sequence, an overlong "/", an encoded
	# surrogate, a code point beyond U+10FFFF, a lone surrogate escape.
	post_lines '%s' \
	    $'{"sku":"A","name":"bad \xff\xfe name","price":1,"stock":1}' \
	    $'{"sku":"\xc3\x28","name":"n","price":1,"stock":1}' \
	    $'{"sku":"A","name":"\xc0\xaf","price":1,"stock":1}' \
	    $'{"sku":"A","name":"\xed\xa0\x80","price":1,"stock":1}' \
	    $'{"sku":"A","name":"\xf4\x90\x80\x80","price":1,"stock":1}' \
	    $'{"sku":"A","name":"abc\xe2\x82","price":1,"stock":1}' \
	    '{"sku":"A","name":"x\ud800y","price":1,"stock":1}' \
	    '{"sku":"A","name":"x\udc00","price":1,"stock":1}' |
	    batch POST "400 422" -
	# Outside strings too.
	post_lines '%s' $'{"sku":"A","name":"n","price":1,"stock":1}\xff' \
	    $'\xef\xbb\xbf{"sku":"A","name":"n","price":1,"stock":1}\xfe' |
	    batch POST "400 422" -
	no_products
	expect_alive
}

@test "control characters in names are refused" {
	api POST /products '{"sku":"A","name":"a\u0007b","price":1,"stock":1}'
	expect_4xx
	printf '{"sku":"A","name":"a\tb","price":1,"stock":1}' \
	    >"$BATS_TEST_TMPDIR/tab.json"
	api_file POST /products "$BATS_TEST_TMPDIR/tab.json"
	expect_4xx
	no_products
}

@test "UTF-8 names and JSON escapes round-trip exactly" {
	local name='Café ☕ "quoted" \\ back/slash 😀'
	local body id
	body=$(jq -cn --arg n "$name" '{sku:"U-1",name:$n,price:1,stock:1}')
	api POST /products "$body"
	expect_status 201
	id=$(jq -r .id <<<"$BODY")
	[ "$(jq -r .name <<<"$BODY")" = "$name" ]
	api GET "/products/$id"
	[ "$(jq -r .name <<<"$BODY")" = "$name" ]
	# An escaped character decodes to the character.
	api POST /products '{"sku":"U-2","name":"caf\u00e9 \ud83d\ude00","price":1,"stock":1}'
	expect_status 201
	[ "$(jq -r .name <<<"$BODY")" = 'café 😀' ]
	# Non-ASCII SKU, looked up by ?sku=.
	api POST /products '{"sku":"ÄÖÜ-1","name":"n","price":1,"stock":1}'
	expect_status 201
	api GET '/products?sku=%C3%84%C3%96%C3%9C-1'
	expect_status 200
	[ "$(jq -r '.[0].sku' <<<"$BODY")" = 'ÄÖÜ-1' ]
}

@test "malformed JSON is 400" {
	post_lines '%s' '{' '{"sku":' '{"sku":"A",}' 'nope' "{'sku':'A'}" \
	    '{"sku":"A" "name":"n"}' '{sku:"A"}' '{"price":1.}' \
	    '{"price":.5}' '{"price":01}' '{"price":+1}' '{"sku":"A\x"}' \
	    '}' ']' '{"sku":"A"]' '{"sku":"unterminated}' '{"a":tru}' \
	    '{"price":1e}' '{"price":--1}' '{"sku":"\u12"}' ',' ':' \
	    '{"sku"}' '{"sku":"A",,"name":"n"}' '{"price":0x10}' |
	    batch POST 400 -
	no_products
	expect_alive
}

@test "an empty body is refused" {
	api POST /products ''
	expect_error 400 422
	api_send /products -X POST
	expect_error 400 411 415 422
	api POST /products '   '
	expect_error 400 422
	no_products
}

@test "NaN and Infinity are refused" {
	local v
	for v in NaN nan Infinity -Infinity inf -inf '"NaN"' '"Infinity"'; do
		printf '/products\t{"sku":"A","name":"n","price":%s,"stock":1}\n' "$v"
		printf '/products\t{"sku":"A","name":"n","price":1,"stock":%s}\n' "$v"
	done | batch POST "400 422" -
	no_products
}

@test "trailing text after the JSON is refused" {
	local ok='{"sku":"A","name":"n","price":1,"stock":1}'
	local t
	for t in x '}' '{}' "$ok" , '/* c */' '// c' null 1 '"s"'; do
		printf '/products\t%s %s\n' "$ok" "$t"
		printf '/products\t%s%s\n' "$ok" "$t"
	done | batch POST "400 422" -
	no_products
	# Trailing white space is part of JSON and fine.
	api POST /products "$ok   "$'\n'
	expect_status 201
}

@test "absurd nesting depth is refused and the daemon survives" {
	local deep
	deep=$(printf '%0.s[' $(seq 1 100000))
	api POST /products "$deep"
	expect_error 400 422
	deep=$(printf '%0.s{"a":' $(seq 1 5000))1$(printf '%0.s}' $(seq 1 5000))
	api POST /products "$deep"
	expect_error 400 422
	api POST /products "{\"sku\":\"A\",\"name\":$(printf '%0.s[' $(seq 1 50))\"n\"$(printf '%0.s]' $(seq 1 50)),\"price\":1,\"stock\":1}"
	expect_error 400 422
	no_products
	expect_alive
}

@test "duplicate SKU is 409 with the contract's detail" {
	local id
	id=$(make_product DUP-1 9.99 5 First)
	api POST /products '{"sku":"DUP-1","name":"Second","price":1,"stock":1}'
	expect_error 409
	expect_detail "Product with this SKU already exists"
	[ "$(count /products)" = 1 ]
	api GET "/products/$id"
	[ "$(jq -c '[.name, .stock]' <<<"$BODY")" = '["First",5]' ]
}

@test "SKUs are case-sensitive and compared whole" {
	make_product CASE-a
	make_product CASE-A
	make_product CASE
	make_product CASE-a-1
	[ "$(count /products)" = 4 ]
	[ "$(count '/products?sku=CASE')" = 1 ]
}

@test "Content-Type application/json; charset=utf-8 is accepted" {
	api_ct POST /products 'application/json; charset=utf-8' \
	    '{"sku":"CT-1","name":"n","price":1,"stock":1}'
	expect_status 201
	api_ct POST /products 'application/json;charset=UTF-8' \
	    '{"sku":"CT-2","name":"n","price":1,"stock":1}'
	expect_status 201
}

@test "other content types are refused with 415 and nothing is created" {
	local ct
	for ct in text/plain application/x-www-form-urlencoded \
	    multipart/form-data application/xml application/jsonx \
	    'text/html; charset=utf-8'; do
		api_ct POST /products "$ct" \
		    '{"sku":"CT-1","name":"n","price":1,"stock":1}'
		expect_error 415 400 || { echo "for $ct" >&2; false; }
	done
	no_products
}

# ---- GET /products -------------------------------------------------------

@test "GET /products on an empty store is []" {
	api GET /products
	expect_status 200
	expect_json
	[ "$BODY" = '[]' ] || [ "$(jq -c . <<<"$BODY")" = '[]' ]
	[ -z "$(next_link)" ]
}

@test "GET /products lists all products in id order" {
	local a b c
	a=$(make_product L-c 1 1)
	b=$(make_product L-a 2.5 2)
	c=$(make_product L-b 3 3)
	api GET /products
	expect_status 200
	expect_json
	[ "$(jq -c '[.[].id]' <<<"$BODY")" = "[$a,$b,$c]" ]
	[ "$(jq -c '[.[].sku]' <<<"$BODY")" = '["L-c","L-a","L-b"]' ]
	[ "$(jq -c '.[1] | [.name, .stock]' <<<"$BODY")" = '["Widget",2]' ]
	grep -q '"price": *2\.5[,}]' <<<"$BODY"
	grep -q '"price": *1\.0[,}]' <<<"$BODY"
	[ -z "$(next_link)" ]
}

@test "the default page is 100 products with a next link" {
	bulk_products 101 B
	api GET /products
	expect_status 200
	[ "$(jq length <<<"$BODY")" = 100 ]
	local next last
	last=$(jq -r '.[99].id' <<<"$BODY")
	next=$(next_link)
	[ -n "$next" ]
	[[ "$next" == "/products?"* ]]
	[[ "$next" =~ after=$last(&|$) ]]
	api GET "$next"
	expect_status 200
	[ "$(jq -r 'length, .[0].sku' <<<"$BODY" | tr '\n' ' ')" = "1 B-101 " ]
	[ -z "$(next_link)" ]
}

@test "limit and after page through every product exactly once" {
	bulk_products 7 PG
	walk_pages '/products?limit=3'
	[ "$PAGES" = 3 ]
	[ "$(wc -l <"$WALK_IDS")" = 7 ]
	[ "$(sort -n "$WALK_IDS" | uniq | wc -l)" = 7 ]
	# In id order across pages.
	sort -n -c "$WALK_IDS"
	# Each next link keeps the limit.
	[ "$(grep -c 'limit=3' "$WALK_LINKS")" = 2 ]
}

@test "no next link when the last page is exactly full" {
	bulk_products 4 EX
	api GET '/products?limit=2'
	[ "$(jq length <<<"$BODY")" = 2 ]
	local next
	next=$(next_link)
	[ -n "$next" ]
	api GET "$next"
	expect_status 200
	[ "$(jq length <<<"$BODY")" = 2 ]
	[ -z "$(next_link)" ]
	api GET '/products?limit=4'
	[ "$(jq length <<<"$BODY")" = 4 ]
	[ -z "$(next_link)" ]
}

@test "the Link header has the RFC 8288 form" {
	bulk_products 3 LK
	api GET '/products?limit=1'
	header Link | grep -qE '^<[^>]+>; *rel="next"$'
}

@test "after=ID answers the products with a greater id" {
	local a b c
	a=$(make_product A-1)
	b=$(make_product A-2)
	c=$(make_product A-3)
	api GET "/products?after=$a"
	expect_status 200
	[ "$(jq -c '[.[].id]' <<<"$BODY")" = "[$b,$c]" ]
	api GET "/products?after=$c"
	expect_status 200
	[ "$(jq -c . <<<"$BODY")" = '[]' ]
	[ -z "$(next_link)" ]
	api GET '/products?after=0'
	[ "$(jq length <<<"$BODY")" = 3 ]
	api GET '/products?after=999999999'
	expect_status 200
	[ "$(jq -c . <<<"$BODY")" = '[]' ]
	api GET "/products?after=$a&limit=1"
	[ "$(jq -c '[.[].id]' <<<"$BODY")" = "[$b]" ]
	[ -n "$(next_link)" ]
}

@test "limit 1 and limit 1000 are valid" {
	bulk_products 3 LIM
	api GET '/products?limit=1'
	expect_status 200
	[ "$(jq length <<<"$BODY")" = 1 ]
	api GET '/products?limit=1000'
	expect_status 200
	[ "$(jq length <<<"$BODY")" = 3 ]
	[ -z "$(next_link)" ]
}

@test "limit outside 1..1000 or not an integer is 422" {
	make_product LIM-1
	local l
	for l in 0 1001 -1 abc 1.5 '' 10abc 99999999999999999999999 \
	    '%205' 0x10 1e2 '%20' 100000 -9223372036854775808; do
		echo "/products?limit=$l"
	done | batch GET 422 limit
	# A NUL byte: a malformed query (400) or a bad limit (422).
	printf '%s\n' '/products?limit=1%00' '/products?limit=%00' |
	    batch GET "400 422" -
	expect_alive
}

@test "after that is not an id is refused" {
	make_product AFT-1
	local a
	for a in abc -1 1.5 99999999999999999999999 x1; do
		echo "/products?after=$a"
	done | batch GET "400 422" after
}

@test "unknown query parameters are ignored" {
	make_product Q-1
	api GET '/products?foo=bar&page=7'
	expect_status 200
	[ "$(jq length <<<"$BODY")" = 1 ]
}

@test "?sku= answers the one product or an empty array" {
	local a
	make_product SKU-A
	a=$(make_product SKU-B)
	make_product SKU-C
	api GET '/products?sku=SKU-B'
	expect_status 200
	expect_json
	[ "$(jq -c '[length, .[0].id, .[0].sku]' <<<"$BODY")" = "[1,$a,\"SKU-B\"]" ]
	api GET '/products?sku=NOPE'
	expect_status 200
	[ "$(jq -c . <<<"$BODY")" = '[]' ]
	api GET '/products?sku=sku-b'
	expect_status 200
	[ "$(jq -c . <<<"$BODY")" = '[]' ]
}

@test "?sku= is percent-decoded" {
	local a
	a=$(make_product 'A+B/C&D=1')
	api GET '/products?sku=A%2BB%2FC%26D%3D1'
	expect_status 200
	[ "$(jq -c '[length, .[0].id]' <<<"$BODY")" = "[1,$a]" ]
	api GET '/products?sku=%00'
	[ "$STATUS" = 200 ] || expect_4xx
	expect_json
}

# ---- GET /products/{id} --------------------------------------------------

@test "GET /products/{id} answers the product" {
	local id
	id=$(make_product G-1 12.5 7 Gadget)
	api GET "/products/$id"
	expect_status 200
	expect_json
	[ "$(jq -c 'keys' <<<"$BODY")" = '["id","name","price","sku","stock"]' ]
	[ "$(jq -c '[.id, .sku, .name, .stock]' <<<"$BODY")" = "[$id,\"G-1\",\"Gadget\",7]" ]
	[ "$(raw_field price)" = 12.5 ]
}

@test "GET /products/{id} of a missing product is 404 Product not found" {
	api GET /products/1
	expect_error 404
	expect_detail "Product not found"
	local id
	id=$(make_product NF-1)
	api GET "/products/$((id + 1))"
	expect_error 404
	expect_detail "Product not found"
}

@test "non-numeric, negative and out-of-range ids are 404 or 422" {
	make_product ID-1
	local i
	for i in abc -1 0 1.5 1e3 ' 1' '1 ' 0x1 +1 -0 00 \
	    99999999999999999999999 18446744073709551615 \
	    18446744073709551616 9223372036854775808 -9223372036854775808 \
	    "$(printf '%03000d' 9)" '%00' '1%00' '%ff'; do
		echo "/products/${i// /%20}"
	done | batch GET "404 422" -
	expect_alive
}

@test "a large id that fits 64 bits is simply not found" {
	api GET /products/9223372036854775807
	expect_error 404 422
	api GET /products/123456789
	expect_error 404
	expect_detail "Product not found"
}

# ---- PUT /products/{id} --------------------------------------------------

@test "PUT changes only the fields sent" {
	local id
	id=$(make_product PU-1 9.99 10 Old)
	api PUT "/products/$id" '{"name":"New"}'
	expect_status 200
	expect_json
	[ "$(jq -c '[.id, .sku, .name, .stock]' <<<"$BODY")" = "[$id,\"PU-1\",\"New\",10]" ]
	[ "$(raw_field price)" = 9.99 ]
	api PUT "/products/$id" '{"price":99.99}'
	expect_status 200
	[ "$(raw_field price)" = 99.99 ]
	[ "$(jq -r .name <<<"$BODY")" = New ]
	api PUT "/products/$id" '{"stock":0}'
	expect_status 200
	[ "$(jq -r .stock <<<"$BODY")" = 0 ]
	api PUT "/products/$id" '{"price":20}'
	expect_status 200
	[ "$(raw_field price)" = 20.0 ]
	api PUT "/products/$id" '{"sku":"PU-2","name":"Newer","price":1.5,"stock":3}'
	expect_status 200
	local put=$BODY
	api GET "/products/$id"
	expect_status 200
	[ "$(jq -cS . <<<"$BODY")" = "$(jq -cS . <<<"$put")" ]
	[ "$(jq -c '[.sku, .name, .stock]' <<<"$BODY")" = '["PU-2","Newer",3]' ]
	[ "$(raw_field price)" = 1.5 ]
}

@test "PUT {} changes nothing and answers 200 with the product" {
	local id before
	id=$(make_product PE-1 4.5 8 Same)
	api GET "/products/$id"
	before=$BODY
	api PUT "/products/$id" '{}'
	expect_status 200
	expect_json
	[ "$(jq -cS . <<<"$BODY")" = "$(jq -cS . <<<"$before")" ]
	api GET "/products/$id"
	[ "$(jq -cS . <<<"$BODY")" = "$(jq -cS . <<<"$before")" ]
}

@test "PUT of a missing product is 404" {
	api PUT /products/1 '{"name":"x"}'
	expect_error 404
	expect_detail "Product not found"
	api PUT /products/1 '{}'
	expect_error 404
	expect_detail "Product not found"
	[ "$(count /products)" = 0 ]
}

@test "PUT to a SKU another product has is 409, and changes nothing" {
	local a b
	a=$(make_product PS-1 1 1 One)
	b=$(make_product PS-2 2 2 Two)
	api PUT "/products/$b" '{"sku":"PS-1","name":"Changed"}'
	expect_error 409
	expect_detail "Product with this SKU already exists"
	api GET "/products/$b"
	[ "$(jq -c '[.sku, .name]' <<<"$BODY")" = '["PS-2","Two"]' ]
	[ "$(count '/products?sku=PS-1')" = 1 ]
	[ "$(count '/products?sku=PS-2')" = 1 ]
}

@test "PUT with the product's own SKU is fine" {
	local a
	a=$(make_product OWN-1)
	api PUT "/products/$a" '{"sku":"OWN-1","stock":4}'
	expect_status 200
	[ "$(jq -r .stock <<<"$BODY")" = 4 ]
}

@test "PUT to a new SKU frees the old one" {
	local a b
	a=$(make_product MV-1)
	api PUT "/products/$a" '{"sku":"MV-2"}'
	expect_status 200
	[ "$(count '/products?sku=MV-1')" = 0 ]
	api GET '/products?sku=MV-2'
	[ "$(jq -r '.[0].id' <<<"$BODY")" = "$a" ]
	b=$(make_product MV-1)
	[ "$b" -gt "$a" ]
}

@test "PUT with invalid values is 422 naming the field and changes nothing" {
	local id before b
	id=$(make_product PV-1 5 5 Name)
	api GET "/products/$id"
	before=$BODY
	for b in '{"price":0}' '{"price":-1}' '{"price":1.234}' \
	    '{"price":"9.5"}' '{"price":null}' '{"price":true}'; do
		printf '/products/%s\t%s\n' "$id" "$b"
	done | batch PUT 422 price
	for b in '{"stock":-1}' '{"stock":1.5}' '{"stock":"3"}' \
	    '{"stock":null}' '{"stock":false}' '{"name":"ok","stock":-5}'; do
		printf '/products/%s\t%s\n' "$id" "$b"
	done | batch PUT 422 stock
	for b in '{"sku":""}' '{"sku":5}' '{"sku":null}'; do
		printf '/products/%s\t%s\n' "$id" "$b"
	done | batch PUT 422 sku
	for b in '{"name":""}' '{"name":[]}' '{"name":null}' '{"name":"   "}'; do
		printf '/products/%s\t%s\n' "$id" "$b"
	done | batch PUT 422 name
	printf '/products/%s\t%s\n' "$id" '{"colour":"red"}' |
	    batch PUT 422 colour
	# A valid field beside an invalid one is not applied either.
	printf '/products/%s\t%s\n' "$id" '{"sku":"PV-NEW","price":0}' |
	    batch PUT 422 -
	api GET "/products/$id"
	[ "$(jq -cS . <<<"$BODY")" = "$(jq -cS . <<<"$before")" ]
}

@test "PUT with bad bodies is refused and changes nothing" {
	local id before b
	id=$(make_product PB-1 5 5 Name)
	api GET "/products/$id"
	before=$BODY
	for b in '{"name":' 'nope' '[]' '"x"' '{"name":"a"} x' \
	    '{"stock":NaN}' '{"price":Infinity}' '{"name":"a\u0000b"}' \
	    $'{"name":"\xff"}' '{"stock":99999999999999999999}' \
	    "$(printf '%0.s[' $(seq 1 1000))"; do
		printf '/products/%s\t%s\n' "$id" "$b"
	done | batch PUT "400 422" -
	api_ct PUT "/products/$id" text/plain '{"name":"x"}'
	expect_error 415 400
	api_ct PUT "/products/$id" 'application/json; charset=utf-8' '{"name":"Ok"}'
	expect_status 200
	[ "$(jq -r .name <<<"$BODY")" = Ok ]
	api GET "/products/$id"
	[ "$(jq -c 'del(.name)' <<<"$BODY")" = "$(jq -c 'del(.name)' <<<"$before")" ]
}

@test "PUT on a bad id is 404 or 422" {
	local i
	for i in abc -1 0 99999999999999999999999 1.0 '%00'; do
		printf '/products/%s\t{"name":"x"}\n' "$i"
	done | batch PUT "404 422" -
}

# ---- DELETE /products/{id} -----------------------------------------------

@test "DELETE answers 204 with no body; the product is gone" {
	local id
	id=$(make_product D-1)
	api DELETE "/products/$id"
	expect_status 204
	[ -z "$BODY" ]
	api GET "/products/$id"
	expect_error 404
	expect_detail "Product not found"
	[ "$(count /products)" = 0 ]
	[ "$(count '/products?sku=D-1')" = 0 ]
	api DELETE "/products/$id"
	expect_error 404
	expect_detail "Product not found"
}

@test "DELETE of a missing product is 404; bad ids 404 or 422" {
	api DELETE /products/42
	expect_error 404
	expect_detail "Product not found"
	printf '/products/%s\n' abc -1 0 99999999999999999999999 |
	    batch DELETE "404 422" -
}

@test "a deleted product's SKU can be used again, with a new id" {
	local a b
	a=$(make_product RE-1 1 1 Old)
	api DELETE "/products/$a"
	expect_status 204
	b=$(make_product RE-1 2 2 New)
	[ "$b" -gt "$a" ]
	api GET "/products/$a"
	expect_status 404
	api GET '/products?sku=RE-1'
	[ "$(jq -c '[.[0].id, .[0].name]' <<<"$BODY")" = "[$b,\"New\"]" ]
}

@test "ids are never reused after deleting the newest product" {
	local a b
	make_product NR-0
	a=$(make_product NR-1)
	api DELETE "/products/$a"
	expect_status 204
	b=$(make_product NR-2)
	[ "$b" -gt "$a" ]
}

@test "DELETE of a product with PENDING orders is 400 and keeps it" {
	local p o
	p=$(make_product DP-1 1 10)
	o=$(make_order "$p" 2)
	api DELETE "/products/$p"
	expect_error 400
	api GET "/products/$p"
	expect_status 200
	[ "$(jq -r .stock <<<"$BODY")" = 8 ]
	[ "$(status_of "$o")" = PENDING ]
	# Once the order is canceled, the product may go.
	api PUT "/orders/$o" '{"status":"CANCELED"}'
	expect_status 200
	api DELETE "/products/$p"
	expect_status 204
}

@test "a product whose orders are all SHIPPED or CANCELED can be deleted and its SKU reused" {
	local p o1 o2 o3 q
	p=$(make_product DS-1 1 10)
	o1=$(make_order "$p" 1)
	o2=$(make_order "$p" 2)
	o3=$(make_order "$p" 3)
	api PUT "/orders/$o1" '{"status":"PAID"}'
	expect_status 200
	api PUT "/orders/$o1" '{"status":"SHIPPED"}'
	expect_status 200
	api PUT "/orders/$o2" '{"status":"CANCELED"}'
	expect_status 200
	api DELETE "/orders/$o3"
	expect_status 204
	api DELETE "/products/$p"
	expect_status 204
	api GET "/products/$p"
	expect_status 404
	q=$(make_product DS-1 3 30)
	[ "$q" -gt "$p" ]
	[ "$(stock_of "$q")" = 30 ]
	# The new product starts with no orders of its own.
	[ "$(count "/orders?product_id=$q")" = 0 ]
	make_order "$q" 5
	[ "$(stock_of "$q")" = 25 ]
}

# ---- methods -------------------------------------------------------------

@test "wrong methods on /products answer 405 with Allow" {
	local m
	for m in PUT DELETE PATCH; do
		api "$m" /products '{}'
		expect_error 405
		header Allow | grep -q GET
		header Allow | grep -q POST
	done
	[ "$(count /products)" = 0 ]
}

@test "wrong methods on /products/{id} answer 405 with Allow" {
	local id m
	id=$(make_product M-1)
	for m in POST PATCH; do
		api "$m" "/products/$id" '{"name":"Patched"}'
		expect_error 405
		header Allow | grep -q GET
		header Allow | grep -q PUT
		header Allow | grep -q DELETE
	done
	[ "$(field "/products/$id" .name)" = Widget ]
}
