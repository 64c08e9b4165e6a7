# shellcheck shell=bash
# What the lab tests share: the runner, labs' state under $TEST_TMP, removal of whatever a
# test leaves (by each lab's own down, then by the pid of its switch, never by name), and
# the list of what remains of a lab.  Source after lib.sh.

CONTAINET=$BIN/containet
export CONTAINET_LAB_ROOT=$TEST_TMP/labs

lab() { "$CONTAINET" lab "$@"; }

cleanup_labs() {
	local d pid start
	for d in "$CONTAINET_LAB_ROOT"/*/; do
		[[ -d $d ]] || continue
		"$CONTAINET" lab down --name "$(basename "$d")" || true
		# The switch of the file, if it still runs: its start time is the one the file has,
		# so a pid used again by another process is left alone.
		if read -r pid start <"$d/switch.pid" 2>/dev/null && [[ $(start_time "$pid") == "$start" ]]; then
			kill_wait "$pid" KILL
		fi
	done
}
defer cleanup_labs

# start_time PID: when PID started, in clock ticks since boot (field 22 of its stat), as
# the lab's pid files have it; fails when PID is gone.
start_time() { awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$1/stat" 2>/dev/null; }

# running PID: PID exists and has not finished (a zombie waits for its new parent only).
running() { [[ -e /proc/$1/stat && $(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat") != Z ]]; }

# lab_hash TEXT: the low 32 bits of TEXT's FNV-1a hash, as labplan names a lab's cgroup
# (<name>.<hash of its state directory>); bash's integers wrap as the C code's do.
lab_hash() {
	local h=$((0xcbf29ce484222325)) i c
	for ((i = 0; i < ${#1}; i++)); do
		printf -v c '%d' "'${1:i:1}"
		h=$(((h ^ (c & 0xff)) * 0x100000001b3))
	done
	printf '%08x\n' $((h & 0xffffffff))
}

# leftovers NAME: what remains of lab NAME, one line each (nothing when nothing): its
# state, processes whose command line names it (the switch, containode's supervisors),
# mounts below it, its cgroups.
leftovers() {
	local p
	[[ -e $CONTAINET_LAB_ROOT/$1 ]] && echo "state $CONTAINET_LAB_ROOT/$1"
	# One grep over every command line: a loop of processes per process is slow.
	for p in $(grep -lsaF "$CONTAINET_LAB_ROOT/$1/" /proc/[0-9]*/cmdline); do
		p=${p%/cmdline}
		{ running "${p#/proc/}" &&
			echo "process ${p#/proc/}: $(tr '\0' ' ' <"$p/cmdline")"; } 2>/dev/null
	done
	grep -F "$CONTAINET_LAB_ROOT/$1" /proc/self/mountinfo | sed 's/^/mount /'
	local cg
	cg=$1.$(lab_hash "$CONTAINET_LAB_ROOT/$1")
	ls -d /sys/fs/cgroup/*/containet/lab/"$cg" /sys/fs/cgroup/containet/lab/"$cg" 2>/dev/null |
		sed 's/^/cgroup /'
	return 0
}

# lab_nodes_supported: containode has the detached life cycle the runner starts nodes with.
lab_nodes_supported() { "$BIN/containode" run --help >/dev/null 2>&1; }
