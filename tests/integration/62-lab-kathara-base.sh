#!/usr/bin/env bash
# Three unmodified labs of the Kathara labs collection (tests/fixtures/kathara-labs) on a
# stand-in of kathara/base built from Debian packages, checked against their slides:
# static-routing (unreachable networks until the slides' routes are added, then pc1
# reaches pc2), one-bridge (b1's Linux bridge of the startup, its local MACs and ageing
# time, and pc1's MAC learned on port 1 once pc1 sends a frame) and basic-ipv4 (lab.conf's
# MACs, pings across two routers, a bridged wireshark node on the lab's management
# segment, which the host reaches; the lab runs in a network namespace of the test
# standing for the host, as its host port goes there).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/labimage.sh"
lab_kathara_setup base
MAP+=(--image-map lscr.io/linuxserver/wireshark=local/kathara-base)

# --- static-routing ---------------------------------------------------------------------
assert_ok "up of static-routing, unmodified" lab up --name sr "${MAP[@]}" "$K/static-routing"
x() { lab exec --name sr "$@"; }
assert_ok "pc1 pings its router (slides: step 3)" x pc1 -- ping -c 1 -W 2 195.11.14.1
assert_exit 2 "pc1 cannot reach 100.0.0.9 yet" x pc1 -- ping -c 1 -W 1 100.0.0.9
assert_match "Network is unreachable" "$(cat "$TEST_TMP/last.out")" \
	"\"Network is unreachable\", as the slides show"
# The slides' steps 4 and 5.
x pc1 -- ip route add default via 195.11.14.1 dev eth0
x pc2 -- ip route add default via 200.1.1.1 dev eth0
assert_ok "with default routes, pc1 reaches r1's far side 100.0.0.9" \
	x pc1 -- ping -c 1 -W 2 100.0.0.9
x r2 -- ip route add 195.11.14.0/24 via 100.0.0.9 dev eth1
x r1 -- ip route add 200.1.1.0/24 via 100.0.0.10 dev eth1
assert_ok "with the static routes, pc1 pings pc2 (slides: step 5)" \
	x pc1 -- ping -c 2 -W 2 200.1.1.7
assert_match "200.1.1.0/24 via 100.0.0.10 dev eth1" "$(x r1 -- ip route)" "r1's routing table"
assert_ok "down" lab down --name sr
assert_eq "" "$(leftovers sr)" "nothing of static-routing is left"

# --- one-bridge -------------------------------------------------------------------------
assert_ok "up of one-bridge, unmodified" lab up --name ob "${MAP[@]}" "$K/one-bridge"
x() { lab exec --name ob "$@"; }
# brctl showmacs: port, MAC, local or not, ageing timer.
macs() { x b1 -- brctl showmacs mainbridge | awk 'NR > 1 { print $1, $2, $3 }' | sort; }
assert_eq "1 00:00:00:00:00:b1 yes
2 00:00:00:00:00:b2 yes
3 00:00:00:00:00:b3 yes
4 00:00:00:00:00:b4 yes" "$(macs)" "b1's FDB holds its four local MACs, one per port (slides)"
assert_eq "60000" "$(x b1 -- cat /sys/class/net/mainbridge/bridge/ageing_time)" \
	"brctl setageing mainbridge 600 of the startup took"
# The slides send one frame from pc1 with scapy; busybox's arping (a probe from 0.0.0.0,
# as pc1 has no address) sends one too.
x pc1 -- arping -D -I eth0 -c 1 -w 1 10.0.0.2 >/dev/null || true
assert_match "1 00:00:00:00:00:01 no" "$(macs)" "b1 learned pc1's MAC on port 1 (slides)"
assert_ok "down" lab down --name ob
assert_eq "" "$(leftovers ob)" "nothing of one-bridge is left"

# --- basic-ipv4 -------------------------------------------------------------------------
# In a namespace of the test (nsenter, not ip netns exec, whose sysfs hides the cgroups).
HOSTNS=${TEST_ID}h
netns_add "$HOSTNS"
in_host() { nsenter --net="/run/netns/$HOSTNS" "$@"; }
defer in_host "$CONTAINET" lab down --name b4
lab() { in_host "$CONTAINET" lab "$@"; }
lab up --name b4 "${MAP[@]}" "$K/basic-ipv4" >"$TEST_TMP/b4.out" 2>&1 || true
assert_match "lab b4: 6 nodes" "$(cat "$TEST_TMP/b4.out")" "up of basic-ipv4, unmodified"
assert_no_match "ignoring" "$(cat "$TEST_TMP/b4.out")" "no warning: node[bridged] is done"
x() { lab exec --name b4 "$@"; }
mg=$(x wireshark -- ip -4 -o addr show dev eth0) || true
assert_match "inet 172\.30\.[0-9]+\.1/24" "$mg" \
	"the bridged wireshark node (no interface of its own) has eth0 on the management segment"
gw=$(sed -n 's/.*inet \(172\.30\.[0-9]*\)\.1\/24.*/\1.254/p' <<<"$mg")
assert_ok "it reaches the host through the host port" x wireshark -- ping -c 1 -W 2 "$gw"
assert_eq "00:00:00:00:00:a1" "$(x r1 -- cat /sys/class/net/eth0/address)" "r1 eth0 has lab.conf's MAC"
assert_eq "00:00:00:00:00:b2" "$(x r2 -- cat /sys/class/net/eth1/address)" "r2 eth1 has lab.conf's MAC"
assert_ok "pc1 pings pc2 through r1 and r2" x pc1 -- ping -c 2 -W 2 200.1.1.7
assert_ok "pc1 pings pc3" x pc1 -- ping -c 1 -W 2 200.1.1.3
assert_ok "pc2 pings pc3 on their LAN" x pc2 -- ping -c 1 -W 2 200.1.1.3
assert_match "200.1.1.3 .* 00:00:00:00:00:03" "$(x pc2 -- ip neigh)" "pc2 learned pc3's MAC by ARP"
assert_match "b4-wireshark .* running" "$(lab ps --name b4)" "the wireshark node runs"
assert_ok "down" lab down --name b4
assert_eq "" "$(leftovers b4)" "nothing of basic-ipv4 is left"
assert_eq "" "$(in_host nft list tables | grep containet || true)" "no nftables table is left"
