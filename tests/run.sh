#!/usr/bin/env bash
# Runs the unit suites, the integration scripts and the fuzz targets, and ends with one line
# "N passed, N failed, N skipped".  Arguments: "unit" (the Check suites and tests/unit/*.sh),
# "integration", "fuzz", or script names (tests/integration/10-switch.sh); none means all
# three.  Exits non-zero on any failure.
# FUZZ_BUILD is where `make fuzz` put the fuzz targets; FUZZ_SECONDS how long each runs,
# FUZZ_SEED with which seed (0: a random one).
set -uo pipefail

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
LOGDIR=$BUILD/test-logs
mkdir -p "$LOGDIR"

passed=0 failed=0 skipped=0
failures=()

run_unit() {
	local t log line total fails errors
	for t in "$BUILD"/tests/unit/test_*; do
		[[ -x $t && $t != *.[od] ]] || continue
		log=$LOGDIR/unit-$(basename "$t").log
		CK_FORK=yes CK_DEFAULT_TIMEOUT=30 "$t" >"$log" 2>&1
		line=$(grep -Eo 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -n 1)
		if [[ -z $line ]]; then
			failed=$((failed + 1))
			failures+=("$t (no result line)")
			echo "  FAIL $(basename "$t"): did not finish"
			sed 's/^/    /' "$log"
			continue
		fi
		read -r total fails errors < <(echo "$line" | tr -dc '0-9 ' | tr -s ' ')
		passed=$((passed + total - fails - errors))
		failed=$((failed + fails + errors))
		if ((fails + errors)); then
			failures+=("$(basename "$t")")
			echo "  FAIL $(basename "$t"): $line"
			grep -E ':[EF]:' "$log" | sed 's/^/    /'
		else
			echo "  ok   $(basename "$t"): $total checks"
		fi
	done
}

run_script() {
	local s=$1 name log rc p f
	name=$(basename "$s" .sh)
	log=$LOGDIR/$name.log
	# Scripts are numbered by program: 1x switch, 2x launcher, 3x-4x puller.
	case $name in
	1[0-9]-*) need=containet ;;
	2[0-9]-*) need=containode ;;
	[34][0-9]-*) need=mocker ;;
	*) need= ;;
	esac
	if [[ -n $need && ! -f $need/main.c ]]; then
		skipped=$((skipped + 1))
		echo "  skip $name: $need is not part of this tree yet"
		return
	fi
	timeout --kill-after=10 "${TEST_TIMEOUT:-600}" bash "$s" >"$log" 2>&1 </dev/null
	rc=$?
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	if ((rc == 77)); then
		skipped=$((skipped + 1))
		echo "  skip $name: $(grep '^SKIP: ' "$log" | head -n 1 | cut -c7-)"
		return
	fi
	if ((rc != 0 && f == 0)); then
		f=1 # died outside an assertion
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if ((f)); then
		failures+=("$name")
		echo "  FAIL $name: $p passed, $f failed (exit $rc)"
		# The failures first, then what else the script printed, without its passes.
		grep '^FAIL: ' "$log" | sed 's/^/    /'
		echo "    last lines of $log, passes left out:"
		grep -v '^PASS: ' "$log" | tail -n 40 | sed 's/^/    | /'
	else
		echo "  ok   $name: $p checks"
	fi
}

# Each fuzz target from its seeds (tests/fuzz/corpus/NAME) for FUZZ_SECONDS; what it
# learns is kept in $FUZZ_BUILD/corpus/NAME for the next run.  A crash is a failure, and
# the input that caused it is left in the log folder for a unit test.
run_fuzz() {
	local t name log corpus seeds dict
	local fuzz_build=${FUZZ_BUILD:-build/fuzz}
	for t in "$fuzz_build"/tests/fuzz/fuzz_*; do
		[[ -x $t && $t != *.[od] ]] || continue
		name=$(basename "$t")
		log=$LOGDIR/$name.log
		corpus=$fuzz_build/corpus/$name
		seeds=tests/fuzz/corpus/$name
		dict=tests/fuzz/$name.dict
		mkdir -p "$corpus" "$seeds"
		# A fixed seed by default, so that a short run explores the same way every time:
		# what a run in CI finds, a developer's long run with that seed found first.
		if LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS} \
			"$t" -max_total_time="${FUZZ_SECONDS:-10}" -seed="${FUZZ_SEED:-1}" \
			-timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix="$LOGDIR/$name-" \
			${dict:+$([[ -f $dict ]] && echo "-dict=$dict")} \
			"$corpus" "$seeds" >"$log" 2>&1 </dev/null; then
			passed=$((passed + 1))
			echo "  ok   $name: $(grep -Eo 'number_of_executed_units: [0-9]+' "$log" |
				grep -Eo '[0-9]+') runs"
		else
			failed=$((failed + 1))
			failures+=("$name")
			echo "  FAIL $name: see $log"
			grep -E 'ERROR|SUMMARY|Test unit written' "$log" | sed 's/^/    /'
		fi
	done
}

what=("$@")
((${#what[@]})) || what=(unit integration fuzz)
for w in "${what[@]}"; do
	case $w in
	unit)
		echo "unit tests:"
		run_unit
		# The shell-level unit checks (packaging, completions): no root either.
		for s in tests/unit/*.sh; do
			[[ -f $s ]] && run_script "$s"
		done
		;;
	integration)
		echo "integration tests:"
		for s in tests/integration/[0-9][0-9]-*.sh; do
			run_script "$s"
		done
		;;
	fuzz)
		echo "fuzz targets:"
		run_fuzz
		;;
	*) run_script "$w" ;;
	esac
done

((${#failures[@]})) && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
