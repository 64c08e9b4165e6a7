#!/usr/bin/env bash
# The lab verbs that watch and break a running lab, on a copy of the demo lab of two LANs
# and a router: lab.ext's link settings applied at up (a delay on lan2 seen in pings, a
# capture of lan1 for the lab's life);
# capture of a segment and of a node's interface by the lab's names, read by tcpdump;
# link: a delay on one interface seen in pings, its settings shown (--json read by jq),
# cleared, the cable pulled (no traffic) and plugged (traffic again); graph as DOT, and as
# an image through Graphviz's dot when installed (a clear error otherwise); names the lab
# does not have and bad settings are errors that name them; hosts names every node's
# address for /etc/hosts; lab.ext's VLAN roles (node[N.vlan]) separate nodes of one
# segment.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
lab_nodes_supported || skip "containode has no detached life cycle (run -d) yet"
command -v jq >/dev/null || skip "jq is not installed"
command -v tcpdump >/dev/null || skip "tcpdump is not installed"

assert_exit 0 "lab --help" lab --help
help=$(cat "$TEST_TMP/last.out")
for verb in "capture \[NAME\]" "link NAME \[SETTING" "graph \[DIR" "test --verify" \
	"--direction D" "--junit FILE" "--output FILE"; do
	assert_match "$verb" "$help" "--help lists '$verb'"
done

LAB=$TEST_TMP/two-lans
cp -r "$(dirname "$0")/../../demo/labs/two-lans" "$LAB"
# A delay on lan2 towards each of its members: pc2 <-> r1 takes 2 x 40 ms more.
printf 'lan2[delay]=40ms\nlan2[mtu]=1400\n' >"$LAB/lab.ext"
# And lan1 captured for the lab's life into a file of the lab directory.
printf 'lan1[capture]=lan1-life.pcapng\n' >>"$LAB/lab.ext"

# --- graph, of the lab's files (no lab up) ---------------------------------------------
assert_ok "graph of the lab directory" lab graph "$LAB"
dot=$(cat "$TEST_TMP/last.out")
assert_match '^graph "[^"]+" \{' "$dot" "graph prints DOT"
assert_match '"node:r1" -- "segment:lan2" \[label="eth1"\]' "$dot" "an edge per interface"
assert_match '"segment:lan2" \[[^]]*label="lan2\\nmtu 1400\\ndelay 40ms"' "$dot" \
	"a segment shows lab.ext's settings"
assert_ok "graph -o FILE.dot" lab graph "$LAB" -o "$TEST_TMP/g.dot"
assert_eq "$dot" "$(cat "$TEST_TMP/g.dot")" "-o FILE.dot writes the same DOT"
if command -v dot >/dev/null; then
	assert_ok "graph -o FILE.png through dot" lab graph "$LAB" -o "$TEST_TMP/g.png"
	assert_eq "89504e470d0a1a0a" "$(head -c 8 "$TEST_TMP/g.png" | od -An -tx1 | tr -d ' \n')" \
		"the file is a PNG"
else
	assert_exit 1 "graph -o FILE.png without dot" lab graph "$LAB" -o "$TEST_TMP/g.png"
	assert_match "needs Graphviz's 'dot', which is not installed" "$(cat "$TEST_TMP/last.out")" \
		"the error says what is missing"
fi
assert_exit 2 "graph -o FILE without a suffix" lab graph "$LAB" -o "$TEST_TMP/graph"
assert_match "no suffix" "$(cat "$TEST_TMP/last.out")" "it says so"
assert_exit 2 "--output with another verb" lab show "$LAB" -o "$TEST_TMP/x.dot"
assert_match "--output goes with graph" "$(cat "$TEST_TMP/last.out")" "it names the option"

# --- up, with lab.ext's segment settings ------------------------------------------------
assert_ok "up of two-lans with lab.ext" lab up --name lv "$LAB"
x() { lab exec --name lv "$@"; }
ST=$CONTAINET_LAB_ROOT/lv
assert_ok "wait: pc1 reaches pc2 across r1" lab wait --name lv --timeout 30 pc1 -- ping -c 1 -W 1 10.2.0.2
assert_match "lan2 +1400" "$("$CONTAINET" -s "$ST/switch.sock" segments)" "lan2 has lab.ext's MTU"
assert_match "delay=40ms" "$(lab link --name lv lan2)" "link shows lan2's delay from lab.ext"
# min/avg/max: the minimum round trip between pc2 and r1 crosses lan2's delay twice.
rtt_min() { sed -n 's|.* = \([0-9.]*\)/.*|\1|p' <<<"$1" | cut -d. -f1; }
out=$(x pc2 -- ping -c 3 -i 0.2 -W 2 10.2.0.1 2>&1) || true
assert_match "3 received" "$out" "pc2 reaches r1"
min=$(rtt_min "$out")
((${min:-0} >= 78)) && ok "lab.ext's delay on lan2: pc2 <-> r1 RTT min ${min} ms >= 80 ms (2 x 40)" ||
	fail "lab.ext's delay on lan2: RTT min '${min}' ms, expected >= 80: $out"
out=$(x pc1 -- ping -c 3 -i 0.2 -W 2 10.1.0.1 2>&1) || true
min=$(rtt_min "$out")
((${min:-999} < 40)) && ok "lan1 has no delay (RTT min ${min} ms)" ||
	fail "lan1: RTT min '${min}' ms, expected < 40: $out"
assert_ok "link lan2 clear" lab link --name lv lan2 clear

# --- capture ----------------------------------------------------------------------------
# A segment by its lab.conf name, into a pipe read by tcpdump, while pc1 pings pc2.
F=$TEST_TMP/lan1.pcapng
spawn cap "$CONTAINET" lab capture --name lv lan1 -w "$F" --duration 20
CAP=$SPAWNED
wait_until 10 test -s "$F" || fail "the capture of lan1 did not start: $(cat "$TEST_TMP/cap.log")"
assert_ok "pc1 pings pc2 while lan1 is captured" x pc1 -- ping -c 3 -i 0.2 -W 2 10.2.0.2
kill -INT "$CAP"
wait_until 10 grep -q 'frames captured' "$TEST_TMP/cap.log" || fail "capture gave no summary"
decoded=$(tcpdump -nr - <"$F" 2>/dev/null)
assert_match "10\.1\.0\.2 > 10\.2\.0\.2: ICMP echo request" "$decoded" \
	"the capture of lan1 has pc1's pings to pc2"
assert_match "10\.2\.0\.2 > 10\.1\.0\.2: ICMP echo reply" "$decoded" "and pc2's replies"
# The same to stdout, a node's interface by NODE:IF, with a count.
x pc2 -- sh -c 'ping -c 20 -i 0.2 10.2.0.1 >/dev/null 2>&1 &'
lab capture --name lv pc2:eth0 -w - -c 6 --duration 20 2>"$TEST_TMP/cap2.log" |
	tcpdump -nr - >"$TEST_TMP/cap2.txt" 2>/dev/null || true
assert_match "6 frames captured" "$(cat "$TEST_TMP/cap2.log")" "capture pc2:eth0 -c 6 stops at 6"
assert_eq 6 "$(wc -l <"$TEST_TMP/cap2.txt")" "tcpdump reads its 6 frames from the pipe"
assert_match "10\.2\.0\.2 > 10\.2\.0\.1: ICMP echo request" "$(cat "$TEST_TMP/cap2.txt")" \
	"pc2's pings on its interface"
assert_exit 1 "capture of a name the lab does not have" lab capture --name lv nope -w "$F"
assert_match "'nope' is no node or segment of lab 'lv'" "$(cat "$TEST_TMP/last.out")" "it names it"
assert_exit 1 "capture of an interface the node does not have" lab capture --name lv r1:eth2 -w "$F"
assert_match "node 'r1' has no interface 'eth2' \(it has eth0 to eth1\)" \
	"$(cat "$TEST_TMP/last.out")" "it names the interface and what the node has"
assert_exit 2 "--duration 0" lab capture --name lv lan1 --duration 0
assert_exit 1 "capture on a lab that is not up" lab capture --name notup lan1 -w "$F"
assert_match "not up" "$(cat "$TEST_TMP/last.out")" "it says so"

# --- link -------------------------------------------------------------------------------
assert_ok "link pc1 delay=30ms" lab link --name lv pc1 delay=30ms
out=$(x pc1 -- ping -c 3 -i 0.2 -W 2 10.1.0.1 2>&1) || true
min=$(rtt_min "$out")
((${min:-0} >= 29)) && ok "the delay on pc1's eth0: RTT min ${min} ms >= 30" ||
	fail "the delay on pc1's eth0: RTT min '${min}' ms: $out"
assert_match "delay=30ms" "$(lab link --name lv pc1:eth0)" "link NODE:IF shows the settings"
assert_eq "30ms" "$(lab link --name lv pc1 --json |
	jq -r '.links[] | select(.port == "lv-pc1-eth0") | .egress.delay' 2>&1)" \
	"link --json: the port is the switch's <lab>-<node>-<if>, its delay"
assert_ok "link --direction both" lab link --name lv pc1 --direction both loss=0%
assert_ok "link pc1 clear" lab link --name lv pc1 clear
out=$(x pc1 -- ping -c 3 -i 0.2 -W 2 10.1.0.1 2>&1) || true
min=$(rtt_min "$out")
((${min:-999} < 30)) && ok "cleared: RTT min ${min} ms" || fail "cleared: RTT min '${min}': $out"
assert_ok "link pc2 down" lab link --name lv pc2 down
assert_match "NO-CARRIER" "$(x pc2 -- ip link show eth0)" "pc2's eth0 has no carrier"
assert_fails "no traffic with the cable pulled" x pc1 -- ping -c 2 -i 0.2 -W 1 10.2.0.2
assert_ok "link pc2 up" lab link --name lv pc2 up
assert_ok "traffic again with the cable plugged" \
	lab wait --name lv --timeout 20 pc1 -- ping -c 1 -W 1 10.2.0.2
assert_exit 2 "a bad setting" lab link --name lv pc1 delay=soon
assert_match "delay" "$(cat "$TEST_TMP/last.out")" "the error names the setting"
assert_exit 2 "a bad direction" lab link --name lv pc1 --direction sideways delay=1ms
assert_match "--direction wants egress, ingress or both" "$(cat "$TEST_TMP/last.out")" "it says so"
assert_exit 1 "link of a node the lab does not have" lab link --name lv pc9:eth0 down
assert_match "'pc9' is no node of lab 'lv'" "$(cat "$TEST_TMP/last.out")" "it names it"
assert_exit 2 "link without a name" lab link --name lv
# --- hosts: the names of the nodes for /etc/hosts ---------------------------------------
assert_ok "hosts" lab hosts --name lv
out=$(cat "$TEST_TMP/last.out")
assert_match "10\.1\.0\.1 +r1\.lv r1($|
)" "$out" "r1's first address with its name in the lab's domain and its own"
assert_match "10\.2\.0\.1 +r1\.lv r1-eth1" "$out" "r1's second address names its interface"
assert_match "10\.2\.0\.2 +pc2\.lv pc2" "$out" "pc2's address, read from the node"
assert_eq "pc1.lv 10.1.0.2" "$(lab hosts --name lv --json |
	jq -r '.hosts[] | select(.node == "pc1") | "\(.name) \(.address)"' 2>&1)" "hosts --json"
assert_ok "graph of the lab that is up, by its name" lab graph --name lv
assert_match '"node:pc2" -- "segment:lan2"' "$(cat "$TEST_TMP/last.out")" "its edges"

assert_ok "down" lab down --name lv
assert_eq "" "$(leftovers lv)" "down leaves nothing"
# lan1[capture]: what crossed lan1 from up to down, the file complete (its statistics).
life=$(tcpdump -nr "$LAB/lan1-life.pcapng" 2>&1) || fail "tcpdump cannot read lan1[capture]'s file: $life"
assert_match "10\.1\.0\.2 > 10\.2\.0\.2: ICMP echo request" "$life" \
	"lan1[capture]=FILE: the lab's whole life on lan1, in its directory"
if command -v capinfos >/dev/null; then
	assert_ok "capinfos reads the file to its end" capinfos "$LAB/lan1-life.pcapng"
fi

# --- lab.ext's VLAN roles, applied at up ----------------------------------------------------
# One segment, a and b access ports of VLAN 10, c of VLAN 20: a reaches b, not c.
V=$TEST_TMP/vlans
mkdir -p "$V"
# Segment cut, whose state lab.ext sets down, and lan's addressing from lab.ext too.
printf 'a[0]="lan"\nb[0]="lan"\nc[0]="lan"\nd[0]="cut"\n' >"$V/lab.conf"
printf 'a[0.ip]=10.9.0.1/24\nb[0.ip]=10.9.0.2/24\nc[0.ip]=10.9.0.3/24\n' >"$V/lab.ext"
printf 'a[0.vlan]=10\nb[0.vlan]=10\nc[0.vlan]=20\n' >>"$V/lab.ext"
printf 'lan[subnet]=10.9.0.0/24\ncut[state]=down\n' >>"$V/lab.ext"
assert_ok "up of a lab with VLAN roles" lab up --name lvv "$V"
assert_no_match "not supported" "$(cat "$TEST_TMP/last.out")" "no warning about them"
assert_match "10\.9\.0\.0/24" "$("$CONTAINET" -s "$CONTAINET_LAB_ROOT/lvv/switch.sock" segments)" \
	"segment lan has lab.ext's subnet"
assert_match "NO-CARRIER" "$(lab exec --name lvv d -- ip link show eth0)" \
	"cut[state]=down: d's eth0 has no carrier"
assert_match "lvv-a-eth0 .* access 10 *($|
)" \
	"$("$CONTAINET" -s "$CONTAINET_LAB_ROOT/lvv/switch.sock" ports)" "a's port is an access port of VLAN 10"
assert_ok "a reaches b in VLAN 10" lab wait --name lvv --timeout 20 a -- ping -c 1 -W 1 10.9.0.2
assert_fails "a does not reach c in VLAN 20" lab exec --name lvv a -- ping -c 2 -i 0.2 -W 1 10.9.0.3
assert_ok "down of the VLAN lab" lab down --name lvv
assert_eq "" "$(leftovers lvv)" "down leaves nothing"

# --- LAB_DOMAIN: the switch's DNS answers NODE.DOMAIN -----------------------------------------
N=$TEST_TMP/names
mkdir -p "$N"
printf 'a[0]="lan"\nb[0]="lan"\n' >"$N/lab.conf"
printf 'LAB_DOMAIN="lab.test"\na[0.ip]=10.8.0.1/24\nb[0.ip]=10.8.0.2/24\n' >"$N/lab.ext"
printf 'lan[subnet]=10.8.0.0/24\nlan[service]=10.8.0.254\nlan[dns]=true\n' >>"$N/lab.ext"
assert_ok "up of a lab with LAB_DOMAIN" lab up --name lvn "$N"
assert_match "lab\.test" "$("$CONTAINET" -s "$CONTAINET_LAB_ROOT/lvn/switch.sock" segments --json)" \
	"segment lan has the lab's domain"
out=$(lab exec --name lvn a -- busybox nslookup b.lab.test 10.8.0.254 2>&1) || true
assert_match "Address:[[:space:]]+10\.8\.0\.2([^0-9]|$)" "$out" "the switch's DNS answers b.lab.test with b's address"
assert_fails "an unknown NODE.DOMAIN is not found" lab exec --name lvn a -- \
	busybox nslookup nosuch.lab.test 10.8.0.254
assert_ok "down of the names lab" lab down --name lvn
assert_eq "" "$(leftovers lvn)" "down leaves nothing"
