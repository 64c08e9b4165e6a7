#!/usr/bin/python3
"""Builds the test images of the registry tests as OCI image layouts, from Debian content
(busybox-static), with layers written by Python's tarfile so that every whiteout, link and
mode case is exactly what the test wants.

    mkimage.py OUTDIR RECIPE [--compress gzip|zstd|none] [--size-mb N]

writes an OCI layout in OUTDIR whose index.json has one entry named "latest" (or, for the
multi-platform recipe, an image index with several platforms)."""
import argparse
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

BUSYBOX = "/bin/busybox"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
LAYER_MT = {
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
    "none": "application/vnd.oci.image.layer.v1.tar",
}
MTIME = 1700000000
WRONG_DIFF_ID = False


class Layer:
    def __init__(self):
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w", format=tarfile.PAX_FORMAT)

    def _info(self, name, type_, mode, uid=0, gid=0):
        ti = tarfile.TarInfo(name)
        ti.type = type_
        ti.mode = mode
        ti.uid, ti.gid = uid, gid
        ti.uname = ti.gname = ""
        ti.mtime = MTIME
        return ti

    def dir(self, name, mode=0o755, uid=0, gid=0):
        self.tar.addfile(self._info(name, tarfile.DIRTYPE, mode, uid, gid))

    def file(self, name, data, mode=0o644, uid=0, gid=0, xattrs=None):
        if isinstance(data, str):
            data = data.encode()
        ti = self._info(name, tarfile.REGTYPE, mode, uid, gid)
        ti.size = len(data)
        if xattrs:
            ti.pax_headers = {"SCHILY.xattr." + k: v for k, v in xattrs.items()}
        self.tar.addfile(ti, io.BytesIO(data))

    def bigfile(self, name, size):
        """Half random, half text: compresses about as much as real binaries do."""
        ti = self._info(name, tarfile.REGTYPE, 0o644)
        ti.size = size
        src = io.BytesIO()
        line = b"the quick brown fox jumps over the lazy dog 0123456789\n" * 600
        n = 0
        while n < size:
            chunk = (os.urandom(32768) + line[:32768])[: size - n]
            src.write(chunk)
            n += len(chunk)
        src.seek(0)
        self.tar.addfile(ti, src)

    def symlink(self, name, target):
        ti = self._info(name, tarfile.SYMTYPE, 0o777)
        ti.linkname = target
        self.tar.addfile(ti)

    def hardlink(self, name, target):
        ti = self._info(name, tarfile.LNKTYPE, 0o644)
        ti.linkname = target
        self.tar.addfile(ti)

    def device(self, name, kind, major, minor, mode=0o666):
        ti = self._info(name, tarfile.CHRTYPE if kind == "c" else tarfile.BLKTYPE, mode)
        ti.devmajor, ti.devminor = major, minor
        self.tar.addfile(ti)

    def fifo(self, name, mode=0o644):
        self.tar.addfile(self._info(name, tarfile.FIFOTYPE, mode))

    def done(self):
        self.tar.close()
        return self.buf.getvalue()


def busybox_layer():
    l = Layer()
    for d in ("bin", "etc", "tmp", "root", "home", "var"):
        l.dir(d, 0o1777 if d == "tmp" else 0o755)
    with open(BUSYBOX, "rb") as f:
        l.file("bin/busybox", f.read(), 0o755)
    for applet in ("sh", "ls", "cat", "echo", "id", "pwd", "env", "true", "false"):
        l.symlink("bin/" + applet, "busybox")
    l.file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n")
    l.file("etc/group", "root:x:0:\nuser:x:1000:\n")
    l.dir("home/user", 0o750, 1000, 1000)
    return l.done()


def runconfig_layer():
    """Users and groups by name, and applets, for containode's --image tests."""
    l = Layer()
    for applet in ("hostname", "sleep", "touch", "grep", "mkdir"):
        l.symlink("bin/" + applet, "busybox")
    l.file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
           "user:x:1000:1000::/home/user:/bin/sh\n"
           "app:x:1001:1002:app:/home/app:/bin/sh\n"
           "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    l.file("etc/group", "root:x:0:\nuser:x:1000:\napp:x:1002:\nextra:x:1003:app\n"
           "more:x:1004:user,app\nnogroup:x:65534:\n")
    l.dir("home/app", 0o750, 1001, 1002)
    return l.done()


RUNCONFIG = {"Entrypoint": ["/bin/echo", "ep"], "Cmd": ["cmd"],
             "Env": ["PATH=/bin", "A=image", "B=image"], "WorkingDir": "/work/dir",
             "User": "app"}


def links_layer():
    """Layer 2: every kind of entry, for the file-by-file comparison with umoci."""
    l = Layer()
    l.dir("data", 0o755)
    l.file("data/plain", "plain file\n", 0o644, 1000, 1000)
    l.file("data/setuid", "#!/bin/sh\n", 0o4755)
    l.file("data/setgid-sticky", "x", 0o2644)
    l.file("data/private", "secret\n", 0o600, 1000, 1000)
    l.hardlink("data/hardlink", "data/plain")
    l.symlink("data/rel-link", "plain")
    l.symlink("data/abs-link", "/etc/passwd")
    l.symlink("data/dangling", "/nonexistent/target")
    l.dir("data/sub", 0o700, 1000, 1000)
    l.file("data/sub/deep", "deep\n")
    l.device("data/null", "c", 1, 3)
    l.device("data/blk", "b", 7, 0, 0o660)
    l.fifo("data/fifo")
    l.file("data/xattr", "x", 0o644, xattrs={"user.test": "value"})
    l.file("etc/victim", "will be whited out\n")
    l.dir("opaque", 0o755)
    l.file("opaque/old1", "old\n")
    l.dir("opaque/olddir")
    l.file("opaque/olddir/f", "old\n")
    l.dir("dir2file")
    l.file("dir2file/inside", "gone\n")
    l.file("file2dir", "becomes a dir\n")
    l.file("linktarget", "lower layer content\n")
    return l.done()


def whiteout_layer():
    """Layer 3: whiteouts, opaque directory (its own new files before and after the
    marker), type changes, and a hard link to a file of an earlier layer."""
    l = Layer()
    l.file("etc/.wh.victim", "")
    l.dir("opaque", 0o755)
    l.file("opaque/new-before", "new\n")
    l.file("opaque/.wh..wh..opq", "")
    l.file("opaque/new-after", "new\n")
    l.file("dir2file", "now a file\n")
    l.dir("file2dir", 0o755)
    l.file("file2dir/inside", "now a dir\n")
    l.hardlink("hardlink-to-lower", "linktarget")
    l.file("data/.wh.fifo", "")
    return l.done()


def setuid_layer():
    """What a hostile image brings for the users of the host: a setuid-root program (id,
    which shows its euid), a device node anyone may open, and /tmp world-writable."""
    l = Layer()
    with open("/usr/bin/id", "rb") as f:
        l.file("bin/suid-id", f.read(), 0o4755)
    l.dir("dev", 0o755)
    l.device("dev/rw", "c", 1, 3, 0o666)
    l.dir("tmp", 0o1777)
    return l.done()


def readonly_layer():
    """Directories their owner may not write or read, as images have them (/proc, /sys
    mount points, 0555 trees)."""
    l = Layer()
    l.dir("ro", 0o555)
    l.dir("ro/sub", 0o500)
    l.file("ro/sub/f", "f\n", 0o444)
    l.dir("ro/none", 0o000)
    l.file("ro/g", "g\n", 0o444)
    return l.done()


def zeros_layer(size):
    """One big file of zeros: a few kB compressed, size bytes unpacked."""
    l = Layer()
    ti = l._info("zeros", tarfile.REGTYPE, 0o644)
    ti.size = size

    class Zeros:
        def __init__(self):
            self.left = size

        def read(self, n=-1):
            n = self.left if n < 0 else min(n, self.left)
            self.left -= n
            return bytes(n)

    l.tar.addfile(ti, Zeros())
    return l.done()


def config(diff_ids, arch="amd64", variant=None, extra=None):
    c = {
        "created": "2024-01-02T03:04:05Z",
        "architecture": arch,
        "os": "linux",
        "config": {
            "Entrypoint": ["/bin/sh", "-c"],
            "Cmd": ["echo hello from the image"],
            "Env": ["PATH=/bin", "GREETING=hello world"],
            "WorkingDir": "/home/user",
            "User": "1000:1000",
        },
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2024-01-02T03:04:05Z", "created_by": "mkimage.py"}],
    }
    if variant:
        c["variant"] = variant
    if extra:
        c["config"].update(extra)
    return c


class Layout:
    def __init__(self, out):
        self.out = out
        os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(out, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)

    def blob(self, data, media_type):
        d = hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.out, "blobs", "sha256", d), "wb") as f:
            f.write(data)
        return {"mediaType": media_type, "digest": "sha256:" + d, "size": len(data)}

    def image(self, layers, compress, arch="amd64", variant=None, extra=None):
        descs, diff_ids = [], []
        for raw in layers:
            diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
        if WRONG_DIFF_ID:
            diff_ids[-1] = "sha256:" + hashlib.sha256(b"not this layer").hexdigest()
        for raw in layers:
            descs.append(self.blob(compress_layer(raw, compress), LAYER_MT[compress]))
        cfg = json.dumps(config(diff_ids, arch, variant, extra)).encode()
        m = {"schemaVersion": 2, "mediaType": MT_MANIFEST,
             "config": self.blob(cfg, MT_CONFIG), "layers": descs}
        return self.blob(json.dumps(m).encode(), MT_MANIFEST)

    def write_index(self, manifests):
        with open(os.path.join(self.out, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "manifests": manifests}, f)


def compress_layer(raw, how):
    if how == "gzip":
        return gzip.compress(raw, 6, mtime=0)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c", "-3"], input=raw, check=True,
                              stdout=subprocess.PIPE).stdout
    return raw


def hostile(kind, canary):
    """Layers that try to leave the root; canary is a directory outside it."""
    l = Layer()
    if kind == "abs":
        l.file(canary + "/evil", "pwned\n")
    elif kind == "dotdot":
        l.file("../" * 12 + canary.lstrip("/") + "/evil", "pwned\n")
    elif kind == "symlink":
        l.symlink("escape", canary)  # planted by the same layer, then written through
        l.file("escape/evil", "pwned\n")
    elif kind == "hardlink":
        l.hardlink("stolen", "../" * 12 + canary.lstrip("/") + "/canary")
    elif kind == "symlink-lower":
        l.symlink("escape", canary)  # planted by an earlier layer
        l2 = Layer()
        l2.file("escape/evil", "pwned\n")
        return [l.done(), l2.done()]
    return [l.done()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("recipe")
    ap.add_argument("--compress", default="gzip", choices=list(LAYER_MT))
    ap.add_argument("--size-mb", type=int, default=8)
    ap.add_argument("--canary", default="/tmp/canary")
    ap.add_argument("--wrong-diff-id", action="store_true",
                    help="a config whose last diff_id does not match the last layer")
    a = ap.parse_args()
    global WRONG_DIFF_ID
    WRONG_DIFF_ID = a.wrong_diff_id
    lay = Layout(a.out)
    name = {"org.opencontainers.image.ref.name": "latest"}
    if a.recipe == "busybox":
        m = lay.image([busybox_layer()], a.compress)
    elif a.recipe == "layers":
        m = lay.image([busybox_layer(), links_layer(), whiteout_layer()], a.compress)
    elif a.recipe == "big":
        l = Layer()
        l.bigfile("big.bin", a.size_mb << 20)
        m = lay.image([busybox_layer(), l.done()], a.compress)
    elif a.recipe == "multiarch":
        entries = []
        for arch, variant in (("amd64", None), ("arm64", "v8"), ("arm", "v7"), ("386", None)):
            l = Layer()
            l.file("platform", "%s/%s\n" % (arch, variant or ""))
            d = lay.image([busybox_layer(), l.done()], a.compress, arch, variant)
            d["platform"] = {"os": "linux", "architecture": arch}
            if variant:
                d["platform"]["variant"] = variant
            entries.append(d)
        # an attestation entry, as BuildKit writes them, to be skipped
        att = dict(entries[1])
        att["platform"] = {"os": "unknown", "architecture": "unknown"}
        att["annotations"] = {"vnd.docker.reference.type": "attestation-manifest"}
        entries.append(att)
        idx = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": entries}
        m = lay.blob(json.dumps(idx).encode(), MT_INDEX)
    elif a.recipe == "runconfig":
        m = lay.image([busybox_layer(), runconfig_layer()], a.compress, extra=RUNCONFIG)
    elif a.recipe == "setuid":
        m = lay.image([busybox_layer(), setuid_layer()], a.compress)
    elif a.recipe == "readonly":
        m = lay.image([busybox_layer(), readonly_layer()], a.compress)
    elif a.recipe == "zeros":
        m = lay.image([busybox_layer(), zeros_layer(a.size_mb << 20)], a.compress)
    elif a.recipe.startswith("hostile-"):
        m = lay.image([busybox_layer()] + hostile(a.recipe[8:], a.canary), a.compress)
    else:
        sys.exit("mkimage: unknown recipe " + a.recipe)
    m["annotations"] = name
    lay.write_index([m])


if __name__ == "__main__":
    main()
