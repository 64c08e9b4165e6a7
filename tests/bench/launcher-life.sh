# Sourced by launcher.sh (its ROOT, WORK, BIN, OUT, bundle() and helpers): the detached
# life cycle, containode beside crun, in one run with interleaved rounds:
#   run -d     containode run -d (returns once the node's command runs) beside
#              crun run -d (returns once the container's process runs)
#   exec       /bin/true in the running node: containode exec beside crun exec
#   stop       a node whose PID 1 exits on SIGTERM: containode stop (returns once the
#              supervisor has recorded the end and removed the cgroups) beside
#              crun kill TERM, waiting for the process to end, then crun delete
#   rm         containode rm of the stopped node (no crun counterpart: its delete above)
#   ps         containode ps beside crun list, with BENCH_PS_NODES (100) of each running
# Like with like: no seccomp filter on either side (containode --seccomp unconfined),
# --ephemeral, crun with --cgroup-manager=disabled (containode keeps its device cgroup).
# The PID 1 on both sides is the test payload's "trap" (it exits on SIGTERM).
# run -d and exec are timed by the start table's stopwatch (posix_spawn, then wait), as
# the start table is: a fork of this shell and an exec cost 2-3 ms more at a load of 4,
# the same on both sides, which drew those ratios towards 1.  stop stays timed from the
# shell on both sides, crun's being a shell function (kill, wait, delete).
# Environment: BENCH_LIFE_RUNS (50), BENCH_PS_NODES (100).

LIFE_RUNS=${BENCH_LIFE_RUNS:-50}
PS_NODES=${BENCH_PS_NODES:-100}
PAYLOAD=$TOP/$BUILD/tests/helpers/containode_payload
[[ -x $PAYLOAD ]] || die "$PAYLOAD is missing (make tests builds it)"
cp "$PAYLOAD" "$ROOT/bin/payload"
bundle "$WORK/bundle-life" yes
/usr/bin/python3 - "$WORK/bundle-life/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["args"] = ["/bin/payload", "trap"]
json.dump(c, open(sys.argv[1], "w"), indent=1)
PY
export CONTAINODE_STATE=$WORK/life-state
CRUN=("$(command -v crun)" --cgroup-manager=disabled)
now_us() { echo "${EPOCHREALTIME//[.,]/}"; }
# Until pid has ended (gone, or a zombie nobody reaped yet).
wait_gone() {
	local s
	while [[ -e /proc/$1/stat ]]; do
		s=$(</proc/$1/stat) || return 0
		s=${s##*) }
		[[ ${s:0:1} == Z ]] && return 0
	done
}
declare -A T
life_time() { # KEY CMD...: appends the command's wall time (us) to T[KEY], by the stopwatch
	local key=$1 out
	shift
	out=$("$TIMER" 1 0 "$@") || die "'$*' failed"
	[[ ${out##* } == 0 ]] || die "'$*' failed"
	T[$key]+="${out%% *} "
}
life_time_sh() { # KEY CMD...: the same timed from this shell (CMD may be a shell function)
	local key=$1 t0 t1
	shift
	t0=$(now_us)
	"$@" >/dev/null || die "'$*' failed"
	t1=$(now_us)
	T[$key]+="$((t1 - t0)) "
}
crun_stop() { # ID: kill TERM, wait for the process, delete
	local pid
	pid=$("${CRUN[@]}" state "$1" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
	"${CRUN[@]}" kill "$1" TERM
	wait_gone "$pid"
	"${CRUN[@]}" delete "$1"
}
echo "bench-launcher: $LIFE_RUNS interleaved rounds of the detached life cycle..." >&2
for ((i = 0; i < LIFE_RUNS; i++)); do
	life_time crun-run "${CRUN[@]}" run -d --bundle "$WORK/bundle-life" "life$$-$i"
	life_time cn-run "$C" run -d -q --seccomp unconfined -r "$ROOT" --ephemeral --name "life$i" \
		/bin/payload trap
	life_time crun-exec "${CRUN[@]}" exec "life$$-$i" /bin/true
	life_time cn-exec "$C" exec "life$i" /bin/true
	# The crun side's pid lookup is not timed: crun_stop reads it first, and the
	# python that reads it costs ~15 ms, so it is measured apart and taken off.
	t0=$(now_us)
	"${CRUN[@]}" state "life$$-$i" | /usr/bin/python3 -c 'import json,sys; json.load(sys.stdin)' >/dev/null
	t1=$(now_us)
	T[crun-state]+="$((t1 - t0)) "
	life_time_sh crun-stop crun_stop "life$$-$i"
	life_time_sh cn-stop "$C" stop "life$i"
	life_time_sh cn-rm "$C" rm "life$i"
	# What the timers themselves cost: the stopwatch's spawn, the shell's fork and exec.
	life_time true /bin/true
	life_time_sh true-sh /bin/true
done
# ps: the listing of many, both sides with the same number running, interleaved rounds.
echo "bench-launcher: ps and crun list with $PS_NODES of each running..." >&2
ps_cleanup() {
	local i
	for ((i = 0; i < PS_NODES; i++)); do
		"${CRUN[@]}" delete -f "ps$$-$i" 2>/dev/null
		"$C" rm -f "ps$i" >/dev/null 2>&1
	done
	return 0
}
for ((i = 0; i < PS_NODES; i++)); do
	"${CRUN[@]}" run -d --bundle "$WORK/bundle-life" "ps$$-$i" >/dev/null ||
		{ ps_cleanup; die "crun run -d failed"; }
	"$C" run -d -q --seccomp unconfined -r "$ROOT" --ephemeral --name "ps$i" /bin/payload trap \
		>/dev/null || { ps_cleanup; die "containode run -d failed"; }
done
[[ $("$C" ps -q | grep -c '^ps[0-9]') == "$PS_NODES" ]] || { ps_cleanup; die "ps lists not $PS_NODES"; }
for ((i = 0; i < LIFE_RUNS; i++)); do
	life_time crun-ps "${CRUN[@]}" list
	life_time cn-ps "$C" ps
done
ps_cleanup
verdict() { awk -v r="$1" -v t="$TARGET" 'BEGIN { print (r <= t) ? "met" : "MISSED" }'; }
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
m_crun_run=$(median "${T[crun-run]}")
m_cn_run=$(median "${T[cn-run]}")
m_crun_exec=$(median "${T[crun-exec]}")
m_cn_exec=$(median "${T[cn-exec]}")
m_crun_stop=$(($(median "${T[crun-stop]}") - $(median "${T[crun-state]}")))
m_cn_stop=$(median "${T[cn-stop]}")
m_cn_rm=$(median "${T[cn-rm]}")
m_crun_ps=$(median "${T[crun-ps]}")
m_cn_ps=$(median "${T[cn-ps]}")
m_true=$(median "${T[true]}")
m_true_sh=$(median "${T[true-sh]}")
{
	echo
	echo "detached life cycle: median of $LIFE_RUNS interleaved rounds (ms); no seccomp on either side"
	printf '%-10s %-34s %8s %9s\n' step launcher median "x crun"
	printf '%-10s %-34s %8s %9s\n' "run -d" "crun run -d" "$(ms "$m_crun_run")" 1.00
	printf '%-10s %-34s %8s %9s\n' "" "containode run -d --ephemeral" "$(ms "$m_cn_run")" \
		"$(ratio "$m_cn_run" "$m_crun_run")"
	printf '%-10s %-34s %8s %9s\n' "exec" "crun exec /bin/true" "$(ms "$m_crun_exec")" 1.00
	printf '%-10s %-34s %8s %9s\n' "" "containode exec /bin/true" "$(ms "$m_cn_exec")" \
		"$(ratio "$m_cn_exec" "$m_crun_exec")"
	printf '%-10s %-34s %8s %9s\n' "stop" "crun kill TERM + wait + delete" "$(ms "$m_crun_stop")" 1.00
	printf '%-10s %-34s %8s %9s\n' "" "containode stop" "$(ms "$m_cn_stop")" \
		"$(ratio "$m_cn_stop" "$m_crun_stop")"
	printf '%-10s %-34s %8s\n' "rm" "containode rm (after stop)" "$(ms "$m_cn_rm")"
	printf '%-10s %-34s %8s %9s\n' "ps" "crun list, $PS_NODES running" "$(ms "$m_crun_ps")" 1.00
	printf '%-10s %-34s %8s %9s\n' "" "containode ps, $PS_NODES running" "$(ms "$m_cn_ps")" \
		"$(ratio "$m_cn_ps" "$m_crun_ps")"
	echo "(crun's stop row: its state lookup for the pid, measured apart, taken off)"
	echo "(every row includes its timer's own cost: /bin/true takes $(ms "$m_true") ms through the"
	echo " stopwatch of run -d and exec, $(ms "$m_true_sh") ms through the shell's of stop and rm)"
	for k in run exec stop; do
		eval "r=\$(ratio \$m_cn_$k \$m_crun_$k)"
		echo "target: containode $k <= ${TARGET}x crun: $r, $(verdict "$r")"
	done
} | tee -a "$OUT/launcher.txt"
