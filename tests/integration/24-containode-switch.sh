#!/usr/bin/env bash
# containode on the containet switch: two containers ping each other, the port lives as
# long as containode (also through SIGKILL), and a restarted switch gets the container
# back on the same socket.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

CONTAINET=$BIN/containet
[[ -x $CONTAINET ]] || skip "the switch ($CONTAINET) is not built"
ROOT=$TEST_TMP/root
make_root "$ROOT"
SOCK=$TEST_TMP/switch.sock
A=${TEST_ID}a B=${TEST_ID}b
RUN=("$CONTAINODE" -q -r "$ROOT" --ephemeral -s "$SOCK")

ports_json() { "$CONTAINET" -s "$SOCK" ports --json; }
has_port() { ports_json | grep -q "\"name\":\"$1\""; }
start_switch() {
	spawn "switch$1" "$CONTAINET" -s "$SOCK"
	SWITCH=$SPAWNED
	# Ready when it answers (the socket file appears a moment before it listens).
	wait_until 5 ports_json || die "the switch does not answer: $(cat "$TEST_TMP/switch$1.log")"
}
# ping_from ID ADDR: pings ADDR from a short-lived container on the switch
ping_from() { "${RUN[@]}" -i "$1" -4 "10.88.0.$2/24" ping -c 2 -i 0.2 -W 2 "$3"; }

start_switch 1
spawn "$A" "${RUN[@]}" -i "$A" -4 10.88.0.1/24 sleep 300
CA=$SPAWNED
wait_until 5 has_port "$A-eth0" || die "the first container's port did not appear"
json=$(ports_json)
assert_match "\"name\":\"$A-eth0\",\"node\":\"$A\",\"ifname\":\"eth0\"" "$json" "the port is named <id>-eth0"

# Two containers, pings both ways
spawn "$B" "${RUN[@]}" -i "$B" -4 10.88.0.2/24 sleep 300
CB=$SPAWNED
wait_until 5 has_port "$B-eth0" || die "the second container's port did not appear"
assert_ok "a container pings the long-lived one through the switch" ping_from "${TEST_ID}p" 3 10.88.0.1
assert_ok "and the other one too" ping_from "${TEST_ID}p" 3 10.88.0.2
fdb=$("$CONTAINET" -s "$SOCK" fdb --json)
mac=$("$CONTAINODE" -q -r "$ROOT" --ephemeral -i "$A" -4 10.88.0.9/24 cat /sys/class/net/eth0/address)
assert_match "\"mac\":\"$mac\",\"port\":\"$A-eth0\"" "$fdb" "the switch learned the identity's MAC on its port"
assert_ok "a gateway route works on the switch" "${RUN[@]}" -i "${TEST_ID}g" -4 10.88.0.4/24 -g 10.88.0.1 \
	sh -c 'ip route | grep -q "default via 10.88.0.1" && ping -c 1 -W 2 10.88.0.2'

# SIGKILL of containode: its port goes away with its connection
kill -KILL "$CB"
wait "$CB" 2>/dev/null || true
if wait_until 5 sh -c "! \"$CONTAINET\" -s \"$SOCK\" ports --json | grep -q '\"name\":\"$B-eth0\"'"; then
	ok "the port is gone after SIGKILL of containode"
else
	fail "port $B-eth0 outlived containode: $(ports_json)"
fi
assert_fails "the killed container no longer answers" ping_from "${TEST_ID}p" 3 10.88.0.2

# The switch restarts on the same socket: the living container attaches again
kill_wait "$SWITCH"
[[ ! -e $SOCK ]] && ok "the switch removed its socket" || fail "socket left behind"
kill -0 "$CA" 2>/dev/null && ok "the container survives the switch" || fail "the container died with the switch"
start_switch 2
if wait_until 5 has_port "$A-eth0"; then
	ok "the container attached again to the new switch"
else
	fail "no port after the restart: $(ports_json)"
fi
assert_ok "the container is reachable again" ping_from "${TEST_ID}p" 3 10.88.0.1
# Several nodes started since: the first after the container's last process was gone
# removed its cgroup.
assert_fails "the killed containode's cgroup went with a later node" test -e "$NODE_CGROUPS/$B@$CB"

# Attaching with a name already taken is refused, with one line and 125
rc=0
"${RUN[@]}" -i "$A" -4 10.88.0.5/24 true 2>"$TEST_TMP/dup.err" || rc=$?
if ((rc == 125)) && [[ $(wc -l <"$TEST_TMP/dup.err") == 1 ]] &&
	grep -q "^containode: attach to the switch at '$SOCK'" "$TEST_TMP/dup.err"; then
	ok "a duplicate port name: 125 and one line"
else
	fail "duplicate port: exit $rc, $(cat "$TEST_TMP/dup.err")"
fi

kill_wait "$CA"
wait_until 5 sh -c "! \"$CONTAINET\" -s \"$SOCK\" ports --json | grep -q '$A-eth0'" &&
	ok "the port is gone after containode exits" || fail "port left: $(ports_json)"
