#!/usr/bin/env bats
# invctl without a command: script mode (commands from a file or a pipe),
# the interactive shell driven through tmux (output, history, tab
# completion), shell completion scripts, and the man page.

setup() {
	load helpers
	load invctl_helpers
}

teardown() {
	if [ -n "${TMUX_SOCK:-}" ]; then
		tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
	fi
	invd_stop
}

# ---- script mode -----------------------------------------------------------

@test "script mode runs one command a line from stdin" {
	invd_start
	target_args
	cat >"$BATS_TEST_TMPDIR/script" <<-'END'
	# a comment, then a blank line

	product add --sku S-1 --name 'Blue widget' --price 2.5 --stock 10
	order create --product 1 --quantity 3
	product get 1
	END
	run --separate-stderr "$INVCTL" "${TARGET[@]}" <"$BATS_TEST_TMPDIR/script"
	expect_rc 0
	[[ $output == *"name:  Blue widget"* ]]
	[[ $output == *"status:     PENDING"* ]]
	[[ $output == *"stock: 7"* ]]
}

@test "script mode stops at the first failure with its status" {
	invd_start
	target_args
	run --separate-stderr "$INVCTL" "${TARGET[@]}" <<-'END'
	product add --sku S-1 --name A --price 1 --stock 1
	order create --product 1 --quantity 5
	product add --sku S-2 --name B --price 1 --stock 1
	END
	expect_rc 1
	[[ $stderr == *"invctl: Insufficient stock. Available: 1, Requested: 5"* ]]
	[[ $stderr == *"stopped at line 2"* ]]
	# The third line did not run.
	api GET /products
	[ "$(jq length <<<"$BODY")" -eq 1 ]
	run --separate-stderr "$INVCTL" "${TARGET[@]}" <<<"product add --sku"
	expect_usage_error "--sku needs a value"
	run --separate-stderr "$INVCTL" "${TARGET[@]}" <<<"product get 'x"
	expect_rc 2
	[[ $stderr == *"unterminated quote"* ]]
}

@test "script mode with --json prints one document a command" {
	invd_start
	target_args
	run --separate-stderr "$INVCTL" "${TARGET[@]}" --json <<-'END'
	product add --sku J-1 --name A --price 1.25 --stock 4
	health
	END
	expect_rc 0
	[ "$(jq -s length <<<"$output")" -eq 2 ]
	[ "$(jq -s -r '.[0].price' <<<"$output")" = 1.25 ]
	[ "$(jq -s -r '.[1].status' <<<"$output")" = ok ]
}

@test "script mode against an unreachable daemon exits 3" {
	run --separate-stderr "$INVCTL" --socket "$BATS_TEST_TMPDIR/no.sock" \
	    <<<"health"
	expect_rc 3
	[[ $stderr == *"cannot connect"* ]]
}

# ---- the interactive shell, through a pseudo-terminal -----------------------

# tmux_start: run invctl in a detached tmux session with HOME in the
# test's directory; wait for the prompt.
tmux_start() {
	command -v tmux >/dev/null || skip "tmux is not installed"
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	TMUX_SOCK="$BATS_TEST_TMPDIR/tmux.sock"
	tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -x 160 -y 50 \
	    env HOME="$HOME" NO_COLOR=1 "$INVCTL" "${TARGET[@]}"
	wait_screen 'invctl>'
}

# wait_screen TEXT: wait until the pane shows TEXT; SCREEN holds the pane
# (tmux drops trailing blanks, so TEXT should not end with one).
wait_screen() {
	local i
	for i in $(seq 1 100); do
		SCREEN=$(tmux -S "$TMUX_SOCK" capture-pane -p)
		[[ $SCREEN == *"$1"* ]] && return 0
		sleep 0.05
	done
	echo "screen never showed '$1':" >&2
	echo "$SCREEN" >&2
	return 1
}

keys() {
	tmux -S "$TMUX_SOCK" send-keys "$@"
}

@test "the shell runs commands and prints their output" {
	invd_start
	target_args
	make_product SH-1 4.5 12 "Shell widget" >/dev/null
	tmux_start
	keys 'product list' Enter
	wait_screen 'Shell widget'
	[[ $SCREEN == *"SH-1"* ]]
	keys 'order create --product 1 --quantity 99' Enter
	wait_screen 'invctl: Insufficient stock. Available: 12, Requested: 99'
	keys 'frob' Enter
	wait_screen "unknown command 'frob'"
	keys 'help' Enter
	wait_screen 'order cancel'
	keys 'quit' Enter
	for i in $(seq 1 50); do
		tmux -S "$TMUX_SOCK" has-session 2>/dev/null || break
		sleep 0.05
	done
	! tmux -S "$TMUX_SOCK" has-session 2>/dev/null
}

@test "the shell keeps its history in ~/.invctl_history" {
	invd_start
	target_args
	tmux_start
	keys 'health' Enter
	wait_screen 'status: ok'
	keys 'product list --limit 5' Enter
	sleep 0.2
	keys 'quit' Enter
	for i in $(seq 1 50); do
		[ -s "$HOME/.invctl_history" ] &&
		    grep -q quit "$HOME/.invctl_history" && break
		sleep 0.05
	done
	run cat "$HOME/.invctl_history"
	[ "${lines[0]}" = health ]
	[ "${lines[1]}" = "product list --limit 5" ]
	# A new shell starts with it: Up recalls the last command.
	tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
	tmux_start
	keys Up
	wait_screen 'invctl> quit'
}

@test "the shell completes verbs, options and statuses with Tab" {
	invd_start
	target_args
	api POST /products '{"sku":"T-1","name":"T","price":1,"stock":5}'
	api POST /orders '{"product_id":1,"quantity":1}'
	api PUT /orders/1 '{"status":"PAID"}'
	tmux_start
	keys 'order sh' Tab
	wait_screen 'invctl> order ship'
	keys C-u 'product upd' Tab
	wait_screen 'invctl> product update'
	keys C-u 'order list --sta' Tab
	wait_screen 'invctl> order list --status'
	keys 'PA' Tab Enter
	wait_screen 'PAID'
	[[ $SCREEN == *"ID  PRODUCT_ID"* ]]
	keys 'prod' Tab 'g' Tab '1' Enter
	wait_screen 'sku:   T-1'
}

# ---- shell completion scripts --------------------------------------------

@test "invctl __complete names nouns, verbs, options and ids" {
	invd_start
	target_args
	make_product C-1 >/dev/null
	run "$INVCTL" __complete ''
	[ "$status" -eq 0 ]
	[ "$output" = $'product\norder\nwebhook\nhealth\napi' ]
	run "$INVCTL" __complete order ''
	[ "$output" = $'create\nlist\nget\npay\nship\ncancel\ndelete' ]
	run "$INVCTL" __complete product add --s
	[ "$output" = $'--sku\n--stock' ]
	run "$INVCTL" __complete order list --status P
	[ "$output" = $'PENDING\nPAID' ]
	run "$INVCTL" __complete "${TARGET[@]}" product get ''
	[ "$output" = 1 ]
	# With the daemon down, ids are silently left out.
	run "$INVCTL" __complete --socket "$BATS_TEST_TMPDIR/no.sock" \
	    product get ''
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "the bash completion asks invctl for candidates" {
	run bash -c '
		PATH=$(dirname "$1"):$PATH
		source completions/invctl.bash
		COMP_WORDS=(invctl order c)
		COMP_CWORD=2
		_invctl
		printf "%s\n" "${COMPREPLY[@]}"
	' _ "$INVCTL"
	[ "$status" -eq 0 ]
	[ "$output" = $'create\ncancel' ]
}

@test "the fish completion asks invctl for candidates" {
	command -v fish >/dev/null || skip "fish is not installed"
	run fish -c "set PATH $(dirname "$INVCTL") \$PATH
		source completions/invctl.fish
		complete -C 'invctl product up'"
	[ "$status" -eq 0 ]
	[[ $output == update* ]]
}

@test "bash -n, zsh -n and fish -n accept the completions" {
	bash -n completions/invctl.bash
	if command -v zsh >/dev/null; then
		zsh -n completions/_invctl
	fi
	if command -v fish >/dev/null; then
		fish -n completions/invctl.fish
	fi
	command -v zsh >/dev/null && command -v fish >/dev/null ||
	    skip "zsh or fish is not installed"
}

# ---- the man page --------------------------------------------------------

@test "mandoc -T lint finds nothing wrong in invctl.1" {
	run mandoc -T lint -W warning man/invctl.1
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "every command of invctl --help is in the man page" {
	local page c missing=
	page=$(mandoc -T ascii man/invctl.1 | col -b)
	while read -r c; do
		grep -qF -- "$c" <<<"$page" || missing="$missing [$c]"
	done < <("$INVCTL" --help | awk '/^Commands:/{f=1;next} /^$/{f=0}
	    f{ if ($1 == "health" || $1 == "api") print $1; else print $1, $2 }')
	[ -z "$missing" ] || {
		echo "missing from man/invctl.1:$missing" >&2
		return 1
	}
	# And every global option and environment variable.
	for c in --socket --url --json --timeout --help --version \
	    INVD_SOCKET INVD_URL NO_COLOR .invctl_history; do
		grep -qF -- "$c" <<<"$page" || {
			echo "missing from man/invctl.1: $c" >&2
			return 1
		}
	done
}
