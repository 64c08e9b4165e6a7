#!/usr/bin/env bash
# containode with several interfaces: a routed line h1 - r - h2 over two switches, in
# IPv4 (-4, -g) and IPv6 (-6, --route); each interface its own port, re-attached on its
# own when its switch restarts; --net's checks (usage errors, 2) and segment=.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

CONTAINET=$BIN/containet
[[ -x $CONTAINET ]] || skip "the switch ($CONTAINET) is not built"
ROOT=$TEST_TMP/root
make_root "$ROOT"
S1=$TEST_TMP/s1.sock S2=$TEST_TMP/s2.sock
R=${TEST_ID}r H1=${TEST_ID}h1 H2=${TEST_ID}h2
RUN=("$CONTAINODE" -q -r "$ROOT" --ephemeral)

ports_json() { "$CONTAINET" -s "$1" ports --json; }
has_port() { ports_json "$1" | grep -q "\"name\":\"$2\""; }
start_switch() { # NAME SOCK
	spawn "$1" "$CONTAINET" -s "$2"
	SPAWNED_SWITCH=$SPAWNED
	wait_until 5 ports_json "$2" || die "switch $1 does not answer: $(cat "$TEST_TMP/$1.log")"
}

# Usage errors: one line, exit 2, nothing started.
assert_exit 2 "a second -s is a usage error" "${RUN[@]}" -s "$S1" -s "$S2" true
assert_match "^containode: -s given twice" "$(cat "$TEST_TMP/last.out")" "and says so"
assert_exit 2 "a second -4 is a usage error" "${RUN[@]}" -4 10.91.1.5/24 -4 10.91.1.6/24 true
assert_exit 2 "two interfaces with one name" "${RUN[@]}" --net ipv4=10.91.1.5/24,ifname=x \
	--net ipv4=10.91.2.5/24,ifname=x true
assert_exit 2 "two interfaces with one MAC" "${RUN[@]}" --net mac=02:00:00:00:00:01 \
	-4 10.91.1.5/24 --net mac=02:00:00:00:00:01 true
assert_exit 2 "-4 beside --net ifname=eth0 (the shorthand's name)" "${RUN[@]}" -4 10.91.1.5/24 \
	--net ipv4=10.91.2.5/24,ifname=eth0 true
assert_match "^containode: -s, -4 or -6 name eth0, and so does --net ifname=eth0" \
	"$(cat "$TEST_TMP/last.out")" "naming both"
assert_exit 2 "a multicast MAC" "${RUN[@]}" --net mac=03:00:00:00:00:01 true
assert_exit 2 "an unknown --net key" "${RUN[@]}" --net ipv4=10.91.1.5/24,bogus=1 true
assert_exit 2 "a gateway on no interface's subnet" "${RUN[@]}" -4 10.91.1.5/24 \
	--route "10.91.2.0/24 via 10.91.3.1" true

# Addresses, MTU, MACs and routes of a node with two interfaces (no switch needed)
out=$("${RUN[@]}" -i "${TEST_ID}x" -4 10.91.1.5/24 -6 fd91:1::5/64 \
	--net ipv4=10.91.2.5/24,mtu=1400,ifname=up \
	--route "10.91.9.0/24 via 10.91.2.1" --route "default via fd91:1::1" \
	sh -c 'ip -o addr; ip route; ip -6 route; cat /sys/class/net/up/mtu /sys/class/net/*/address')
assert_match "eth0 +inet 10.91.1.5/24" "$out" "-4 on the first interface"
assert_match "eth0 +inet6 fd91:1::5/64" "$out" "-6 on the first interface"
assert_match "up +inet 10.91.2.5/24" "$out" "--net's address on its named interface"
assert_match "10.91.9.0/24 via 10.91.2.1 dev up" "$out" "an IPv4 --route through the right interface"
assert_match "default via fd91:1::1 dev eth0" "$out" "an IPv6 default --route"
assert_match $'\n1400\n' "$out" "mtu= set"
macs=$(grep -c '^02:' <<<"$out")
uniq_macs=$(grep '^02:' <<<"$out" | sort -u | wc -l)
[[ $macs == 2 && $uniq_macs == 2 ]] && ok "two interfaces, two MACs" || fail "MACs: $out"

# What the kernel refuses is reported with what failed: one line, 125
rc=0
"${RUN[@]}" -6 fd91:1::5/128 --route "default via fd91:1::5" true 2>"$TEST_TMP/route.err" || rc=$?
if ((rc == 125)) && [[ $(cat "$TEST_TMP/route.err") == "containode: route default via fd91:1::5: "* ]]; then
	ok "a route the kernel refuses: 125 and which route"
else
	fail "refused route: exit $rc, $(cat "$TEST_TMP/route.err")"
fi

# The routed line: h1 (switch 1) - r (both) - h2 (switch 2)
start_switch sw1 "$S1"
start_switch sw2a "$S2"
SW2=$SPAWNED_SWITCH
# r routes as a lab's router does: forwarding set by --sysctl before its command starts
spawn r "${RUN[@]}" -i "$R" --net "switch=$S1,ipv4=10.91.1.1/24,ipv6=fd91:1::1/64" \
	--net "switch=$S2,ipv4=10.91.2.1/24,ipv6=fd91:2::1/64" \
	--sysctl net.ipv4.ip_forward=1 --sysctl net.ipv6.conf.all.forwarding=1 sleep 300
CR=$SPAWNED
wait_until 5 has_port "$S1" "$R-eth0" || die "r's first port did not appear: $(cat "$TEST_TMP/r.log")"
wait_until 5 has_port "$S2" "$R-eth1" || die "r's second port did not appear: $(cat "$TEST_TMP/r.log")"
ok "each interface is a port on its own switch"
assert_no_match "$R-eth1" "$(ports_json "$S1")" "and only there"
rpid=$(cat /proc/"$CR"/task/*/children | awk '{ print $1; exit }')
assert_eq "1 1" "$(nsenter -t "$rpid" -n cat /proc/sys/net/ipv4/ip_forward \
	/proc/sys/net/ipv6/conf/all/forwarding | xargs)" "r forwards (--sysctl)"

spawn h2 "${RUN[@]}" -i "$H2" -s "$S2" -4 10.91.2.2/24 -g 10.91.2.1 -6 fd91:2::2/64 \
	--route "default via fd91:2::1" sleep 300
wait_until 5 has_port "$S2" "$H2-eth0" || die "h2's port did not appear: $(cat "$TEST_TMP/h2.log")"
H1RUN=("${RUN[@]}" -i "$H1" -s "$S1" -4 10.91.1.2/24 -g 10.91.1.1 -6 fd91:1::2/64
	--route "default via fd91:1::1")
assert_ok "h1 pings h2 through r (IPv4)" "${H1RUN[@]}" ping -c 2 -i 0.2 -W 2 10.91.2.2
assert_ok "h1 pings h2 through r (IPv6)" "${H1RUN[@]}" ping -c 2 -i 0.2 -W 2 fd91:2::2

# Switch 2 restarts: r's second port comes back on its own, the first never left
kill_wait "$SW2"
start_switch sw2b "$S2"
if wait_until 5 has_port "$S2" "$R-eth1" && wait_until 5 has_port "$S2" "$H2-eth0"; then
	ok "r's second interface attached again to the restarted switch"
else
	fail "no ports after the restart: $(ports_json "$S2")"
fi
assert_match "\"name\":\"$R-eth0\"" "$(ports_json "$S1")" "r's first port stayed on switch 1"
assert_ok "h1 pings h2 through r again" "${H1RUN[@]}" ping -c 2 -i 0.2 -W 2 10.91.2.2

# segment=: the default one works; a switch without segments refuses any other, clearly
assert_ok "segment=default attaches" "${RUN[@]}" -i "${TEST_ID}d" \
	--net "switch=$S1,segment=default,ipv4=10.91.1.7/24" ping -c 1 -W 2 10.91.1.1
rc=0
"${RUN[@]}" -i "${TEST_ID}o" --net "switch=$S1,segment=other" true 2>"$TEST_TMP/seg.err" || rc=$?
if ((rc == 125)) && [[ $(wc -l <"$TEST_TMP/seg.err") == 1 ]] &&
	grep -q "^containode: attach to the switch at '$S1' (eth0): .*segment 'other'" "$TEST_TMP/seg.err"; then
	ok "segment=other: 125 and the switch's error"
else
	fail "segment=other: exit $rc, $(cat "$TEST_TMP/seg.err")"
fi
