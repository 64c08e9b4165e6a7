#!/usr/bin/env bash
# The switch's data path under load and at its limits, with real taps in network
# namespaces: a port that ran the shared frame pool dry keeps being read.
. "$(dirname "$0")/lib.sh"

CTL=$HELPERS/ctltool
NS=()

ports_json() { "$BIN/containet" -s "$SOCK" ports --json; }
port_field() { # PORT FIELD: a numeric or string field of a port in the ports listing
	ports_json | grep -o "\"name\":\"$1\"[^}]*\"$2\":[^,}]*" | sed 's/.*://; s/"//g'
}
ping1() { ip netns exec "$1" ping -c 1 -W 2 "$2" >/dev/null; }

# start_switch NAME [OPTIONS...]: a switch on $TEST_TMP/NAME.sock, answering.
start_switch() {
	SOCK=$TEST_TMP/$1.sock
	spawn "$1" "$BIN/containet" -s "$SOCK" "${@:2}"
	SWITCH=$SPAWNED
	wait_until 5 ports_json || die "the switch does not answer: $(cat "$TEST_TMP/$1.log")"
}

# node NAME I: namespace NAME with tap eth0 attached to the switch as node NAME, address
# 10.198.0.I/24.  IPv6 is off, so a node sends only what the test makes it send.
node() {
	local ns=$TEST_ID$1
	netns_add "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	spawn "attach-$1" ip netns exec "$ns" "$CTL" attach "$SOCK" "$1" eth0
	wait_until 5 grep -q '"ok":true' "$TEST_TMP/attach-$1.log" ||
		die "attach of $1 failed: $(cat "$TEST_TMP/attach-$1.log")"
	ip -n "$ns" addr add "10.198.0.$2/24" dev eth0
	ip -n "$ns" link set eth0 up
}

# burst NS COUNT own|broadcast|sources: COUNT frames from NS's eth0, to its own MAC, to
# all, or to its own MAC from COUNT made-up source addresses.
burst() {
	ip netns exec "$1" /usr/bin/python3 - "$2" "$3" <<'PY'
import socket, sys, time
count, kind = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
me = bytes.fromhex(open("/sys/class/net/eth0/address").read().strip().replace(":", ""))
dst = me if kind == "own" else b"\xff" * 6
sent = 0
while sent < count:
    src = b"\x02\xee\x00" + sent.to_bytes(3, "big") if kind == "sources" else me
    frame = dst + src + b"\x88\xb5" + bytes(46)  # local experimental ethertype
    try:
        s.send(frame)
        sent += 1
    except OSError:  # the tap's queue is full: let the switch catch up
        time.sleep(0.001)
PY
}

# --- A port whose frames all went nowhere is still read -------------------------------
# A burst of frames that are dropped (addressed to the sender itself) takes every buffer of
# the pool at once; the read ends with ENOBUFS while the buffers come back in earlier
# batches.  The port must be read again: its very next frame (an ARP request) is forwarded.
start_switch sw1
node a1 1
node a2 2
node a3 3
assert_ok "three nodes ping before the burst" ping1 "${TEST_ID}a1" 10.198.0.2
for round in 1 2 3; do
	burst "${TEST_ID}a1" 3000 own
	ip -n "${TEST_ID}a1" neigh flush dev eth0
	assert_ok "after 3000 frames to itself (round $round), node a1 pings at once" \
		ping1 "${TEST_ID}a1" 10.198.0.3
done
assert_eq forwarding "$(port_field a1-eth0 state)" "ports lists a1-eth0 as forwarding"
drops=$(port_field a1-eth0 rx_drops)
(( drops >= 3000 )) && ok "the frames to itself were dropped and counted ($drops)" ||
	fail "a1-eth0 counts $drops dropped frames, expected at least 3000"

# --- A lone port flooding to nobody is still read --------------------------------------
# Broadcasts from the only port of a switch are flooded to no port at all; when a second
# node arrives, the first one's next frame must reach it.
start_switch sw2
node b1 1
burst "${TEST_ID}b1" 2000 broadcast
node b2 2
assert_ok "after 2000 broadcasts alone, node b1 pings a newcomer at once" \
	ping1 "${TEST_ID}b1" 10.198.0.2
assert_eq forwarding "$(port_field b1-eth0 state)" "ports lists b1-eth0 as forwarding"

# --- A full forwarding table refuses new stations, counts them, and forwards on ----------
start_switch sw3 --fdb-max 8
node c1 1
node c2 2
node c3 3
assert_ok "c1 pings c2 before the table fills" ping1 "${TEST_ID}c1" 10.198.0.2
assert_ok "c1 pings c3 before the table fills" ping1 "${TEST_ID}c1" 10.198.0.3
learn_refused() { "$BIN/containet" -s "$SOCK" fdb --json | grep -o '"learn_refused":[0-9]*' | grep -o '[0-9]*$'; }
# Every frame of the burst has a new source: the table's 5 free places take the first 5,
# every other one is refused and counted.  Counted as the switch reads them, so awaited;
# a few frames of c1's own (ARP) may come in between.
refused_all() {
	local refused rx
	refused=$(learn_refused)
	rx=$(($(port_field c1-eth0 rx_frames) - rx0))
	((refused + 5 <= rx && rx <= refused + 5 + 3))
}
rx0=$(port_field c1-eth0 rx_frames)
burst "${TEST_ID}c1" 2000 sources
if wait_until 5 refused_all; then
	ok "the full table refused the new stations and counted them ($(learn_refused))"
else
	fail "learn_refused is '$(learn_refused)' after $(($(port_field c1-eth0 rx_frames) - rx0)) frames with new sources"
fi
(($(learn_refused) >= 500)) && ok "most of the burst reached the switch" ||
	fail "only $(learn_refused) frames of the burst were refused"
fdb=$("$BIN/containet" -s "$SOCK" fdb --json)
mac2=$(ip netns exec "${TEST_ID}c2" cat /sys/class/net/eth0/address)
assert_match "\"mac\":\"$mac2\",\"port\":\"c2-eth0\"" "$fdb" "a station learned before stays in the full table"
assert_ok "c2 pings c3 with the table full" ping1 "${TEST_ID}c2" 10.198.0.3
assert_ok "c3 pings c1 with the table full" ping1 "${TEST_ID}c3" 10.198.0.1
