#!/usr/bin/env bash
# containode: --memory, --cpus, --pids-limit.  The node's cgroup lies in each hierarchy
# that holds a controller it needs (v1 or v2, as mounted) and in the v2 hierarchy wherever
# one is mounted (for cgroup.kill and cgroup.freeze); a node the OOM killer kills exits
# 137 with "out of memory" said once; a fork bomb stops at the pids limit; the CPU quota
# holds; nothing is left after any exit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

ROOT=$TEST_TMP/root
make_root "$ROOT"
run() { "$CONTAINODE" -q -r "$ROOT" --ephemeral "$@"; }

# ctl_dir CONTROLLER: the caller's cgroup in the hierarchy holding CONTROLLER (v1 first,
# then v2 when it lists the controller), or nothing.
MOUNTS=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") { print $(i + 1), $5, $NF; break } }' \
	/proc/self/mountinfo)
V2_TOP=$(awk '$1 == "cgroup2" { print $2; exit }' <<<"$MOUNTS")
V2_OWN=$(awk -F: '$1 == 0 { print $3 }' /proc/self/cgroup)
ctl_dir() {
	local own mnt
	own=$(awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
		/proc/self/cgroup)
	mnt=$(awk -v c="$1" '$1 == "cgroup" { n = split($3, a, ","); for (i = 1; i <= n; i++)
		if (a[i] == c) { print $2; exit } }' <<<"$MOUNTS")
	if [[ -n $own && -n $mnt ]]; then
		echo "$mnt${own%/}"
	elif [[ -n $V2_TOP ]] && grep -qw "$1" "$V2_TOP/cgroup.controllers"; then
		echo "$V2_TOP${V2_OWN%/}"
	fi
}
MEM=$(ctl_dir memory)
CPU=$(ctl_dir cpu)
PIDS=$(ctl_dir pids)
[[ -n $MEM && -n $CPU && -n $PIDS ]] || skip "no memory, cpu or pids cgroup controller"
V2=${V2_TOP:+$V2_TOP${V2_OWN%/}}
is_v2() { [[ -n $V2_TOP && $1 == "$V2_TOP"* ]]; }
HIERS=("$MEM" "$CPU" "$PIDS" ${V2:+"$V2"})

# dirs_of ID PID [PARENT]: the node's directory in every hierarchy it should be in.
dirs_of() {
	local d
	for d in "${HIERS[@]}"; do echo "$d/${3:-containet}/$1@$2"; done | sort -u
}
# left ID: any directory of a node of identity ID, in any of the hierarchies.
left() {
	local d
	for d in "${HIERS[@]}"; do compgen -G "$d/containet/$1@*" || true; done
}
node_up() { [[ -n $(left "$1") ]]; }
# node_kill ID PID: kills every process of the node (cgroup.kill where v2 is, else by PID).
node_kill() {
	local d p
	d=$V2/containet/$1@$2
	if [[ -n $V2 && -e $d/cgroup.kill ]]; then
		echo 1 >"$d/cgroup.kill"
	else
		for p in $(cat "$PIDS/containet/$1@$2/cgroup.procs" 2>/dev/null); do kill -KILL "$p"; done
	fi
}
# start_node NAME ID CONTAINODE-ARGS...: a node in the background ($SPAWNED: containode),
# whose processes are all killed at exit, and whose directories go then too.
start_node() {
	local name=$1 id=$2
	shift 2
	spawn "$name" "$CONTAINODE" -q -r "$ROOT" --ephemeral -i "$id" "$@"
	defer node_kill "$id" "$SPAWNED"
	wait_until 10 node_up "$id" || die "node $id did not start"
}

# Usage errors
for bad in "--memory 0" "--memory 12q" "--memory k" "--memory=-1" "--cpus 0" "--cpus abc" \
	"--cpus 0.001" "--cpus 2000" "--cpus ." "--pids-limit 0" "--pids-limit x" \
	"--cgroup-parent ../x" "--cgroup-parent a//b" "--cgroup-parent a@1" "--cgroup-parent /"; do
	# shellcheck disable=SC2086 # the option and its value are two words
	assert_exit 2 "usage error: $bad" "$CONTAINODE" -q $bad true
done
assert_match "--memory=BYTES" "$("$CONTAINODE" --help)" "--help names --memory"

# The limits, in place while the node runs; its process in every directory.
id=lim$TEST_ID
start_node limits "$id" --memory 64m --cpus 0.5 --pids-limit 20 payload trap
node=$SPAWNED
wait_until 10 grep -q waiting "$TEST_TMP/limits.log" || die "the node did not start"
for d in $(dirs_of "$id" "$node"); do
	assert_eq 1 "$(wc -l <"$d/cgroup.procs")" "the node's one process is in $d"
done
if is_v2 "$MEM"; then
	assert_eq 67108864 "$(cat "$MEM/containet/$id@$node/memory.max")" "memory.max"
else
	assert_eq 67108864 "$(cat "$MEM/containet/$id@$node/memory.limit_in_bytes")" \
		"memory.limit_in_bytes"
	[[ -e $MEM/containet/$id@$node/memory.memsw.limit_in_bytes ]] &&
		assert_eq 67108864 "$(cat "$MEM/containet/$id@$node/memory.memsw.limit_in_bytes")" \
			"memory.memsw.limit_in_bytes: no swap beyond the limit"
fi
if is_v2 "$CPU"; then
	assert_eq "50000 100000" "$(cat "$CPU/containet/$id@$node/cpu.max")" "cpu.max"
else
	assert_eq "50000 100000" "$(cat "$CPU/containet/$id@$node/cpu.cfs_quota_us" \
		"$CPU/containet/$id@$node/cpu.cfs_period_us" | tr '\n' ' ' | sed 's/ $//')" \
		"cpu.cfs_quota_us and cpu.cfs_period_us"
fi
assert_eq 20 "$(cat "$PIDS/containet/$id@$node/pids.max")" "pids.max"
if [[ -n $V2 ]]; then
	[[ -e $V2/containet/$id@$node/cgroup.kill && -e $V2/containet/$id@$node/cgroup.freeze ]] &&
		ok "the node has a v2 cgroup with cgroup.kill and cgroup.freeze" ||
		fail "no v2 cgroup.kill and cgroup.freeze in $V2/containet/$id@$node"
fi
kill_wait "$node"
assert_eq "" "$(left "$id")" "no cgroup left after the node exits (SIGTERM to containode)"

# Out of memory: 137 and one line that says so; SIGKILL alone is not taken for it.
id=oom$TEST_ID
out=$(run -i "$id" --memory 32m dd if=/dev/zero of=/dev/null bs=64M count=1 2>&1) && rc=0 || rc=$?
assert_eq 137 "$rc" "a node over its memory limit is killed: exit 137"
assert_eq 1 "$(grep -c 'out of memory' <<<"$out")" "containode says 'out of memory' once"
assert_match "^containode: node '[^']+' ran out of memory" "$out" "in its own line"
out=$(run -i "$id" --memory 32m dd if=/dev/zero of=/dev/null bs=8M count=1 2>&1) && rc=0 || rc=$?
assert_eq 0 "$rc" "a node within its memory limit runs: $out"
out=$(run -i "$id" --memory 32m sh -c 'payload kill 9; exit $?' 2>&1) && rc=0 || rc=$?
assert_eq 137 "$rc" "a process killed by SIGKILL: 137"
assert_no_match "out of memory" "$out" "without the OOM killer, no 'out of memory'"
assert_no_match "warning|ignoring" "$out" "and no warning"
assert_eq "" "$(left "$id")" "no cgroup left after these"

# pids: a loop of background processes stops at the limit (the shell and 19 more)
out=$(run --pids-limit 20 sh -c 'i=0; while [ $i -lt 100 ]; do sleep 30 & i=$((i + 1)); echo $i; done' \
	2>/dev/null | tail -n 1) || true
assert_eq 19 "$out" "--pids-limit 20: the shell starts 19 processes, no more"

# A fork bomb stays at the limit, the host unharmed; the test kills all of it.
id=bomb$TEST_ID
start_node bomb "$id" --pids-limit 20 sh -c 'b() { b & b; }; b & exec payload trap'
bomb=$SPAWNED
if wait_until 20 grep -qv '^max 0$' "$PIDS/containet/$id@$bomb/pids.events"; then
	ok "the bomb runs into the limit ($(cat "$PIDS/containet/$id@$bomb/pids.events"))"
else
	fail "the bomb never reached its limit"
fi
n=$(cat "$PIDS/containet/$id@$bomb/pids.current" 2>/dev/null || echo 0)
((n <= 20)) && ok "the bomb has $n processes, at most 20" || fail "the bomb has $n processes"
assert_eq hello "$(sh -c 'echo hello')" "the host still starts processes"
assert_exit 0 "and nodes" run --pids-limit 20 true
node_kill "$id" "$bomb"
wait_until 20 sh -c "! kill -0 $bomb" || fail "containode does not end once its node is killed"
wait "$bomb" && rc=0 || rc=$?
assert_eq 137 "$rc" "the killed bomb: 137"
assert_eq "" "$(left "$id")" "no cgroup left after the bomb"

# CPU quota: 0.5 CPU, from the cgroup's own counter over 2 s of a busy loop: 0.5 s of CPU
# per second, ±20%.
# cpu_usec DIR: CPU time of the cgroup in microseconds (v2 cpu.stat, or v1 cpuacct).
cpu_usec() {
	if [[ -e $1/cpu.stat ]] && grep -q '^usage_usec' "$1/cpu.stat"; then
		awk '$1 == "usage_usec" { print $2 }' "$1/cpu.stat"
	else
		echo $(($(cat "$1/cpuacct.usage") / 1000))
	fi
}
id=cpu$TEST_ID
start_node cpu "$id" --cpus 0.5 sh -c 'while :; do :; done'
cpu=$SPAWNED
cdir=$V2/containet/$id@$cpu
[[ -n $V2 ]] || cdir=$CPU/containet/$id@$cpu
if [[ -e $cdir/cpu.stat || -e $cdir/cpuacct.usage ]]; then
	sleep 0.5 # past the start
	got=
	for try in 1 2 3 4 5 6; do
		t0=${EPOCHREALTIME//[.,]/} u0=$(cpu_usec "$cdir")
		sleep 2
		t1=${EPOCHREALTIME//[.,]/} u1=$(cpu_usec "$cdir")
		# CPU time per second of wall time, in ms
		got=$(((u1 - u0) * 1000 / (t1 - t0)))
		echo "try $try: ${got} ms of CPU per second over $(((t1 - t0) / 1000)) ms"
		((got >= 400 && got <= 600)) && break
	done
	((got >= 400 && got <= 600)) && ok "--cpus 0.5: ${got} ms of CPU per second" ||
		fail "--cpus 0.5: ${got} ms of CPU per second, expected 400-600"
else
	echo "no CPU usage counter in the node's cgroups: the quota is not measured"
fi
node_kill "$id" "$cpu"
wait_until 20 sh -c "! kill -0 $cpu" || fail "containode does not end once its node is killed"
assert_eq "" "$(left "$id")" "no cgroup left after the busy node"

# Every exit path: normal, not found, setup failures (in containode, in the child),
# a signal to containode, and containode itself killed (the next node sweeps).
id=exit$TEST_ID
L=(--memory 64m --cpus 1 --pids-limit 50)
assert_exit 0 "exit 0" run "${L[@]}" -i "$id" true
assert_eq "" "$(left "$id")" "no cgroup left after exit 0"
assert_exit 127 "command not found" run "${L[@]}" -i "$id" nonexistent
assert_eq "" "$(left "$id")" "no cgroup left after exit 127"
assert_exit 125 "a setup that fails in the child" run "${L[@]}" -i "$id" -w /nonexistent true
assert_eq "" "$(left "$id")" "no cgroup left after a failed setup in the child"
assert_exit 125 "a setup that fails in containode" run "${L[@]}" -i "$id" -s "$TEST_TMP/nosock" true
assert_eq 1 "$(wc -l <"$TEST_TMP/last.out")" "one line says why: $(cat "$TEST_TMP/last.out")"
assert_eq "" "$(left "$id")" "no cgroup left after a failed setup in containode"
# A cgroup that cannot be made (a file of that name is there): 125, one line, nothing left
assert_exit 125 "a cgroup that cannot be made" run "${L[@]}" -i "$id" --cgroup-parent cgroup.procs true
assert_eq 1 "$(wc -l <"$TEST_TMP/last.out")" "one line says why: $(cat "$TEST_TMP/last.out")"
assert_eq "" "$(left "$id")" "no cgroup left after a cgroup that cannot be made"
start_node sig "$id" "${L[@]}" payload trap
wait_until 10 grep -q waiting "$TEST_TMP/sig.log" || die "the node did not start"
kill -INT "$SPAWNED"
wait "$SPAWNED" && rc=0 || rc=$?
assert_eq 2 "$rc" "SIGINT: forwarded, the node exits 2"
assert_eq "" "$(left "$id")" "no cgroup left after SIGINT"
start_node killed "$id" "${L[@]}" payload trap
killed=$SPAWNED
wait_until 10 grep -q waiting "$TEST_TMP/killed.log" || die "the node did not start"
kill -KILL "$killed"
wait "$killed" || true
for d in $(dirs_of "$id" "$killed"); do
	wait_until 10 sh -c "[ ! -s $d/cgroup.procs ]" || fail "the node in $d does not end"
done
defer rmdir $(dirs_of "$id" "$killed")
[[ -n $(left "$id") ]] && ok "a killed containode leaves its cgroups" || fail "nothing left"
assert_exit 0 "the next node runs" run "${L[@]}" -i "other$TEST_ID" true
assert_eq "" "$(left "$id")" "and removes what the killed one left, in every hierarchy"

# --cgroup-parent: below containode's own cgroup, or (leading /) at the top; removed after.
id=par$TEST_ID
# (payload trap ends on the SIGTERM that spawn's cleanup sends)
spawn par "$CONTAINODE" -q -r "$ROOT" --ephemeral -i "$id" "${L[@]}" --cgroup-parent "lab$TEST_ID/sub" \
	payload trap
par=$SPAWNED
wait_until 10 grep -q waiting "$TEST_TMP/par.log" || die "the node did not start"
for d in $(dirs_of "$id" "$par" "lab$TEST_ID/sub"); do
	assert_eq 1 "$(wc -l <"$d/cgroup.procs" 2>/dev/null)" "--cgroup-parent: the node is in $d"
done
kill_wait "$par"
for d in "${HIERS[@]}"; do
	assert_fails "--cgroup-parent: $d/lab$TEST_ID is removed" test -e "$d/lab$TEST_ID"
done
# ctl_top CONTROLLER: the top of the hierarchy holding it (v1, else v2).
ctl_top() {
	awk -v c="$1" -v v2="$V2_TOP" '$1 == "cgroup" { n = split($3, a, ","); for (i = 1; i <= n; i++)
		if (a[i] == c) { print $2; found = 1; exit } } END { if (!found) print v2 }' <<<"$MOUNTS"
}
top=containet-$TEST_ID
tops=$( (
	for c in memory cpu pids; do ctl_top $c; done
	echo "$V2_TOP"
) | sort -u | grep .)
spawn abs "$CONTAINODE" -q -r "$ROOT" --ephemeral -i "$id" "${L[@]}" --cgroup-parent "/$top" \
	payload trap
abs=$SPAWNED
wait_until 10 grep -q waiting "$TEST_TMP/abs.log" || die "the node did not start"
for t in $tops; do
	assert_eq 1 "$(wc -l <"$t/$top/$id@$abs/cgroup.procs" 2>/dev/null)" \
		"--cgroup-parent /$top: the node is in $t/$top"
done
kill_wait "$abs"
for t in $tops; do
	assert_fails "--cgroup-parent /$top: $t/$top is removed" test -e "$t/$top"
done
