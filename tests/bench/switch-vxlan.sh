#!/usr/bin/env bash
# make bench-switch, VXLAN part: TCP over one VXLAN segment between two "hosts"
# (namespaces on an underlay bridge, MTU 1500, the segment's 1450):
#   kernel     the kernel's vxlan on both hosts, each bridged to a node namespace (the
#              in-kernel reference)
#   containet  containet with a node (a tap) on host A, the kernel's vxlan on host B,
#              both fast paths: super-frames from the tap segmented in software, sent
#              with UDP_SEGMENT; datagrams received in UDP_GRO batches, TCP segments
#              merged back into one GSO write to the tap
#   perframe   the same with --no-vxlan-gso --no-vxlan-gro: one sendmsg per segment,
#              one receive and one tap write per datagram
# The underlay's veths have GRO on, as NICs do (for every setup, the kernel's too).
# Per setup and repetition: iperf3 TCP single stream, from the node on A to the node on
# B (A->B: containet sends) and back (B->A, iperf3 -R: containet receives), and the
# switch's CPU seconds.  Prints medians and the ratios the issue asks for (containet /
# kernel >= 0.6; fast paths / per-frame paths >= 3), per direction and for the sum.
#
# Environment: BUILD (build), BENCH_REPS (3), BENCH_DURATION (5 s), BENCH_VXLAN_SETUPS
# ("kernel containet perframe").  Everything it makes
# (namespaces, processes, the temp dir) goes at exit; traffic stays in its namespaces.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-build}
BIN=$TOP/$BUILD/bin
CTL=$TOP/$BUILD/tests/helpers/ctltool
REPS=${BENCH_REPS:-3}
DUR=${BENCH_DURATION:-5}
SETUPS=${BENCH_VXLAN_SETUPS:-kernel containet perframe}
ID=cbv$$
TMP=$(mktemp -d /tmp/containet-bench-vxlan.XXXXXX)
PIDS=()
NETNS=()

die() {
	echo "bench-switch-vxlan: $*" >&2
	exit 1
}
((EUID == 0)) || die "needs root"
[[ -x $BIN/containet && -x $CTL ]] || die "build first: make all tests"
for t in iperf3 ethtool; do
	command -v "$t" >/dev/null || die "'$t' not found: run tests/deps.sh"
done

kill_wait() {
	kill -TERM "$1" 2>/dev/null || return 0
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
cleanup() {
	local rc=$? i
	set +e
	trap '' INT TERM
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill_wait "${PIDS[i]}"
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
}
proc_cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# The underlay: hosts A (10.210.0.1) and B (10.210.0.2) on a bridge.
netns_add "$ID-ul"
ip -n "$ID-ul" link add br0 type bridge
ip -n "$ID-ul" link set br0 up
for n in 1 2; do
	netns_add "$ID-h$n"
	ip link add "$ID-u$n" netns "$ID-ul" type veth peer name ul0 netns "$ID-h$n"
	ip -n "$ID-ul" link set "$ID-u$n" master br0 up
	# A veth coalesces only what its peer sends without TSO: the bridge's ports too.
	ip netns exec "$ID-ul" ethtool -K "$ID-u$n" tx off >/dev/null
	ip -n "$ID-h$n" addr add "10.210.0.$n/24" dev ul0
	ip -n "$ID-h$n" link set ul0 up
	# Complete checksums on the underlay, as a wire has them (see README: veth underlays).
	ip netns exec "$ID-h$n" ethtool -K ul0 tx off >/dev/null
	# Receive coalescing, as a NIC has it: batches for UDP_GRO and the kernel's vxlan.
	ip netns exec "$ID-h$n" ethtool -K ul0 gro on >/dev/null
done

# kernel_host N NODE_NS: the kernel's vxlan on host N bridged to a node at 10.211.0.N.
kernel_host() {
	local h=$ID-h$1 other=$((3 - $1))
	ip -n "$h" link del br0 2>/dev/null || true
	ip -n "$h" link del vx0 2>/dev/null || true
	ip -n "$h" link add br0 type bridge
	ip -n "$h" link set br0 up
	ip -n "$h" link add vx0 type vxlan id 42 dstport 4789 local "10.210.0.$1" nolearning
	ip -n "$h" link set vx0 master br0 mtu 1450 up
	ip netns exec "$h" bridge fdb append 00:00:00:00:00:00 dev vx0 dst "10.210.0.$other"
	netns_add "$2"
	ip link add "$ID-n$1" netns "$h" type veth peer name eth0 netns "$2"
	ip -n "$h" link set "$ID-n$1" master br0 mtu 1450 up
	ip -n "$2" addr add "10.211.0.$1/24" dev eth0
	ip -n "$2" link set eth0 mtu 1450 up
}

kernel_host 2 "$ID-nb"
ip netns exec "$ID-nb" iperf3 -s >"$TMP/server.log" 2>&1 &
PIDS+=($!)

SWITCH=
setup() { # kernel | containet | perframe
	local sock=$TMP/sw.sock
	if [[ -n $SWITCH ]]; then
		kill_wait "$SWITCH"
		ip netns delete "$ID-na" 2>/dev/null || true
		SWITCH=
	fi
	ip -n "$ID-h1" link del br0 2>/dev/null || true
	ip -n "$ID-h1" link del vx0 2>/dev/null || true
	ip netns delete "$ID-na" 2>/dev/null || true
	if [[ $1 == kernel ]]; then
		kernel_host 1 "$ID-na"
	else
		local opts=()
		[[ $1 != perframe ]] || opts=(--no-vxlan-gso --no-vxlan-gro)
		ip netns exec "$ID-h1" "$BIN/containet" -s "$sock" "${opts[@]}" \
			--vxlan vx1 --vni 42 --remote 10.210.0.2 --segment lab >"$TMP/sw.log" 2>&1 &
		SWITCH=$!
		PIDS+=("$SWITCH")
		wait_until 5 "$BIN/containet" -s "$sock" ports || die "the switch does not start"
		netns_add "$ID-na"
		# A fresh log: the last setup's "ok" must not pass for this attach.
		rm -f "$TMP/attach.log"
		ip netns exec "$ID-na" "$CTL" attach "$sock" na eth0 lab >"$TMP/attach.log" 2>&1 &
		PIDS+=($!)
		wait_until 5 grep -q '"ok":true' "$TMP/attach.log" || die "attach failed"
		ip -n "$ID-na" addr add 10.211.0.1/24 dev eth0
		ip -n "$ID-na" link set eth0 mtu 1450 up
	fi
	wait_until 10 ip netns exec "$ID-na" ping -c 1 -W 1 10.211.0.2 || die "$1: no connectivity"
}

declare -A GBPS CPU
gbps() { # iperf3's JSON: the receiver's rate in Gbit/s
	/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.2f" % (d["end"]["sum_received"]["bits_per_second"] / 1e9))' "$1"
}
for ((rep = 1; rep <= REPS; rep++)); do
	for s in $SETUPS; do
		echo "bench-switch-vxlan: repetition $rep/$REPS: $s" >&2
		setup "$s"
		before=0
		[[ -z $SWITCH ]] || before=$(proc_cpu "$SWITCH")
		for dir in ab ba; do
			args=()
			[[ $dir == ab ]] || args=(-R)
			if ip netns exec "$ID-na" iperf3 -c 10.211.0.2 -t "$DUR" "${args[@]}" -J \
				>"$TMP/c.json" 2>&1; then
				g=$(gbps "$TMP/c.json")
			else
				g=-
			fi
			GBPS[$s-$dir]+="$g "
		done
		cpu=-
		[[ -z $SWITCH ]] || cpu=$(awk -v t="$(($(proc_cpu "$SWITCH") - before))" \
			-v h="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / h }')
		CPU[$s]+="$cpu "
	done
done

median() { tr ' ' '\n' | grep -v '^-\?$' | sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
sum() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-") print "-"; else printf "%.2f", a + b }'; }
echo
echo "VXLAN: TCP over one VXLAN segment between a node on A and a node on B (host B: the kernel's vxlan)"
printf '%-10s %10s %10s %10s %14s %s\n' SETUP 'A->B' 'B->A' 'SUM' SWITCH-CPU-S "RUNS A->B | B->A (Gbit/s)"
declare -A MED
for s in $SETUPS; do
	MED[$s-ab]=$(median <<<"${GBPS[$s-ab]}")
	MED[$s-ba]=$(median <<<"${GBPS[$s-ba]}")
	MED[$s]=$(sum "${MED[$s-ab]}" "${MED[$s-ba]}")
	printf '%-10s %10s %10s %10s %14s %s| %s\n' "$s" "${MED[$s-ab]}" "${MED[$s-ba]}" "${MED[$s]}" \
		"$(median <<<"${CPU[$s]}")" "${GBPS[$s-ab]}" "${GBPS[$s-ba]}"
done
for d in ab ba ""; do
	name=${d:-sum}
	name=${name/ab/A->B}
	name=${name/ba/B->A}
	k=${MED[kernel${d:+-$d}]:--}
	c=${MED[containet${d:+-$d}]:--}
	p=${MED[perframe${d:+-$d}]:--}
	echo "$name: containet / kernel vxlan: $(ratio "$c" "$k")x (target >= 0.6x);" \
		"GSO/GRO paths / per-frame paths: $(ratio "$c" "$p")x (target >= 3x)"
done
