#!/usr/bin/env bash
# Bounds on what an image makes mocker fetch and write: runs of zeros become holes; an
# image that unpacks to more than --max-unpacked is refused with the store as before; a
# config or manifest whose descriptor declares more than its limit is refused before any
# request for it (the registry's log shows none).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry.sh"

registry_start --basic
image_build "$TEST_TMP/zeros" zeros --size-mb 256
image_build "$TEST_TMP/bb" busybox
image_push "$TEST_TMP/zeros" test/zeros:v1
image_push "$TEST_TMP/bb" test/bigcfg:base # the blobs the raw manifests below refer to
image_push "$TEST_TMP/bb" test/bigidx:base
export CONTAINET_STORE=$TEST_TMP/store
STORE=$CONTAINET_STORE
LOG=$REG_STATE/requests.log
pull() { echo secret | "$MOCKER" --username test --password-stdin "$@"; }
mark() { wc -l <"$LOG"; }
since() { tail -n +"$(($1 + 1))" "$LOG"; }
untouched() { # what a refused pull must leave: no rootfs, no temp, no image, a valid store
	assert_eq "" "$(ls -A "$STORE/rootfs" "$STORE/tmp" | grep -v ':$' | grep . || true)" \
		"$1: no rootfs and no temp files"
	assert_eq "" "$("$MOCKER" images -q)" "$1: no image is recorded"
	assert_ok "$1: the store is valid" store_valid "$STORE"
}

# 256 MiB of zeros in a layer of a few hundred kB.
layer=$(ls -S "$TEST_TMP"/zeros/blobs/sha256/* | head -n 1)
assert_eq 1 "$(($(stat -c %s "$layer") < 1048576))" "the zeros layer is small"
assert_exit 1 "a pull over --max-unpacked fails" pull pull --max-unpacked 64M "$REG/test/zeros:v1"
assert_match "'zeros': the image unpacks to more than its limit of 67108864 bytes" "$(cat "$TEST_TMP/last.out")" "the error names the file and the limit"
untouched "over --max-unpacked"
assert_exit 2 "--max-unpacked wants a size" "$MOCKER" --max-unpacked lots images

assert_exit 0 "the same pull with the default limit" pull pull -q "$REG/test/zeros:v1"
root=$("$MOCKER" rootfs "$REG/test/zeros:v1")
assert_eq $((256 << 20)) "$(stat -c %s "$root/zeros")" "the file has its full size"
blocks=$(stat -c %b "$root/zeros")
assert_eq 1 "$((blocks * 512 < 1048576))" "the zeros are holes ($blocks blocks)"
assert_eq "$(head -c $((256 << 20)) /dev/zero | sha256sum)" "$(sha256sum <"$root/zeros")" \
	"the file reads as the image's zeros"

# rootfs and unpack have the limit too.
assert_exit 0 "pull without unpacking" pull pull -q --no-unpack "$REG/test/zeros:v1"
rm -rf "${root:?}"
assert_exit 1 "rootfs over --max-unpacked fails" "$MOCKER" --max-unpacked 64M rootfs "$REG/test/zeros:v1"
assert_eq "" "$(ls -A "$STORE/rootfs")" "rootfs over the limit leaves no tree"
assert_exit 1 "unpack over --max-unpacked fails" "$MOCKER" --max-unpacked 64M unpack "$REG/test/zeros:v1" "$TEST_TMP/copy"
assert_match "more than its limit" "$(cat "$TEST_TMP/last.out")" "unpack says why"
"$MOCKER" rmi "$REG/test/zeros:v1" >/dev/null && "$MOCKER" prune -q

# Descriptors that declare too much, pushed as raw manifests: nothing is fetched.
put_manifest() { # REPO:TAG MEDIATYPE FILE: the manifest's digest
	$PY - "$REG_PUSH" "$1" "$2" "$3" <<-'PY'
		import hashlib, sys, urllib.request
		reg, ref, mt, path = sys.argv[1:]
		repo, tag = ref.rsplit(":", 1)
		body = open(path, "rb").read()
		req = urllib.request.Request("http://%s/v2/%s/manifests/%s" % (reg, repo, tag), body,
		                             {"Content-Type": mt}, method="PUT")
		try:
		    urllib.request.urlopen(req).read()
		except urllib.error.HTTPError as e:
		    sys.exit("PUT %s: %s %s" % (ref, e, e.read().decode()))
		print("sha256:" + hashlib.sha256(body).hexdigest())
	PY
}
mdigest=$(jq -r '.manifests[0].digest' "$TEST_TMP/bb/index.json")
mfile=$TEST_TMP/bb/blobs/sha256/${mdigest#sha256:}
cfg=$(jq -r .config.digest "$mfile")
jq -c '.config.size = 300000000' "$mfile" >"$TEST_TMP/bigcfg.json"
put_manifest test/bigcfg:v1 application/vnd.oci.image.manifest.v1+json "$TEST_TMP/bigcfg.json" >/dev/null ||
	die "the registry refused the manifest"
m=$(mark)
assert_exit 1 "a config declared at 300 MB is refused" pull pull "$REG/test/bigcfg:v1"
assert_match "config $cfg declares 300000000 bytes, more than the 16 MiB allowed" \
	"$(cat "$TEST_TMP/last.out")" "the error says what the config declares"
assert_eq 0 "$(since "$m" | grep -c "GET .*/blobs/" || true)" "no blob was asked for"
untouched "config declared too large"

jq -nc --arg d "$mdigest" '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
	manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d,
	size: 5000000, platform: {os: "linux", architecture: "amd64"}}]}' >"$TEST_TMP/bigidx.json"
put_manifest test/bigidx:v1 application/vnd.oci.image.index.v1+json "$TEST_TMP/bigidx.json" >/dev/null ||
	die "the registry refused the index"
m=$(mark)
assert_exit 1 "a manifest declared at 5 MB in an index is refused" \
	pull pull --platform linux/amd64 "$REG/test/bigidx:v1"
assert_match "manifest $mdigest declares 5000000 bytes, more than the 4 MiB allowed" \
	"$(cat "$TEST_TMP/last.out")" "the error says what the index entry declares"
assert_eq 0 "$(since "$m" | grep -c "GET .*/manifests/$mdigest" || true)" "the manifest was not asked for"
untouched "manifest declared too large"
