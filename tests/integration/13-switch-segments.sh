#!/usr/bin/env bash
# Segments: broadcast domains inside one switch, separated by membership.  Two segments
# and the default one share an IP subnet, so only the switch keeps them apart: no ping,
# no ARP, no frame crosses.  Inside a segment, 802.1Q-tagged frames pass unchanged.
# Then the listings, the CLI, and hostile segment requests.
. "$(dirname "$0")/lib.sh"

CONTAINET=$BIN/containet
CTL=$HELPERS/ctltool
SOCK=$TEST_TMP/switch.sock

ports_json() { "$CONTAINET" -s "$SOCK" ports --json; }
port_field() { # PORT FIELD
	ports_json | grep -o "\"name\":\"$1\"[^}]*\"$2\":[^,}]*" | sed 's/.*://; s/"//g'
}
mac_of() { ip netns exec "$TEST_ID$1" cat /sys/class/net/eth0/address; }

# node NAME I [SEGMENT]: namespace $TEST_ID<NAME>, tap eth0 attached as node NAME (to
# SEGMENT when given, else as a client that names none), address 10.196.0.I/24, no IPv6.
node() {
	local ns=$TEST_ID$1
	netns_add "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	spawn "attach-$1" ip netns exec "$ns" "$CTL" attach "$SOCK" "$1" eth0 ${3:+"$3"}
	eval "PID_${1//[^a-zA-Z0-9_]/_}=$SPAWNED"
	wait_until 5 grep -q '"ok":true' "$TEST_TMP/attach-$1.log" ||
		die "attach of $1 failed: $(cat "$TEST_TMP/attach-$1.log")"
	ip -n "$ns" addr add "10.196.0.$2/24" dev eth0
	ip -n "$ns" link set eth0 up
}

# The switch runs in a namespace of its own: nothing here touches the host's network.
SWNS=${TEST_ID}sw
netns_add "$SWNS"
spawn switch ip netns exec "$SWNS" "$CONTAINET" -s "$SOCK" -v
SWITCH=$SPAWNED
wait_until 5 ports_json >/dev/null || die "the switch does not answer: $(cat "$TEST_TMP/switch.log")"

# --- Segments: add, list ------------------------------------------------------------
assert_match '^\{"ok":true,"segments":\[\{"name":"default","mtu":1500,"ports":0\}\]\}$' \
	"$("$CONTAINET" -s "$SOCK" segments --json)" "a new switch has the default segment alone"
assert_ok "segment add lan1" "$CONTAINET" -s "$SOCK" segment add lan1
assert_ok "segment add lan2 --mtu 1400" "$CONTAINET" -s "$SOCK" segment add lan2 --mtu 1400
out=$("$CTL" send "$SOCK" '{"op":"segment-add","name":"lan3","mtu":9000}')
assert_eq '{"ok":true,"segment":{"name":"lan3","mtu":9000,"ports":0}}' "$out" \
	"segment-add replies with the segment"
assert_exit 1 "segment add of an existing name fails" "$CONTAINET" -s "$SOCK" segment add lan1
assert_match "segment-add: segment 'lan1' exists" "$(cat "$TEST_TMP/last.out")" \
	"... and says why"

node a1 1 lan1
node a2 2 lan1
node b1 3 lan2
node d1 4 # an old client: no segment named, lands in the default one
assert_match '"port":"a1-eth0","segment":"lan1"' "$(cat "$TEST_TMP/attach-a1.log")" \
	"attach replies with the segment"
assert_match '"port":"d1-eth0","segment":"default"' "$(cat "$TEST_TMP/attach-d1.log")" \
	"a client naming no segment lands in the default one"

# --- Separation ---------------------------------------------------------------------
assert_ok "a1 pings a2 in its segment" ip netns exec "${TEST_ID}a1" ping -c 2 -i 0.2 -W 2 10.196.0.2
assert_fails "a1 cannot ping b1 in another segment" \
	ip netns exec "${TEST_ID}a1" ping -c 2 -i 0.2 -W 1 10.196.0.3
assert_fails "a1 cannot ping d1 in the default segment" \
	ip netns exec "${TEST_ID}a1" ping -c 2 -i 0.2 -W 1 10.196.0.4
assert_fails "b1 cannot ping a2" ip netns exec "${TEST_ID}b1" ping -c 2 -i 0.2 -W 1 10.196.0.2
assert_fails "d1 cannot ping a1" ip netns exec "${TEST_ID}d1" ping -c 2 -i 0.2 -W 1 10.196.0.1
# A unicast frame to a MAC the switch knows in another segment floods in the sender's
# segment alone (the table is keyed by segment): b1's MAC, sent from a1.
ip netns exec "${TEST_ID}a1" /usr/bin/python3 - "$(mac_of b1)" <<'PY'
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
me = bytes.fromhex(open("/sys/class/net/eth0/address").read().strip().replace(":", ""))
for _ in range(5):
    s.send(bytes.fromhex(sys.argv[1].replace(":", "")) + me + b"\x88\xb5" + bytes(46))
PY
# The switch reads a1's frames in order: once a1 reaches a2, those frames are dealt with.
assert_ok "a1 still reaches a2" ip netns exec "${TEST_ID}a1" ping -c 1 -W 2 10.196.0.2
# b1 and d1 sent ARP requests of their own, which nobody outside their segment answers;
# what the switch delivered to them came from other segments, and must be nothing.
assert_eq 0 "$(port_field b1-eth0 tx_frames)" "0 frames crossed into lan2 (ping, ARP, unicast)"
assert_eq 0 "$(port_field d1-eth0 tx_frames)" "0 frames crossed into the default segment"
assert_ok "a1's ARP did not reach b1: no neighbour entry for a1 there" \
	bash -c "! ip -n ${TEST_ID}b1 neigh show 10.196.0.1 | grep -q lladdr"

# --- 802.1Q-tagged frames pass unchanged inside a segment --------------------------
# The receiving kernel moves the tag into PACKET_AUXDATA: the VID is read from there.
cat >"$TEST_TMP/tagrecv.py" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.setsockopt(263, 8, 1)  # SOL_PACKET, PACKET_AUXDATA
s.bind(("eth0", 0))
print("ready", flush=True)
while True:
    data, anc, _, addr = s.recvmsg(65536, 256)
    if addr[2] == socket.PACKET_OUTGOING or b"tagged-marker" not in data:
        continue
    vid = tpid = None
    for level, kind, payload in anc:
        if level == 263 and kind == 8:
            status, _, _, _, _, tci, tpid = struct.unpack("IIIHHHH", payload[:20])
            if status & (1 << 4):  # TP_STATUS_VLAN_VALID
                vid = tci & 0xfff
    print("frame", data.hex(), "vid", vid, "tpid", hex(tpid or 0), flush=True)
PY
spawn tagrecv ip netns exec "${TEST_ID}a2" /usr/bin/python3 "$TEST_TMP/tagrecv.py"
wait_until 5 grep -q ready "$TEST_TMP/tagrecv.log" || die "tag receiver did not start"
b1_tx=$(port_field b1-eth0 tx_frames)
ip netns exec "${TEST_ID}a1" /usr/bin/python3 - "$(mac_of a2)" <<'PY'
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
me = bytes.fromhex(open("/sys/class/net/eth0/address").read().strip().replace(":", ""))
body = b"\x88\xb5" + b"tagged-marker" + bytes(40)
for dst in (bytes.fromhex(sys.argv[1].replace(":", "")), b"\xff" * 6):
    s.send(dst + me + b"\x81\x00" + (42).to_bytes(2, "big") + body)  # 802.1Q, VID 42
PY
wait_until 5 eval '(($(grep -c "^frame" "$TEST_TMP/tagrecv.log") >= 2))' ||
	die "a2 did not receive the tagged frames: $(cat "$TEST_TMP/tagrecv.log")"
a1hex=$(mac_of a1 | tr -d :)
a2hex=$(mac_of a2 | tr -d :)
body=88b5$(printf 'tagged-marker' | xxd -p)$(printf '%080d' 0)
assert_match "^frame $a2hex$a1hex$body vid 42 tpid 0x8100$" "$(grep '^frame' "$TEST_TMP/tagrecv.log" | head -1)" \
	"a tagged unicast frame arrives unchanged, VID 42 in the auxdata"
assert_match "^frame ffffffffffff$a1hex$body vid 42 tpid 0x8100$" "$(grep '^frame' "$TEST_TMP/tagrecv.log" | sed -n 2p)" \
	"a tagged broadcast frame arrives unchanged, VID 42 in the auxdata"
assert_eq "$b1_tx" "$(port_field b1-eth0 tx_frames)" "the tagged broadcast stays in its segment"

# --- Listings -----------------------------------------------------------------------
json=$(ports_json)
assert_match "\"name\":\"a1-eth0\",[^}]*\"kind\":\"tap\",\"segment\":\"lan1\",\"mac\":\"$(mac_of a1)\"" "$json" \
	"ports shows a1's kind, segment and MAC"
assert_match "\"name\":\"b1-eth0\",[^}]*\"segment\":\"lan2\"" "$json" "ports shows b1 in lan2"
fdb=$("$CONTAINET" -s "$SOCK" fdb --json)
assert_match "\"mac\":\"$(mac_of a1)\",\"port\":\"a1-eth0\",\"segment\":\"lan1\",\"vlan\":0" "$fdb" \
	"fdb shows a1's MAC in lan1"
assert_match "\"mac\":\"$(mac_of b1)\",\"port\":\"b1-eth0\",\"segment\":\"lan2\",\"vlan\":0" "$fdb" \
	"fdb shows b1's MAC in lan2"
assert_match '"name":"lan1","mtu":1500,"ports":2\},\{"name":"lan2","mtu":1400,"ports":1\}' \
	"$("$CONTAINET" -s "$SOCK" segments --json)" "segments counts the ports of each"
table=$("$CONTAINET" -s "$SOCK" segments)
assert_match "^SEGMENT +MTU +PORTS" "$table" "segments prints a table"
assert_match "lan2 +1400 +1" "$table" "... with lan2's MTU and port"

# Long names keep the tables aligned.
LONGSEG=segment-with-a-long-name-31chrs
LONGNODE=a-node-with-a-rather-long-identity-of-48-chars-x
assert_ok "segment add of a 31-character name" "$CONTAINET" -s "$SOCK" segment add "$LONGSEG"
node "$LONGNODE" 9 "$LONGSEG"
ip netns exec "$TEST_ID$LONGNODE" ping -c 1 -W 1 10.196.0.99 >/dev/null 2>&1 || true
# column TABLE HEADER-WORD ROW-REGEX: a left-aligned column starts at the same place on
# every row; same_width TABLE: right-aligned last columns end at the same place.
column() {
	awk -v h="$2" -v re="$3" 'NR == 1 { p = index($0, h); next }
		{ if (!match($0, re) || RSTART != p) bad = 1 } END { exit bad || NR < 3 }' <<<"$1"
}
HEX="[0-9a-f][0-9a-f]" # awk here may lack {n} intervals
same_width() { awk 'NR == 1 { w = length($0) } length($0) != w { bad = 1 } END { exit bad }' <<<"$1"; }
table=$("$CONTAINET" -s "$SOCK" ports)
assert_ok "ports: the STATE column lines up with long names" column "$table" STATE "(forwarding|idle)"
assert_ok "ports: the KIND column lines up with long names" column "$table" KIND "tap "
assert_ok "ports: every row as wide as the header" same_width "$table"
table=$("$CONTAINET" -s "$SOCK" fdb)
assert_ok "fdb: the MAC column lines up with long names" column "$table" MAC "$HEX:$HEX:$HEX:$HEX:$HEX:$HEX"
assert_ok "fdb: every row as wide as the header" same_width "$table"
assert_match "$LONGSEG +0 +[0-9a-f:]{17} +$LONGNODE-eth0 +[0-9]+s" "$table" "fdb shows the long names whole"
table=$("$CONTAINET" -s "$SOCK" segments)
assert_ok "segments: every row as wide as the header" same_width "$table"

# --- segment del --------------------------------------------------------------------
assert_exit 1 "segment del of a segment in use fails" "$CONTAINET" -s "$SOCK" segment del lan2
assert_match "in use by 1 port" "$(cat "$TEST_TMP/last.out")" "... and says by how many ports"
kill_wait "$PID_b1"
wait_until 5 eval '! ports_json | grep -q b1-eth0' || fail "b1's port did not go with its client"
assert_ok "segment del once its last port is gone" "$CONTAINET" -s "$SOCK" segment del lan2
assert_no_match '"lan2"' "$("$CONTAINET" -s "$SOCK" segments --json)" "lan2 is gone"
assert_exit 1 "segment del of the default segment fails" "$CONTAINET" -s "$SOCK" segment del default
assert_match "always exists" "$(cat "$TEST_TMP/last.out")" "... because it always exists"
assert_exit 1 "attach to a deleted segment fails" timeout 5 ip netns exec "${TEST_ID}b1" "$CTL" attach "$SOCK" b1 eth1 lan2
assert_match "no segment 'lan2'" "$(cat "$TEST_TMP/last.out")" "... with an error reply naming it"

# --- Hostile requests: each gets an error reply, the switch goes on -----------------
hostile "segment-add without a name" 'name.. is not' '{"op":"segment-add"}'
hostile "segment-add with a number for a name" 'name.. is not' '{"op":"segment-add","name":7}'
hostile "segment-add with a bad name" 'name.. is not' '{"op":"segment-add","name":"a b"}'
hostile "segment-add with a string mtu" 'mtu.. is not' '{"op":"segment-add","name":"x","mtu":"1500"}'
hostile "segment-add with a tiny mtu" 'mtu.. is not' '{"op":"segment-add","name":"x","mtu":10}'
hostile "segment-del of an unknown segment" "no segment 'nope'" '{"op":"segment-del","name":"nope"}'
hostile "segment-del with an object for a name" 'name.. is not' '{"op":"segment-del","name":{}}'
hostile "segment-del of a segment in use" "in use" '{"op":"segment-del","name":"lan1"}'
hostile "attach to an unknown segment" "no segment 'nope'" \
	'{"op":"attach","node":"x","ifname":"eth0","segment":"nope"}' --fd-tap "${TEST_ID}t0"
hostile "attach with a number for a segment" "segment" \
	'{"op":"attach","node":"x","ifname":"eth0","segment":1}' --fd-tap "${TEST_ID}t0"
hostile "host-add with a bad address" "ipv4" '{"op":"host-add","name":"h0","ipv4":"10.0.0.300/24"}'
hostile "host-add with a bad prefix" "ipv6" '{"op":"host-add","name":"h0","ipv6":"fd00::1/200"}'
hostile "host-add with a bad name" 'name.. is not' '{"op":"host-add","name":"a/b"}'
hostile "host-del of an unknown port" "h9" '{"op":"host-del","name":"h9"}'
hostile "detach of a segment name" "no such port" '{"op":"detach","port":"lan1"}'
assert_ok "switch alive after hostile segment requests" kill -0 "$SWITCH"
assert_ok "lan1 still forwards" ip netns exec "${TEST_ID}a1" ping -c 1 -W 2 10.196.0.2

# --- The CLI ------------------------------------------------------------------------
assert_exit 2 "segment add without a name is a usage error" "$CONTAINET" -s "$SOCK" segment add
assert_exit 2 "a bad --mtu is a usage error" "$CONTAINET" -s "$SOCK" segment add x --mtu 12
assert_exit 2 "--mtu with segment del is a usage error" "$CONTAINET" -s "$SOCK" segment del x --mtu 1500
assert_exit 2 "--mtu with ports is a usage error" "$CONTAINET" -s "$SOCK" ports --mtu 1500
assert_exit 2 "an unknown segment subcommand is a usage error" "$CONTAINET" -s "$SOCK" segment frob x
assert_exit 2 "--masquerade with host del is a usage error" "$CONTAINET" -s "$SOCK" host del h0 --masquerade
assert_exit 2 "--mtu without a command is a usage error" "$CONTAINET" -s "$SOCK" --mtu 1500
assert_match "segment add NAME" "$("$CONTAINET" --help)" "--help lists segment add"
