#!/usr/bin/env bash
# mocker against docker-registry over TLS on 127.0.0.1, with a CA and certificates made
# here: a pull fails naming the verification error without the CA, works with --cert-dir,
# with --tls-verify=false and with Docker's /etc/docker/certs.d/HOST:PORT; a registry that
# wants a client certificate gets client.cert and client.key; a certificate directory
# with a .cert but no .key is refused by name.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry.sh"

command -v openssl >/dev/null || skip "openssl is needed"

# A CA, a server certificate for 127.0.0.1 and a client certificate, signed by the CA.
PKI=$TEST_TMP/pki
mkdir -p "$PKI/client" "$TEST_TMP/certs" "$TEST_TMP/nokey"
pki() {
	local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
	openssl req -x509 "${ec[@]}" -keyout "$PKI/ca.key" -out "$PKI/ca.crt" -days 2 \
		-subj /CN=mocker-test-ca &&
		openssl req "${ec[@]}" -keyout "$PKI/server.key" -out "$PKI/server.csr" \
			-subj /CN=127.0.0.1 &&
		openssl x509 -req -in "$PKI/server.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
			-CAcreateserial -out "$PKI/server.crt" -days 2 \
			-extfile <(printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n') &&
		openssl req "${ec[@]}" -keyout "$PKI/client/client.key" -out "$PKI/client.csr" \
			-subj /CN=mocker-test-client &&
		openssl x509 -req -in "$PKI/client.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
			-CAcreateserial -out "$PKI/client/client.cert" -days 2 \
			-extfile <(printf 'extendedKeyUsage=clientAuth\n')
}
pki >"$TEST_TMP/openssl.log" 2>&1 || die "openssl failed: $(tail -n 3 "$TEST_TMP/openssl.log")"
cp "$PKI/ca.crt" "$TEST_TMP/certs/"
cp "$PKI/ca.crt" "$PKI/client/"
cp "$PKI/ca.crt" "$PKI/client/client.cert" "$TEST_TMP/nokey/"

registry_start --tls "$PKI"
image_build "$TEST_TMP/bb" busybox
image_push "$TEST_TMP/bb" test/busybox:v1
want=$(skopeo inspect --raw --cert-dir "$TEST_TMP/certs" "docker://$REG/test/busybox:v1" |
	sha256sum | cut -d' ' -f1)
export CONTAINET_STORE=$TEST_TMP/store

assert_exit 1 "without the CA, a pull from a TLS registry on 127.0.0.1 fails" \
	"$MOCKER" pull "$REG/test/busybox:v1"
out=$(cat "$TEST_TMP/last.out")
assert_match "https://$REG/v2/test/busybox/manifests/v1: TLS: SSL certificate problem: unable to get local issuer certificate" \
	"$out" "the error names the URL and the verification error"
assert_match "--cert-dir" "$out" "the error says where the CA goes"
assert_eq "" "$("$MOCKER" images -q)" "nothing was stored"

assert_exit 0 "--cert-dir with the CA" "$MOCKER" pull --cert-dir "$TEST_TMP/certs" "$REG/test/busybox:v1"
assert_eq "$REG/test/busybox:v1@sha256:$want" "$(cat "$TEST_TMP/last.out")" \
	"the pull over TLS gives the registry's manifest digest"
assert_ok "the stored image is valid" store_valid "$CONTAINET_STORE"

assert_exit 0 "--tls-verify=false without the CA" \
	"$MOCKER" pull --store "$TEST_TMP/s2" --tls-verify=false "$REG/test/busybox:v1"
assert_eq "$REG/test/busybox:v1@sha256:$want" "$(cat "$TEST_TMP/last.out")" \
	"--tls-verify=false pulls the same image"
assert_exit 2 "--tls-verify=maybe is a usage error" \
	"$MOCKER" pull --tls-verify=maybe "$REG/test/busybox:v1"
assert_match "tls-verify='maybe'" "$(cat "$TEST_TMP/last.out")" "the usage error names the value"
assert_exit 1 "--tls-verify=true without the CA fails as the default does" \
	"$MOCKER" pull --store "$TEST_TMP/s2b" --tls-verify=true "$REG/test/busybox:v1"

# Docker's certs.d: /etc/docker/certs.d/HOST:PORT/ca.crt, made here and removed at exit.
certsd=/etc/docker/certs.d/$REG
[[ -e $certsd ]] && die "$certsd already exists"
top=$certsd
[[ -d /etc/docker/certs.d ]] || top=/etc/docker/certs.d
[[ -d /etc/docker ]] || top=/etc/docker
mkdir -p "$certsd"
defer rm -rf "$top"
cp "$PKI/ca.crt" "$certsd/ca.crt"
assert_exit 0 "the CA from /etc/docker/certs.d/$REG" \
	"$MOCKER" pull --store "$TEST_TMP/s3" "$REG/test/busybox:v1"
assert_match "@sha256:$want\$" "$(cat "$TEST_TMP/last.out")" "certs.d pulls the same image"

# A registry that wants a client certificate.
registry_start --tls-client "$PKI"
image_push "$TEST_TMP/bb" test/busybox:v1 --dest-cert-dir "$PKI/client"
assert_exit 1 "without a client certificate, the pull fails" \
	"$MOCKER" pull --store "$TEST_TMP/s4" --cert-dir "$TEST_TMP/certs" "$REG/test/busybox:v1"
assert_match "TLS: .*with the certificates of $TEST_TMP/certs" "$(cat "$TEST_TMP/last.out")" \
	"the error says TLS failed and with which certificates"
assert_exit 0 "client.cert and client.key from --cert-dir" \
	"$MOCKER" pull --store "$TEST_TMP/s4" --cert-dir "$PKI/client" "$REG/test/busybox:v1"
assert_match "@sha256:$want\$" "$(cat "$TEST_TMP/last.out")" "the client certificate pull gives the same image"
mkdir -p "/etc/docker/certs.d/$REG"
defer rm -rf "/etc/docker/certs.d/$REG"
cp "$PKI/client/"* "/etc/docker/certs.d/$REG/"
assert_exit 0 "client.cert and client.key from /etc/docker/certs.d/$REG" \
	"$MOCKER" pull --store "$TEST_TMP/s5" "$REG/test/busybox:v1"

assert_exit 1 "a .cert without its .key is refused" \
	"$MOCKER" pull --store "$TEST_TMP/s6" --cert-dir "$TEST_TMP/nokey" "$REG/test/busybox:v1"
assert_match "'$TEST_TMP/nokey/client.cert' has no key next to it \\(client.key\\)" \
	"$(cat "$TEST_TMP/last.out")" "the error names the file and the missing key"
assert_exit 1 "a --cert-dir that does not exist is refused" \
	"$MOCKER" pull --store "$TEST_TMP/s6" --cert-dir "$TEST_TMP/none" "$REG/test/busybox:v1"
assert_match "certificate directory '$TEST_TMP/none': No such file" "$(cat "$TEST_TMP/last.out")" \
	"the error names the directory"
