#!/usr/bin/env bash
# VXLAN ports: one lab across "machines", each a network namespace on an underlay bridge.
# Host A runs containet with two nodes; host B the kernel's vxlan (no learning, head-end
# replication through zero-MAC fdb entries) bridged to a node; host C Open vSwitch in
# userspace (datapath_type=netdev, a vxlan port with key and dst_port=4789) with a node
# on an internal port; host D a second containet.  Checks: pings between all of them,
# with the kernel's UDP checksum on and off; the wire format as tcpdump decodes it; one
# copy of a broadcast per remote; outer source ports spread over flows (iperf3 -P 8);
# MTU rules; learning with the remote; the receive fast path (UDP_GRO batches merged
# into GSO frames, TCP from the kernel's and Open vSwitch's side with no checksum error;
# none merged with --no-vxlan-gro); two VNIs stay apart; hostile datagrams are dropped
# and counted.
. "$(dirname "$0")/lib.sh"

CONTAINET=$BIN/containet
CTL=$HELPERS/ctltool
SOCK=$TEST_TMP/a.sock
SOCKD=$TEST_TMP/d.sock
UL=${TEST_ID}ul  # the underlay: a bridge in a namespace of its own
HA=${TEST_ID}ha  # host A: containet
HB=${TEST_ID}hb  # host B: the kernel's vxlan
HC=${TEST_ID}hc  # host C: Open vSwitch
HD=${TEST_ID}hd  # host D: a second containet
A1=${TEST_ID}a1  # nodes
A2=${TEST_ID}a2
B1=${TEST_ID}b1
D1=${TEST_ID}d1
D2=${TEST_ID}d2
VNI=4242

sw() { "$CONTAINET" -s "$SOCK" "$@"; }
swd() { "$CONTAINET" -s "$SOCKD" "$@"; }
ports_json() { sw ports --json; }

# --- the underlay ----------------------------------------------------------------------
netns_add "$UL"
ip -n "$UL" link add br0 type bridge
ip -n "$UL" link set br0 up
n=1
for h in "$HA" "$HB" "$HC" "$HD"; do
	netns_add "$h"
	ip link add "${TEST_ID}u$n" netns "$UL" type veth peer name ul0 netns "$h"
	ip -n "$UL" link set "${TEST_ID}u$n" master br0 up
	ip -n "$h" addr add "10.200.0.$n/24" dev ul0
	ip -n "$h" link set ul0 up
	# Complete checksums on the underlay, as on a wire: Open vSwitch's userspace datapath
	# reads its veth with AF_PACKET and checks the UDP checksum of what it sees.
	ip netns exec "$h" ethtool -K ul0 tx off >/dev/null
	n=$((n + 1))
done
# The containet hosts' underlay coalesces datagrams as a NIC does (GRO), for UDP_GRO; a
# veth coalesces only what its peer sends without TSO: the bridge's ports too.
for h in "$HA" "$HD"; do
	ip netns exec "$h" ethtool -K ul0 gro on >/dev/null
done
for n in 1 2 3 4; do
	ip netns exec "$UL" ethtool -K "${TEST_ID}u$n" tx off >/dev/null
done

# A node: a namespace whose eth0 is a tap attached to the switch at socket $1.
attach_node() { # SOCK NS NODE SEGMENT ADDR
	netns_add "$2"
	spawn "attach-$3" ip netns exec "$2" "$CTL" attach "$1" "$3" eth0 "$4"
	wait_until 5 grep -q '"ok":true' "$TEST_TMP/attach-$3.log" ||
		die "attach of $3 failed: $(cat "$TEST_TMP/attach-$3.log")"
	ip -n "$2" addr add "$5/24" dev eth0
	ip -n "$2" link set eth0 mtu 1450 up
}

# --- host A: containet, VXLAN port at start-up, in a segment it makes -----------------
spawn switch-a ip netns exec "$HA" "$CONTAINET" -s "$SOCK" -v \
	--vxlan vx1 --vni "$VNI" --remote 10.200.0.2,10.200.0.3 --local 10.200.0.1 --segment lab
SWITCH=$SPAWNED
wait_until 5 ports_json || die "switch A does not answer: $(cat "$TEST_TMP/switch-a.log")"
segs=$(sw segments --json)
assert_match '"name":"lab","mtu":1450' "$segs" "the segment made for vx1 at start-up has MTU 1500 - 50"
assert_match '"name":"vx1","node":"","ifname":"","state":"forwarding","kind":"vxlan","segment":"lab"' \
	"$(ports_json)" "ports lists vx1 as a vxlan port of segment lab"
assert_match '"vni":4242,"remote":\["10.200.0.2","10.200.0.3"\],"local":"10.200.0.1","dstport":4789' \
	"$(ports_json)" "ports shows vx1's VNI, remotes, local address and port"
attach_node "$SOCK" "$A1" a1 lab 10.201.0.1
attach_node "$SOCK" "$A2" a2 lab 10.201.0.2

# --- host B: the kernel's vxlan, bridged to node b1 ------------------------------------
kernel_vxlan() { # CSUM: udpcsum or noudpcsum
	ip -n "$HB" link del vx0 2>/dev/null || true
	ip -n "$HB" link add vx0 type vxlan id "$VNI" dstport 4789 local 10.200.0.2 nolearning "$1"
	ip -n "$HB" link set vx0 master br0 mtu 1450 up
	for r in 10.200.0.1 10.200.0.3; do
		ip netns exec "$HB" bridge fdb append 00:00:00:00:00:00 dev vx0 dst "$r"
	done
}
ip -n "$HB" link add br0 type bridge
ip -n "$HB" link set br0 up
kernel_vxlan udpcsum
netns_add "$B1"
ip link add "${TEST_ID}b" netns "$HB" type veth peer name eth0 netns "$B1"
ip -n "$HB" link set "${TEST_ID}b" master br0 mtu 1450 up
ip -n "$B1" addr add 10.201.0.11/24 dev eth0
ip -n "$B1" link set eth0 mtu 1450 up

# --- host C: Open vSwitch in userspace -------------------------------------------------
OVS=$TEST_TMP/ovs
ovs_up=0
start_ovs() {
	command -v ovs-vswitchd >/dev/null || return 1
	mkdir -p "$OVS"
	local schema=/usr/share/openvswitch/vswitch.ovsschema
	ovsdb-tool create "$OVS/conf.db" "$schema" >/dev/null || return 1
	export OVS_RUNDIR=$OVS OVS_LOGDIR=$OVS OVS_DBDIR=$OVS OVS_SYSCONFDIR=$OVS
	spawn ovsdb ip netns exec "$HC" ovsdb-server "$OVS/conf.db" \
		--remote="punix:$OVS/db.sock" --pidfile="$OVS/ovsdb.pid" --unixctl="$OVS/ovsdb.ctl" \
		--log-file="$OVS/ovsdb.log"
	wait_until 5 test -S "$OVS/db.sock" || return 1
	ovs_vsctl --no-wait init || return 1
	spawn vswitchd ip netns exec "$HC" ovs-vswitchd "unix:$OVS/db.sock" \
		--pidfile="$OVS/vswitchd.pid" --unixctl="$OVS/vswitchd.ctl" \
		--log-file="$OVS/vswitchd.log"
	wait_until 10 test -S "$OVS/vswitchd.ctl" || return 1
	# Userspace tunnels leave through a bridge that holds the underlay port and address.
	ovs_vsctl add-br br-phy -- set bridge br-phy datapath_type=netdev || return 1
	ovs_vsctl add-port br-phy ul0 || return 1
	ip -n "$HC" addr flush dev ul0
	ip -n "$HC" addr add 10.200.0.3/24 dev br-phy
	ip -n "$HC" link set br-phy up
	ovs_vsctl add-br br0 -- set bridge br0 datapath_type=netdev || return 1
	# One vxlan port per remote: head-end replication is a flood to both.
	ovs_vsctl add-port br0 vxa -- set interface vxa type=vxlan \
		options:remote_ip=10.200.0.1 options:key="$VNI" options:dst_port=4789 || return 1
	ovs_vsctl add-port br0 vxb -- set interface vxb type=vxlan \
		options:remote_ip=10.200.0.2 options:key="$VNI" options:dst_port=4789 || return 1
	ovs_vsctl add-port br0 c1 -- set interface c1 type=internal || return 1
	wait_until 10 ip -n "$HC" link show c1 || return 1
	ip -n "$HC" addr add 10.201.0.21/24 dev c1
	ip -n "$HC" link set c1 mtu 1450 up
	# No forwarding from one tunnel to another (split horizon), as in a full mesh.
	local vxa vxb c1
	vxa=$(ovs_vsctl get interface vxa ofport)
	vxb=$(ovs_vsctl get interface vxb ofport)
	c1=$(ovs_vsctl get interface c1 ofport)
	ip netns exec "$HC" ovs-ofctl del-flows br0 || return 1
	ip netns exec "$HC" ovs-ofctl add-flow br0 "in_port=$c1,actions=output:$vxa,output:$vxb"
	ip netns exec "$HC" ovs-ofctl add-flow br0 "in_port=$vxa,actions=output:$c1"
	ip netns exec "$HC" ovs-ofctl add-flow br0 "in_port=$vxb,actions=output:$c1"
}
ovs_vsctl() { ip netns exec "$HC" ovs-vsctl --db="unix:$OVS/db.sock" "$@"; }
if start_ovs >"$TEST_TMP/ovs-setup.log" 2>&1; then
	ovs_up=1
else
	echo "NOTE: Open vSwitch did not start: $(tail -n 3 "$TEST_TMP/ovs-setup.log")"
fi

# --- pingall ---------------------------------------------------------------------------
pingall() { # DESCRIPTION
	local from to ok=1 names=("$A1" "$A2" "$B1") addrs=(10.201.0.1 10.201.0.2 10.201.0.11)
	if ((ovs_up)); then
		names+=("$HC")
		addrs+=(10.201.0.21)
	fi
	for from in "${names[@]}"; do
		for to in "${addrs[@]}"; do
			ip netns exec "$from" ping -c 1 -W 3 "$to" >/dev/null 2>&1 || {
				ok=0
				fail "$1: $from cannot ping $to"
			}
		done
	done
	if ((ok)); then ok "$1: everyone pings everyone (${#names[@]} hosts)"; fi
}
pingall "pingall, the kernel's UDP checksum on"
if ((ovs_up)); then
	ok "Open vSwitch in userspace joined the lab"
else
	fail "Open vSwitch in userspace did not start: $(tail -n 5 "$TEST_TMP/ovs-setup.log")"
fi
kernel_vxlan noudpcsum
pingall "pingall, the kernel's UDP checksum off"
kernel_vxlan udpcsum

fdb=$(sw fdb --json)
b1mac=$(ip -n "$B1" -br link show eth0 | awk '{print $3}')
assert_match "\"mac\":\"$b1mac\",\"port\":\"vx1\",\"segment\":\"lab\",\"vlan\":0,\"age\":[0-9]+,\"remote\":\"10.200.0.2\"" \
	"$fdb" "the fdb learned b1's MAC behind vx1 at remote 10.200.0.2"

# --- the wire: tcpdump decodes our datagrams, checksums and all --------------------------
spawn tcpdump-ul ip netns exec "$HB" tcpdump -i ul0 -nn -vv -c 4 -l 'udp port 4789 and src host 10.200.0.1'
TCPDUMP=$SPAWNED
sleep 1
ip netns exec "$A1" ping -c 2 -i 0.2 -W 2 10.201.0.11 >/dev/null
wait_until 5 grep -q "vni $VNI" "$TEST_TMP/tcpdump-ul.log" || true
wire=$(cat "$TEST_TMP/tcpdump-ul.log")
assert_match "VXLAN, flags \[I\] \(0x08\), vni $VNI" "$wire" "tcpdump decodes VXLAN, flags [I] (0x08), vni $VNI"
assert_no_match "bad udp cksum|bad cksum" "$wire" "tcpdump finds the outer and inner checksums right"
assert_match "10.200.0.1.(3[2-9][0-9]{3}|[45][0-9]{4}|60[0-9]{3}) > 10.200.0.2.4789" "$wire" \
	"the outer source port is in 32768-60999"
kill_wait "$TCPDUMP"

# --- ARP broadcast: one copy to each remote ---------------------------------------------
spawn tcpdump-arp ip netns exec "$UL" tcpdump -i br0 -nn -U -w "$TEST_TMP/arp.pcap" \
	'udp port 4789 and src host 10.200.0.1'
TCPDUMP=$SPAWNED
sleep 1
ip -n "$A1" neigh flush all
ip netns exec "$A1" ping -c 1 -W 1 10.201.0.99 >/dev/null 2>&1 || true
sleep 0.5
kill_wait "$TCPDUMP" INT
arps=$(tshark -r "$TEST_TMP/arp.pcap" -Y 'arp.dst.proto_ipv4 == 10.201.0.99' -T fields -e ip.dst 2>/dev/null || true)
to_b=$(grep -c '^10.200.0.2$' <<<"$arps" || true)
to_c=$(grep -c '^10.200.0.3$' <<<"$arps" || true)
if ((to_b >= 1 && to_b == to_c)); then
	ok "an ARP broadcast reaches each remote once per request ($to_b to B, $to_c to C)"
else
	fail "ARP broadcast copies: $to_b to B, $to_c to C: $arps"
fi

# --- iperf3 -P 8: flows spread over outer source ports ---------------------------------
spawn iperf-server ip netns exec "$B1" iperf3 -s -1
wait_until 5 ip netns exec "$B1" sh -c 'ss -ltn | grep -q :5201' || die "iperf3 server did not start"
spawn tcpdump-iperf ip netns exec "$HB" tcpdump -i ul0 -nn -l -c 2000 \
	'udp port 4789 and src host 10.200.0.1'
TCPDUMP=$SPAWNED
sleep 1
if ip netns exec "$A1" iperf3 -c 10.201.0.11 -P 8 -t 2 -J >"$TEST_TMP/iperf.json" 2>&1; then
	ok "iperf3 -P 8 from a1 to b1 runs"
else
	fail "iperf3 -P 8: $(tail -n 3 "$TEST_TMP/iperf.json")"
fi
kill_wait "$TCPDUMP"
sports=$(grep -oE '10\.200\.0\.1\.[0-9]+ > 10\.200\.0\.2\.4789' "$TEST_TMP/tcpdump-iperf.log" |
	sort -u | wc -l)
if ((sports >= 6)); then
	ok "iperf3 -P 8 uses $sports outer source ports (>= 6)"
else
	fail "iperf3 -P 8 uses $sports outer source ports, fewer than 6"
fi

# --- the receive fast path: GRO'd batches of datagrams, TCP segments merged -------------
gro_merged() { ports_json | grep -oE '"name":"vx1"[^}]*"gro_merged":[0-9]+' | grep -oE '[0-9]+$'; }
csum_errors() { ip netns exec "$1" nstat -asz TcpInCsumErrors | awk '/TcpInCsumErrors/ { print $2 }'; }
# NS ADDR NAME MUST: TCP from the node at ADDR (in NS) to a1 through a1's switch; MUST: 1
# if the sender's datagrams come in bursts the underlay coalesces, so vx1 must merge.
gro_iperf() {
	local before after e1 e2 e1b e2b
	before=$(gro_merged)
	e1b=$(csum_errors "$A1")
	e2b=$(csum_errors "$1")
	spawn "iperf-gro-$3" ip netns exec "$1" iperf3 -s -1 -p 5203
	wait_until 5 ip netns exec "$1" sh -c 'ss -ltn | grep -q :5203' ||
		die "iperf3 server on the $3 side did not start"
	if ip netns exec "$A1" iperf3 -c "$2" -p 5203 -R -t 2 --connect-timeout 3000 \
		-J >"$TEST_TMP/gro-$3.json" 2>&1; then
		ok "iperf3 from the $3 side to a1 runs (GRO on)"
	else
		fail "iperf3 from the $3 side to a1: $(tail -n 3 "$TEST_TMP/gro-$3.json")"
	fi
	after=$(gro_merged)
	e1=$(($(csum_errors "$A1") - e1b))
	e2=$(($(csum_errors "$1") - e2b))
	if ((after > before)); then
		ok "vx1 merged $((after - before)) GSO frames from the $3 side's TCP segments"
	elif (($4 == 0)); then
		ok "vx1 merged none from the $3 side: its datagrams came one at a time, as it sends them"
	else
		fail "vx1 merged nothing from the $3 side (gro_merged $before -> $after)"
	fi
	assert_eq "0 0" "$e1 $e2" "no TcpInCsumErrors on a1 nor on the $3 side"
}
gro_iperf "$B1" 10.201.0.11 kernel 1
# Open vSwitch's userspace datapath sends one datagram per packet, which GRO on a veth
# rarely finds together: merging is not required, correct delivery is.
if ((ovs_up)); then
	gro_iperf "$HC" 10.201.0.21 "Open vSwitch" 0
fi

# --- MTU: 1422 bytes of ICMP payload pass with DF, 1423 fail locally ----------------------
assert_ok "ping -M do -s 1422 from a1 to b1 passes" \
	ip netns exec "$A1" ping -M "do" -s 1422 -c 1 -W 3 10.201.0.11
out=$(ip netns exec "$A1" ping -M "do" -s 1423 -c 1 -W 3 10.201.0.11 2>&1 || true)
assert_match "message too long, mtu=1450" "$out" "ping -M do -s 1423 from a1 fails locally (mtu 1450)"

# A containode node attached without mtu= gets the segment's MTU from the attach reply;
# with mtu= its own wins, and one larger than the segment's is refused naming both.
if [[ -x $BIN/containode && -x /bin/busybox ]]; then
	. "$(dirname "$0")/containode.sh"
	ROOT=$TEST_TMP/root
	make_root "$ROOT"
	RUN=("$CONTAINODE" -q -r "$ROOT" --ephemeral)
	node_pid() { awk '{ print $1 }' "/proc/$1/task/$1/children" 2>/dev/null; }
	has_node_pid() { [[ -n $(node_pid "$1") ]]; }
	spawn node-m "${RUN[@]}" -i "${TEST_ID}m" --net "switch=$SOCK,segment=lab,ipv4=10.201.0.21/24" \
		sleep 300
	wait_until 10 has_node_pid "$SPAWNED" || die "node m did not start: $(cat "$TEST_TMP/node-m.log")"
	NM=$(node_pid "$SPAWNED")
	# The node's first process exists before its set-up ends: wait for the command.
	wait_until 10 grep -q '^sleep' "/proc/$NM/comm" || true
	assert_match "\"node\":\"${TEST_ID}m\"" "$(ports_json)" "node m is attached to the switch"
	assert_match "eth0: .* mtu 1450 " "$(nsenter -t "$NM" -n ip -o link show eth0)" \
		"ip link in a node attached without mtu= shows the segment's MTU 1450"
	assert_ok "ping -M do -s 1422 from that node to b1 passes" \
		nsenter -t "$NM" -n ping -M "do" -s 1422 -c 1 -W 3 10.201.0.11
	out=$(nsenter -t "$NM" -n ping -M "do" -s 1423 -c 1 -W 3 10.201.0.11 2>&1 || true)
	assert_match "message too long, mtu=1450" "$out" "ping -M do -s 1423 from that node fails locally"
	out=$("${RUN[@]}" -i "${TEST_ID}n" --net "switch=$SOCK,segment=lab,mtu=1400" \
		cat /sys/class/net/eth0/mtu 2>&1)
	assert_eq 1400 "$out" "mtu=1400 below the segment's wins"
	assert_exit 125 "mtu=9000 above the segment's 1450 is refused" \
		"${RUN[@]}" -i "${TEST_ID}n" --net "switch=$SOCK,segment=lab,mtu=9000" true
	assert_match "mtu=9000 is larger than the MTU 1450 of segment 'lab'" "$(cat "$TEST_TMP/last.out")" \
		"the refusal names both MTUs"
	no_port_n() { ! ports_json | grep -q "\"node\":\"${TEST_ID}n\""; }
	wait_until 5 no_port_n || true
	assert_ok "the refused node left no port on the switch" no_port_n
else
	echo "SKIP: containode or busybox missing: no node MTU checks"
fi

# --- Refusals --------------------------------------------------------------------------
SOCK=$SOCK hostile "a VXLAN port on a segment whose MTU is too big" "has MTU 1500, more than the 1450" \
	'{"op":"vxlan-add","name":"vx2","vni":7,"remote":["10.200.0.2"]}'
sw segment add small --mtu 1400 >/dev/null
out=$("$CTL" send "$SOCK" '{"op":"vxlan-add","name":"vx2","vni":7,"remote":["10.200.0.2"],"segment":"small"}')
assert_eq '{"ok":true,"port":"vx2","segment":"small"}' "$out" "vxlan-add on a segment of MTU 1400 works"
hostile "a VNI twice on one socket" "VNI 7 is on port 'vx2' already" \
	'{"op":"vxlan-add","name":"vx3","vni":7,"remote":["10.200.0.3"],"segment":"small"}'
hostile "vxlan-add without remote" "one address or a list of them" '{"op":"vxlan-add","name":"vx3","vni":8}'
hostile "vxlan-add with a VNI too large" "vni" '{"op":"vxlan-add","name":"vx3","vni":16777216,"remote":"10.200.0.2"}'
hostile "vxlan-add with a multicast remote" "unicast" '{"op":"vxlan-add","name":"vx3","vni":8,"remote":"224.0.0.1","segment":"small"}'
hostile "vxlan-add with remotes of two IP versions" "IPv4 or all IPv6" \
	'{"op":"vxlan-add","name":"vx3","vni":8,"remote":["10.200.0.2","fd00::1"],"segment":"small"}'
hostile "vxlan-add with a bad address" "remote" '{"op":"vxlan-add","name":"vx3","vni":8,"remote":"10.200.0.300"}'
hostile "vxlan-add named as a port" "exists" '{"op":"vxlan-add","name":"a1-eth0","vni":8,"remote":"10.200.0.2","segment":"small"}'
hostile "vxlan-del of a tap port" "not a VXLAN port" '{"op":"vxlan-del","name":"a1-eth0"}'
hostile "detach of a VXLAN port" "vxlan-del removes it" '{"op":"detach","port":"vx1"}'
hostile "fdb-add with a remote that is not the port's" "not one of the port's remotes" \
	'{"op":"fdb-add","mac":"02:00:00:00:00:99","port":"vx1","remote":"10.200.0.9"}'
hostile "fdb-add of a multicast MAC" "unicast" '{"op":"fdb-add","mac":"01:00:00:00:00:99","port":"vx1","remote":"10.200.0.2"}'
assert_ok "vxlan del vx2" sw vxlan del vx2
assert_exit 2 "vxlan add without --vni is a usage error" sw vxlan add vx9 --remote 10.200.0.2
assert_exit 2 "--vxlan with a client command is a usage error" \
	"$CONTAINET" -s "$SOCK" --vxlan x --vni 1 --remote 10.0.0.1 ports

# --- static fdb entries: unicast to one remote only -------------------------------------
assert_ok "fdb add of a static MAC behind vx1 at 10.200.0.3" \
	sw fdb add 02:00:00:00:77:77 --port vx1 --remote 10.200.0.3
assert_match '"mac":"02:00:00:00:77:77","port":"vx1","segment":"lab","vlan":0,"age":0,"remote":"10.200.0.3","static":true' \
	"$(sw fdb --json)" "the static entry is listed with its remote"
spawn tcpdump-static ip netns exec "$UL" tcpdump -i br0 -nn -U -w "$TEST_TMP/static.pcap" \
	'udp port 4789 and src host 10.200.0.1'
TCPDUMP=$SPAWNED
sleep 1
ip -n "$A1" neigh replace 10.201.0.77 lladdr 02:00:00:00:77:77 dev eth0
ip netns exec "$A1" ping -c 2 -i 0.2 -W 1 10.201.0.77 >/dev/null 2>&1 || true
sleep 0.5
kill_wait "$TCPDUMP" INT
to77=$(tshark -r "$TEST_TMP/static.pcap" -Y 'ip.dst == 10.201.0.77' -T fields -e ip.dst 2>/dev/null || true)
static_b=$(grep -c '^10.200.0.2,' <<<"$to77" || true)
static_c=$(grep -c '^10.200.0.3,' <<<"$to77" || true)
if ((static_c >= 2 && static_b == 0)); then
	ok "frames to the static MAC go to its remote only ($static_c to C, none to B)"
else
	fail "frames to the static MAC: $static_b to B, $static_c to C"
fi
assert_ok "fdb del of the static MAC" sw fdb del 02:00:00:00:77:77 --segment lab

# --- hostile datagrams: dropped and counted, the switch goes on ------------------------
a1mac=$(ip -n "$A1" -br link show eth0 | awk '{print $3}')
/usr/bin/python3 - "$HB" "$VNI" "$a1mac" <<'EOF' || fail "could not send the hostile datagrams"
import socket, subprocess, sys
ns, vni, a1mac = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3].replace(":", ""))
def hdr(flags=0x08, vni=vni, r1=b"\0\0\0", r2=0):
    return bytes([flags]) + r1 + vni.to_bytes(3, "big") + bytes([r2])
inner = b"\xff" * 6 + b"\x02\x00\x00\x00\x66\x66" + b"\x08\x06" + b"\0" * 28
cases = [
    hdr(flags=0x00) + inner,            # no I flag
    hdr(flags=0x0c) + inner,            # a reserved flag bit
    hdr(r1=b"\0\x01\0") + inner,        # reserved bits after the flags
    hdr(r2=1) + inner,                  # the reserved byte after the VNI
    hdr()[:5],                          # short
    hdr(vni=999) + inner,               # unknown VNI
    hdr() + b"\xff" * 6 + a1mac + b"\x08\x06" + b"\0" * 28,  # from the switch's own station
    hdr() + b"\xff" * 12 + b"\x08\x06",  # a multicast inner source
]
code = "import socket,sys\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n" \
    "s.bind(('10.200.0.2',0))\n" \
    "for c in sys.stdin.buffer.read().split(b'@@SEP@@'):\n s.sendto(c,('10.200.0.1',4789))\n"
subprocess.run(["ip", "netns", "exec", ns, "/usr/bin/python3", "-c", code],
               input=b"@@SEP@@".join(cases), check=True)
EOF
# From an address that is not a remote: host D.
ip netns exec "$HD" /usr/bin/python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(bytes([8,0,0,0]) + ($VNI).to_bytes(3, 'big') + b'\0' + b'\xff' * 6 + b'\x02\x00\x00\x00\x55\x55\x08\x06' + b'\0' * 28, ('10.200.0.1', 4789))
"
sleep 0.5
drops=$(ports_json)
for d in '"no I flag":1' '"reserved bits set":3' '"short":1' '"unknown VNI":1' \
	'"inner source is local":1' '"bad inner source":1' '"not from a remote":1'; do
	assert_match "$d" "$drops" "hostile datagrams counted: $d"
done
assert_no_match '02:00:00:00:66:66|02:00:00:00:55:55' "$(sw fdb --json)" \
	"no hostile inner source was learned"
assert_ok "switch A alive after hostile datagrams" kill -0 "$SWITCH"
assert_ok "a1 still pings b1" ip netns exec "$A1" ping -c 1 -W 2 10.201.0.11

# --- two containet hosts, two VNIs: isolation ------------------------------------------
spawn switch-d ip netns exec "$HD" "$CONTAINET" -s "$SOCKD" -v --no-vxlan-gro \
	--vxlan vxa --vni 100 --remote 10.200.0.1 --segment red \
	--vxlan vxb --vni 200 --remote 10.200.0.1 --segment blue
wait_until 5 swd ports || die "switch D does not answer: $(cat "$TEST_TMP/switch-d.log")"
sw segment add red --mtu 1450 >/dev/null
sw segment add blue --mtu 1450 >/dev/null
assert_ok "vxlan add red on A" sw vxlan add vxr --vni 100 --remote 10.200.0.4 --segment red
assert_ok "vxlan add blue on A" sw vxlan add vxb --vni 200 --remote 10.200.0.4 --segment blue
R1=${TEST_ID}r1
B2=${TEST_ID}bl
attach_node "$SOCK" "$R1" r1 red 10.202.0.1
attach_node "$SOCK" "$B2" bl blue 10.202.0.2
attach_node "$SOCKD" "$D1" d1 red 10.202.0.11
attach_node "$SOCKD" "$D2" d2 blue 10.202.0.12
assert_ok "red on A pings red on D" ip netns exec "$R1" ping -c 2 -i 0.2 -W 2 10.202.0.11
assert_ok "blue on A pings blue on D" ip netns exec "$B2" ping -c 2 -i 0.2 -W 2 10.202.0.12
# Switch D runs with --no-vxlan-gro: its underlay coalesces, it merges nothing.
spawn iperf-red ip netns exec "$R1" iperf3 -s -1 -p 5204
wait_until 5 ip netns exec "$R1" sh -c 'ss -ltn | grep -q :5204' || die "iperf3 server on r1 did not start"
e0=$(csum_errors "$D1")
assert_ok "TCP from red on A to red on D (switch D with --no-vxlan-gro)" \
	ip netns exec "$D1" iperf3 -c 10.202.0.1 -p 5204 -R -t 1 --connect-timeout 3000
assert_match '"name":"vxa"[^}]*"rx_frames":[1-9][0-9]{3,}[^}]*"gro_merged":0,' "$(swd ports --json)" \
	"switch D with --no-vxlan-gro took the segments one by one and merged none"
assert_eq 0 "$(($(csum_errors "$D1") - e0))" "no TcpInCsumErrors on d1"
assert_fails "red on A does not reach blue on D" ip netns exec "$R1" ping -c 2 -i 0.2 -W 1 10.202.0.12
assert_fails "blue on A does not reach red on D" ip netns exec "$B2" ping -c 2 -i 0.2 -W 1 10.202.0.11
assert_no_match "$(ip -n "$D2" -br link show eth0 | awk '{print $3}')\",\"port\":\"[^\"]*\",\"segment\":\"red" \
	"$(sw fdb --json)" "blue's station is never learned in red"

# --- an IPv6 underlay: 70 bytes of headers -----------------------------------------------
ip -n "$HA" addr add fd00:200::1/64 dev ul0 nodad
ip -n "$HD" addr add fd00:200::4/64 dev ul0 nodad
sw segment add green6 --mtu 1431 >/dev/null
hostile "a VXLAN port over IPv6 on a segment of MTU 1431" "has MTU 1431, more than the 1430" \
	'{"op":"vxlan-add","name":"vx6","vni":300,"remote":"fd00:200::4","segment":"green6"}'
swd segment add green --mtu 1430 >/dev/null
assert_ok "vxlan add over IPv6 on D" swd vxlan add vx6 --vni 300 --remote fd00:200::1 \
	--local fd00:200::4 --segment green
sw segment add green --mtu 1430 >/dev/null
assert_ok "vxlan add over IPv6 on A" sw vxlan add vx6 --vni 300 --remote fd00:200::4 --segment green
G1=${TEST_ID}g1
attach_node "$SOCK" "$G1" g1 green 10.202.0.21
ip -n "$G1" link set eth0 mtu 1430
G2=${TEST_ID}g2
attach_node "$SOCKD" "$G2" g2 green 10.202.0.31
ip -n "$G2" link set eth0 mtu 1430
spawn iperf-g2 ip netns exec "$G2" iperf3 -s -1 -p 5202
wait_until 5 ip netns exec "$G2" sh -c 'ss -ltn | grep -q :5202' || fail "iperf3 server on g2 did not start"
assert_ok "green on A reaches green on D over the IPv6 underlay" \
	ip netns exec "$G1" ping -c 2 -i 0.2 -W 2 10.202.0.31
assert_ok "TCP over the IPv6 underlay (iperf3, segmented frames)" \
	ip netns exec "$G1" iperf3 -c 10.202.0.31 -t 1 -p 5202 --connect-timeout 3000
assert_match '"remote":"fd00:200::4"' "$(sw fdb --json)" "a station learned over IPv6 shows its IPv6 remote"

assert_ok "vxlan del vxr" sw vxlan del vxr
assert_ok "vxlan del vxb" sw vxlan del vxb
assert_no_match '"name":"vxr"' "$(ports_json)" "vxr is gone"
assert_ok "switch A alive at the end" kill -0 "$SWITCH"
