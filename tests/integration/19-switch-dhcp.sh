#!/usr/bin/env bash
# The switch's DHCP and DNS service on a segment: busybox udhcpc and ISC dhclient, as
# clients in nodes, get a lease from the range, renew it and release it, and the lease
# shows in `containet leases`; nodes find each other by name (ping, nslookup), an unknown
# name fails at once, a name of the wider world is refused; hostile frames addressed to
# the service are dropped and counted, and the service goes on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

CONTAINET=$BIN/containet
[[ -x $CONTAINET ]] || skip "the switch ($CONTAINET) is not built"
command -v nsenter >/dev/null || skip "nsenter (util-linux) is not installed"
ROOT=$TEST_TMP/root
make_root "$ROOT"
SOCK=$TEST_TMP/switch.sock
RUN=("$CONTAINODE" -q -r "$ROOT" --ephemeral)
LAN=(--net "switch=$SOCK,segment=lan")
ID=$TEST_ID

ctl() { "$CONTAINET" -s "$SOCK" "$@"; }
port_up() { ctl ports --json | grep "\"name\":\"$1-eth0\"" >/dev/null; }
# The PID of the node under containode $1 (its only child), once it runs.
node_pid() { cat "/proc/$1/task/$1/children" 2>/dev/null | awk '{ print $1 }'; }
has_node_pid() { [[ -n $(node_pid "$1") ]]; }

spawn switch "$CONTAINET" -s "$SOCK" --state "$TEST_TMP/state"
wait_until 5 ctl ports --json || die "the switch does not answer: $(cat "$TEST_TMP/switch.log")"
ctl segment add lan --subnet 10.79.0.0/24 --service 10.79.0.253 --gateway 10.79.0.254 \
	--dhcp 10.79.0.100-10.79.0.199 --dns >/dev/null

# --- busybox udhcpc: lease, renew, release ---
cat >"$ROOT/bin/udhcpc.sh" <<'EOF'
#!/bin/sh
echo "$1 ip=$ip mask=$mask router=$router dns=$dns mtu=$mtu lease=$lease" >>/tmp/events
case $1 in
bound | renew)
	# replace, not flush and add: a flush also empties the neighbour cache
	ip addr replace "$ip/$mask" dev "$interface"
	[ -n "$router" ] && ip route replace default via "$router"
	;;
deconfig) ip addr flush dev "$interface" ;;
esac
exit 0
EOF
chmod +x "$ROOT/bin/udhcpc.sh"
spawn "${ID}u" "${RUN[@]}" -i "${ID}u" "${LAN[@]}" sleep 300
CU=$SPAWNED
wait_until 5 has_node_pid "$CU" || die "the udhcpc node did not start: $(cat "$TEST_TMP/${ID}u.log")"
NU=$(node_pid "$CU")
spawn udhcpc nsenter -t "$NU" -n -m udhcpc -f -i eth0 -s /bin/udhcpc.sh -t 10 -T 1 -x "hostname:dhcpu"
UDHCPC=$SPAWNED
events() { cat "/proc/$NU/root/tmp/events" 2>/dev/null; }
has_event() { events | grep -q "^$1 "; }
wait_until 10 has_event bound || fail "udhcpc got no lease: $(cat "$TEST_TMP/udhcpc.log")"
ev=$(events)
assert_match "bound ip=10\.79\.0\.1[0-9][0-9] mask=24 router=10\.79\.0\.254 dns=10\.79\.0\.253 mtu=1500 lease=3600" \
	"$ev" "udhcpc is offered an address of the range with mask, router, DNS, MTU and lease time"
ip_u=$(grep -o 'bound ip=[0-9.]*' <<<"$ev" | cut -d= -f2)
# (through netlink: /sys under nsenter -n is still the host's)
mac_of() { nsenter -t "$1" -n ip -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2; }
mac_u=$(mac_of "$NU")
assert_match "\"segment\":\"lan\",\"kind\":\"dhcp\",\"ipv4\":\"$ip_u\",\"node\":\"dhcpu\",\"mac\":\"$mac_u\"" \
	"$(ctl leases --json)" "the lease shows in 'leases' with the client's MAC and host name"
assert_match "inet $ip_u/24" "$(nsenter -t "$NU" -n ip -4 -o addr show eth0)" "and the script configured it"
kill -USR1 "$UDHCPC"
wait_until 10 has_event renew || fail "udhcpc did not renew: $(events)"
assert_match "renew ip=$ip_u " "$(events)" "a renewal keeps the address"

# --- names: a node by name from another, an unknown name fails fast ---
spawn "${ID}web" "${RUN[@]}" -i "${ID}web" --hostname web "${LAN[@]},ipv4=auto" sleep 300
wait_until 5 port_up "${ID}web" || die "node web did not attach"
web_ip=$(ctl leases lan --json | grep -o "\"ipv4\":\"[0-9.]*\",\"node\":\"${ID}web\"" | grep -o '10\.[0-9.]*')
out=$("${RUN[@]}" -i "${ID}c" "${LAN[@]},ipv4=auto" sh -c '
	cat /etc/resolv.conf
	nslookup web
	ping -c 1 -W 2 web && echo PING-WEB-OK
	ping -c 1 -W 2 dhcpu && echo PING-DHCPU-OK
	ping -c 1 -W 2 '"${ID}web"' && echo PING-ID-OK
	start=$(date +%s)
	nslookup nosuchnode; echo "unknown-rc=$? took=$(( $(date +%s) - start ))"
	nslookup example.com; echo "world-rc=$?"' 2>&1)
assert_match "nameserver 10\.79\.0\.253" "$out" "an auto node's resolv.conf names the service"
assert_match "Name:[[:space:]]+web"$'\n'"Address:[[:space:]]+$web_ip" "$out" "nslookup web answers with web's address"
assert_match "PING-WEB-OK" "$out" "ping web works by its host name"
assert_match "PING-ID-OK" "$out" "and by its identity"
assert_match "PING-DHCPU-OK" "$out" "a DHCP client is found by the host name it sent"
assert_match "NXDOMAIN" "$out" "an unknown name is NXDOMAIN"
assert_match "unknown-rc=1 took=[01]"$'\n' "$out" "and fails at once"
assert_match "REFUSED" "$out" "a name of the wider world is refused (no recursion)"
assert_match "world-rc=1" "$out" "and fails"

# The RELEASE is one unicast datagram that udhcpc sends just before its script removes the
# address: the service's MAC must be known then, or the datagram waits for ARP and is lost
# with the address (a client's race, as with any server).
nsenter -t "$NU" -n ping -c 1 -W 2 10.79.0.253 >/dev/null || true
kill -USR2 "$UDHCPC"
wait_until 10 has_event deconfig || true
wait_until 5 sh -c "! \"$CONTAINET\" -s \"$SOCK\" leases --json | grep -q '\"mac\":\"$mac_u\"'" &&
	ok "after udhcpc releases it, the lease is gone from 'leases'" ||
	fail "the released lease is still listed: $(ctl leases --json)"
kill_wait "$UDHCPC"
spawn udhcpc2 nsenter -t "$NU" -n -m udhcpc -f -q -i eth0 -s /bin/udhcpc.sh -t 10 -T 1
wait "$SPAWNED" && ok "udhcpc gets a lease again" || fail "udhcpc failed: $(cat "$TEST_TMP/udhcpc2.log")"
assert_match "bound ip=$ip_u " "$(events | tail -1)" "and the same address for the same MAC"

# --- ISC dhclient, in a node with the host's tools ---
if command -v dhclient >/dev/null; then
	spawn "${ID}d" "$CONTAINODE" -q -r / -i "${ID}d" "${LAN[@]}" sleep 300
	CD=$SPAWNED
	wait_until 5 has_node_pid "$CD" || die "the dhclient node did not start: $(cat "$TEST_TMP/${ID}d.log")"
	ND=$(node_pid "$CD")
	dhc() { timeout 30 nsenter -t "$ND" -n -m dhclient -v -lf /tmp/dhc.leases -pf /tmp/dhc.pid "$@"; }
	defer nsenter -t "$ND" -n -m dhclient -x -pf /tmp/dhc.pid
	assert_ok "dhclient gets a lease" dhc -1 eth0
	ip_d=$(nsenter -t "$ND" -n ip -4 -o addr show eth0 | grep -o 'inet 10\.79\.0\.[0-9]*' | cut -d' ' -f2)
	[[ $ip_d =~ ^10\.79\.0\.1[0-9][0-9]$ ]] && ok "dhclient configured an address of the range ($ip_d)" ||
		fail "dhclient's address: '$ip_d'"
	mac_d=$(mac_of "$ND")
	assert_match "\"kind\":\"dhcp\",\"ipv4\":\"$ip_d\",[^}]*\"mac\":\"$mac_d\"" "$(ctl leases --json)" \
		"dhclient's lease shows in 'leases'"
	assert_match "default via 10\.79\.0\.254" "$(nsenter -t "$ND" -n ip route)" "with the segment's router"
	assert_ok "dhclient releases it" dhc -r eth0
	wait_until 5 sh -c "! \"$CONTAINET\" -s \"$SOCK\" leases --json | grep -q '\"mac\":\"$mac_d\"'" &&
		ok "the released lease is gone" || fail "still listed: $(ctl leases --json)"
	assert_ok "dhclient asks again (INIT-REBOOT with its old lease)" dhc -1 eth0
	assert_match "inet $ip_d/" "$(nsenter -t "$ND" -n ip -4 -o addr show eth0)" "and gets the same address"
	dhc -x >/dev/null 2>&1 || true
else
	echo "SKIP: dhclient (isc-dhcp-client) is not installed"
fi

# --- hostile frames to the service: dropped, counted, and it goes on ---
spawn "${ID}h" "$CONTAINODE" -q -r / -i "${ID}h" "${LAN[@]},ipv4=auto" sleep 300
CH=$SPAWNED
wait_until 5 has_node_pid "$CH" || die "the hostile node did not start"
NH=$(node_pid "$CH")
svc_mac=$(nsenter -t "$NH" -n sh -c 'ping -c 1 -W 2 10.79.0.253 >/dev/null; ip neigh show 10.79.0.253' | grep -o '..:..:..:..:..:..')
before=$(ctl segments --json | grep -o '"name":"lan"[^}]*"endpoint_drops":[0-9]*' | grep -o '[0-9]*$')
nsenter -t "$NH" -n /usr/bin/python3 - "$svc_mac" <<'EOF' || fail "the hostile sender failed"
import socket, struct, sys
svc = bytes.fromhex(sys.argv[1].replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
me = s.getsockname()[4]
def csum(b):
    if len(b) % 2: b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16: t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff
def ip4(dst, proto, payload, src=b"\x0a\x4f\x00\x01"):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, 64, proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload
def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
svc_ip = bytes([10, 79, 0, 253])
frames = [
    # to the service's MAC: a truncated IPv4 header, a bad header checksum
    svc + me + b"\x08\x00" + b"\x45\x00\x00",
    svc + me + b"\x08\x00" + ip4(svc_ip, 1, b"\x08\x00\x00\x00")[:10] + b"\xde\xad" + ip4(svc_ip, 1, b"")[12:],
    # a ping with a bad ICMP checksum
    svc + me + b"\x08\x00" + ip4(svc_ip, 1, b"\x08\x00\x12\x34\x00\x01\x00\x01"),
    # DNS: a response (never answered), a name that runs off the end
    svc + me + b"\x08\x00" + ip4(svc_ip, 17, udp(5353, 53, b"\x12\x34\x81\x80" + b"\x00" * 8)),
    svc + me + b"\x08\x00" + ip4(svc_ip, 17, udp(5353, 53, b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x3fabc")),
    # DHCP: broadcast, too short, and with an option running past the end
    b"\xff" * 6 + me + b"\x08\x00" + ip4(b"\xff" * 4, 17, udp(68, 67, b"\x01\x01\x06\x00" * 10), b"\0" * 4),
    b"\xff" * 6 + me + b"\x08\x00" + ip4(b"\xff" * 4, 17, udp(68, 67, b"\x01\x01\x06\x00" + b"\0" * 232 + b"\x63\x82\x53\x63\x35\x09\x01"), b"\0" * 4),
]
for f in frames * 20:
    s.send(f)
EOF
after=$(ctl segments --json | grep -o '"name":"lan"[^}]*"endpoint_drops":[0-9]*' | grep -o '[0-9]*$')
((after - before >= 100)) && ok "hostile frames to the service are dropped and counted ($((after - before)))" ||
	fail "endpoint_drops went from $before to $after"
assert_ok "the service still answers ping" nsenter -t "$NH" -n ping -c 1 -W 2 10.79.0.253
assert_match "Address:[[:space:]]+$web_ip" "$(nsenter -t "$NH" -n busybox nslookup web 10.79.0.253 2>&1 || true)" \
	"and DNS"
ctl segments >/dev/null && ok "the switch is alive" || fail "the switch died"

# --- a segment with a domain: NODE.DOMAIN in DNS (A and AAAA), option 15, resolv.conf ---
ctl segment add lab2 --subnet 10.80.0.0/24 --service 10.80.0.253 --dhcp 10.80.0.100-10.80.0.199 \
	--dns --ipv6 fd80::/64 --domain Lab2.test >/dev/null
assert_match '"name":"lab2"[^}]*"domain":"Lab2.test"' "$(ctl segments --json)" "segments shows the domain"
assert_match "lab2 .* domain Lab2.test" "$(ctl segments)" "and so does its table"
assert_exit 1 "a domain that is not one is refused" ctl segment add lab3 --subnet 10.81.0.0/24 --domain 'a..b'
assert_match '"domain"' "$(cat "$TEST_TMP/last.out")" "naming the field"
spawn "${ID}dw" "${RUN[@]}" -i "${ID}dw" --hostname web2 --net "switch=$SOCK,segment=lab2,ipv4=auto" sleep 300
wait_until 5 port_up "${ID}dw" || die "node web2 did not attach"
dw_ip=$(ctl leases lab2 --json | grep -o "\"ipv4\":\"[0-9.]*\",\"node\":\"${ID}dw\"" | grep -o '10\.[0-9.]*')
cat >"$ROOT/bin/dom.sh" <<'EOS'
#!/bin/sh
[ "$1" = bound ] && echo "bound domain=$domain dns=$dns" >>/tmp/dom
exit 0
EOS
chmod +x "$ROOT/bin/dom.sh"
out=$("${RUN[@]}" -i "${ID}dc" --net "switch=$SOCK,segment=lab2,ipv4=auto" sh -c '
	cat /etc/resolv.conf
	nslookup web2.lab2.test 10.80.0.253
	nslookup -type=AAAA web2.LAB2.test 10.80.0.253
	nslookup nosuch.lab2.test 10.80.0.253; echo "unknown-rc=$?"
	udhcpc -q -n -f -i eth0 -s /bin/dom.sh -t 5 -T 1 >/dev/null 2>&1; cat /tmp/dom' 2>&1)
assert_match "search Lab2.test"$'\n'"nameserver 10\.80\.0\.253" "$out" "an auto node's resolv.conf searches the segment's domain"
assert_match "Name:[[:space:]]+web2\.lab2\.test"$'\n'"Address:[[:space:]]+$dw_ip" "$out" \
	"nslookup web2.DOMAIN answers with web2's address"
assert_match "Name:[[:space:]]+web2\.LAB2\.test"$'\n'"Address:[[:space:]]+fd80:" "$out" "and with its SLAAC address for AAAA"
assert_match "NXDOMAIN" "$out" "an unknown NODE.DOMAIN is NXDOMAIN"
assert_match "unknown-rc=1" "$out" "and fails"
assert_match "bound domain=Lab2.test dns=10\.80\.0\.253" "$out" "DHCP gives the domain (option 15)"
