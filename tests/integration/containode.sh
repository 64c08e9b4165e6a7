# shellcheck shell=bash disable=SC2034  # variables for the tests that source this
# What the containode tests share: the binaries, and a busybox root with the payload.
# Source after lib.sh.

CONTAINODE=$BIN/containode
PAYLOAD=$HELPERS/containode_payload
[[ -x $CONTAINODE && -x $PAYLOAD ]] || die "build containode and its payload first"
[[ -x /bin/busybox ]] || skip "busybox-static is not installed"

# make_root DIR: a busybox root file system with the payload as /bin/payload.
make_root() {
	mkdir -p "$1"/{bin,etc,proc,sys,dev,tmp,root,run}
	cp /bin/busybox "$1/bin/busybox"
	chroot "$1" /bin/busybox --install -s /bin
	# Never through a symlink: busybox --install makes absolute ones, to the host's busybox.
	rm -f "$1/bin/payload"
	cp "$PAYLOAD" "$1/bin/payload"
}

# Where containode makes the nodes' cgroups: under the caller's own cgroup of the v1
# devices hierarchy, else of the v2 one.
node_cgroups() {
	local own mnt
	# mountinfo: "TYPE MOUNTPOINT SUPER-OPTIONS" of each mount (the type follows " - ")
	local mounts
	mounts=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") { print $(i + 1), $5, $NF; break } }' \
		/proc/self/mountinfo)
	own=$(awk -F: '$2 ~ /(^|,)devices(,|$)/ { print $3 }' /proc/self/cgroup)
	if [[ -n $own ]]; then
		mnt=$(awk '$1 == "cgroup" && $3 ~ /(^|,)devices(,|$)/ { print $2; exit }' <<<"$mounts")
	else
		own=$(awk -F: '$1 == 0 { print $3 }' /proc/self/cgroup)
		mnt=$(awk '$1 == "cgroup2" { print $2; exit }' <<<"$mounts")
	fi
	echo "$mnt${own%/}/containet"
}
NODE_CGROUPS=$(node_cgroups)
# What a containode killed by SIGKILL left (the next containode would remove it), at exit.
sweep_node_cgroups() {
	local d
	for d in "$NODE_CGROUPS"/*@*; do
		[[ -d $d ]] && ! kill -0 "${d##*@}" 2>/dev/null && rmdir "$d"
	done
	return 0
}
defer sweep_node_cgroups

# detached_setup: the prologue of the tests of detached nodes: a busybox root in $ROOT,
# the nodes' state in $CONTAINODE_STATE (exported), C (containode) and RUN (containode
# run -d on $ROOT, ephemeral); every node still known at exit is removed by containode's
# own rm -f.
detached_setup() {
	ROOT=$TEST_TMP/root
	make_root "$ROOT"
	export CONTAINODE_STATE=$TEST_TMP/state
	C=$CONTAINODE
	RUN=("$C" run -d -q -r "$ROOT" --ephemeral)
	defer detached_remove_all
}
detached_remove_all() {
	local d
	for d in "$CONTAINODE_STATE"/*/; do
		[[ -d $d ]] && "$C" rm -f "$(basename "$d")"
	done
	return 0
}
# field NODE KEY: KEY of the node's state.json.  status_of NODE: its status as ps says.
field() { jq -r ".$2" "$CONTAINODE_STATE/$1/state.json"; }
status_of() { "$C" ps -a --json | jq -r --arg id "$1" '.[] | select(.id == $id) | .status'; }
is_status() { [[ $(status_of "$1") == "$2" ]]; }
