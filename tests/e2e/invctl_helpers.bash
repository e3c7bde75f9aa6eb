# Helpers for the invctl end-to-end tests, on top of helpers.bash.
bats_require_minimum_version 1.5.0

# ctl ARGS...: run invctl over the chosen transport with separate stdout
# ($output) and stderr ($stderr), status in $status.
ctl() {
	run --separate-stderr inv_ctl "$@"
}

# expect_rc CODE: fail, showing both streams, when $status differs.
expect_rc() {
	if [ "$status" -ne "$1" ]; then
		echo "expected exit $1, got $status" >&2
		echo "stdout: $output" >&2
		echo "stderr: $stderr" >&2
		return 1
	fi
}

# expect_json_eq FILTER VALUE: jq -r FILTER on $output gives VALUE.
expect_json_eq() {
	local got
	got=$(jq -r "$1" <<<"$output") || {
		echo "not JSON: $output" >&2
		return 1
	}
	if [ "$got" != "$2" ]; then
		echo "$1: expected '$2', got '$got' in $output" >&2
		return 1
	fi
}

# expect_usage_error TEXT: exit 2, TEXT and a usage line on stderr,
# nothing on stdout.
expect_usage_error() {
	expect_rc 2 || return 1
	[[ $stderr == *"$1"* ]] || {
		echo "stderr lacks '$1': $stderr" >&2
		return 1
	}
	[[ $stderr == *"usage: invctl"* ]] || {
		echo "no usage line: $stderr" >&2
		return 1
	}
	[ -z "$output" ] || {
		echo "stdout not empty: $output" >&2
		return 1
	}
}

# The target option for the transport, for commands run without inv_ctl.
target_args() {
	if [ "$INV_TRANSPORT" = unix ]; then
		TARGET=(--socket "$SOCK")
	else
		TARGET=(--url "$BASE_URL")
	fi
}
