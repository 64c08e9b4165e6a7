#!/usr/bin/env bash
# Host ports: the switch runs in a namespace that stands for the host, makes a tap there
# with host add, and that "host" reaches the nodes of the segment and they reach it
# (ping, and a fetch from a node's busybox httpd).  With --masquerade a node reaches a
# namespace standing for the outside world through NAT, and the nftables table goes with
# host del and with the switch.  Everything stays inside namespaces this test makes.
. "$(dirname "$0")/lib.sh"

CONTAINET=$BIN/containet
CTL=$HELPERS/ctltool
SOCK=$TEST_TMP/switch.sock
SWNS=${TEST_ID}host
OUTNS=${TEST_ID}out
N1=${TEST_ID}n1

ports_json() { "$CONTAINET" -s "$SOCK" ports --json; }
sw() { "$CONTAINET" -s "$SOCK" "$@"; }
in_host() { ip netns exec "$SWNS" "$@"; }
nft_table() { in_host nft list table ip "containet-$1" >/dev/null 2>&1; }

netns_add "$SWNS"
start_switch() {
	spawn switch ip netns exec "$SWNS" "$CONTAINET" -s "$SOCK" -v
	SWITCH=$SPAWNED
	wait_until 5 ports_json >/dev/null || die "the switch does not answer: $(cat "$TEST_TMP/switch.log")"
}
start_switch
sw segment add lan1 >/dev/null || die "segment add failed"

# Node n1 in lan1, 10.195.0.1/24, its default route through the host port's address.
netns_add "$N1"
spawn attach-n1 ip netns exec "$N1" "$CTL" attach "$SOCK" n1 eth0 lan1
wait_until 5 grep -q '"ok":true' "$TEST_TMP/attach-n1.log" || die "attach of n1 failed: $(cat "$TEST_TMP/attach-n1.log")"
ip netns exec "$N1" sysctl -qw net.ipv6.conf.eth0.accept_dad=0
ip -n "$N1" addr add 10.195.0.1/24 dev eth0
ip -n "$N1" addr add fd00:195::1/64 dev eth0 nodad
ip -n "$N1" link set eth0 up
ip -n "$N1" route add default via 10.195.0.254

# --- host add: the host reaches the segment, the segment reaches the host -----------
out=$("$CTL" send "$SOCK" '{"op":"host-add","name":"ctn0","segment":"lan1","ipv4":"10.195.0.254/24","ipv6":"fd00:195::fe/64"}')
assert_eq '{"ok":true,"port":"ctn0"}' "$out" "host-add replies with the port"
assert_ok "the tap ctn0 exists in the switch's namespace" in_host ip link show ctn0
assert_match "inet 10.195.0.254/24" "$(in_host ip -4 addr show dev ctn0)" "ctn0 has its IPv4 address"
assert_match "inet6 fd00:195::fe/64" "$(in_host ip -6 addr show dev ctn0)" "ctn0 has its IPv6 address"
assert_match "state (UP|UNKNOWN)" "$(in_host ip link show ctn0)" "ctn0 is up"
hostmac=$(in_host cat /sys/class/net/ctn0/address)
assert_match "\"name\":\"ctn0\",\"node\":\"\",\"ifname\":\"ctn0\",\"state\":\"forwarding\",\"kind\":\"host\",\"segment\":\"lan1\",\"mac\":\"$hostmac\"" \
	"$(ports_json)" "ports lists ctn0 as a host port of lan1 with its MAC"
assert_match "ctn0 +lan1 +host +$hostmac" "$(sw ports)" "the ports table shows the host port"
assert_ok "the host pings the node" in_host ping -c 2 -i 0.2 -W 2 10.195.0.1
assert_ok "the node pings the host" ip netns exec "$N1" ping -c 2 -i 0.2 -W 2 10.195.0.254
# Duplicate address detection first: wait for the address to be usable.
wait_until 5 eval 'in_host ip -6 addr show dev ctn0 -tentative | grep -q fd00:195::fe/64' ||
	fail "ctn0's IPv6 address stays tentative"
assert_ok "the host pings the node over IPv6" in_host ping -6 -c 2 -i 0.2 -W 2 fd00:195::1

mkdir -p "$TEST_TMP/www"
echo "served by node n1" >"$TEST_TMP/www/index.html"
spawn httpd ip netns exec "$N1" busybox httpd -f -p 8080 -h "$TEST_TMP/www"
wait_until 5 ip netns exec "$N1" sh -c 'ss -ltn | grep -q :8080' || die "httpd did not start"
assert_eq "served by node n1" "$(in_host curl -s -m 5 http://10.195.0.1:8080/index.html)" \
	"the host fetches a page from the node's busybox httpd"

# --- Refusals ------------------------------------------------------------------------
hostile "host-add of an existing port" "exists" '{"op":"host-add","name":"ctn0"}'
hostile "host-add named as an interface of the host" "interface of that name exists" '{"op":"host-add","name":"lo"}'
hostile "host-add in an unknown segment" "no segment 'nope'" '{"op":"host-add","name":"ctn1","segment":"nope"}'
hostile "host-add with a bad IPv4 address" "ipv4" '{"op":"host-add","name":"ctn1","ipv4":"10.195.0.999/24"}'
hostile "host-add with an IPv6 address for ipv4" "ipv4" '{"op":"host-add","name":"ctn1","ipv4":"fd00::1/64"}'
hostile "host-add with a string for masquerade" "masquerade" '{"op":"host-add","name":"ctn1","ipv4":"10.9.0.1/24","masquerade":"yes"}'
hostile "host-add with masquerade and no address" "needs" '{"op":"host-add","name":"ctn1","masquerade":true}'
hostile "host-del of a tap port" "no such host port" '{"op":"host-del","name":"n1-eth0"}'
hostile "detach of a host port" "host-del removes it" '{"op":"detach","port":"ctn0"}'
assert_fails "no tap left behind by refused host-adds" in_host ip link show ctn1
assert_ok "switch alive after hostile host requests" kill -0 "$SWITCH"
assert_ok "the node still reaches the host" ip netns exec "$N1" ping -c 1 -W 2 10.195.0.254

# --- host del --------------------------------------------------------------------------
assert_ok "host del ctn0" sw host del ctn0
# Gone when host del answers, not when the ring lets go of the tap: the name is free again.
assert_fails "ctn0 is gone from the host" in_host ip link show ctn0
assert_no_match '"ctn0"' "$(ports_json)" "ctn0 is gone from the ports"
assert_fails "the node no longer reaches the host" ip netns exec "$N1" ping -c 1 -W 1 10.195.0.254

# --- Masquerade: the segment reaches the outside world through NAT ------------------
# The outside world: a namespace behind a veth from the host, with no route back to
# the segment's subnet: only NAT lets replies find their way.
netns_add "$OUTNS"
ip link add "${TEST_ID}o0" netns "$SWNS" type veth peer name eth0 netns "$OUTNS"
in_host ip addr add 10.194.0.1/24 dev "${TEST_ID}o0"
in_host ip link set "${TEST_ID}o0" up
ip -n "$OUTNS" addr add 10.194.0.2/24 dev eth0
ip -n "$OUTNS" link set eth0 up

assert_ok "host add without --masquerade" sw host add ctn0 --segment lan1 --ipv4 10.195.0.254/24
assert_eq "$hostmac" "$(in_host cat /sys/class/net/ctn0/address)" "a host port made again keeps its MAC"
assert_fails "without masquerade, the node does not reach the outside" \
	ip netns exec "$N1" ping -c 1 -W 1 10.194.0.2
assert_ok "host del" sw host del ctn0
wait_until 5 eval '! in_host ip link show ctn0 2>/dev/null' || die "ctn0 did not go"

assert_ok "host add --masquerade" sw host add ctn0 --segment lan1 --ipv4 10.195.0.254/24 --masquerade
assert_ok "the nftables table exists in the host's namespace" nft_table ctn0
assert_match "ip saddr 10.195.0.0/24 oifname != \"ctn0\" masquerade" "$(in_host nft list table ip containet-ctn0)" \
	"the table masquerades the segment's subnet"
assert_ok "with masquerade, the node reaches the outside" ip netns exec "$N1" ping -c 2 -i 0.2 -W 2 10.194.0.2
assert_ok "host del of the masquerading port" sw host del ctn0
assert_fails "the nftables table is gone after host del" nft_table ctn0
assert_fails "the node no longer reaches the outside" ip netns exec "$N1" ping -c 1 -W 1 10.194.0.2

# --- The switch's exit takes its host ports and their tables with it ----------------
assert_ok "host add --masquerade again" sw host add ctn0 --segment lan1 --ipv4 10.195.0.254/24 --masquerade
assert_ok "host add of a second port in the default segment" sw host add ctn1 --ipv4 10.193.0.1/24
kill -TERM "$SWITCH"
rc=0
wait "$SWITCH" || rc=$?
assert_eq 0 "$rc" "the switch exits cleanly"
assert_eq "" "$(in_host ip -br link | grep -E '^ctn[01]' || true)" "the host ports are gone with the switch"
assert_fails "the nftables table is gone with the switch" nft_table ctn0

# --- The CLI ---------------------------------------------------------------------------
assert_exit 2 "host add without a name is a usage error" "$CONTAINET" -s "$SOCK" host add
assert_exit 2 "--ipv4 with host del is a usage error" "$CONTAINET" -s "$SOCK" host del ctn0 --ipv4 10.0.0.1/8
assert_exit 2 "--segment with ports is a usage error" "$CONTAINET" -s "$SOCK" ports --segment lan1
assert_exit 2 "a bad --segment name is a usage error" "$CONTAINET" -s "$SOCK" host add h --segment "a b"
assert_match "host add NAME" "$("$CONTAINET" --help)" "--help lists host add"
