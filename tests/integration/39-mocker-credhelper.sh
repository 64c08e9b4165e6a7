#!/usr/bin/env bash
# mocker's credentials from Docker credential helpers, run as Docker runs them: credsStore
# and credHelpers in config.json name docker-credential-NAME on PATH, called with "get"
# and the server on standard input, answering JSON on standard output.  credHelpers wins
# over credsStore; "credentials not found" falls back to auths; a failing or missing
# helper fails the pull with its reason; a helper name that is a path is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry.sh"

registry_start --auth
image_build "$TEST_TMP/layers" layers
image_push "$TEST_TMP/layers" private/layers:v1
LOG=$REG_STATE/requests.log
H=$TEST_TMP/helper
mkdir -p "$TEST_TMP/bin" "$TEST_TMP/cfg"
# The helper logs how it was called and answers as $H.mode says.
cat >"$TEST_TMP/bin/docker-credential-testhelper" <<SH
#!/bin/sh
server=\$(cat)
echo "args=\$* server=\$server" >>"$H.log"
case \$(cat "$H.mode") in
ok) printf '{"ServerURL":"%s","Username":"test","Secret":"secret"}\n' "\$server" ;;
notfound) echo "credentials not found in native keychain"; exit 1 ;;
fail) echo "the keyring is locked"; exit 1 ;;
garbage) echo "not json" ;;
esac
SH
cat >"$TEST_TMP/bin/docker-credential-broken" <<SH
#!/bin/sh
echo broken >>"$H.log"
exit 3
SH
chmod +x "$TEST_TMP/bin/"docker-credential-*
export CONTAINET_STORE=$TEST_TMP/store DOCKER_CONFIG=$TEST_TMP/cfg PATH=$TEST_TMP/bin:$PATH
config() { printf '%s\n' "$1" >"$DOCKER_CONFIG/config.json"; }
mark() { wc -l <"$LOG"; }
since() { tail -n +"$(($1 + 1))" "$LOG"; }
n=0
pull() { n=$((n + 1)); "$MOCKER" pull --store "$TEST_TMP/s$n" "$REG/private/layers:v1"; }

echo ok >"$H.mode"
config '{"credsStore":"testhelper"}'
m=$(mark)
assert_exit 0 "credsStore: the helper's credentials open a private repository" pull
assert_eq "args=get server=$REG" "$(cat "$H.log")" "the helper ran once, as 'get', with the server on stdin"
assert_eq 1 "$(since "$m" | grep -c '^TOKEN user=test scope=repository:private/layers:pull$')" \
	"the token was fetched with the helper's credentials"

: >"$H.log"
config "{\"credsStore\":\"broken\",\"credHelpers\":{\"$REG\":\"testhelper\"}}"
assert_exit 0 "credHelpers for the host wins over credsStore" pull
assert_eq "args=get server=$REG" "$(cat "$H.log")" "only the host's helper ran"

echo notfound >"$H.mode"
config "{\"credsStore\":\"testhelper\",\"auths\":{\"$REG\":{\"auth\":\"$(printf test:secret | base64)\"}}}"
assert_exit 0 "a helper without credentials falls back to auths" pull
config '{"credsStore":"testhelper"}'
assert_exit 1 "a helper without credentials and no auths: the pull is anonymous, and refused" pull
assert_match "needs credentials" "$(cat "$TEST_TMP/last.out")" "the error says credentials are needed"

echo fail >"$H.mode"
assert_exit 1 "a failing helper fails the pull" pull
assert_match "credential helper docker-credential-testhelper exited with status 1: the keyring is locked" \
	"$(cat "$TEST_TMP/last.out")" "the error names the helper and its reason"
echo garbage >"$H.mode"
assert_exit 1 "a helper that prints no JSON fails the pull" pull
assert_match "docker-credential-testhelper: its output is not JSON" \
	"$(cat "$TEST_TMP/last.out")" "the error says what was wrong with its output"
config '{"credsStore":"absent"}'
assert_exit 1 "a helper that is not on PATH fails the pull" pull
assert_match "docker-credential-absent: No such file or directory \(not on PATH\)" \
	"$(cat "$TEST_TMP/last.out")" "the error names the missing program"
config '{"credsStore":"../../bin/true"}'
assert_exit 1 "a helper name that is a path is not run" pull
assert_match "'../../bin/true' is not a credential helper name, ignoring" \
	"$(cat "$TEST_TMP/last.out")" "the warning names the refused helper"
image_push "$TEST_TMP/layers" test/layers:v1
assert_ok "the public repositories still pull, anonymously" \
	"$MOCKER" pull --store "$TEST_TMP/pub" "$REG/test/layers:v1"

# A registry that wants Basic credentials on every request.
echo ok >"$H.mode"
: >"$H.log"
REG_CREDS=
registry_start --basic
image_push "$TEST_TMP/layers" basic/layers:v1
config '{"credsStore":"testhelper"}'
assert_exit 0 "Basic auth: the helper's credentials" \
	"$MOCKER" pull --store "$TEST_TMP/basic" "$REG/basic/layers:v1"
assert_eq "args=get server=$REG" "$(cat "$H.log")" "Basic auth: the helper was asked for this registry"
assert_eq 0 "$(grep -c '^BASIC GET /v2/basic/layers/blobs/.* auth=no' "$REG_STATE/requests.log")" \
	"Basic auth: every blob request carried the credentials"
