#!/usr/bin/env bash
# mocker against a plain docker-registry on 127.0.0.1: pull (gzip, zstd and uncompressed
# layers, by tag and by digest), images, inspect, rootfs, unpack, rmi, prune, the store as
# an OCI layout that skopeo and umoci read, and the CLI's usage errors.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry.sh"

registry_start
image_build "$TEST_TMP/bb" busybox
image_build "$TEST_TMP/bbz" busybox --compress zstd
image_build "$TEST_TMP/bbraw" busybox --compress none
image_build "$TEST_TMP/layers" layers
image_push "$TEST_TMP/bb" test/busybox:v1
image_push "$TEST_TMP/bbz" test/busybox:zstd
image_push "$TEST_TMP/bbraw" test/busybox:raw
image_push "$TEST_TMP/layers" test/layers:v1
export CONTAINET_STORE=$TEST_TMP/store
STORE=$CONTAINET_STORE

# Output that is not a terminal: nothing but the digest line.
want=$(manifest_digest_of test/busybox:v1)
assert_exit 0 "pull a single-layer image" "$MOCKER" pull "$REG/test/busybox:v1"
assert_eq "$REG/test/busybox:v1@sha256:$want" "$(cat "$TEST_TMP/last.out")" \
	"pull prints only the reference and the registry's manifest digest"
assert_ok "the store is a valid OCI layout with every blob intact" store_valid "$STORE"

out=$("$MOCKER" images)
assert_match "$REG/test/busybox:v1 +${want:0:12} +[0-9.]+ [kM]B +2024-01-02T03:04:05" "$out" \
	"images shows reference, short digest, size and creation time"
assert_eq "$REG/test/busybox:v1" "$("$MOCKER" images -q)" "images -q lists references only"

cfg=$("$MOCKER" inspect "$REG/test/busybox:v1")
assert_eq '["/bin/sh", "-c"]|["echo hello from the image"]|["PATH=/bin", "GREETING=hello world"]|/home/user|1000:1000' \
	"$($PY -c 'import json,sys; c=json.load(sys.stdin)["config"]; print("|".join(json.dumps(c[k]) if isinstance(c[k], list) else c[k] for k in ("Entrypoint","Cmd","Env","WorkingDir","User")))' <<<"$cfg")" \
	"inspect prints the image config: Entrypoint, Cmd, Env, WorkingDir, User"

root=$("$MOCKER" rootfs "$REG/test/busybox:v1")
assert_eq "$STORE/rootfs/$want" "$root" "rootfs is the unpacked tree of the manifest"
assert_ok "the image's busybox is Debian's" cmp /bin/busybox "$root/bin/busybox"
assert_eq "hi" "$(chroot "$root" /bin/sh -c 'echo hi')" "the root filesystem runs"
if [[ -x $BIN/containode ]]; then
	assert_eq "from the image" "$("$BIN/containode" -r "$root" --ephemeral -N -q -- \
		/bin/echo from the image 2>&1)" "containode runs the image from mocker rootfs"
fi
assert_eq "" "$(ls -A "$STORE/tmp")" "no temp files are left behind"

# Pulling by digest, and again: no blob is rewritten.
ls -li --time-style=full-iso "$STORE/images/blobs/sha256" >"$TEST_TMP/blobs.before"
assert_exit 0 "pull by digest" "$MOCKER" pull "$REG/test/busybox@sha256:$want"
assert_exit 0 "pull the same image again" "$MOCKER" pull -q "$REG/test/busybox:v1"
ls -li --time-style=full-iso "$STORE/images/blobs/sha256" >"$TEST_TMP/blobs.after"
assert_ok "a second pull leaves every blob untouched" cmp "$TEST_TMP/blobs.before" "$TEST_TMP/blobs.after"

# zstd and uncompressed layers give the same tree as gzip.
tree() { (cd "$1" && find . -printf '%p %y %m %U %G %s %l\n' | sort); }
for t in zstd raw; do
	assert_exit 0 "pull an image with $t layers" "$MOCKER" pull "$REG/test/busybox:$t"
	r=$("$MOCKER" rootfs "$REG/test/busybox:$t")
	assert_eq "$(tree "$root")" "$(tree "$r")" "$t layers unpack to the same tree as gzip"
done

# unpack: a plain copy, equal to the rootfs.
assert_exit 0 "pull a multi-layer image" "$MOCKER" pull "$REG/test/layers:v1"
lroot=$("$MOCKER" rootfs "$REG/test/layers:v1")
assert_exit 0 "unpack into a new directory" "$MOCKER" unpack "$REG/test/layers:v1" "$TEST_TMP/copy"
assert_eq "$(tree "$lroot")" "$(tree "$TEST_TMP/copy")" "unpack gives the same tree as rootfs"
assert_exit 1 "unpack refuses a directory that is not empty" \
	"$MOCKER" unpack "$REG/test/layers:v1" "$TEST_TMP/copy"

# The store is an OCI layout for the other tools.
assert_match "\"Digest\": \"sha256:$want\"" \
	"$(skopeo inspect "oci:$STORE/images:$REG/test/busybox:v1" 2>&1)" \
	"skopeo inspects the image mocker stored"
if umoci unpack --image "$STORE/images:$REG/test/busybox:v1" "$TEST_TMP/bundle" \
	>"$TEST_TMP/umoci.log" 2>&1; then
	assert_eq "$(tree "$root")" "$(tree "$TEST_TMP/bundle/rootfs")" \
		"umoci unpacks mocker's store to the same tree"
else
	fail "umoci unpack of mocker's store: $(tail -n 3 "$TEST_TMP/umoci.log")"
fi

# On a terminal: one progress line per blob with bytes and rate, and a total.
if command -v script >/dev/null; then
	script -qec "'$MOCKER' pull --store '$TEST_TMP/tty' '$REG/test/layers:v1'" /dev/null \
		>"$TEST_TMP/tty.out" 2>&1 || true
	out=$(tr '\r' '\n' <"$TEST_TMP/tty.out" | sed 's/\x1b\[[0-9]*[AK]//g' | grep -v '^$')
	assert_match "sha256:[0-9a-f]{12} +done +[0-9.]+ [kM]?B / [0-9.]+ [kM]?B +[0-9.]+ [kMG]?B/s" "$out" \
		"a terminal gets a progress line per blob with bytes and rate"
	assert_match "total +[0-9.]+ [kM]?B / [0-9.]+ [kM]?B" "$out" "and a total"
	assert_eq 4 "$(tail -n 6 <<<"$out" | grep -c ' done ')" "one line for the config and each of 3 layers"
	assert_match "$REG/test/layers:v1@sha256:" "$out" "and the digest line at the end"
	assert_eq "-q" "$(script -qec "'$MOCKER' pull -q --store '$TEST_TMP/tty' '$REG/test/layers:v1'" /dev/null |
		grep -c total | sed 's/^0$/-q/')" "-q shows no progress on a terminal"
fi

# rmi and prune.
assert_exit 0 "rmi a reference" "$MOCKER" rmi "$REG/test/busybox:raw"
assert_no_match "test/busybox:raw" "$("$MOCKER" images -q)" "the removed reference is gone"
assert_exit 1 "rmi of an unknown reference fails" "$MOCKER" rmi "$REG/test/none:x"
n_before=$(ls "$STORE/images/blobs/sha256" | wc -l)
mkdir "$root.someid" # what containode -r leaves beside a rootfs: not mocker's
assert_exit 0 "prune" "$MOCKER" prune
n_after=$(ls "$STORE/images/blobs/sha256" | wc -l)
assert_eq "$((n_before - 2))" "$n_after" "prune removes the layer and manifest only the removed image used"
assert_ok "the store is still valid after prune" store_valid "$STORE"
assert_ok "rootfs of the kept images survive prune" test -x "$root/bin/busybox"
assert_ok "prune leaves other programs' directories alone" test -d "$root.someid"
assert_exit 0 "prune again removes nothing" "$MOCKER" prune
assert_match "^0 blob\(s\) and 0 root" "$(tail -n 1 "$TEST_TMP/last.out")" "a second prune finds nothing"
"$MOCKER" rmi "$REG/test/busybox:zstd" >/dev/null
"$MOCKER" prune -q
assert_ok "prune removes unreferenced root filesystems" test ! -e "$STORE/rootfs/$(manifest_digest_of test/busybox:zstd)"

# An image of one platform (no index to pick from) that is not --platform's: pulled, and said.
assert_exit 0 "pull --platform of a single-platform image of another platform" "$MOCKER" \
	--store "$TEST_TMP/pstore" --platform linux/arm64 pull "$REG/test/busybox:v1"
assert_match "is linux/amd64, not the linux/arm64(/v8)? asked for; pulled as it is" \
	"$(cat "$TEST_TMP/last.out")" "a warning says the platforms differ"
assert_eq "$REG/test/busybox:v1" "$("$MOCKER" --store "$TEST_TMP/pstore" images -q)" "and stored"

# A store that does not exist yet reads as empty.
assert_eq "REFERENCE DIGEST SIZE CREATED" "$("$MOCKER" --store "$TEST_TMP/none" images | tr -s ' ')" \
	"images on a store that does not exist lists nothing"
assert_exit 0 "prune on a store that does not exist" "$MOCKER" --store "$TEST_TMP/none" prune
assert_exit 1 "inspect on a store that does not exist" "$MOCKER" --store "$TEST_TMP/none" inspect x
assert_ok "read-only commands create no store" test ! -e "$TEST_TMP/none"

# Errors and the command line.
assert_exit 1 "a tag the registry lacks" "$MOCKER" pull "$REG/test/busybox:nope"
assert_match "not found" "$(cat "$TEST_TMP/last.out")" "the error says not found"
assert_exit 1 "an image not in the store" "$MOCKER" rootfs "$REG/test/other:v1"
assert_exit 2 "an unknown command is a usage error" "$MOCKER" frobnicate
assert_exit 2 "an invalid platform is a usage error" "$MOCKER" --platform linux pull x
assert_exit 2 "pull without a reference is a usage error" "$MOCKER" pull
assert_exit 1 "an invalid reference is refused" "$MOCKER" pull "UPPER/case"
assert_exit 0 "--help" "$MOCKER" --help
assert_match "Usage: mocker" "$(cat "$TEST_TMP/last.out")" "--help prints the usage"
assert_match "^mocker [0-9]" "$("$MOCKER" --version)" "--version"
assert_exit 1 "a registry that does not resolve" "$MOCKER" pull --store "$TEST_TMP/s2" nonlocal.invalid:1/x
assert_match "https://nonlocal.invalid:1/v2/x/manifests/latest" "$(cat "$TEST_TMP/last.out")" \
	"a registry that is not local is spoken to over HTTPS"
assert_exit 1 "the same with --insecure-registry" "$MOCKER" pull --store "$TEST_TMP/s2" \
	--insecure-registry nonlocal.invalid:1 nonlocal.invalid:1/x
assert_match "http://nonlocal.invalid:1/v2/x/manifests/latest" "$(cat "$TEST_TMP/last.out")" \
	"--insecure-registry allows plain HTTP"

# Commands that need neither the network nor a tar do not open libcurl or libarchive
# (their thirty-odd shared objects are most of a start); those that do, open them.
opened() { LD_DEBUG=files "$@" 2>&1 >/dev/null | grep -oE 'file=lib(curl|archive)\.so[.0-9]*' |
	sort -u | tr '\n' ' '; }
assert_exit 0 "pull again, for the library checks" "$MOCKER" pull "$REG/test/busybox:v1"
for c in "images" "inspect $REG/test/busybox:v1" "rootfs $REG/test/busybox:v1" \
	"tag $REG/test/busybox:v1 $REG/test/busybox:copy" "rmi $REG/test/busybox:copy" "--version"; do
	# shellcheck disable=SC2086  # the words of the command
	assert_eq "" "$(opened "$MOCKER" $c)" "mocker $c opens neither libcurl nor libarchive"
done
assert_eq "file=libarchive.so.13 " "$(opened "$MOCKER" unpack "$REG/test/busybox:v1" "$TEST_TMP/u2")" \
	"unpack opens libarchive only"
assert_eq "file=libarchive.so.13 file=libcurl.so.4 " "$(opened "$MOCKER" pull -q "$REG/test/busybox:v1")" \
	"pull opens libcurl and libarchive"
