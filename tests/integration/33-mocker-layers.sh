#!/usr/bin/env bash
# What mocker unpacks, compared file by file with what umoci unpacks from the same store:
# whiteouts, opaque directories, type changes, hard links (also to lower layers), symlinks,
# setuid, ownership, device nodes, xattrs; for gzip and zstd layers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry.sh"
command -v umoci >/dev/null || skip "umoci is needed (tests/deps.sh)"

registry_start
export CONTAINET_STORE=$TEST_TMP/store
for c in gzip zstd; do
	image_build "$TEST_TMP/layers-$c" layers --compress "$c"
	image_push "$TEST_TMP/layers-$c" "test/layers:$c"
	assert_exit 0 "pull the three-layer image ($c)" "$MOCKER" pull "$REG/test/layers:$c"
done
# umoci 0.4 reads no zstd layers: both of mocker's trees are compared with its gzip one.
if umoci unpack --image "$CONTAINET_STORE/images:$REG/test/layers:gzip" "$TEST_TMP/bundle" \
	>"$TEST_TMP/umoci.log" 2>&1; then
	for c in gzip zstd; do
		root=$("$MOCKER" rootfs "$REG/test/layers:$c")
		assert_ok "$c: mocker's tree equals umoci's, file by file" \
			"$PY" "$TOP/tests/integration/treecmp.py" "$root" "$TEST_TMP/bundle/rootfs"
		cat "$TEST_TMP/last.out"
	done
else
	fail "umoci unpack: $(tail -n 3 "$TEST_TMP/umoci.log")"
fi

# The cases themselves, so that both tools agreeing on something wrong cannot pass.
assert_ok "a whiteout deletes the lower file" test ! -e "$root/etc/victim"
assert_ok "a whiteout deletes a lower fifo" test ! -e "$root/data/fifo"
assert_eq "new-after new-before" "$(ls "$root/opaque" | tr '\n' ' ' | sed 's/ $//')" \
	"an opaque directory keeps only what its own layer adds, before or after the marker"
assert_ok "a directory replaced by a file" test -f "$root/dir2file"
assert_ok "a file replaced by a directory" test -f "$root/file2dir/inside"
assert_eq "$(stat -c %i "$root/linktarget")" "$(stat -c %i "$root/hardlink-to-lower")" \
	"a hard link to a file of a lower layer"
assert_eq "$(stat -c %i "$root/data/plain")" "$(stat -c %i "$root/data/hardlink")" \
	"a hard link within a layer"
assert_eq "/etc/passwd" "$(readlink "$root/data/abs-link")" "an absolute symlink is kept as it is"
assert_eq "/nonexistent/target" "$(readlink "$root/data/dangling")" "a dangling symlink is kept"
assert_eq "4755 0:0" "$(stat -c '%a %u:%g' "$root/data/setuid")" "setuid mode"
assert_eq "600 1000:1000" "$(stat -c '%a %u:%g' "$root/data/private")" "mode and ownership"
assert_eq "character special file 1:3" "$(stat -c '%F %t:%T' "$root/data/null")" "a device node"
assert_eq "value" "$(getfattr --only-values -n user.test "$root/data/xattr" 2>/dev/null ||
	$PY -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.test").decode())' "$root/data/xattr")" \
	"an xattr"
