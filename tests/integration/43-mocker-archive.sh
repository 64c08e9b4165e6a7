#!/usr/bin/env bash
# mocker save and load: an OCI archive that skopeo reads, loaded back with the same
# digests into another store, where containode runs it; docker save archives (written by
# skopeo's docker-archive) too; rmi, prune, load, run; and hostile archives (a blob that
# is not its digest, names and links out of the archive, huge declared sizes, missing
# blobs, layers that are not their diff_id) refused with the reason, leaving the store as
# it was.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

MOCKER=$BIN/mocker
PY=/usr/bin/python3
[[ -x $PY ]] || skip "needs Debian's python3"
command -v jq >/dev/null || skip "needs jq"
command -v skopeo >/dev/null || skip "needs skopeo"
export CONTAINET_STORE=$TEST_TMP/store
STORE=$CONTAINET_STORE
ROOT=$TEST_TMP/root
make_root "$ROOT"
echo one >"$ROOT/etc/one"
mkdir -p "$TEST_TMP/extra/srv"
echo two >"$TEST_TMP/extra/srv/two"
"$MOCKER" import -q --change 'CMD ["/bin/cat","/etc/one"]' "$ROOT" arc:1 >/dev/null || die "import arc:1"
"$MOCKER" import -q --base arc:1 --change 'CMD ["/bin/cat","/srv/two"]' "$TEST_TMP/extra" \
	localhost:5000/team/arc:2 >/dev/null || die "import arc:2"

digest_of() { # STORE NAME
	jq -r --arg n "$2" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $n) | .digest' \
		"$1/images/index.json"
}
D1=$(digest_of "$STORE" docker.io/library/arc:1)
D2=$(digest_of "$STORE" localhost:5000/team/arc:2)
store_state() { (cd "$1" && find images rootfs -maxdepth 3 -printf '%p %s\n' | sort | md5sum); }

# save: one archive with both images; skopeo reads it, by either name.
A=$TEST_TMP/arc.tar
assert_ok "save of two images" "$MOCKER" save arc:1 localhost:5000/team/arc:2 -o "$A"
assert_ok "skopeo copies the first image out of the archive" \
	skopeo copy -q "oci-archive:$A:docker.io/library/arc:1" "dir:$TEST_TMP/sk1"
assert_ok "skopeo copies the second" \
	skopeo copy -q "oci-archive:$A:localhost:5000/team/arc:2" "dir:$TEST_TMP/sk2"
assert_eq 2 "$(jq '.layers | length' "$TEST_TMP/sk2/manifest.json")" "the second has both layers"
assert_eq '["/bin/cat","/srv/two"]' "$(jq -c .config.Cmd "$TEST_TMP/sk2/$(jq -r .config.digest "$TEST_TMP/sk2/manifest.json" | cut -d: -f2)")" \
	"skopeo sees the config"
assert_eq "" "$(ls "$TEST_TMP" | grep 'arc.tar.tmp' || true)" "no temp file beside the archive"
shared=$(tar -tf "$A" | grep -c "blobs/sha256/$(jq -r '.layers[0].digest' "$TEST_TMP/sk2/manifest.json" | cut -d: -f2)")
assert_eq 1 "$shared" "a layer both images share is in the archive once"
assert_exit 1 "save of an image that is not stored" "$MOCKER" save arc:1 ghost -o "$TEST_TMP/no.tar"
assert_match "image 'ghost' is not in the store" "$(cat "$TEST_TMP/last.out")" "the error names it"
[[ ! -e $TEST_TMP/no.tar ]] && ok "and no archive is written" || fail "a partial archive"
"$MOCKER" save arc:1 >"$TEST_TMP/stdout.tar" && ok "save to standard output" || fail "save to stdout"

# load into another store: the same digests; containode runs them.
S2=$TEST_TMP/store2
assert_ok "load of the archive into a new store" "$MOCKER" --store "$S2" load -i "$A"
assert_match "Loaded image: docker.io/library/arc:1" "$(cat "$TEST_TMP/last.out")" "load names what it loaded"
assert_eq "$D1 $D2" "$(digest_of "$S2" docker.io/library/arc:1) $(digest_of "$S2" localhost:5000/team/arc:2)" \
	"the loaded images have the saved digests"
assert_eq "two" "$(CONTAINET_STORE=$S2 "$CONTAINODE" -N -q --image localhost:5000/team/arc:2 2>/dev/null)" \
	"containode runs the loaded image"
assert_ok "unpack of the source image" "$MOCKER" unpack localhost:5000/team/arc:2 "$TEST_TMP/u1"
assert_ok "unpack of the loaded one" "$MOCKER" --store "$S2" unpack localhost:5000/team/arc:2 "$TEST_TMP/u2"
assert_ok "the same tree" "$PY" "$(dirname "$0")/treecmp.py" "$TEST_TMP/u1" "$TEST_TMP/u2"
before=$(store_state "$S2")
assert_ok "a second load of the same archive" "$MOCKER" --store "$S2" load -i "$A"
assert_eq "$before" "$(store_state "$S2")" "changes nothing"
gzip -c "$A" | "$MOCKER" --store "$TEST_TMP/store3" load >"$TEST_TMP/last.out" 2>&1 &&
	ok "load of a gzip archive from standard input" || fail "load from stdin: $(cat "$TEST_TMP/last.out")"
assert_eq "$D1" "$(digest_of "$TEST_TMP/store3" docker.io/library/arc:1)" "... with its digests"

# A single-platform image of another platform than --platform's: loaded, and said.
arch=$(uname -m)
case $arch in x86_64) arch=amd64 other=linux/arm64 ;; *) other=linux/amd64 ;; esac
assert_ok "load --platform of an image of another platform" "$MOCKER" --store "$TEST_TMP/store5" \
	--platform "$other" load -i "$A"
assert_match "is linux/$arch, not the $other(/v8)? asked for; loaded as it is" "$(cat "$TEST_TMP/last.out")" \
	"a warning says the platforms differ"
"$MOCKER" --store "$TEST_TMP/store6" load -i "$A" >"$TEST_TMP/last.out" 2>&1
assert_no_match "asked for" "$(cat "$TEST_TMP/last.out")" "no warning for this machine's platform"

# A docker save archive, as skopeo's docker-archive writes it (layers as <id>.tar with
# symlinks to them, config <hex>.json, RepoTags).
DA=$TEST_TMP/docker.tar
skopeo copy -q "oci-archive:$A:localhost:5000/team/arc:2" "docker-archive:$DA:team/arc:docker" ||
	die "skopeo docker-archive"
S4=$TEST_TMP/store4
assert_ok "load of a docker save archive" "$MOCKER" --store "$S4" load -i "$DA"
assert_match "Loaded image: docker.io/team/arc:docker" "$(cat "$TEST_TMP/last.out")" "named by its RepoTags"
assert_eq "two" "$(CONTAINET_STORE=$S4 "$CONTAINODE" -N -q --image team/arc:docker 2>/dev/null)" \
	"containode runs the image of a docker save archive"
assert_eq '["/bin/cat","/srv/two"]' "$("$MOCKER" --store "$S4" inspect team/arc:docker | jq -c .config.Cmd)" \
	"its config"

# rmi, prune, load, run: the archive brings back what prune removed.
assert_ok "rmi of both" "$MOCKER" rmi arc:1 localhost:5000/team/arc:2
assert_ok "prune" "$MOCKER" prune
assert_eq "" "$(ls "$STORE/images/blobs/sha256")" "prune removed every blob"
assert_ok "load after prune" "$MOCKER" load -i "$A"
assert_eq "one" "$("$CONTAINODE" -N -q --image arc:1 2>/dev/null)" "the reloaded image runs"

# Hostile archives.  Each is refused with its reason; the store stays as it was.
H=$TEST_TMP/hostile
mkdir -p "$H"
"$PY" - "$A" "$H" <<'PYEOF'
import hashlib, io, json, sys, tarfile
src, out = sys.argv[1], sys.argv[2]
members = {}
with tarfile.open(src) as t:
    for m in t.getmembers():
        members[m.name] = t.extractfile(m).read()
index = json.loads(members["index.json"])
man = json.loads(members["blobs/sha256/" + index["manifests"][0]["digest"][7:]])
layer = man["layers"][0]["digest"][7:]
config = man["config"]["digest"][7:]

def write(name, files, extra=()):
    with tarfile.open(f"{out}/{name}.tar", "w") as t:
        for n, data in files.items():
            ti = tarfile.TarInfo(n); ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        for ti in extra:
            t.addfile(ti)

def sha(b): return hashlib.sha256(b).hexdigest()

# A layer whose bytes are not its digest.
bad = dict(members)
lb = bytearray(members["blobs/sha256/" + layer])
lb[len(lb) // 2] ^= 0xff
bad["blobs/sha256/" + layer] = bytes(lb)
write("bad-digest", bad)
# A config of another size than its descriptor says (same digest impossible: a manifest
# claims a size the blob has not).
m2 = dict(man); m2["config"] = dict(man["config"], size=man["config"]["size"] + 1)
mb = json.dumps(m2).encode()
sz = dict(members); sz["blobs/sha256/" + sha(mb)] = mb
sz["index.json"] = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": man["mediaType"],
    "digest": "sha256:" + sha(mb), "size": len(mb), "annotations": {"org.opencontainers.image.ref.name": "evil:size"}}]}).encode()
write("bad-size", sz)
# Names out of the archive.
write("dotdot", dict(members, **{"../evil": b"x"}))
write("absolute", dict(members, **{"/etc/evil": b"x"}))
link = tarfile.TarInfo("blobs/sha256/" + "e" * 64); link.type = tarfile.SYMTYPE
link.linkname = "../../../etc/passwd"
write("symlink-out", members, [link])
# A layer the archive lacks.
miss = dict(members); del miss["blobs/sha256/" + layer]
write("missing", miss)
# Neither index.json nor manifest.json.
write("neither", {"hello": b"world"})
# A layer declared bigger than any image may be.
m3 = dict(man); m3["layers"] = [dict(man["layers"][0], size=1 << 45)]
mb3 = json.dumps(m3).encode()
huge = dict(members); huge["blobs/sha256/" + sha(mb3)] = mb3
huge["index.json"] = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": man["mediaType"],
    "digest": "sha256:" + sha(mb3), "size": len(mb3)}]}).encode()
write("huge-descriptor", huge)
# A docker save manifest.json whose layer leaves the archive, and one whose uncompressed
# layer is not the config's diff_id.
write("docker-dotdot", {"manifest.json": json.dumps([{"Config": "c.json",
    "RepoTags": ["evil:1"], "Layers": ["../../etc/passwd"]}]).encode(),
    "c.json": members["blobs/sha256/" + config]})
fake = b"not the layer" + b"\0" * 1024
write("docker-diffid", {"manifest.json": json.dumps([{"Config": "c.json",
    "RepoTags": ["evil:1"], "Layers": ["l.tar"]}]).encode(),
    "c.json": members["blobs/sha256/" + config], "l.tar": fake})
# A member whose header declares 2^50 bytes (GNU base-256 size field).
with tarfile.open(f"{out}/huge-member.tar", "w", format=tarfile.GNU_FORMAT) as t:
    ti = tarfile.TarInfo("blobs/sha256/" + "f" * 64); ti.size = 4
    t.addfile(ti, io.BytesIO(b"abcd"))
raw = bytearray(open(f"{out}/huge-member.tar", "rb").read())
raw[124:136] = b"\x80" + (1 << 50).to_bytes(11, "big")
raw[148:156] = b" " * 8
raw[148:156] = b"%06o\0 " % sum(raw[0:512])
open(f"{out}/huge-member.tar", "wb").write(raw)
PYEOF
head -c 20000 "$A" >"$H/truncated.tar"

before=$(store_state "$STORE")
refused() { # NAME REGEX DESCRIPTION
	assert_exit 1 "$3 is refused" "$MOCKER" load -i "$H/$1.tar"
	assert_match "$2" "$(cat "$TEST_TMP/last.out")" "$3: the error says why"
}
refused bad-digest "layer sha256:[0-9a-f]{64}: the blob holds sha256:" "a blob that is not its digest"
refused bad-size "config sha256:[0-9a-f]{64}: the blob is [0-9]+ bytes, its descriptor says" "a blob of another size"
refused dotdot "member '../evil' refused" "a member named with .."
refused absolute "member '/etc/evil' refused: absolute name" "an absolute member name"
refused symlink-out "symlink 'blobs/sha256/e+' to '../../../etc/passwd' refused: leaves the archive" \
	"a symlink out of the archive"
refused missing "layer sha256:[0-9a-f]{64} is not in the archive" "a missing layer"
refused neither "neither index.json .* nor manifest.json" "an archive of no image"
refused huge-descriptor "layer sha256:[0-9a-f]{64} declares 35184372088832 bytes" "a layer descriptor of 32 TiB"
refused huge-member "member 'blobs/sha256/f+' declares 1125899906842624 bytes, more than" \
	"a member header of 1 PiB"
refused docker-dotdot "Layers '../../etc/passwd' of image 1: \"\\.\\.\" component" "a docker layer path with .."
refused docker-diffid "layer 'l.tar' is sha256:[0-9a-f]{64}, but the config says" \
	"a docker layer that is not its diff_id"
refused truncated "load $H/truncated.tar: " "a truncated archive"
assert_exit 1 "a missing archive is refused" "$MOCKER" load -i "$H/nothing.tar"
assert_match "nothing.tar" "$(cat "$TEST_TMP/last.out")" "the error names the file"
assert_exit 2 "load with an argument is a usage error" "$MOCKER" load "$A"
assert_eq "$before" "$(store_state "$STORE")" "no hostile archive changed the store"
assert_eq "" "$(ls -A "$STORE/tmp")" "nothing is left in the store's tmp/"
[[ ! -e /etc/evil ]] && ok "nothing was written outside the store" || fail "/etc/evil exists"
assert_eq "one" "$("$CONTAINODE" -N -q --image arc:1 2>/dev/null)" "the stored image still runs"
