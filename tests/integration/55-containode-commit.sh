#!/usr/bin/env bash
# containode commit and cp.  A node that added, changed and deleted files (and replaced a
# directory: an opaque one) is committed; the new image holds exactly those changes, as the
# same changes made by hand on the base's tree show, file by file, and as umoci unpacks it;
# it runs; it survives save, rmi, prune and load.  cp copies into and out of a running
# node with docker cp's naming, resolves every path inside the node (a symlink to / in the
# node leads to the node's /, never the host's), and unpacks a tar with -a; what it cannot
# do is refused with the reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

MOCKER=$BIN/mocker
PY=/usr/bin/python3
[[ -x $PY ]] || skip "needs Debian's python3"
command -v jq >/dev/null || skip "jq is not installed"
export CONTAINET_STORE=$TEST_TMP/store
detached_setup
mkdir -p "$ROOT"/{etc,data/dir,data/keep}
echo old >"$ROOT/etc/old"
echo before >"$ROOT/etc/changeme"
echo a >"$ROOT/data/dir/a"
echo b >"$ROOT/data/dir/b"
echo k >"$ROOT/data/keep/k"
printf 'root:x:0:0::/root:/bin/sh\n' >"$ROOT/etc/passwd"
"$MOCKER" import -q --change 'ENTRYPOINT ["/bin/sh","-c"]' --change 'CMD ["echo base"]' \
	--change 'ENV FROM=base' "$ROOT" base:1 >/dev/null || die "import base:1"

# What the node does: adds, changes, deletes, replaces a directory, changes a mode.
CHANGES='echo new >/etc/new && echo after >/etc/changeme && rm /etc/old &&
rm -r /data/dir && mkdir /data/dir && echo c >/data/dir/c && chmod 700 /data/keep &&
mkdir -p /srv/www && echo page >/srv/www/index.html && rm /bin/vi'
TOP=$TEST_TMP/top
"$C" run -d -q -N --name c1 -t "$TOP" --image base:1 'exec sleep 1000' >/dev/null || die "run -d c1"
assert_ok "the node makes its changes" "$C" exec c1 /bin/sh -c "$CHANGES"
assert_ok "commit" "$C" commit c1 snap:1
assert_match '^docker.io/library/snap:1@sha256:[0-9a-f]{64}$' "$(cat "$TEST_TMP/last.out")" \
	"commit prints the new image's name and digest"
assert_eq 2 "$("$MOCKER" inspect snap:1 | jq '.rootfs.diff_ids | length')" \
	"the image is the base's layer plus one"
assert_eq '[]' "$("$MOCKER" inspect snap:1 | jq -c .config.Entrypoint)" \
	"a node that ran another command: Entrypoint cleared ..."
assert_eq '["/bin/sh","-c","exec sleep 1000"]' "$("$MOCKER" inspect snap:1 | jq -c .config.Cmd)" \
	"... and its whole command the Cmd"
assert_match '"FROM=base"' "$("$MOCKER" inspect snap:1 | jq -c .config.Env)" "the node's environment"

# The layer itself: whiteouts and an opaque directory as OCI writes them, no mount points.
manifest=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "docker.io/library/snap:1") | .digest' \
	"$CONTAINET_STORE/images/index.json" | cut -d: -f2)
layer=$(jq -r '.layers[-1].digest' "$CONTAINET_STORE/images/blobs/sha256/$manifest" | cut -d: -f2)
entries=$(tar -tzf "$CONTAINET_STORE/images/blobs/sha256/$layer")
assert_match $'(^|\n)etc/\\.wh\\.old($|\n)' "$entries" "a deleted file is a whiteout"
assert_match $'(^|\n)data/dir/\\.wh\\.\\.wh\\.\\.opq($|\n)' "$entries" "a replaced directory is opaque"
assert_no_match 'etc/hosts|etc/hostname|etc/resolv.conf' "$entries" \
	"containode's mount points are not in the layer"

# The same changes made by hand on the base's tree: the committed image is exactly that.
EXP=$TEST_TMP/expected
"$MOCKER" unpack base:1 "$EXP" || die "unpack base:1"
chroot "$EXP" /bin/sh -c "$CHANGES" || die "the changes by hand"
assert_ok "unpack of the committed image" "$MOCKER" unpack snap:1 "$TEST_TMP/got"
"$PY" "$(dirname "$0")/treecmp.py" "$EXP" "$TEST_TMP/got" >"$TEST_TMP/cmp.txt" &&
	ok "the committed image is the base with exactly the node's changes ($(tail -1 "$TEST_TMP/cmp.txt"))" ||
	fail "the committed image differs: $(cat "$TEST_TMP/cmp.txt")"
assert_eq "new after missing c 700 page" "$("$C" -N -q --image snap:1 /bin/sh -c \
	'cat /etc/new /etc/changeme; [ -e /etc/old ] || echo missing; ls /data/dir; stat -c %a /data/keep; cat /srv/www/index.html' 2>/dev/null | xargs)" \
	"a node of the new image sees exactly those changes"

if command -v umoci >/dev/null && command -v skopeo >/dev/null; then
	"$MOCKER" save snap:1 -o "$TEST_TMP/snap.tar" || die "save snap:1"
	skopeo copy -q "oci-archive:$TEST_TMP/snap.tar" "oci:$TEST_TMP/oci:snap" || die "skopeo to oci"
	assert_ok "umoci unpacks the committed image" umoci unpack --image "$TEST_TMP/oci:snap" "$TEST_TMP/bundle"
	"$PY" "$(dirname "$0")/treecmp.py" "$EXP" "$TEST_TMP/bundle/rootfs" >"$TEST_TMP/cmp2.txt" &&
		ok "umoci agrees, file by file" || fail "umoci's tree differs: $(cat "$TEST_TMP/cmp2.txt")"
else
	echo "umoci or skopeo missing: the umoci comparison is left out"
	"$MOCKER" save snap:1 -o "$TEST_TMP/snap.tar" || die "save snap:1"
fi

# save, rmi, prune, load, run again.
assert_ok "stop c1" "$C" stop -t 1 c1
assert_ok "rm c1" "$C" rm c1
assert_ok "rmi of both images" "$MOCKER" rmi snap:1 base:1
assert_ok "prune" "$MOCKER" prune
assert_eq "" "$(ls "$CONTAINET_STORE/images/blobs/sha256")" "the store is empty"
assert_ok "load of the saved image" "$MOCKER" load -i "$TEST_TMP/snap.tar"
assert_eq "new after missing c" "$("$C" -N -q --image snap:1 /bin/sh -c \
	'cat /etc/new /etc/changeme; [ -e /etc/old ] || echo missing; ls /data/dir' 2>/dev/null | xargs)" \
	"after save, rmi, prune and load the image runs with its changes"

# A commit of a commit; a node of a root directory (no image).
"$C" run -d -q -N --name c2 -t "$TEST_TMP/top2" --image snap:1 /bin/sh -c 'echo more >/etc/more; exec sleep 1000' >/dev/null ||
	die "run -d c2"
wait_until 5 test -e "$TEST_TMP/top2/etc/more" || fail "c2 did not write"
assert_ok "commit of a node of a committed image" "$C" commit --change 'CMD cat /etc/more /etc/new' c2 snap:2
assert_eq "more new" "$("$C" -N -q --image snap:2 2>/dev/null | xargs)" "three layers, and --change wins"
assert_eq "base" "$("$C" -N -q --image snap:2 --entrypoint /bin/sh -- -c 'echo $FROM' 2>/dev/null)" \
	"the environment goes along"
"$C" run -d -q -N --name c3 -r "$ROOT" -t "$TEST_TMP/top3" /bin/sh -c 'echo r >/etc/r; exec sleep 1000' >/dev/null ||
	die "run -d c3"
wait_until 5 test -e "$TEST_TMP/top3/etc/r" || fail "c3 did not write"
assert_ok "commit of a node of a root directory" "$C" commit c3 fromroot:1
assert_eq "r old" "$("$C" -N -q --image fromroot:1 /bin/cat /etc/r /etc/old 2>/dev/null | xargs)" \
	"its image is the root with the node's changes"

# What commit refuses.
"$C" run -d -q -N --name mem --image snap:1 /bin/sleep 1000 >/dev/null || die "run -d mem"
before=$(cd "$CONTAINET_STORE" && find images -type f | sort | md5sum)
assert_exit 1 "commit of a node whose upper layer is in memory is refused" "$C" commit mem x:1
assert_match "node 'mem' keeps its changes in memory: run it with -t DIR" "$(cat "$TEST_TMP/last.out")" \
	"the error says what to do"
assert_exit 1 "commit of an unknown node" "$C" commit ghost x:1
assert_match "no node 'ghost'" "$(cat "$TEST_TMP/last.out")" "the error names it"
assert_exit 1 "a bad --change" "$C" commit --change 'RUN x' c2 x:1
assert_match "unknown instruction 'RUN'" "$(cat "$TEST_TMP/last.out")" "mocker's error reaches the caller"
assert_exit 1 "an invalid reference" "$C" commit c2 'Bad:1'
assert_exit 2 "commit without a reference is a usage error" "$C" commit c2
assert_eq "$before" "$(cd "$CONTAINET_STORE" && find images -type f | sort | md5sum)" \
	"no refused commit changed the store"

# --- cp ---
SRC=$TEST_TMP/cpsrc
mkdir -p "$SRC/sub"
echo hello >"$SRC/f"
echo deep >"$SRC/sub/d"
ln -s /etc/passwd "$SRC/link"
chmod 4750 "$SRC/f"
chown 12:34 "$SRC/sub/d"
in_node() { "$C" exec c2 /bin/sh -c "$1"; }
assert_ok "cp of a directory to a new path" "$C" cp "$SRC" c2:/opt
assert_eq "deep 12:34 4750 /etc/passwd" "$(in_node 'cat /opt/sub/d; stat -c %u:%g /opt/sub/d; stat -c %a /opt/f; readlink /opt/link' | xargs)" \
	"it becomes that path, with owners, modes and symlinks"
assert_ok "cp of a directory into an existing one" "$C" cp "$SRC" c2:/opt
assert_eq "hello" "$(in_node 'cat /opt/cpsrc/f')" "it goes inside it, as docker cp"
assert_ok "cp of a file over a file" "$C" cp "$SRC/sub/d" c2:/etc/new
assert_eq "deep" "$(in_node 'cat /etc/new')" "the file is replaced"
assert_ok "cp of SRC/. copies the contents" "$C" cp "$SRC/sub/." c2:/data/dir
assert_eq "c d" "$(in_node 'ls /data/dir' | xargs)" "the contents land in the directory"
mkdir -p "$TEST_TMP/out"
assert_ok "cp out of the node, into a directory" "$C" cp c2:/etc/more "$TEST_TMP/out/"
assert_eq "more" "$(cat "$TEST_TMP/out/more")" "the file arrives on the host"
assert_ok "cp out of a tree, to a new name" "$C" cp c2:/opt "$TEST_TMP/out/opt"
assert_ok "the tree arrives whole" "$PY" "$(dirname "$0")/treecmp.py" "$SRC" "$TEST_TMP/out/opt/cpsrc"
assert_eq "hello deep" "$(cat "$TEST_TMP/out/opt/f" "$TEST_TMP/out/opt/sub/d" | xargs)" "its files"
# Paths resolve in the node: its symlinks to / and /etc lead to its own.
in_node "ln -s / /tmp/root; ln -s /etc /tmp/etc" || fail "symlinks in the node"
canary=canary-$TEST_ID
echo x >"$TEST_TMP/$canary"
assert_ok "cp through a symlink of the node" "$C" cp "$TEST_TMP/$canary" c2:/tmp/etc/
[[ ! -e /etc/$canary ]] && ok "it did not reach the host's /etc" || { rm -f "/etc/$canary"; fail "cp wrote the host's /etc"; }
assert_eq "x" "$(in_node "cat /etc/$canary")" "it reached the node's /etc"
assert_ok "cp out through a symlink of the node" "$C" cp c2:/tmp/root/etc/hostname "$TEST_TMP/out/hn"
assert_eq "c2" "$(cat "$TEST_TMP/out/hn")" "the node's file, not the host's"
# cp -a: a tar unpacked into a directory of the node.
tar -C "$SRC" -czf "$TEST_TMP/t.tgz" .
in_node 'mkdir /unpacked' || fail "mkdir"
assert_ok "cp -a of a tar into a node's directory" "$C" cp -a "$TEST_TMP/t.tgz" c2:/unpacked
assert_eq "f link sub deep" "$(in_node 'ls /unpacked; cat /unpacked/sub/d' | xargs)" "the tar is unpacked there"
assert_ok "cp -a of a tar from standard input" sh -c "'$C' cp -a - c2:/tmp/root/unpacked <'$TEST_TMP/t.tgz'"
"$PY" - "$TEST_TMP/evil.tar" <<'PYEOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    ti = tarfile.TarInfo("../../escaped"); ti.size = 2
    t.addfile(ti, io.BytesIO(b"x\n"))
PYEOF
assert_exit 1 "a tar with .. is refused" "$C" cp -a "$TEST_TMP/evil.tar" c2:/unpacked
assert_match '\.\.' "$(cat "$TEST_TMP/last.out")" "the error says why"
assert_eq "" "$(in_node 'ls /escaped 2>/dev/null')" "nothing landed outside the directory"
# What cp refuses.
assert_exit 1 "cp from a missing path" "$C" cp c2:/no/such "$TEST_TMP/out/x"
assert_match "source 'c2:/no/such': No such file" "$(cat "$TEST_TMP/last.out")" "the error names it"
assert_exit 1 "cp of a directory over a file" "$C" cp "$SRC" c2:/etc/more
assert_exit 1 "cp -a into a missing directory" "$C" cp -a "$TEST_TMP/t.tgz" c2:/nowhere
assert_exit 2 "cp between two host paths is a usage error" "$C" cp "$SRC" "$TEST_TMP/x"
assert_exit 2 "cp -a out of a node is a usage error" "$C" cp -a c2:/etc "$TEST_TMP/x"
assert_ok "stop c2" "$C" stop -t 1 c2
assert_exit 1 "cp into a stopped node" "$C" cp "$SRC/f" c2:/tmp/
assert_match "node 'c2' is exited" "$(cat "$TEST_TMP/last.out")" "the error says so"
