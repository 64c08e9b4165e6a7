#!/usr/bin/env bash
# containode: the overlay root.  TOP keeps what the command changed, ROOT stays as it
# was, --ephemeral keeps nothing, the work dir goes away, nothing stays mounted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

# A fingerprint of a tree: names, types, sizes, modes, modification times.
tree_sum() { (cd "$1" && find . -printf '%p %y %s %m %T@ %l\n' | sort | md5sum); }
mounts_here() { grep -c "$TEST_TMP" /proc/self/mountinfo || true; }

ROOT=$TEST_TMP/lab/rootfs
make_root "$ROOT"
echo original >"$ROOT/etc/motd"
echo image >"$ROOT/etc/hostname"
cp "$ROOT/etc/hostname" "$ROOT/etc/hosts"
cp "$ROOT/etc/hostname" "$ROOT/etc/resolv.conf"
root_sum=$(tree_sum "$ROOT")
# Mount points the container's setup touches (others' tests may mount elsewhere, e.g. /run/netns).
our_mounts() { awk '{print $5}' /proc/self/mountinfo | grep -E "^($TEST_TMP|/proc|/dev|/sys|/etc)" | sort; }
mounts_before=$(our_mounts)

# The default TOP: ROOT.ID beside ROOT, and the message naming it
assert_exit 0 "a command writing to the root" "$CONTAINODE" -i keep1 -r "$ROOT" \
	sh -c 'echo data > /root/file && echo changed > /etc/motd && rm /bin/vi && mkdir /newdir'
assert_eq "fs modifications saved to $ROOT.keep1" "$(cat "$TEST_TMP/last.out")" \
	"the modifications are announced with TOP's path"
assert_eq data "$(cat "$ROOT.keep1/root/file" 2>&1)" "TOP keeps a new file"
assert_eq changed "$(cat "$ROOT.keep1/etc/motd" 2>&1)" "TOP keeps a changed file"
assert_eq "character special file 0:0" "$(stat -c '%F %t:%T' "$ROOT.keep1/bin/vi" 2>&1)" \
	"TOP keeps a deletion as a whiteout"
[[ -d $ROOT.keep1/newdir ]] && ok "TOP keeps a new directory" || fail "newdir not in TOP"
[[ ! -e $ROOT.keep1/etc/hostname && ! -e $ROOT.keep1/etc/hosts ]] &&
	ok "the generated /etc files do not land in TOP" || fail "/etc files in TOP: $(ls "$ROOT.keep1/etc")"
assert_eq image "$(cat "$ROOT/etc/hostname")" "the image's /etc/hostname is untouched"
# The work dir stays for the next run, with nothing of the node's in it: only what
# overlayfs used, set aside for the next start to remove (removing waits for the disk).
W=$TEST_TMP/lab/.rootfs.keep1.work
assert_eq "" "$(find "$W" -mindepth 1 -maxdepth 1 ! -name 'old-*')" \
	"the overlay work dir keeps only what overlayfs left, set aside"
assert_eq "" "$(find "$W" -type f ! -name dirty)" "and no file of the node"
assert_eq "$root_sum" "$(tree_sum "$ROOT")" "ROOT is untouched"
assert_eq original "$(cat "$ROOT/etc/motd")" "ROOT's file keeps its content"

# A disk upper layer is synced as usual; --volatile mounts it volatile (no sync of the
# whole file system at exit, none on the node's fsync).
assert_no_match "volatile" "$("$CONTAINODE" -q -i keep1 -r "$ROOT" grep -m1 ' / / ' /proc/self/mountinfo)" \
	"the upper layer on disk is not volatile by default"
assert_match "volatile" \
	"$("$CONTAINODE" -q -i keep1 -r "$ROOT" --volatile grep -m1 ' / / ' /proc/self/mountinfo)" \
	"--volatile mounts it volatile"
assert_eq "" "$(find "$W" -mindepth 1 -maxdepth 1 ! -name 'old-*')" "the next start removed the last run's"
# overlayfs' mark of a volatile mount still in use: left by a containode killed on this
# boot (its data is in the kernel), the next start sets it aside and runs.
mkdir -p "$W/work/incompat/volatile"
assert_exit 0 "a start after a killed containode's mount" "$CONTAINODE" -q -i keep1 -r "$ROOT" true
[[ ! -e $W/work/incompat/volatile ]] && ok "the old mark is set aside" || fail "the mark is still there"
# Two nodes on one TOP: the second is refused, the first keeps running.
"$CONTAINODE" -q -N -i keep1 -r "$ROOT" sleep 30 >/dev/null 2>&1 &
first=$!
defer kill "$first"
# (the work dir's "work" is overlayfs', there once the first node's root is mounted)
wait_until 10 test -d "$W/work" || fail "the first node did not start"
assert_exit 125 "a second node on the same TOP is refused" "$CONTAINODE" -q -N -i keep1 -r "$ROOT" true
assert_match "another node uses it" "$(cat "$TEST_TMP/last.out")" "and says why"
kill "$first"
wait "$first" 2>/dev/null || true

# The same identity again sees its changes; another one does not
assert_eq "data changed" "$("$CONTAINODE" -q -i keep1 -r "$ROOT" sh -c 'echo $(cat /root/file /etc/motd)')" \
	"a second run with the same identity sees the changes"
assert_fails "the deletion holds in the second run" "$CONTAINODE" -q -i keep1 -r "$ROOT" test -e /bin/vi
assert_eq original "$("$CONTAINODE" -q -i other -r "$ROOT" cat /etc/motd)" \
	"another identity starts from ROOT"
rm -rf "$ROOT.other"

# -t: TOP given, with a trailing slash on ROOT
assert_exit 0 "-t names TOP" "$CONTAINODE" -r "$ROOT/" -t "$TEST_TMP/mytop" sh -c 'echo t > /tfile'
assert_eq "fs modifications saved to $TEST_TMP/mytop" "$(cat "$TEST_TMP/last.out")" "the message names -t's TOP"
assert_eq t "$(cat "$TEST_TMP/mytop/tfile" 2>&1)" "-t's TOP keeps the file"
assert_exit 0 "-q says nothing" "$CONTAINODE" -q -r "$ROOT" -t "$TEST_TMP/mytop" true
assert_eq "" "$(cat "$TEST_TMP/last.out")" "-q keeps quiet"

# --ephemeral keeps nothing, anywhere
before=$(ls -A "$TEST_TMP/lab" "$TEST_TMP" | md5sum)
assert_exit 0 "--ephemeral runs" "$CONTAINODE" -r "$ROOT" --ephemeral \
	sh -c 'echo x > /root/eph && rm /bin/ls && test -e /root/eph'
assert_eq "" "$(cat "$TEST_TMP/last.out")" "--ephemeral announces no TOP"
assert_eq "$before" "$(ls -A "$TEST_TMP/lab" "$TEST_TMP" | md5sum)" "--ephemeral leaves no directory behind"
assert_exit 1 "a second --ephemeral run sees nothing of the first" \
	"$CONTAINODE" -q -r "$ROOT" --ephemeral test -e /root/eph
assert_eq "$root_sum" "$(tree_sum "$ROOT")" "ROOT is still untouched"

# Without -r: the host's root in a new mount namespace, which the host never sees
assert_exit 0 "without -r the host root is used" "$CONTAINODE" -q sh -c 'test -e /etc/debian_version && grep -q " /proc proc " /proc/mounts'
host_hostname=$(cat /etc/hostname)
assert_eq nohost "$("$CONTAINODE" -q -i nohost cat /etc/hostname)" "without -r /etc/hostname shows the identity"
assert_eq "$host_hostname" "$(cat /etc/hostname)" "the host's /etc/hostname is unchanged"

# Nothing of any of this stays mounted on the host
assert_eq 0 "$(mounts_here)" "nothing is mounted under the test directory"
assert_eq "$mounts_before" "$(our_mounts)" "the host's mount table is as before"
