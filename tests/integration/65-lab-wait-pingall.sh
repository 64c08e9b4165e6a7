#!/usr/bin/env bash
# lab wait and lab pingall on the demo lab of two LANs and a router (addresses from the
# startup scripts, read from the nodes): wait for every node, for a command that becomes
# true, a timeout that names the node; pingall reaches every pair, then, with the router's
# eth1 down, names the pairs across it and exits 1; --json read by jq (each pair's replies);
# the nodes' neighbour tables are left as pingall found them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
lab_nodes_supported || skip "containode has no detached life cycle (run -d) yet"
command -v jq >/dev/null || skip "jq is not installed"

assert_exit 0 "lab --help" lab --help
assert_match "wait \[NODE -- CMD" "$(cat "$TEST_TMP/last.out")" "--help lists wait"
assert_match "pingall" "$(cat "$TEST_TMP/last.out")" "--help lists pingall"
assert_exit 2 "pingall -c 0" lab pingall --name wp -c 0
assert_match "count" "$(cat "$TEST_TMP/last.out")" "the message names the option"

LAB=$(cd "$(dirname "$0")/../../demo/labs/two-lans" && pwd)
assert_ok "up of two-lans" lab up --name wp "$LAB"
x() { lab exec --name wp "$@"; }

assert_ok "wait: every node runs" lab wait --name wp --timeout 20
# A file the node makes a second from now: wait tries again until test succeeds.
x pc1 -- sh -c '(sleep 1; touch /tmp/ready) >/dev/null 2>&1 &'
assert_fails "the file is not there yet" x pc1 -- test -e /tmp/ready
assert_ok "wait pc1 -- test -e /tmp/ready: waits until it is true" \
	lab wait --name wp --timeout 20 pc1 -- test -e /tmp/ready
assert_exit 1 "wait for what never becomes true" lab wait --name wp --timeout 1 pc2 -- false
assert_match "timeout .*node pc2" "$(cat "$TEST_TMP/last.out")" "the timeout names the node"
assert_exit 1 "wait in a node the lab does not have" lab wait --name wp --timeout 1 nope -- true
assert_match "no node 'nope'" "$(cat "$TEST_TMP/last.out")" "it says which"
assert_exit 2 "wait NODE without a command" lab wait --name wp pc1
assert_exit 2 "--timeout 0" lab wait --name wp --timeout 0
assert_exit 1 "wait on a lab that is not up" lab wait --name notup
assert_match "not up" "$(cat "$TEST_TMP/last.out")" "it says so"

assert_ok "pingall: every pair reached" lab pingall --name wp -c 1
out=$(cat "$TEST_TMP/last.out")
assert_match "Results: 0% dropped \(6/6 received\)" "$out" "Mininet's summary, 6 pairs"
assert_match "pc1 +X +- +X" "$out" "the matrix (lab order r1 pc1 pc2): pc1 reaches r1 and pc2"

assert_ok "r1's eth1 set down" x r1 -- ip link set eth1 down
assert_exit 1 "pingall with lan2 cut off" lab pingall --name wp --timeout 3
out=$(cat "$TEST_TMP/last.out")
assert_match "Results: 66% dropped \(2/6 received\)" "$out" "only pc1 <-> r1 remain"
assert_match "pc1 -> pc2 \(10.2.0.2\): not reached" "$out" "a failing pair named"
assert_match "pc2 -> r1 \(10.2.0.1\): not reached" "$out" "pc2 reaches neither"
assert_eq "" "$(x pc2 -- ip -4 neigh show | grep -E '^10\.' || true)" \
	"pc2's neighbour table after the cut pingall: nothing of the lab's peers is left"

rc=0
lab pingall --name wp --json >"$TEST_TMP/ping.json" 2>/dev/null || rc=$?
assert_eq 1 "$rc" "pingall --json exits 1 too"
assert_eq "2 6" "$(jq -r '"\(.received) \(.sent)"' "$TEST_TMP/ping.json")" "--json: received and sent"
assert_eq "r1>pc1 pc1>r1" \
	"$(jq -r '[.pairs[] | select(.reached) | "\(.from)>\(.to)"] | join(" ")' "$TEST_TMP/ping.json")" \
	"--json: the pairs reached"
assert_eq "10.1.0.1" \
	"$(jq -r '.pairs[] | select(.from == "pc1" and .to == "r1") | .address' "$TEST_TMP/ping.json")" \
	"--json: pc1 pings r1 at its address on lan1, the segment they share"

assert_ok "r1's eth1 up again" x r1 -- ip link set eth1 up
assert_ok "wait until pc1 reaches pc2 again" \
	lab wait --name wp --timeout 20 pc1 -- ping -c 1 -W 1 10.2.0.2
assert_ok "down" lab down --name wp
assert_eq "" "$(leftovers wp)" "down leaves nothing"

# Mininet's topology: addresses the lab declares (10.0.0.I/8), not read from the nodes.
assert_ok "up --topo single,3" lab up --topo single,3 --name wp3
# pingall leaves the nodes' neighbour tables as it found them: h1's permanent entry and
# the one its own ping made stay, the entries of the run go (h3 had none).
x3() { lab exec --name wp3 "$@"; }
assert_ok "a permanent entry in h1" \
	x3 h1 -- ip neigh add 10.0.0.99 lladdr 02:00:00:00:00:99 dev eth0 nud permanent
assert_ok "h1 pings h2 before pingall" x3 h1 -- ping -c 1 -W 2 10.0.0.2
before=$(x3 h1 -- ip -4 neigh show | awk '{ print $1 }' | sort | tr '\n' ' ')
assert_eq "10.0.0.2 10.0.0.99 " "$before" "h1's table before pingall"
assert_ok "pingall on single,3" lab pingall --name wp3 -c 2 -j 2
assert_match "Results: 0% dropped \(6/6 received\)" "$(cat "$TEST_TMP/last.out")" "6 of 6"
assert_eq "$before" "$(x3 h1 -- ip -4 neigh show | awk '{ print $1 }' | sort | tr '\n' ' ')" \
	"h1's neighbour table after pingall: the entries it had, no more"
assert_match "10.0.0.99 dev eth0 lladdr 02:00:00:00:00:99 PERMANENT" \
	"$(x3 h1 -- ip -4 neigh show)" "the permanent entry is as it was"
assert_eq "" "$(x3 h3 -- ip -4 neigh show)" "h3's table is empty again, as before pingall"
assert_ok "pingall --json -c 2 on single,3" lab pingall --name wp3 --json -c 2
assert_eq "10.0.0.3 2" \
	"$(jq -r '[(.pairs[] | select(.from == "h1" and .to == "h3") | .address), .count] | join(" ")' \
		"$TEST_TMP/last.out" 2>&1 || true)" "h1 pings h3 at the address the lab gives it"
assert_eq "6 2" \
	"$(jq -r '[([.pairs[] | select(.replies == 2)] | length), .count] | join(" ")' \
		"$TEST_TMP/last.out" 2>&1 || true)" "--json: each pair's replies, both of -c 2"
assert_ok "pingall -j 1: one pair at a time" lab pingall --name wp3 -j 1
assert_match "Results: 0% dropped \(6/6 received\)" "$(cat "$TEST_TMP/last.out")" "6 of 6 with -j 1"
assert_ok "down of single,3" lab down --name wp3
assert_eq "" "$(leftovers wp3)" "nothing of single,3 is left"
