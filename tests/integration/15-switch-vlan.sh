#!/usr/bin/env bash
# VLAN roles on switch ports.  Two switches, each with access ports of VLANs 10 and 20
# and a trunk port carrying both; the two trunk taps are joined by a Linux bridge (which
# passes tagged frames through), so the two behave as switches joined by a trunk cable.
# All nodes share one IP subnet: only the VLANs keep them apart.
#   switch 1: x10 (access 10), y10 (access 10), x20 (access 20), trunk tr1
#   switch 2: p10 (access 10), p20 (access 20), trunk tr2
# A sniffer on tr1's netdev (AF_PACKET with PACKET_VNET_HDR and PACKET_AUXDATA: the
# kernel moves the tag of a frame it receives from a tap into the auxdata) reads what
# switch 1 sends down the trunk.  Then the listings and hostile attach requests.
. "$(dirname "$0")/lib.sh"

CONTAINET=$BIN/containet
CTL=$HELPERS/ctltool
SOCK1=$TEST_TMP/sw1.sock
SOCK2=$TEST_TMP/sw2.sock
SOCK=$SOCK1 # for hostile
BR=${TEST_ID}br

command -v iperf3 >/dev/null || skip "iperf3 is not installed"

ports_json() { "$CONTAINET" -s "$1" ports --json; }
port_field() { # SOCK PORT FIELD
	ports_json "$1" | grep -o "\"name\":\"$2\"[^}]*\"$3\":[^,}]*" | sed 's/.*://; s/"//g'
}
mac_of() { ip netns exec "$TEST_ID$1" cat /sys/class/net/eth0/address; }
csum_errors() { # NODE: TcpInCsumErrors of its namespace
	ip netns exec "$TEST_ID$1" awk '/^Tcp:/ { if (!n++) { for (i = 1; i <= NF; i++)
		if ($i == "InCsumErrors") c = i } else print $c }' /proc/net/snmp
}

# node NAME I SOCK ROLE: namespace $TEST_ID<NAME>, tap eth0 attached with ROLE, 10.197.0.I/24.
node() {
	local ns=$TEST_ID$1
	netns_add "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	spawn "attach-$1" ip netns exec "$ns" "$CTL" attach "$3" "$1" eth0 "" "$4"
	wait_until 5 grep -q '"ok":true' "$TEST_TMP/attach-$1.log" ||
		die "attach of $1 failed: $(cat "$TEST_TMP/attach-$1.log")"
	ip -n "$ns" addr add "10.197.0.$2/24" dev eth0
	ip -n "$ns" link set eth0 up
}

for s in 1 2; do
	netns_add "${TEST_ID}s$s"
	spawn "switch$s" ip netns exec "${TEST_ID}s$s" "$CONTAINET" -s "$TEST_TMP/sw$s.sock" -v
	eval "SWITCH$s=$SPAWNED"
	wait_until 5 ports_json "$TEST_TMP/sw$s.sock" || die "switch $s does not answer"
done

node x10 1 "$SOCK1" access=10
node y10 2 "$SOCK1" access=10
node x20 3 "$SOCK1" access=20
node p10 4 "$SOCK2" access=10
node p20 5 "$SOCK2" access=20
# The trunk taps live in the bridge's namespace, joined by br0.
netns_add "$BR"
ip netns exec "$BR" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec "$BR" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
spawn attach-tr1 ip netns exec "$BR" "$CTL" attach "$SOCK1" trunk1 tr1 "" "trunk=10,20"
spawn attach-tr2 ip netns exec "$BR" "$CTL" attach "$SOCK2" trunk2 tr2 "" "trunk=10,20"
wait_until 5 grep -q '"ok":true' "$TEST_TMP/attach-tr1.log" || die "trunk 1: $(cat "$TEST_TMP/attach-tr1.log")"
wait_until 5 grep -q '"ok":true' "$TEST_TMP/attach-tr2.log" || die "trunk 2: $(cat "$TEST_TMP/attach-tr2.log")"

# The sniffer: one line per frame switch 1 sent down its trunk.
cat >"$TEST_TMP/sniff.py" <<'PY'
import socket, struct, sys
SOL_PACKET, PACKET_AUXDATA, PACKET_VNET_HDR = 263, 8, 15
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
s.bind((sys.argv[1], 0))
print("ready", flush=True)
while True:
    try:
        data, anc, _, addr = s.recvmsg(70000, 256)
    except OSError:  # the link went down and up as it joined the bridge
        continue
    if addr[2] == socket.PACKET_OUTGOING:
        continue
    flags, gso_type, hdr_len, gso_size, csum_start, csum_offset = struct.unpack("=BBHHHH", data[:10])
    eth = data[10:]
    vid = "none"
    for level, kind, payload in anc:
        if level == SOL_PACKET and kind == PACKET_AUXDATA:
            status, _, _, _, _, tci, tpid = struct.unpack("IIIHHHH", payload[:20])
            if status & (1 << 4):  # TP_STATUS_VLAN_VALID
                vid = tci & 0xfff
    proto = eth[23] if len(eth) > 23 and eth[12:14] == b"\x08\x00" else 0
    print("src", eth[6:12].hex(), "vid", vid, "type", eth[12:14].hex(), "proto", proto,
          "gso", gso_type, "csum_start", csum_start if flags & 1 else "-", "len", len(eth),
          flush=True)
PY

# The bridge comes up after the sniffer runs: every frame down the trunk is seen.
spawn sniff ip netns exec "$BR" /usr/bin/python3 "$TEST_TMP/sniff.py" tr1
wait_until 5 grep -q ready "$TEST_TMP/sniff.log" || die "sniffer did not start: $(cat "$TEST_TMP/sniff.log")"
ip -n "$BR" link add br0 type bridge
ip -n "$BR" link set tr1 master br0
ip -n "$BR" link set tr2 master br0
for l in tr1 tr2 br0; do ip -n "$BR" link set "$l" up; done

# --- Access ports on one switch ----------------------------------------------------
assert_ok "x10 pings y10 in VLAN 10 on its switch" \
	ip netns exec "${TEST_ID}x10" ping -c 2 -i 0.2 -W 2 10.197.0.2
x20_tx=$(port_field "$SOCK1" x20-eth0 tx_frames)
assert_fails "x10 cannot ping x20 of VLAN 20 on the same switch" \
	ip netns exec "${TEST_ID}x10" ping -c 2 -i 0.2 -W 1 10.197.0.3
assert_eq "$x20_tx" "$(port_field "$SOCK1" x20-eth0 tx_frames)" \
	"nothing of x10's (ARP broadcasts included) reached x20's port"

# The same VLAN in another segment is another broadcast domain.
"$CONTAINET" -s "$SOCK1" segment add lan2 >/dev/null
ns=${TEST_ID}z10
netns_add "$ns"
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
spawn attach-z10 ip netns exec "$ns" "$CTL" attach "$SOCK1" z10 eth0 lan2 access=10
wait_until 5 grep -q '"ok":true' "$TEST_TMP/attach-z10.log" || die "attach of z10 failed"
ip -n "$ns" addr add 10.197.0.9/24 dev eth0
ip -n "$ns" link set eth0 up
assert_fails "x10 cannot ping z10, of VLAN 10 in another segment" \
	ip netns exec "${TEST_ID}x10" ping -c 2 -i 0.2 -W 1 10.197.0.9
assert_eq 0 "$(port_field "$SOCK1" z10-eth0 tx_frames)" "nothing reached z10's port"

# --- Across the trunk ---------------------------------------------------------------
assert_ok "x10 pings p10 on the other switch, over the trunk" \
	ip netns exec "${TEST_ID}x10" ping -c 3 -i 0.2 -W 2 10.197.0.4
assert_ok "x20 pings p20 on the other switch, over the trunk" \
	ip netns exec "${TEST_ID}x20" ping -c 3 -i 0.2 -W 2 10.197.0.5
assert_fails "x10 cannot ping p20 across the trunk" \
	ip netns exec "${TEST_ID}x10" ping -c 2 -i 0.2 -W 1 10.197.0.5
assert_fails "p10 cannot ping x20 across the trunk" \
	ip netns exec "${TEST_ID}p10" ping -c 2 -i 0.2 -W 1 10.197.0.3
x10hex=$(mac_of x10 | tr -d :)
x20hex=$(mac_of x20 | tr -d :)
assert_match "src $x10hex vid 10 type 0806" "$(cat "$TEST_TMP/sniff.log")" \
	"the trunk carries x10's ARP tagged with VLAN 10"
assert_match "src $x20hex vid 20 type 0800" "$(cat "$TEST_TMP/sniff.log")" \
	"the trunk carries x20's IPv4 tagged with VLAN 20"
assert_no_match "src ($x10hex|$x20hex) vid none" "$(cat "$TEST_TMP/sniff.log")" \
	"no frame of an access port leaves the trunk untagged"
assert_no_match "src $x10hex vid 20|src $x20hex vid 10" "$(cat "$TEST_TMP/sniff.log")" \
	"no frame leaves the trunk in another port's VLAN"

# --- TCP with GSO through the tag insert and strip ---------------------------------
before_x=$(csum_errors x10)
before_p=$(csum_errors p10)
spawn iperf3-server ip netns exec "${TEST_ID}p10" iperf3 -s -1 -B 10.197.0.4
wait_until 5 bash -c "ip netns exec ${TEST_ID}p10 ss -ltn sport = :5201 | grep -q LISTEN" ||
	die "iperf3 server did not start"
assert_ok "iperf3 TCP from x10 to p10 across the trunk" \
	ip netns exec "${TEST_ID}x10" timeout 20 iperf3 -c 10.197.0.4 -t 2 -J
bps=$(/usr/bin/python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' "$TEST_TMP/last.out" 2>/dev/null || echo 0)
assert_ok "iperf3 moved data ($bps bit/s)" test "$bps" -gt 0
assert_eq "$before_x" "$(csum_errors x10)" "x10: TcpInCsumErrors unchanged"
assert_eq "$before_p" "$(csum_errors p10)" "p10: TcpInCsumErrors unchanged"
gso=$(grep "^src $x10hex vid 10 type 0800 proto 6 gso [1-9]" "$TEST_TMP/sniff.log" || true)
assert_match "csum_start 34 " "$gso" \
	"TCP GSO frames on the trunk: VLAN 10, csum_start at the TCP header of the untagged frame"
assert_no_match "csum_start (-|[0-9]*[^4 ]) " "$(grep -v "csum_start 34 " <<<"$gso" | head -1)" \
	"... every one of them"
assert_match "len [0-9]{4,5}$" "$gso" "... and they are larger than one MTU"

# --- Access ports drop tagged frames -------------------------------------------------
drops=$(port_field "$SOCK1" x10-eth0 rx_drops)
# What VLAN 20's node receives of them: its counters would also count the VLAN's own
# chatter (ND, ARP), so a sniffer there counts only these frames' ethertype.
ip netns exec "${TEST_ID}x20" /usr/bin/python3 - >"$TEST_TMP/x20.count" <<'PY' &
import socket, select, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind(("eth0", 0))
n, end = 0, time.monotonic() + 3
while (left := end - time.monotonic()) > 0:
    if select.select([s], [], [], left)[0]:
        f = s.recv(2048)
        n += b"\x88\xb5" in (f[12:14], f[16:18])
print(n, flush=True)
PY
sniffer=$!
sleep 0.5
ip netns exec "${TEST_ID}x10" /usr/bin/python3 - <<'PY'
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
me = bytes.fromhex(open("/sys/class/net/eth0/address").read().strip().replace(":", ""))
for _ in range(3):
    s.send(b"\xff" * 6 + me + b"\x81\x00" + (20).to_bytes(2, "big") + b"\x88\xb5" + bytes(46))
PY
assert_ok "x10 still reaches y10" ip netns exec "${TEST_ID}x10" ping -c 1 -W 2 10.197.0.2
assert_eq $((drops + 3)) "$(port_field "$SOCK1" x10-eth0 rx_drops)" \
	"an access port drops the 3 frames its node tagged with VLAN 20"
wait "$sniffer" || true
assert_eq 0 "$(cat "$TEST_TMP/x20.count")" "... and VLAN 20 never saw them"

# --- Listings ------------------------------------------------------------------------
json=$(ports_json "$SOCK1")
assert_match '"name":"x10-eth0",[^}]*"access":10' "$json" "ports shows x10's access VLAN"
assert_match '"name":"trunk1-tr1",[^}]*"trunk":\[10,20\]' "$json" "ports shows the trunk's VLANs"
fdb=$("$CONTAINET" -s "$SOCK1" fdb --json)
assert_match "\"mac\":\"$(mac_of x10)\",\"port\":\"x10-eth0\",\"segment\":\"default\",\"vlan\":10" "$fdb" \
	"fdb learns x10 in VLAN 10"
assert_match "\"mac\":\"$(mac_of p20)\",\"port\":\"trunk1-tr1\",\"segment\":\"default\",\"vlan\":20" "$fdb" \
	"fdb learns p20 behind the trunk in VLAN 20"
table=$("$CONTAINET" -s "$SOCK1" ports)
same_width() { awk 'NR == 1 { w = length($0) } length($0) != w { bad = 1 } END { exit bad }' <<<"$1"; }
column() {
	awk -v h="$2" -v re="$3" 'NR == 1 { p = index($0, h); next }
		{ if (!match($0, re) || RSTART != p) bad = 1 } END { exit bad || NR < 3 }' <<<"$1"
}
assert_match "trunk1-tr1 +default +tap .* trunk 10,20 *(\$|
)" "$table" "the ports table shows the trunk's role"
assert_match "x20-eth0 +default +tap .* access 20 *(\$|
)" "$table" "... and an access port's"
assert_ok "ports: the VLAN column lines up" column "$table" VLAN "(access|trunk) "
assert_ok "ports: every row as wide as the header" same_width "$table"

# --- containode's --net access= ----------------------------------------------------------
if [[ -x $BIN/containode && -x /bin/busybox ]]; then
	. "$(dirname "$0")/containode.sh"
	make_root "$TEST_TMP/root"
	RUN=("$CONTAINODE" -q -r "$TEST_TMP/root" --ephemeral)
	assert_ok "a containode node with --net ...,access=20 on switch 2 pings x20 over the trunk" \
		"${RUN[@]}" -i "${TEST_ID}c20" --net "switch=$SOCK2,access=20,ipv4=10.197.0.6/24" \
		ping -c 2 -i 0.2 -W 2 10.197.0.3
	assert_fails "... and not x10" "${RUN[@]}" -i "${TEST_ID}c21" \
		--net "switch=$SOCK2,access=20,ipv4=10.197.0.7/24" ping -c 2 -i 0.2 -W 1 10.197.0.1
	assert_exit 2 "containode refuses access=5000" "${RUN[@]}" -i "${TEST_ID}c22" \
		--net "switch=$SOCK2,access=5000" true
	assert_match "invalid VLAN ID '5000' for access=" "$(cat "$TEST_TMP/last.out")" "... naming it"
fi

# --- Hostile attach requests ---------------------------------------------------------
A='"op":"attach","node":"h","ifname":"eth0"'
# Each with a tap of its own: the switch closes the one before on a worker, later.
n=0
hostile_tap() { n=$((n + 1)); hostile "$@" --fd-tap "${TEST_ID}t$n"; }
hostile_tap "access 0" 'access.. is not a VLAN ID' "{$A,\"access\":0}"
hostile_tap "access 4095" 'access.. is not a VLAN ID' "{$A,\"access\":4095}"
hostile_tap "access as a string" 'access.. is not a VLAN ID' "{$A,\"access\":\"10\"}"
hostile_tap "access 10.5" 'access.. is not a VLAN ID' "{$A,\"access\":10.5}"
hostile_tap "access and trunk" 'not both' "{$A,\"access\":10,\"trunk\":[20]}"
hostile_tap "trunk not a list" 'trunk.. is not a list' "{$A,\"trunk\":10}"
hostile_tap "trunk with 4095" 'trunk.. holds' "{$A,\"trunk\":[10,4095]}"
hostile_tap "trunk with a string" 'trunk.. holds' "{$A,\"trunk\":[\"10\"]}"
hostile_tap "trunk listing a VLAN twice" 'twice' "{$A,\"trunk\":[10,20,10]}"
hostile_tap "an empty trunk" 'carries no VLAN' "{$A,\"trunk\":[]}"
hostile_tap "native without trunk" 'native.. goes with' "{$A,\"native\":1}"
hostile_tap "native 5000" 'native.. is not' "{$A,\"trunk\":[10],\"native\":5000}"
big=$(seq -s, 1 5000)
hostile_tap "a trunk list of 5000 entries" 'more than 4094' "{$A,\"trunk\":[$big]}"
assert_ok "switch 1 alive after hostile attach requests" kill -0 "$SWITCH1"
assert_no_match '"name":"h-eth0"' "$(ports_json "$SOCK1")" "no port came of them"
assert_ok "VLAN 10 still forwards over the trunk" \
	ip netns exec "${TEST_ID}x10" ping -c 1 -W 2 10.197.0.4

for s in 1 2; do
	eval "pid=\$SWITCH$s"
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_eq 0 "$rc" "switch $s exits 0"
	assert_no_match "Sanitizer|runtime error" "$(cat "$TEST_TMP/switch$s.log")" \
		"switch $s's log has no sanitizer report"
done
