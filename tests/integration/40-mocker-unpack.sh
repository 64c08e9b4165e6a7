#!/usr/bin/env bash
# mocker's layer unpacker: OCI whiteouts and opaque directories (in both entry orders),
# type changes, hard links (within a layer and to earlier layers), symlinks, modes with
# setuid/setgid/sticky, ownership, xattrs, device nodes, compressed layers; then the same
# layers unpacked by umoci, compared file by file.
. "$(dirname "$0")/lib.sh"

TOOL=$HELPERS/mocker_unpack_tool
PY=/usr/bin/python3
[[ -x $TOOL ]] || die "missing $TOOL (make tests)"
[[ -x $PY ]] || skip "needs Debian's python3"

L=$TEST_TMP/layers
mkdir -p "$L"
# The layers, built with tarfile so that every corner can be spelt out.
"$PY" - "$L" <<'PYEOF'
import io, sys, tarfile
out = sys.argv[1]
T = 1600000000

def layer(name, entries, fmt=tarfile.PAX_FORMAT):
    with tarfile.open(f"{out}/{name}", "w", format=fmt) as t:
        for e in entries:
            kind, path = e[0], e[1]
            o = e[2] if len(e) > 2 else {}
            ti = tarfile.TarInfo(path)
            ti.mtime = o.get("mtime", T)
            ti.uid, ti.gid = o.get("uid", 0), o.get("gid", 0)
            ti.mode = o.get("mode", 0o755 if kind in ("dir",) else 0o644)
            data = None
            if kind == "dir":
                ti.type = tarfile.DIRTYPE
            elif kind == "file":
                data = o.get("data", path.encode())
                ti.size = len(data)
            elif kind == "sym":
                ti.type = tarfile.SYMTYPE
                ti.linkname = o["to"]
                ti.mode = 0o777
            elif kind == "hard":
                ti.type = tarfile.LNKTYPE
                ti.linkname = o["to"]
            elif kind in ("chr", "blk"):
                ti.type = tarfile.CHRTYPE if kind == "chr" else tarfile.BLKTYPE
                ti.devmajor, ti.devminor = o["dev"]
            elif kind == "fifo":
                ti.type = tarfile.FIFOTYPE
            ti.pax_headers = o.get("pax", {})
            t.addfile(ti, io.BytesIO(data) if data is not None else None)

layer("l1.tar", [
    ("dir", "./", {"mode": 0o755}),
    ("dir", "bin/"), ("file", "bin/sh", {"mode": 0o755, "data": b"#!shell\n"}),
    ("dir", "etc/"), ("file", "etc/passwd", {"data": b"root:x:0:0::/root:/bin/sh\n"}),
    ("file", "etc/shadow", {"mode": 0o640, "gid": 42}),
    ("dir", "usr/"), ("dir", "usr/bin/"),
    ("file", "usr/bin/sudo", {"mode": 0o4755}),
    ("file", "usr/bin/wall", {"mode": 0o2755, "gid": 5}),
    ("file", "usr/bin/both", {"mode": 0o6711, "uid": 7, "gid": 8}),
    # File capabilities (cap_net_raw, VFS_CAP_REVISION_2), as ping has them.
    ("file", "usr/bin/ping", {"mode": 0o755, "pax": {"SCHILY.xattr.security.capability":
        "\x01\x00\x00\x02\x00\x20\x00\x00" + "\x00" * 12}}),
    ("dir", "tmp/", {"mode": 0o1777}),
    ("dir", "home/"), ("dir", "home/user/", {"mode": 0o700, "uid": 1000, "gid": 1000}),
    ("file", "home/user/notes", {"mode": 0o600, "uid": 1000, "gid": 1000}),
    ("dir", "ro/", {"mode": 0o555}), ("file", "ro/f", {"mode": 0o444}),
    ("dir", "opq/"), ("file", "opq/a"), ("dir", "opq/sub/"), ("file", "opq/sub/b"),
    ("dir", "opq2/"), ("file", "opq2/x"), ("file", "opq2/y"),
    ("dir", "wh/"), ("file", "wh/file"), ("dir", "wh/dir/"), ("dir", "wh/dir/inner/"),
    ("file", "wh/dir/inner/deep"), ("file", "wh/keep", {"data": b"old\n"}),
    ("file", "wh/redo", {"data": b"old\n"}),
    ("dir", "d2f/"), ("file", "d2f/child"),
    ("file", "f2d"),
    ("dir", "d2s/"), ("file", "d2s/child"),
    ("dir", "wh/redir/"), ("file", "wh/redir/old"),
    ("dir", "pk/"), ("file", "pk/x"), ("dir", "pk/keep/"), ("file", "pk/keep/old"),
    ("dir", "lnk/"), ("file", "lnk/target", {"data": b"shared\n", "mode": 0o640}),
    ("hard", "lnk/hard1", {"to": "lnk/target"}),
    ("dir", "sym/"), ("sym", "sym/abs", {"to": "/etc/passwd"}),
    ("sym", "sym/rel", {"to": "../etc/passwd"}), ("sym", "sym/dangling", {"to": "nowhere/at/all"}),
    ("sym", "sym/usrlink", {"to": "/usr"}),
    ("dir", "dev/"), ("chr", "dev/null", {"dev": (1, 3), "mode": 0o666}),
    ("blk", "dev/loop7", {"dev": (7, 7), "mode": 0o660, "gid": 6}),
    ("fifo", "dev/fifo", {"mode": 0o620}),
    ("file", "xattr", {"pax": {"SCHILY.xattr.user.test": "hello",
                               "SCHILY.xattr.trusted.t": "secret"}}),
    ("file", "xattr1", {"pax": {"SCHILY.xattr.user.test": "hello",
                                "SCHILY.xattr.trusted.t": "secret"}}),
    ("dir", "xdir/", {"pax": {"SCHILY.xattr.user.d": "dir"}}),
    ("sym", "xsym", {"to": "xattr1", "pax": {"SCHILY.xattr.trusted.s": "sym"}}),
    ("file", "frac", {"pax": {"mtime": "1600000000.123456789"}}),
    ("file", "caf\u00e9", {"data": b"unicode\n"}),
    ("dir", "long/"), ("file", "long/" + "n" * 150),
    ("dir", "empty/", {"mode": 0o711}),
    ("file", "sparse", {"data": b"\0" * 100000 + b"end"}),
])
layer("l2.tar", [
    ("file", "wh/.wh.file"), ("file", "wh/.wh.dir"), ("file", "wh/.wh.ghost"),
    ("file", "wh/.wh.keep"), ("file", "wh/keep", {"data": b"new\n"}),
    ("file", "wh/redo", {"data": b"new\n"}), ("file", "wh/.wh.redo"),
    ("dir", "opq/", {"mode": 0o750}), ("file", "opq/.wh..wh..opq"), ("file", "opq/new"),
    ("file", "opq2/new2"), ("file", "opq2/.wh..wh..opq"),
    ("file", "d2f", {"data": b"now a file\n"}),
    ("sym", "d2s", {"to": "bin"}),
    ("file", "wh/.wh.redir"), ("dir", "wh/redir/", {"mode": 0o701}), ("file", "wh/redir/new"),
    # As image builders write it: the marker right after its directory.  (With the marker
    # after pk/keep/added, umoci leaves pk/keep with the wall-clock time of the unpack,
    # where mocker keeps its times; the unit tests cover that order.)
    ("dir", "pk/"), ("file", "pk/.wh..wh..opq"), ("dir", "pk/keep/"), ("file", "pk/keep/added"),
    ("dir", "f2d/"), ("file", "f2d/inside"),
    ("hard", "lnk/hard2", {"to": "lnk/target"}),
    ("file", "lnk/target2", {"data": b"second\n"}),
    ("hard", "lnk/hard3", {"to": "lnk/target2"}),
    ("hard", "lnk/hsym", {"to": "sym/abs"}),
    ("file", "etc/passwd", {"data": b"root:x:0:0::/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n"}),
    ("dir", "home/user/", {"mode": 0o750, "uid": 1000, "gid": 1000, "mtime": T + 5}),
    ("file", "home/user/more", {"uid": 1000, "gid": 1000}),
    ("dir", "sym/usrlink/"), ("file", "sym/usrlink/plain"),
], fmt=tarfile.GNU_FORMAT)
layer("l3.tar", [
    ("hard", "lnk/hard4", {"to": "lnk/hard2"}),
    ("file", ".wh.f2d"), ("file", "f2d", {"data": b"a file again\n"}),
    ("dir", "added/", {"mode": 0o700}), ("dir", "added/deeper/"), ("file", "added/deeper/x"),
    ("file", "etc/.wh.shadow"),
    ("file", "xattr", {"pax": {"SCHILY.xattr.user.other": "v2"}}),
])
layer("l5.tar", [
    ("file", ".wh..wh..opq"), ("dir", "bin/", {"mode": 0o700}), ("file", "bin/sh", {"data": b"new"}),
    ("hard", "bin/ash", {"to": "bin/sh"}),
])
layer("l6.tar", [
    ("file", "implicit/a/b/file"), ("file", "implicit/a/b/file2"),
])
layer("l4.tar", [
    ("file", "ro/g", {"mode": 0o400}),
    ("file", "lnk/target", {"data": b"replaced\n"}),
    ("file", ".wh.opq2"),
    ("dir", "opq2/"), ("file", "opq2/fresh"),
])
PYEOF
gzip -k "$L/l3.tar"
zstd -q "$L/l4.tar" -o "$L/l4.tar.zst"
LAYERS=("$L/l1.tar" "$L/l2.tar" "$L/l3.tar.gz" "$L/l4.tar.zst")

R=$TEST_TMP/ours
assert_ok "four layers (plain, GNU, gzip, zstd) unpack" "$TOOL" "$R" "${LAYERS[@]}"
[[ -d $R ]] || die "no rootfs produced"

ftype() { stat -c %F "$1" 2>/dev/null || echo missing; }
assert_eq missing "$(ftype "$R/wh/file")" "whiteout removes a file of a lower layer"
assert_eq missing "$(ftype "$R/wh/dir")" "whiteout removes a directory tree"
assert_eq "new" "$(cat "$R/wh/keep")" "whiteout then re-add in one layer keeps the new file"
assert_eq "new" "$(cat "$R/wh/redo")" "add then whiteout in one layer keeps the new file"
assert_eq "new" "$(ls "$R/opq")" "opaque dir listed first keeps only what its layer adds"
assert_eq "750" "$(stat -c %a "$R/opq")" "opaque dir takes its layer's mode"
assert_eq "fresh" "$(ls "$R/opq2")" "opaque after the new entry, then whited out and re-created"
assert_eq "regular file" "$(ftype "$R/d2f")" "a directory replaced by a file"
assert_eq "now a file" "$(cat "$R/d2f")" "the file that replaced a directory has its content"
assert_eq "symbolic link bin" "$(ftype "$R/d2s") $(readlink "$R/d2s")" "a directory replaced by a symlink"
assert_eq "new 701" "$(ls "$R/wh/redir") $(stat -c %a "$R/wh/redir")" "directory whited out and re-created in one layer"
assert_eq "keep" "$(ls "$R/pk")" "opaque keeps a lower directory this layer adds to"
assert_eq "added" "$(ls "$R/pk/keep")" "... with only what this layer added in it"
assert_eq "regular file" "$(ftype "$R/f2d")" "a file replaced by a directory, then by a file"
assert_eq missing "$(ftype "$R/etc/shadow")" "whiteout in a later compressed layer"
assert_eq "x" "$(ls "$R/added/deeper")" "gzip layer adds a tree"
assert_eq "700" "$(stat -c %a "$R/added")" "new directory mode applied after its contents"

# Hard links: all of target's links share an inode, the replaced target does not.
ino() { stat -c %i "$1"; }
assert_eq "$(ino "$R/lnk/hard1")" "$(ino "$R/lnk/hard2")" "hard link to a file of an earlier layer"
assert_eq "$(ino "$R/lnk/hard1")" "$(ino "$R/lnk/hard4")" "hard link to a hard link of an earlier layer"
assert_eq "shared" "$(cat "$R/lnk/hard4")" "hard links keep the old content when the target is replaced"
assert_eq "replaced" "$(cat "$R/lnk/target")" "replaced file has the new content"
assert_eq "3" "$(stat -c %h "$R/lnk/hard1")" "link count of the old inode"
assert_eq "$(ino "$R/lnk/target2")" "$(ino "$R/lnk/hard3")" "hard link within one layer"
assert_eq "symbolic link" "$(ftype "$R/lnk/hsym")" "hard link to a symlink is the symlink"
assert_eq "$(ino "$R/sym/abs")" "$(ino "$R/lnk/hsym")" "hard link to a symlink shares its inode"

assert_eq "/etc/passwd" "$(readlink "$R/sym/abs")" "absolute symlink kept as it is"
assert_eq "../etc/passwd" "$(readlink "$R/sym/rel")" "relative symlink kept as it is"
assert_eq "nowhere/at/all" "$(readlink "$R/sym/dangling")" "dangling symlink kept"
assert_eq "directory" "$(ftype "$R/sym/usrlink")" "a directory replaces a symlink to a directory"
assert_eq "missing" "$(ftype /usr/plain)" "nothing written through the replaced symlink"

assert_eq "4755 0 0" "$(stat -c '%a %u %g' "$R/usr/bin/sudo")" "setuid survives ownership"
assert_eq "2755 0 5" "$(stat -c '%a %u %g' "$R/usr/bin/wall")" "setgid with its group"
assert_eq "6711 7 8" "$(stat -c '%a %u %g' "$R/usr/bin/both")" "setuid+setgid with a non-root owner"
assert_eq "1777" "$(stat -c %a "$R/tmp")" "sticky directory"
assert_eq "640 0 0" "$(stat -c '%a %u %g' "$R/lnk/hard2")" "mode and group of a hard-linked file"
assert_eq "750 1000 1000" "$(stat -c '%a %u %g' "$R/home/user")" "re-declared directory metadata"
assert_eq "more notes" "$(ls "$R/home/user" | xargs)" "re-declared directory keeps its contents"
assert_eq "$((1600000000 + 5))" "$(stat -c %Y "$R/home/user")" "directory mtime from the layer, after its children"
assert_eq "555" "$(stat -c %a "$R/ro")" "read-only directory written into by a later layer"
assert_eq "character special file 1 3" "$(stat -c '%F %t %T' "$R/dev/null")" "character device"
assert_eq "block special file 7 7 660 6" "$(stat -c '%F %t %T %a %g' "$R/dev/loop7")" "block device"
assert_eq "fifo 620" "$(stat -c '%F %a' "$R/dev/fifo")" "fifo"
xattr() { "$PY" -c 'import os,sys; print(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False).decode())' "$@" 2>&1; }
assert_eq "hello" "$(xattr "$R/xattr1" user.test)" "user xattr"
assert_eq "secret" "$(xattr "$R/xattr1" trusted.t)" "trusted xattr"
assert_eq "dir" "$(xattr "$R/xdir" user.d)" "xattr of a directory"
assert_eq "0100000200200000000000000000000000000000" "$("$PY" -c 'import os,sys; print(os.getxattr(sys.argv[1], "security.capability").hex())' "$R/usr/bin/ping")" \
	"file capabilities"
assert_eq "sym" "$(xattr "$R/xsym" trusted.s)" "xattr of a symlink"
assert_eq "v2 absent" "$("$PY" -c '
import os,sys
x = os.listxattr(sys.argv[1])
print(os.getxattr(sys.argv[1], "user.other").decode(), "present" if "user.test" in x else "absent")' "$R/xattr")" "a replaced file has only its own xattrs"
assert_eq "1600000000.123456789" "$(stat -c %.9Y "$R/frac")" "nanosecond mtime"
assert_eq "unicode" "$(cat "$R/café")" "UTF-8 name"
assert_eq "100003" "$(stat -c %s "$R/sparse")" "sparse file size"
assert_eq "" "$(find "$R" -name '.wh.*' -o -name '.mocker-unpack*')" "no whiteout or temporary names left"
assert_eq "" "$(ls -d "$R".unpack-* 2>/dev/null)" "temporary directory renamed"

# Without root semantics: no ownership, no device nodes, no xattrs.
N=$TEST_TMP/noroot
assert_ok "unpack with --no-root" "$TOOL" --no-root "$N" "${LAYERS[@]}"
assert_eq "0 0 4755" "$(stat -c '%u %g %a' "$N/usr/bin/sudo")" "--no-root: mode kept, owner not applied"
assert_eq "missing" "$(ftype "$N/dev/null")" "--no-root: no device nodes"
assert_eq "fifo" "$(ftype "$N/dev/fifo")" "--no-root: fifo still made"

# Root opaque marker: everything of the lower layers goes; parents made when missing.
R5=$TEST_TMP/ours5
assert_ok "root opaque layer unpacks" "$TOOL" "$R5" "$L/l1.tar" "$L/l5.tar" "$L/l6.tar"
assert_eq "bin implicit" "$(ls "$R5" | xargs)" "opaque root keeps only its own layer's entries"
assert_eq "ash sh" "$(ls "$R5/bin" | xargs)" "... and their contents"
assert_eq "755 755 file file2" "$(stat -c %a "$R5/implicit" "$R5/implicit/a/b" | xargs) $(ls "$R5/implicit/a/b" | xargs)" \
	"missing parents are created 0755"

command -v umoci >/dev/null || skip "umoci missing"
# One line per path: type, mode, owner, size, sha256, link target, device, xattrs,
# mtime (directories too), and which earlier path it is a hard link of.
manifest() {
	"$PY" - "$1" <<'PYEOF'
import hashlib, os, stat, sys
root = sys.argv[1]
seen = {}
def walk():
    yield root
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(dirs + files):
            yield os.path.join(dirpath, name)
for p in walk():
    if True:
        rel = os.path.relpath(p, root)
        st = os.lstat(p)
        m = st.st_mode
        f = [rel, oct(stat.S_IFMT(m)), oct(stat.S_IMODE(m)), str(st.st_uid), str(st.st_gid)]
        if stat.S_ISREG(m):
            f += [str(st.st_size), hashlib.sha256(open(p, "rb").read()).hexdigest()]
        if stat.S_ISLNK(m):
            f.append("-> " + os.readlink(p))
        if stat.S_ISCHR(m) or stat.S_ISBLK(m):
            f.append("dev %d:%d" % (os.major(st.st_rdev), os.minor(st.st_rdev)))
        if not stat.S_ISDIR(m):
            key = (st.st_dev, st.st_ino)
            if key in seen:
                f.append("link-of " + seen[key])
            seen.setdefault(key, rel)
        xs = sorted(os.listxattr(p, follow_symlinks=False))
        f += ["%s=%r" % (x, os.getxattr(p, x, follow_symlinks=False)) for x in xs]
        f.append("mtime %d" % st.st_mtime_ns)
        print(" ".join(f))
PYEOF
}
# same_as_umoci NAME ROOTFS LAYER...: umoci unpacks the layers (uncompressed: umoci raw
# add-layer takes only those) and the two trees must match line for line.
same_as_umoci() {
	local name=$1 ours=$2 l
	shift 2
	local img=$TEST_TMP/image-$name u=$TEST_TMP/umoci-$name
	umoci init --layout "$img" >/dev/null
	umoci new --image "$img:t" >/dev/null
	for l in "$@"; do
		umoci raw add-layer --image "$img:t" "$l" >/dev/null || die "umoci add-layer $l"
	done
	assert_ok "$name: umoci unpacks the same layers" umoci raw unpack --image "$img:t" "$u"
	manifest "$ours" >"$TEST_TMP/$name-ours.txt"
	manifest "$u" >"$TEST_TMP/$name-umoci.txt"
	if diff -u "$TEST_TMP/$name-umoci.txt" "$TEST_TMP/$name-ours.txt" >"$TEST_TMP/diff.txt"; then
		ok "$name: identical to umoci, $(wc -l <"$TEST_TMP/$name-ours.txt") paths" \
			"(type, mode, owner, size, sha256, link, xattrs, mtime)"
	else
		fail "$name: differs from umoci:"
		cat "$TEST_TMP/diff.txt"
	fi
}
same_as_umoci four-layers "$R" "$L/l1.tar" "$L/l2.tar" "$L/l3.tar" "$L/l4.tar"
# Without l6: umoci leaves the times of the parents it makes at the moment it made them.
R15=$TEST_TMP/ours15
"$TOOL" "$R15" "$L/l1.tar" "$L/l5.tar" || fail "unpack l1 l5"
same_as_umoci root-opaque "$R15" "$L/l1.tar" "$L/l5.tar"

# A real tree written by GNU tar (its own long-name and link records), then a layer of
# whiteouts and an opaque directory over it.
# (With every parent declared: the times of parents made on the fly are the wall clock's.)
tar -C / --format=gnu -cf "$L/real1.tar" --no-recursion . usr usr/share usr/share/doc \
	--recursion usr/share/zoneinfo usr/share/doc/tzdata 2>/dev/null || die "tar of a real tree"
"$PY" - "$L/real2.tar" <<'PYEOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    for name in ["usr/share/zoneinfo/.wh.Europe", "usr/share/zoneinfo/America/.wh..wh..opq",
                 "usr/share/zoneinfo/America/Local", "usr/share/zoneinfo/.wh.UTC"]:
        ti = tarfile.TarInfo(name)
        ti.mtime = 1600000000
        data = name.encode()
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
PYEOF
RR=$TEST_TMP/ours-real
assert_ok "a GNU tar layer of a real tree" "$TOOL" "$RR" "$L/real1.tar" "$L/real2.tar"
assert_eq "Local" "$(ls "$RR/usr/share/zoneinfo/America")" "opaque over a real directory"
same_as_umoci real-tree "$RR" "$L/real1.tar" "$L/real2.tar"
