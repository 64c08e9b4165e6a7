#!/usr/bin/env bash
# make demo: a busybox root file system, the containet switch, two containers on it
# (10.0.0.1/24 and 10.0.0.2/24) pinging each other; then a short lab tour: the lab
# demo/labs/two-lans (two LANs and a router) up in one command, a ping across the router,
# a live capture read by tcpdump, a delay set and measured, and down.  Prints what happens, cleans up everything (also on failure or Ctrl-C) and
# exits 0 only if every ping went through and nothing of the lab is left.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BIN=$PWD/$BUILD/bin

say() { printf 'demo: %s\n' "$*"; }
die() {
	say "FAILED: $*" >&2
	exit 1
}

((EUID == 0)) || die "run as root: namespaces, mounts and taps need it (sudo make demo)"
for b in containet containode; do
	[[ -x $BIN/$b ]] || die "$BIN/$b is missing: 'make demo' builds it"
done
[[ -x /bin/busybox ]] || die "/bin/busybox is missing: 'make demo' installs busybox-static"

WORK=$(mktemp -d /tmp/containet-demo.XXXXXX)
SOCK=$WORK/switch.sock
ROOT=$WORK/rootfs
SWITCH=
CONTAINERS=()
LAB=
export CONTAINET_LAB_ROOT=$WORK/labs

cleanup() {
	local rc=$? pid
	trap - EXIT INT TERM
	[[ -z $LAB ]] || "$BIN/containet" lab down --name "$LAB" || true
	for pid in "${CONTAINERS[@]}" $SWITCH; do
		kill -TERM "$pid" 2>/dev/null || continue
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$WORK"
	say "cleaned up: containers and switch stopped, $WORK removed"
	exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'exit 143' TERM

say "building a busybox root file system in $ROOT"
mkdir -p "$ROOT"/{bin,etc,proc,sys,dev,tmp,root,run}
cp /bin/busybox "$ROOT/bin/busybox"
chroot "$ROOT" /bin/busybox --install -s /bin
echo 'root:x:0:0:root:/root:/bin/sh' >"$ROOT/etc/passwd"
echo 'root:x:0:' >"$ROOT/etc/group"
say "  $(find "$ROOT/bin" -type l | wc -l) applets, $(du -sh "$ROOT" | cut -f1) in all"

say "starting the switch: containet -s $SOCK"
"$BIN/containet" -s "$SOCK" >"$WORK/switch.log" 2>&1 &
SWITCH=$!
# Ready when it answers (the socket file appears a moment before it listens).
ready=
for _ in $(seq 50); do
	"$BIN/containet" -s "$SOCK" ports --json >/dev/null 2>&1 && ready=1 && break
	kill -0 "$SWITCH" 2>/dev/null || die "the switch exited: $(cat "$WORK/switch.log")"
	sleep 0.1
done
[[ -n $ready ]] || die "the switch does not answer on $SOCK: $(cat "$WORK/switch.log")"

# --init: a PID 1 that passes SIGTERM on, so that a Ctrl-C stops the shell at once.
# Each container waits (at most 10 s) until its peer answers, pings it three times,
# stays a few seconds so that the peer's pings are answered too, and exits with
# ping's status, which containode passes on.
container() { # NAME ADDR PEER
	local script="
		n=0
		until ping -c 1 -W 1 $3 >/dev/null 2>&1; do
			n=\$((n + 1)); [ \$n -lt 10 ] || break
		done
		ping -c 3 -W 2 $3; rc=\$?
		sleep 3
		exit \$rc"
	say "starting container $1: containode -s $SOCK -4 $2/24 -i $1 -r $ROOT --ephemeral --init -- sh -c '...ping $3...'"
	"$BIN/containode" -q -s "$SOCK" -4 "$2/24" -i "$1" -r "$ROOT" --ephemeral --init -- sh -c "$script" \
		>"$WORK/$1.log" 2>&1 &
	CONTAINERS+=($!)
}
container alpha 10.0.0.1 10.0.0.2
container beta 10.0.0.2 10.0.0.1

for _ in $(seq 50); do
	[[ $("$BIN/containet" -s "$SOCK" ports --json 2>/dev/null | grep -o '"name":"[a-z]*-eth0"' | wc -l) == 2 ]] && break
	sleep 0.1
done
say "the switch's ports:"
"$BIN/containet" -s "$SOCK" ports | sed 's/^/    /'
# The first pings teach the switch both MAC addresses.
for _ in $(seq 50); do
	[[ $("$BIN/containet" -s "$SOCK" fdb --json 2>/dev/null | grep -o '"mac"' | wc -l) -ge 2 ]] && break
	sleep 0.1
done
say "the switch's forwarding table, learned from the first frames:"
"$BIN/containet" -s "$SOCK" fdb | sed 's/^/    /' || true

status=()
for i in 0 1; do
	rc=0
	wait "${CONTAINERS[i]}" || rc=$?
	status+=("$rc")
done
CONTAINERS=()

ok=0
for i in 0 1; do
	name=$([[ $i == 0 ]] && echo alpha || echo beta)
	peer=$([[ $i == 0 ]] && echo 10.0.0.2 || echo 10.0.0.1)
	say "$name pinged $peer:"
	sed 's/^/    /' "$WORK/$name.log"
	if [[ ${status[i]} == 0 ]] && grep -q ' 0% packet loss' "$WORK/$name.log"; then
		say "  -> $name reached $peer through the switch"
		ok=$((ok + 1))
	else
		say "  -> $name could NOT reach $peer (exit ${status[i]})"
	fi
done
((ok == 2)) || die "$((2 - ok)) of the 2 pings failed"
say "SUCCESS: both containers pinged each other through containet"

# --- A lab tour -------------------------------------------------------------------------
LAB=demo-tour
say "a lab: containet lab up demo/labs/two-lans --name $LAB (Kathara's lab format)"
sed 's/^/    /' demo/labs/two-lans/lab.conf
"$BIN/containet" lab up --name "$LAB" demo/labs/two-lans | sed 's/^/    /'
say "its nodes (containode run -d; the nodes run on the host's root, read-only):"
"$BIN/containet" lab ps --name "$LAB" | sed 's/^/    /'
say "pc1's routes, from its startup script, and a ping to pc2 on the other LAN, through r1:"
"$BIN/containet" lab exec --name "$LAB" pc1 -- ip route | sed 's/^/    /'
"$BIN/containet" lab exec --name "$LAB" pc1 -- ping -c 3 -W 2 10.2.0.2 | sed 's/^/    /' ||
	die "pc1 could not reach pc2 through r1"
if command -v tcpdump >/dev/null; then
	say "a live capture of lan2 read by tcpdump (containet lab capture lan2 -c 4 -w - | tcpdump -r -)"
	"$BIN/containet" lab capture --name "$LAB" lan2 -c 4 --duration 10 -w - 2>/dev/null |
		tcpdump -n -r - 2>/dev/null | sed 's/^/    /' &
	capture=$!
	sleep 0.5 # the capture is in place before the first frame
	"$BIN/containet" lab exec --name "$LAB" pc1 -- ping -c 4 -i 0.2 -W 2 10.2.0.2 >/dev/null ||
		die "pc1 could not reach pc2 during the capture"
	wait "$capture" || die "the capture failed"
fi
rtt() { # the average round trip pc1 -> pc2 in ms
	"$BIN/containet" lab exec --name "$LAB" pc1 -- ping -q -c 5 -i 0.2 -W 2 10.2.0.2 |
		awk -F/ '/^(rtt|round-trip)/ { print $5 }'
}
say "a delay of 20 ms towards pc2 (containet lab link pc2 delay=20ms), measured by ping:"
before=$(rtt)
"$BIN/containet" lab link --name "$LAB" pc2 delay=20ms
after=$(rtt)
"$BIN/containet" lab link --name "$LAB" pc2 clear
say "  average round trip ${before:-?} ms before, ${after:-?} ms with the delay"
awk -v a="${after:-0}" 'BEGIN { exit !(a >= 20) }' || die "the delay did not show in the round trip"
say "containet lab down --name $LAB"
"$BIN/containet" lab down --name "$LAB"
[[ ! -e $CONTAINET_LAB_ROOT/$LAB ]] || die "the lab's state is still there"
LAB=
say "SUCCESS: the lab went up, routed between its LANs, was watched and slowed, and is gone"
