#!/usr/bin/env bash
# Hostile layers are refused with a clear error, leave no rootfs and nothing half-written,
# and never touch anything outside the destination: absolute names, "..", writes, hard
# links, whiteouts and opaque markers through symlinks (of the same layer or planted by an
# earlier one), hard links leaving the root.  A canary directory is checked after each.
. "$(dirname "$0")/lib.sh"

TOOL=$HELPERS/mocker_unpack_tool
# A sanitizer report must not pass for the expected "exit 1" of a refused layer.
export ASAN_OPTIONS="exitcode=86${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="exitcode=86${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
PY=/usr/bin/python3
[[ -x $TOOL ]] || die "missing $TOOL (make tests)"
[[ -x $PY ]] || skip "needs Debian's python3"

# The world outside the destinations: a canary directory beside them.
W=$TEST_TMP/world
C=$W/canary
OUT=$W/out
S=$TEST_TMP/snap
mkdir -p "$C/sub" "$OUT" "$S"
echo precious >"$C/victim"
echo keep >"$C/keepme"
echo deep >"$C/sub/file"
# Everything that could change if a write escaped: names, types, inodes, sizes, link
# counts, modes, owners, times (change time included), link targets.
snapshot() {
	find "$W" -path "$OUT" -prune -o -printf '%p %y %i %s %n %m %U %G %T@ %C@ %l\n' | sort
	sha256sum "$C/victim" "$C/keepme" "$C/sub/file"
	# A hard link that escaped would raise the link count of /etc/passwd.
	stat -c '%n %i %h %s %Y' /etc/passwd /etc/shadow
}
snapshot >"$S/before"
L=$TEST_TMP/layers
mkdir -p "$L"

# mk NAME 'ENTRY;ENTRY...': a tar layer; ENTRY is file:PATH, dir:PATH, sym:PATH:TARGET,
# hard:PATH:TARGET.
mk() {
	"$PY" - "$L/$1.tar" "$2" <<'PYEOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    for spec in filter(None, sys.argv[2].split(";")):
        kind, path, *rest = spec.split(":")
        ti = tarfile.TarInfo(path)
        ti.mtime = 1600000000
        data = None
        if kind == "file":
            data = b"hostile\n"
            ti.size = len(data)
        elif kind == "dir":
            ti.type, ti.mode = tarfile.DIRTYPE, 0o755
        elif kind == "sym":
            ti.type, ti.linkname = tarfile.SYMTYPE, rest[0]
        elif kind == "hard":
            ti.type, ti.linkname = tarfile.LNKTYPE, rest[0]
        t.addfile(ti, io.BytesIO(data) if data else None)
PYEOF
}

n=0
# refused REGEX DESCRIPTION LAYER...: the tool fails saying REGEX; no rootfs, no temporary
# directory, and the canary is as it was.
refused() {
	local re=$1 d=$2 out
	shift 2
	n=$((n + 1))
	out=$OUT/r$n
	assert_exit 1 "$d: refused" "$TOOL" "$out" "$@"
	assert_match "$re" "$(cat "$TEST_TMP/last.out")" "$d: says why"
	if [[ -e $out ]] || compgen -G "$out.unpack-*" >/dev/null; then
		fail "$d: left a rootfs or a temporary directory"
	fi
	snapshot >"$S/after"
	if ! diff -u "$S/before" "$S/after" >"$S/diff"; then
		fail "$d: something outside the destination changed: $(head -n 20 "$S/diff")"
	fi
}

mk good 'dir:usr;file:usr/ok;dir:etc;file:etc/hostname'
mk dotdot 'file:../escaped'
mk dotdot-deep 'dir:a;file:a/../../escaped'
mk absolute "file:$C/abs"
mk abs-etc 'file:/etc/mocker-hostile-test'
mk sym-same 'file:before;'"sym:evil:$C"';file:evil/file'
mk plant-abs "sym:evil:$C"
mk plant-rel 'sym:evil:../../../../../../../..'"$C"
mk plant-chain "sym:a:b;sym:b:$C"
mk plant-etc 'sym:evil:/etc'
mk write-through 'file:evil/victim'
mk write-through-chain 'file:a/victim'
mk dir-through 'dir:evil/sub;file:evil/sub/x'
mk wh-through 'file:evil/.wh.keepme'
mk opq-through 'file:evil/.wh..wh..opq'
mk hard-dotdot 'hard:h:../../etc/passwd'
mk hard-abs 'hard:h:/etc/passwd'
mk hard-through 'hard:h:evil/passwd'
mk hard-through-canary 'hard:h:evil/victim'
mk bad-wh 'file:.wh..'
mk root-sym 'sym:./:/'

refused '"\.\." component' "entry '../escaped'" "$L/good.tar" "$L/dotdot.tar"
refused '"\.\." component' "entry 'a/../../escaped'" "$L/dotdot-deep.tar"
refused 'absolute path' "absolute entry into the canary" "$L/absolute.tar"
refused 'absolute path' "absolute entry into /etc" "$L/abs-etc.tar"
[[ -e /etc/mocker-hostile-test ]] && fail "/etc/mocker-hostile-test was created"
refused 'symbolic link' "write through a symlink of the same layer" "$L/sym-same.tar"
refused 'symbolic link' "write through an absolute symlink of an earlier layer" \
	"$L/plant-abs.tar" "$L/write-through.tar"
refused 'symbolic link' "write through a relative symlink climbing out" \
	"$L/plant-rel.tar" "$L/write-through.tar"
refused 'symbolic link' "write through a chain of symlinks" \
	"$L/plant-chain.tar" "$L/write-through-chain.tar"
refused 'symbolic link' "directory through a symlink" "$L/plant-abs.tar" "$L/dir-through.tar"
refused 'symbolic link' "whiteout through a symlink" "$L/plant-abs.tar" "$L/wh-through.tar"
refused 'symbolic link' "opaque marker through a symlink" "$L/plant-abs.tar" "$L/opq-through.tar"
refused 'hard link.*"\.\." component' "hard link to ../../etc/passwd" "$L/good.tar" "$L/hard-dotdot.tar"
refused 'hard link.*absolute path' "hard link to /etc/passwd" "$L/hard-abs.tar"
refused 'hard link through a symbolic link' "hard link through a symlink to /etc" \
	"$L/plant-etc.tar" "$L/hard-through.tar"
refused 'hard link through a symbolic link' "hard link through a symlink to the canary" \
	"$L/plant-abs.tar" "$L/hard-through-canary.tar"
refused 'invalid whiteout' "whiteout of '.'" "$L/bad-wh.tar"
refused 'root entry' "root entry that is a symlink" "$L/root-sym.tar"

# A failing layer after good ones: nothing of the good ones is published either.
gzip -c "$L/good.tar" | head -c 100 >"$L/truncated.tar.gz"
refused 'read layer|truncated|Truncated' "truncated gzip layer" "$L/good.tar" "$L/truncated.tar.gz"

# Replacing a symlink is not writing through it: accepted, the target is untouched.
mk replace 'file:evil'
mk hard-to-sym 'hard:h:evil'
R=$OUT/replace
assert_ok "a file replaces a planted symlink" "$TOOL" "$R" "$L/plant-abs.tar" "$L/replace.tar"
assert_eq "regular file hostile" "$(stat -c %F "$R/evil") $(cat "$R/evil")" "the symlink itself was replaced"
R=$OUT/hardsym
assert_ok "a hard link to a planted symlink" "$TOOL" "$R" "$L/plant-abs.tar" "$L/hard-to-sym.tar"
assert_eq "symbolic link $C" "$(stat -c %F "$R/h") $(readlink "$R/h")" "links the symlink, not its target"
snapshot >"$S/after"
if diff -u "$S/before" "$S/after" >"$S/diff"; then
	ok "canary untouched after all $n hostile layers and the accepted ones"
else
	fail "canary changed: $(head -n 20 "$S/diff")"
fi
