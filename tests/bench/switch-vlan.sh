# Sourced by switch.sh (make bench-switch): the rows of VLAN trunks and live captures.
#   plain    two containet switches joined by plain ports (a tap of each in a Linux bridge),
#            a node on each, TCP single stream from the one to the other
#   trunk    the same with the nodes on access ports of VLAN 10 and the joining ports
#            trunks of VLANs 10 and 20: every frame gets a tag on one switch and loses it
#            on the other (GSO frames of 64 KiB included)
#   capture  plain, with a capture of every port of the sending side's switch written to a
#            file (snaplen 256, as one captures headers; a full-size capture of a 20 Gbit/s
#            stream would write gigabytes)
#   stalled  plain, with a capture of every port (full frames) into a pipe nobody reads
# Nodes are namespaces with a tap attached by tests/helpers/ctltool (no containers: the
# rows compare switch paths).  Repetitions interleave the four.  Uses switch.sh's helpers
# (netns_add, wait_until, note, fg, PIDS, TMP, ID, BIN, PY, STATS, DUR, REPS, OUT).

VLAN_CTL=$TOP/$BUILD/tests/helpers/ctltool
VLAN_RESULTS=$TMP/vlan-results

# vlan_switch NAME: a containet in namespace $ID-NAME listening on $TMP/NAME.sock.
vlan_switch() {
	netns_add "$ID-$1"
	ip netns exec "$ID-$1" "$BIN/containet" -s "$TMP/$1.sock" >"$TMP/$1.log" 2>&1 &
	PIDS+=($!)
	VLAN_SWPID[$1]=$!
	wait_until 5 "$BIN/containet" -s "$TMP/$1.sock" ports ||
		die "containet $1 does not answer: $(cat "$TMP/$1.log")"
}

# vlan_attach NS SWITCH NODE IFNAME ROLE: a tap IFNAME in NS attached to SWITCH.
vlan_attach() {
	ip netns exec "$ID-$1" "$VLAN_CTL" attach "$TMP/$2.sock" "$3" "$4" "" ${5:+"$5"} \
		>"$TMP/attach-$2-$3.log" 2>&1 &
	PIDS+=($!)
	wait_until 5 grep -q '"ok":true' "$TMP/attach-$2-$3.log" ||
		die "attach $3 to $2: $(cat "$TMP/attach-$2-$3.log")"
}

# vlan_topology NAME NET NODE_ROLE LINK_ROLE: switches NAME1 and NAME2 joined through a
# bridge in namespace $ID-NAMEl; server node NAMEs (NET.1) on NAME1, client NAMEc (NET.2)
# on NAME2.
vlan_topology() {
	local t=$1 net=$2 i
	vlan_switch "${t}1"
	vlan_switch "${t}2"
	netns_add "$ID-${t}l"
	vlan_attach "${t}l" "${t}1" link l1 "$4"
	vlan_attach "${t}l" "${t}2" link l2 "$4"
	ip -n "$ID-${t}l" link add br0 type bridge
	for i in l1 l2; do ip -n "$ID-${t}l" link set "$i" master br0 up; done
	ip -n "$ID-${t}l" link set br0 up
	for i in s:1:1 c:2:2; do
		IFS=: read -r role sw host <<<"$i"
		netns_add "$ID-$t$role"
		vlan_attach "$t$role" "$t$sw" "n$role" eth0 "$3"
		ip -n "$ID-$t$role" addr add "$net.$host/24" dev eth0
		ip -n "$ID-$t$role" link set eth0 up
	done
	ip netns exec "$ID-${t}s" iperf3 -s >"$TMP/$t-server.log" 2>&1 &
	PIDS+=($!)
	wait_until 10 ip netns exec "$ID-${t}c" ping -n -c 1 -W 1 "$net.1" ||
		die "vlan bench: $t: no connectivity"
	wait_until 5 ip netns exec "$ID-${t}c" iperf3 -c "$net.1" -t 1 ||
		die "vlan bench: $t: iperf3 server does not answer"
}

# vlan_tcp ROW REP TOPOLOGY NET: one single-stream run, recorded with the switches' CPU.
vlan_tcp() {
	local f=$TMP/vlan-$1-$2.json v c0 c1
	c0=$(($(proc_cpu "${VLAN_SWPID[${3}1]}") + $(proc_cpu "${VLAN_SWPID[${3}2]}")))
	if fg ip netns exec "$ID-${3}c" iperf3 -c "$4.1" -t "$DUR" --json >"$f" 2>"$f.err" &&
		v=$("$PY" "$STATS" iperf "$f"); then
		c1=$(($(proc_cpu "${VLAN_SWPID[${3}1]}") + $(proc_cpu "${VLAN_SWPID[${3}2]}")))
		echo "$1 $2 tcp1 $v" >>"$VLAN_RESULTS"
		echo "$1 $2 cpu $(ticks_to_s $((c1 - c0)))" >>"$VLAN_RESULTS"
	else
		note "vlan bench: $1: TCP failed: $(tail -n 2 "$f.err" "$f" 2>/dev/null | tr '\n' ' ')"
	fi
}

# vlan_capture ROW REP TARGET ARGS...: TCP through plain while a capture writes to TARGET.
vlan_capture() {
	local row=$1 rep=$2 target=$3 pid s
	shift 3
	"$BIN/containet" -s "$TMP/vp1.sock" capture "$@" -w - >"$target" 2>"$TMP/cap-$row.err" &
	pid=$!
	sleep 0.3
	vlan_tcp "$row" "$rep" vp 10.77.4
	kill -INT "$pid" 2>/dev/null
	wait "$pid" || note "vlan bench: $row: capture: $(cat "$TMP/cap-$row.err")"
	s=$(grep -Eo '[0-9]+ frames captured, [0-9]+ dropped' "$TMP/cap-$row.err" || true)
	[[ -z $s ]] || echo "$row $rep frames ${s%% *} dropped $(awk '{ print $4 }' <<<"$s")" \
		>>"$VLAN_RESULTS.capture"
}

declare -A VLAN_SWPID

bench_vlan_capture() {
	local rep fifo=$TMP/stalled.fifo fd
	[[ -x $VLAN_CTL ]] || {
		note "vlan bench: $VLAN_CTL not built (make tests): rows not measured"
		return 0
	}
	echo "bench-switch: setting up two switches joined by plain ports, and by trunks"
	vlan_topology vp 10.77.4 "" ""
	vlan_topology vt 10.77.5 access=10 trunk=10,20
	mkfifo "$fifo"
	exec {fd}<>"$fifo" # held open, never read: the stalled reader
	for ((rep = 1; rep <= REPS; rep++)); do
		echo "bench-switch: repetition $rep/$REPS: plain, trunk, capture, stalled capture"
		vlan_tcp plain "$rep" vp 10.77.4
		vlan_tcp trunk "$rep" vt 10.77.5
		vlan_capture capture "$rep" "$TMP/capture.pcapng" --snaplen 256
		rm -f "$TMP/capture.pcapng"
		vlan_capture stalled "$rep" "$fifo"
	done
	exec {fd}>&-
	vlan_report | tee -a "$OUT/switch.txt"
}

vlan_report() {
	"$PY" - "$VLAN_RESULTS" "$VLAN_RESULTS.capture" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    row, rep, metric, value = line.split()
    rows.setdefault((row, metric), []).append(float(value))
caps = {}
try:
    for line in open(sys.argv[2]):
        row, rep, _, frames, _, dropped = line.split()
        caps.setdefault(row, []).append((int(frames), int(dropped)))
except FileNotFoundError:
    pass
def med(row, metric):
    v = rows.get((row, metric))
    return statistics.median(v) if v else None
base = med("plain", "tcp1")
print("\nVLAN trunks and captures (TCP single stream between two containet switches; "
      "medians, ratio to plain):")
print(f"  {'row':<10} {'Gbit/s':>8} {'spread':>15} {'ratio':>6} {'switch CPU s':>12}  target")
targets = {"trunk": 0.9, "capture": 0.7, "stalled": 0.9}
for row in ("plain", "trunk", "capture", "stalled"):
    v = med(row, "tcp1")
    vals = rows.get((row, "tcp1"), [])
    spread = f"{min(vals):.2f}-{max(vals):.2f}" if vals else "-"
    r = v / base if v and base else None
    cpu = med(row, "cpu")
    t = targets.get(row)
    verdict = "" if t is None or r is None else (f">= {t}x " + ("met" if r >= t else "MISSED"))
    print(f"  {row:<10} {v if v else 0:8.2f} {spread:>15} {r if r else 0:6.2f} "
          f"{cpu if cpu is not None else 0:12.2f}  {verdict}")
for row, runs in caps.items():
    f = sum(x for x, _ in runs) / len(runs)
    d = sum(y for _, y in runs) / len(runs)
    print(f"  {row}: {f:.0f} frames captured and {d:.0f} dropped per run on average")
PY
}
