#!/usr/bin/python3
"""What stands in for Docker Hub around a docker-registry in the tests, in one process:

  token server  GET /token?scope=...&service=...: an RS256 JWT the registry trusts (its
                key id in libtrust form, matching the registry's rootcertbundle).  Anonymous
                requests get pull access except to repositories under "private/"; Basic
                credentials USER:PASS get pull and push everywhere.
  front         what clients talk to: forwards /v2/ requests to the registry; a blob GET
                that the registry authorizes is answered with a 307 to the blob server.
  basic front   (--basic-port) a front that wants Basic credentials USER:PASS instead.
  blob server   GET /blobs/sha256:HEX from the registry's storage, with Range; refuses any
                request that carries Authorization (Docker Hub's CDN must never see a token).
                Faults on demand, from files in STATE: "cut" (bytes after which to drop the
                connection, once), "fail" (how many 503s with Retry-After: 1 to answer
                first), "fail429" (the same with 429 Too Many Requests), "rate" (bytes per second),
                "norange" (while it exists, Range is ignored: 200 and the whole blob),
                "failblob" (a digest: one 503 with Retry-After: 1 for that blob only).
                A complete transfer is logged as "BLOB sent".
  Token faults, from files in STATE: "tokenttl" (seconds tokens live while it exists; the
  front answers an expired token with 401 and the challenge, as Docker Hub does),
  "tokendelay" (seconds the token server waits before answering, while it exists).

Every request is logged, one line each, to STATE/requests.log."""
import argparse
import base64
import hashlib
import http.client
import json
import os
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives import serialization

A = None
LOCK = threading.Lock()


def log(what):
    with LOCK, open(os.path.join(A.state, "requests.log"), "a") as f:
        f.write(what + "\n")


def take_fault(name, unless_above=None):
    """Reads and consumes a one-shot fault file; None when absent (or when its value is
    not below unless_above: the fault waits for a request it applies to)."""
    p = os.path.join(A.state, name)
    with LOCK:
        try:
            with open(p) as f:
                v = int(f.read().strip() or "0")
        except FileNotFoundError:
            return None
        if unless_above is not None and v >= unless_above:
            return None
        if name == "fail" and v > 1:
            with open(p, "w") as f:
                f.write(str(v - 1))
        elif name not in ("rate", "tokenttl", "tokendelay"):
            os.unlink(p)
        return v


def libtrust_kid(pub):
    der = pub.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    b32 = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(b32[i:i + 4] for i in range(0, len(b32), 4))


class Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class Token(Quiet):
    def do_GET(self):
        from urllib.parse import parse_qs, urlparse
        q = parse_qs(urlparse(self.path).query)
        user = None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            u, _, p = base64.b64decode(auth[6:]).decode().partition(":")
            if "%s:%s" % (u, p) != A.user:
                log("TOKEN refused user=%s" % u)
                return self.reply(401, b'{"details":"bad credentials"}')
            user = u
        access = []
        for scope in q.get("scope", []):
            for s in scope.split(" "):
                parts = s.split(":")
                if len(parts) != 3 or parts[0] != "repository":
                    continue
                name, actions = parts[1], parts[2].split(",")
                if user is None:
                    if name.startswith("private/"):
                        continue
                    actions = [x for x in actions if x == "pull"]
                access.append({"type": "repository", "name": name, "actions": actions})
        delay = take_fault("tokendelay")
        if delay:
            time.sleep(delay)
        ttl = take_fault("tokenttl") or 300
        now = int(time.time())
        claims = {"iss": A.issuer, "sub": user or "", "aud": q.get("service", [""])[0],
                  "exp": now + ttl, "nbf": now - 10, "iat": now, "jti": uuid.uuid4().hex,
                  "access": access}
        tok = jwt.encode(claims, A.key, algorithm="RS256", headers={"kid": A.kid})
        log("TOKEN user=%s scope=%s" % (user or "-", ",".join(q.get("scope", []))))
        body = json.dumps({"token": tok, "access_token": tok, "expires_in": ttl,
                           "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        self.reply(200, body.encode(), [("Content-Type", "application/json")])


BLOB = re.compile(r"^/v2/(.+)/blobs/(sha256:[0-9a-f]{64})$")
REPO = re.compile(r"^/v2/(.+)/(?:blobs|manifests)/")


def token_expired(auth):
    """Whether a Bearer token's exp has passed (the registry itself allows a minute)."""
    if not auth.startswith("Bearer "):
        return False
    try:
        claims = jwt.decode(auth[7:], options={"verify_signature": False})
    except jwt.PyJWTError:
        return False
    return claims.get("exp", 0) <= time.time()


class Front(Quiet):
    def forward(self, method, path):
        c = http.client.HTTPConnection("127.0.0.1", A.registry_port, timeout=60)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("host",)}
        c.request(method, path, headers=hdrs)
        return c, c.getresponse()

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        log("FRONT %s %s auth=%s" % (self.command, self.path,
                                     "yes" if self.headers.get("Authorization") else "no"))
        repo = REPO.match(self.path)
        if repo and token_expired(self.headers.get("Authorization", "")):
            log("FRONT expired token")
            ch = ('Bearer realm="http://127.0.0.1:%d/token",service="test-registry",'
                  'scope="repository:%s:pull"' % (A.token_port, repo.group(1)))
            return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                              [("WWW-Authenticate", ch)])
        m = BLOB.match(self.path)
        if m and self.command == "GET":
            # The registry decides on access; the bytes come from elsewhere.
            c, r = self.forward("HEAD", self.path)
            r.read()
            c.close()
            if r.status in (200, 206):
                loc = "http://127.0.0.1:%d/blobs/%s" % (A.blob_port, m.group(2))
                return self.reply(307, b"", [("Location", loc)])
        c, r = self.forward(self.command, self.path)
        body = r.read()
        c.close()
        keep = ("content-type", "content-range", "docker-content-digest", "www-authenticate",
                "location", "docker-distribution-api-version")
        self.reply(r.status, body, [(k, v) for k, v in r.getheaders() if k.lower() in keep])


class BasicFront(Front):
    """A registry that wants Basic credentials on every request (no token service)."""

    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        ok = auth.startswith("Basic ") and base64.b64decode(auth[6:]).decode() == A.user
        log("BASIC %s %s auth=%s" % (self.command, self.path, "ok" if ok else "no"))
        if not ok:
            return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                              [("WWW-Authenticate", 'Basic realm="test-registry"')])
        c, r = self.forward(self.command, self.path)
        body = r.read()
        c.close()
        keep = ("content-type", "content-range", "docker-content-digest", "location")
        self.reply(r.status, body, [(k, v) for k, v in r.getheaders() if k.lower() in keep])


class Blobs(Quiet):
    def do_GET(self):
        rng = self.headers.get("Range")
        auth = self.headers.get("Authorization")
        log("BLOB %s range=%s auth=%s" % (self.path, rng or "-", "LEAKED" if auth else "no"))
        if auth:
            return self.reply(400, b"Authorization must not be sent to the blob host\n")
        m = re.match(r"^/blobs/sha256:([0-9a-f]{64})$", self.path)
        if not m:
            return self.reply(404)
        h = m.group(1)
        p = os.path.join(A.storage, "docker/registry/v2/blobs/sha256", h[:2], h, "data")
        try:
            with open(p, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return self.reply(404)
        n = take_fault("fail")
        if n:
            log("BLOB 503 Retry-After: 1")
            return self.reply(503, b"busy\n", [("Retry-After", "1")])
        p = os.path.join(A.state, "failblob")
        with LOCK:
            hit = os.path.exists(p) and open(p).read().strip() == "sha256:" + h
            if hit:
                os.unlink(p)
        if hit:
            log("BLOB 503 for sha256:%s" % h)
            return self.reply(503, b"busy\n", [("Retry-After", "1")])
        n = take_fault("fail429")
        if n:
            log("BLOB 429 Retry-After: 1")
            return self.reply(429, b"slow down\n", [("Retry-After", "1")])
        start = 0
        if rng and os.path.exists(os.path.join(A.state, "norange")):
            log("BLOB ignoring Range")
            rng = None
        if rng:
            mr = re.match(r"^bytes=(\d+)-$", rng)
            if not mr or int(mr.group(1)) >= len(data):
                return self.reply(416)
            start = int(mr.group(1))
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1,
                                                                   len(data)))
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(data) - start))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        body = data[start:]
        cut = take_fault("cut", len(body)) if start == 0 else None
        if cut is not None and cut < len(body):
            self.wfile.write(body[:cut])
            self.wfile.flush()
            log("BLOB cut after %d bytes" % cut)
            self.close_connection = True
            self.connection.shutdown(2)
            return
        rate = take_fault("rate")
        step = 65536 if not rate else max(1024, rate // 20)
        for i in range(0, len(body), step):
            self.wfile.write(body[i:i + step])
            if rate:
                time.sleep(step / rate)
        log("BLOB sent %s bytes=%d" % (self.path, len(body)))


def serve(cls, port):
    s = ThreadingHTTPServer(("127.0.0.1", port), cls)
    s.daemon_threads = True
    threading.Thread(target=s.serve_forever, daemon=True).start()
    return s


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument("--key")
    ap.add_argument("--issuer", default="test-issuer")
    ap.add_argument("--user", default="test:secret")
    ap.add_argument("--token-port", type=int)
    ap.add_argument("--front-port", type=int)
    ap.add_argument("--blob-port", type=int)
    ap.add_argument("--basic-port", type=int)
    ap.add_argument("--registry-port", type=int, required=True)
    ap.add_argument("--storage", required=True)
    ap.add_argument("--state", required=True)
    A = ap.parse_args()
    if A.key:
        with open(A.key, "rb") as f:
            A.key = serialization.load_pem_private_key(f.read(), None)
        A.kid = libtrust_kid(A.key.public_key())
        serve(Token, A.token_port)
        serve(Front, A.front_port)
        serve(Blobs, A.blob_port)
    if A.basic_port:
        serve(BasicFront, A.basic_port)
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    sys.exit(main())
