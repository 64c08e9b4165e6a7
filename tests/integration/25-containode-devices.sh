#!/usr/bin/env bash
# containode: the node's root reaches no host device.  mknod is allowed (as in Docker),
# opening what it made is not: the node's device cgroup refuses it, and the overlay root
# and /dev are nodev.  The six nodes it is given still work, and its cgroup exists while
# it runs and is gone afterwards, also when it fails.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

command -v losetup >/dev/null || skip "losetup is not installed"
ROOT=$TEST_TMP/root
make_root "$ROOT"
ln -s payload "$ROOT/bin/containode_payload" # the name it has on the host, for the host root
run() { "$CONTAINODE" -q -r "$ROOT" --ephemeral "$@"; }

# A loop device over a file of known content: the host's data that the node must not read.
SECRET=containode-host-secret-$TEST_ID
head -c 65536 /dev/zero >"$TEST_TMP/disk"
printf '%s' "$SECRET" | dd of="$TEST_TMP/disk" conv=notrunc status=none
LOOP=$(losetup -f --show "$TEST_TMP/disk") || skip "no loop device"
defer losetup -d "$LOOP"
MAJ=$((0x$(stat -c %t "$LOOP")))
MIN=$((0x$(stat -c %T "$LOOP")))
[[ $(head -c ${#SECRET} "$LOOP") == "$SECRET" ]] || die "the host cannot read $LOOP"

# try_node DESCRIPTION PATH ERRNO CONTAINODE-ARGS...: mknod PATH for the loop device in a
# node, then open it read-write there: refused with ERRNO (a regex), the data never shown.
try_node() {
	local d=$1 path=$2 want=$3 out
	shift 3
	out=$("$CONTAINODE" -q "$@" sh -c "mknod $path b $MAJ $MIN && containode_payload open $path" \
		2>&1) || true
	assert_no_match "$SECRET" "$out" "$d: the node does not read the host's disk"
	assert_match "^open: $want\$" "$out" "$d: mknod works, opening is refused ($want)"
}
# nodev refuses first (EACCES) where it applies; the device cgroup (EPERM) everywhere.
try_node "/dev" /dev/blk 'E(PERM|ACCES)' -r "$ROOT" --ephemeral
try_node "ephemeral overlay root" /blk 'E(PERM|ACCES)' -r "$ROOT" --ephemeral
try_node "/tmp on the ephemeral overlay" /tmp/blk 'E(PERM|ACCES)' -r "$ROOT" --ephemeral
try_node "overlay root with a top" /blk 'E(PERM|ACCES)' -r "$ROOT" -t "$TEST_TMP/top"
# The host's root, where $TEST_TMP is not nodev: the device cgroup alone stands in the way.
HOSTRUN=("$CONTAINODE" -q -w / -e PATH="$HELPERS:/usr/sbin:/usr/bin:/sbin:/bin")
try_node "host root" "$TEST_TMP/hostblk" EPERM "${HOSTRUN[@]:2}"
# host_char NAME MAJOR MINOR: makes char device NAME in $TEST_TMP in a node, then opens it
host_char() {
	"${HOSTRUN[@]}" sh -c "mknod $TEST_TMP/$1 c $2 $3 && containode_payload open $TEST_TMP/$1" \
		2>&1 || true
}
assert_eq "open: EPERM" "$(host_char mem 1 1)" "a char device off the list (1:1) cannot be opened"
assert_eq "open: EPERM" "$(host_char lc 10 237)" "nor can the host's loop-control (10:237)"
assert_eq "read: " "$(host_char null 1 3)" "one on the list (1:3) can, wherever it is made"

# Mount options: nodev on the root, /dev, /dev/shm, /run
mounts=$(run cat /proc/mounts)
assert_match '(^|'$'\n'')overlay / overlay rw,nodev' "$mounts" "the overlay root is nodev"
assert_match 'tmpfs /dev tmpfs rw,nosuid,nodev' "$mounts" "/dev is nosuid,nodev"
assert_match 'shm /dev/shm tmpfs rw,nosuid,nodev' "$mounts" "/dev/shm is nosuid,nodev"
assert_match 'tmpfs /run tmpfs rw,nosuid,nodev' "$mounts" "/run is nosuid,nodev"
assert_match 'overlay / overlay rw,nodev' "$("$CONTAINODE" -q -r "$ROOT" -t "$TEST_TMP/top2" \
	cat /proc/mounts)" "the overlay root with a top is nodev"

# The nodes the node is given work: bound from the host onto the nodev /dev
assert_eq "read: " "$(run payload open /dev/null)" "/dev/null opens read-write"
assert_match '^read: \.{64}$' "$(run payload open /dev/zero)" "/dev/zero reads"
assert_match '^read: .{64}$' "$(run payload open /dev/urandom)" "/dev/urandom reads"
assert_match '^read: .{64}$' "$(run payload open /dev/random)" "/dev/random reads"
assert_match '^read: \.{64}$' "$(run payload open /dev/full)" "/dev/full reads"
assert_match 'No space left' "$(run sh -c 'echo x >/dev/full' 2>&1 || true)" \
	"/dev/full refuses writes"
assert_eq "open: ENXIO" "$(run payload open /dev/tty || true)" \
	"/dev/tty is reachable (ENXIO: no controlling terminal), not refused"
assert_ok "/dev/ptmx opens" run sh -c 'exec 3<>/dev/ptmx'
assert_eq "hello" "$(echo hello | run sh -c 'cat >/dev/null; echo hello')" "writes to /dev/null vanish"
assert_match '^none /dev/null tmpfs ' "$(run sh -c 'grep " /dev/null " /proc/mounts')" \
	"/dev/null is the node's own, on a tmpfs of its own, not the host's devtmpfs inode"
assert_ok "-u 1000: /dev/null still opens" run -u 1000 sh -c 'exec 3<>/dev/null'
# The node's root owns CAP_CHOWN and CAP_FOWNER: a chmod, chown or touch of a bound host
# inode would change the host's /dev (once seen: the host's /dev/null at mode 755, then
# 644).  The binds are read-only, so they are refused; and a node with SYS_ADMIN, which
# can remount its bind read-write (every lab node has SYS_ADMIN), changes only its own
# node.  The mode given is the one it has, and the host's inode is compared before and
# after, so the checks change nothing even if they fail.
before=$(stat -c '%a %u:%g %Z' /dev/full)
for op in "chmod 666" "chown 0:0" "touch"; do
	assert_match 'Read-only file system' "$(run sh -c "$op /dev/full" 2>&1 || true)" \
		"$op /dev/full in the node is refused"
done
assert_eq "$before" "$(stat -c '%a %u:%g %Z' /dev/full)" "the host's /dev/full is unchanged"
assert_eq "remounted" "$(run --cap-add SYS_ADMIN sh -c 'mount -o remount,bind,rw /dev/full &&
	chmod 666 /dev/full && chown 0:0 /dev/full && touch /dev/full && echo remounted' 2>&1)" \
	"with SYS_ADMIN, a node remounts its /dev/full read-write and changes it"
assert_eq "$before" "$(stat -c '%a %u:%g %Z' /dev/full)" \
	"the host's /dev/full is unchanged after that (the node's is its own)"
assert_match ' /dev/null [^ ]+ ro,nosuid,noexec' "$(run grep ' /dev/null ' /proc/mounts)" \
	"/dev/null is bound read-only, nosuid, noexec"

# The node's cgroup
CG=$NODE_CGROUPS
v1=$(awk -F: '$2 ~ /(^|,)devices(,|$)/ { print $3 }' /proc/self/cgroup)
id=dev$TEST_ID
# On the host's root, where the allow-list is what stands in the way (see below for others)
spawn node "${HOSTRUN[@]}" -i "$id" containode_payload trap
node=$SPAWNED
wait_until 10 grep -q waiting "$TEST_TMP/node.log" || die "the node did not start"
defer rmdir "$CG/$id@$node"
[[ -d $CG/$id@$node ]] && ok "the node has its own cgroup $CG/$id@$node" ||
	fail "no cgroup $CG/$id@$node"
if [[ -n $v1 && -d $CG/$id@$node ]]; then
	assert_eq 1 "$(wc -l <"$CG/$id@$node/cgroup.procs")" "the node's process is in it"
	expected='b *:* m
c *:* m
c 1:3 rwm
c 1:5 rwm
c 1:7 rwm
c 1:8 rwm
c 1:9 rwm
c 5:0 rwm
c 5:1 rwm
c 5:2 rwm
c 136:* rwm
c 10:200 rwm'
	assert_eq "$(sort <<<"$expected")" "$(sort "$CG/$id@$node/devices.list")" \
		"the allow-list is Docker's"
fi
assert_exit 0 "a second node of the same identity runs alongside" run -i "$id" true
kill_wait "$node"
assert_fails "its cgroup is gone after it exits" test -e "$CG/$id@$node"
assert_match '(^|'$'\n'')[0-9]+:devices:/('$'\n''|$)' "$(run cat /proc/self/cgroup)" \
	"the node's cgroup namespace is rooted at its own cgroup"

V2=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
	/proc/self/mountinfo | head -n 1)
# Where the allow-list would change nothing the node stays out of the v1 devices cgroup
# (joining one waits for an RCU grace period): an overlay root of its own, nodev wherever
# it can write or bring in a node, no SYS_ADMIN to mount one that is not, and no device
# off the list among its standard fds, which it could reopen through /proc/self/fd with
# more access.  Otherwise it joins.
# devices_of STDIN CONTAINODE-ARGS...: the v1 devices cgroup of a running node (or, with
# HIERARCHY=0, its v2 one).
devices_of() {
	local in=$1 pid child
	shift
	"$CONTAINODE" -q "$@" sleep 30 <"$in" >/dev/null 2>&1 &
	pid=$!
	defer kill_wait "$pid"
	if wait_until 10 pgrep -P "$pid" -x sleep; then
		child=$(pgrep -P "$pid" -x sleep)
		if [[ ${HIERARCHY:-} == 0 ]]; then
			awk -F: '$1 == 0 { print $3 }' "/proc/$child/cgroup"
		else
			awk -F: '$2 ~ /(^|,)devices(,|$)/ { print $3 }' "/proc/$child/cgroup"
		fi
	else
		echo "the node did not start"
	fi
	kill_wait "$pid"
}
if [[ -n $v1 ]]; then
	assert_eq "$v1" "$(devices_of /dev/null -r "$ROOT" --ephemeral)" \
		"an overlay root, /dev/null as stdin: the node stays in containode's devices cgroup"
	assert_eq "$v1" "$(devices_of /dev/null -r "$ROOT" -t "$TEST_TMP/top3")" \
		"so it does with a top directory"
	assert_match "^${v1%/}/containet/[^/]+@[0-9]+\$" "$(devices_of /dev/null)" \
		"the host's root: the node joins its own"
	assert_match "/containet/[^/]+@[0-9]+\$" \
		"$(devices_of /dev/null -r "$ROOT" --ephemeral --cap-add SYS_ADMIN)" \
		"SYS_ADMIN (it could mount a file system that is not nodev): it joins"
	assert_match "/containet/[^/]+@[0-9]+\$" "$(devices_of "$LOOP" -r "$ROOT" --ephemeral)" \
		"a device off the list as stdin: it joins"
	assert_match "/containet/[^/]+@[0-9]+\$" "$(devices_of /dev/null -r "$ROOT" --ephemeral --privileged)" \
		"--privileged: it joins"
fi
if [[ -n $V2 ]]; then
	assert_match "/containet/[^/]+@[0-9]+\$" "$(HIERARCHY=0 devices_of /dev/null -r "$ROOT" --ephemeral)" \
		"the node is in its own v2 cgroup all the same (born there)"
fi
# What each of those cases guards against, tried: the node cannot open a device it makes
out=$(run --cap-add SYS_ADMIN sh -c "mount -t tmpfs none /tmp && mknod /tmp/blk b $MAJ $MIN &&
	payload open /tmp/blk" 2>&1) || true
assert_no_match "$SECRET" "$out" "SYS_ADMIN, a tmpfs without nodev: the host's disk is not read"
assert_eq "open: EPERM" "$out" "the device cgroup refuses the open"
out=$(run payload open /proc/self/fd/0 <"$LOOP" 2>&1) || true
assert_eq "open: EPERM" "$out" "the loop device as stdin is not reopened read-write"
out=$(run payload open /dev/null </dev/null 2>&1) || true
assert_eq "read: " "$out" "the nodes of the list open as before"

# Gone after failures too: command not found, and a setup that fails
left() { compgen -G "$CG/$id@*" || true; }
assert_exit 127 "a command that is not found" run -i "$id" nonexistent
assert_eq "" "$(left)" "no cgroup left after exit 127"
assert_exit 125 "a setup that fails" run -i "$id" -w /nonexistent true
assert_eq "" "$(left)" "no cgroup left after a failed setup"
# What a killed containode left (an empty cgroup named for a process that is gone) goes
# with the next node that makes a cgroup in that hierarchy (with SYS_ADMIN, the v1 devices
# one: a node that would not join it does not make it).
dead=$(
	sleep 0 &
	echo $!
)
wait_until 5 sh -c "! kill -0 $dead" || die "process $dead does not end"
mkdir -p "$CG/$id@$dead"
defer rmdir "$CG/$id@$dead"
assert_exit 0 "a node starts" run -i "other$TEST_ID" --cap-add SYS_ADMIN true
assert_fails "and removes the cgroup a killed containode left behind" test -e "$CG/$id@$dead"

# The v2 allow-list (a BPF_CGROUP_DEVICE program), on a cgroup of the v2 hierarchy even
# where the devices controller is on v1: the kernel runs it for the tasks in that cgroup
# in either case.
if [[ -n $V2 ]]; then
	dir=$V2/containode-$TEST_ID
	mkdir -p "$dir/node"
	defer rmdir "$dir"
	defer rmdir "$dir/node"
	mknod "$TEST_TMP/v2null" c 1 3
	mknod "$TEST_TMP/v2mem" c 1 1
	out=$("$HELPERS/containode_cgroup" "$dir/node" /dev/null /dev/urandom "$TEST_TMP/v2null" \
		"$LOOP" "$TEST_TMP/v2mem" /dev/loop-control 2>&1) || true
	expected="attached
/dev/null ok
/dev/urandom ok
$TEST_TMP/v2null ok
$LOOP EPERM
$TEST_TMP/v2mem EPERM
/dev/loop-control EPERM"
	assert_eq "$expected" "$out" "v2: the BPF program allows the list and nothing else"
	assert_fails "v2: the cgroup is removed afterwards" test -e "$dir"
else
	echo "no cgroup v2 hierarchy: the BPF allow-list is not tried"
fi
