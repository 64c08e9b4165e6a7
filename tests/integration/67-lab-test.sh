#!/usr/bin/env bash
# lab test, as Kathara's ltest, on a copy of the demo lab of two LANs and a router: its
# own _test/ (pc1.test, and the signatures committed with it) passes as it is; stored
# again, the signatures are the committed ones byte for byte (they name nothing a run
# chooses); --verify passes again, and on ten runs of the lab in a row; a new listening
# socket and three seeded faults each fail, naming the node and the lines that differ: a
# removed route, a changed address, a link set down; a fault in what a node's own test
# prints; --tap and --junit say the same.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
lab_nodes_supported || skip "containode has no detached life cycle (run -d) yet"

LAB=$TEST_TMP/two-lans
cp -r "$(dirname "$0")/../../demo/labs/two-lans" "$LAB"
[[ -s $LAB/_test/signature/pc1.default && -s $LAB/_test/pc1.test ]] ||
	die "the demo lab has no _test/ with signatures"
x() { lab exec --name lt "$@"; }
up() {
	lab up --name lt "$LAB" >"$TEST_TMP/up.out" 2>&1 || die "up: $(cat "$TEST_TMP/up.out")"
	lab wait --name lt --timeout 30 pc1 -- ping -c 1 -W 1 10.2.0.2 ||
		die "pc1 does not reach pc2 after up"
}

assert_exit 1 "test on a lab that is not up" lab test --name lt
assert_match "not up" "$(cat "$TEST_TMP/last.out")" "it says so"
assert_exit 2 "--verify with another verb" lab ps --name lt --verify
assert_match "--verify, --tap and --junit go with test" "$(cat "$TEST_TMP/last.out")" "it says so"

up
assert_ok "verify passes with the demo lab's own _test" lab test --name lt --verify
assert_match "lab lt: 3 of 3 nodes as their signature" "$(cat "$TEST_TMP/last.out")" "it says so"
sig=$LAB/_test/signature
mv "$sig" "$TEST_TMP/committed"
assert_exit 1 "verify with nothing stored" lab test --name lt --verify
assert_match "pc1: no signature stored .*run 'lab test' without --verify first" \
	"$(cat "$TEST_TMP/last.out")" "it names the node and says what to do"
assert_ok "test: the signatures stored" lab test --name lt
assert_match "lab lt: signatures of 3 nodes in $LAB/_test/signature" "$(cat "$TEST_TMP/last.out")" \
	"test says where"
assert_ok "the signatures stored are the committed ones, byte for byte" \
	diff -r "$TEST_TMP/committed" "$sig"
assert_match "addr eth0 10.1.0.2/24" "$(cat "$sig/pc1.default")" "pc1's signature has its address"
assert_match "route default via 10.1.0.1 dev eth0" "$(cat "$sig/pc1.default")" "and its default route"
assert_match "route 10.2.0.0/24 dev eth1 proto kernel scope link src 10.2.0.1" \
	"$(cat "$sig/r1.default")" "r1's signature has its connected routes"
assert_eq "pc2 reached" "$(head -n 1 "$sig/pc1.user")" "pc1.user is what its _test script printed"
assert_eq "no" "$([[ -e $sig/pc2.user ]] && echo yes || echo no)" "no .user for a node without a test"
assert_ok "verify passes on the lab as it is" lab test --name lt --verify
assert_match "lab lt: 3 of 3 nodes as their signature" "$(cat "$TEST_TMP/last.out")" "it says so"
assert_ok "verify passes a second time" lab test --name lt --verify

# A listening socket is part of it: a TCP server on pc2 (the host's Python, as nodes
# without an image run on the host's root), then gone.
x pc2 -- sh -c '/usr/bin/python3 -c "import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((\"0.0.0.0\", 8080)); s.listen(); time.sleep(60)" >/dev/null 2>&1 </dev/null &
echo $! >/tmp/srv.pid'
wait_until 10 sh -c "'$CONTAINET' lab exec --name lt pc2 -- cat /proc/net/tcp | grep -q ':1F90 00000000:0000 0A'" ||
	fail "the server on pc2 does not listen"
assert_exit 1 "verify with a new listening socket" lab test --name lt --verify
assert_match "pc2: DIFFERS" "$(cat "$TEST_TMP/last.out")" "it names the node"
assert_match "    \+ listen tcp 0\.0\.0\.0:8080" "$(cat "$TEST_TMP/last.out")" "and the socket"
x pc2 -- sh -c 'kill $(cat /tmp/srv.pid)'
wait_until 10 sh -c "! '$CONTAINET' lab exec --name lt pc2 -- cat /proc/net/tcp | grep -q ':1F90 00000000:0000 0A'" ||
	fail "the server on pc2 still listens"

# Fault 1: a missing route.
assert_ok "pc1's default route removed" x pc1 -- ip route del default
assert_exit 1 "verify fails on the missing route" lab test --name lt --verify
out=$(cat "$TEST_TMP/last.out")
assert_match "pc1: DIFFERS from its signature" "$out" "it names the node"
assert_match "    - route default via 10\.1\.0\.1 dev eth0" "$out" "and the route it lacks"
assert_match "    - pc2 reached" "$out" "pc1's own test now fails too"
assert_match "    \+ pc2 not reached" "$out" "with what it printed"
assert_match "r1: as its signature" "$out" "the other nodes pass"
assert_match "lab lt: 2 of 3 nodes as their signature; the others differ" "$out" "the summary"
lab test --name lt --verify --tap >"$TEST_TMP/tap.out" 2>&1 || true
tap=$(cat "$TEST_TMP/tap.out")
assert_match "^TAP version 13" "$tap" "--tap: TAP"
assert_match "1\.\.3" "$tap" "--tap: the plan"
assert_match "ok 1 - r1" "$tap" "--tap: r1 passes"
assert_match "not ok 2 - pc1" "$tap" "--tap: pc1 fails"
assert_match "# - route default via 10\.1\.0\.1 dev eth0" "$tap" "--tap: the difference as a comment"
lab test --name lt --verify --junit "$TEST_TMP/junit.xml" >/dev/null 2>&1 || true
junit=$(/usr/bin/python3 - "$TEST_TMP/junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
s = ET.parse(sys.argv[1]).getroot().find("testsuite")
print(s.get("tests"), s.get("failures"),
      " ".join(c.get("name") for c in s.findall("testcase") if c.find("failure") is not None))
PY
)
assert_eq "3 1 pc1" "$junit" "--junit: 3 tests, 1 failure, pc1's"
assert_ok "the route back" x pc1 -- ip route add default via 10.1.0.1
assert_ok "verify passes again" lab test --name lt --verify

# Fault 2: a changed address.
assert_ok "pc2's address changed" x pc2 -- sh -c \
	'ip address del 10.2.0.2/24 dev eth0 && ip address add 10.2.0.3/24 dev eth0 && ip route add default via 10.2.0.1'
assert_exit 1 "verify fails on the changed address" lab test --name lt --verify
out=$(cat "$TEST_TMP/last.out")
assert_match "pc2: DIFFERS" "$out" "it names the node"
assert_match "    - addr eth0 10\.2\.0\.2/24" "$out" "the address it should have"
assert_match "    \+ addr eth0 10\.2\.0\.3/24" "$out" "the address it has"
x pc2 -- sh -c 'ip address del 10.2.0.3/24 dev eth0; ip address add 10.2.0.2/24 dev eth0; ip route add default via 10.2.0.1'
assert_ok "verify passes once it is back" lab test --name lt --verify

# Fault 3: a link set down (the cable pulled at the switch).
assert_ok "link r1:eth1 down" lab link --name lt r1:eth1 down
assert_exit 1 "verify fails on the link down" lab test --name lt --verify
out=$(cat "$TEST_TMP/last.out")
assert_match "r1: DIFFERS" "$out" "it names the node"
assert_match "    - link eth1 mtu 1500 up carrier" "$out" "r1's eth1 had its carrier"
assert_match "    \+ link eth1 mtu 1500 up no-carrier" "$out" "and has none"
assert_ok "link r1:eth1 up" lab link --name lt r1:eth1 up
lab wait --name lt --timeout 20 pc1 -- ping -c 1 -W 1 10.2.0.2 || fail "no traffic after link up"
assert_ok "verify passes with the link up" lab test --name lt --verify

# Ten runs of the lab in a row: the same signatures each time.
assert_ok "down" lab down --name lt
passed=0
for run in 1 2 3 4 5 6 7 8 9 10; do
	up
	if lab test --name lt --verify >"$TEST_TMP/run.out" 2>&1; then
		passed=$((passed + 1))
	else
		fail "run $run of the lab: verify failed: $(cat "$TEST_TMP/run.out")"
	fi
	lab down --name lt >/dev/null 2>&1 || fail "run $run: down failed"
done
assert_eq 10 "$passed" "verify passes on ten runs of the lab in a row"
assert_eq "" "$(leftovers lt)" "down leaves nothing"

# A lab without a directory (Mininet's topology): its signatures in its state directory.
assert_ok "up --topo single,2" lab up --topo single,2 --name ltt
assert_ok "test of single,2" lab test --name ltt
assert_match "addr eth0 10\.0\.0\.2/8" "$(cat "$CONTAINET_LAB_ROOT/ltt/test/signature/h2.default")" \
	"stored in the state directory's test/"
assert_ok "verify of single,2" lab test --name ltt --verify
assert_ok "down of single,2" lab down --name ltt
assert_eq "" "$(leftovers ltt)" "down leaves nothing"
