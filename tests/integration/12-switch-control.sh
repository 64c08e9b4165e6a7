#!/usr/bin/env bash
# The switch's control socket under abuse: descriptors whose close blocks, empty
# messages, NULs in strings, idle connections by the hundred, the descriptor limit,
# another client's detach (with a real containode), and a restart after SIGKILL.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

CONTAINET=$BIN/containet
CTL=$HELPERS/ctltool
PEER=("/usr/bin/python3" "$(dirname "$0")/ctlpeer.py")
SOCK=$TEST_TMP/switch.sock
NS=()

ports_json() { "$CONTAINET" -s "${1:-$SOCK}" ports --json; }
has_port() { ports_json "${2:-$SOCK}" | grep -q "\"name\":\"$1\""; }
# cpu_ticks PID: user + system time of PID, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# max_gap FILE: the longest time between two replies in the output of ping -D, in ms
max_gap() {
	awk -F'[][]' '/bytes from/ { if (last) { g = ($2 - last) * 1000; if (g > max) max = g }
		last = $2 } END { printf "%d\n", max }' "$1"
}
replies() { grep -c 'bytes from' "$1" || true; }

spawn switch "$CONTAINET" -s "$SOCK" -v
SWITCH=$SPAWNED
wait_until 5 ports_json || die "the switch does not answer: $(cat "$TEST_TMP/switch.log")"
for i in 1 2; do
	ns=${TEST_ID}c$i
	NS+=("$ns")
	netns_add "$ns"
	spawn "client$i" ip netns exec "$ns" "$CTL" attach "$SOCK" "node$i" eth0
	wait_until 5 grep -q '"ok":true' "$TEST_TMP/client$i.log" || die "attach of node$i failed: $(cat "$TEST_TMP/client$i.log")"
	ip -n "$ns" addr add "10.197.0.$i/24" dev eth0
	ip -n "$ns" link set eth0 up
done
ip netns exec "${NS[0]}" ping -c 1 -W 2 10.197.0.2 >/dev/null || die "no ping between the two ports"

# Descriptors whose last close blocks (a TCP socket lingering on unsent data) must not
# stop forwarding: every path that refuses a descriptor closes it off the loop's thread.
linger_case() { # DESCRIPTION MESSAGE NFDS REPLY-REGEX
	local d=$1 msg=$2 nfds=$3 want=$4 pid gap n out
	ip netns exec "${NS[0]}" ping -D -i 0.2 -c 20 -W 5 10.197.0.2 >"$TEST_TMP/ping.out" 2>&1 &
	pid=$!
	sleep 0.5
	ip netns exec "${NS[1]}" "${PEER[@]}" linger "$SOCK" "$SWITCH" "$msg" "$nfds" 5 >"$TEST_TMP/linger.out" 2>&1 || true
	wait "$pid" || true
	out=$(cat "$TEST_TMP/linger.out")
	if ! grep -q '^OWN-CLOSE 0\.0' <<<"$out"; then
		fail "$d: the test's own close blocked, so the switch's was not the last: $out"
		return
	fi
	assert_match "REPLY \{$want" "$out" "$d: answered"
	gap=$(max_gap "$TEST_TMP/ping.out")
	n=$(replies "$TEST_TMP/ping.out")
	if ((n >= 15 && gap < 1000)); then
		ok "$d: forwarding went on ($n replies, longest gap ${gap} ms)"
	else
		fail "$d: forwarding stalled: $n replies of 20, longest gap ${gap} ms"
	fi
}
refused='"ok":false,"error":"[^"]*'
linger_case "attach with a lingering TCP socket" '{"op":"attach","node":"x","ifname":"eth0"}' 1 "${refused}not a tap"
linger_case "ports with a lingering TCP socket" '{"op":"ports"}' 1 '"ok":true,"ports":'
linger_case "attach with two lingering TCP sockets" '{"op":"attach","node":"x","ifname":"eth0"}' 2 "${refused}at most one descriptor"
linger_case "a bad request with a lingering TCP socket" '{"op":"ports"' 1 "${refused}not valid JSON"

# An empty message is an empty request, not the end of the connection.
ns=${TEST_ID}c3
netns_add "$ns"
out=$(ip netns exec "$ns" "${PEER[@]}" empty "$SOCK" node3 eth0 2>&1)
assert_match 'EMPTY \{"ok":false,"error":"empty request"\}' "$out" "an empty message gets the empty-request error"
assert_match 'PORTS \{"ok":true,"ports":\[[^]]*"name":"node3-eth0"' "$out" "the connection and its port stay after it"
assert_match 'DETACH \{"ok":true,"detached":1\}' "$out" "a client detaches its own port"
assert_match 'AFTER \{"ok":true,"ports":\[' "$out" "and its connection stays"

# A NUL inside a string cuts nothing: the request is refused whole.
out=$("$CTL" send "$SOCK" '{"op":"detach","node":"node1\u0000zz"}' 2>&1 || true)
assert_match '"ok":false,"error":".*u0000' "$out" "a string holding \\u0000 is refused"
has_port node1-eth0 && ok "and node1's port is still there" || fail "node1's port went: $(ports_json)"

# Idle connections by the hundred: an attach still gets in, and the ones that never
# spoke are closed after the idle timeout (10 s).
ISOCK=$TEST_TMP/idle.sock
spawn iswitch "$CONTAINET" -s "$ISOCK" --max-ports 8
wait_until 5 ports_json "$ISOCK" || die "the idle test's switch does not answer"
spawn idle "${PEER[@]}" idle "$ISOCK" 200 13
wait_until 5 grep -q ready "$TEST_TMP/idle.log" || die "no idle connections: $(cat "$TEST_TMP/idle.log")"
ns=${TEST_ID}c4
netns_add "$ns"
spawn iclient ip netns exec "$ns" "$CTL" attach "$ISOCK" node4 eth0
if wait_until 5 grep -q '"ok":true' "$TEST_TMP/iclient.log"; then
	ok "an attach gets in past 200 idle connections"
else
	fail "an attach is locked out by idle connections: $(cat "$TEST_TMP/iclient.log")"
fi
if wait_until 20 grep -q closed "$TEST_TMP/idle.log"; then
	assert_match "closed 200 of 200" "$(cat "$TEST_TMP/idle.log")" "connections that never spoke are closed"
else
	fail "the idle peer did not report: $(cat "$TEST_TMP/idle.log")"
fi
assert_no_match "refusing" "$(cat "$TEST_TMP/iswitch.log")" "no connection refused in the burst: idle ones made room"
has_port node4-eth0 "$ISOCK" && ok "a connection holding a port outlives the idle timeout" ||
	fail "the attached port went with the idle ones: $(ports_json "$ISOCK")"

# The descriptor limit: the soft limit goes up to the hard one at start ...
spawn lswitch prlimit --nofile=64:4096 "$CONTAINET" -s "$TEST_TMP/limit.sock"
LSWITCH=$SPAWNED
wait_until 5 ports_json "$TEST_TMP/limit.sock" || die "the raised-limit switch does not answer"
assert_match "Max open files +4096 +4096" "$(cat "/proc/$LSWITCH/limits")" "the soft descriptor limit is raised to the hard one"

# ... and at the limit, the switch waits for a connection to close instead of spinning.
FSOCK=$TEST_TMP/full.sock
# (io_uring wants the limit above the port count for its file table.)
spawn fswitch prlimit --nofile=32:32 "$CONTAINET" -s "$FSOCK" --max-ports 8
FSWITCH=$SPAWNED
wait_until 5 ports_json "$FSOCK" || die "the fd-limited switch does not answer"
spawn flood "${PEER[@]}" flood "$FSOCK" 60 "$TEST_TMP/flood.stop"
wait_until 5 grep -q ready "$TEST_TMP/flood.log" || die "no flood: $(cat "$TEST_TMP/flood.log")"
sleep 0.5
t0=$(cpu_ticks "$FSWITCH")
sleep 2
t1=$(cpu_ticks "$FSWITCH")
if ((t1 - t0 < 50)); then
	ok "out of descriptors, the switch is idle ($((t1 - t0)) ticks of CPU in 2 s)"
else
	fail "out of descriptors, the switch spins: $((t1 - t0)) ticks of CPU in 2 s"
fi
n=$(grep -c 'Too many open files' "$TEST_TMP/fswitch.log" || true)
assert_eq 1 "$n" "one line in the log about the descriptor limit"
touch "$TEST_TMP/flood.stop"
if wait_until 10 ports_json "$FSOCK"; then
	ok "clients are served again once connections close"
else
	fail "the switch serves nobody after the flood: $(tail -n 3 "$TEST_TMP/fswitch.log")"
fi

# Another client's detach: the owner's connection is closed, so containode attaches again.
CSOCK=$TEST_TMP/node.sock
ROOT=$TEST_TMP/root
make_root "$ROOT"
RUN=("$CONTAINODE" -q -r "$ROOT" --ephemeral -s "$CSOCK")
A=${TEST_ID}a
spawn cswitch "$CONTAINET" -s "$CSOCK"
wait_until 5 ports_json "$CSOCK" || die "the containode test's switch does not answer"
spawn "$A" "${RUN[@]}" -i "$A" -4 10.87.0.1/24 sleep 300
wait_until 5 has_port "$A-eth0" "$CSOCK" || die "the container's port did not appear: $(cat "$TEST_TMP/$A.log")"
out=$("$CTL" send "$CSOCK" "{\"op\":\"detach\",\"port\":\"$A-eth0\"}" 2>&1 || true)
assert_match '"ok":true,"detached":1' "$out" "another client detaches the container's port"
if wait_until 10 has_port "$A-eth0" "$CSOCK"; then
	ok "containode attaches its port again"
else
	fail "the container's port stays detached: $(ports_json "$CSOCK")"
fi
assert_ok "the container is reachable again" \
	"${RUN[@]}" -i "${TEST_ID}p" -4 10.87.0.3/24 ping -c 2 -i 0.2 -W 2 10.87.0.1

# A restart right after SIGKILL takes the socket over; a live switch keeps it.
RSOCK=$TEST_TMP/restart.sock
spawn rswitch "$CONTAINET" -s "$RSOCK"
wait_until 5 ports_json "$RSOCK" || die "the restart test's switch does not answer"
restarted=0
for i in 1 2 3 4 5; do
	kill -KILL "$SPAWNED"
	spawn "rswitch$i" "$CONTAINET" -s "$RSOCK"
	wait_until 5 ports_json "$RSOCK" && kill -0 "$SPAWNED" 2>/dev/null || break
	restarted=$i
done
assert_eq 5 "$restarted" "restarts right after SIGKILL take the socket over ($(cat "$TEST_TMP/rswitch$i.log"))"
assert_exit 1 "a second switch on a live one's socket is refused" "$CONTAINET" -s "$RSOCK"
assert_match "another switch is listening there" "$(cat "$TEST_TMP/last.out")" "and says why"
assert_ok "the live one still answers" ports_json "$RSOCK"

# systemd's Type=notify: READY=1 on $NOTIFY_SOCKET (an abstract name, then a path) once
# the control socket listens.  The listener asks the switch for its ports the moment the
# datagram arrives: a READY=1 sent before listen() would meet a refused connection.
cat >"$TEST_TMP/notify.py" <<'PYEOF'
import socket, sys
addr, ctl = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
s.settimeout(20)
print("listening", flush=True)
msg = s.recv(4096).decode()
c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
try:
    c.connect(ctl)
    c.send(b'{"op":"ports"}')
    reply = c.recv(65536).decode()
except OSError as e:
    reply = "connect: %s" % e
print("GOT %s" % msg, flush=True)
print("REPLY %s" % reply, flush=True)
PYEOF
notify_case() { # DESCRIPTION NOTIFY_SOCKET
	local d=$1 addr=$2 sock=$TEST_TMP/notify-$RANDOM.sock pid
	spawn notify "/usr/bin/python3" "$TEST_TMP/notify.py" "$addr" "$sock"
	pid=$SPAWNED
	wait_until 5 grep -q listening "$TEST_TMP/notify.log" || { fail "$d: no listener: $(cat "$TEST_TMP/notify.log")"; return; }
	spawn nswitch env NOTIFY_SOCKET="$addr" "$CONTAINET" -s "$sock"
	if wait_until 20 grep -q REPLY "$TEST_TMP/notify.log"; then
		assert_match '^GOT READY=1$' "$(grep GOT "$TEST_TMP/notify.log")" "$d: the switch sends READY=1"
		assert_match '^REPLY \{"ok":true,"ports":\[' "$(grep REPLY "$TEST_TMP/notify.log")" "$d: its control socket answers when READY=1 arrives"
	else
		fail "$d: no READY=1 in 20 s: $(cat "$TEST_TMP/notify.log" "$TEST_TMP/nswitch.log")"
	fi
	kill_wait "$SPAWNED"
	kill_wait "$pid"
}
notify_case "sd_notify to an abstract socket" "@containet-test-$TEST_ID"
notify_case "sd_notify to a socket path" "$TEST_TMP/notify"
# A NOTIFY_SOCKET the switch cannot use is a warning, not a failure to start.
spawn bswitch env NOTIFY_SOCKET=relative/notify "$CONTAINET" -s "$TEST_TMP/badnotify.sock"
if wait_until 5 ports_json "$TEST_TMP/badnotify.sock"; then
	ok "a bad NOTIFY_SOCKET does not stop the switch"
	assert_match "NOTIFY_SOCKET.*ignoring" "$(cat "$TEST_TMP/bswitch.log")" "and it says so"
else
	fail "a bad NOTIFY_SOCKET stopped the switch: $(cat "$TEST_TMP/bswitch.log")"
fi
