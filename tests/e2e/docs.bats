#!/usr/bin/env bats
# GET /docs in a real browser: headless Chromium loads the page with no
# network but invd, and must render every operation of /openapi.json with
# no failed request. A screenshot is kept in build/docs.png. Chromium sees
# only TCP, so this file runs over TCP alone.

setup_file() {
	[ "${INV_TRANSPORT:-tcp}" = tcp ] || return 0
	# Large, and needed here alone: installed on first use.
	command -v chromium >/dev/null ||
	    "$BATS_TEST_DIRNAME/../deps.sh" chromium >&3
}

setup() {
	load helpers
	load api_helpers
	[ "$INV_TRANSPORT" = tcp ] || skip "Chromium reaches invd over TCP"
	invd_start
}

teardown() {
	invd_stop
}

# chrome ARGS...: headless Chromium with a fresh profile, every host name
# but 127.0.0.1 unresolvable, and a NetLog of every request it made.
chrome() {
	local profile="$BATS_TEST_TMPDIR/profile"
	rm -rf "$profile"
	timeout 60 chromium --headless --no-sandbox --disable-gpu \
	    --disable-background-networking --user-data-dir="$profile" \
	    --no-first-run --disable-extensions --disable-sync \
	    --host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1' \
	    --log-net-log="$BATS_TEST_TMPDIR/netlog.json" \
	    --virtual-time-budget=10000 \
	    "$@" 2>>"$BATS_TEST_TMPDIR/chromium.log"
}

@test "GET /docs is a self-contained HTML page" {
	api GET /docs
	expect_status 200
	hdr Content-Type
	[[ "$HDR" == text/html* ]]
	[[ "$BODY" == "<!DOCTYPE html>"* ]]
	# Nothing from another origin: no CDN, no absolute URL to load.
	! grep -Eiq '(src|href)="(https?:)?//' <<<"$BODY"
	! grep -Eiq '@import|url\(' <<<"$BODY"
}

@test "Chromium renders every operation with no failed request" {
	local dom="$BATS_TEST_TMPDIR/dom.html" spec="$BATS_TEST_TMPDIR/spec"
	local shot="$BATS_TEST_DIRNAME/../../build/docs.png" id path n
	api GET /openapi.json
	printf '%s\n' "$BODY" >"$spec"
	local from
	from=$(wc -l <"$INVD_LOG")
	chrome --dump-dom "$BASE_URL/docs" >"$dom"
	grep -q 'data-state="ready"' "$dom" || {
		grep -o 'id="state"[^<]*<' "$dom" >&2
		cat "$BATS_TEST_TMPDIR/chromium.log" >&2
		false
	}
	n=$(jq '[.paths[] | keys[] | select(. != "parameters")] | length' \
	    "$spec")
	grep -q "data-operations=\"$n\"" "$dom"
	while IFS= read -r id; do
		grep -q "data-operation-id=\"$id\"" "$dom" ||
		    { echo "operation $id not rendered" >&2; false; }
	done < <(jq -r '.paths[][] | objects | .operationId // empty' "$spec")
	while IFS= read -r path; do
		grep -qF "$path</h2>" "$dom" ||
		    { echo "path $path not rendered" >&2; false; }
	done < <(jq -r '.paths | keys[]' "$spec")
	# Every request the page made went to invd and did not fail...
	/usr/bin/python3 "$BATS_TEST_DIRNAME/netlog.py" \
	    "$BATS_TEST_TMPDIR/netlog.json" "$BASE_URL"
	# ...and invd answered each 200: the page and the document.
	tail -n +"$((from + 1))" "$INVD_LOG" | grep -E ' (GET|POST|PUT|HEAD) ' \
	    >"$BATS_TEST_TMPDIR/requests"
	cat "$BATS_TEST_TMPDIR/requests"
	grep -q 'GET /docs 200 ' "$BATS_TEST_TMPDIR/requests"
	grep -q 'GET /openapi.json 200 ' "$BATS_TEST_TMPDIR/requests"
	! grep -v ' 200 ' "$BATS_TEST_TMPDIR/requests"
	# The artifact: what a newcomer sees.
	mkdir -p "$(dirname "$shot")"
	rm -f "$shot"
	chrome --hide-scrollbars --window-size=1280,1600 \
	    --screenshot="$shot" "$BASE_URL/docs" >/dev/null
	[ -s "$shot" ]
}
