#!/usr/bin/env bash
# Removing trees: a pull without root that fails leaves no temp directory even when the
# image has read-only directories; rmi + prune without root remove such a tree; prune goes
# on past an entry it cannot remove (a mount inside an unused rootfs) and reports it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry.sh"

command -v setpriv >/dev/null || skip "setpriv is needed (util-linux)"
chmod 0755 "$TEST_TMP"

registry_start
image_build "$TEST_TMP/ro" readonly
image_build "$TEST_TMP/robad" readonly --wrong-diff-id
image_build "$TEST_TMP/bb" busybox
image_push "$TEST_TMP/ro" test/ro:v1
image_push "$TEST_TMP/robad" test/ro:bad
image_push "$TEST_TMP/bb" test/bb:v1

# Without root, in a store of nobody's own.
mkdir -m 0755 "$TEST_TMP/home"
chown 65534:65534 "$TEST_TMP/home"
NSTORE=$TEST_TMP/home/store
nmocker() { nobody env CONTAINET_STORE="$NSTORE" HOME="$TEST_TMP/home" "$MOCKER" "$@"; }

assert_exit 1 "without root: a pull that fails after unpacking read-only directories" \
	nmocker pull -q "$REG/test/ro:bad"
assert_match "diff_id|config says" "$(cat "$TEST_TMP/last.out")" "the error says why"
assert_eq "" "$(ls -A "$NSTORE/rootfs" "$NSTORE/tmp" | grep -v ':$' | grep . || true)" \
	"without root: the failed pull left no temp directory"

assert_exit 0 "without root: pull an image with read-only directories" nmocker pull -q "$REG/test/ro:v1"
root=$(nmocker rootfs "$REG/test/ro:v1")
assert_eq "555 0" "$(stat -c %a "$root/ro") $(stat -c %a "$root/ro/none")" "its directories are read-only"
assert_exit 0 "without root: rmi" nmocker rmi "$REG/test/ro:v1"
assert_exit 0 "without root: prune removes the read-only tree" nmocker prune
[[ ! -e $root ]] && ok "the rootfs is gone" || fail "prune left $root"

# As root: an unused rootfs with a mount inside.  prune removes all else and says what it
# could not remove.
export CONTAINET_STORE=$TEST_TMP/store
STORE=$CONTAINET_STORE
assert_exit 0 "pull a first image" "$MOCKER" pull -q "$REG/test/ro:v1"
assert_exit 0 "pull a second image" "$MOCKER" pull -q "$REG/test/bb:v1"
busy=$("$MOCKER" rootfs "$REG/test/ro:v1")
free=$("$MOCKER" rootfs "$REG/test/bb:v1")
mkdir "$busy/mnt"
mount -t tmpfs -o size=1m tmpfs "$busy/mnt"
defer umount "$busy/mnt"
touch "$busy/mnt/inside" "$STORE/tmp/debris"
"$MOCKER" rmi "$REG/test/ro:v1" "$REG/test/bb:v1" >/dev/null
assert_exit 1 "prune fails when an entry cannot be removed" "$MOCKER" prune
out=$(cat "$TEST_TMP/last.out")
assert_match "removing '$busy'" "$out" "prune names the entry it could not remove"
[[ ! -e $free ]] && ok "prune went on and removed the other rootfs" || fail "prune left $free"
[[ -e $busy/mnt/inside ]] && ok "nothing on the mount was touched" || fail "prune went into a mount"
assert_eq "" "$(ls -A "$STORE/tmp")" "prune went on and swept the debris"
assert_eq "" "$(find "$STORE/images/blobs/sha256" -type f)" "prune went on and removed the blobs"
assert_match "[1-9][0-9]* blob\(s\) and 1 root filesystem\(s\) removed" "$out" "prune counts what it removed"
