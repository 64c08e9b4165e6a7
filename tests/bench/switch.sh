#!/usr/bin/env bash
# make bench-switch: the same two-host test through three switches, in one run:
#   bridge     the Linux bridge, two veth pairs into two namespaces (offloads on: the
#              in-kernel reference)
#   vde        Debian's vde_switch with one tap per namespace (vde_switch -t)
#   containet  containet with two containode containers (-4 10.77.3.1/24 and .2/24) whose
#              commands are the iperf3 server and each measuring client (iperf3, ping)
# Per setup: iperf3 TCP single stream and -P 4, iperf3 UDP with 18-byte datagrams (frames
# per second counted at layer 2 on the receiver's interface), ping min/avg/p99, and the
# switch process's CPU seconds per test.  Repetitions interleave the setups; the report
# prints medians, ratios to the bridge and to vde_switch, and the issue's targets.
# Then, for containet alone: TCP with 254 idle ports attached (and the switch's memory
# per port), and streams while those 254 join at once, leave at once, and while
# containers keep joining and leaving; then VLAN trunks and captures (switch-vlan.sh),
# and last link impairment (switch-impair.sh).
#
# Environment: BUILD (build), BENCH_REPS (3), BENCH_DURATION (5 s per iperf3 test, at
# least 4), BENCH_PINGS (300), BENCH_SETUPS ("bridge vde containet"), BENCH_EXTRAS (1; 0
# stops after the table of the three setups, for a quick look at throughput and latency).  Output: the report
# on stdout and in $BUILD/bench/switch.txt, raw figures beside it, a plot switch.png.
# Everything it creates (namespaces, taps, processes, the temp dir) is removed at exit,
# also on Ctrl-C.  All traffic stays inside the namespaces it creates.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-build}
BIN=$TOP/$BUILD/bin
OUT=$TOP/$BUILD/bench
PY=/usr/bin/python3
STATS=$HERE/switch-stats.py
REPS=${BENCH_REPS:-3}
DUR=${BENCH_DURATION:-5}
PINGS=${BENCH_PINGS:-300}
IDLE_PORTS=254
CONTAINODE=("$BIN/containode" --seccomp unconfined)
ID=cbs$$

die() {
	echo "bench-switch: $*" >&2
	exit 1
}
note() { echo "  $*" >&2; }

((EUID == 0)) || die "needs root (network namespaces, taps)"
if ! [[ $REPS =~ ^[1-9][0-9]*$ && $DUR =~ ^[0-9]+$ && $PINGS =~ ^[1-9][0-9]*$ ]] ||
	((DUR < 4)); then
	die "BENCH_REPS, BENCH_DURATION (>= 4) and BENCH_PINGS must be positive integers"
fi
for t in ip nsenter iperf3 ping vde_switch "$PY"; do
	command -v "$t" >/dev/null || die "'$t' not found: run tests/deps.sh"
done

TMP=$(mktemp -d /tmp/containet-bench-switch.XXXXXX)
RESULTS=$TMP/results
PIDS=()    # processes to stop at exit, in order of start
NETNS=()   # namespaces to delete at exit

# descendants PID: every process below PID, parents before children.
descendants() {
	local queue=("$1") p kids
	while ((${#queue[@]})); do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		read -ra kids < <(cat /proc/"$p"/task/*/children 2>/dev/null | tr '\n' ' ') || true
		((${#kids[@]})) || continue
		echo "${kids[@]}"
		queue+=("${kids[@]}")
	done
}

cleanup() {
	local rc=$? i p rest
	set +e
	trap '' INT TERM
	# What was started in the background first (servers, switches last), then whatever
	# else still runs below this script (an interrupted client and its container).
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill_wait "${PIDS[i]}"
	done
	read -ra rest < <(descendants $$ | tr '\n' ' ')
	for p in "${rest[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${rest[@]}"; do
		kill_wait "$p"
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

# fg CMD...: runs CMD and waits for it.  Through `wait` because iperf3 and ping catch
# SIGINT and exit normally, and bash then skips its own INT trap after a foreground child.
fg() {
	"$@" &
	wait "$!"
}

# kill_wait PID: TERM, up to 5 s, then KILL; never by name.
kill_wait() {
	kill -TERM "$1" 2>/dev/null || return 0
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null || true
}

# wait_until SECONDS CMD...: polls CMD every 50 ms; false on timeout.
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

# record SETUP REP METRIC VALUE
record() { echo "$*" >>"$RESULTS"; }

# --- counters ---------------------------------------------------------------------------

# proc_cpu PID: user+system clock ticks of the process (all its threads), 0 without PID.
proc_cpu() {
	[[ -n ${1:-} ]] || {
		echo 0
		return
	}
	local stat
	stat=$(<"/proc/$1/stat")
	# Fields after the ")" that ends the command name: utime is the 12th, stime the 13th.
	awk '{ print $12 + $13 }' <<<"${stat##*) }"
}

# host_busy: busy clock ticks of the whole machine (all but idle and iowait).
host_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

# rx_packets NETNS_PATH IFNAME: received packets of an interface inside a namespace.
rx_packets() {
	nsenter --net="$1" cat /proc/net/dev |
		awk -v dev="$2" '{ sub(/:/, " ") } $1 == dev { print $3; exit }'
}

TICK=$(getconf CLK_TCK)
ticks_to_s() { awk -v t="$1" -v h="$TICK" 'BEGIN { printf "%.3f", t / h }'; }

# --- setups -----------------------------------------------------------------------------
# Each setup NAME fills ADDR[NAME] (the server's address), RXNS[NAME] (the server's netns
# as a path: its eth0 is the receiving interface), SWPID[NAME] (the switch process, empty
# for the bridge), and has a function client_NAME CMD... (runs CMD as the client host).

declare -A ADDR RXNS SWPID

# Two namespaces with eth0 in each: .1 is the server, .2 the client.
hosts_add() { # PREFIX
	netns_add "$ID-${1}1"
	netns_add "$ID-${1}2"
}
host_addr() { # NS IFNAME ADDR
	ip -n "$1" link set "$2" name eth0
	ip -n "$1" addr add "$3" dev eth0
	ip -n "$1" link set eth0 up
}

setup_bridge() {
	hosts_add b
	netns_add "$ID-br"
	ip -n "$ID-br" link add br0 type bridge
	ip -n "$ID-br" link set br0 up
	local i
	for i in 1 2; do
		ip -n "$ID-br" link add "p$i" type veth peer name eth0 netns "$ID-b$i"
		ip -n "$ID-br" link set "p$i" master br0 up
		ip -n "$ID-b$i" addr add "10.77.1.$i/24" dev eth0
		ip -n "$ID-b$i" link set eth0 up
	done
	ADDR[bridge]=10.77.1.1
	RXNS[bridge]=/run/netns/$ID-b1
	SWPID[bridge]=
	ip netns exec "$ID-b1" iperf3 -s >"$TMP/bridge-server.log" 2>&1 &
	PIDS+=($!)
}
client_bridge() { fg ip netns exec "$ID-b2" "$@"; }

# vde_switch creates its taps (-t) in its own namespace and keeps their fds; the taps
# then move into the two host namespaces.
setup_vde() {
	hosts_add v
	netns_add "$ID-vde"
	ip netns exec "$ID-vde" vde_switch -s "$TMP/vde.ctl" -M "$TMP/vde.mgmt" \
		-t "${ID}v1" -t "${ID}v2" -d -p "$TMP/vde.pid" >"$TMP/vde.log" 2>&1 ||
		die "vde_switch failed: $(cat "$TMP/vde.log")"
	wait_until 5 test -s "$TMP/vde.pid" || die "vde_switch wrote no pid file"
	SWPID[vde]=$(<"$TMP/vde.pid")
	PIDS+=("${SWPID[vde]}")
	local i
	for i in 1 2; do
		wait_until 5 ip -n "$ID-vde" link show "${ID}v$i" || die "vde_switch made no tap"
		ip -n "$ID-vde" link set "${ID}v$i" netns "$ID-v$i"
		host_addr "$ID-v$i" "${ID}v$i" "10.77.2.$i/24"
	done
	ADDR[vde]=10.77.2.1
	RXNS[vde]=/run/netns/$ID-v1
	ip netns exec "$ID-v1" iperf3 -s >"$TMP/vde-server.log" 2>&1 &
	PIDS+=($!)
}
client_vde() { fg ip netns exec "$ID-v2" "$@"; }

# container_netns PID: the network namespace of the first descendant of PID that is
# not in ours (the container), as a path; false while there is none yet.
container_netns() {
	local own p
	own=$(readlink /proc/self/ns/net)
	for p in $(descendants "$1"); do
		if [[ -e /proc/$p/ns/net && $(readlink "/proc/$p/ns/net") != "$own" ]]; then
			echo "/proc/$p/ns/net"
			return 0
		fi
	done
	return 1
}

eth0_has_addr() { nsenter --net="$1" ip -4 addr show dev eth0 | grep -q "inet $2/"; }

CONTAINET_MISSING=
# The containet row needs both programs; without them the references still run.
containet_built() {
	local b
	for b in containet containode; do
		[[ -x $BIN/$b ]] || CONTAINET_MISSING+="$BIN/$b "
	done
	[[ -z $CONTAINET_MISSING ]] && return 0
	echo "bench-switch: containet row NOT measured: missing ${CONTAINET_MISSING% }" >&2
	echo "bench-switch: build them: make BUILD=$BUILD $BUILD/bin/containet" \
		"$BUILD/bin/containode" >&2
	return 1
}

setup_containet() {
	SOCK=$TMP/containet.sock
	"$BIN/containet" -s "$SOCK" >"$TMP/containet.log" 2>&1 &
	SWPID[containet]=$!
	PIDS+=($!)
	wait_until 5 "$BIN/containet" -s "$SOCK" ports ||
		die "containet does not answer on $SOCK: $(cat "$TMP/containet.log")"
	# The server: one long-lived container.  The containers run without a seccomp filter
	# (CONTAINODE), as the other setups' namespaces do: the switches are compared, not a
	# filter on every system call of ping and iperf3.
	"${CONTAINODE[@]}" -s "$SOCK" -4 10.77.3.1/24 -- iperf3 -s >"$TMP/containet-server.log" 2>&1 &
	PIDS+=($!)
	local node=$! ns=
	wait_until 10 container_netns "$node" ||
		die "server container did not start: $(cat "$TMP/containet-server.log")"
	ns=$(container_netns "$node")
	wait_until 10 eth0_has_addr "$ns" 10.77.3.1 ||
		die "server container has no 10.77.3.1 on eth0: $(cat "$TMP/containet-server.log")"
	ADDR[containet]=10.77.3.1
	RXNS[containet]=$ns
}
# Every client run is a fresh container: join, measure, leave.
client_containet() { fg "${CONTAINODE[@]}" -s "$SOCK" -4 10.77.3.2/24 -- "$@"; }
client_containet_at() { # ADDR CMD...
	local a=$1
	shift
	fg "${CONTAINODE[@]}" -s "$SOCK" -4 "$a" -- "$@"
}

# --- tests ------------------------------------------------------------------------------

# with_cpu SETUP REP cpu_X CMD...: runs CMD, records the switch's CPU seconds as cpu_X
# and the whole machine's busy CPU seconds as host_X.
with_cpu() {
	local s=$1 rep=$2 metric=$3 c0 c1 h0 h1 rc=0
	shift 3
	c0=$(proc_cpu "${SWPID[$s]}")
	h0=$(host_busy)
	"$@" || rc=$?
	c1=$(proc_cpu "${SWPID[$s]}")
	h1=$(host_busy)
	[[ -z ${SWPID[$s]} ]] || record "$s" "$rep" "$metric" "$(ticks_to_s $((c1 - c0)))"
	record "$s" "$rep" "host_${metric#cpu_}" "$(ticks_to_s $((h1 - h0)))"
	return "$rc"
}

# A failed test costs its figure, not the run: the report shows "-".
test_tcp() { # SETUP REP STREAMS
	local s=$1 rep=$2 p=$3 f=$TMP/$1-$2-tcp$3.json v
	if with_cpu "$s" "$rep" "cpu_tcp$p" "client_$s" \
		iperf3 -c "${ADDR[$s]}" -t "$DUR" -P "$p" --json >"$f" 2>"$f.err" &&
		v=$("$PY" "$STATS" iperf "$f"); then
		record "$s" "$rep" "tcp$p" "$v"
	else
		note "$s: TCP -P $p failed: $(tail -n 2 "$f.err" "$f" 2>/dev/null | tr '\n' ' ')"
	fi
}

# UDP, 18-byte payloads (60-byte frames), unlimited rate.  iperf3's receiver cannot keep
# up, so the figure is the frames that reached the server's eth0: its rx_packets counter
# sampled from 1 s after the client started to 2 s before its end.
udp_run() { # SETUP REP FILE
	local s=$1 f=$3 pid c1 c2 t1 t2 d1=0 d2=0
	"client_$s" iperf3 -c "${ADDR[$s]}" -u -l 18 -b 0 -t "$DUR" --json >"$f" 2>"$f.err" &
	pid=$!
	sleep 1
	c1=$(rx_packets "${RXNS[$s]}" eth0)
	t1=$EPOCHREALTIME
	[[ $s != containet ]] || d1=$(port_drops)
	sleep $((DUR - 3))
	c2=$(rx_packets "${RXNS[$s]}" eth0)
	t2=$EPOCHREALTIME
	[[ $s != containet ]] || d2=$(port_drops)
	wait "$pid" || return 1
	awk -v a="$c1" -v b="$c2" -v t1="$t1" -v t2="$t2" \
		'BEGIN { printf "%.3f", (b - a) / (t2 - t1) / 1000 }' >"$f.kfps"
	awk -v a="$d1" -v b="$d2" -v t1="$t1" -v t2="$t2" \
		'BEGIN { printf "%.3f", (b - a) / (t2 - t1) / 1000 }' >"$f.drops"
}
test_udp() { # SETUP REP
	local s=$1 rep=$2 f=$TMP/$1-$2-udp.json
	local v
	if with_cpu "$s" "$rep" cpu_udp udp_run "$s" "$rep" "$f"; then
		record "$s" "$rep" udp_kfps "$(<"$f.kfps")"
		[[ $s != containet ]] || record "$s" "$rep" udp_drops "$(<"$f.drops")"
		if v=$("$PY" "$STATS" udp-sent "$f"); then
			record "$s" "$rep" udp_sent "$v"
		fi
	else
		note "$s: UDP failed: $(tail -n 2 "$f.err" "$f" 2>/dev/null | tr '\n' ' ')"
	fi
}

test_ping() { # SETUP REP
	local s=$1 rep=$2 f=$TMP/$1-$2-ping.txt v
	# A lost echo makes ping fail; the replies still count.
	with_cpu "$s" "$rep" cpu_ping "client_$s" \
		ping -n -c "$PINGS" -i 0.005 -W 1 "${ADDR[$s]}" >"$f" 2>&1 || true
	if v=$("$PY" "$STATS" ping "$f"); then
		read -r min avg p99 _ <<<"$v"
		record "$s" "$rep" ping_min "$min"
		record "$s" "$rep" ping_avg "$avg"
		record "$s" "$rep" ping_p99 "$p99"
	else
		note "$s: ping failed: $(tail -n 2 "$f")"
	fi
}

# --- containet alone: many ports, join and leave ----------------------------------------

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
nports() { "$PY" "$STATS" ports "$BIN/containet" "$SOCK" | cut -d' ' -f1; }
port_drops() { "$PY" "$STATS" ports "$BIN/containet" "$SOCK" | cut -d' ' -f2; }
nports_is() { [[ $(nports) == "$1" ]]; }

# 254 idle ports, each a tap up in one shared namespace attached over its own connection,
# all held by one switch-ports.py: a light joining side, so that what the stream sees
# while they join is the switch (tests/helpers/ctltool would take 254 processes, each
# through `ip netns exec`, and load the CPUs by itself).  Sets IDLE_PIDS and
# IDLE_SECONDS (until the switch lists them all).
IDLE_PIDS=()
idle_ports_attach() { # PORTS_BEFORE
	local base=$1 i n=$IDLE_PORTS t0=$EPOCHREALTIME
	if [[ ! -e /run/netns/$ID-idle ]]; then
		netns_add "$ID-idle"
		# Idle means silent: without IPv6 the links send no DAD, MLD or router
		# solicitations (each flooded to every port); they still get the floods.
		ip netns exec "$ID-idle" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	fi
	ip netns exec "$ID-idle" "$PY" "$HERE/switch-ports.py" "$SOCK" i "$n" \
		>>"$TMP/idle.log" 2>&1 &
	IDLE_PIDS=($!)
	PIDS+=("${IDLE_PIDS[@]}")
	if ! wait_until 60 nports_is $((base + n)); then
		note "idle ports: $(nports) attached of $((base + n)): $(tail -n 3 "$TMP/idle.log")"
		return 1
	fi
	IDLE_SECONDS=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
	for ((i = 0; i < n; i++)); do
		echo "link set dev i$i up"
	done | ip -n "$ID-idle" -batch -
}

# All idle ports leave at once: their holders are killed.  Sets IDLE_SECONDS (until the
# switch has let go of them all).
idle_ports_detach() { # PORTS_AFTER
	local p t0=$EPOCHREALTIME
	for p in "${IDLE_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	wait_until 60 nports_is "$1" || note "idle ports: $(nports) left, expected $1"
	IDLE_SECONDS=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
	for p in "${IDLE_PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	IDLE_PIDS=()
}

# tcp_runs METRIC [FIRST]: REPS single-stream runs through containet, recorded as METRIC
# with repetition numbers from FIRST (1) on.
tcp_runs() {
	local rep f v first=${2:-1}
	for ((rep = first; rep < first + REPS; rep++)); do
		f=$TMP/$1-$rep.json
		if client_containet iperf3 -c "${ADDR[containet]}" -t "$DUR" --json >"$f" 2>"$f.err" &&
			v=$("$PY" "$STATS" iperf "$f"); then
			record containet "$rep" "$1" "$v"
		else
			note "$1: TCP failed: $(tail -n 2 "$f.err" "$f" | tr '\n' ' ')"
		fi
	done
}

# during NAME CMD...: a 10 s single stream in 0.5 s intervals, CMD run 2 s into it;
# records the worst and the median interval and the seconds below 10% of the median.
during() {
	local name=$1 f=$TMP/$1.json pid v
	shift
	client_containet iperf3 -c "${ADDR[containet]}" -t 10 -i 0.5 --json >"$f" 2>"$f.err" &
	pid=$!
	sleep 2
	"$@"
	if wait "$pid" && v=$("$PY" "$STATS" intervals "$f"); then
		read -r worst median stalled <<<"$v"
		record containet 0 "${name}_worst" "$worst"
		record containet 0 "${name}_median" "$median"
		record containet 0 "${name}_stalled" "$stalled"
	else
		note "$name: iperf3 failed: $(tail -n 2 "$f.err" "$f" | tr '\n' ' ')"
	fi
}

mass_join() {
	idle_ports_attach "$1" || return 0
	record containet 0 mj_seconds "$IDLE_SECONDS"
}
mass_leave() {
	idle_ports_detach "$1"
	record containet 0 ml_seconds "$IDLE_SECONDS"
}

# Containers that live ~1 s each join and leave, one started every 0.2 s, for 7 s.
churn() {
	local n=0 end=$((SECONDS + 7)) pids=() p failed=0
	while ((SECONDS < end)); do
		client_containet_at "10.77.3.$((10 + n % 200))/24" sleep 1 >/dev/null \
			2>>"$TMP/churn.log" &
		pids+=($!)
		n=$((n + 1))
		sleep 0.2
	done
	for p in "${pids[@]}"; do
		wait "$p" || failed=$((failed + 1))
	done
	((failed == 0)) ||
		note "churn: $failed of $n containers failed: $(tail -n 2 "$TMP/churn.log")"
	record containet 0 jl_joins $((n - failed))
}

# 254 idle ports: TCP against the two-port figure measured before and after, the switch's
# memory per port, and streams while they all join at once, and all leave at once.
test_many_ports() {
	local base rss0 rss1 drops0 drops1
	tcp_runs few_tcp1
	base=$(nports)
	rss0=$(rss_kib "${SWPID[containet]}")
	echo "bench-switch: containet: $IDLE_PORTS idle ports join at once during a stream"
	during mj mass_join $((base + 1))
	((${#IDLE_PIDS[@]})) || return 1
	rss1=$(rss_kib "${SWPID[containet]}")
	record containet 0 rss_before "$rss0"
	record containet 0 rss_after "$rss1"
	record containet 0 many_idle "$IDLE_PORTS"
	record containet 0 many_ports $((base + IDLE_PORTS + 1))
	echo "bench-switch: containet: TCP with $((base + IDLE_PORTS + 1)) ports"
	drops0=$(port_drops)
	tcp_runs many_tcp1
	drops1=$(port_drops)
	record containet 0 many_drops $((drops1 - drops0))
	record containet 0 rss_traffic "$(rss_kib "${SWPID[containet]}")"
	echo "bench-switch: containet: $IDLE_PORTS idle ports leave at once during a stream"
	during ml mass_leave $((base + 1))
	# The two-port reference again: with the runs from before the join it brackets the
	# many-port runs, so that drift in the machine's speed falls on both sides.
	tcp_runs few_tcp1 $((REPS + 1))
}

test_join_leave() {
	echo "bench-switch: containet: containers join and leave during a stream"
	during jl churn
}

# --- main -------------------------------------------------------------------------------

record param 0 reps "$REPS"
record param 0 cpus "$(nproc)"
record param 0 load_start "$(cut -d' ' -f1 /proc/loadavg)"
record param 0 duration "$DUR"
setups=()
for s in ${BENCH_SETUPS:-bridge vde containet}; do
	declare -F "setup_$s" >/dev/null || die "no setup '$s' (have: bridge vde containet)"
	echo "bench-switch: setting up $s"
	[[ $s != containet ]] || containet_built || continue
	"setup_$s"
	setups+=("$s")
done

echo "bench-switch: checking connectivity"
for s in "${setups[@]}"; do
	wait_until 10 "client_$s" ping -n -c 1 -W 1 "${ADDR[$s]}" ||
		die "$s: no connectivity to ${ADDR[$s]}"
	wait_until 5 "client_$s" iperf3 -c "${ADDR[$s]}" -t 1 ||
		die "$s: iperf3 server on ${ADDR[$s]} does not answer"
done

for ((rep = 1; rep <= REPS; rep++)); do
	for s in "${setups[@]}"; do
		echo "bench-switch: repetition $rep/$REPS: $s"
		test_tcp "$s" "$rep" 1
		test_tcp "$s" "$rep" 4
		test_udp "$s" "$rep"
		test_ping "$s" "$rep"
	done
done

EXTRAS=${BENCH_EXTRAS:-1}
if [[ $EXTRAS == 1 && " ${setups[*]} " == *" containet "* ]]; then
	test_many_ports || note "many ports: not measured"
	test_join_leave
fi

record param 0 load_end "$(cut -d' ' -f1 /proc/loadavg)"
mkdir -p "$OUT"
cp "$RESULTS" "$OUT/switch-results.txt"
"$PY" "$STATS" report "$RESULTS" "$OUT/switch.dat" | tee "$OUT/switch.txt"
if command -v gnuplot >/dev/null; then
	if gnuplot -e "datafile='$OUT/switch.dat'; outfile='$OUT/switch.png'" "$HERE/switch-plot.gp" \
		2>"$TMP/gnuplot.log"; then
		echo "plot: $OUT/switch.png"
	else
		note "gnuplot failed: $(tail -n 3 "$TMP/gnuplot.log")"
	fi
fi
echo "raw figures: $OUT/switch-results.txt"
[[ $EXTRAS == 1 ]] || exit 0
[[ " ${setups[*]} " != *" containet "* ]] || { . "$HERE/switch-vlan.sh" && bench_vlan_capture; }
BUILD=$BUILD "$HERE/switch-vxlan.sh" | tee "$OUT/switch-vxlan.txt" || note "VXLAN part: not measured"
[[ -z $CONTAINET_MISSING ]] || exit 1
bash "$HERE/switch-impair.sh"
