#!/usr/bin/env bash
# make bench-launcher: start-to-exit time of /bin/true in a container, containode next to
# crun (Debian's, with an OCI bundle for the same busybox root) and bubblewrap, measured
# in one run with interleaved rounds, reported as medians and ratios to crun:
#   all namespaces   mnt, pid, uts, ipc, net, cgroup; overlay (containode) or read-only
#                    bind (crun, bwrap) root; /proc, /dev with device nodes, /dev/pts ...
#   no network ns    the same in the host's network namespace
#   switch port      containode with its tap attached to a running containet (beside
#                    crun with its network namespace, which has no switch at all)
#   limits           memory, pids and CPU limits in a cgroup: containode --memory --cpus
#                    --pids-limit beside runc (Debian's, cgroupfs on v1) with the same
#                    limits (crun refuses cgroups on a hybrid layout)
#   limits + seccomp the same limits and Docker's default seccomp filter on both sides:
#                    containode's own default (containode/seccomp/default.json), and for
#                    runc the linux.seccomp section moby derives from that profile
#                    (oci-seccomp.py: for runc's capabilities, Docker's default 14, which
#                    containode keeps too, this machine's architecture and kernel)
# containode runs twice per setup: with its default upper layer on disk (-t TOP) and
# with --ephemeral (tmpfs).  crun 1.8 refuses a hybrid cgroup layout; everything runs in
# a private mount namespace where an empty file hides the cgroup2 controllers list, and
# crun runs with --cgroup-manager=disabled.  containode still makes its node's cgroups:
# the v2 one (for cgroup.kill and cgroup.freeze), which its child is born in
# (CLONE_INTO_CGROUP), and the v1 devices one, which it joins only where the allow-list
# changes something (not with an overlay root and Docker's capabilities, as here): a move
# between cgroups waits for an RCU grace period.  With limits on v1 the move goes on while
# the child sets itself up.
# containode keeps the filter libseccomp compiles (/var/cache/containode/seccomp, or
# $CONTAINODE_SECCOMP_CACHE): the warm-up rounds fill it, the measured ones load it;
# runc compiles its filter at every start.
# Like with like: crun, bwrap and the first runc rows load no seccomp filter, so
# containode runs there with --seccomp unconfined (its default is Docker's filter); only
# the "limits + seccomp" rows load a filter, the same one on both sides.
# Then the detached life cycle (run -d, exec, stop beside crun's): launcher-life.sh.
#
# Environment: BUILD (build), BENCH_RUNS (200 per command), BENCH_WARMUP (10),
# BENCH_LIFE_RUNS (50), BENCH_PART (all; "start" for the start-to-exit table alone,
# "life" for the detached life cycle alone).
# Output: the report on stdout and in $BUILD/bench/launcher.txt.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
# containode finds its default seccomp profile from the source tree when not installed.
cd "$TOP"
BUILD=${BUILD:-build}
BIN=$TOP/$BUILD/bin
TIMER=$TOP/$BUILD/tests/helpers/containode_launchtime
OUT=$TOP/$BUILD/bench
RUNS=${BENCH_RUNS:-200}
WARMUP=${BENCH_WARMUP:-10}
TARGET=0.5
PART=${BENCH_PART:-all}

die() {
	echo "bench-launcher: $*" >&2
	exit 1
}

((EUID == 0)) || die "run as root"
for f in "$BIN/containode" "$BIN/containet" "$TIMER" /bin/busybox; do
	[[ -x $f ]] || die "$f is missing (make bench builds it)"
done
command -v crun >/dev/null || die "crun is not installed"
command -v bwrap >/dev/null || die "bwrap is not installed"
command -v runc >/dev/null || die "runc is not installed"

# Everything else happens in a private mount namespace: the cgroup trick for crun stays
# invisible to the host and goes away with the namespace.
if [[ -z ${LAUNCHER_BENCH_INNER:-} ]]; then
	exec unshare -m env LAUNCHER_BENCH_INNER=1 bash "$0" "$@"
fi
mount --make-rprivate /

WORK=$(mktemp -d /tmp/containet-bench-launcher.XXXXXX)
SWITCH=
cleanup() {
	if [[ -n $SWITCH ]]; then
		kill "$SWITCH" 2>/dev/null || true
		wait "$SWITCH" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ $(stat -f -c %T /sys/fs/cgroup) != cgroup2fs && -e /sys/fs/cgroup/unified/cgroup.controllers ]]; then
	: >"$WORK/empty"
	mount --bind "$WORK/empty" /sys/fs/cgroup/unified/cgroup.controllers
fi

ROOT=$WORK/rootfs
mkdir -p "$ROOT"/{bin,etc,proc,sys,dev,tmp,root,run}
cp /bin/busybox "$ROOT/bin/busybox"
chroot "$ROOT" /bin/busybox --install -s /bin
# What any image has, and containode binds over.
echo image >"$ROOT/etc/hostname"
printf '127.0.0.1\tlocalhost\n' >"$ROOT/etc/hosts"
: >"$ROOT/etc/resolv.conf"
echo 'root:x:0:0:root:/root:/bin/sh' >"$ROOT/etc/passwd"

# OCI bundles from crun's own default spec: one with a network namespace, one without.
bundle() { # DIR NET(yes|no)
	mkdir -p "$1"
	(cd "$1" && crun spec)
	/usr/bin/python3 - "$1/config.json" "$ROOT" "$2" <<'PY'
import json, sys
path, root, net = sys.argv[1:]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
c["root"] = {"path": root, "readonly": True}
ns = [n for n in c["linux"]["namespaces"] if n["type"] != "network" or net == "yes"]
ns.append({"type": "cgroup"})
c["linux"]["namespaces"] = ns
json.dump(c, open(path, "w"), indent=1)
PY
}
bundle "$WORK/bundle-net" yes
bundle "$WORK/bundle-nonet" no
# The limits of the "limits" rows, for runc and containode alike; runc's container keeps
# Docker's 14 capabilities, as containode's node does (the seccomp profile depends on them).
LIM_MEMORY=256m LIM_MEMORY_BYTES=268435456 LIM_CPUS=1 LIM_PIDS=64
mkdir -p "$WORK/bundle-limits"
/usr/bin/python3 - "$WORK/bundle-net/config.json" "$WORK/bundle-limits/config.json" \
	"$LIM_MEMORY_BYTES" "$LIM_PIDS" <<'PY'
import json, sys
src, dst, mem, pids = sys.argv[1:]
c = json.load(open(src))
r = c["linux"].setdefault("resources", {})
r["memory"] = {"limit": int(mem), "swap": int(mem)}
r["cpu"] = {"quota": 100000, "period": 100000}
r["pids"] = {"limit": int(pids)}
caps = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
        "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
        "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]
c["process"]["capabilities"] = {"bounding": caps, "effective": caps, "permitted": caps}
json.dump(c, open(dst, "w"), indent=1)
PY
# The same with Docker's default filter, from the profile containode loads by default.
PROFILE=/usr/local/share/containet/seccomp/default.json
[[ -e $PROFILE ]] || PROFILE=$TOP/containode/seccomp/default.json
mkdir -p "$WORK/bundle-seccomp"
cp "$WORK/bundle-limits/config.json" "$WORK/bundle-seccomp/config.json"
/usr/bin/python3 "$HERE/oci-seccomp.py" "$PROFILE" "$WORK/bundle-seccomp/config.json" ||
	die "cannot derive runc's seccomp section"
runc run --bundle "$WORK/bundle-limits" "bench$$" >/dev/null || die "runc cannot run the bundle"
runc run --bundle "$WORK/bundle-seccomp" "bench$$" >/dev/null ||
	die "runc cannot run the bundle with the seccomp filter"
# Which filter each side really runs with: "Seccomp: 2" is a filter, 0 none.
mkdir -p "$WORK/bundle-check"
/usr/bin/python3 - "$WORK/bundle-seccomp/config.json" "$WORK/bundle-check/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["args"] = ["/bin/grep", "^Seccomp:", "/proc/self/status"]
json.dump(c, open(sys.argv[2], "w"), indent=1)
PY
seccomp_mode() { "$@" 2>&1 | awk '/^Seccomp:/ { print $2 }'; }
[[ $(seccomp_mode runc run --bundle "$WORK/bundle-check" "bench$$") == 2 ]] ||
	die "runc does not load the filter"
[[ $(seccomp_mode "$BIN/containode" -q -r "$ROOT" --ephemeral grep ^Seccomp: /proc/self/status) == 2 ]] ||
	die "containode does not load its default filter"
[[ $(seccomp_mode "$BIN/containode" -q -r "$ROOT" --ephemeral --seccomp unconfined \
	grep ^Seccomp: /proc/self/status) == 0 ]] || die "containode --seccomp unconfined loads a filter"
crun --cgroup-manager=disabled run --bundle "$WORK/bundle-net" "bench$$" >/dev/null ||
	die "crun cannot run the bundle"

SOCK=$WORK/switch.sock
"$BIN/containet" -s "$SOCK" >"$WORK/switch.log" 2>&1 &
SWITCH=$!
for _ in $(seq 50); do
	"$BIN/containet" -s "$SOCK" ports --json >/dev/null 2>&1 && break
	sleep 0.1
done
"$BIN/containet" -s "$SOCK" ports --json >/dev/null 2>&1 ||
	die "the switch does not answer: $(cat "$WORK/switch.log")"

C=$BIN/containode
mkdir -p "$OUT"
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
if [[ $PART != life ]]; then
	U=(--seccomp unconfined)
	LIM=(--memory "$LIM_MEMORY" --cpus "$LIM_CPUS" --pids-limit "$LIM_PIDS")
	CMDS=(
		# 0..3: all namespaces
		"$(command -v crun)" --cgroup-manager=disabled run --bundle "$WORK/bundle-net" "bench$$"
		-- "$C" -q "${U[@]}" -r "$ROOT" -t "$WORK/top" /bin/true
		-- "$C" -q "${U[@]}" -r "$ROOT" --ephemeral /bin/true
		-- "$(command -v bwrap)" --unshare-all --ro-bind "$ROOT" / --proc /proc --dev /dev
		--tmpfs /run /bin/true
		# 4..7: the host's network namespace
		-- "$(command -v crun)" --cgroup-manager=disabled run --bundle "$WORK/bundle-nonet" "bench$$"
		-- "$C" -q "${U[@]}" -N -r "$ROOT" -t "$WORK/top" /bin/true
		-- "$C" -q "${U[@]}" -N -r "$ROOT" --ephemeral /bin/true
		-- "$(command -v bwrap)" --unshare-all --share-net --ro-bind "$ROOT" / --proc /proc
		--dev /dev --tmpfs /run /bin/true
		# 8..9: attached to the switch
		-- "$C" -q "${U[@]}" -s "$SOCK" -4 10.66.0.2/24 -r "$ROOT" -t "$WORK/top" /bin/true
		-- "$C" -q "${U[@]}" -s "$SOCK" -4 10.66.0.2/24 -r "$ROOT" --ephemeral /bin/true
		# 10..12: memory, CPU and pids limits in a cgroup, no seccomp filter
		-- "$(command -v runc)" run --bundle "$WORK/bundle-limits" "bench$$"
		-- "$C" -q "${U[@]}" "${LIM[@]}" -r "$ROOT" -t "$WORK/top" /bin/true
		-- "$C" -q "${U[@]}" "${LIM[@]}" -r "$ROOT" --ephemeral /bin/true
		# 13..15: the same limits and Docker's default seccomp filter
		-- "$(command -v runc)" run --bundle "$WORK/bundle-seccomp" "bench$$"
		-- "$C" -q "${LIM[@]}" -r "$ROOT" -t "$WORK/top" /bin/true
		-- "$C" -q "${LIM[@]}" -r "$ROOT" --ephemeral /bin/true
		# 16: all namespaces, the upper layer on disk never synced (--volatile)
		-- "$C" -q "${U[@]}" -r "$ROOT" -t "$WORK/top-volatile" --volatile /bin/true
	)
	N=17
	echo "bench-launcher: $RUNS interleaved runs of $N commands (after $WARMUP warm-up rounds)..." >&2
	mapfile -t R < <("$TIMER" "$RUNS" "$WARMUP" "${CMDS[@]}")
	((${#R[@]} == N)) || die "the stopwatch failed"

	med() { echo "${R[$1]}" | cut -d' ' -f1; }
	fails() { echo "${R[$1]}" | cut -d' ' -f4; }
	range() { echo "${R[$1]}" | awk '{ printf "%.1f-%.1f", $2 / 1000, $3 / 1000 }'; }

	{
		echo "launcher: start-to-exit of /bin/true, median of $RUNS interleaved runs (ms), p10-p90"
		echo "kernel $(uname -r), $(nproc) CPUs, crun $(crun --version | head -n 1 | awk '{print $3}'), bwrap $(bwrap --version | awk '{print $2}'), runc $(runc --version | head -n 1 | awk '{print $3}')"
		printf '%-16s %-26s %8s %12s %9s\n' setup launcher "median" "p10-p90" "x crun"
		row() { # SETUP NAME INDEX CRUN_INDEX
			printf '%-16s %-26s %8s %12s %9s\n' "$1" "$2" "$(ms "$(med "$3")")" "$(range "$3")" \
				"$(ratio "$(med "$3")" "$(med "$4")")"
		}
		row "all namespaces" "crun" 0 0
		row "" "containode (-t TOP)" 1 0
		row "" "containode (--ephemeral)" 2 0
		row "" "containode (-t, --volatile)" 16 0
		row "" "bwrap" 3 0
		row "no network ns" "crun" 4 4
		row "" "containode -N (-t TOP)" 5 4
		row "" "containode -N (--ephemeral)" 6 4
		row "" "bwrap --share-net" 7 4
		row "switch port" "containode -s (-t TOP)" 8 0
		row "" "containode -s (--ephemeral)" 9 0
		row "limits" "runc" 10 10
		row "" "containode (-t TOP)" 11 10
		row "" "containode (--ephemeral)" 12 10
		row "limits + seccomp" "runc" 13 13
		row "" "containode (-t TOP)" 14 13
		row "" "containode (--ephemeral)" 15 13
		echo "limits: memory $LIM_MEMORY (swap included), $LIM_CPUS CPU, $LIM_PIDS pids; ratios to runc"
		echo "seccomp: Docker's default filter in the \"limits + seccomp\" rows only; elsewhere none"
		echo "  (containode --seccomp unconfined beside crun, bwrap and runc without a filter)"
		total=0
		for i in $(seq 0 $((N - 1))); do total=$((total + $(fails "$i"))); done
		((total == 0)) || echo "WARNING: $total runs exited non-zero"
		verdict() { awk -v r="$1" -v t="$TARGET" 'BEGIN { print (r <= t) ? "met" : "MISSED" }'; }
		r1=$(ratio "$(med 2)" "$(med 0)")
		r2=$(ratio "$(med 1)" "$(med 0)")
		r3=$(ratio "$(med 15)" "$(med 13)")
		r4=$(ratio "$(med 14)" "$(med 13)")
		echo "target: containode without cgroups <= ${TARGET}x crun at the median:"
		echo "  overlay on tmpfs (--ephemeral): $r1, $(verdict "$r1")"
		echo "  overlay on disk (-t TOP, ext4 probes at mount, syncfs at unmount): $r2, $(verdict "$r2")"
		r5=$(ratio "$(med 16)" "$(med 0)")
		echo "  overlay on disk, never synced (-t TOP --volatile): $r5, $(verdict "$r5")"
		echo "target: with the limits and the filter <= ${TARGET}x runc with the same, at the median:"
		echo "  overlay on tmpfs (--ephemeral): $r3, $(verdict "$r3")"
		echo "  overlay on disk (-t TOP): $r4, $(verdict "$r4")"
	} | tee "$OUT/launcher.txt"
fi
[[ $PART == start ]] || . "$HERE/launcher-life.sh"
