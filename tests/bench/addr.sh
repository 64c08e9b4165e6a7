#!/usr/bin/env bash
# make bench-addr: what the switch's addressing costs.
#   start with auto   start-to-exit of `true` in a node on a switch segment with
#                     --net ...,ipv4=auto (attach, lease saved with fsync, the address
#                     configured from the reply), beside the same node with a static
#                     address (the switch records it, nothing saved), interleaved rounds
#                     in one run; medians and the ratio (target: at most 1.1x)
#   DHCP              DISCOVER-to-ACK time of busybox udhcpc against the switch's DHCP
#                     server, from tcpdump's timestamps in the client's namespace
#                     (target: a median of at most 20 ms), and the switch's own share of
#                     it; one client (one MAC) asks again and again: its first exchange
#                     saves a new lease (fsync), the others are renewals; and the same
#                     with a client that keeps one packet socket (dhcp-client.py), new
#                     leases (each saved before its ACK) and renewals: the switch's time
# Environment: BUILD (build), BENCH_NODES (100 of each), BENCH_DHCP (20 exchanges),
# BENCH_STATE (the switch's --state; a tmpfs one shows the start without the fsync).
# Output: the report on stdout and in $BUILD/bench/addr.txt.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
cd "$TOP"
BUILD=${BUILD:-build}
BIN=$TOP/$BUILD/bin
OUT=$TOP/$BUILD/bench
NODES=${BENCH_NODES:-100}
DHCP=${BENCH_DHCP:-20}
((EUID == 0)) || { echo "bench addr: needs root" >&2; exit 1; }
[[ -x $BIN/containet && -x $BIN/containode ]] || { echo "bench addr: build first (make all)" >&2; exit 1; }
command -v tcpdump >/dev/null || { echo "bench addr: tcpdump is not installed" >&2; exit 1; }
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/containet-bench-addr.XXXXXX)
SWITCH=
cleanup() {
	[[ -n $SWITCH ]] && kill "$SWITCH" 2>/dev/null && wait "$SWITCH" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

ROOT=$TMP/root
mkdir -p "$ROOT"/{bin,etc,proc,sys,dev,tmp,root,run}
cp /bin/busybox "$ROOT/bin/busybox"
chroot "$ROOT" /bin/busybox --install -s /bin
SOCK=$TMP/switch.sock
"$BIN/containet" -s "$SOCK" --state "${BENCH_STATE:-$TMP/state}" >"$TMP/switch.log" 2>&1 &
SWITCH=$!
for _ in $(seq 100); do "$BIN/containet" -s "$SOCK" segments >/dev/null 2>&1 && break; sleep 0.05; done
"$BIN/containet" -s "$SOCK" segment add lan --subnet 10.90.0.0/16 --service 10.90.255.253 \
	--dhcp 10.90.255.1-10.90.255.200 --dns >/dev/null
RUN=("$BIN/containode" -q -r "$ROOT" --ephemeral)

# ms of one start-to-exit of a node
timed() {
	local t0=${EPOCHREALTIME/[.,]/} t1
	"$@" >/dev/null 2>&1 || { echo "bench addr: failed: $*" >&2; return 1; }
	t1=${EPOCHREALTIME/[.,]/}
	echo "$(((t1 - t0) / 10))" | sed 's/\(..\)$/.\1/'
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
p90() { sort -n | awk '{ v[NR] = $1 } END { i = int(NR * 0.9 + 0.5); if (i < 1) i = 1; print v[i] }'; }

: >"$TMP/auto" && : >"$TMP/static"
for ((i = 1; i <= NODES; i++)); do
	# alternate which goes first, so neither always runs on a warmer cache
	if ((i % 2)); then
		timed "${RUN[@]}" -i "ba$i" --net "switch=$SOCK,segment=lan,ipv4=auto" true >>"$TMP/auto"
		timed "${RUN[@]}" -i "bs$i" --net "switch=$SOCK,segment=lan,ipv4=10.90.1.$i/16" true >>"$TMP/static"
	else
		timed "${RUN[@]}" -i "bs$i" --net "switch=$SOCK,segment=lan,ipv4=10.90.1.$i/16" true >>"$TMP/static"
		timed "${RUN[@]}" -i "ba$i" --net "switch=$SOCK,segment=lan,ipv4=auto" true >>"$TMP/auto"
	fi
done
ma=$(median <"$TMP/auto") ms=$(median <"$TMP/static")

# DHCP: a node with the host's tools; udhcpc DHCP_ times, tcpdump in its namespace.
"$BIN/containode" -q -r / -i bdhcp --net "switch=$SOCK,segment=lan" sh -c '
	tcpdump -i eth0 -n -tt -v -l "udp port 67 or udp port 68" >/tmp/td 2>/dev/null &
	td=$!
	sleep 1
	i=0
	while [ $i -lt '"$DHCP"' ]; do
		busybox udhcpc -q -f -n -i eth0 -s /bin/true -t 3 -T 1 >/dev/null 2>&1
		i=$((i + 1))
	done
	sleep 0.5
	kill $td
	wait $td 2>/dev/null
	cat /tmp/td' >"$TMP/td" 2>&1 || true
# per exchange: DISCOVER to ACK, and the server's own share: DISCOVER to OFFER, REQUEST to ACK
awk '/^[0-9]+\.[0-9]+ / { t = $1 }
     /DHCP-Message.*Discover/ { d = t }
     /DHCP-Message.*Offer/ && d { o = (t - d) * 1000 }
     /DHCP-Message.*Request/ { r = t }
     /DHCP-Message.*ACK/ && d && r { printf "%.3f %.3f %.3f\n", (t - d) * 1000, o, (t - r) * 1000; d = r = 0 }' \
	"$TMP/td" >"$TMP/dhcp"
n_dhcp=$(grep -c . "$TMP/dhcp" || true)
# The switch's own time: a client that keeps its socket, new leases (saved before the ACK)
# and renewals.
"$BIN/containode" -q -r / -i bdhcq --net "switch=$SOCK,segment=lan" \
	/usr/bin/python3 "$HERE/dhcp-client.py" eth0 "$DHCP" >"$TMP/dhcq" 2>&1 || true

{
	echo "containet addressing, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
	printf '%-28s %10s %10s %8s\n' "" "median ms" "p90 ms" "runs"
	printf '%-28s %10s %10s %8s\n' "node start, static address" "$ms" "$(p90 <"$TMP/static")" "$NODES"
	printf '%-28s %10s %10s %8s\n' "node start, ipv4=auto" "$ma" "$(p90 <"$TMP/auto")" "$NODES"
	awk -v a="$ma" -v s="$ms" 'BEGIN { printf "%-28s %10.2fx (target: at most 1.1x)\n", "auto / static", a / s }'
	if ((n_dhcp)); then
		printf '%-28s %10s %10s %8s  (target: median at most 20 ms)\n' "DHCP DISCOVER to ACK" \
			"$(cut -d' ' -f1 "$TMP/dhcp" | median)" "$(cut -d' ' -f1 "$TMP/dhcp" | p90)" "$n_dhcp"
		printf '%-28s %10s %10s\n' "  the switch: to OFFER" "$(cut -d' ' -f2 "$TMP/dhcp" | median)" \
			"$(cut -d' ' -f2 "$TMP/dhcp" | p90)"
		printf '%-28s %10s %10s   (the first one saves the lease: fsync)\n' "  the switch: REQUEST to ACK" \
			"$(cut -d' ' -f3 "$TMP/dhcp" | median)" "$(cut -d' ' -f3 "$TMP/dhcp" | p90)"
		echo "  (the rest is udhcpc's own: it opens and closes a packet socket per message, and"
		echo "   each close and bind waits for an RCU grace period, 7-20 ms here)"
	else
		echo "DHCP DISCOVER to ACK: no exchange seen: $(tail -3 "$TMP/td")"
	fi
	for kind in new renew; do
		if grep -q "^$kind " "$TMP/dhcq"; then
			printf '%-28s %10s %10s %8s\n' "  one socket, $kind lease" \
				"$(awk -v k=$kind '$1 == k { print $2 }' "$TMP/dhcq" | median)" \
				"$(awk -v k=$kind '$1 == k { print $2 }' "$TMP/dhcq" | p90)" \
				"$(grep -c "^$kind " "$TMP/dhcq")"
		else
			echo "  one socket, $kind lease: no exchange: $(tail -2 "$TMP/dhcq")"
		fi
	done
} | tee "$OUT/addr.txt"
