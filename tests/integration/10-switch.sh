#!/usr/bin/env bash
# The switch with three real taps in three network namespaces, attached over the real
# control protocol: pings, IPv6 neighbour discovery, ports/fdb output, a client killed,
# hostile control messages, bad frames, detach, and a clean SIGTERM.
. "$(dirname "$0")/lib.sh"

SOCK=$TEST_TMP/switch.sock
CTL=$HELPERS/ctltool
NS=()

ports_json() { "$BIN/containet" -s "$SOCK" ports --json; }
has_port() { ports_json | grep -q "\"name\":\"$1\""; }
fd_count() { ls "/proc/$SWITCH/fd" | wc -l; }
# The count once the switch has closed what earlier clients left (it closes on its own time).
settled_fd_count() {
	local a b
	a=$(fd_count)
	for _ in $(seq 50); do
		sleep 0.1
		b=$(fd_count)
		[[ $a == "$b" ]] && break
		a=$b
	done
	echo "$a"
}
rx_drops() { ports_json | grep -o "\"name\":\"$1\"[^}]*\"rx_drops\":[0-9]*" | grep -o '[0-9]*$'; }
ns_ping() { ip netns exec "$1" ping -c 2 -i 0.2 -W 2 "$2" >/dev/null; }

spawn switch "$BIN/containet" -s "$SOCK" -v
SWITCH=$SPAWNED
wait_until 5 test -S "$SOCK" || die "switch did not create its socket"
assert_eq "660" "$(stat -c %a "$SOCK")" "socket created with mode 0660"

for i in 1 2 3; do
	ns=${TEST_ID}s$i
	NS+=("$ns")
	netns_add "$ns"
	spawn "client$i" ip netns exec "$ns" "$CTL" attach "$SOCK" "node$i" eth0
	eval "CLIENT$i=$SPAWNED"
	wait_until 5 grep -q '"ok":true' "$TEST_TMP/client$i.log" || die "attach of node$i failed: $(cat "$TEST_TMP/client$i.log")"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.accept_dad=0
	ip -n "$ns" addr add "10.199.0.$i/24" dev eth0
	ip -n "$ns" link set eth0 up
done
assert_match '"port":"node1-eth0"' "$(cat "$TEST_TMP/client1.log")" "attach replies with the port name"

for pair in "1 2" "1 3" "2 3" "3 1"; do
	set -- $pair
	assert_ok "ping node$1 -> node$2" ns_ping "${NS[$1 - 1]}" "10.199.0.$2"
done

ll2=$(ip -n "${NS[1]}" -6 addr show dev eth0 scope link | awk '/inet6/ { sub("/.*", "", $2); print $2 }')
assert_ok "IPv6 link-local ping (neighbour discovery by multicast)" \
	ip netns exec "${NS[0]}" ping -6 -c 2 -i 0.2 -W 2 "$ll2%eth0"

# ports: three ports with traffic counted, their kind, segment and node's MAC.
json=$(ports_json)
for i in 1 2 3; do
	mac=$(ip netns exec "${NS[i - 1]}" cat /sys/class/net/eth0/address)
	assert_match "\"name\":\"node$i-eth0\",\"node\":\"node$i\",\"ifname\":\"eth0\",\"state\":\"forwarding\",\"kind\":\"tap\",\"segment\":\"default\",\"mac\":\"$mac\",\"rx_frames\":[1-9]" \
		"$json" "ports lists node$i-eth0 with received frames, kind, segment and MAC"
done
table=$("$BIN/containet" -s "$SOCK" ports)
assert_match "^PORT +SEGMENT +KIND +MAC +STATE +RX-FRAMES" "$table" "ports prints a table with a header"
assert_eq 4 "$(echo "$table" | wc -l)" "ports table has one line per port"

# fdb: each namespace's MAC learned on its own port.
fdb=$("$BIN/containet" -s "$SOCK" fdb --json)
for i in 1 2 3; do
	mac=$(cat "/sys/class/net/eth0/address" 2>/dev/null </dev/null || true)
	mac=$(ip netns exec "${NS[i - 1]}" cat /sys/class/net/eth0/address)
	assert_match "\"mac\":\"$mac\",\"port\":\"node$i-eth0\",\"segment\":\"default\",\"vlan\":0" "$fdb" \
		"fdb has node$i's MAC on its port, in the default segment"
done
assert_match "$(ip netns exec "${NS[0]}" cat /sys/class/net/eth0/address) +node1-eth0 +[0-9]+s" \
	"$("$BIN/containet" -s "$SOCK" fdb)" "fdb prints a table"

# Hostile control messages: each gets an error reply, nothing leaks, the switch goes on.
fds_before=$(settled_fd_count)
hostile "not JSON" "not valid JSON" 'hello, switch'
hostile "a JSON array" "not a JSON object" '["op","ports"]'
hostile "unknown op" "unknown op" '{"op":"reboot"}'
hostile "op of the wrong type" 'has no' '{"op":1}'
hostile "attach without an fd" "needs a tap file descriptor" '{"op":"attach","node":"x","ifname":"eth0"}'
hostile "attach with a regular file's fd" "not a tap" '{"op":"attach","node":"x","ifname":"eth0"}' --fd-file /etc/hostname
hostile "attach with two fds" "at most one descriptor" '{"op":"attach","node":"x","ifname":"eth0"}' --fd-file /etc/hostname --fds 2
hostile "attach with a bad node name" "identity" '{"op":"attach","node":"../x","ifname":"eth0"}' --fd-file /etc/hostname
hostile "a port name taken" "exists" '{"op":"attach","node":"node1","ifname":"eth0"}' --fd-tap "${TEST_ID}dup"
# A tap with packet information (no IFF_NO_PI) would have its 4-byte header taken for
# MAC addresses.  TUNGETIFF reports "no filter attached" in the same bit as IFF_NO_PI, so
# the switch must look past it.  Python opens the tap, so any flags can be tried.
attach_flags() { # FLAGS: attaches a tap opened with FLAGS in node1's namespace, prints the reply
	ip netns exec "${NS[0]}" /usr/bin/python3 - "$SOCK" "$1" <<'PY'
import fcntl, os, socket, struct, sys
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH22x", b"pi0", int(sys.argv[2], 0)))  # TUNSETIFF
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
socket.send_fds(s, [b'{"op":"attach","node":"pi","ifname":"eth0"}'], [fd])
print(s.recv(65536).decode())
PY
}
assert_match '"ok":false,"error":".*IFF_NO_PI' "$(attach_flags 0x4002)" \
	"hostile: a tap with packet information (no IFF_NO_PI) is refused"
assert_match '"ok":true,"port":"pi-eth0"' "$(attach_flags 0x5002)" \
	"the same tap opened with IFF_NO_PI is accepted"
hostile "detach of no such port" "no such port" '{"op":"detach","port":"nope-eth0"}'
big=$(printf '{"op":"ports","pad":"%070000d"}' 0)
hostile "a message over 64 KiB" "longer than 65536" "$big"
# A connection's descriptor goes when the switch sees its client hang up, a moment
# after the reply; so the count is awaited, not sampled.
wait_until 5 eval '[[ $(fd_count) == "$fds_before" ]]' &&
	ok "no descriptor leaked by refused requests" ||
	fail "descriptors: $fds_before before the hostile requests, $(fd_count) after"
assert_ok "switch alive after hostile messages" kill -0 "$SWITCH"
assert_ok "forwarding goes on after hostile messages" ns_ping "${NS[0]}" 10.199.0.2
ip link del "${TEST_ID}dup" 2>/dev/null || true

# A peer that is neither root nor the switch's user is refused.
chmod 0755 "$TEST_TMP"
chmod 0666 "$SOCK"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL" send "$SOCK" '{"op":"ports"}' 2>&1 || true)
assert_match '"ok":false,"error":"permission denied"' "$out" "an unauthorised uid is refused"
chmod 0660 "$SOCK"

# --group: a member (through a supplementary group) may use the socket, others may not.
GSOCK=$TEST_TMP/group.sock
spawn gswitch "$BIN/containet" -s "$GSOCK" --group users
wait_until 5 test -S "$GSOCK" || die "second switch did not start"
assert_eq "root:users 660" "$(stat -c '%U:%G %a' "$GSOCK")" "--group: socket owned by the group, mode 0660"
out=$(setpriv --reuid=65534 --regid=65534 --groups="$(getent group users | cut -d: -f3)" \
	"$CTL" send "$GSOCK" '{"op":"ports"}' 2>&1 || true)
assert_match '^\{"ok":true,"ports":\[\]\}$' "$out" "--group: a member of the group is served"
chmod 0666 "$GSOCK"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL" send "$GSOCK" '{"op":"ports"}' 2>&1 || true)
assert_match '"ok":false,"error":"permission denied"' "$out" "--group: a non-member is refused"
assert_exit 2 "--group with an unknown group is a usage error" "$BIN/containet" -s "$TEST_TMP/x.sock" --group no-such-group-here

# Bad frames from a namespace: runt-sized, multicast and zero sources, a reserved group.
drops_before=$(rx_drops node1-eth0)
ip netns exec "${NS[0]}" /usr/bin/python3 - <<'PY'
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
me = open("/sys/class/net/eth0/address").read().strip()
mac = bytes.fromhex(me.replace(":", ""))
frames = [
    bytes(14),                                          # all-zero header: zero source
    b"\xff" * 6 + b"\x01\x00\x5e\x00\x00\x01" + b"\x08\x00" + bytes(46),  # multicast source
    b"\x01\x80\xc2\x00\x00\x00" + mac + b"\x00\x26" + bytes(46),  # STP group: not relayed
]
for f in frames:
    s.send(f)
PY
wait_until 5 eval '(($(rx_drops node1-eth0) >= drops_before + 3))' &&
	ok "bad frames are dropped and counted" || fail "rx_drops of node1 did not grow by 3 (was $drops_before): $(ports_json)"
assert_ok "forwarding goes on after bad frames" ns_ping "${NS[0]}" 10.199.0.3

# SIGKILL a client: its port goes, its tap with it, the others keep forwarding.
# The switch closes a detached tap's descriptor asynchronously, so both are awaited.
kill -KILL "$CLIENT3"
if wait_until 5 eval '! has_port node3-eth0'; then
	ok "port of a killed client goes away"
else
	fail "port node3-eth0 still there 5 s after its client died"
fi
wait_until 5 eval '! ip -n "${NS[2]}" link show eth0' && ok "the killed client's tap is gone from its namespace" ||
	fail "the killed client's tap still exists 5 s after its port went"
assert_ok "the others keep forwarding" ns_ping "${NS[0]}" 10.199.0.2

# detach by name through the protocol.  This node keeps a descriptor of its own tap, so
# the tap outlives the port: frames the switch still wrote to it would show up there.
# node4's client (Python) attaches the tap and then lists every test frame it receives.
cat >"$TEST_TMP/holder.py" <<'PY'
import fcntl, os, socket, struct, sys
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH22x", b"eth0", 0x5002))  # TUNSETIFF, TAP_FLAGS
raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88b5))
raw.bind(("eth0", 0))
c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
c.connect(sys.argv[1])
socket.send_fds(c, [b'{"op":"attach","node":"node4","ifname":"eth0"}'], [fd])
print(c.recv(65536).decode(), flush=True)
while True:
    try:
        frame, addr = raw.recvfrom(65536)
    except OSError:  # ENETDOWN, reported once: the link was down when the socket was bound
        continue
    if addr[2] != socket.PACKET_OUTGOING:
        print("received", frame[:6].hex(), flush=True)
PY
markers() { # DST-MAC COUNT: COUNT test frames (ethertype 0x88b5) from node1 to DST-MAC
	ip netns exec "${NS[0]}" /usr/bin/python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
me = bytes.fromhex(open("/sys/class/net/eth0/address").read().strip().replace(":", ""))
for _ in range(int(sys.argv[2])):
    s.send(bytes.fromhex(sys.argv[1].replace(":", "")) + me + b"\x88\xb5" + bytes(46))
PY
}
received() { grep -c '^received' "$TEST_TMP/node4.log" || true; }
NS4=${TEST_ID}s4
netns_add "$NS4"
spawn node4 ip netns exec "$NS4" /usr/bin/python3 "$TEST_TMP/holder.py" "$SOCK"
wait_until 5 grep -q '"ok":true' "$TEST_TMP/node4.log" || die "attach of node4 failed: $(cat "$TEST_TMP/node4.log")"
ip -n "$NS4" link set eth0 up
mac4=$(ip netns exec "$NS4" cat /sys/class/net/eth0/address)
markers "$mac4" 3
markers ff:ff:ff:ff:ff:ff 3
wait_until 5 eval '(($(received) == 6))' && ok "node4 receives frames to it while attached" ||
	fail "node4 received $(received) of 6 frames while attached"
out=$("$CTL" send "$SOCK" '{"op":"detach","port":"node4-eth0"}')
assert_match '"ok":true,"detached":1' "$out" "detach by port name"
assert_fails "detached port is gone" has_port node4-eth0
assert_ok "the detached node's tap lives on with its own descriptor" ip -n "$NS4" link show eth0
markers "$mac4" 20
markers ff:ff:ff:ff:ff:ff 20
# The switch reads node1's frames in order: once this ping is answered, the frames sent
# before it have been dealt with.
assert_ok "node1 still reaches node2" ns_ping "${NS[0]}" 10.199.0.2
assert_eq 6 "$(received)" "no forwarding to a detached port (unicast or broadcast)"

# SIGTERM: clean exit, socket file removed, remaining clients see the hang-up.
kill -TERM "$SWITCH"
rc=0
wait "$SWITCH" || rc=$?
assert_eq 0 "$rc" "SIGTERM: exit status 0"
assert_fails "SIGTERM: socket file removed" test -e "$SOCK"
wait_until 5 bash -c "! kill -0 $CLIENT1 2>/dev/null" && ok "clients see the switch go away" ||
	fail "client 1 still waiting after the switch ended"

# The command line: help, version, and usage errors with exit 2 and a one-line hint.
assert_exit 0 "--help exits 0" "$BIN/containet" --help
assert_match "Usage: containet -s SOCK" "$(cat "$TEST_TMP/last.out")" "--help prints the usage"
assert_exit 0 "--version exits 0" "$BIN/containet" --version
assert_match "^containet [0-9]+\.[0-9]+" "$(cat "$TEST_TMP/last.out")" "--version prints the version"
assert_exit 2 "no socket is a usage error" "$BIN/containet"
assert_exit 2 "an unknown option is a usage error" "$BIN/containet" -s "$SOCK" --frobnicate
assert_exit 2 "a bad --age is a usage error" "$BIN/containet" -s "$SOCK" --age 12x
assert_match "age wants a number" "$(cat "$TEST_TMP/last.out")" "a bad --age says what is wrong"
assert_exit 2 "--buffers not a power of two" "$BIN/containet" -s "$SOCK" --buffers 100
assert_exit 2 "an unknown client command is a usage error" "$BIN/containet" -s "$SOCK" reboot
assert_exit 1 "client mode without a switch fails" "$BIN/containet" -s "$SOCK" ports
assert_match "^containet: connect to '.*': No such file or directory$" "$(cat "$TEST_TMP/last.out")" \
	"client mode without a switch says why in one line"
