#!/usr/bin/env bash
# mocker import and tag: a root filesystem (directory, compressed tar, tar on stdin) becomes
# a one-layer image of this machine's platform whose tree is the source's, with the config
# of --change as `docker import --change` takes it; containode runs it; tag names it again.
# Bad input of every kind is refused with the word named and the store untouched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

MOCKER=$BIN/mocker
PY=/usr/bin/python3
[[ -x $PY ]] || skip "needs Debian's python3"
command -v jq >/dev/null || skip "needs jq"
export CONTAINET_STORE=$TEST_TMP/store
STORE=$CONTAINET_STORE
ROOT=$TEST_TMP/root
make_root "$ROOT"
# Every kind of entry a root holds: modes, owners, hard links, symlinks, devices, a fifo,
# xattrs, a sparse file, an empty directory.
mkdir -p "$ROOT"/{etc,srv/www,empty} "$ROOT/home/app"
echo 'root:x:0:0::/root:/bin/sh' >"$ROOT/etc/passwd"
echo 'app:x:1001:1002::/home/app:/bin/sh' >>"$ROOT/etc/passwd"
printf 'root:x:0:\napp:x:1002:\n' >"$ROOT/etc/group"
echo hello >"$ROOT/srv/www/index.html"
ln "$ROOT/srv/www/index.html" "$ROOT/srv/www/hard"
ln -s ../srv/www "$ROOT/etc/www"
chown 1001:1002 "$ROOT/home/app"
chmod 0700 "$ROOT/home/app"
cp "$ROOT/bin/busybox" "$ROOT/bin/suid" && chmod 4755 "$ROOT/bin/suid"
chmod 1777 "$ROOT/tmp"
mknod "$ROOT/dev/null" c 1 3 && chmod 666 "$ROOT/dev/null"
mkfifo "$ROOT/srv/fifo"
truncate -s 1M "$ROOT/srv/sparse" && echo end >>"$ROOT/srv/sparse"
setfattr -n user.note -v kept "$ROOT/srv/www/index.html" 2>/dev/null || true

inspect() { "$MOCKER" inspect "$1" | jq -c "$2"; }
# The store's index and blobs, to show that a refused import leaves them as they were.
store_state() { (cd "$STORE" && find images rootfs -maxdepth 3 -printf '%p %s\n' | sort | md5sum); }

# A directory, with changes of every kind.
assert_ok "import of a directory" "$MOCKER" import "$ROOT" app:1 \
	--change 'ENTRYPOINT ["/bin/sh","-c"]' --change 'CMD ["echo $GREETING from $(pwd) as $(id -un)"]' \
	--change 'ENV GREETING=hello PATH=/bin:/usr/bin' --change 'ENV LONG with spaces kept' \
	--change 'WORKDIR /srv' --change 'WORKDIR www' --change 'USER app' \
	--change 'EXPOSE 80 53/udp' --change 'LABEL a=1 "b c"="d e"' --change 'STOPSIGNAL SIGINT' \
	--change 'VOLUME /data'
assert_match '^docker.io/library/app:1@sha256:[0-9a-f]{64}$' "$(cat "$TEST_TMP/last.out")" \
	"import prints the name and the manifest digest"
assert_eq '["/bin/sh","-c"]' "$(inspect app:1 .config.Entrypoint)" "ENTRYPOINT in exec form"
assert_eq '["echo $GREETING from $(pwd) as $(id -un)"]' "$(inspect app:1 .config.Cmd)" "CMD"
assert_eq '["GREETING=hello","PATH=/bin:/usr/bin","LONG=with spaces kept"]' \
	"$(inspect app:1 .config.Env)" "ENV in both forms"
assert_eq '"/srv/www"' "$(inspect app:1 .config.WorkingDir)" "a relative WORKDIR goes on the one before"
assert_eq '"app"' "$(inspect app:1 .config.User)" "USER"
assert_eq '{"80/tcp":{},"53/udp":{}}' "$(inspect app:1 .config.ExposedPorts)" "EXPOSE"
assert_eq '{"a":"1","b c":"d e"}' "$(inspect app:1 .config.Labels)" "LABEL with quotes"
assert_eq '"SIGINT"' "$(inspect app:1 .config.StopSignal)" "STOPSIGNAL"
assert_eq '{"/data":{}}' "$(inspect app:1 .config.Volumes)" "VOLUME"
arch=$(uname -m)
case $arch in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; esac
assert_eq "\"linux\" \"$arch\"" "$(inspect app:1 .os) $(inspect app:1 .architecture)" \
	"the platform of this machine"
assert_eq 1 "$(inspect app:1 '.rootfs.diff_ids | length')" "one layer"

# The tree is the source's, file by file.
assert_ok "unpack of the imported image" "$MOCKER" unpack app:1 "$TEST_TMP/out1"
assert_ok "the image's tree is the directory's" "$PY" "$(dirname "$0")/treecmp.py" "$ROOT" "$TEST_TMP/out1"
assert_eq "1048580" "$(stat -c %s "$TEST_TMP/out1/srv/sparse")" "a sparse file keeps its size"

# containode runs it with that config.
out=$("$CONTAINODE" -N -q --image app:1 2>"$TEST_TMP/node.err") || true
assert_eq "hello from /srv/www as app" "$out" "containode runs the imported image with its config"
assert_eq "with spaces kept" "$("$CONTAINODE" -N -q --image app:1 'echo $LONG' 2>/dev/null)" \
	"ARGS replace the imported Cmd"

# The same tree again: the same layer, byte for byte (no time in the gzip header).
layer() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][0]["digest"])' \
	"$STORE/images/blobs/sha256/$(inspect_digest "$1")"; }
inspect_digest() { jq -r --arg n "docker.io/library/$1" \
	'.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $n) | .digest | sub("sha256:"; "")' \
	"$STORE/images/index.json"; }
assert_ok "a second import of the same tree" "$MOCKER" import "$ROOT" app:2
assert_eq "$(layer app:1)" "$(layer app:2)" "the same tree makes the same layer blob"

# A compressed tar, and a tar on standard input.
tar -C "$ROOT" --xattrs -cJf "$TEST_TMP/root.tar.xz" .
assert_ok "import of an xz tar" "$MOCKER" import "$TEST_TMP/root.tar.xz" app:xz
assert_ok "unpack of it" "$MOCKER" unpack app:xz "$TEST_TMP/out2"
assert_ok "the tar's image has the directory's tree" "$PY" "$(dirname "$0")/treecmp.py" "$ROOT" "$TEST_TMP/out2"
tar -C "$ROOT" -cf - . | "$MOCKER" import --change 'CMD ["/bin/echo","from stdin"]' - app:stdin \
	>"$TEST_TMP/last.out" 2>&1 && ok "import from standard input" || fail "import -: $(cat "$TEST_TMP/last.out")"
assert_eq "from stdin" "$("$CONTAINODE" -N -q --image app:stdin 2>/dev/null)" "it runs"
# A tar with absolute names, as tar -P writes them: relative in the layer.
tar -C / -cPf "$TEST_TMP/abs.tar" "$ROOT/bin/busybox" 2>/dev/null
assert_ok "a tar with absolute names imports" "$MOCKER" import --no-unpack "$TEST_TMP/abs.tar" app:abs
assert_ok "its names are relative" "$MOCKER" unpack app:abs "$TEST_TMP/out3"
[[ -f $TEST_TMP/out3$ROOT/bin/busybox ]] && ok "absolute names land below the root" ||
	fail "no $TEST_TMP/out3$ROOT/bin/busybox"

# tag: one more name for the same manifest; containode runs it by that name.
assert_ok "tag" "$MOCKER" tag app:stdin localhost:5000/team/app:v2
assert_eq "$(inspect_digest app:stdin)" "$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "localhost:5000/team/app:v2") | .digest | sub("sha256:"; "")' "$STORE/images/index.json")" \
	"the tag names the same manifest"
assert_eq "from stdin" "$("$CONTAINODE" -N -q --image localhost:5000/team/app:v2 2>/dev/null)" \
	"containode runs the image by its new tag"
short=$(inspect_digest app:1 | cut -c1-12)
assert_ok "tag by digest prefix" "$MOCKER" tag "$short" app:again
assert_eq "$(inspect_digest app:1)" "$(inspect_digest app:again)" "a digest prefix names the source"
assert_ok "tag over an existing tag moves it" "$MOCKER" tag app:1 app:stdin
assert_eq "$(inspect_digest app:1)" "$(inspect_digest app:stdin)" "the tag now names the other image"

# Refusals: each says what is wrong, exits 1 (2 for usage), and the store stays as it was.
before=$(store_state)
refused() { # CODE REGEX DESCRIPTION CMD...
	local code=$1 re=$2 d=$3
	shift 3
	assert_exit "$code" "$d is refused" "$@"
	assert_match "$re" "$(cat "$TEST_TMP/last.out")" "$d: the error says why"
}
refused 1 "unknown instruction 'RUN'" "an unknown --change instruction" \
	"$MOCKER" import "$ROOT" bad:1 --change 'RUN rm -rf /'
refused 1 "EXPOSE: invalid port '99999'" "a bad EXPOSE port" "$MOCKER" import "$ROOT" bad:1 --change 'EXPOSE 99999'
refused 1 "ENV: 'x' is not KEY=VALUE" "an ENV word without =" "$MOCKER" import "$ROOT" bad:1 --change 'ENV A=1 x'
refused 1 "unterminated \" quote" "an unterminated quote" "$MOCKER" import "$ROOT" bad:1 --change 'LABEL a="b'
refused 1 "CMD needs an argument" "an empty CMD" "$MOCKER" import "$ROOT" bad:1 --change 'CMD'
refused 1 "USER takes one word" "USER with two words" "$MOCKER" import "$ROOT" bad:1 --change 'USER a b'
refused 1 "invalid reference 'Bad:1'" "an invalid reference" "$MOCKER" import "$ROOT" Bad:1
refused 1 "a tag, not a digest" "a digest as the new name" \
	"$MOCKER" import "$ROOT" "bad@sha256:$(printf '%064d' 0)"
refused 1 "import '$TEST_TMP/nothing': No such file" "a missing source" \
	"$MOCKER" import "$TEST_TMP/nothing" bad:1
refused 2 "import needs a source" "import without a reference" "$MOCKER" import "$ROOT"
refused 2 "options of import" "--change on another command" "$MOCKER" images --change 'CMD x'
echo "not a tar" >"$TEST_TMP/junk"
refused 1 "import $TEST_TMP/junk as docker.io/library/bad:1: $TEST_TMP/junk: " "a file that is no tar" \
	"$MOCKER" import "$TEST_TMP/junk" bad:1
"$PY" - "$TEST_TMP/evil.tar" <<'PYEOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    for name in ["ok", "../escape"]:
        ti = tarfile.TarInfo(name); ti.size = 2
        t.addfile(ti, io.BytesIO(b"x\n"))
PYEOF
refused 1 "entry '../escape' refused" "a tar entry with .." "$MOCKER" import "$TEST_TMP/evil.tar" bad:1
"$PY" - "$TEST_TMP/evil2.tar" <<'PYEOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    ti = tarfile.TarInfo("l"); ti.type = tarfile.LNKTYPE; ti.linkname = "../../etc/shadow"
    t.addfile(ti)
PYEOF
refused 1 "hard link 'l' to '../../etc/shadow' refused" "a hard link out of the root" \
	"$MOCKER" import "$TEST_TMP/evil2.tar" bad:1
head -c 3000 "$TEST_TMP/root.tar.xz" >"$TEST_TMP/cut.tar.xz"
refused 1 "import $TEST_TMP/cut.tar.xz" "a truncated tar" "$MOCKER" import "$TEST_TMP/cut.tar.xz" bad:1
refused 1 "image 'ghost' is not in the store" "tag of a missing image" "$MOCKER" tag ghost bad:1
refused 1 "invalid reference 'UP'" "tag to an invalid name" "$MOCKER" tag app:1 UP
refused 2 "tag needs" "tag with one argument" "$MOCKER" tag app:1
assert_eq "$before" "$(store_state)" "no refused import or tag changed the store"
assert_eq "" "$(ls -A "$STORE/tmp")" "no temp file is left"
assert_fails "no image named bad:1" "$MOCKER" inspect bad:1
