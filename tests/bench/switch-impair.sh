#!/usr/bin/env bash
# make bench-switch, impairment part: how exactly containet's link impairment does what
# it is told, beside the configured values, and what it costs the ports beside it.
#   accuracy   delay 10 ms on a two-node segment (ping RTT median and p90 against 20 ms),
#              jitter 2 ms uniform and normal (RTT standard deviation against the
#              expected 1.633 and 2.828 ms), loss 5% and Gilbert-Elliott p=1% r=25% over
#              10000 numbered datagrams (loss and mean burst length against 5% and 4),
#              rate 10 mbit (iperf3 TCP, and UDP offered at 20 Mbit/s)
#   reference  the Linux bridge with tc tbf at 10 mbit on the same TCP and UDP runs;
#              netem, the usual reference for the rest, is absent from this kernel
#   isolation  TCP between two unimpaired ports, alone and while another segment's port
#              holds a full queue (1 mbit, fed 5 Mbit/s of UDP), BENCH_ISO_PAIRS (8)
#              pairs in alternating order (target >= 0.98x)
# Environment: BUILD (build), BENCH_REPS (3), BENCH_DURATION (5 s per iperf3 run, >= 4),
# BENCH_PINGS (300).  Output: the report on stdout and in $BUILD/bench/switch-impair.txt,
# the RTTs in switch-impair-rtt.dat and, with gnuplot, their distributions in
# switch-impair-rtt.png.  Everything it creates is removed at exit; all traffic stays in
# the namespaces it creates.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-build}
BIN=$TOP/$BUILD/bin
CTL=$TOP/$BUILD/tests/helpers/ctltool
OUT=$TOP/$BUILD/bench
PY=/usr/bin/python3
REPS=${BENCH_REPS:-3}
ISO_PAIRS=${BENCH_ISO_PAIRS:-8}
DUR=${BENCH_DURATION:-5}
PINGS=${BENCH_PINGS:-300}
ID=cbi$$

die() {
	echo "bench-switch-impair: $*" >&2
	exit 1
}
((EUID == 0)) || die "needs root (network namespaces, taps)"
[[ $REPS =~ ^[1-9][0-9]*$ && $ISO_PAIRS =~ ^[1-9][0-9]*$ && $DUR =~ ^[0-9]+$ && $PINGS =~ ^[1-9][0-9]*$ ]] && ((DUR >= 4)) ||
	die "BENCH_REPS, BENCH_ISO_PAIRS, BENCH_DURATION (>= 4) and BENCH_PINGS must be positive integers"
for t in ip iperf3 ping tc "$PY" "$BIN/containet" "$CTL"; do
	command -v "$t" >/dev/null || die "'$t' not found: make all tests, tests/deps.sh"
done

TMP=$(mktemp -d /tmp/containet-bench-impair.XXXXXX)
PIDS=()
NETNS=()
cleanup() {
	local rc=$? i
	set +e
	trap '' INT TERM
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill -TERM "${PIDS[i]}" 2>/dev/null
		wait "${PIDS[i]}" 2>/dev/null
	done
	for ns in "${NETNS[@]}"; do
		ip netns delete "$ns" 2>/dev/null
	done
	rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		((SECONDS < deadline)) || return 1
		sleep 0.05
	done
}
netns_add() {
	ip netns add "$1"
	NETNS+=("$1")
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
}
bg() { # LOG CMD...: in the background, stopped at exit
	local log=$1
	shift
	"$@" >"$TMP/$log" 2>&1 &
	PIDS+=($!)
}
fg() {
	"$@" &
	wait "$!"
}

SOCK=$TMP/switch.sock
link() { "$BIN/containet" -s "$SOCK" link "$@" >/dev/null; }
counter() { # PORT NAME
	"$BIN/containet" -s "$SOCK" link show "$1" --json |
		"$PY" -c 'import json,sys; print(json.load(sys.stdin)["links"][0]["egress"][sys.argv[1]])' "$2"
}

# --- setup: containet with a, b in lan1 and c, d in lan2; a bridge with tbf --------------
netns_add "$ID-sw"
bg switch ip netns exec "$ID-sw" "$BIN/containet" -s "$SOCK"
wait_until 5 "$BIN/containet" -s "$SOCK" ports || die "the switch does not answer"
"$BIN/containet" -s "$SOCK" segment add lan1 >/dev/null
"$BIN/containet" -s "$SOCK" segment add lan2 >/dev/null
node() { # NAME SEGMENT ADDR
	netns_add "$ID-$1"
	bg "attach-$1" ip netns exec "$ID-$1" "$CTL" attach "$SOCK" "$1" eth0 "$2"
	wait_until 5 grep -q '"ok":true' "$TMP/attach-$1" || die "attach of $1 failed"
	ip -n "$ID-$1" addr add "$3/24" dev eth0
	ip -n "$ID-$1" link set eth0 up
}
node a lan1 10.79.1.1
node b lan1 10.79.1.2
node c lan2 10.79.2.1
node d lan2 10.79.2.2
bg iperf-b ip netns exec "$ID-b" iperf3 -s -B 10.79.1.2
bg iperf-d ip netns exec "$ID-d" iperf3 -s -B 10.79.2.2
# The bridge: tbf on the veth towards the server, where containet's egress rate acts.
netns_add "$ID-br"
netns_add "$ID-r1"
netns_add "$ID-r2"
ip -n "$ID-br" link add br0 type bridge
ip -n "$ID-br" link set br0 up
for i in 1 2; do
	ip -n "$ID-br" link add "p$i" type veth peer name eth0 netns "$ID-r$i"
	ip -n "$ID-br" link set "p$i" master br0 up
	ip -n "$ID-r$i" addr add "10.79.3.$i/24" dev eth0
	ip -n "$ID-r$i" link set eth0 up
done
tc -n "$ID-br" qdisc add dev p2 root tbf rate 10mbit burst 32kbit latency 100ms
bg iperf-r2 ip netns exec "$ID-r2" iperf3 -s -B 10.79.3.2
for ns in a c r1; do
	peer=$([[ $ns == a ]] && echo 10.79.1.2 || ([[ $ns == c ]] && echo 10.79.2.2) || echo 10.79.3.2)
	wait_until 10 ip netns exec "$ID-$ns" ping -c 1 -W 1 "$peer" || die "$ns cannot reach $peer"
done
sleep 1

# --- measurements -----------------------------------------------------------------------
RTT=$TMP/rtt.dat
rtts() { # LABEL: PINGS pings a -> b, RTTs into $RTT as "LABEL rtt"
	fg ip netns exec "$ID-a" ping -n -c "$PINGS" -i 0.01 -W 2 10.79.1.2 |
		sed -n "s/.*time=\([0-9.]*\).*/$1 \1/p" >>"$RTT"
}
tcp() { # NS ADDR: Mbit/s received
	fg ip netns exec "$ID-$1" iperf3 -c "$2" -t "$DUR" -O 1 -J |
		"$PY" -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))'
}
udp() { # NS ADDR: payload Mbit/s delivered of 20 offered
	fg ip netns exec "$ID-$1" iperf3 -c "$2" -u -b 20M -l 1400 -t "$DUR" -J |
		"$PY" -c 'import json,sys; e=json.load(sys.stdin)["end"]["sum"]; print("%.2f" % (e["bytes"] * 8 / e["seconds"] / 1e6 * (1 - e["lost_percent"] / 100)))'
}
cat >"$TMP/recv.py" <<'PY'
import socket, select
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)
s.bind(("10.79.1.2", 9999))
print("ready", flush=True)
got = set()
while select.select([s], [], [], 1.5)[0]:
    got.add(int(s.recv(2048)[:8]))
print(" ".join(map(str, sorted(got))), flush=True)
PY
cat >"$TMP/send.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(10000):
    s.sendto(b"%08d" % i + bytes(56), ("10.79.1.2", 9999))
    if i % 20 == 19:
        time.sleep(0.002)
PY
probe() { # -> "loss% mean-burst"
	rm -f "$TMP/recv.log"
	ip netns exec "$ID-b" "$PY" "$TMP/recv.py" >"$TMP/recv.log" &
	local rp=$!
	wait_until 5 grep -q ready "$TMP/recv.log"
	fg ip netns exec "$ID-a" "$PY" "$TMP/send.py"
	wait "$rp"
	sed -n 2p "$TMP/recv.log" | "$PY" -c '
import sys
got = set(int(x) for x in sys.stdin.read().split())
bursts, run = [], 0
for i in range(10000):
    if i not in got: run += 1
    elif run: bursts.append(run); run = 0
if run: bursts.append(run)
print("%.2f %.2f" % ((10000 - len(got)) / 100, sum(bursts) / max(len(bursts), 1)))'
}

echo "bench-switch-impair: accuracy" >&2
link set lan1 delay=10ms
rtts delay10
link set lan1 jitter=2ms distribution=uniform
rtts jitter2u
link set lan1 distribution=normal
rtts jitter2n
link set lan1 clear
rtts plain
link set b-eth0 loss=5%
read -r loss5 _ < <(probe)
link set b-eth0 clear loss_ge=1%,25%
read -r lossge burst < <(probe)
link set b-eth0 clear
link set lan1 rate=10mbit
tcp_rate=$(tcp a 10.79.1.2)
udp_rate=$(udp a 10.79.1.2)
qdrops=$(counter b-eth0 dropped_queue)
link set lan1 clear
echo "bench-switch-impair: reference: bridge with tc tbf 10mbit" >&2
tcp_tbf=$(tcp r1 10.79.3.2)
udp_tbf=$(udp r1 10.79.3.2)

echo "bench-switch-impair: isolation" >&2
# A 2% target under a TCP spread of several % per run: many short pairs, in the order
# alone-beside, beside-alone, ... so that a drift of the machine's speed falls on both.
alone=() beside=()
beside_run() {
	link set b-eth0 rate=1mbit delay=50ms limit=100000
	ip netns exec "$ID-a" iperf3 -c 10.79.1.2 -u -b 5M -l 1400 -t $((DUR + 2)) >/dev/null 2>&1 &
	flood=$!
	sleep 1
	beside+=("$(tcp c 10.79.2.2)")
	wait "$flood" || true
	link set b-eth0 clear
}
for ((r = 1; r <= ISO_PAIRS; r++)); do
	if ((r % 2)); then
		alone+=("$(tcp c 10.79.2.2)")
		beside_run
	else
		beside_run
		alone+=("$(tcp c 10.79.2.2)")
	fi
done

# --- report -------------------------------------------------------------------------------
mkdir -p "$OUT"
cp "$RTT" "$OUT/switch-impair-rtt.dat"
"$PY" - "$RTT" "$loss5" "$lossge" "$burst" "$tcp_rate" "$udp_rate" "$qdrops" "$tcp_tbf" \
	"$udp_tbf" "${alone[*]}" "${beside[*]}" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY' |
import statistics as s, sys
rtt, loss5, lossge, burst, tcp, udp, qd, tcp_tbf, udp_tbf, alone, beside, cpus, load = sys.argv[1:]
v = {}
for line in open(rtt):
    k, x = line.split()
    v.setdefault(k, []).append(float(x))
def q(k, p): x = sorted(v[k]); return x[min(int(len(x) * p), len(x) - 1)]
base = s.median(v["plain"])
print("containet link impairment (%s CPUs, load %s at the end)" % (cpus, load))
print("netem is not available on this kernel: the reference for rate is the Linux bridge")
print("with tc tbf; the other figures stand beside the configured values.")
print()
print("%-44s %12s %12s" % ("figure", "measured", "configured"))
row = lambda n, m, c: print("%-44s %12s %12s" % (n, m, c))
row("plain RTT median (base)", "%.3f ms" % base, "-")
row("delay 10ms x2: RTT median - base", "%.3f ms" % (s.median(v["delay10"]) - base), "20 ms")
row("delay 10ms x2: RTT p90 - base", "%.3f ms" % (q("delay10", 0.9) - base), "<= 21.5 ms")
row("jitter 2ms uniform: RTT stdev", "%.3f ms" % s.pstdev(v["jitter2u"]), "1.633 ms")
row("jitter 2ms normal: RTT stdev", "%.3f ms" % s.pstdev(v["jitter2n"]), "2.828 ms")
row("loss 5%: datagrams lost of 10000", loss5 + "%", "5%")
row("loss_ge p=1% r=25%: lost", lossge + "%", "3.85%")
row("loss_ge p=1% r=25%: mean burst length", burst, "4")
row("rate 10mbit: TCP", tcp + " Mbit/s", "9.0-10.0")
row("rate 10mbit: UDP 20M offered, payload", udp + " Mbit/s", "9.71")
row("rate 10mbit: UDP queue drops (wire pkts)", qd, "-")
row("bridge + tbf 10mbit: TCP", tcp_tbf + " Mbit/s", "(reference)")
row("bridge + tbf 10mbit: UDP 20M offered", udp_tbf + " Mbit/s", "(reference)")
a = [float(x) for x in alone.split()]; b = [float(x) for x in beside.split()]
row("unimpaired TCP, alone (median)", "%.0f Mbit/s" % s.median(a), "-")
row("unimpaired TCP, beside a full queue", "%.0f Mbit/s" % s.median(b), "-")
row("... ratio of the medians (%d pairs)" % len(a), "%.3fx" % (s.median(b) / s.median(a)), ">= 0.98x")
pairs = sorted(y / x for x, y in zip(a, b))
row("... ratio per pair: median (min-max)", "%.3fx (%.2f-%.2f)" % (s.median(pairs), pairs[0], pairs[-1]), "-")
PY
	tee "$OUT/switch-impair.txt"
if command -v gnuplot >/dev/null; then
	"$PY" - "$RTT" "$TMP/hist.dat" <<'PY'
import sys
v = {}
for line in open(sys.argv[1]):
    k, x = line.split(); v.setdefault(k, []).append(float(x))
keys = ["delay10", "jitter2u", "jitter2n"]
with open(sys.argv[2], "w") as f:
    for b in range(150, 300):
        lo = b / 10
        f.write("%.1f %s\n" % (lo, " ".join(str(sum(lo <= x < lo + 0.1 for x in v[k])) for k in keys)))
PY
	gnuplot -e "set terminal png size 900,500; set output '$OUT/switch-impair-rtt.png';
		set title 'containet: ping RTT with delay 10 ms per direction'; set xlabel 'RTT (ms)';
		set ylabel 'replies per 0.1 ms';
		plot '$TMP/hist.dat' using 1:2 with steps title 'delay 10ms',
		'' using 1:3 with steps title 'jitter 2ms uniform',
		'' using 1:4 with steps title 'jitter 2ms normal'" 2>/dev/null &&
		echo "plot: $OUT/switch-impair-rtt.png"
fi
