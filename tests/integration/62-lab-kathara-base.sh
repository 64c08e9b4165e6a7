#!/usr/bin/env bash
# Two unmodified labs of the Kathara labs collection (tests/fixtures/kathara-labs) on a
# stand-in of kathara/base built from Debian packages, checked against their slides:
# static-routing (unreachable networks until the slides' routes are added, then pc1
# reaches pc2) and basic-ipv4 (lab.conf's MACs, pings across two routers, a bridged
# wireshark node that still runs).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/labimage.sh"
lab_nodes_supported || skip "containode has no detached life cycle (run -d) yet"
[[ -x /bin/busybox ]] || skip "busybox-static is not installed"

export CONTAINET_STORE=$LAB_STORE
lab_image_base || die "the kathara/base stand-in could not be built"
K=$TOP/tests/fixtures/kathara-labs
MAP=(--image-map kathara/base=local/kathara-base
	--image-map lscr.io/linuxserver/wireshark=local/kathara-base)

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

# --- basic-ipv4 -------------------------------------------------------------------------
lab up --name b4 "${MAP[@]}" "$K/basic-ipv4" >"$TEST_TMP/b4.out" 2>&1 || true
assert_match "lab b4: 6 nodes" "$(cat "$TEST_TMP/b4.out")" "up of basic-ipv4, unmodified"
assert_match "bridged.*ignoring" "$(cat "$TEST_TMP/b4.out")" "the bridged node is warned about"
x() { lab exec --name b4 "$@"; }
assert_eq "00:00:00:00:00:a1" "$(x r1 -- cat /sys/class/net/eth0/address)" "r1 eth0 has lab.conf's MAC"
assert_eq "00:00:00:00:00:b2" "$(x r2 -- cat /sys/class/net/eth1/address)" "r2 eth1 has lab.conf's MAC"
assert_ok "pc1 pings pc2 through r1 and r2" x pc1 -- ping -c 2 -W 2 200.1.1.7
assert_ok "pc1 pings pc3" x pc1 -- ping -c 1 -W 2 200.1.1.3
assert_ok "pc2 pings pc3 on their LAN" x pc2 -- ping -c 1 -W 2 200.1.1.3
assert_match "200.1.1.3 .* 00:00:00:00:00:03" "$(x pc2 -- ip neigh)" "pc2 learned pc3's MAC by ARP"
assert_match "b4-wireshark .* running" "$(lab ps --name b4)" "the wireshark node runs"
assert_ok "down" lab down --name b4
assert_eq "" "$(leftovers b4)" "nothing of basic-ipv4 is left"
