#!/usr/bin/env bats
# Running under a service manager: sd_notify readiness, socket activation,
# the configuration file and its precedence, --check-config, SIGHUP
# reloads, the unit files and make install. These do not depend on the
# transport, so they run in the unix pass only (the sanitizer pass too).

setup() {
	load helpers
	[ "$INV_TRANSPORT" = unix ] || skip "transport-independent; runs in the unix pass"
	T=$BATS_TEST_TMPDIR
}

teardown() {
	invd_stop
	[ -z "${SOCAT_PID:-}" ] || kill "$SOCAT_PID" 2>/dev/null || true
}

# A fake service manager's notify socket; datagrams land in $T/notify.
notify_listen() {
	NOTIFY_SOCKET=$T/notify.sock
	: >"$T/notify"
	socat -u "UNIX-RECVFROM:$NOTIFY_SOCKET,fork" - >>"$T/notify" &
	SOCAT_PID=$!
	for _ in $(seq 1 100); do
		[ -S "$NOTIFY_SOCKET" ] && break
		sleep 0.02
	done
	export NOTIFY_SOCKET
}

wait_for() {
	local i
	for i in $(seq 1 200); do
		grep -q "$1" "$2" && return 0
		sleep 0.05
	done
	echo "no '$1' in $2:" >&2
	cat "$2" >&2
	return 1
}

sign() {
	printf 'sha256=%s' "$(printf '%s' "$1" |
	    openssl dgst -sha256 -hmac "$2" | awk '{print $NF}')"
}

# post_hook BODY SECRET: the HTTP status of a signed delivery.
post_hook() {
	curl -s -o /dev/null -w '%{http_code}' "$BASE_URL/webhooks/payment" \
	    -H 'Content-Type: application/json' \
	    -H "X-Webhook-Signature: $(sign "$1" "$2")" --data-binary "$1"
}

@test "READY=1 once serving; RELOADING=1 and STOPPING=1 follow" {
	notify_listen
	invd_start
	wait_for 'READY=1' "$T/notify"
	grep -q "MAINPID=$INVD_PID" "$T/notify"
	kill -HUP "$INVD_PID"
	wait_for 'RELOADING=1' "$T/notify"
	wait_for 'configuration reloaded' "$INVD_LOG"
	for _ in $(seq 1 100); do
		[ "$(grep -o 'READY=1' "$T/notify" | wc -l)" -ge 2 ] && break
		sleep 0.05
	done
	[ "$(grep -o 'READY=1' "$T/notify" | wc -l)" -ge 2 ]
	invd_stop
	wait_for 'STOPPING=1' "$T/notify"
}

@test "readiness is sent after both listeners are bound" {
	notify_listen
	port=$(free_port)
	"$INVD" --data "$T/d" --listen "127.0.0.1:$port" --socket "$T/s.sock" \
	    2>"$T/log" &
	INVD_PID=$!
	INVD_LOG=$T/log
	wait_for 'READY=1' "$T/notify"
	# The moment READY=1 is there, both transports must answer.
	curl -sf "http://127.0.0.1:$port/health"
	curl -sf --unix-socket "$T/s.sock" http://localhost/health
}

@test "socket activation: inherited TCP and Unix sockets are served" {
	port=$(free_port)
	systemd-socket-activate -l "127.0.0.1:$port" -l "$T/act.sock" \
	    "$INVD" --data "$T/d" 2>"$T/log" &
	INVD_PID=$!
	INVD_LOG=$T/log
	for _ in $(seq 1 100); do
		[ -S "$T/act.sock" ] && break
		sleep 0.02
	done
	# The first connection starts invd (systemd-socket-activate execs it).
	run curl -s --max-time 5 "http://127.0.0.1:$port/health"
	[ "$output" = '{"status":"ok"}' ]
	run curl -s --max-time 5 --unix-socket "$T/act.sock" \
	    http://localhost/products
	[ "$output" = '[]' ]
	grep -q 'listening on inherited socket' "$T/log"
	# It bound nothing of its own.
	! grep -q 'listening on 127.0.0.1:8080' "$T/log"
	invd_stop
	# The manager's socket file is the manager's to remove.
	[ -S "$T/act.sock" ]
}

@test "LISTEN_FDS meant for another process is ignored" {
	LISTEN_PID=1 LISTEN_FDS=2 invd_start
	grep -q "listening on 127.0.0.1:$PORT" "$INVD_LOG"
}

@test "configuration file: format, precedence file < environment < command line" {
	cat >"$T/invd.conf" <<-CONF
	# comment
	data = $T/from-file
	listen = 127.0.0.1:7001
	listen = 127.0.0.1:7002

	socket = "$T/file.sock"
	log-level = warn
	map-size = 64M
	webhook-tolerance = 2m
	CONF
	run "$INVD" -c "$T/invd.conf" --check-config
	[ "$status" -eq 0 ]
	grep -qx "data = $T/from-file" <<<"$output"
	[ "$(grep -c '^listen = ' <<<"$output")" = 2 ]
	grep -qx "socket = $T/file.sock" <<<"$output"
	grep -qx 'log-level = warn' <<<"$output"
	grep -qx 'map-size = 64M' <<<"$output"
	grep -qx 'webhook-tolerance = 120s' <<<"$output"
	grep -qx '# configuration OK' <<<"$output"
	INVD_LOG_LEVEL=debug INVD_LISTEN=127.0.0.1:7003 \
	    run "$INVD" -c "$T/invd.conf" --check-config
	grep -qx 'log-level = debug' <<<"$output"
	grep -qx 'listen = 127.0.0.1:7003' <<<"$output"
	[ "$(grep -c '^listen = ' <<<"$output")" = 1 ]
	INVD_LOG_LEVEL=debug run "$INVD" -c "$T/invd.conf" -L error \
	    --listen off --check-config
	grep -qx 'log-level = error' <<<"$output"
	grep -qx 'listen = off' <<<"$output"
	INVD_CONFIG="$T/invd.conf" run "$INVD" --check-config
	grep -qx "data = $T/from-file" <<<"$output"
}

@test "configuration errors name the file, line and key, and exit 2" {
	printf 'data = /x\nbogus = 1\n' >"$T/a.conf"
	run "$INVD" -c "$T/a.conf" --check-config
	[ "$status" -eq 2 ]
	[[ "$output" == *"$T/a.conf:2: unknown setting 'bogus'"* ]]
	printf 'map-size = lots\n' >"$T/b.conf"
	run "$INVD" -c "$T/b.conf" --check-config
	[ "$status" -eq 2 ]
	[[ "$output" == *"b.conf:1: map-size: invalid size 'lots'"* ]]
	printf 'listen\n' >"$T/c.conf"
	run "$INVD" -c "$T/c.conf" --check-config
	[ "$status" -eq 2 ]
	printf 'webhook-secret = hunter2\n' >"$T/d.conf"
	run "$INVD" -c "$T/d.conf" --check-config
	[ "$status" -eq 2 ]
	[[ "$output" != *hunter2* ]]
	run "$INVD" -c "$T/missing.conf" --check-config
	[ "$status" -eq 2 ]
	run "$INVD" --webhook-secret-file "$T/missing" --check-config
	[ "$status" -eq 2 ]
}

@test "--check-config masks secrets" {
	printf 'file-secret-1\n' >"$T/secret"
	INVD_WEBHOOK_SECRET=env-secret-2 run "$INVD" \
	    --webhook-secret-file "$T/secret" --check-config
	[ "$status" -eq 0 ]
	[[ "$output" != *file-secret-1* && "$output" != *env-secret-2* ]]
	grep -q '^webhook-secret = \*\*\*\*' <<<"$output"
}

@test "systemd directories give the defaults" {
	mkdir -p "$T/state" "$T/run" "$T/creds" "$T/conf"
	printf 'cred-secret\n' >"$T/creds/webhook-secret"
	printf 'log-level = debug\n' >"$T/conf/invd.conf"
	unset INVD_CONFIG
	STATE_DIRECTORY=$T/state RUNTIME_DIRECTORY=$T/run \
	    CREDENTIALS_DIRECTORY=$T/creds CONFIGURATION_DIRECTORY=$T/conf \
	    run "$INVD" --check-config
	[ "$status" -eq 0 ]
	grep -qx "data = $T/state" <<<"$output"
	grep -qx "socket = $T/run/invd.sock" <<<"$output"
	grep -qx "webhook-secret-file = $T/creds/webhook-secret" <<<"$output"
	grep -qx 'log-level = debug' <<<"$output"
}

@test "SIGHUP rotates webhook secrets; a broken reload keeps the old ones" {
	printf 'old-secret\n' >"$T/secrets"
	invd_start --webhook-secret-file "$T/secrets"
	pid=$(make_product HUP-1 5 10)
	o1=$(make_order "$pid" 1)
	o2=$(make_order "$pid" 1)
	b1=$(printf '{"event_id":"h1","type":"payment.succeeded","order_id":%s}' "$o1")
	[ "$(post_hook "$b1" new-secret)" = 403 ]
	printf 'old-secret\nnew-secret\n' >"$T/secrets"
	kill -HUP "$INVD_PID"
	wait_for 'configuration reloaded' "$INVD_LOG"
	[ "$(post_hook "$b1" new-secret)" = 200 ]
	printf 'whsec_%%%%%%\n' >"$T/secrets"
	kill -HUP "$INVD_PID"
	wait_for 'reloading FAILED' "$INVD_LOG"
	b2=$(printf '{"event_id":"h2","type":"payment.succeeded","order_id":%s}' "$o2")
	[ "$(post_hook "$b2" old-secret)" = 200 ]
	curl -sf "$BASE_URL/health"
}

@test "a keep-alive connection survives a reload" {
	invd_start
	# Two requests on one connection with a SIGHUP between them.
	exec 7<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n' >&7
	read -r -t 5 line <&7
	[[ "$line" == *"200 OK"* ]]
	kill -HUP "$INVD_PID"
	wait_for 'configuration reloaded' "$INVD_LOG"
	printf 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&7
	reply=$(timeout 5 cat <&7)
	exec 7<&-
	[[ "$reply" == *"HTTP/1.1 200 OK"* ]]
}

@test "SIGHUP applies the log level and reports what needs a restart" {
	port=$(free_port)
	printf 'log-level = info\nlisten = 127.0.0.1:%s\nsocket = off\n' \
	    "$port" >"$T/invd.conf"
	"$INVD" -c "$T/invd.conf" --data "$T/d" 2>"$T/log" &
	INVD_PID=$!
	INVD_LOG=$T/log
	BASE_URL=http://127.0.0.1:$port
	wait_for 'ready' "$INVD_LOG"
	printf 'log-level = warn\nlisten = 127.0.0.1:%s\nsocket = off\n' \
	    "$port" >"$T/invd.conf"
	printf 'map-size = 2G\n' >>"$T/invd.conf"
	kill -HUP "$INVD_PID"
	wait_for 'map-size changed; restart invd to apply it' "$INVD_LOG"
	n=$(grep -c 'GET /health' "$INVD_LOG" || true)
	curl -sf "$BASE_URL/health" >/dev/null
	[ "$(grep -c 'GET /health' "$INVD_LOG" || true)" = "$n" ]
}

@test "the unit files pass systemd-analyze verify; exposure is low" {
	root=$BATS_TEST_DIRNAME/../..
	sed "s|/usr/local/sbin/invd|$INVD|g" "$root/invd.service" \
	    >"$T/invd.service"
	cp "$root/invd.socket" "$T/invd.socket"
	run systemd-analyze verify --man=no "$T/invd.service" "$T/invd.socket"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ -z "$output" ] || { echo "$output"; false; }
	run systemd-analyze security --offline=true "$T/invd.service"
	score=$(grep -o 'exposure level for invd.service: [0-9.]*' <<<"$output" |
	    awk '{print $NF}')
	echo "exposure $score"
	awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.0) }'
}

@test "make install DESTDIR installs the expected tree, uninstall keeps /etc" {
	root=$BATS_TEST_DIRNAME/../..
	make -s -C "$root" install DESTDIR="$T/inst" PREFIX=/usr >/dev/null
	(cd "$T/inst" && find . -type f | sort) >"$T/tree"
	cat >"$T/want" <<-TREE
	./etc/invd/invd.conf
	./etc/invd/webhook-secret
	./usr/bin/invctl
	./usr/lib/systemd/system/invd.service
	./usr/lib/systemd/system/invd.socket
	./usr/sbin/invd
	./usr/share/bash-completion/completions/invctl
	./usr/share/doc/invd/invd.conf.example
	./usr/share/fish/vendor_completions.d/invctl.fish
	./usr/share/man/man1/invctl.1
	./usr/share/man/man5/invd.conf.5
	./usr/share/man/man8/invd.8
	./usr/share/zsh/vendor-completions/_invctl
	TREE
	diff "$T/want" "$T/tree"
	grep -q '^ExecStart=/usr/sbin/invd$' \
	    "$T/inst/usr/lib/systemd/system/invd.service"
	[ "$(stat -c %a "$T/inst/etc/invd/webhook-secret")" = 600 ]
	[ "$(wc -c <"$T/inst/etc/invd/webhook-secret")" = 65 ]
	# A second install keeps the secret and the configuration.
	secret=$(cat "$T/inst/etc/invd/webhook-secret")
	make -s -C "$root" install DESTDIR="$T/inst" PREFIX=/usr >/dev/null
	[ "$(cat "$T/inst/etc/invd/webhook-secret")" = "$secret" ]
	"$T/inst/usr/sbin/invd" -c "$T/inst/etc/invd/invd.conf" --check-config
	make -s -C "$root" uninstall DESTDIR="$T/inst" PREFIX=/usr >/dev/null
	(cd "$T/inst" && find . -type f | sort) >"$T/left"
	printf './etc/invd/invd.conf\n./etc/invd/webhook-secret\n' |
	    diff - "$T/left"
}

@test "man pages lint clean" {
	root=$BATS_TEST_DIRNAME/../..
	run mandoc -T lint -W warning "$root/man/invd.8" \
	    "$root/man/invd.conf.5" "$root/man/invctl.1"
	[ -z "$output" ] || { echo "$output"; false; }
}
