#!/usr/bin/env bash
# A lab with real nodes (containode run -d), on the host's root read-only as nodes without
# an image run: two LANs and a router, as Kathara runs it (identities and host names,
# capabilities and sysctls, NODE/ copied onto /, shared/ at /shared, startup and shutdown
# scripts, exec lines, lab.dep's order), traffic across the router, exec and ps, then
# down: nothing left.  A lab on a switch of the test's own (up --switch) that down leaves
# running, the verbs' --json, console, node[privileged], a startup past the timeout, a
# node the lab lacks and one whose image is missing.  Then Mininet's single,50 up and down, and up killed with SIGKILL
# at random moments, 20 times, then down: nothing left each time.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
lab_nodes_supported || skip "containode has no detached life cycle (run -d) yet"

LAB=$TEST_TMP/twolans
mkdir -p "$LAB/r1/etc" "$LAB/shared"
cat >"$LAB/lab.conf" <<'CONF'
LAB_DESCRIPTION="two LANs and a router"
r1[0]="lan1"
r1[1]="lan2"
pc1[0]="lan1"
pc1[exec]="touch /tmp/exec-ran"
pc2[0]="lan2/02:00:00:00:02:02"
pc2[ipv6]="true"
pc2[sysctl]="net.ipv4.conf.all.arp_ignore=1"
CONF
printf 'ip address add 10.1.0.1/24 dev eth0\nip address add 10.2.0.1/24 dev eth1\n' >"$LAB/r1.startup"
printf 'ip address add 10.1.0.2/24 dev eth0\nip route add default via 10.1.0.1\n' >"$LAB/pc1.startup"
printf 'ip address add 10.2.0.2/24 dev eth0\nip route add default via 10.2.0.1\n' >"$LAB/pc2.startup"
echo 'hostname >>/shared/started' >"$LAB/shared.startup"
echo 'echo bye >/shared/r1-shutdown' >"$LAB/r1.shutdown"
echo "from the lab" >"$LAB/r1/etc/lab-file"
printf 'pc1: r1\npc2: r1\n' >"$LAB/lab.dep"

assert_ok "up of a lab of three nodes" lab up --name two "$LAB"
assert_match "lab two: 3 nodes, 2 segments" "$(cat "$TEST_TMP/last.out")" "up says what it started"
x() { lab exec --name two "$@"; } # x NODE -- CMD...

ps=$(lab ps --name two)
assert_match "two-r1 .* running" "$ps" "ps: node r1 runs, its identity <lab>-<node>"
assert_match "two-pc2 .* running" "$ps" "ps: node pc2 runs"
assert_match '"id": *"two-pc1"' "$(lab ps --name two --json)" "ps --json names the nodes"
assert_eq "r1" "$(x r1 -- hostname)" "the host name is the node's name"
assert_eq "from the lab" "$(x r1 -- cat /etc/lab-file)" "r1/ of the lab is copied onto r1's /"
assert_eq "1" "$(x pc1 -- cat /proc/sys/net/ipv4/ip_forward)" "IPv4 forwarding on, as Kathara"
assert_eq "0" "$(x pc1 -- cat /proc/sys/net/ipv4/conf/all/rp_filter)" "rp_filter 0 on all"
assert_eq "0" "$(x pc1 -- cat /proc/sys/net/ipv4/conf/eth0/rp_filter)" "rp_filter 0 on eth0"
assert_eq "0" "$(x pc1 -- cat /proc/sys/net/ipv4/icmp_ratelimit)" "no ICMP rate limit"
assert_eq "1" "$(x pc1 -- cat /proc/sys/net/ipv6/conf/all/disable_ipv6)" "IPv6 off by default"
assert_eq "0" "$(x pc2 -- cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6)" "IPv6 on with node[ipv6]"
assert_eq "1" "$(x pc2 -- cat /proc/sys/net/ipv4/conf/all/arp_ignore)" "the node's own sysctl"
assert_eq "02:00:00:00:02:02" "$(x pc2 -- cat /sys/class/net/eth0/address)" "the MAC of lab.conf"
# Kathara's capabilities on top of Docker's: NET_ADMIN 12, NET_RAW 13, NET_BROADCAST 11,
# NET_BIND_SERVICE 10, SYS_ADMIN 21; and not SYS_MODULE 16.
caps=$((16#$(x pc1 -- awk '/^CapEff/ { print $2 }' /proc/self/status)))
for bit in 10 11 12 13 21; do
	assert_eq 1 $(((caps >> bit) & 1)) "capability $bit as Kathara gives it"
done
assert_eq 0 $(((caps >> 16) & 1)) "no SYS_MODULE"
assert_match "ip address add 10.1.0.2/24" "$(x pc1 -- cat /var/log/startup.log)" \
	"the startup ran traced into /var/log/startup.log"
assert_ok "the exec lines ran after the startup" x pc1 -- test -e /tmp/exec-ran
assert_eq "pc1 pc2 r1" "$(sort "$LAB/shared/started" | tr '\n' ' ' | sed 's/ $//')" \
	"shared.startup ran on every node, shared/ is /shared"
assert_eq "r1" "$(head -n 1 "$LAB/shared/started")" "lab.dep: r1 started before pc1 and pc2"
assert_ok "pc1 pings pc2 through r1" x pc1 -- ping -c 2 -W 2 10.2.0.2
assert_exit 7 "exec passes the command's status" x pc1 -- sh -c 'exit 7'
x pc1 -- sh -c 'echo x >/etc/node-wrote'
assert_fails "a node writes its own layer, never the host's root" test -e /etc/node-wrote
assert_exit 1 "up of the lab again" lab up --name two "$LAB"
assert_match "is up already" "$(cat "$TEST_TMP/last.out")" "it says so"

assert_ok "down" lab down --name two
assert_eq "bye" "$(cat "$LAB/shared/r1-shutdown" 2>&1)" "down ran r1.shutdown"
assert_eq "" "$(leftovers two)" "down leaves nothing of the lab"

# --- A lab on a switch the test started (up --switch), --json, console, privileged -------
SW=$TEST_TMP/sw.sock
spawn switch "$CONTAINET" -s "$SW" --state "$TEST_TMP/swstate"
swpid=$SPAWNED
wait_until 10 "$CONTAINET" -s "$SW" segments || die "the test's switch does not answer"
LAB2=$TEST_TMP/more
mkdir -p "$LAB2"
printf 'a[0]=s\nb[0]=s\nb[privileged]=true\nc[0]=s\n' >"$LAB2/lab.conf"
echo 'ip address add 10.5.0.1/24 dev eth0' >"$LAB2/a.startup"
echo 'ip address add 10.5.0.2/24 dev eth0' >"$LAB2/b.startup"
printf 'ip address add 10.5.0.3/24 dev eth0\nsleep 600\n' >"$LAB2/c.startup"
json() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
st=0
lab up --name more --switch "$SW" --startup-timeout 1 --json "$LAB2" \
	>"$TEST_TMP/up.json" 2>"$TEST_TMP/up.err" || st=$?
assert_eq 0 "$st" "up --switch --json with a startup past --startup-timeout"
assert_eq "a:running b:running c:startup still running" \
	"$(json '" ".join(n["name"] + ":" + n["status"] for n in d["nodes"])' <"$TEST_TMP/up.json")" \
	"up --json: each node's outcome, c's startup still running"
assert_match "node 'c': its startup still runs after 1s; the node keeps running" \
	"$(cat "$TEST_TMP/up.err")" "up says that c's startup outlived the timeout"
assert_ok "c keeps running" lab exec --name more c -- true
assert_ok "the lab is on the test's switch" test -L "$CONTAINET_LAB_ROOT/more/switch.sock"
assert_fails "and has no switch of its own" test -e "$CONTAINET_LAB_ROOT/more/switch.pid"
assert_match "more-a-eth0 +s " "$("$CONTAINET" -s "$SW" ports)" "the node's port is on that switch"
assert_ok "pingall on the test's switch" lab pingall --name more
assert_exit 1 "up of the lab again" lab up --name more --switch "$SW" "$LAB2"
assert_match "is up already" "$(cat "$TEST_TMP/last.out")" "it says so"
host_caps=$(awk '/^CapEff/ { print $2 }' /proc/self/status)
assert_eq "$host_caps" "$(lab exec --name more b -- awk '/^CapEff/ { print $2 }' /proc/self/status)" \
	"node[privileged]: every capability root has here"
assert_eq 0 "$(lab exec --name more b -- awk '/^Seccomp:/ { print $2 }' /proc/self/status)" \
	"node[privileged]: no seccomp filter"
assert_eq 2 "$(lab exec --name more a -- awk '/^Seccomp:/ { print $2 }' /proc/self/status)" \
	"a node not privileged has its seccomp filter"
st=0
out=$(script -qec "$CONTAINET lab console --name more a" /dev/null 2>&1 <<'EOF'
hostname
exit 3
EOF
) || st=$?
assert_eq 3 "$st" "console passes on the shell's exit status"
assert_match $'\n''a'$'\r' "$out" "console lands in node a, its host name set"
for verb in "exec --name more nosuch -- true" "console --name more nosuch"; do
	# shellcheck disable=SC2086
	assert_exit 1 "${verb%% *} of a node the lab lacks" lab $verb
	assert_eq "containet lab: lab 'more' has no node 'nosuch'" "$(cat "$TEST_TMP/last.out")" \
		"${verb%% *} says the lab has no such node"
done
assert_eq "a b c" \
	"$(lab test --name more --json | json '" ".join(n["name"] for n in d["nodes"] if n["ok"])')" \
	"test --json: per node, its signature stored"
assert_eq "ready" "$(lab wait --name more --json a -- true | json 'd["outcome"]')" \
	"wait --json: its outcome"
lab down --name more --json >"$TEST_TMP/down.json"
assert_eq "a b c|s|left running" \
	"$(json '" ".join(d["nodes"]) + "|" + " ".join(d["segments"]) + "|" + d["switch"]' \
		<"$TEST_TMP/down.json")" \
	"down --json: what it removed; the switch left running"
assert_ok "down leaves the test's switch running" running "$swpid"
assert_no_match "more-" "$("$CONTAINET" -s "$SW" ports)" "with no port of the lab"
nl=$'\n'
assert_no_match "${nl}s " "$("$CONTAINET" -s "$SW" segments)" "nor its segment"
assert_eq "" "$(leftovers more)" "nothing of the lab is left"

# --- A node whose image is missing: the others run, and up says what removes them ------
LAB3=$TEST_TMP/half
mkdir -p "$LAB3" "$TEST_TMP/empty-store"
printf 'ok1[0]=s\nbad[0]=s\nbad[image]=nosuch/image\n' >"$LAB3/lab.conf"
CONTAINET_STORE=$TEST_TMP/empty-store assert_exit 1 "up with a node whose image is missing" \
	lab up --name half "$LAB3"
assert_match "or use --pull missing" "$(cat "$TEST_TMP/last.out")" "containode's hint, an option of up"
assert_match "lab 'half': 1 node did not start; the others are running, and 'containet lab down --name half' removes them" \
	"$(cat "$TEST_TMP/last.out")" "up says the others run and what removes them"
assert_ok "the other node runs" lab exec --name half ok1 -- true
assert_exit 2 "--pull wants missing or never" lab up --name half2 --pull always "$LAB3"
assert_ok "down of the lab half up" lab down --name half
assert_eq "" "$(leftovers half)" "nothing of it is left"

# --- Mininet's single,50 ---------------------------------------------------------------
assert_ok "up --topo single,50" lab up --topo single,50 --name m50
assert_ok "h1 pings h50" lab exec --name m50 h1 -- ping -c 1 -W 2 10.0.0.50
assert_eq 50 "$(lab ps --name m50 | grep -c ' running ')" "50 nodes run"
assert_ok "down of single,50" lab down --name m50
assert_eq "" "$(leftovers m50)" "nothing of single,50 is left"

# --- SIGKILL of up at random moments, then down ----------------------------------------
left=""
for i in $(seq 20); do
	# The program itself, not the lab function: SIGKILL of a subshell would leave it running.
	"$CONTAINET" lab up --name killed --topo single,4 >/dev/null 2>&1 &
	up=$!
	sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
	kill -KILL "$up" 2>/dev/null || true
	wait "$up" 2>/dev/null || true
	lab down --name killed >"$TEST_TMP/down.out" 2>&1 ||
		left+="down $i failed: $(cat "$TEST_TMP/down.out"); "
	left+=$(leftovers killed)
done
assert_eq "" "$left" "20 x SIGKILL of up with nodes, then down: nothing left"
