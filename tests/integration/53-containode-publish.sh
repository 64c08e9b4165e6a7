#!/usr/bin/env bash
# containode -p: the supervisor relays a host port to a port inside the node, connecting
# from the node's own network namespace (no route, NAT or switch port): busybox httpd
# served through it, a large file intact, 100 connections at once, a connection the node
# refuses closes the outside one at once, UDP flows answered, a port in use refused
# before the node starts, ports shown by ps, nothing left listening after the node.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

command -v jq >/dev/null || skip "jq is not installed"
command -v wget >/dev/null || skip "wget is not installed"
detached_setup
mkdir -p "$ROOT/www"
echo hello-through-the-relay >"$ROOT/www/index.html"
head -c 20000000 /dev/urandom >"$ROOT/www/big"
# Ports in the ephemeral range's neighbourhood that nothing of this test's runs holds.
P1=$((20000 + $$ % 10000))
P2=$((P1 + 1))
P3=$((P1 + 2))
listening() { ss -Hltun | awk '{ print $5 }' | grep -q ":$1\$"; }

"${RUN[@]}" --name web -p "127.0.0.1:$P1:80" -p "$P3:7/udp" -p "$P2:81" \
	sh -c "httpd -p 80 -h /www; exec payload udp-echo 7" >/dev/null
assert_eq "127.0.0.1:$P1:80/tcp 0.0.0.0:$P3:7/udp 0.0.0.0:$P2:81/tcp" \
	"$("$C" ps --json | jq -r '.[0].ports | join(" ")')" "ps --json lists the published ports"
wait_until 5 wget -q -O /dev/null "http://127.0.0.1:$P1/index.html" || true
assert_eq hello-through-the-relay "$(wget -q -O - "http://127.0.0.1:$P1/index.html")" \
	"wget from the host through the published port reaches httpd in the node"
assert_fails "the node has no route to the host: the relay needs none" \
	"$C" exec web wget -q -T 1 -O /dev/null "http://10.254.254.254/"
wget -q -O "$TEST_TMP/big" "http://127.0.0.1:$P1/big"
assert_eq "$(sha256sum <"$ROOT/www/big")" "$(sha256sum <"$TEST_TMP/big")" "20 MB come through intact"

# 100 connections open at once, each answered.  busybox httpd listens with a backlog of 9:
# the relay's connects beyond it wait for SYN retransmissions, hence the long timeout.
out=$(/usr/bin/python3 - "$P1" <<'PY'
import socket, sys
port = int(sys.argv[1])
socks = []
for i in range(100):
    s = socket.create_connection(("127.0.0.1", port), timeout=40)
    socks.append(s)
for s in socks:
    s.sendall(b"GET /index.html HTTP/1.0\r\n\r\n")
ok = 0
for s in socks:
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    ok += b"hello-through-the-relay" in data
    s.close()
print(ok)
PY
)
assert_eq 100 "$out" "100 concurrent connections are all answered"

# Nothing listens on 81 inside: the outside connection ends at once, without a byte.
out=$(/usr/bin/python3 - "$P2" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
t = time.monotonic()
try:
    data = s.recv(10)
except ConnectionResetError:
    data = b""
print(len(data), "fast" if time.monotonic() - t < 2 else "slow")
PY
)
assert_eq "0 fast" "$out" "a connection refused inside closes the outside one"

# UDP: each client its own flow, answered through the listener.
out=$(/usr/bin/python3 - "$P3" <<'PY'
import socket, sys
port = int(sys.argv[1])
res = []
for word in (b"one", b"two"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    for attempt in range(10):
        s.sendto(word, ("127.0.0.1", port))
        try:
            res.append(s.recvfrom(100)[0].decode())
            break
        except socket.timeout:
            pass
print(" ".join(res))
PY
)
assert_eq "echo:one echo:two" "$out" "UDP datagrams reach the node and its answers come back"

# Refused before the node starts: a port in use, bad specs, -N.
assert_exit 125 "a host port in use" "${RUN[@]}" --name clash -p "127.0.0.1:$P1:80" true
assert_match "publish port 127.0.0.1:$P1:80/tcp: Address already in use" \
	"$(cat "$TEST_TMP/last.out")" "the error names it"
assert_eq "" "$("$C" ps -a -q | grep -x clash || true)" "and no node is left"
for bad in 80 x:80 80:0 80:65536 1.2.3:80:80 '[::1:80:80' 80:80/sctp; do
	assert_exit 2 "-p $bad is a usage error" "$C" -p "$bad" true
done
assert_exit 2 "-p with -N is a usage error" "$C" -N -p 1:1 true

# After the node, nothing listens.
"$C" stop -t 0 web >/dev/null
if listening "$P1" || listening "$P2" || listening "$P3"; then fail "a port still listens"; else
	ok "the ports are closed with the node"; fi
