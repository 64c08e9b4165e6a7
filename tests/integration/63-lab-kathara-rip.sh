#!/usr/bin/env bash
# An unmodified routing lab of the Kathara labs collection on a stand-in of kathara/frr
# built from Debian's frr, checked against its slides: rip (before FRR runs r4 knows its
# own networks only; once FRR runs on r1..r4, r4 learns the stub's networks by RIP and
# reaches them; r5 reaches them with the slides' static route).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/labimage.sh"
lab_kathara_setup frr

assert_ok "up of rip, unmodified" lab up --name rip "${MAP[@]}" "$K/rip"

x() { lab exec --name rip "$@"; }
assert_no_match "proto rip" "$(x r4 -- ip route)" "before FRR, r4 knows its own networks only"
assert_exit 2 "before FRR, 100.1.2.1 is unreachable from r4" x r4 -- ping -c 1 -W 1 100.1.2.1
for r in r1 r2 r3 r4; do
	assert_ok "systemctl start frr on $r (the slides' step)" x "$r" -- systemctl start frr
done
# What the slides show of r4's table; 100.1.0.8/30 and 100.1.2.0/24 are two hops through
# r1 and through r3, and RIP keeps whichever it heard first.
rip_learned() {
	local t
	t=$(x r4 -- ip route) || return 1
	[[ $t =~ 100\.1\.0\.0/30\ .*via\ 100\.1\.0\.13\ dev\ eth3\ proto\ rip &&
		$t =~ 100\.1\.0\.4/30\ .*via\ 100\.1\.0\.17\ dev\ eth2\ proto\ rip &&
		$t =~ 100\.1\.0\.8/30\ .*via\ 100\.1\.0\.1[37]\ dev\ eth[23]\ proto\ rip &&
		$t =~ 100\.1\.1\.0/24\ .*via\ 100\.1\.0\.13\ dev\ eth3\ proto\ rip &&
		$t =~ 100\.1\.2\.0/24\ .*via\ 100\.1\.0\.1[37]\ dev\ eth[23]\ proto\ rip &&
		$t =~ 100\.1\.3\.0/24\ .*via\ 100\.1\.0\.17\ dev\ eth2\ proto\ rip ]]
}
if wait_until 60 rip_learned; then ok "r4 learned the six routes of the slides by RIP"; else
	fail "r4's routes by RIP: $(x r4 -- ip route)"
fi
assert_ok "r4 pings 100.1.2.1 (slides)" x r4 -- ping -c 2 -W 2 100.1.2.1
x r5 -- ip route add 100.1.0.0/16 via 100.2.0.1
assert_ok "with the slides' static route, r5 pings 100.1.2.1" x r5 -- ping -c 1 -W 2 100.1.2.1

assert_ok "down" lab down --name rip
assert_eq "" "$(leftovers rip)" "nothing of the lab is left"
