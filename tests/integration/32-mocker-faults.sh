#!/usr/bin/env bash
# mocker when things go wrong: a download cut in the middle (resumed with Range), 503 and
# 429 with Retry-After (retried), a tampered blob (rejected, the store unchanged), and SIGKILL at
# several moments of a pull (the store stays valid, the next pull completes it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry.sh"

registry_start --auth
image_build "$TEST_TMP/big" big --size-mb 16
image_build "$TEST_TMP/big2" big --size-mb 4
image_build "$TEST_TMP/big3" big --size-mb 4
image_push "$TEST_TMP/big" test/big:v1
image_push "$TEST_TMP/big2" test/tamper:v1
image_push "$TEST_TMP/big3" test/retry:v1
export CONTAINET_STORE=$TEST_TMP/store
STORE=$CONTAINET_STORE
LOG=$REG_STATE/requests.log
mark() { wc -l <"$LOG"; }
since() { tail -n +"$(($1 + 1))" "$LOG"; }
snapshot() { (cd "$STORE" && find . -path ./lock -prune -o -printf '%p %y %s\n' | sort && cat images/index.json); }

# SIGKILL at several moments of a slow pull.
echo 2000000 >"$REG_STATE/rate"
for delay in 0.2 0.8 1.6 2.4; do
	"$MOCKER" pull -q "$REG/test/big:v1" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
	assert_ok "SIGKILL after ${delay}s: the store is a valid OCI layout" store_valid "$STORE"
	assert_no_match "test/big" "$("$MOCKER" images -q)" "SIGKILL after ${delay}s: no half-pulled image is listed"
	assert_eq "" "$(ls "$STORE/rootfs")" "SIGKILL after ${delay}s: no rootfs is visible"
done
rm -f "$REG_STATE/rate"
assert_exit 0 "the next pull completes" "$MOCKER" pull "$REG/test/big:v1"
root=$("$MOCKER" rootfs "$REG/test/big:v1")
assert_eq $((16 << 20)) "$(stat -c %s "$root/big.bin")" "the big layer is complete"
assert_eq "$(tar -xOf "$(ls -S "$TEST_TMP"/big/blobs/sha256/* | head -n 1)" big.bin 2>/dev/null | sha256sum)" \
	"$(sha256sum <"$root/big.bin")" "the big file has the image's content"
assert_ok "the store is valid" store_valid "$STORE"
assert_eq "" "$(ls -A "$STORE/tmp"; find "$STORE/rootfs" -mindepth 1 -maxdepth 1 -name '.tmp*')" \
	"what the killed pulls left is swept away"
"$MOCKER" rmi "$REG/test/big:v1" >/dev/null && "$MOCKER" prune -q

# A download cut in the middle resumes with Range.
echo 3000000 >"$REG_STATE/cut"
m=$(mark)
assert_exit 0 "a pull whose layer download is cut" "$MOCKER" pull "$REG/test/big:v1"
assert_eq 1 "$(since "$m" | grep -c '^BLOB cut after 3000000 bytes')" "the blob host dropped the connection"
assert_match "range=bytes=[1-9][0-9]*- auth=no" "$(since "$m" | grep '^BLOB' | grep -v 'range=-' || true)" \
	"the download resumed with a Range request"
assert_eq $((16 << 20)) "$(stat -c %s "$("$MOCKER" rootfs "$REG/test/big:v1")/big.bin")" \
	"the resumed layer unpacked completely"
assert_ok "the store is valid after the resumed pull" store_valid "$STORE"

# The same with a server that ignores Range: what arrived already is skipped.
"$MOCKER" rmi "$REG/test/big:v1" >/dev/null && "$MOCKER" prune -q
echo 3000000 >"$REG_STATE/cut"
touch "$REG_STATE/norange"
m=$(mark)
assert_exit 0 "a cut download from a server without Range" "$MOCKER" pull "$REG/test/big:v1"
rm -f "$REG_STATE/norange"
assert_eq 1 "$(since "$m" | grep -c '^BLOB ignoring Range')" "the retry's Range was ignored"
assert_eq $((16 << 20)) "$(stat -c %s "$("$MOCKER" rootfs "$REG/test/big:v1")/big.bin")" \
	"the layer is complete after skipping what had arrived"
assert_ok "the store is valid" store_valid "$STORE"

# 503 and 429 with Retry-After are retried.
echo 1 >"$REG_STATE/fail"
echo 1 >"$REG_STATE/fail429"
m=$(mark)
start=$(date +%s%N)
assert_exit 0 "a pull through a 503 and a 429" "$MOCKER" pull "$REG/test/retry:v1"
assert_eq 1 "$(since "$m" | grep -c '^BLOB 503')" "the blob host answered 503"
assert_eq 1 "$(since "$m" | grep -c '^BLOB 429')" "the blob host answered 429"
assert_match "^[1-9]" "$((($(date +%s%N) - start) / 1000000000))" "Retry-After was honoured"

# A tampered blob: same size, one byte changed in the registry's storage.
layer=$(ls -S "$TEST_TMP"/big2/blobs/sha256/ | head -n 1)
f=$(registry_blob_file "$layer")
flip_byte "$f" 100000
snapshot >"$TEST_TMP/before"
assert_exit 1 "a tampered layer is rejected" "$MOCKER" pull "$REG/test/tamper:v1"
assert_match "blob sha256:$layer arrived with digest sha256:[0-9a-f]{64}: rejected" \
	"$(cat "$TEST_TMP/last.out")" "the error names the blob and its wrong digest"
snapshot >"$TEST_TMP/after"
assert_ok "the store is unchanged by the rejected pull" cmp "$TEST_TMP/before" "$TEST_TMP/after"

# A config whose diff_id does not match the uncompressed layer.
image_build "$TEST_TMP/wrongdiff" busybox --wrong-diff-id
image_push "$TEST_TMP/wrongdiff" test/wrongdiff:v1
snapshot >"$TEST_TMP/before"
assert_exit 1 "a layer that does not match its diff_id is rejected" "$MOCKER" pull "$REG/test/wrongdiff:v1"
assert_match "uncompressed layer is sha256:[0-9a-f]{64}, but the image config says" \
	"$(cat "$TEST_TMP/last.out")" "the error names both diff_ids"
snapshot >"$TEST_TMP/after"
assert_ok "the store is unchanged by the rejected pull" cmp "$TEST_TMP/before" "$TEST_TMP/after"

# rootfs of an image pulled without unpacking, and of one whose stored layer rotted.
"$MOCKER" rmi "$REG/test/retry:v1" >/dev/null && "$MOCKER" prune -q
assert_exit 0 "pull --no-unpack" "$MOCKER" pull --no-unpack "$REG/test/retry:v1"
dig=$(manifest_digest_of test/retry:v1)
layer=$(ls -S "$TEST_TMP"/big3/blobs/sha256/ | head -n 1)
assert_ok "--no-unpack makes no rootfs" test ! -e "$STORE/rootfs/$dig"
cp "$STORE/images/blobs/sha256/$layer" "$TEST_TMP/layer.saved"
flip_byte "$STORE/images/blobs/sha256/$layer" 3000
assert_exit 1 "rootfs refuses a stored layer that no longer matches" "$MOCKER" rootfs "$REG/test/retry:v1"
assert_ok "no rootfs appears for it" test ! -e "$STORE/rootfs/$dig"
assert_eq "" "$(find "$STORE/rootfs" -mindepth 1 -maxdepth 1 -name '.tmp*')" "no half-unpacked tree is left"
cp "$TEST_TMP/layer.saved" "$STORE/images/blobs/sha256/$layer"
assert_exit 0 "rootfs unpacks from the store" "$MOCKER" rootfs "$REG/test/retry:v1"
assert_eq "$STORE/rootfs/$dig" "$(cat "$TEST_TMP/last.out")" "rootfs prints the path of the new tree"
assert_eq $((4 << 20)) "$(stat -c %s "$STORE/rootfs/$dig/big.bin")" "the unpacked tree is complete"
