# shellcheck shell=bash disable=SC2034  # variables for the scripts that source this
# Registries for the mocker tests, on 127.0.0.1, cleaned up at exit.  Source after lib.sh.
#
#   registry_start          plain docker-registry;  REG = "127.0.0.1:PORT" (pull and push)
#   registry_start --auth   the same behind Docker Hub's token flow: pushes go to REG_PUSH
#                           (with --dest-creds $REG_CREDS), pulls to REG (the front that
#                           redirects blobs to another port).  REG_STATE holds the fault
#                           files and requests.log of regauth.py.
#   registry_start --basic  a plain registry behind a front that wants Basic credentials
#                           ($REG_CREDS); REG is the front, REG_PUSH the registry.
#   registry_start --tls PKI         docker-registry over TLS with PKI/server.crt and
#                                    PKI/server.key
#   registry_start --tls-client PKI  the same, wanting a client certificate PKI/ca.crt signed
#   image_build DIR RECIPE [mkimage.py options]
#   image_push DIR REPO:TAG [skopeo copy options]
#   registry_blob_file DIGEST     the registry's stored file of a blob (to tamper with)

[[ -x /usr/bin/docker-registry && -x /usr/bin/skopeo ]] ||
	skip "docker-registry and skopeo are needed (tests/deps.sh)"
/usr/bin/python3 -c 'import jwt, cryptography' 2>/dev/null ||
	skip "python3-jwt and python3-cryptography are needed (tests/deps.sh)"

MOCKER=$BIN/mocker
[[ -x $MOCKER ]] || die "no $MOCKER: build it first"
PY=/usr/bin/python3
_reg_n=0

# port_open PORT: something listens on 127.0.0.1:PORT (bash alone, no curl needed).
port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
	$PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Writes a registry config; $1 dir, $2 port, $3 extra YAML (auth).
_registry_config() {
	cat >"$1/config.yml" <<-YAML
		version: 0.1
		log:
		  level: error
		  accesslog:
		    disabled: true
		storage:
		  filesystem:
		    rootdirectory: $1/storage
		  delete:
		    enabled: true
		  cache:
		    blobdescriptor: inmemory
		http:
		  addr: 127.0.0.1:$2
		$3
	YAML
}

registry_start() {
	local auth=${1:-} pki=${2:-} dir port extra=""
	_reg_n=$((_reg_n + 1))
	dir=$TEST_TMP/registry$_reg_n
	mkdir -p "$dir/storage" "$dir/state"
	port=$(free_port)
	if [[ $auth == --auth ]]; then
		local tport fport bport
		tport=$(free_port) fport=$(free_port) bport=$(free_port)
		openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/key.pem" -out "$dir/cert.pem" \
			-days 2 -subj /CN=token-issuer >/dev/null 2>&1 || die "openssl req failed"
		extra="auth:
  token:
    realm: http://127.0.0.1:$tport/token
    service: test-registry
    issuer: test-issuer
    rootcertbundle: $dir/cert.pem"
		spawn "regauth$_reg_n" $PY "$TOP/tests/integration/regauth.py" --key "$dir/key.pem" \
			--token-port "$tport" --front-port "$fport" --blob-port "$bport" \
			--registry-port "$port" --storage "$dir/storage" --state "$dir/state"
		REG_STATE=$dir/state
		REG_CREDS=test:secret
	fi
	if [[ $auth == --basic ]]; then
		local basic
		basic=$(free_port)
		spawn "regauth$_reg_n" $PY "$TOP/tests/integration/regauth.py" --basic-port "$basic" \
			--registry-port "$port" --storage "$dir/storage" --state "$dir/state"
		REG_STATE=$dir/state
	fi
	if [[ $auth == --tls || $auth == --tls-client ]]; then
		extra="  tls:
    certificate: $pki/server.crt
    key: $pki/server.key"
		[[ $auth == --tls-client ]] && extra+="
    clientcas:
      - $pki/ca.crt"
	fi
	_registry_config "$dir" "$port" "$extra"
	spawn "registry$_reg_n" /usr/bin/docker-registry serve "$dir/config.yml"
	wait_until 20 port_open "$port" ||
		die "docker-registry did not start: $(tail -n 5 "$TEST_TMP/registry$_reg_n.log")"
	REG_STORAGE=$dir/storage
	REG_PUSH=127.0.0.1:$port
	REG=$REG_PUSH
	if [[ $auth == --auth ]]; then
		wait_until 20 port_open "$fport" ||
			die "regauth.py did not start: $(tail -n 5 "$TEST_TMP/regauth$_reg_n.log")"
		REG=127.0.0.1:$fport
	fi
	if [[ $auth == --basic ]]; then
		wait_until 20 port_open "$basic" ||
			die "regauth.py did not start: $(tail -n 5 "$TEST_TMP/regauth$_reg_n.log")"
		REG=127.0.0.1:$basic
	fi
}

image_build() {
	local dir=$1 recipe=$2
	shift 2
	$PY "$TOP/tests/integration/mkimage.py" "$dir" "$recipe" "$@" ||
		die "mkimage.py $recipe failed"
}

image_push() {
	local dir=$1 dest=$2 creds=()
	shift 2
	[[ -n ${REG_CREDS:-} ]] && creds=(--dest-creds "$REG_CREDS")
	skopeo copy -q --retry-times 2 --dest-tls-verify=false "${creds[@]}" "$@" \
		"oci:$dir:latest" "docker://$REG_PUSH/$dest" >"$TEST_TMP/skopeo.log" 2>&1 ||
		die "skopeo copy to $dest failed: $(tail -n 3 "$TEST_TMP/skopeo.log")"
}

registry_blob_file() {
	local h=${1#sha256:}
	echo "$REG_STORAGE/docker/registry/v2/blobs/sha256/${h:0:2}/$h/data"
}

# flip_byte FILE OFFSET: inverts one byte in place (same size, surely different content).
flip_byte() {
	$PY -c 'import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0] ^ 0xff]))' "$1" "$2"
}

# The digest of the manifest of tag TAG of REPO, as the registry serves it.
manifest_digest_of() {
	skopeo inspect --raw --tls-verify=false ${REG_CREDS:+--creds "$REG_CREDS"} \
		"docker://$REG_PUSH/$1" | sha256sum | cut -d' ' -f1
}

# Checks that a store is a valid OCI layout whose every referenced blob is present and
# intact; prints the problem and fails otherwise.
store_valid() {
	$PY - "$1/images" <<-'PY'
		import hashlib, json, os, sys
		root = sys.argv[1]
		def blob(d):
		    assert d.startswith("sha256:"), d
		    p = os.path.join(root, "blobs", "sha256", d[7:])
		    data = open(p, "rb").read()
		    assert hashlib.sha256(data).hexdigest() == d[7:], "corrupt blob " + d
		    return data
		json.load(open(os.path.join(root, "oci-layout")))
		for m in json.load(open(os.path.join(root, "index.json")))["manifests"]:
		    man = json.loads(blob(m["digest"]))
		    for d in [man["config"]] + man["layers"]:
		        assert len(blob(d["digest"])) == d["size"], "size of " + d["digest"]
	PY
}
