#!/usr/bin/env bash
# mocker when its Bearer token expires in the middle of a pull (the front answers an
# expired token with 401 and the challenge, as Docker Hub does): the token is fetched
# again as one more transfer of the download loop, so downloads under way go on while it
# is fetched, downloads that got a 401 together share one new token, and the image
# arrives whole.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry.sh"

registry_start --auth
image_build "$TEST_TMP/big" big --size-mb 4
image_build "$TEST_TMP/layers" layers
image_push "$TEST_TMP/big" test/big:v1
image_push "$TEST_TMP/layers" test/layers:v1
export CONTAINET_STORE=$TEST_TMP/store
LOG=$REG_STATE/requests.log
mark() { wc -l <"$LOG"; }
since() { tail -n +"$(($1 + 1))" "$LOG"; }
tree() { (cd "$1" && find . -printf '%p %y %m %U %G %s %l\n' | sort); }

# References: the same images pulled without faults.
assert_exit 0 "reference pull of the big image" "$MOCKER" pull --store "$TEST_TMP/ref" "$REG/test/big:v1"
assert_exit 0 "reference pull of the layered image" "$MOCKER" pull --store "$TEST_TMP/ref" "$REG/test/layers:v1"

# 1. The config's download gets a 503 and is retried a second later, when the token
# (living 1 s) has expired: its 401 starts a token request that takes 3 s, while the
# 4 MiB layer streams at 1.6 MB/s (about 2.5 s).  The layer finishes during the token
# request: the loop did not stop for it.
cfg=$($PY -c 'import json,sys
m=json.load(open(sys.argv[1]+"/index.json"))["manifests"][0]["digest"][7:]
print(json.load(open(sys.argv[1]+"/blobs/sha256/"+m))["config"]["digest"])' "$TEST_TMP/big")
echo "$cfg" >"$REG_STATE/failblob"
echo 1 >"$REG_STATE/tokenttl"
echo 3 >"$REG_STATE/tokendelay"
echo 1600000 >"$REG_STATE/rate"
m=$(mark)
assert_exit 0 "a pull whose token expires while a layer downloads" \
	"$MOCKER" -v -v pull --store "$TEST_TMP/s1" "$REG/test/big:v1"
cp "$TEST_TMP/last.out" "$TEST_TMP/pull1.out"
rm -f "$REG_STATE/rate" "$REG_STATE/tokendelay"
assert_eq 1 "$(since "$m" | grep -c "^BLOB 503 for $cfg")" "the config's download got its 503"
assert_match "FRONT expired token" "$(since "$m")" "the front refused the expired token"
# From the 401 of the config's retry to the new token: downloads that finished meanwhile.
# (Not from the first 401 of a blob: on a loaded machine the 1 s token may already have
# expired when the first blobs were asked for, and their new token came before any ended.)
during=$(awk -v cfg="$cfg" 'index($0, "blob " cfg ": retrying") { r = 1 }
	r && index($0, "blob " cfg ":") && /HTTP 401/ { s = 1 }
	s && /got a token/ { exit }
	s && /blob sha256:.*HTTP 200/ { c++ } END { print c + 0 }' "$TEST_TMP/pull1.out")
if ((during >= 1)); then
	ok "a download finished while the new token was being fetched ($during)"
else
	fail "no download finished while the new token was being fetched: $(grep -E 'token|blob sha256' "$TEST_TMP/pull1.out" | tail -n 12)"
fi
assert_ok "the stored image is valid" store_valid "$TEST_TMP/s1"
assert_eq "$(tree "$("$MOCKER" rootfs --store "$TEST_TMP/ref" "$REG/test/big:v1")")" \
	"$(tree "$("$MOCKER" rootfs --store "$TEST_TMP/s1" "$REG/test/big:v1")")" \
	"the image unpacks to the same tree as without faults"

# 2. Three downloads get a 503 at once and retry together with the expired token: their
# 401s share one new token.
echo 3 >"$REG_STATE/fail"
m=$(mark)
assert_exit 0 "a pull whose parallel downloads all meet the expired token" \
	"$MOCKER" pull --store "$TEST_TMP/s2" "$REG/test/layers:v1"
rm -f "$REG_STATE/tokenttl" "$REG_STATE/fail"
assert_eq 3 "$(since "$m" | grep -c '^BLOB 503')" "three downloads got a 503"
expired=$(since "$m" | grep -c 'FRONT expired token' || true)
tokens=$(since "$m" | grep -c '^TOKEN' || true)
# Fewer new tokens than 401s: the 401s shared them (a slow, sanitized pull may outlive
# the short-lived new token too and need one more).
if ((expired >= 1 && (tokens == 2 || (tokens > 2 && tokens - 1 < expired)))); then
	ok "$expired 401s for the expired token, $((tokens - 1)) new token(s) shared by them"
else
	fail "$expired 401s for the expired token and $tokens token requests (want 2: the first and one more)"
fi
assert_ok "the stored image is valid" store_valid "$TEST_TMP/s2"
assert_eq "$(tree "$("$MOCKER" rootfs --store "$TEST_TMP/ref" "$REG/test/layers:v1")")" \
	"$(tree "$("$MOCKER" rootfs --store "$TEST_TMP/s2" "$REG/test/layers:v1")")" \
	"the layered image unpacks to the same tree as without faults"
