# More helpers for the end-to-end tests, on top of helpers.bash: requests
# with a chosen Content-Type or a body from a file, raw bytes over a socket,
# checks that a reply is JSON (never HTML), and starting invd by hand.

# Set T_ARGS (curl arguments) and T_BASE (URL prefix) for the transport.
transport_args() {
	if [ "$INV_TRANSPORT" = unix ]; then
		T_ARGS=(--unix-socket "$SOCK")
		T_BASE=http://localhost
	else
		T_ARGS=()
		T_BASE=$BASE_URL
	fi
}

# api and header: the same interface as in helpers.bash (STATUS, BODY,
# HEADERS; a header's value), with fewer processes per call, since the
# suite makes thousands of requests and must stay fast.
api() {
	local method=$1 path=$2
	local args=(-X "$method")
	if [ $# -ge 3 ]; then
		args+=(-H 'Content-Type: application/json' --data-binary "$3")
	fi
	api_send "$path" "${args[@]}"
}

header() {
	hdr "$1" && printf '%s\n' "$HDR"
}

# hdr NAME: set HDR to the value of a response header of the last request
# (no subshell); fails when there is none.
hdr() {
	local line want=${1,,}
	HDR=
	[ -f "$HEADERS" ] || return 1
	while IFS= read -r line; do
		line=${line%$'\r'}
		if [[ "${line,,}" == "$want:"* ]]; then
			line=${line#*:}
			HDR=${line#"${line%%[! ]*}"}
			return 0
		fi
	done <"$HEADERS"
	return 1
}

# api_send PATH [curl args...]: one request; sets STATUS, BODY, HEADERS.
api_send() {
	local path=$1
	shift
	HEADERS="$BATS_TEST_TMPDIR/headers.$$"
	local out="$BATS_TEST_TMPDIR/body.$$" st="$BATS_TEST_TMPDIR/status.$$"
	: >"$out"
	: >"$HEADERS"
	inv_curl -D "$HEADERS" -o "$out" -w '%{http_code}' "$@" "$path" \
	    >"$st" || true
	STATUS=
	BODY=
	IFS= read -r STATUS <"$st" || true
	IFS= read -r -d '' BODY <"$out" || true
	# Drop one final newline as $(cat) would; ${BODY%...} is quadratic
	# on large bodies.
	if [ "${BODY: -1}" = $'\n' ]; then
		BODY=${BODY:0:${#BODY}-1}
	fi
	if [ -n "${INV_CONTRACT_LOG:-}" ]; then
		curl_method "$@"
		contract_record "$CURL_METHOD" "$path"
	fi
}

# curl_method [curl args...]: set CURL_METHOD to the method those
# arguments send (no subshell).
curl_method() {
	local a prev=
	CURL_METHOD=GET
	for a; do
		case $prev/$a in
		-X/* | --request/*) CURL_METHOD=$a ;;
		*/-I | */--head) CURL_METHOD=HEAD ;;
		*/--data* | */-d)
			[ "$CURL_METHOD" != GET ] || CURL_METHOD=POST ;;
		esac
		prev=$a
	done
}

# api_ct METHOD PATH CONTENT-TYPE BODY: a request with this Content-Type
# ("" sends no Content-Type at all).
api_ct() {
	api_send "$2" -X "$1" -H "Content-Type: $3" --data-binary "$4"
}

# api_file METHOD PATH FILE [CONTENT-TYPE [curl args...]]: the body is FILE.
api_file() {
	local method=$1 path=$2 file=$3 ct=${4-application/json}
	shift 3
	[ $# -gt 0 ] && shift
	api_send "$path" -X "$method" -H "Content-Type: $ct" \
	    --data-binary "@$file" "$@"
}

# no_html TEXT: fail when TEXT holds an HTML page.
no_html() {
	local t=${1,,}
	if [[ "$t" == *"<html"* || "$t" == *"<body"* || "$t" == *"<title"* ||
	    "$t" == *"<!doctype"* ]]; then
		echo "HTML reached the client: $1" >&2
		return 1
	fi
}

# json_content_type: the last reply says Content-Type application/json.
json_content_type() {
	hdr Content-Type || true
	case "$HDR" in
	application/json | "application/json;"*) ;;
	*)
		echo "Content-Type '$HDR' is not application/json" \
		    "(status $STATUS): $BODY" >&2
		return 1 ;;
	esac
}

# expect_json: the last reply says Content-Type application/json and its
# body is one JSON document, not HTML.
expect_json() {
	no_html "$BODY" || return 1
	json_content_type || return 1
	if ! jq -e . >/dev/null 2>&1 <<<"$BODY"; then
		echo "body is not JSON (status $STATUS): $BODY" >&2
		return 1
	fi
}

# expect_error CODE...: the status is one of CODE... and the body is JSON
# with a non-empty string "detail" (left in DETAIL).
expect_error() {
	local c ok=
	for c in "$@"; do
		[ "$STATUS" = "$c" ] && ok=1
	done
	if [ -z "$ok" ]; then
		echo "expected HTTP $*, got $STATUS: $BODY" >&2
		return 1
	fi
	no_html "$BODY" || return 1
	json_content_type || return 1
	if ! DETAIL=$(jq -r 'if type == "object" and (.detail | type) ==
	    "string" and (.detail | length) > 0 then .detail
	    else error("no detail") end' 2>/dev/null <<<"$BODY"); then
		echo "not a JSON error with a detail: $BODY" >&2
		return 1
	fi
}

# expect_field_error FIELD [CODE...]: an error (422 unless CODEs given)
# whose detail names FIELD when it is a 422.
expect_field_error() {
	local field=$1
	shift
	[ $# -gt 0 ] || set -- 422
	expect_error "$@" || return 1
	if [ "$STATUS" = 422 ] && [[ "${DETAIL,,}" != *"${field,,}"* ]]; then
		echo "detail does not name '$field': $BODY" >&2
		return 1
	fi
}

# expect_4xx: any client error, JSON with a detail.
expect_4xx() {
	case "$STATUS" in
	4??) ;;
	*)
		echo "expected a 4xx, got $STATUS: $BODY" >&2
		return 1 ;;
	esac
	expect_error "$STATUS"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" != "$3" ]; then
		echo "$1: expected '$3', got '$2'" >&2
		return 1
	fi
}

# The daemon still answers.
expect_alive() {
	api GET /health
	expect_status 200 || return 1
	expect_eq health "$(jq -r .status <<<"$BODY")" ok
}

# jfield KEY: print a top-level number or plain string member of the flat
# JSON object in BODY, without starting jq (the suite reads ids, stock and
# status thousands of times). Fails when it is not there.
jfield() {
	local re='"'"$1"'" *: *("([^"\\]*)"|(-?[0-9][0-9.eE+-]*))'
	[[ "$BODY" =~ $re ]] || return 1
	printf '%s\n' "${BASH_REMATCH[2]}${BASH_REMATCH[3]}"
}

# make_product and make_order: as in helpers.bash, reading the id with
# jfield.
make_product() {
	local sku=$1 price=${2:-9.99} stock=${3:-10} name=${4:-Widget}
	api POST /products "{\"sku\":\"$sku\",\"name\":\"$name\",\"price\":$price,\"stock\":$stock}"
	[ "$STATUS" = 201 ] || { echo "make_product: $STATUS $BODY" >&2; return 1; }
	jfield id
}

make_order() {
	api POST /orders "{\"product_id\":$1,\"quantity\":${2:-1}}"
	[ "$STATUS" = 201 ] || { echo "make_order: $STATUS $BODY" >&2; return 1; }
	jfield id
}

# field ID-PATH JQ-EXPR: GET the resource and print one field of it.
field() {
	api GET "$1"
	[ "$STATUS" = 200 ] || { echo "GET $1: $STATUS $BODY" >&2; return 1; }
	jq -r "$2" <<<"$BODY"
}

# stock_of PRODUCT-ID
stock_of() {
	api GET "/products/$1"
	[ "$STATUS" = 200 ] || { echo "GET /products/$1: $STATUS $BODY" >&2; return 1; }
	jfield stock
}

# status_of ORDER-ID
status_of() {
	api GET "/orders/$1"
	[ "$STATUS" = 200 ] || { echo "GET /orders/$1: $STATUS $BODY" >&2; return 1; }
	jfield status
}

# count PATH: the length of the array a GET answers.
count() {
	api GET "$1"
	[ "$STATUS" = 200 ] || { echo "GET $1: $STATUS $BODY" >&2; return 1; }
	jq length <<<"$BODY"
}

# next_link: the path (with query) of the rel="next" Link of the last
# reply, or nothing. An absolute URL is cut down to its path.
next_link() {
	hdr Link || return 0
	local l=$HDR
	[[ "$l" == *'rel="next"'* || "$l" == *'rel=next'* ]] || return 0
	l=${l#*<}
	l=${l%%>*}
	if [[ "$l" =~ ^[a-zA-Z]+://[^/]*(/.*)$ ]]; then
		l=${BASH_REMATCH[1]}
	fi
	printf '%s\n' "$l"
}

# raw_send FILE: write FILE's bytes to the daemon over the transport and set
# RAW to all it answered before closing (or going quiet). The connection is
# half-closed right after the bytes, or RAW_HOLD seconds later.
raw_send() {
	local addr
	if [ "$INV_TRANSPORT" = unix ]; then
		addr="UNIX-CONNECT:$SOCK"
	else
		addr="TCP:127.0.0.1:$PORT"
	fi
	if [ -n "${RAW_HOLD:-}" ]; then
		RAW=$({ cat "$1"; sleep "$RAW_HOLD"; } |
		    socat -t 2 -T 5 - "$addr" 2>/dev/null | tr -d '\0')
	else
		RAW=$(socat -t 2 -T 5 - "$addr" <"$1" 2>/dev/null | tr -d '\0')
	fi
}

# raw_printf FORMAT [ARGS...]: raw_send of what printf makes.
raw_printf() {
	local f="$BATS_TEST_TMPDIR/raw.$$"
	# shellcheck disable=SC2059
	printf "$@" >"$f"
	raw_send "$f"
}

# raw_reply_ok: whatever came back from raw_send holds no HTML; a reply, if
# any, is HTTP with JSON bodies.
raw_reply_ok() {
	no_html "$RAW" || return 1
	if [ -n "$RAW" ]; then
		if ! head -1 <<<"$RAW" | grep -qE '^HTTP/[0-9.]+ [0-9]{3} '; then
			echo "reply is not HTTP: $RAW" >&2
			return 1
		fi
		local ct body
		ct=$(sed -n '1,/^\r\?$/p' <<<"$RAW" |
		    grep -i '^content-type:' | head -1)
		body=$(sed '1,/^\r\?$/d' <<<"$RAW")
		if [ -n "$body" ] && ! grep -qi 'application/json' <<<"$ct"; then
			echo "reply body is not JSON: $RAW" >&2
			return 1
		fi
	fi
}

# expect_raw_ok: raw_reply_ok, then the daemon still answers /health.
expect_raw_ok() {
	raw_reply_ok || return 1
	expect_alive
}

# raw_status: the status code of the first reply raw_send got.
raw_status() {
	head -1 <<<"$RAW" | awk '{print $2}'
}

# invd_run_bg [invd args...]: start invd as given (no defaults added), log to
# INVD_LOG; sets INVD_PID. Wait for readiness with wait_tcp / wait_unix.
invd_run_bg() {
	INVD_LOG="$BATS_TEST_TMPDIR/invd.log"
	"$INVD" "$@" >>"$INVD_LOG" 2>&1 &
	INVD_PID=$!
	export INVD_PID
}

# wait_tcp PORT / wait_unix SOCK: poll /health until it answers (5 s).
wait_tcp() {
	local i
	for i in $(seq 1 100); do
		curl -sf -o /dev/null --max-time 1 \
		    "http://127.0.0.1:$1/health" && return 0
		kill -0 "$INVD_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "invd not answering on port $1; log:" >&2
	cat "$INVD_LOG" >&2
	return 1
}

wait_unix() {
	local i
	for i in $(seq 1 100); do
		curl -sf -o /dev/null --max-time 1 --unix-socket "$1" \
		    http://localhost/health && return 0
		kill -0 "$INVD_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "invd not answering on $1; log:" >&2
	cat "$INVD_LOG" >&2
	return 1
}

# wait_exit PID SECONDS: wait for a process of ours to end; sets EXIT_RC.
# Fails (and kills it) if it is still running after SECONDS.
wait_exit() {
	local pid=$1 i
	for i in $(seq 1 $(( $2 * 20 ))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		echo "process $pid still running after $2 s" >&2
		return 1
	fi
	EXIT_RC=0
	wait "$pid" || EXIT_RC=$?
}

# raw_field NAME: the source text of a member of the JSON object in BODY
# (to see how a number is printed, e.g. 10.0 and not 10).
raw_field() {
	sed -nE 's/.*"'"$1"'" *: *([^,}]*).*/\1/p' <<<"$BODY" | head -1
}

# bulk_post PATH FILE: POST each line of FILE (one JSON document a line) as
# its own request, all from one curl over a kept-alive connection; prints
# the status codes, one a line.
bulk_post() {
	transport_args
	local cfg="$BATS_TEST_TMPDIR/bulk.$$" sock=
	if [ "$INV_TRANSPORT" = unix ]; then
		sock=$SOCK
	fi
	awk -v url="$T_BASE$1" -v sock="$sock" '{
		gsub(/\\/, "&&")
		gsub(/"/, "\\\"")
		if (NR > 1)
			print "next"
		if (sock != "")
			printf "unix-socket = \"%s\"\n", sock
		printf "url = \"%s\"\nrequest = \"POST\"\n", url
		print "header = \"Content-Type: application/json\""
		printf "data-binary = \"%s\"\n", $0
		print "output = \"/dev/null\""
		print "write-out = \"%{http_code}\\n\""
	}' "$2" >"$cfg"
	curl -s --max-time 120 -K "$cfg"
}

# bulk_products N PREFIX [STOCK]: N products PREFIX-1..PREFIX-N, made in one
# curl; fails unless all answered 201.
bulk_products() {
	local n=$1 f="$BATS_TEST_TMPDIR/bulkp.$$" codes
	seq 1 "$n" | awk -v p="$2" -v s="${3:-10}" '{
		printf "{\"sku\":\"%s-%d\",\"name\":\"Item %d\",", p, $1, $1
		printf "\"price\":1.5,\"stock\":%d}\n", s
	}' >"$f"
	codes=$(bulk_post /products "$f")
	if [ "$(grep -c '^201$' <<<"$codes")" -ne "$n" ]; then
		echo "bulk_products: $(sort <<<"$codes" | uniq -c)" >&2
		return 1
	fi
}

# bulk_orders N PRODUCT-ID [QUANTITY]: N orders in one curl; prints the
# status codes.
bulk_orders() {
	local f="$BATS_TEST_TMPDIR/bulko.$$"
	seq 1 "$1" | awk -v p="$2" -v q="${3:-1}" \
	    '{ printf "{\"product_id\":%s,\"quantity\":%s}\n", p, q }' >"$f"
	bulk_post /orders "$f"
}

# walk_pages PATH: GET PATH and every rel="next" page after it. Writes the
# ids of all items, one a line, to $WALK_IDS and every next link followed to
# $WALK_LINKS; sets PAGES to the number of pages.
walk_pages() {
	local path=$1
	WALK_IDS="$BATS_TEST_TMPDIR/walk.ids"
	WALK_LINKS="$BATS_TEST_TMPDIR/walk.links"
	: >"$WALK_IDS"
	: >"$WALK_LINKS"
	PAGES=0
	while [ -n "$path" ]; do
		api GET "$path"
		if [ "$STATUS" != 200 ]; then
			echo "GET $path: $STATUS $BODY" >&2
			return 1
		fi
		PAGES=$((PAGES + 1))
		jq -r '.[].id' <<<"$BODY" >>"$WALK_IDS"
		path=$(next_link)
		[ -z "$path" ] || echo "$path" >>"$WALK_LINKS"
		if [ "$PAGES" -gt 5000 ]; then
			echo "walk_pages: Link loop at $path" >&2
			return 1
		fi
	done
}

# batch METHOD CODES FIELD: one request per line of stdin, all sent by one
# curl (a line is PATH, or PATH, a tab and a JSON body). Each reply must have
# a status among CODES (e.g. "400 422"), be JSON (never HTML) with a
# non-empty detail and, when it is a 422 and FIELD is not "-", name FIELD.
batch() {
	local method=$1 codes=" $2 " want=$3
	transport_args
	local dir="$BATS_TEST_TMPDIR/batch.$$" line path body i=0 n
	rm -rf "$dir"
	mkdir -p "$dir"
	local cfg="$dir/cfg"
	local -a lines=()
	: >"$cfg"
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		lines+=("$line")
		path=${line%%$'\t'*}
		{
			[ "$i" -eq 0 ] || echo next
			if [ "$INV_TRANSPORT" = unix ]; then
				printf 'unix-socket = "%s"\n' "$SOCK"
			fi
			printf 'url = "%s%s"\nrequest = "%s"\n' \
			    "$T_BASE" "${path//\"/%22}" "$method"
			if [[ "$line" == *$'\t'* ]]; then
				body=${line#*$'\t'}
				body=${body//\\/\\\\}
				body=${body//\"/\\\"}
				printf 'header = "Content-Type: application/json"\n'
				printf 'data-binary = "%s"\n' "$body"
			fi
			printf 'output = "%s/%d"\n' "$dir" "$i"
			printf 'write-out = "%%{http_code} %%{content_type}\\n"\n'
		} >>"$cfg"
		i=$((i + 1))
	done
	n=$i
	curl -s --max-time 120 -K "$cfg" >"$dir/st" || true
	local -a st=() files=()
	mapfile -t st <"$dir/st"
	local code ct fail=0
	for ((i = 0; i < n; i++)); do
		files+=("$dir/$i")
		code=${st[i]%% *}
		ct=${st[i]#* }
		BODY=$(<"$dir/$i")
		if [ -n "${INV_CONTRACT_LOG:-}" ]; then
			printf '\036%s %s %s\nContent-Type: %s\n\037%s\n' \
			    "$method" "${lines[i]%%$'\t'*}" "$code" "$ct" \
			    "$BODY" >>"$INV_CONTRACT_LOG"
		fi
		if [[ "$codes" != *" $code "* ]]; then
			echo "$method ${lines[i]}: expected HTTP$codes got" \
			    "$code: $BODY" >&2
			fail=1
		elif [[ "$ct" != application/json && \
		    "$ct" != "application/json;"* ]]; then
			echo "$method ${lines[i]}: Content-Type '$ct'" >&2
			fail=1
		elif ! no_html "$BODY"; then
			fail=1
		fi
	done
	[ "$fail" = 0 ] || return 1
	local -a details=()
	if ! mapfile -t details < <(jq -c '.detail' "${files[@]}" 2>&1); then
		fail=1
	fi
	for ((i = 0; i < n; i++)); do
		BODY=$(<"$dir/$i")
		if [[ "${details[i]-}" != '"'?* ]]; then
			echo "$method ${lines[i]}: no detail in: $BODY" >&2
			return 1
		fi
		code=${st[i]%% *}
		if [ "$want" != - ] && [ "$code" = 422 ] &&
		    [[ "${details[i],,}" != *"${want,,}"* ]]; then
			echo "$method ${lines[i]}: detail does not name" \
			    "'$want': $BODY" >&2
			return 1
		fi
	done
	[ "$i" -gt 0 ] || { echo "batch: no requests" >&2; return 1; }
}
