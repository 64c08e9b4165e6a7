#!/usr/bin/env bash
# One lab over two machines: demo/labs/two-host-vxlan, its LAB_HOSTS m1 and m2 played by
# two network namespaces joined by a veth underlay, each running its own part (`lab up
# --host`, or by its address without one) with its own lab root.  Checks: the errors
# that name the file and line (a machine not in LAB_HOSTS, an unknown node[host], an MTU
# the underlay cannot carry, no machine found); show --json's machines, VNI and peers;
# nodes on different machines of the stretched segment ping each other, by name too, over
# standard VXLAN as tcpdump reads it on the underlay;
# auto addresses distinct and from each machine's slice; only the owner answers DHCP; a
# segment of one machine has no VXLAN port; the demo's own _test passes on each machine;
# down --host refuses another machine's part, then leaves nothing on either.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
lab_nodes_supported || skip "containode has no detached life cycle (run -d) yet"
command -v jq >/dev/null || skip "jq is not installed"
command -v nsenter >/dev/null || skip "nsenter is not installed"
command -v busybox >/dev/null || skip "busybox (udhcpc) is not installed"

LAB=$TEST_TMP/two-host-vxlan
cp -r "$(dirname "$0")/../../demo/labs/two-host-vxlan" "$LAB"
rm -rf "$LAB/_test/results"
NAME=h69
M1=${TEST_ID}m1
M2=${TEST_ID}m2

# --- the machines: two namespaces, one veth between them (the demo's LAB_HOSTS) -----------
netns_add "$M1"
netns_add "$M2"
ip link add ul0 netns "$M1" type veth peer name ul0 netns "$M2"
for i in 1 2; do
	ns=${TEST_ID}m$i
	ip -n "$ns" addr add "10.88.0.$i/24" dev ul0
	ip -n "$ns" link set ul0 up
	# Complete checksums on the underlay, as on a wire (README: underlays of veths).
	ip netns exec "$ns" ethtool -K ul0 tx off >/dev/null
done
# on N CMD...: CMD on machine N, with that machine's lab root.  nsenter --net, not ip netns
# exec: that one remounts /sys, and the nodes need the host's cgroup hierarchies there.
on() {
	local n=$1
	shift
	CONTAINET_LAB_ROOT=$TEST_TMP/labs-m$n nsenter --net="/run/netns/${TEST_ID}m$n" "$@"
}
mlab() {
	local n=$1
	shift
	on "$n" "$CONTAINET" lab "$@"
}
sw() {
	local n=$1
	shift
	on "$n" "$CONTAINET" -s "$TEST_TMP/labs-m$n/$NAME/switch.sock" "$@"
}
# Each machine's part down at exit, before the namespaces go (defer runs last first).
defer mlab 1 down --name "$NAME"
defer mlab 2 down --name "$NAME"

# --- errors naming the file and line ----------------------------------------------------
assert_exit 1 "up without --host where no address of LAB_HOSTS is local" lab up "$LAB" --name "$NAME"
assert_match "lab.ext:1: .*none of their addresses is here: say which one this is with --host NAME" \
	"$(cat "$TEST_TMP/last.out")" "it says to give --host, naming LAB_HOSTS' line"
assert_exit 1 "a machine not in LAB_HOSTS" lab show "$LAB" --host m3
assert_match "lab.ext:1: --host 'm3' is not one of LAB_HOSTS \(m1, m2\)" "$(cat "$TEST_TMP/last.out")" \
	"it names the machines"
assert_exit 2 "--host with another verb" lab ps --host m1
assert_exit 1 "--host for a lab without LAB_HOSTS" lab show "$(dirname "$0")/../../demo/labs/two-lans" --host m1
assert_match "no LAB_HOSTS" "$(cat "$TEST_TMP/last.out")" "it says the lab has no LAB_HOSTS"
BAD=$TEST_TMP/bad
cp -r "$LAB" "$BAD"
sed -i 's/^b2\[host\]=m2/b2[host]=m9/' "$BAD/lab.ext"
assert_exit 1 "a node[host] not in LAB_HOSTS" lab show "$BAD"
assert_match "lab.ext:3: host 'm9' of 'b2' is not in LAB_HOSTS" "$(cat "$TEST_TMP/last.out")" \
	"it names the line, the host and the node"
cp "$LAB/lab.ext" "$BAD/lab.ext"
echo 'lan[mtu]=1500' >>"$BAD/lab.ext"
mtu_line=$(wc -l <"$BAD/lab.ext")
assert_exit 1 "an mtu the VXLAN underlay cannot carry" mlab 1 show "$BAD" --host m1
assert_match "lab.ext:$mtu_line: mtu 1500 of 'lan' is more than the 1450 its VXLAN underlay carries" \
	"$(cat "$TEST_TMP/last.out")" "it names the line and the largest MTU"

# --- show: the split as machine m1 sees it (found by its address) -----------------------
assert_ok "show --json on m1 without --host" mlab 1 show "$LAB" --json
js=$(cat "$TEST_TMP/last.out")
assert_eq "m1" "$(jq -r .machines.this <<<"$js")" "m1 is found by its address"
assert_eq "a1=m1 a2=m1 b1=m2 b2=m2" "$(jq -r '[.nodes[] | "\(.name)=\(.host)"] | join(" ")' <<<"$js")" \
	"each node's machine"
assert_eq "true 10.88.0.2 1450 1/2 true m1,m2" \
	"$(jq -r '.machines.segments[] | select(.name == "lan") |
		"\(.stretched) \(.peers | join(",")) \(.mtu) \(.slice) \(.services) \(.hosts | join(","))"' <<<"$js")" \
	"lan: stretched to m2, MTU 1500 - 50, slice 1 of 2, services here"
vni=$(jq -r '.machines.segments[] | select(.name == "lan") | .vni' <<<"$js")
assert_eq "false" "$(jq -r '.machines.segments[] | select(.name == "back") | .stretched' <<<"$js")" \
	"back is m1's alone"
assert_eq "$vni" "$(mlab 2 show "$LAB" --json | jq -r '.machines.segments[] | select(.name == "lan") | .vni')" \
	"m2 derives the same VNI ($vni)"
assert_match "lan +VNI $vni over m1,m2, services on m1, mtu 1450 \(underlay 1500" \
	"$(mlab 1 show "$LAB")" "show says so in text, with the MTU it picked"

# --- up: each machine its part ----------------------------------------------------------
assert_ok "up on m1 (--host m1)" mlab 1 up "$LAB" --name "$NAME" --host m1
assert_ok "up on m2 (found by its address)" mlab 2 up "$LAB" --name "$NAME"
ids() { mlab "$1" ps --name "$NAME" --json | jq -r '[.[].id] | sort | join(" ")'; }
assert_eq "$NAME-a1 $NAME-a2" "$(ids 1)" "m1 runs its own nodes only"
assert_eq "$NAME-b1 $NAME-b2" "$(ids 2)" "and m2 its own"
vx() { sw "$1" ports --json | jq -r '[.ports[] | select(.kind == "vxlan") | "\(.segment) \(.vni)"] | join(";")'; }
assert_eq "lan $vni" "$(vx 1)" "m1 has one VXLAN port, in lan (none in back)"
assert_eq "lan $vni" "$(vx 2)" "m2 has the same"
seg() { sw "$1" segments --json | jq -r ".segments[] | select(.name == \"lan\") | \"\(.mtu) \(.slice) \(.services != false)\""; }
assert_eq "1450 1/2 true" "$(seg 1)" "m1's lan: MTU 1450, slice 1/2, its services"
assert_eq "1450 2/2 false" "$(seg 2)" "m2's lan: slice 2/2, services on the other machine"

addr() { mlab "$1" exec --name "$NAME" "$2" -- ip -4 -o addr show eth0 | awk '{ sub(/\/.*/, "", $4); print $4 }'; }
a1=$(addr 1 a1)
b1=$(addr 2 b1)
assert_match '^10\.50\.0\.[0-9]+$' "$a1" "a1 has an auto address ($a1)"
assert_match '^10\.50\.0\.[0-9]+$' "$b1" "b1 has an auto address ($b1)"
if [[ -n $a1 && -n $b1 && $a1 != "$b1" ]] && ((${a1##*.} < 128 && ${b1##*.} >= 128)); then
	ok "the auto addresses differ, a1's from the first half of the pool, b1's from the second"
else
	fail "auto addresses a1 '$a1', b1 '$b1': expected distinct, from slices 1/2 and 2/2"
fi
assert_match "\"ipv4\":\"$a1\",\"node\":\"$NAME-a1\"" "$(sw 1 leases lan --json)" "m1's switch gave a1's"
assert_match "\"ipv4\":\"$b1\",\"node\":\"$NAME-b1\"" "$(sw 2 leases lan --json)" "m2's switch gave b1's"

# On the underlay: standard VXLAN (as tcpdump decodes it), with lan's VNI.
if command -v tcpdump >/dev/null; then
	spawn wire ip netns exec "$M1" tcpdump -nn -l -i ul0 -c 2 udp port 4789
	wait_until 5 grep -q "listening on" "$TEST_TMP/wire.log" || fail "tcpdump on m1's underlay did not start"
fi
assert_ok "b1 (m2) pings a1 (m1) over VXLAN" mlab 2 exec --name "$NAME" b1 -- ping -c 2 -W 2 "$a1"
if command -v tcpdump >/dev/null; then
	wait_until 5 grep -q "2 packets captured" "$TEST_TMP/wire.log" || true
	assert_match "10\.88\.0\.2\.[0-9]+ > 10\.88\.0\.1\.4789: VXLAN, flags \[I\] \(0x08\), vni $vni" \
		"$(cat "$TEST_TMP/wire.log")" "the underlay carries standard VXLAN with lan's VNI"
fi
assert_ok "a1 (m1) pings b1 (m2)" mlab 1 exec --name "$NAME" a1 -- ping -c 2 -W 2 "$b1"
assert_ok "b1 resolves a1 through m1's DNS, over VXLAN" mlab 2 exec --name "$NAME" b1 -- ping -c 1 -W 2 a1
assert_ok "a full-size frame crosses (MTU 1450)" mlab 2 exec --name "$NAME" b1 -- ping -c 1 -W 2 -M do -s 1422 "$a1"
assert_ok "b1 pings lan's service address, on m1" mlab 2 exec --name "$NAME" b1 -- ping -c 1 -W 2 10.50.0.253

# DHCP: b2 (m2) asks; only m1's switch, lan's owner, answers, from its slice of the range.
out=$(mlab 2 exec --name "$NAME" b2 -- busybox udhcpc -i eth0 -n -q -f -t 5 -T 1 -s /bin/true 2>&1) || true
dhcp=$(sed -n 's/.*lease of \([0-9.]*\) obtained from \([0-9.]*\).*/\1 \2/p' <<<"$out")
assert_match '^10\.50\.0\.1([0-4][0-9]) 10\.50\.0\.253$' "$dhcp" \
	"b2 gets a DHCP lease from lan's service address, in the first half of the range"
assert_match "\"kind\":\"dhcp\",\"ipv4\":\"${dhcp%% *}\"" "$(sw 1 leases lan --json)" "m1's switch holds the lease"
assert_no_match '"kind":"dhcp"' "$(sw 2 leases lan --json)" "m2's switch answered no DHCP"
assert_ok "b2's DHCP address is set back down" mlab 2 exec --name "$NAME" b2 -- ip addr flush dev eth0

# --- the demo's own _test, on each machine, against its stored signatures ---------------
(cd "$LAB" && mlab 1 test --name "$NAME" --verify >"$TEST_TMP/test1.out" 2>&1) &&
	ok "lab test --verify on m1 (a1, a2)" || fail "lab test --verify on m1: $(cat "$TEST_TMP/test1.out")"
(cd "$LAB" && mlab 2 test --name "$NAME" --verify >"$TEST_TMP/test2.out" 2>&1) &&
	ok "lab test --verify on m2 (b1, b2)" || fail "lab test --verify on m2: $(cat "$TEST_TMP/test2.out")"

# --- down, each machine its part ----------------------------------------------------------
assert_exit 1 "down --host m2 on m1 is refused" mlab 1 down --name "$NAME" --host m2
assert_match "the part of machine 'm1'" "$(cat "$TEST_TMP/last.out")" "it names the machine whose part is up"
assert_ok "down --host m1 on m1" mlab 1 down --name "$NAME" --host m1
assert_ok "b1 still runs on m2" mlab 2 exec --name "$NAME" b1 -- true
assert_ok "down --host m2 on m2" mlab 2 down --name "$NAME" --host m2
for i in 1 2; do
	assert_eq "" "$(CONTAINET_LAB_ROOT=$TEST_TMP/labs-m$i leftovers "$NAME")" "m$i: nothing left of the lab"
	assert_eq "lo ul0" "$(ip -n "${TEST_ID}m$i" -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | xargs)" \
		"m$i: no tap or other interface left"
	assert_eq "" "$(ip netns exec "${TEST_ID}m$i" ss -Huan)" "m$i: no UDP socket left (VXLAN)"
done
