#!/usr/bin/env bash
# An unmodified routing lab of the Kathara labs collection on a stand-in of kathara/frr
# built from Debian's frr, checked against its slides: ospf-singlearea (FRR started by the
# lab's own startups; bb0's OSPF database holds the router LSAs of the five routers, its
# interfaces the costs of frr.conf).  OSPF on broadcast networks waits its dead interval
# (40 s) before it elects a designated router: most of this test's time.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/labimage.sh"
lab_kathara_setup frr

assert_ok "up of ospf-singlearea, unmodified" lab up --name ospf "${MAP[@]}" "$K/ospf-singlearea"
x() { lab exec --name ospf "$@"; }
ospf_full() {
	local db
	db=$(x bb0 -- vtysh -c "show ip ospf database router") || return 1
	for id in 10.0.1.1 10.0.2.2 10.0.2.3 10.0.3.1 10.0.3.2; do
		[[ $db == *"Link State ID: $id"* ]] || return 1
	done
}
if wait_until 90 ospf_full; then ok "bb0's OSPF database has the five routers of the slides"; else
	fail "bb0's OSPF database: $(x bb0 -- vtysh -c 'show ip ospf database')"
fi
costs=$(x bb0 -- vtysh -c "show ip ospf interface" | grep -Eo 'Cost: [0-9]+' | tr '\n' ' ')
assert_eq "Cost: 21 Cost: 36 " "$costs" "bb0's interface costs, as the slides show"

assert_ok "down" lab down --name ospf
assert_eq "" "$(leftovers ospf)" "nothing of the lab is left"
