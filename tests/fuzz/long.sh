#!/usr/bin/env bash
# The long fuzz run (issue 16): each target up to FUZZ_RUNS executions (default 10^7),
# capped at FUZZ_MAX_SECONDS (default 3600) each, one at a time at the lowest priority,
# fastest target first (a FUZZ_PROBE_SECONDS probe of each measures its speed).  Prints a
# table, a row as each target ends: executions, seconds, exec/s, new corpus entries, crashes.
#
#   tests/fuzz/long.sh [TARGET...]        (targets by name; none means every built one)
#
# Works on the corpus `make fuzz-smoke` keeps ($FUZZ_BUILD/corpus/NAME) with the seeds
# beside it; what a run adds stays there, never in the tree.  A crashing input is left in
# $FUZZ_BUILD/long/ and makes the script exit non-zero: it becomes a unit test.
# Build the targets first: make fuzz.
#
# FUZZ_DETECT_LEAKS=0 turns libFuzzer's leak check off.  A target whose library leaks on some
# inputs (libseccomp, see lsan.supp) spends most of its time in the heap scans LeakSanitizer
# makes after each such input, suppressed or not: six times the speed without them.  The
# smoke run in make check and the unit tests under ASan keep looking for leaks of ours.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
fuzz_build=${FUZZ_BUILD:-build/fuzz}
runs=${FUZZ_RUNS:-10000000}
cap=${FUZZ_MAX_SECONDS:-3600}
probe=${FUZZ_PROBE_SECONDS:-2}
leaks=${FUZZ_DETECT_LEAKS:-1}
out=$fuzz_build/long
mkdir -p "$out"
export LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}

child=
trap '[[ -n $child ]] && kill "$child" 2>/dev/null; exit 130' INT TERM

targets=()
if (($#)); then
	for n in "$@"; do targets+=("$fuzz_build/tests/fuzz/$n"); done
else
	for t in "$fuzz_build"/tests/fuzz/fuzz_*; do
		[[ -x $t && $t != *.[od] ]] && targets+=("$t")
	done
fi
((${#targets[@]})) || { echo "long.sh: no fuzz targets in $fuzz_build (make fuzz)" >&2; exit 2; }

# fuzz TARGET SECONDS RUNS LOG: one libFuzzer run on the target's corpus and seeds.
fuzz() {
	local name dict=()
	name=$(basename "$1")
	[[ -f tests/fuzz/$name.dict ]] && dict=(-dict="tests/fuzz/$name.dict")
	mkdir -p "$fuzz_build/corpus/$name" "tests/fuzz/corpus/$name"
	nice -n 19 "$1" -max_total_time="$2" -runs="$3" -timeout=10 -rss_limit_mb=2048 \
		-detect_leaks="$leaks" -print_final_stats=1 -artifact_prefix="$out/$name-" "${dict[@]}" \
		"$fuzz_build/corpus/$name" "tests/fuzz/corpus/$name" >"$4" 2>&1 </dev/null &
	child=$!
	wait "$child"
	local rc=$?
	child=
	return $rc
}

final_stat() { grep -Eo "stat::$1: *[0-9]+" "$2" | grep -Eo '[0-9]+$' | tail -n 1; }
count() { find "$1" -maxdepth 1 -type f 2>/dev/null | wc -l; }

echo "probing ${#targets[@]} targets for ${probe}s each" >&2
order=()
for t in "${targets[@]}"; do
	fuzz "$t" "$probe" "$runs" "$out/$(basename "$t").probe.log"
	order+=("$(final_stat average_exec_per_sec "$out/$(basename "$t").probe.log") $t")
done

crashed=0
printf '%-34s %10s %6s %8s %5s %s\n' target executions secs exec/s new crashes
while read -r _ t; do
	name=$(basename "$t")
	log=$out/$name.log
	before=$(count "$fuzz_build/corpus/$name")
	start=$(date +%s)
	echo "running $name" >&2
	fuzz "$t" "$cap" "$runs" "$log"
	rc=$?
	secs=$(($(date +%s) - start))
	execs=$(final_stat number_of_executed_units "$log")
	crashes=$(grep -c 'Test unit written' "$log")
	if ((rc != 0)); then
		crashed=1
		((crashes)) || crashes="rc=$rc"
	fi
	printf '%-34s %10s %6s %8s %5s %s\n' "$name" "${execs:-?}" "$secs" \
		"$((${execs:-0} / (secs ? secs : 1)))" "$(($(count "$fuzz_build/corpus/$name") - before))" \
		"$crashes"
done < <(printf '%s\n' "${order[@]}" | sort -rn)
exit $crashed
