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
        {"op": "attach", "node": "abc", "ifname": "eth0", "access": 10},
        {"op": "attach", "node": "abc", "ifname": "eth0", "trunk": [10, 20, 4094], "native": 1},
        {"op": "capture", "ports": ["abc-eth0"], "segments": ["lan1"], "snaplen": 128,
         "count": 10},
        {"op": "capture-stop", "capture": 3},
        {"op": "captures"},
        {"op": "link-set", "port": "abc-eth0", "dir": "both", "delay": "20ms", "jitter": "2ms",
         "distribution": "normal", "loss": "1%", "duplicate": "0.5%", "corrupt": "0.1%",
         "reorder": "5%", "rate": "10mbit", "limit": 1000, "seed": 7, "carrier": "down"},
        {"op": "link-set", "segment": "lan1", "loss_ge": "1%,25%,100%,0%", "clear": True},
        {"op": "link-show", "segment": "lan1"},
        {"op": "vxlan-add", "name": "vx1", "vni": 42, "remote": ["10.200.0.1", "10.200.0.2"],
         "local": "10.200.0.3", "dstport": 4789, "segment": "lab"},
        {"op": "vxlan-add", "name": "vx6", "vni": 0, "remote": "fd00::1"},
        {"op": "vxlan-del", "name": "vx1"},
        {"op": "fdb-add", "mac": "02:00:00:00:00:07", "port": "vx1", "remote": "10.200.0.1"},
        {"op": "fdb-del", "mac": "02:00:00:00:00:07", "segment": "lab"},
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
        {"ok": True, "links": [{"port": "a-eth0", "carrier": "down", "segment": "lan1",
                                "egress": {"delay": "10ms", "loss_ge": "1%,25%,100%,0%",
                                           "limit": 500, "delayed": 3, "queued": 1},
                                "ingress": {"rate": "1gbit"}}],
         "segments": [{"segment": "lan1", "egress": {"jitter": "2ms"}, "ingress": {}}]},
        {"ok": True, "detached": 1},
        {"ok": True, "segments": [{"name": "default", "mtu": 1500, "ports": 2}]},
        {"ok": True, "segment": {"name": "lan1", "mtu": 1400, "ports": 0}},
        {"ok": True, "port": "abc-eth1", "segment": "lan1"},
        {"ok": True, "ports": [{"name": "t-tr1", "state": "forwarding", "trunk": [10, 20],
                                "native": 1}, {"name": "a-eth0", "access": 10}]},
        {"ok": True, "captures": [{"capture": 1, "frames": 10, "dropped": 2, "done": True}]},
        {"ok": True, "frames": 10, "dropped": 0},
        {"ok": True, "fdb": [{"mac": "02:00:00:00:00:01", "port": "vx1", "age": 3,
                              "remote": "10.200.0.1"},
                             {"mac": "02:00:00:00:00:02", "port": "vx1", "age": 0,
                              "remote": "fd00::1", "static": True}]},
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
        "kathara-ext-placeholder": "leaf_1_0_1[0]=A\n\0A <physical_interface>.10\n",
        "ext-hosts": "LAB_NAME=two\na1[0]=lan\na1[1]=back\na2[0]=back\nb1[0]=lan\n"
        "b2[0]=lan\n\0LAB_HOSTS=\"m1=10.88.0.1 m2=fd00::2\"\nLAB_HOSTS=m3\n"
        "LAB_VXLAN_PORT=4790\nb1[host]=m2\nb2[host]=m2\nlan[subnet]=10.50.0.0/24\n"
        "lan[vxlan]=7\nback[mtu]=1400\n\0a1: b1\na2: a1\n",
    }
    for name, data in cases.items():
        write("fuzz_containet_labconf", name, data)


def sdnotify():
    for i, v in enumerate(["/run/systemd/notify", "@/org/freedesktop/systemd1/notify",
                           "@sd", "relative", "vsock:2:1234", "/" + "a" * 106]):
        write("fuzz_containet_sdnotify", "value-%d" % i, v)


def tcvalue():
    words = [(0, "20ms"), (0, "1.5s"), (0, "7"), (0, "100usecs"), (0, "4294s"),
             (1, "10mbit"), (1, "500kbps"), (1, "2Mibit"), (1, "1000tbit"),
             (2, "0.5%"), (2, "100%"), (2, "150%"),
             (3, "1%,25%"), (3, "1%,25%,100%,0%"), (3, "1%,,2%")]
    for i, (kind, w) in enumerate(words):
        write("fuzz_tcvalue", "word-%d" % i, bytes([kind]) + w.encode())


def _csum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16:
        t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff


def _ip4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0,
                    bytes(src), bytes(dst))
    return h[:10] + struct.pack("!H", _csum(h)) + h[12:] + payload


def _udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def _icmp6(src, dst, msg, hops=255):
    pseudo = bytes(src) + bytes(dst) + struct.pack("!IxxxB", len(msg), 58)
    msg = msg[:2] + struct.pack("!H", _csum(pseudo + msg[:2] + b"\0\0" + msg[4:])) + msg[4:]
    return struct.pack("!IHBB", 6 << 28, len(msg), 58, hops) + bytes(src) + bytes(dst) + msg


def endpoint():
    """Frames a node sends to the switch's local endpoint (what 18/19-switch-* exchange)."""
    me = bytes([2, 0, 0, 0, 0, 0xa])
    svc = bytes([2, 0, 0, 0, 0, 0x1])
    bc = b"\xff" * 6
    node, service = [10, 1, 0, 5], [10, 1, 0, 253]
    eth4 = lambda dst: dst + me + b"\x08\x00"
    dhcp = lambda opts: (b"\x01\x01\x06\x00\xde\xad\xbe\xef" + bytes(20) + me + bytes(10) +
                         bytes(192) + b"\x63\x82\x53\x63" + opts)
    ping = b"\x08\x00\x00\x00\x12\x34\x00\x01abcdefgh"
    ping = ping[:2] + struct.pack("!H", _csum(ping)) + ping[4:]
    query = lambda name, qtype: (b"\xab\xcd\x01\x00\x00\x01" + bytes(6) +
                                 b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l) +
                                 b"\x00" + struct.pack("!HH", qtype, 1))
    ll, allr = bytes([0xfe, 0x80] + [0] * 13 + [5]), bytes([0xff, 2] + [0] * 13 + [2])
    frames = {
        "arp-request": bc + me + b"\x08\x06" + b"\x00\x01\x08\x00\x06\x04\x00\x01" + me +
        bytes(node) + bytes(6) + bytes(service),
        "ping": eth4(svc) + _ip4(node, service, 1, ping),
        "dhcp-discover": eth4(bc) + _ip4([0] * 4, [255] * 4, 17, _udp(68, 67, dhcp(
            b"\x35\x01\x01\x0c\x03web\x37\x04\x01\x03\x06\x0f\xff"))),
        "dhcp-request": eth4(bc) + _ip4([0] * 4, [255] * 4, 17, _udp(68, 67, dhcp(
            b"\x35\x01\x03\x32\x04\x0a\x01\x00\x64\x36\x04\x0a\x01\x00\xfd\xff"))),
        "dhcp-overload": eth4(bc) + _ip4([0] * 4, [255] * 4, 17, _udp(68, 67, dhcp(
            b"\x34\x01\x03\xff"))),
        "dns-a": eth4(svc) + _ip4(node, service, 17, _udp(40000, 53, query("web", 1))),
        "dns-aaaa": eth4(svc) + _ip4(node, service, 17, _udp(40000, 53, query("web.lab", 28))),
        "rs": b"\x33\x33\x00\x00\x00\x02" + me + b"\x86\xdd" +
        _icmp6(ll, allr, b"\x85\x00\x00\x00\x00\x00\x00\x00\x01\x01" + me),
        "ns": b"\x33\x33\xff\x00\x00\x01" + me + b"\x86\xdd" +
        _icmp6(ll, bytes([0xff, 2] + [0] * 9 + [1, 0xff, 0, 0, 1]),
               b"\x87\x00\x00\x00\x00\x00\x00\x00" + bytes([0xfe, 0x80] + [0] * 13 + [1]) +
               b"\x01\x01" + me),
        "echo6": svc + me + b"\x86\xdd" + _icmp6(ll, bytes([0xfe, 0x80] + [0] * 13 + [1]),
                                               b"\x80\x00\x00\x00\x00\x01\x00\x01hi", 64),
    }
    for name, data in frames.items():
        write("fuzz_containet_endpoint", name, data)
    lines = [
        "lan auto n1 eth0 10.1.0.1 1795794355",
        "lan static r1 eth1 10.1.0.254 5",
        "lan dhcp 02:00:00:00:00:01 10.1.0.100 1795797955 web",
        "lan dhcp 02:00:00:00:00:02 10.1.0.101 0 -",
    ]
    for i, line in enumerate(lines):
        write("fuzz_containet_ipam", "line-%d" % i, b"\0" + line.encode())
    pools = [
        ["10.1.0.0/24", "10.1.0.253", "10.1.0.254", "10.1.0.100-10.1.0.199", "fd00:1::/64"],
        ["10.78.0.0/29", "10.78.0.6", "", "", ""],
        ["", "", "", "", "fd77::/64"],
        ["10.1.0.0/24", "10.1.0.253", "", "10.1.0.100-10.1.0.199", "", "lab1.example", "2/3"],
        ["10.2.0.0/16", "", "", "", "", "", "7/64"],
    ]
    for i, fields in enumerate(pools):
        write("fuzz_containet_ipam", "pool-%d" % i, b"\1" + "\0".join(fields).encode())


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


def gso():
    """virtio header (host order, little-endian here) + frame: TCPv4/v6 and UDP runs."""
    def vh(gso_type, mss, csum_start, csum_offset, hdr_len):
        return struct.pack("<BBHHHHH", 1, gso_type, hdr_len, mss, csum_start, csum_offset, 0)

    eth4 = bytes([2, 0, 0, 0, 0, 0xB, 2, 0, 0, 0, 0, 0xA, 8, 0])
    eth6 = eth4[:12] + b"\x86\xdd"
    payload = bytes(i * 7 & 0xFF for i in range(3000))
    ip4 = lambda proto: bytes([0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, proto, 0, 0,
                               10, 0, 0, 1, 10, 0, 0, 2])
    ip6 = lambda proto: bytes([0x60, 0, 0, 0, 0, 0, proto, 64]) + bytes(15) + b"\1" + \
        bytes(15) + b"\2"
    tcp = struct.pack("!HHIIBBHHH", 40000, 5201, 1, 1, 5 << 4, 0x18, 512, 0, 0)
    udp = struct.pack("!HHHH", 40000, 4789, 0, 0)
    write("fuzz_containet_gso", "tcp4", vh(1, 1000, 34, 16, 54) + eth4 + ip4(6) + tcp + payload)
    write("fuzz_containet_gso", "tcp6", vh(4, 1000, 54, 16, 74) + eth6 + ip6(6) + tcp + payload)
    write("fuzz_containet_gso", "udp4", vh(5, 1000, 34, 6, 42) + eth4 + ip4(17) + udp + payload)
    write("fuzz_containet_gso", "udp6", vh(5, 700, 54, 6, 62) + eth6 + ip6(17) + udp + payload)
    write("fuzz_containet_gso", "csum", vh(0, 0, 34, 6, 0) + eth4 + ip4(17) + udp + payload[:100])
    tagged = eth4[:12] + b"\x81\x00\x00\x0a" + eth4[12:]
    write("fuzz_containet_gso", "tagged", vh(1, 500, 38, 16, 58) + tagged + ip4(6) + tcp +
          payload[:2000])


def gro():
    """Segments, each a 2-byte big-endian length then the frame: runs of TCP segments."""
    def csum(data):
        if len(data) % 2:
            data += b"\0"
        s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
        while s >> 16:
            s = (s & 0xFFFF) + (s >> 16)
        return ~s & 0xFFFF

    def segment(v6, seq, ip_id, flags, payload, sport=40000):
        eth = bytes([2, 0, 0, 0, 0, 0xB, 2, 0, 0, 0, 0, 0xA]) + (b"\x86\xdd" if v6 else b"\x08\x00")
        tcp = struct.pack("!HHIIBBHHH", sport, 5201, seq, 99, 8 << 4, flags, 512, 0, 0) + \
            bytes([1, 1, 8, 10, 0, 0, 0, 5, 0, 0, 0, 7]) + payload
        if v6:
            src, dst = bytes(15) + b"\1", bytes(15) + b"\2"
            ip = struct.pack("!IHBB", 0x60000000, len(tcp), 6, 64) + src + dst
            pseudo = src + dst + struct.pack("!IxxxB", len(tcp), 6)
        else:
            src, dst = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
            ip = struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(tcp), ip_id, 0x4000, 64, 6, 0) + src + dst
            ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
            pseudo = src + dst + struct.pack("!xBH", 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
        return eth + ip + tcp

    def batch(frames):
        return b"".join(struct.pack("!H", len(f)) + f for f in frames)

    data = bytes(i * 7 & 0xFF for i in range(1448))
    for v6 in (False, True):
        name = "tcp6" if v6 else "tcp4"
        run = [segment(v6, 1000 + i * 1000, 7 + i, 0x10, data[:1000]) for i in range(6)]
        write("fuzz_containet_gro", name, batch(run))
        short = run[:3] + [segment(v6, 4000, 10, 0x18, data[:300])] + run[4:]
        write("fuzz_containet_gro", name + "-short-psh", batch(short))
        mixed = [segment(v6, 1000 + (i // 2) * 1000, 7 + i // 2, 0x10, data[:500], 40000 + i % 2)
                 for i in range(6)]
        write("fuzz_containet_gro", name + "-mixed", batch(mixed))
    big = [segment(False, i * 1448, i, 0x10, data) for i in range(46)]
    write("fuzz_containet_gro", "tcp4-64k", batch(big))
    arp = bytes([0xFF] * 6 + [2, 0, 0, 0, 0, 1]) + b"\x08\x06" + bytes(28)
    write("fuzz_containet_gro", "arp", batch([arp, arp]))


def vxlan():
    """Mode byte (bit 0: remote list), then a VXLAN datagram or the list's text."""
    inner = bytes([0xFF] * 6 + [2, 0, 0, 0, 0, 1]) + b"\x08\x06" + bytes(28)
    hdr = lambda flags=8, vni=4242, rest=b"\0\0\0", last=0: (
        bytes([flags]) + rest + vni.to_bytes(3, "big") + bytes([last]))
    write("fuzz_containet_vxlan", "ok", b"\0" + hdr() + inner)
    write("fuzz_containet_vxlan", "no-i-flag", b"\0" + hdr(flags=0) + inner)
    write("fuzz_containet_vxlan", "reserved", b"\0" + hdr(rest=b"\0\1\0") + inner)
    write("fuzz_containet_vxlan", "short", b"\0" + hdr()[:5])
    tcp = (bytes([2, 0, 0, 0, 0, 0xB, 2, 0, 0, 0, 0, 0xA, 8, 0, 0x45]) + bytes(8) +
           b"\x06\0\0\x0a\0\0\x01\x0a\0\0\x02" + b"\x9c\x40\x14\x51" + bytes(16))
    write("fuzz_containet_vxlan", "tcp", b"\0" + hdr() + tcp)
    write("fuzz_containet_vxlan", "remotes", b"\1" + b"10.200.0.2,10.200.0.3")
    write("fuzz_containet_vxlan", "remotes6", b"\1" + b"fd00::1,fd00::2")
    write("fuzz_containet_vxlan", "remotes-bad", b"\1" + b"10.0.0.1,fd00::1,")


def volume():
    cases = {
        "plain": "/srv/data:/data\n/srv/conf/app.conf:/etc/app.conf:ro\n",
        "normalise": "shared:/shared/./x//y/\nsrc:/a:rw\n",
        "refused": "src:rel\nsrc:/a/../b\nsrc:/\nsrc:/proc/x\nsrc:/sys\n:/x\nsrc\n"
        "src:/x:rx\nsrc:/x:ro:y\nsrc:\nsrc:/x\nsrc:/x/\n",
    }
    for name, data in cases.items():
        write("fuzz_containode_volume", name, data)


def change():
    cases = {
        "cmd": 'CMD ["/bin/sh", "-c", "echo hi"]\nENTRYPOINT /ep arg\nCMD [1]\n',
        "env": 'ENV A=1 B="two words" C=\'x\' D=a\\ b\nENV LONG value with spaces\n',
        "label": 'LABEL a=1 "b c"="d \\"e\\""\nLABEL k v\n',
        "misc": "WORKDIR /srv\nWORKDIR www\nUSER app\nSTOPSIGNAL SIGINT\n"
                "EXPOSE 80 53/udp\nVOLUME /a /b\nVOLUME [\"/c\"]\n",
        "bad": 'RUN x\nEXPOSE 99999\nENV A\nLABEL a="b\nUSER a b\nCMD\nVOLUME [""]\n',
    }
    for name, data in cases.items():
        write("fuzz_mocker_change", name, data)


def archivejson():
    h1, h2 = "1" * 64, "2" * 64
    oci = {"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + h1,
         "size": 10, "annotations": {"org.opencontainers.image.ref.name": "latest",
                                     "io.containerd.image.name": "docker.io/library/a:1"}},
        {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "sha256:" + h2,
         "size": 20}]}
    docker = [{"Config": h1 + ".json", "RepoTags": ["a:1", "b/c:2"],
               "Layers": ["abc/layer.tar", "blobs/sha256/" + h2]},
              {"Config": "x.json", "RepoTags": None, "Layers": []}]
    write("fuzz_mocker_archivejson", "oci", b"\0" + json.dumps(oci).encode())
    write("fuzz_mocker_archivejson", "docker", b"\1" + json.dumps(docker).encode())
    write("fuzz_mocker_archivejson", "docker-dotdot",
          b"\1" + json.dumps([{"Config": "c", "Layers": ["../../etc/passwd"]}]).encode())


def state():
    """containode's state.json: a full one, a minimal one, and /proc/PID/stat lines."""
    full = {
        "id": "lab1-r1", "status": "exited", "exit_code": 137, "pid": 4242,
        "pid_start": 123456789, "supervisor": 4241, "supervisor_start": 123456700,
        "created": "2026-11-27T15:34:33Z", "image": "busybox:latest",
        "root": "/var/lib/containet/rootfs/ab", "top": None, "work": None,
        "top_owned": False, "hostname": "r1", "cwd": "/", "stop_signal": 15,
        "caps": 2818844155, "privileged": False, "seccomp": None, "have_user": True,
        "uid": 1000, "gid": 100, "groups": [100, 10],
        "cgroups": [{"path": "/sys/fs/cgroup/devices/containet/x@1", "version": 1,
                     "controllers": 1, "base_len": 22},
                    {"path": "/sys/fs/cgroup/unified/containet/x@1", "version": 2,
                     "controllers": 16, "base_len": 22}],
        "switch_ports": [{"switch": "/run/sw.sock", "ifname": "eth0", "segment": ""}],
        "command": ["sh", "-c", "httpd -f"], "env": ["PATH=/bin"], "ports": ["8080:80/tcp"],
    }
    write("fuzz_containode_state", "full", json.dumps(full, indent=1))
    minimal = {k: full[k] for k in ("id", "status", "exit_code", "pid", "pid_start",
                                    "supervisor", "supervisor_start", "created",
                                    "stop_signal", "caps", "uid", "gid", "command")}
    write("fuzz_containode_state", "minimal", json.dumps(minimal))
    write("fuzz_containode_state", "stat",
          "7 (a) b) S 0 1 1 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 98765 1 2\n")


def portspec():
    """containode -p values, as the unit tests and the integration test give them."""
    for i, v in enumerate(["8080:80", "53:53/udp", "127.0.0.1:1:65535/tcp", "[::1]:8080:80",
                           "[fd00::5]:53:5353/udp", "1.2.3:80:80", "[::1]:80"]):
        write("fuzz_containode_portspec", "spec-%d" % i, v)


def seccomp_cache():
    """Entries as containode writes them (struct cache_header, then build, profile, BPF)."""
    def entry(profile, insns, build=b"\1\2\3\4", caps=0xa80425fb, arch=b"amd64"):
        body = build + profile + b"".join(struct.pack("<HBBI", *i) for i in insns)
        h = 0xcbf29ce484222325
        for b in body:
            h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
        head = b"cnsecc\0\1" + struct.pack("<IIQQII", len(insns), len(build), len(profile),
                                             caps, 6, 1)
        head += arch.ljust(16, b"\0") + struct.pack("<Q", h)
        return head + body
    good = entry(b"{}", [(6, 0, 0, 0x7fff0000), (6, 0, 0, 0)])
    write("fuzz_containode_seccomp_cache", "good", good)
    write("fuzz_containode_seccomp_cache", "other-caps", entry(b"{}", [(6, 0, 0, 0)], caps=1))
    write("fuzz_containode_seccomp_cache", "truncated", good[:-3])
    write("fuzz_containode_seccomp_cache", "header-only", good[:64])


def labaddr():
    """What lab pingall and wait read from nodes: `ip -j addr` and `containode ps --json`."""
    write("fuzz_containet_labaddr", "ip-addr",
          '[{"ifindex":1,"ifname":"lo","addr_info":[{"family":"inet","local":"127.0.0.1",'
          '"prefixlen":8}]},{"ifindex":2,"ifname":"eth0","flags":["UP"],"addr_info":['
          '{"family":"inet","local":"10.1.0.1","prefixlen":24,"scope":"global"},'
          '{"family":"inet6","local":"fe80::1","prefixlen":64}]},{"ifindex":3,'
          '"ifname":"eth1","addr_info":[]},{"ifindex":4,"ifname":"eth2"}]')
    write("fuzz_containet_labaddr", "ps",
          '[{"id":"lab-r1","pid":5,"status":"running"},{"id":"lab-pc1","status":"exited"}]')
    write("fuzz_containet_labaddr", "empty", "[]")


def labmgmt():
    """A lab's management state file and the host's /etc/hosts with the lab's blocks."""
    write("fuzz_containet_labmgmt", "state", "net 201\nport ctm0011aabb\nnode pc1 1\nnode r_2 2\n")
    write("fuzz_containet_labmgmt", "hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost\n")
    write("fuzz_containet_labmgmt", "hosts-blocks",
          "127.0.0.1 localhost\n# containet lab lm begin\n172.30.5.1\tpc1.lm pc1\n"
          "# containet lab lm end\n# containet lab lm2 begin\n172.30.9.1\th1.lm2 h1\n"
          "# containet lab lm2 end\n10.0.0.1 mine")
    write("fuzz_containet_labmgmt", "hosts-no-newline",
          "127.0.0.1 localhost\n# last\n# containet lab lm begin, after a newline of its own\n"
          "172.30.5.1\tpc1.lm pc1\n# containet lab lm end\n")


def labping():
    """What lab pingall reads from a node's raw ICMP socket: an IPv4 packet."""
    def csum(b):
        s = sum(int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b) - 1, 2))
        if len(b) % 2:
            s += b[-1] << 8
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        return (~s & 0xffff).to_bytes(2, "big")

    def packet(kind, ident, seq, nonce, tag):
        icmp = bytes([kind, 0, 0, 0]) + ident.to_bytes(2, "big") + seq.to_bytes(2, "big") + \
            nonce.to_bytes(4, "big") + tag.to_bytes(4, "big")
        icmp = icmp[:2] + csum(icmp) + icmp[4:]
        ip = bytes([0x45, 0, 0, 20 + len(icmp), 0, 0, 0, 0, 64, 1, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1])
        return ip + icmp

    write("fuzz_containet_labping", "reply", packet(0, 0x1234, 0, 0xcafef00d, 7))
    write("fuzz_containet_labping", "other-id", packet(0, 0x4321, 1, 0xcafef00d, 7))
    write("fuzz_containet_labping", "request", packet(8, 0x1234, 0, 0xcafef00d, 7))

    # A neighbour dump of sequence 1, as the kernel sends it (host order, as on x86).
    def nlmsg(kind, seq, body):
        m = (16 + len(body)).to_bytes(4, "little") + kind.to_bytes(2, "little") + \
            (2).to_bytes(2, "little") + seq.to_bytes(4, "little") + bytes(4) + body
        return m + bytes(-len(m) % 4)

    def neigh(family, ifindex, state, dst):
        body = bytes([family, 0, 0, 0]) + ifindex.to_bytes(4, "little") + \
            state.to_bytes(2, "little") + bytes([0, 1])
        if dst:
            body += (4 + len(dst)).to_bytes(2, "little") + (1).to_bytes(2, "little") + dst
        return nlmsg(28, 1, body)  # RTM_NEWNEIGH, NDA_DST

    dump = neigh(2, 2, 0x02, bytes([10, 0, 0, 2])) + neigh(2, 2, 0x80, bytes([10, 0, 0, 9])) + \
        neigh(10, 2, 0x02, bytes(16))
    write("fuzz_containet_labping", "neigh-dump", dump)
    write("fuzz_containet_labping", "neigh-done", dump + nlmsg(3, 1, bytes(4)))
    write("fuzz_containet_labping", "neigh-error",
          nlmsg(2, 1, (-1 & 0xffffffff).to_bytes(4, "little") + bytes(16)))


def auth():
    configs = [
        {"auths": {"127.0.0.1:5000": {"auth": "dGVzdDpzZWNyZXQ="}}},
        {"credsStore": "desktop", "auths": {"https://index.docker.io/v1/": {}}},
        {"credsStore": "pass", "credHelpers": {"gcr.io": "gcloud", "127.0.0.1:5000": "test"}},
        {"credHelpers": {"https://quay.io": "../bin/sh"}},
        {"auths": {"quay.io": {"auth": "bm9jb2xvbg=="}}},
    ]
    for i, c in enumerate(configs):
        write("fuzz_mocker_auth", "config-%d" % i, bytes([2 * i]) + json.dumps(c).encode())
    outputs = [
        '{"ServerURL":"127.0.0.1:5000","Username":"test","Secret":"secret"}\n',
        "credentials not found in native keychain\n",
        '{"Username":"<token>","Secret":"refresh"}',
        '{"Username":"a","Secret":"x\\r\\nInjected: 1"}',
    ]
    for i, o in enumerate(outputs):
        write("fuzz_mocker_auth", "helper-%d" % i, b"\1" + o.encode())


def labsig():
    """What lab test reads from a node: its probe's sections."""
    write("fuzz_containet_labsig", "probe",
          '@addr\n[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,'
          '"addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host"}]},'
          '{"ifindex":2,"ifname":"eth0","flags":["BROADCAST","UP","LOWER_UP"],"mtu":1500,'
          '"address":"02:00:00:00:01:01","addr_info":[{"family":"inet","local":"10.1.0.1",'
          '"prefixlen":24,"scope":"global"}]}]\n'
          '\n@route4\n[{"dst":"default","gateway":"10.1.0.254","dev":"eth0","flags":[]},'
          '{"dst":"10.1.0.0/24","dev":"eth0","protocol":"kernel","scope":"link",'
          '"prefsrc":"10.1.0.1","flags":["linkdown"]}]\n'
          '\n@route6\n[{"dst":"fd00::/64","dev":"eth0","protocol":"kernel","metric":256}]\n'
          '\n@tcp\n  sl  local_address rem_address   st tx_queue\n'
          '   0: 00000000:0016 00000000:0000 0A 00000000:00000000\n'
          '\n@tcp6\n  sl  local_address remote_address st\n'
          '   0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A\n'
          '\n@udp\n  sl  local_address rem_address   st\n'
          '  10: 00000000:0208 00000000:0000 07 00000000:00000000\n\n@udp6\n')
    write("fuzz_containet_labsig", "empty-addr", "@addr\n[]\n")


if __name__ == "__main__":
    auth()
    ctl()
    fwd()
    manifest()
    ref()
    unpack()
    labconf()
    tcvalue()
    sdnotify()
    endpoint()
    labjson()
    gso()
    gro()
    vxlan()
    volume()
    change()
    archivejson()
    state()
    portspec()
    seccomp_cache()
    labaddr()
    labmgmt()
    labping()
    labsig()
