#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

The seeds are the inputs the unit and integration tests use, in the framing each target
reads (see the comment at the top of each fuzz_*.c).  Run it again after changing it;
the files it writes are committed.  Standard library only.
"""
import gzip
import io
import json
import os
import struct
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def ctl():
    requests = [
        {"op": "attach", "node": "abc", "ifname": "eth0"},
        {"op": "detach", "port": "abc-eth0"},
        {"op": "detach", "node": "abc"},
        {"op": "ports"},
        {"op": "fdb", "future": [1, 2, {"x": None}]},
        {"op": "attach", "node": "../etc", "ifname": "eth0"},
        {"op": "attach", "node": "abc", "ifname": "eth1", "segment": "lan1"},
        {"op": "segment-add", "name": "lan1", "mtu": 1400},
        {"op": "segment-del", "name": "lan1"},
        {"op": "segments"},
        {"op": "host-add", "name": "ctn0", "segment": "lan1", "ipv4": "10.1.0.254/24",
         "ipv6": "fd00:1::fe/64", "masquerade": True},
        {"op": "host-del", "name": "ctn0"},
    ]
    for i, r in enumerate(requests):
        write("fuzz_ctl", "request-%d" % i, b"\0" + json.dumps(r).encode())
    write("fuzz_ctl", "request-nul", b'\0{"op":"detach","node":"a\\u0000zz"}')
    replies = [
        {"ok": True, "ports": [{"name": "abc-eth0", "node": "abc", "ifname": "eth0",
                                "state": "forwarding", "rx_frames": 1, "rx_bytes": 60,
                                "tx_frames": 2, "tx_bytes": 120, "drops": 0}]},
        {"ok": True, "fdb": [{"mac": "02:00:00:00:00:01", "port": "abc-eth0", "age": 3}]},
        {"ok": False, "error": "no such port"},
        {"ok": True, "detached": 1},
        {"ok": True, "segments": [{"name": "default", "mtu": 1500, "ports": 2}]},
        {"ok": True, "segment": {"name": "lan1", "mtu": 1400, "ports": 0}},
        {"ok": True, "port": "abc-eth1", "segment": "lan1"},
    ]
    for i, r in enumerate(replies):
        write("fuzz_ctl", "reply-%d" % i, b"\1" + json.dumps(r).encode())


def frame(dst, src, ethertype=0x0806, payload=b"\0" * 28):
    return bytes(12) + bytes(dst) + bytes(src) + struct.pack("!H", ethertype) + payload


def fwd():
    a = [2, 0, 0, 0, 0, 1]
    b = [2, 0, 0, 0, 0, 2]
    bcast = [0xFF] * 6
    stp = [0x01, 0x80, 0xC2, 0, 0, 0]

    def rec(port, step, f):
        return bytes([port, step, len(f)]) + f

    # a broadcasts, b answers a, a talks to b, then the table ages (a step of 255 s twice).
    conversation = (rec(0, 0, frame(bcast, a)) + rec(1, 1, frame(a, b)) +
                    rec(0, 1, frame(b, a)) + rec(2, 255, frame(b, a)) +
                    rec(3, 255, frame(a, [2, 0, 0, 0, 0, 3])))
    write("fuzz_containet_fwd", "conversation", conversation)
    write("fuzz_containet_fwd", "reserved", rec(0, 0, frame(stp, a)))
    write("fuzz_containet_fwd", "runt-and-bad-source",
          rec(0, 0, bytes(20)) + rec(1, 0, frame(a, bcast)))
    # Twenty sources on one port fill a table of sixteen.
    write("fuzz_containet_fwd", "fill",
          b"".join(rec(i % 8, 0, frame(bcast, [2, 0, 0, 1, 0, i])) for i in range(20)))


H = ["%064x" % i for i in range(1, 4)]
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def manifest():
    image = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
             "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                        "digest": "sha256:" + H[0], "size": 7},
             "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                         "digest": "sha256:" + H[1], "size": 100},
                        {"mediaType": "application/vnd.oci.image.layer.v1.tar+zstd",
                         "digest": "sha256:" + H[2], "size": 200}]}
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": "sha256:" + H[0], "size": 500,
         "platform": {"os": "linux", "architecture": "amd64"}},
        {"mediaType": OCI_MANIFEST, "digest": "sha256:" + H[1], "size": 500,
         "platform": {"os": "linux", "architecture": "arm", "variant": "v7"}},
        {"mediaType": OCI_MANIFEST, "digest": "sha256:" + H[2], "size": 500,
         "annotations": {"vnd.docker.reference.type": "attestation-manifest"},
         "platform": {"os": "unknown", "architecture": "unknown"}}]}
    docker = {"schemaVersion": 2,
              "config": {"digest": "sha256:" + H[0], "size": 7},
              "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                          "digest": "sha256:" + H[1], "size": 1}]}
    config = {"architecture": "amd64", "os": "linux",
              "config": {"Cmd": ["/bin/sh"], "Env": ["PATH=/bin"]},
              "rootfs": {"type": "layers", "diff_ids": ["sha256:" + H[1], "sha256:" + H[2]]}}
    write("fuzz_mocker_manifest", "image", b"\0" + json.dumps(image).encode())
    write("fuzz_mocker_manifest", "index", b"\1" + json.dumps(index).encode())
    write("fuzz_mocker_manifest", "docker", b"\4" + json.dumps(docker).encode())
    write("fuzz_mocker_manifest", "config", b"\0" + json.dumps(config).encode())
    write("fuzz_mocker_manifest", "schema1", b"\0" + b'{"schemaVersion":1,"fsLayers":[]}')


def ref():
    refs = ["busybox", "library/busybox:1.36", "docker.io/library/alpine:3.19",
            "127.0.0.1:5000/x/y@sha256:" + H[0], "localhost/a/b/c:tag-1.0_x",
            "[::1]:5000/img:latest", "UPPER/case"]
    for i, r in enumerate(refs):
        write("fuzz_mocker_ref", "ref-%d" % i, b"\0" + r.encode())
    challenges = [
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
        'scope="repository:library/busybox:pull"',
        'Basic realm="Registry Realm"',
        'bearer service=x, realm=http://127.0.0.1:1/token',
    ]
    for i, c in enumerate(challenges):
        write("fuzz_mocker_ref", "challenge-%d" % i, b"\1" + c.encode())


def tar(members):
    """members: (TarInfo, bytes or None)"""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as t:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return out.getvalue()


def entry(name, kind=tarfile.REGTYPE, mode=0o644, linkname=""):
    i = tarfile.TarInfo(name)
    i.type, i.mode, i.linkname = kind, mode, linkname
    return i


def unpack():
    plain = tar([(entry("etc", tarfile.DIRTYPE, 0o755), None),
                 (entry("etc/hostname"), b"node\n"),
                 (entry("bin/sh", mode=0o755), b"#!\n"),
                 (entry("bin/link", tarfile.LNKTYPE, linkname="bin/sh"), None),
                 (entry("bin/sym", tarfile.SYMTYPE, linkname="sh"), None),
                 (entry("tmp", tarfile.DIRTYPE, 0o1777), None)])
    write("fuzz_mocker_unpack", "plain", plain)
    write("fuzz_mocker_unpack", "plain-gzip", gzip.compress(plain, mtime=0))
    write("fuzz_mocker_unpack", "whiteouts",
          tar([(entry("a", tarfile.DIRTYPE, 0o755), None), (entry("a/b"), b"x"),
               (entry("a/.wh.b"), b""), (entry("c/.wh..wh..opq"), b"")]))
    write("fuzz_mocker_unpack", "dotdot", tar([(entry("../outside/file"), b"escaped")]))
    write("fuzz_mocker_unpack", "absolute", tar([(entry("/outside/file"), b"escaped")]))
    write("fuzz_mocker_unpack", "symlink-escape",
          tar([(entry("up", tarfile.SYMTYPE, linkname="../outside"), None),
               (entry("up/file"), b"escaped")]))
    write("fuzz_mocker_unpack", "hardlink-escape",
          tar([(entry("l", tarfile.LNKTYPE, linkname="../outside/file"), None)]))
    write("fuzz_mocker_unpack", "readonly-dir",
          tar([(entry("ro", tarfile.DIRTYPE, 0o555), None), (entry("ro/f"), b"x")]))


def labconf():
    """lab.conf, NUL, lab.ext, NUL, lab.dep: the fixture labs and the unit tests' cases."""
    labs = os.path.join(HERE, "..", "fixtures", "labs")
    for name in sorted(os.listdir(labs)):
        parts = []
        for f in ("lab.conf", "lab.ext", "lab.dep"):
            path = os.path.join(labs, name, f)
            parts.append(open(path, "rb").read() if os.path.exists(path) else b"")
        write("fuzz_containet_labconf", "fixture-" + name, b"\0".join(parts))
    cases = {
        "kathara-one-device": "pc1[0]='A'\npc1[1]='B'\npc1[image]='kathara/frr'\n"
        "pc1[mem]='150m'\npc1[cpus]='2'\npc1[privileged]=true\n"
        "pc1[port]=\"1000:2000/udp\"\npc1[port]=\"4000\"\npc1[num_terms]=2\n"
        "LAB_DESCRIPTION=\"Description\"\nLAB_VERSION=1.0\n",
        "kathara-quotes": "pc1[0]='A'      # inline\npc2[0]=\"A/00:00:00:00:00:01\"\n"
        "pc2[exec]=echo hi # it's\n#c\npc1[sysctl]=net.ipv4.ip_forward=1\n",
        "ext-all": "r1[0]=A\nr1[1]=B\npc1[0]=A\n\0A[subnet]=10.1.0.0/24\n"
        "A[service]=10.1.0.253\nA[dhcp]=10.1.0.100-10.1.0.199\nA[dns]=on\n"
        "A[ipv6]=fd00:1::/64\nA[mtu]=1500\nB[delay]=20ms\nB[jitter]=2ms\n"
        "B[loss_ge]=1%,10%\nB[rate]=10mbit\nB[limit]=100\nB[seed]=7\nB[state]=up\n"
        "B[capture]=b.pcapng\nB[vxlan]=42\nr1[0.ip]=10.1.0.1/24\nr1[1.ip]=fd00::1/64\n"
        "pc1[0.ip]=auto\nr1[1.vlan]='trunk:10,20 native:1'\npc1[0.vlan]=10\n"
        "r1[gw]=10.1.0.254\nLAB_HOSTS=a b\nr1[host]=a\nLAB_DOMAIN=lab.test\n"
        "IMAGE_MAP='x=y'\n\0pc1: r1\n",
        "dep-loop": "a[0]=S\nb[0]=S\nc[0]=S\n\0\0a: b\nb: c\nc: a\n",
    }
    for name, data in cases.items():
        write("fuzz_containet_labconf", name, data)


def labjson():
    """Labs as JSON: the rendering of each fixture lab (containet lab show --json)."""
    import subprocess
    labs = os.path.join(HERE, "..", "fixtures", "labs")
    containet = os.path.join(HERE, "..", "..", os.environ.get("BUILD", "build"), "bin",
                             "containet")
    for name in sorted(os.listdir(labs)):
        out = subprocess.run([containet, "lab", "show", "--json", os.path.join(labs, name)],
                             capture_output=True)
        if out.returncode == 0:
            write("fuzz_containet_labjson", "fixture-" + name, out.stdout)
    write("fuzz_containet_labjson", "small",
          '{"description":"d","nodes":[{"name":"a","image":"x","interfaces":[{"index":0,'
          '"segment":"S","mac":"02:00:00:00:00:01","ipv4":"10.0.0.1/24"}],"exec":["echo"],'
          '"sysctl":{"net.ipv4.ip_forward":"1"},"env":{"A":"b"},"ports":[{"host":1,"guest":2,'
          '"protocol":"udp"}],"depends":[]},{"name":"b","interfaces":[{"index":0,'
          '"segment":"S","trunk":[10,20],"native":1}],"depends":["a"]}],'
          '"segments":[{"name":"S","mtu":1400,"delay":"10ms"}],"image_map":{"a":"b"},'
          '"hosts":["h"],"domain":"lab.test"}')


if __name__ == "__main__":
    ctl()
    fwd()
    manifest()
    ref()
    unpack()
    labconf()
    labjson()
