#!/usr/bin/env bash
# Two unmodified BGP labs of the Kathara labs collection on the stand-in of kathara/frr,
# checked against their slides: bgp-simple-peering (router1 peers with router2 of AS 2,
# knows its own networks only, and its BGP table is empty) and data-center-bgp (a fat
# tree of 18 nodes named spine_1_1_1 and the like, its routers on IPv6 link-local
# unnumbered eBGP sessions: spine_1_1_1 reaches its pod's servers' networks through one
# leaf each and the other pod's through both ToFs at once, and the servers ping across).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/labimage.sh"
lab_kathara_setup base frr

# --- bgp-simple-peering -----------------------------------------------------------------
assert_ok "up of bgp-simple-peering, unmodified" lab up --name bsp "${MAP[@]}" \
	"$K/bgp-simple-peering"
x() { lab exec --name bsp "$@"; }
established() { x router1 -- vtysh -c "show ip bgp neighbors" | grep -q "BGP state = Established"; }
if wait_until 60 established; then ok "router1's session with 193.10.11.2 is established"; else
	fail "router1's BGP neighbours: $(x router1 -- vtysh -c 'show ip bgp neighbors')"
fi
nb=$(x router1 -- vtysh -c "show ip bgp neighbors")
assert_match "BGP neighbor is 193.10.11.2, remote AS 2, local AS 1, external link" "$nb" \
	"the neighbour and the ASes of the slides"
assert_match "Description: Router 2 of AS2" "$nb" "the description of frr.conf"
assert_match "remote router ID 200.1.1.1, local router ID 195.11.14.1" "$nb" \
	"the router IDs of the slides"
assert_eq "193.10.11.0/24 dev eth0 proto kernel scope link src 193.10.11.1
195.11.14.0/24 dev eth1 proto kernel scope link src 195.11.14.1" \
	"$(x router1 -- ip route | sed 's/ *$//')" "router1 knows its own networks only (slides)"
assert_match "No BGP prefixes displayed, 0 exist" "$(x router1 -- vtysh -c 'show ip bgp')" \
	"the BGP table is empty, as nothing is announced (slides)"
assert_ok "down" lab down --name bsp
assert_eq "" "$(leftovers bsp)" "nothing of bgp-simple-peering is left"

# --- data-center-bgp --------------------------------------------------------------------
assert_ok "up of data-center-bgp, unmodified" lab up --name dc "${MAP[@]}" "$K/data-center-bgp"
x() { lab exec --name dc "$@"; }
assert_match "dc-leaf_1_0_1 .* running" "$(lab ps --name dc)" "leaf_1_0_1 runs, under its own name"
assert_eq "leaf_1_0_1" "$(x leaf_1_0_1 -- hostname)" "its host name is its name, as under Kathara"
# The slides' "data plane": spine_1_1_1's routes to the eight servers' networks.
spine_routes() {
	local t
	t=$(x spine_1_1_1 -- ip route) || return 1
	[[ $t =~ 201\.1\.1\.0/24\ nhid\ [0-9]+\ via\ inet6\ fe80::[0-9a-f:]+\ dev\ eth0\ proto\ bgp &&
		$t =~ 201\.1\.2\.0/24\ nhid\ [0-9]+\ via\ inet6\ fe80::[0-9a-f:]+\ dev\ eth0\ proto\ bgp &&
		$t =~ 201\.2\.1\.0/24\ nhid\ [0-9]+\ via\ inet6\ fe80::[0-9a-f:]+\ dev\ eth1\ proto\ bgp &&
		$t =~ 201\.2\.2\.0/24\ nhid\ [0-9]+\ via\ inet6\ fe80::[0-9a-f:]+\ dev\ eth1\ proto\ bgp ]] ||
		return 1
	for p in 202.1.1.0 202.1.2.0 202.2.1.0 202.2.2.0; do
		# Multipath: the prefix, then one nexthop through each ToF (eth2, eth3).
		awk -v p="$p/24" '$1 == p { on = 1; next } /^[0-9]/ { on = 0 }
			on && /nexthop via inet6 fe80::/ { print $NF == "1" ? $(NF - 2) : $0 }' <<<"$t" |
			sort | tr '\n' ' ' | grep -qx 'eth2 eth3 ' || return 1
	done
}
if wait_until 90 spine_routes; then
	ok "spine_1_1_1 has the slides' routes: pod 1 by eth0/eth1, pod 2 over both ToFs"
else
	fail "spine_1_1_1's routes: $(x spine_1_1_1 -- ip route)"
fi
sum=$(x leaf_1_0_1 -- vtysh -c "show ip bgp summary")
assert_match "local AS number 64512" "$sum" "leaf_1_0_1 is AS 64512 (slides)"
assert_eq 2 "$(grep -cE '^eth[01] +4 +64514 ' <<<"$sum")" \
	"leaf_1_0_1's two unnumbered sessions with the spines of AS 64514"
assert_ok "server_1_1_1 pings server_2_2_2 across the fabric" \
	x server_1_1_1 -- ping -c 2 -W 2 202.2.2.2
assert_ok "down" lab down --name dc
assert_eq "" "$(leftovers dc)" "nothing of data-center-bgp is left"
