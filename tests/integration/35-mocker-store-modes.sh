#!/usr/bin/env bash
# What a hostile image pulled by root gives the other users of the host: nothing.  The
# store's root is 0700, so user nobody can neither run the image's setuid-root program,
# nor open its world-writable device node, nor plant files in its world-writable /tmp
# (every node's lower layer), nor read anything in the store.  A store an older mocker
# made 0755 is tightened by the next write; a store that does not exist reads as empty.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry.sh"

command -v setpriv >/dev/null || skip "setpriv is needed (util-linux)"
# The store's parent is open to all, as /var/lib is: only the store's own mode protects it.
chmod 0755 "$TEST_TMP"

registry_start
image_build "$TEST_TMP/suid" setuid
image_push "$TEST_TMP/suid" test/suid:v1
export CONTAINET_STORE=$TEST_TMP/store
STORE=$CONTAINET_STORE

assert_exit 0 "root pulls an image with a setuid-root program" "$MOCKER" pull "$REG/test/suid:v1"
root=$("$MOCKER" rootfs "$REG/test/suid:v1")
assert_eq "4755 0 666 1777" "$(stat -c %a "$root/bin/suid-id") $(stat -c %u "$root/bin/suid-id") $(stat -c %a "$root/dev/rw") $(stat -c %a "$root/tmp")" \
	"the image's setuid program, device node and /tmp are as the image says"
assert_eq 700 "$(stat -c %a "$STORE")" "the store's root is 0700"

out=$(nobody "$root/bin/suid-id" 2>&1) && rc=0 || rc=$?
assert_no_match "euid=0" "$out" "nobody cannot run the setuid-root program as root"
assert_eq 1 "$((rc != 0))" "nobody cannot run anything in the store at all"
assert_fails "nobody cannot open the image's 0666 device node" \
	nobody sh -c 'echo x >"$1"' sh "$root/dev/rw"
assert_fails "nobody cannot plant files in the image's world-writable /tmp" \
	nobody touch "$root/tmp/planted"
[[ ! -e $root/tmp/planted ]] && ok "nothing was planted in the lower layer" ||
	fail "a file was planted in the image's /tmp"
assert_fails "nobody cannot list the store" nobody ls "$STORE"
assert_fails "nobody cannot read the index" nobody cat "$STORE/images/index.json"
assert_fails "nobody cannot read the blobs" nobody ls "$STORE/images/blobs/sha256"

# A store made by an older mocker: readers leave it, the next writer tightens it.
chmod 0755 "$STORE"
assert_exit 0 "images reads an old store" "$MOCKER" images -q
assert_eq 755 "$(stat -c %a "$STORE")" "a reader changes no mode"
assert_exit 0 "prune writes to the old store" "$MOCKER" prune -q
assert_eq 700 "$(stat -c %a "$STORE")" "prune tightens an old store's root to 0700"
chmod 0755 "$STORE"
assert_exit 0 "pull into the old store" "$MOCKER" pull -q "$REG/test/suid:v1"
assert_eq 700 "$(stat -c %a "$STORE")" "pull tightens an old store's root to 0700"

# A rootless user's own store.
mkdir -m 0755 "$TEST_TMP/theirs"
chown 65534:65534 "$TEST_TMP/theirs"
assert_exit 0 "nobody pulls into a store of its own" \
	nobody env CONTAINET_STORE="$TEST_TMP/theirs/store" "$MOCKER" pull -q --no-unpack "$REG/test/suid:v1"
assert_eq "700 65534" "$(stat -c '%a %u' "$TEST_TMP/theirs/store")" "a rootless store is 0700 too"

# No store: empty, and not created by reading.
assert_exit 0 "images on a store that does not exist" env CONTAINET_STORE="$TEST_TMP/none" "$MOCKER" images -q
assert_eq "" "$(cat "$TEST_TMP/last.out")" "a missing store reads as empty"
[[ ! -e $TEST_TMP/none ]] && ok "reading does not create the store" || fail "images created the store"
