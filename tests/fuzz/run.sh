#!/usr/bin/env bash
# Run libFuzzer targets one after another for a set time each.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS TARGET...
#
# Each target starts from its seed corpus in tests/fuzz/corpus/TARGET
# (read only; it also holds the inputs of past crashes, so every run
# replays them) plus what earlier runs found in BUILD_DIR/corpus/TARGET.
# FUZZ_SEED fixes libFuzzer's seed (make check uses 1). A crash stops the
# run with the input saved as BUILD_DIR/artifacts/TARGET-crash-*.
set -euo pipefail

bdir=$1 secs=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
seed_args=()
[ -n "${FUZZ_SEED:-}" ] && seed_args=(-seed="$FUZZ_SEED")
mkdir -p "$bdir/artifacts"
total=0
for t in "$@"; do
	mkdir -p "$bdir/corpus/$t"
	log="$bdir/fuzz_$t.log"
	rc=0
	"$bdir/fuzz_$t" -max_total_time="$secs" "${seed_args[@]}" \
	    -timeout=10 -rss_limit_mb=2048 -max_len=4096 -close_fd_mask=3 \
	    -print_final_stats=1 -artifact_prefix="$bdir/artifacts/$t-" \
	    "$bdir/corpus/$t" "$here/corpus/$t" >"$log" 2>&1 || rc=$?
	if [ "$rc" != 0 ]; then
		tail -60 "$log" >&2
		echo "fuzz: $t FAILED (exit $rc); input in $bdir/artifacts/," \
		    "log in $log" >&2
		exit 1
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
	total=$((total + ${execs:-0}))
	echo "fuzz: $t: ${execs:-?} executions in ${secs} s, ${cov:-cov: ?}," \
	    "$(ls "$bdir/corpus/$t" | wc -l) new corpus inputs kept, no crash"
done
echo "fuzz: $# targets, $total executions, no crash"
