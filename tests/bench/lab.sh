#!/usr/bin/env bash
# make bench-lab: a lab of Mininet's topologies up and down with `containet lab` beside
# Mininet itself (Debian's mininet, Linux bridges and no controller, as `mn --switch lxbr
# --controller none`), measured in one run, interleaved, as medians and ratios to Mininet:
#   up + down    single,50, single,100, linear,10: from the command to everything gone
#                (containet lab up --topo T --no-startup, then lab down; Mininet's
#                start and stop of the same topology)
#   pingall      single,100 and single,200 up, then `containet lab pingall` (-c 1, from a
#                raw socket in each node's network namespace) against Mininet's
#                net.pingAll() (mn's CLI pingall: ping -c1 per ordered pair, in turn)
#   memory       PSS per idle node of everything each side runs for single,50: the lab's
#                switch, containode's supervisors and the nodes' processes; Mininet's
#                shells (its bridges live in the kernel)
# Mininet's hosts are bare shells in namespaces; the lab's nodes are containers (mount,
# pid, uts, ipc, net and cgroup namespaces, an overlay root, Kathara's capabilities and
# sysctls).  Never `mn -c`: it kills processes by name machine-wide; a failed Mininet run
# is cleaned up by removing the links that appeared during it.
#
# Each figure is a median with the spread (min-max) beside it and the load average (1 min)
# before and after its runs: the machine is shared.
# Environment: BUILD (build), BENCH_LAB_RUNS (5 per topology), BENCH_LAB_TOPOS (the list;
# its single,N ones are the plot's up + down curve), BENCH_LAB_PINGALL (single,100
# single,200), BENCH_LAB_PING_RUNS (3).
# Output: the report on stdout and in $BUILD/bench/lab.txt; the times in lab.dat (TOPO
# ours mininet), lab-n.dat and lab-ping.dat (N ours mininet), and lab.png (gnuplot).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-build}
BIN=$TOP/$BUILD/bin
RUNS=${BENCH_LAB_RUNS:-5}
TOPOS=${BENCH_LAB_TOPOS:-single,10 single,25 single,50 single,100 linear,10}
PINGALL=${BENCH_LAB_PINGALL:-single,100 single,200}
PING_RUNS=${BENCH_LAB_PING_RUNS:-3}
OUT=$TOP/$BUILD/bench
mkdir -p "$OUT"

((EUID == 0)) || { echo "bench-lab: run as root" >&2; exit 1; }
command -v mn >/dev/null || { echo "bench-lab: mininet is not installed (tests/deps.sh)" >&2; exit 1; }
"$BIN/containode" run --help >/dev/null 2>&1 || { echo "bench-lab: containode has no run -d" >&2; exit 1; }

WORK=$(mktemp -d /tmp/containet-bench-lab.XXXXXX)
export CONTAINET_LAB_ROOT=$WORK/labs
LINKS_BEFORE=$(ip -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//' | sort)
cleanup() {
	local l
	"$BIN/containet" lab down --name bench >/dev/null 2>&1 || true
	# What a failed Mininet run left: the links that were not there before.
	for l in $(comm -13 <(echo "$LINKS_BEFORE") \
		<(ip -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//' | sort)); do
		[[ $l =~ ^s[0-9]+(-eth[0-9]+)?$ ]] && ip link delete "$l" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ours_updown() { # TOPO: seconds
	local t0 t1
	t0=$(now)
	"$BIN/containet" lab up --topo "$1" --name bench --no-startup >/dev/null
	"$BIN/containet" lab down --name bench
	t1=$(now)
	echo "$t1 - $t0" | bc -l
}
mininet_updown() { /usr/bin/python3 "$HERE/lab-mininet.py" "$1" updown; }
# pingall of a lab that is up: seconds, then the pairs not reached.
ours_pingall() {
	local t0 t1 out
	t0=$(now)
	out=$("$BIN/containet" lab pingall --name bench | tail -n 1) || true
	t1=$(now)
	echo "$(echo "$t1 - $t0" | bc -l) $(sed -n 's/.*(\([0-9]*\)\/\([0-9]*\) received).*/\2 - \1/p' <<<"$out" | bc)"
}
mininet_pingall() { # TOPO: seconds, then the percentage dropped
	/usr/bin/python3 "$HERE/lab-mininet.py" "$1" pingall 2>/dev/null
}
load() { cut -d' ' -f1 /proc/loadavg; }
spread() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f", lo, hi }'; }

# pss PID...: the sum of the processes' PSS in kB.
pss() {
	local p sum=0 v
	for p in "$@"; do
		v=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null) || continue
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}
# descendants PID...: the processes and all below them.
descendants() {
	local p
	for p in "$@"; do
		echo "$p"
		descendants $(cat /proc/"$p"/task/*/children 2>/dev/null)
	done
}

{
	echo "lab up + down, medians of $RUNS runs, interleaved (seconds; spread min-max; load)"
	printf '%-12s %10s %12s %10s %12s %8s %10s\n' TOPOLOGY containet spread Mininet spread \
		ratio load
	: >"$OUT/lab.dat"
	: >"$OUT/lab-n.dat"
	for topo in $TOPOS; do
		a=() b=()
		l0=$(load)
		for ((i = 0; i < RUNS; i++)); do
			a+=("$(ours_updown "$topo")")
			b+=("$(mininet_updown "$topo")")
		done
		ma=$(printf '%s\n' "${a[@]}" | median)
		mb=$(printf '%s\n' "${b[@]}" | median)
		printf '%-12s %10.2f %12s %10.2f %12s %7.2fx %10s\n' "$topo" "$ma" \
			"$(printf '%s\n' "${a[@]}" | spread)" "$mb" "$(printf '%s\n' "${b[@]}" | spread)" \
			"$(echo "$ma / $mb" | bc -l)" "$l0-$(load)"
		echo "$topo $ma $mb" >>"$OUT/lab.dat"
		[[ $topo == single,* ]] && echo "${topo#single,} $ma $mb" >>"$OUT/lab-n.dat"
	done

	echo
	echo "pingall, medians of $PING_RUNS runs (seconds; pairs not reached; load)"
	printf '%-12s %10s %12s %6s %10s %12s %8s %8s %10s\n' TOPOLOGY containet spread lost \
		Mininet spread "lost%" ratio load
	: >"$OUT/lab-ping.dat"
	for topo in $PINGALL; do
		a=() b=() la=() lb=()
		l0=$(load)
		"$BIN/containet" lab up --topo "$topo" --name bench --no-startup >/dev/null
		for ((i = 0; i < PING_RUNS; i++)); do
			read -r t lost < <(ours_pingall)
			a+=("$t") la+=("${lost:-NaN}")
		done
		"$BIN/containet" lab down --name bench
		for ((i = 0; i < PING_RUNS; i++)); do
			read -r t lost < <(mininet_pingall "$topo")
			b+=("$t") lb+=("${lost:-NaN}")
		done
		ma=$(printf '%s\n' "${a[@]}" | median)
		mb=$(printf '%s\n' "${b[@]}" | median)
		printf '%-12s %10.2f %12s %6s %10.2f %12s %8s %7.2fx %10s\n' "$topo" "$ma" \
			"$(printf '%s\n' "${a[@]}" | spread)" "$(IFS=/; echo "${la[*]}")" "$mb" \
			"$(printf '%s\n' "${b[@]}" | spread)" "$(IFS=/; echo "${lb[*]}")" \
			"$(echo "$ma / $mb" | bc -l)" "$l0-$(load)"
		echo "${topo#single,} $ma $mb" >>"$OUT/lab-ping.dat"
	done

	echo
	echo "memory per idle node, single,50 (PSS, kB)"
	"$BIN/containet" lab up --topo single,50 --name bench --no-startup >/dev/null
	sleep 2
	roots=$( (grep -lsaF "$CONTAINET_LAB_ROOT/bench/" /proc/[0-9]*/cmdline || true) | cut -d/ -f3)
	# shellcheck disable=SC2086
	ours=$(pss $(descendants $roots | sort -u))
	"$BIN/containet" lab down --name bench
	coproc MN { /usr/bin/python3 "$HERE/lab-mininet.py" single,50 pss 2>"$WORK/mn.err"; }
	mn_pid=$MN_PID mn_in=${MN[1]} mn_out=${MN[0]}
	pids=() ready=
	while read -r line <&"$mn_out"; do
		[[ $line == ready ]] && ready=1 && break
		pids+=("$line")
	done
	[[ -n $ready ]] || { echo "Mininet did not start: $(cat "$WORK/mn.err")"; exit 1; }
	# shellcheck disable=SC2046
	theirs=$(pss $(descendants "$mn_pid" "${pids[@]}" | sort -u))
	echo >&"$mn_in"
	wait "$mn_pid" || true
	printf '%-12s %10s %10s %8s\n' "" containet Mininet ratio
	printf '%-12s %10d %10d %7.2fx\n' "per node" $((ours / 50)) $((theirs / 50)) \
		"$(echo "$ours / $theirs" | bc -l)"

	if command -v gnuplot >/dev/null; then
		if gnuplot -e "datafile='$OUT/lab-n.dat'; pingfile='$OUT/lab-ping.dat'; outfile='$OUT/lab.png'" \
			"$HERE/lab-plot.gp" 2>"$WORK/gnuplot.log"; then
			echo
			echo "plot: $OUT/lab.png (data: lab-n.dat, lab-ping.dat)"
		else
			echo "gnuplot failed: $(tail -n 3 "$WORK/gnuplot.log")"
		fi
	fi
} | tee "$OUT/lab.txt"
