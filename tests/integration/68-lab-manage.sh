#!/usr/bin/env bash
# A lab managed from the host: node[bridged] puts a node on the lab's management segment
# (a host port with outbound NAT), so the host reaches the node by name once `up
# --write-hosts` has put the names into /etc/hosts, and the node reaches an outside
# network through the NAT; a second lab whose preferred /24 is taken picks another and
# says so, and keeps a block of its own in /etc/hosts; `lab node add/del` change a running
# lab (errors, a new segment, two adds at once); down, also after a SIGKILL of up,
# leaves no tap, no nftables table and /etc/hosts as it was; README's shell and Python
# examples run as printed.
#
# "The host" is a network namespace of the test, entered as `ip netns exec` enters one,
# /etc/netns/NS/hosts bind-mounted over /etc/hosts, so the lab edits that file (in place:
# a rename over a mount point fails with EBUSY) and the machine's own /etc/hosts is never
# touched.  (Not `ip netns exec` itself: it mounts a sysfs of the namespace over /sys, which
# hides the cgroup hierarchies the nodes are started in.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
lab_nodes_supported || skip "containode has no detached life cycle (run -d) yet"
command -v jq >/dev/null || skip "jq is not installed"
command -v nft >/dev/null || skip "nft is not installed"

assert_exit 0 "lab --help" "$CONTAINET" lab --help
help=$(cat "$TEST_TMP/last.out")
for w in "node add NAME --segment S" "node del NAME" "--write-hosts" "--ip ADDR/LEN"; do
	assert_match "$w" "$help" "--help lists '$w'"
done
assert_exit 2 "--write-hosts with another verb" "$CONTAINET" lab ps --write-hosts
assert_exit 2 "--segment with another verb" "$CONTAINET" lab up --segment lan1

HOSTNS=${TEST_ID}h
OUTNS=${TEST_ID}o
netns_add "$HOSTNS"
netns_add "$OUTNS"
HOSTS=/etc/netns/$HOSTNS/hosts
in_host() {
	nsenter --net="/run/netns/$HOSTNS" unshare -m --propagation private \
		sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$HOSTS" "$@"
}
lab() { in_host "$CONTAINET" lab "$@"; }
# The labs' own down runs in the host namespace, before lab.sh's (which would not find
# their nftables tables and /etc/hosts blocks from outside it).
down_in_host() {
	local d
	for d in "$CONTAINET_LAB_ROOT"/*/; do
		[[ -d $d ]] && in_host "$CONTAINET" lab down --name "$(basename "$d")"
	done
	return 0
}
defer down_in_host

real_hosts=$(sha256sum /etc/hosts)
mkdir -p "/etc/netns/$HOSTNS"
defer rm -rf "/etc/netns/$HOSTNS"
# The host's file, its last line without a newline.
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n# the last line' >"$HOSTS"
chmod 0640 "$HOSTS"
cp -p "$HOSTS" "$TEST_TMP/hosts.before"
assert_eq "$(cat "$TEST_TMP/hosts.before")" "$(in_host cat /etc/hosts)" \
	"the host namespace sees its own /etc/hosts"

# The outside world: behind a veth of the host, with no route back to the labs' subnets.
ip link add "${TEST_ID}x" netns "$HOSTNS" type veth peer name eth0 netns "$OUTNS"
in_host ip addr add 10.196.0.1/24 dev "${TEST_ID}x"
in_host ip link set "${TEST_ID}x" up
ip -n "$OUTNS" addr add 10.196.0.2/24 dev eth0
ip -n "$OUTNS" link set eth0 up

LAB=$TEST_TMP/mlab
mkdir -p "$LAB"
cat >"$LAB/lab.conf" <<'EOF'
pc1[0]="lan1"
pc1[bridged]=true
pc2[0]="lan1"
r1[0]="lan1"
r1[bridged]=true
EOF
cat >"$LAB/lab.ext" <<'EOF'
pc1[0.ip]=10.9.0.1/24
pc2[0.ip]=10.9.0.2/24
r1[0.ip]=10.9.0.3/24
r1[gw]=10.9.0.2
EOF

# --- up with a management segment, names into /etc/hosts ---------------------------
assert_ok "up --write-hosts of a lab with two bridged nodes" lab up --name lm --write-hosts "$LAB"
x() { lab exec --name lm "$@"; }
ST=$CONTAINET_LAB_ROOT/lm
mg=$(x pc1 -- ip -4 -o addr show dev eth1 | awk '{ print $4 }')
assert_match '^172\.30\.[0-9]+\.1/24$' "$mg" "pc1's last interface, eth1, is on the management /24"
net=${mg%.1/24}
assert_match "^$net\.2/24$" "$(x r1 -- ip -4 -o addr show dev eth1 | awk '{ print $4 }')" \
	"r1 has the next address"
assert_match "default via $net\.254 dev eth1" "$(x pc1 -- ip route)" \
	"pc1 (no node[gw]) routes by default through the host port"
assert_match "default via 10\.9\.0\.2 dev eth0" "$(x r1 -- ip route)" "r1 keeps its node[gw]"
assert_no_match "via $net\.254" "$(x r1 -- ip route)" "and has no default through the host port"
assert_no_match "eth1" "$(x pc2 -- ip -o link)" "pc2 is not bridged: no eth1"
port=$(sed -n 's/^port //p' "$ST/mgmt")
assert_match "^ctm[0-9a-f]{8}$" "$port" "the host port's name"
assert_match "inet $net\.254/24" "$(in_host ip -4 addr show dev "$port")" \
	"the host port has the gateway address"
assert_ok "its nftables table masquerades" in_host nft list table ip "containet-$port"
assert_match "lab-mgmt" "$(in_host "$CONTAINET" -s "$ST/switch.sock" segments)" \
	"the switch has the management segment"

blk=$(sed -n '/^# containet lab lm begin/,/^# containet lab lm end$/p' "$HOSTS")
assert_eq "# containet lab lm begin, after a newline of its own
$net.1	pc1.lm pc1
$net.2	r1.lm r1
# containet lab lm end" "$blk" "/etc/hosts has the lab's block with the bridged nodes"
assert_eq "$(cat "$TEST_TMP/hosts.before")" "$(head -c "$(stat -c %s "$TEST_TMP/hosts.before")" "$HOSTS")" \
	"what was in /etc/hosts stays byte for byte"
assert_eq "640" "$(stat -c %a "$HOSTS")" "its mode stays"
assert_eq "$real_hosts" "$(sha256sum /etc/hosts)" "the machine's /etc/hosts is untouched"
assert_ok "the host pings pc1 by name" in_host ping -c 1 -W 2 pc1
assert_ok "the host pings r1.lm by its name in the lab's domain" in_host ping -c 1 -W 2 r1.lm
assert_ok "pc1 reaches the outside through the NAT" x pc1 -- ping -c 1 -W 2 10.196.0.2
assert_fails "pc2 (not bridged) does not" x pc2 -- ping -c 1 -W 1 10.196.0.2

out=$(lab hosts --name lm)
assert_match "$net\.1 +pc1\.lm pc1($|
)" "$out" "hosts: pc1's management address first, with its names"
assert_match "10\.9\.0\.1 +pc1\.lm pc1-eth0" "$out" "its lab address then names its interface"
assert_match "10\.9\.0\.2 +pc2\.lm pc2($|
)" "$out" "pc2 (not bridged): its own address"
assert_eq "$net.2 eth1 true" "$(lab hosts --name lm --json |
	jq -r '.hosts[] | select(.node == "r1" and .management) | "\(.address) \(.ifname) \(.management)"')" \
	"hosts --json marks the management address"

cp -p "$HOSTS" "$TEST_TMP/hosts.up"
assert_ok "hosts --write-hosts on the lab that is up" lab hosts --name lm --write-hosts
assert_ok "writes the same block again, nothing else" cmp "$TEST_TMP/hosts.up" "$HOSTS"

# --- a second lab: its preferred /24 taken, another one; a block of its own -------------
# labmgmt_preferred: the four bytes of the FNV-1a hash of the name, xor'ed.
h=$(lab_hash lm2)
pref=$(((0x$h ^ (0x$h >> 8) ^ (0x$h >> 16) ^ (0x$h >> 24)) & 0xff))
in_host ip link add "${TEST_ID}d" type veth peer name "${TEST_ID}e"
in_host ip addr add "172.30.$pref.9/24" dev "${TEST_ID}d"
LAB2=$TEST_TMP/mlab2
mkdir -p "$LAB2"
printf 'h1[0]="a"\nh1[bridged]=true\n' >"$LAB2/lab.conf"
assert_ok "up of a second lab whose /24 is in use" lab up --name lm2 --write-hosts "$LAB2"
assert_match "172\.30\.$pref\.0/24 is in use here; its management segment is 172\.30\.[0-9]+\.0/24" \
	"$(cat "$TEST_TMP/last.out")" "it says so"
mg2=$(lab exec --name lm2 h1 -- ip -4 -o addr show dev eth1 | awk '{ print $4 }')
assert_no_match "^172\.30\.$pref\." "$mg2" "and h1 is on another one ($mg2)"
assert_ok "the host pings h1 of the second lab by name" in_host ping -c 1 -W 2 h1.lm2
assert_match "# containet lab lm end
# containet lab lm2 begin" "$(cat "$HOSTS")" "two labs, two blocks"
assert_ok "down of the second lab" lab down --name lm2
assert_no_match "lm2" "$(cat "$HOSTS")" "its block is gone"
assert_match "pc1\.lm" "$(cat "$HOSTS")" "the first lab's stays"

# --- node add / node del ---------------------------------------------------------------
out=$(lab node add --name lm pc3 --segment lan1 --ip 10.9.0.4/24 --json 2>&1) || true
assert_eq "pc3 added lan1 10.9.0.4/24" \
	"$(jq -r '"\(.node) \(.action) \(.interfaces[0].segment) \(.interfaces[0].ipv4)"' <<<"$out")" \
	"node add --json: the node and its interface"
assert_ok "pc3 pings pc2" x pc3 -- ping -c 1 -W 2 10.9.0.2
assert_match "lm-pc3 .*running" "$(lab ps --name lm)" "ps lists pc3"
assert_eq "4 12 12" "$(lab pingall --name lm --json | jq -r '"\([.pairs[].from] | unique | length) \(.sent) \(.received)"')" \
	"pingall pings every pair of the four nodes"
assert_exit 1 "node add of a name the lab has" lab node add --name lm pc3 --segment lan1
assert_match "has a node 'pc3' already" "$(cat "$TEST_TMP/last.out")" "it says so"
assert_exit 2 "node add of a bad name" lab node add --name lm PC-9 --segment lan1
assert_exit 2 "node add of a bad address" lab node add --name lm pc9 --segment lan1 --ip 10.9.0.300/24
assert_match "10\.9\.0\.300" "$(cat "$TEST_TMP/last.out")" "the error names it"
assert_exit 2 "node add without --segment" lab node add --name lm pc9
assert_exit 1 "node add to a lab that is not up" lab node add --name nolab pc9 --segment lan1
assert_match "not up" "$(cat "$TEST_TMP/last.out")" "it says so"
assert_fails "nothing of the refused adds" test -e "$ST/nodes/lm-pc9"
assert_ok "node add on a segment the lab lacks" lab node add --name lm pc4 --segment lan9 --ip 10.8.0.1/24
assert_match "lan9" "$(in_host "$CONTAINET" -s "$ST/switch.sock" segments)" "the segment is made"
# Two adds at once: neither is lost.
lab node add --name lm pc5 --segment lan1 --ip 10.9.0.5/24 >"$TEST_TMP/a5" 2>&1 &
p5=$!
lab node add --name lm pc6 --segment lan1 --ip 10.9.0.6/24 >"$TEST_TMP/a6" 2>&1 &
p6=$!
wait $p5 && wait $p6 && ok "two node adds at once" || fail "two node adds: $(cat "$TEST_TMP/a5" "$TEST_TMP/a6")"
assert_eq "pc1 pc2 pc3 pc4 pc5 pc6 r1" "$(jq -r '[.nodes[].name] | sort | join(" ")' "$ST/lab.json")" \
	"the lab has both"
assert_ok "pc6 pings pc5" x pc6 -- ping -c 1 -W 2 10.9.0.5
assert_ok "node del pc3" lab node del --name lm pc3
assert_no_match "lm-pc3" "$(lab ps --name lm)" "ps no longer lists pc3"
assert_fails "its containode state is gone" test -e "$ST/nodes/lm-pc3"
assert_no_match "lm-pc3-eth0" "$(in_host "$CONTAINET" -s "$ST/switch.sock" ports)" "its port is gone"
assert_fails "exec in the removed node" x pc3 -- true
assert_ok "node del of a bridged node" lab node del --name lm r1
assert_no_match "r1" "$(sed -n '/^# containet lab lm begin/,/^# containet lab lm end$/p' "$HOSTS")" \
	"its name leaves /etc/hosts"
assert_match "$net\.1	pc1\.lm pc1" "$(cat "$HOSTS")" "pc1's stays"
assert_exit 1 "node del of a node the lab does not have" lab node del --name lm pc3
assert_match "no node 'pc3'" "$(cat "$TEST_TMP/last.out")" "it says so"

# --- a hosts file that is no mount point: replaced by a rename, mode and owner kept ------
HF=$TEST_TMP/etc/hosts
mkdir -p "$TEST_TMP/etc"
printf '127.0.0.1 localhost\n' >"$HF"
chown 65534:65534 "$HF"
chmod 0604 "$HF"
cp -p "$HF" "$TEST_TMP/hf.before"
ino=$(stat -c %i "$HF")
lh() { in_host env CONTAINET_HOSTS_FILE="$HF" "$CONTAINET" lab "$@"; }
assert_ok "up --write-hosts into another file (CONTAINET_HOSTS_FILE)" lh up --name lh --write-hosts "$LAB2"
assert_match "# containet lab lh begin
172\.30\.[0-9]+\.1	h1\.lh h1
# containet lab lh end" "$(cat "$HF")" "its block is there"
[[ $(stat -c %i "$HF") != "$ino" ]] && ok "the file was replaced (a rename)" ||
	fail "the file was written in place"
assert_eq "604 65534:65534" "$(stat -c '%a %u:%g' "$HF")" "its mode and owner are kept"
assert_eq "" "$(ls "$TEST_TMP/etc" | grep -v '^hosts$' || true)" "no temporary file is left"
assert_ok "down" lh down --name lh
assert_ok "the file is what it was" cmp "$TEST_TMP/hf.before" "$HF"
assert_eq "604 65534:65534" "$(stat -c '%a %u:%g' "$HF")" "with its mode and owner"

# --- down: nothing left ----------------------------------------------------------------
assert_ok "down" lab down --name lm
assert_eq "" "$(leftovers lm)" "down leaves nothing of the lab"
assert_eq "" "$(in_host ip -o link show | grep -o 'ctm[0-9a-f]*' || true)" "no host port"
assert_eq "" "$(in_host nft list tables | grep containet || true)" "no nftables table"
assert_ok "/etc/hosts is byte for byte what it was" cmp "$TEST_TMP/hosts.before" "$HOSTS"
assert_eq "640" "$(stat -c %a "$HOSTS")" "and keeps its mode"

# --- SIGKILL of up, then down -----------------------------------------------------------
# A startup that outlasts the test holds up in its wait, so the kill lands while up runs
# (a lab this small is otherwise up before the kill).
printf 'sleep 120\n' >"$LAB/pc2.startup"
spawn killed in_host "$CONTAINET" lab up --name lk --write-hosts --startup-timeout 120 "$LAB"
UP=$SPAWNED
wait_until 30 test -s "$CONTAINET_LAB_ROOT/lk/mgmt" || fail "up made no management state"
wait_until 30 eval 'in_host ip -o link show | grep -q ctm' || fail "up made no host port"
# up itself, by the pid in its lock file (spawn's pid is the shell around it).
read -r uppid _ <"$CONTAINET_LAB_ROOT/lk/up.pid"
kill -KILL "$uppid"
wait "$UP" 2>/dev/null || true
assert_ok "down after a SIGKILL of up" lab down --name lk
rm "$LAB/pc2.startup"
assert_eq "" "$(leftovers lk)" "nothing of the lab is left"
assert_eq "" "$(in_host ip -o link show | grep -o 'ctm[0-9a-f]*' || true)" "no host port"
assert_eq "" "$(in_host nft list tables | grep containet || true)" "no nftables table"
assert_ok "/etc/hosts is what it was" cmp "$TEST_TMP/hosts.before" "$HOSTS"
assert_eq "$real_hosts" "$(sha256sum /etc/hosts)" "the machine's /etc/hosts is untouched"

# --- README's examples, as printed ------------------------------------------------------
# readme_example NAME: the code block after README's "<!-- example: NAME -->" line.
readme_example() {
	awk -v m="<!-- example: $1 -->" '
		$0 == m { found = 1; next }
		found == 1 && /^```/ { found = 2; next }
		found == 2 && /^```$/ { exit }
		found == 2 { print }' "$TOP/README.md"
}
readme_example lab-driver.sh >"$TEST_TMP/lab-driver.sh"
readme_example lab-driver.py >"$TEST_TMP/lab-driver.py"
assert_match "lab node add --name shdemo" "$(cat "$TEST_TMP/lab-driver.sh")" "README has the shell example"
assert_match "json.loads" "$(cat "$TEST_TMP/lab-driver.py")" "README has the Python example"
assert_ok "README's shell example runs" in_host env CONTAINET="$CONTAINET" sh "$TEST_TMP/lab-driver.sh"
assert_match "shdemo-pc3" "$(cat "$TEST_TMP/last.out")" "it lists the node it added"
assert_ok "README's Python example runs" in_host env CONTAINET="$CONTAINET" /usr/bin/python3 "$TEST_TMP/lab-driver.py"
assert_match "added pc3 10\.7\.1\.3/24
pingall: 6 of 6 pairs" "$(cat "$TEST_TMP/last.out")" "it reads node add's and pingall's JSON"
assert_eq "" "$(leftovers shdemo)$(leftovers pydemo)" "both examples leave nothing"
