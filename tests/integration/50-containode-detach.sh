#!/usr/bin/env bash
# containode run -d and the life cycle of a detached node: the identity printed once the
# command runs; the supervisor a session leader without a terminal that ignores SIGHUP;
# --name unique; ps (table and JSON), inspect, unique prefixes; stop of a node that
# ignores SIGTERM ends within its timeout, and three such nodes each get the signal and
# end together; kill; pause freezes a busy loop and resume thaws it; SIGKILL of the
# supervisor takes the node along and ps says dead; rm refuses a running node without -f
# and leaves no state or cgroup; 100 nodes started, listed, stopped and removed; a
# detached node on a switch is listed again when the switch restarts, and rm leaves no
# port, interface or mount of it.  The verb-less form is unchanged and `containode -- ps`
# runs ps.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

command -v jq >/dev/null || skip "jq is not installed"
detached_setup

# The node's cgroup directories, as state.json lists them.
cgroups_of() { jq -r '.cgroups[].path' "$CONTAINODE_STATE/$1/state.json"; }
ms() { echo $((${EPOCHREALTIME//[.,]/} / 1000)); }

# --- run -d ---
out=$("${RUN[@]}" --name web sh -c 'echo started; exec sleep 1000')
assert_eq web "$out" "run -d prints the node's identity, one line"
assert_eq running "$(status_of web)" "ps says running"
pid=$(field web pid)
sup=$(field web supervisor)
assert_match '^[0-9]+$' "$(field web pid_start)" "state.json has the pid's start time"
assert_eq "$(cut -d' ' -f22 "/proc/$pid/stat")" "$(field web pid_start)" \
	"the start time is that of the node's PID 1"
assert_match 'sleep 1000' "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "the node's command runs"
stat=($(sed 's/.*) //' "/proc/$sup/stat"))
# after "(comm) ": state ppid pgrp session tty_nr
assert_eq "$sup $sup 0" "${stat[2]} ${stat[3]} ${stat[4]}" \
	"the supervisor leads a session of its own, without a terminal"
kill -HUP "$sup"
sleep 0.2
assert_eq running "$(status_of web)" "the supervisor ignores SIGHUP"
assert_exit 125 "a name in use is refused" "${RUN[@]}" --name web true
assert_match "name 'web' is in use" "$(cat "$TEST_TMP/last.out")" "the error names it"
assert_exit 2 "an invalid name is a usage error" "${RUN[@]}" --name ../x true
assert_exit 127 "run -d of a missing command: 127, said on stderr" \
	"${RUN[@]}" --name nocmd /no/such/command
assert_match "exec '/no/such/command'" "$(cat "$TEST_TMP/last.out")" "the error reaches the caller"
assert_eq "" "$("$C" ps -a -q | grep -x nocmd || true)" "a node that failed to start leaves no state"

# --- ps, inspect, prefixes ---
"${RUN[@]}" --name web2 sleep 1000 >/dev/null
json=$("$C" ps --json)
assert_eq "web web2" "$(jq -r '[.[].id] | sort | join(" ")' <<<"$json")" "ps --json lists both"
assert_eq "true" "$(jq '.[0] | has("id") and has("pid") and has("status") and has("exit_code")
	and has("image") and has("command") and has("created") and has("ports")
	and has("switch_ports")' <<<"$json")" "ps --json has the contract's fields"
assert_match '^web +/.*running' "$("$C" ps | grep '^web ')" "ps shows a table"
assert_eq web2 "$("$C" inspect web2 | jq -r .id)" "inspect prints the state as JSON"
assert_eq web2 "$("$C" --state-dir "$CONTAINODE_STATE" inspect web2 | jq -r .id)" \
	"--state-dir before the verb"
assert_eq web2 "$(CONTAINODE_STATE=/nonexistent "$C" inspect --state-dir "$CONTAINODE_STATE" web2 |
	jq -r .id)" "--state-dir after the verb"
assert_eq web2 "$("$C" inspect web2 | jq -r .id)" "an exact identity wins over a longer one"
assert_exit 1 "an ambiguous prefix is refused" "$C" inspect we
assert_match "several nodes" "$(cat "$TEST_TMP/last.out")" "the error says why"
"${RUN[@]}" --name xylophone sleep 1000 >/dev/null
assert_eq xylophone "$("$C" inspect xy | jq -r .id)" "a unique prefix resolves"
assert_exit 1 "an unknown node is an error" "$C" inspect nosuch
assert_exit 2 "an unknown option is a usage error" "$C" ps --bogus

# --- stop ---
# A shell as PID 1 ignores SIGTERM (the kernel drops it: no handler), so stop must kill.
t0=$(ms)
assert_ok "stop -t 1 of a node that ignores SIGTERM" "$C" stop -t 1 web
t1=$(ms)
echo "stop -t 1 of a SIGTERM-ignoring node took $((t1 - t0)) ms (limit 1100 ms unloaded)"
if ((t1 - t0 >= 1000 && t1 - t0 < 2500)); then ok "stop ended after the timeout, not much later"
else fail "stop took $((t1 - t0)) ms with -t 1"; fi
assert_eq exited "$(status_of web)" "ps -a says exited"
assert_eq 137 "$(field web exit_code)" "killed: exit code 137"
assert_fails "the node's PID 1 is gone" kill -0 "$pid"
assert_eq "" "$("$C" ps -q | grep -x web || true)" "ps without -a leaves it out"
"${RUN[@]}" --name trapper sh -c 'trap "exit 3" TERM; touch /tmp/trapped; while :; do sleep 0.05; done' >/dev/null
wait_until 5 test -e "/proc/$(field trapper pid)/root/tmp/trapped" || true
t0=$(ms)
"$C" stop trapper >/dev/null
t1=$(ms)
assert_eq 3 "$(field trapper exit_code)" "a node that handles its stop signal exits by itself"
if ((t1 - t0 < 5000)); then ok "without waiting for the timeout ($((t1 - t0)) ms)"; else
	fail "stop of a node that exits on SIGTERM took $((t1 - t0)) ms"; fi
# A forking node: every process goes, none escapes.
"${RUN[@]}" --name forker sh -c 'while :; do sleep 1000 & sleep 0.01; done' >/dev/null
sleep 0.3
cgs=$(cgroups_of forker)
"$C" stop -t 0 forker >/dev/null
left=""
for d in $cgs; do [[ -e $d/cgroup.procs ]] && left+=$(cat "$d/cgroup.procs"); done
assert_eq "" "$left" "stop leaves no process of a forking node"
# Several nodes that note SIGTERM and go on: each is signalled, and all are killed.
mkdir "$TEST_TMP/sig"
for n in t1 t2 t3; do
	"${RUN[@]}" --name "$n" --volume "$TEST_TMP/sig:/sig" \
		sh -c "trap 'touch /sig/$n' TERM; touch /tmp/ready; while :; do sleep 0.05; done" >/dev/null
	wait_until 5 test -e "/proc/$(field "$n" pid)/root/tmp/ready" || true
done
assert_ok "stop -t 1 of three nodes that ignore SIGTERM" "$C" stop -t 1 t1 t2 t3
assert_eq "t1 t2 t3" "$(ls "$TEST_TMP/sig" | xargs)" "each got its stop signal"
assert_eq "137 137 137" "$(for n in t1 t2 t3; do field "$n" exit_code; done | xargs)" \
	"and all were killed"
assert_ok "rm of the three" "$C" rm t1 t2 t3

# --- kill ---
"${RUN[@]}" --name trapper2 sh -c 'trap "exit 4" USR1; touch /tmp/trapped; while :; do sleep 0.05; done' >/dev/null
wait_until 5 test -e "/proc/$(field trapper2 pid)/root/tmp/trapped" || true
assert_ok "kill -s USR1" "$C" kill -s USR1 trapper2
wait_until 5 is_status trapper2 exited || true
assert_eq 4 "$(field trapper2 exit_code)" "the node got SIGUSR1"
assert_exit 2 "kill -s with an unknown signal" "$C" kill -s NOPE xylophone
assert_ok "kill (SIGKILL)" "$C" kill xylophone
wait_until 5 is_status xylophone exited || true
assert_eq 137 "$(field xylophone exit_code)" "killed by SIGKILL: 137"
assert_exit 1 "kill of a node that is not running" "$C" kill xylophone

# --- pause, resume ---
"${RUN[@]}" --name busy sh -c 'while :; do :; done' >/dev/null
bpid=$(field busy pid)
ticks() { awk '{ print $14 + $15 }' "/proc/$bpid/stat"; }
assert_ok "pause" "$C" pause busy
assert_eq paused "$(status_of busy)" "ps says paused"
a=$(ticks)
sleep 1
b=$(ticks)
assert_eq "$a" "$b" "a paused busy loop gets no CPU time over 1 s"
assert_exit 125 "exec into a paused node is refused" "$C" exec busy true
assert_ok "resume" "$C" resume busy
assert_eq running "$(status_of busy)" "ps says running again"
sleep 0.5
c=$(ticks)
if ((c > b)); then ok "the resumed loop runs ($b -> $c ticks)"; else fail "no CPU time after resume"; fi
assert_ok "a paused node stops" "$C" pause busy
assert_ok "stop of a paused node" "$C" stop -t 1 busy
assert_eq exited "$(status_of busy)" "and it is exited"

# --- a killed supervisor, rm ---
"${RUN[@]}" --name victim sleep 1000 >/dev/null
vpid=$(field victim pid)
vsup=$(field victim supervisor)
vcg=$(cgroups_of victim)
kill -KILL "$vsup"
wait_until 5 sh -c "! kill -0 $vpid" && ok "SIGKILL of the supervisor kills the node" ||
	fail "the node outlived its supervisor"
assert_eq dead "$(status_of victim)" "ps says dead"
assert_match "victim .*dead" "$("$C" ps)" "ps without -a shows a dead node"
assert_ok "rm of a dead node" "$C" rm victim
assert_fails "its state directory is gone" test -e "$CONTAINODE_STATE/victim"
left=""
for d in $vcg; do [[ -e $d ]] && left+=" $d"; done
assert_eq "" "$left" "rm removed its cgroups"
"${RUN[@]}" --name running sleep 1000 >/dev/null
rcg=$(cgroups_of running)
assert_exit 1 "rm refuses a running node" "$C" rm running
assert_match "stop it first, or rm -f" "$(cat "$TEST_TMP/last.out")" "and says what to do"
assert_ok "rm -f" "$C" rm -f running
left=""
for d in $rcg; do [[ -e $d ]] && left+=" $d"; done
assert_eq "" "$left" "rm -f leaves no cgroup"
assert_ok "rm -f of a running one and exited ones" "$C" rm -f web2
# A state file cut short (not fsynced: a crash of the machine may leave it so).
"${RUN[@]}" --name torn true >/dev/null
wait_until 5 sh -c "[ \"\$(jq -r .status '$CONTAINODE_STATE/torn/state.json')\" = exited ]" ||
	fail "torn did not exit"
: >"$CONTAINODE_STATE/torn/state.json"
assert_exit 1 "rm refuses a node whose state cannot be read" "$C" rm torn
assert_match "rm -f torn removes the state directory" "$(cat "$TEST_TMP/last.out")" \
	"and says that rm -f removes it"
assert_ok "rm -f of a node whose state cannot be read" "$C" rm -f torn
assert_fails "its state directory is gone" test -e "$CONTAINODE_STATE/torn"
assert_ok "rm of exited nodes" "$C" rm web trapper trapper2 forker xylophone busy
assert_eq "" "$(ls "$CONTAINODE_STATE")" "nothing is left in the state directory"

# --- a detached node on a switch ---
CONTAINET=$BIN/containet
[[ -x $CONTAINET ]] || die "the switch ($CONTAINET) is not built"
SOCK=$TEST_TMP/sw.sock
D=${TEST_ID}d
ports_json() { "$CONTAINET" -s "$SOCK" ports --json; }
has_port() { ports_json | grep -q "\"name\":\"$D-eth0\""; }
start_switch() {
	spawn "switch$1" "$CONTAINET" -s "$SOCK"
	SWITCH=$SPAWNED
	wait_until 5 ports_json || die "the switch does not answer: $(cat "$TEST_TMP/switch$1.log")"
}
ping_it() { "$C" -q -r "$ROOT" --ephemeral -i "${TEST_ID}p" -4 10.89.0.3/24 -s "$SOCK" \
	ping -c 2 -i 0.2 -W 2 10.89.0.1; }
start_switch 1
"${RUN[@]}" --name "$D" -s "$SOCK" -4 10.89.0.1/24 sleep 1000 >/dev/null
wait_until 5 has_port || fail "the detached node's port did not appear"
assert_ok "a detached node answers through the switch" ping_it
kill_wait "$SWITCH"
start_switch 2
wait_until 5 has_port && ok "it is listed again once the switch restarts" ||
	fail "no port after the restart: $(ports_json)"
assert_ok "and answers again" ping_it
dpid=$(field "$D" pid)
assert_ok "rm -f of the node on the switch" "$C" rm -f "$D"
wait_until 5 sh -c "! '$CONTAINET' -s '$SOCK' ports --json | grep -q '$D-eth0'" &&
	ok "its port is gone from the switch" || fail "port left: $(ports_json)"
assert_eq "" "$(ip -o link | grep -F "$D" || true)" "no interface of it is left in the host's netns"
assert_eq "" "$(grep -F "$D" /proc/self/mountinfo || true)" "no mount of it is left"
assert_fails "its PID 1 is gone" kill -0 "$dpid"
kill_wait "$SWITCH"

# --- the verb-less form ---
assert_exit 0 "the form without a verb runs as before" "$C" -q -r "$ROOT" --ephemeral true
assert_exit 0 "run in the foreground" "$C" run -q -r "$ROOT" --ephemeral true
assert_eq "1" "$("$C" -q -r "$ROOT" --ephemeral -- ps -o pid | tail -n +2 | tr -d ' ' | head -1)" \
	"'containode -- ps' runs ps (in the node: PID 1)"
assert_eq "" "$(ls "$CONTAINODE_STATE")" "a foreground node leaves no state"

# --- 100 nodes ---
t0=$(ms)
for i in $(seq 1 100); do "${RUN[@]}" --name "n$i" sleep 1000 >/dev/null || fail "start n$i"; done
t1=$(ms)
echo "100 nodes started in $((t1 - t0)) ms"
t0=$(ms)
"$C" ps --json >"$TEST_TMP/ps.json"
t1=$(ms)
assert_eq 100 "$(jq length "$TEST_TMP/ps.json")" "ps --json lists 100 nodes"
echo "ps --json of 100 nodes: $((t1 - t0)) ms (target 50 ms)"
assert_ok "stop of 100 nodes" "$C" stop -t 0 $(seq -f 'n%g' 1 100)
assert_eq 100 "$("$C" ps -a --json | jq '[.[] | select(.status == "exited")] | length')" \
	"all 100 exited"
assert_ok "rm of 100 nodes" "$C" rm $(seq -f 'n%g' 1 100)
assert_eq "" "$(ls "$CONTAINODE_STATE")" "and removed"
