#!/usr/bin/env bash
# containode --volume SRC:DST[:ro]: the host's file or directory bound into the node,
# writable (nosuid, nodev) or read-only throughout; DST made in the upper layer, never
# in the image nor, through a symlink of the image, anywhere on the host; bad values
# refused with the reason; nothing left mounted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

tree_sum() { (cd "$1" && find . -printf '%p %y %s %m %T@ %l\n' | sort | md5sum); }
mounts_here() { grep -c "$TEST_TMP" /proc/self/mountinfo || true; }

ROOT=$TEST_TMP/rootfs
make_root "$ROOT"
mkdir -p "$ROOT/etc/app"
echo image >"$ROOT/etc/app/app.conf"
# Symlinks of a hostile image: to a host path that does not exist in the image, up and
# out with "..", into /proc.
OUTSIDE=$TEST_TMP/outside
mkdir "$OUTSIDE"
ln -s "$OUTSIDE" "$ROOT/escape"
ln -s ../../../../../../../.. "$ROOT/up"
ln -s /etc "$ROOT/etclink"
ln -s /proc "$ROOT/p"

SRC=$TEST_TMP/src
mkdir -p "$SRC/sub"
echo host >"$SRC/file"
echo conf >"$TEST_TMP/host.conf"
mknod "$SRC/null" c 1 3
mkdir "$SRC/sub/mnt"
mount -t tmpfs -o size=1m tmpfs "$SRC/sub/mnt"
defer umount "$SRC/sub/mnt"
echo below >"$SRC/sub/mnt/below"
root_sum=$(tree_sum "$ROOT")
mounts_before=$(mounts_here)
run() { "$CONTAINODE" -q -r "$ROOT" --ephemeral "$@"; }

# A writable volume: the node reads and writes the host's directory
out=$(run --volume "$SRC:/data" sh -c 'cat /data/file && echo node >/data/new && grep " /data " /proc/mounts')
assert_match '^host' "$out" "the node reads the host's file through the volume"
assert_eq node "$(cat "$SRC/new" 2>&1)" "what the node writes lands in the host's directory"
assert_match ' /data [^ ]+ rw,nosuid,nodev' "$out" "a writable volume is rw,nosuid,nodev"
assert_eq "open: EACCES" "$(run --volume "$SRC:/data" payload open /data/null 2>&1 || true)" \
	"a device node in a volume does not open (nodev)"

# Read-only, throughout: a mount below SRC is read-only in the node too
out=$(run --volume "$SRC:/data:ro" sh -c 'cat /data/sub/mnt/below; grep " /data" /proc/mounts;
	echo x >/data/w || echo refused; echo x >/data/sub/mnt/w || echo refused below' 2>&1)
assert_match 'below' "$out" "a mount below SRC comes with the volume"
assert_match ' /data [^ ]+ ro,nosuid,nodev' "$out" "a :ro volume is ro,nosuid,nodev"
assert_match ' /data/sub/mnt tmpfs ro,nosuid,nodev' "$out" "the mount below it is read-only too"
assert_match 'Read-only file system.*refused' "$out" "writing to a :ro volume is refused"
assert_match 'refused below' "$out" "writing below it is refused too"
assert_fails "nothing was written" test -e "$SRC/w" -o -e "$SRC/sub/mnt/w"
assert_match ' /data [^ ]+ rw,' "$(run --volume "$SRC:/data:rw" grep ' /data ' /proc/mounts)" \
	":rw is writable"

# A file volume, read-only, over the image's file; the image keeps its own
assert_eq conf "$(run --volume "$TEST_TMP/host.conf:/etc/app/app.conf:ro" cat /etc/app/app.conf)" \
	"a file volume covers the image's file"
assert_eq image "$(cat "$ROOT/etc/app/app.conf")" "the image's file is untouched"

# DST missing: made in TOP (the upper layer), never in ROOT; several volumes, nested
TOP=$TEST_TMP/top
assert_exit 0 "volumes on new paths" "$CONTAINODE" -q -r "$ROOT" -t "$TOP" \
	--volume "$SRC:/new/deep/dir" --volume "$TEST_TMP/host.conf:/etc/new/app.conf" \
	--volume "$TEST_TMP/host.conf:/new/deep/dir/sub/inner.conf:ro" \
	sh -c 'cat /new/deep/dir/file /etc/new/app.conf /new/deep/dir/sub/inner.conf'
assert_eq "host conf conf" "$(tr '\n' ' ' <"$TEST_TMP/last.out" | sed 's/ $//')" \
	"each volume is where it was asked for"
[[ -d $TOP/new/deep/dir && -f $TOP/etc/new/app.conf && ! -s $TOP/etc/new/app.conf ]] &&
	ok "the mount points are made in TOP (a directory, an empty file)" ||
	fail "mount points not in TOP: $(cd "$TOP" && find . | tr '\n' ' ')"
assert_fails "none in ROOT" test -e "$ROOT/new" -o -e "$ROOT/etc/new"
assert_eq "" "$(ls "$TOP/new/deep/dir")" "nothing of the volume's content in TOP"
[[ -f $SRC/sub/inner.conf ]] && ok "a mount point inside an earlier volume is made in its source" ||
	fail "no $SRC/sub/inner.conf"
rm -f "$SRC/sub/inner.conf"

# Symlinks of the image lead no further than the node's own tree
assert_exit 125 "a symlink to a host path missing in the node is refused" \
	run --volume "$SRC:/escape/x"
assert_match "'/escape' in the node is a dangling symlink" "$(cat "$TEST_TMP/last.out")" \
	"the refusal names the symlink"
assert_exit 125 "so is a volume on that symlink itself" run --volume "$SRC:/escape"
out=$("$CONTAINODE" -q -r "$ROOT" -t "$TEST_TMP/top2" --volume "$SRC:/up$OUTSIDE/y" \
	sh -c "cat $OUTSIDE/y/file")
assert_eq host "$out" "a '..' symlink resolves in the node's root: the volume is there"
assert_eq "" "$(ls -A "$OUTSIDE")" "and the host's directory it names stays empty"
[[ -d $TEST_TMP/top2/$OUTSIDE/y ]] && ok "the mount point is in the node's TOP" ||
	fail "no $TEST_TMP/top2/$OUTSIDE/y"
assert_eq host "$(run --volume "$SRC:/etclink/vol$TEST_ID" cat "/etc/vol$TEST_ID/file")" \
	"a symlink to /etc leads to the node's /etc"
assert_fails "not the host's" test -e "/etc/vol$TEST_ID"
assert_exit 125 "a symlink into /proc is refused" run --volume "$SRC:/p/sys"
assert_match "'/p/sys' leads into /proc or /sys" "$(cat "$TEST_TMP/last.out")" "the refusal says so"
assert_eq "$root_sum" "$(tree_sum "$ROOT")" "ROOT is untouched by all of it"

# Usage errors, before any node: exit 2 with the reason
usage() { # DESCRIPTION VALUE REGEX
	assert_exit 2 "$1" run --volume "$2" true
	assert_match "--volume $3" "$(cat "$TEST_TMP/last.out")" "$1: the reason is given"
}
usage "a relative DST" "$SRC:data" ".*DST 'data' is not an absolute path"
usage "a '..' in DST" "$SRC:/data/../../etc" ".*has a '\.\.' component"
usage "DST /" "$SRC:/" ".*would replace the node's root"
usage "DST in /proc" "$SRC:/proc/sys" ".*in the kernel's /proc or /sys"
usage "DST in /sys" "$SRC:/sys" ".*in the kernel's /proc or /sys"
usage "no DST" "$SRC" ".*is not SRC:DST"
usage "an unknown mode" "$SRC:/data:rx" ".*unknown mode 'rx'"
assert_exit 2 "the same DST twice" run --volume "$SRC:/data" --volume "$SRC:/data/" true
assert_match "given twice" "$(cat "$TEST_TMP/last.out")" "the reason is given"
# Failures found while setting up: exit 125, the node never runs
assert_exit 125 "a missing SRC" run --volume "$TEST_TMP/nonexistent:/data" touch /ran
assert_match "source '$TEST_TMP/nonexistent': No such file" "$(cat "$TEST_TMP/last.out")" \
	"the missing SRC is named"
assert_exit 125 "a directory on the image's file" run --volume "$SRC:/etc/app/app.conf" true
assert_match "is not a directory, the source is one" "$(cat "$TEST_TMP/last.out")" \
	"the mismatch is explained"

# The host's root: without -r DST must exist there (the host's tree is never written);
# with -r / it is made in the private upper layer
mkdir "$TEST_TMP/mnt"
assert_eq host "$("$CONTAINODE" -q --volume "$SRC:$TEST_TMP/mnt" cat "$TEST_TMP/mnt/file")" \
	"without -r, a volume on an existing directory"
assert_eq "" "$(ls -A "$TEST_TMP/mnt")" "the host's directory is only a mount point"
assert_exit 125 "without -r, a missing DST is refused" \
	"$CONTAINODE" -q --volume "$SRC:$TEST_TMP/missing/dir" true
assert_match "makes no mount point" "$(cat "$TEST_TMP/last.out")" "the refusal says why"
assert_fails "and nothing is made on the host" test -e "$TEST_TMP/missing"
assert_eq host "$("$CONTAINODE" -q -r / --volume "$SRC:/vol$TEST_ID/x" cat "/vol$TEST_ID/x/file")" \
	"-r /: a volume on a new path"
assert_fails "-r /: the host's root has no new directory" test -e "/vol$TEST_ID"

assert_eq "$mounts_before" "$(mounts_here)" "nothing stays mounted"
