#!/usr/bin/env bash
# An unmodified Quagga lab of the Kathara labs collection on the stand-in of
# kathara/quagga (FRR's daemons behind Quagga's layout and init script):
# quagga-introduction, three routers in a line whose startups run `systemctl start
# quagga` and whose /etc/quagga/daemons say zebra=yes, ripd=yes. Every pair pings once
# RIP has spread the four networks; r1 and r3 hold the far networks as RIP routes, at
# the hop counts of the line; the daemons are FRR's, reading /etc/quagga's files;
# /etc/init.d/zebra restart brings r2's routes back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/labimage.sh"
lab_kathara_setup quagga

assert_ok "up of quagga-introduction, unmodified" lab up --name qi "${MAP[@]}" \
	"$K/quagga-introduction"
x() { lab exec --name qi "$@"; }
pingall() { lab pingall --name qi -c 1 --timeout 2 >"$TEST_TMP/pingall.out" 2>&1; }
if wait_until 60 pingall; then ok "pingall: every pair of the three routers"; else
	fail "pingall: $(cat "$TEST_TMP/pingall.out")"
fi

assert_eq "zebra staticd ripd" "$(x r1 -- /etc/init.d/quagga status | tr '\n' ' ' | sed 's/ $//')" \
	"r1 runs the daemons its daemons file names (and FRR's staticd beside zebra)"
assert_match "/usr/lib/frr/ripd -d -f /etc/quagga/ripd.conf" "$(x r1 -- ps -eo args)" \
	"ripd is FRR's, with the lab's /etc/quagga/ripd.conf"
rt=$(x r1 -- vtysh -c "show ip route")
assert_match "R>\* 200\.0\.0\.0/30 \[120/2\] via 150\.0\.0\.2, eth1" "$rt" \
	"r1 learned r2's far network by RIP, two hops away"
assert_match "R>\* 220\.0\.0\.0/24 \[120/3\] via 150\.0\.0\.2, eth1" "$rt" \
	"r1 learned r3's LAN by RIP, three hops away"
rt=$(x r3 -- ip route)
assert_match "100\.0\.0\.0/24 nhid [0-9]+ via 200\.0\.0\.1 dev eth0 proto rip" "$rt" \
	"r3's kernel table has r1's LAN from ripd"
assert_match "150\.0\.0\.0/30 nhid [0-9]+ via 200\.0\.0\.1 dev eth0 proto rip" "$rt" \
	"r3's kernel table has the r1-r2 network from ripd"

assert_ok "/etc/init.d/zebra restart on r2 (Kathara's link to the quagga script)" \
	x r2 -- /etc/init.d/zebra restart
r2_relearned() {
	local t
	t=$(x r2 -- ip route) || return 1
	[[ $t =~ 100\.0\.0\.0/24\ .*via\ 150\.0\.0\.1\ dev\ eth0\ proto\ rip &&
		$t =~ 220\.0\.0\.0/24\ .*via\ 200\.0\.0\.2\ dev\ eth1\ proto\ rip ]]
}
if wait_until 30 r2_relearned; then ok "r2's new ripd learned both LANs again"; else
	fail "r2's routes after the restart: $(x r2 -- ip route)"
fi

assert_ok "down" lab down --name qi
assert_eq "" "$(leftovers qi)" "nothing of the lab is left"
