#!/usr/bin/env bash
# mocker against a registry behind Docker Hub's token flow: anonymous Bearer tokens reused
# within a pull, blobs redirected to another host that must never see Authorization,
# private repositories with credentials (--password-stdin, ~/.docker/config.json), a
# second pull that downloads no blob, and multi-platform images (OCI index and Docker
# manifest list).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry.sh"

registry_start --auth
image_build "$TEST_TMP/layers" layers
image_build "$TEST_TMP/multi" multiarch
image_push "$TEST_TMP/layers" test/layers:v1
image_push "$TEST_TMP/layers" private/layers:v1
image_push "$TEST_TMP/multi" test/multi:oci --all
image_push "$TEST_TMP/multi" test/multi:docker --all --format v2s2
export CONTAINET_STORE=$TEST_TMP/store
LOG=$REG_STATE/requests.log
mark() { wc -l <"$LOG"; }
since() { tail -n +"$(($1 + 1))" "$LOG"; }

m=$(mark)
assert_exit 0 "anonymous pull through the token flow" "$MOCKER" pull "$REG/test/layers:v1"
assert_eq 1 "$(since "$m" | grep -c '^TOKEN user=- scope=repository:test/layers:pull$')" \
	"one anonymous token, reused for every request of the pull"
assert_eq 4 "$(since "$m" | grep -c '^BLOB /blobs/sha256:.* auth=no$')" \
	"config and three layers come from the redirected blob host"
assert_eq 0 "$(since "$m" | grep -c 'LEAKED')" "Authorization never reaches the blob host"
assert_eq 0 "$(since "$m" | grep -c '^FRONT GET /v2/test/layers/blobs/.* auth=no')" \
	"every registry request after the first carries the token"
assert_ok "the stored image is valid" store_valid "$CONTAINET_STORE"

m=$(mark)
assert_exit 0 "pull the same image again" "$MOCKER" pull "$REG/test/layers:v1"
assert_eq 0 "$(since "$m" | grep -c -e '^BLOB' -e '/blobs/')" "a second pull downloads no blob"

# Two tags of one repository in one command: one token for both.
image_push "$TEST_TMP/multi" test/layers:other --all
m=$(mark)
assert_exit 0 "two references in one pull" "$MOCKER" pull --store "$TEST_TMP/s0" \
	"$REG/test/layers:v1" "$REG/test/layers:other"
assert_eq 2 "$(grep -c '@sha256:' "$TEST_TMP/last.out")" "one digest line per reference"
assert_eq 1 "$(since "$m" | grep -c '^TOKEN')" "the token is reused across references of one repository"

# Private repository.
m=$(mark)
assert_exit 1 "a private repository without credentials fails" "$MOCKER" pull "$REG/private/layers:v1"
assert_match "credentials" "$(cat "$TEST_TMP/last.out")" "the error says credentials are needed"
assert_exit 1 "a wrong password fails" \
	sh -c "echo wrong | '$MOCKER' pull --username test --password-stdin '$REG/private/layers:v1'"
assert_match "refused the credentials" "$(cat "$TEST_TMP/last.out")" "the error says the credentials were refused"
assert_exit 0 "--username with --password-stdin" \
	sh -c "echo secret | '$MOCKER' pull --store '$TEST_TMP/s1' --username test --password-stdin '$REG/private/layers:v1'"
assert_eq 1 "$(since "$m" | grep -c '^TOKEN user=test scope=repository:private/layers:pull$')" \
	"the token was fetched with the credentials"
mkdir -p "$TEST_TMP/home/.docker"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REG" "$(printf test:secret | base64)" \
	>"$TEST_TMP/home/.docker/config.json"
assert_exit 0 "credentials from ~/.docker/config.json" \
	env HOME="$TEST_TMP/home" "$MOCKER" pull --store "$TEST_TMP/s2" "$REG/private/layers:v1"
assert_exit 2 "--username without --password-stdin is a usage error" \
	"$MOCKER" pull --username test "$REG/private/layers:v1"

# Multi-platform images: the OCI index and the Docker manifest list skopeo made of it.
for kind in oci docker; do
	for p in linux/amd64:amd64/ linux/arm64:arm64/v8 linux/arm64/v8:arm64/v8 linux/arm:arm/v7 \
		linux/386:386/; do
		plat=${p%%:*} want=${p#*:}
		if "$MOCKER" pull -q --platform "$plat" "$REG/test/multi:$kind" >"$TEST_TMP/last.out" 2>&1; then
			got=$(cat "$("$MOCKER" rootfs "$REG/test/multi:$kind")/platform")
			assert_eq "$want" "$got" "$kind index: --platform $plat picks $want"
		else
			fail "$kind index: pull --platform $plat: $(cat "$TEST_TMP/last.out")"
		fi
	done
	assert_exit 1 "$kind index: a platform it lacks fails" \
		"$MOCKER" pull --platform linux/s390x "$REG/test/multi:$kind"
	assert_match "no image for platform linux/s390x" "$(cat "$TEST_TMP/last.out")" \
		"$kind index: the error names the platform"
done
ct=$(skopeo inspect --raw --tls-verify=false --creds "$REG_CREDS" "docker://$REG_PUSH/test/multi:docker")
assert_match "manifest.list.v2" "$ct" "the docker tag really is a Docker manifest list"

# A registry that wants Basic auth on every request.
saved_creds=$REG_CREDS
REG_CREDS=
registry_start --basic
image_push "$TEST_TMP/layers" basic/layers:v1
assert_exit 1 "Basic auth: without credentials the pull fails" \
	"$MOCKER" pull --store "$TEST_TMP/s3" "$REG/basic/layers:v1"
assert_match "requires credentials" "$(cat "$TEST_TMP/last.out")" "Basic auth: the error says credentials are needed"
assert_exit 0 "Basic auth: with --password-stdin" \
	sh -c "echo secret | '$MOCKER' pull --store '$TEST_TMP/s3' --username test --password-stdin '$REG/basic/layers:v1'"
assert_eq 0 "$(grep -c '^BASIC GET /v2/basic/layers/blobs/.* auth=no' "$REG_STATE/requests.log")" \
	"Basic auth: every blob request carried the credentials"
REG_CREDS=$saved_creds
