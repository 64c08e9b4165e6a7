#!/usr/bin/python3
"""treecmp.py A B: compares two root filesystems file by file (type, mode, owner, size,
content hash, link target, device numbers, user xattrs, hard link groups) and prints every
difference; exit 1 when there is one."""
import hashlib
import os
import stat
import sys


def describe(root):
    out, inodes = {}, {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            d = {"type": stat.S_IFMT(st.st_mode), "mode": oct(stat.S_IMODE(st.st_mode)),
                 "uid": st.st_uid, "gid": st.st_gid}
            if stat.S_ISREG(st.st_mode):
                d["size"] = st.st_size
                with open(p, "rb") as f:
                    d["sha256"] = hashlib.sha256(f.read()).hexdigest()
                inodes.setdefault((st.st_dev, st.st_ino), []).append(rel)
            elif stat.S_ISLNK(st.st_mode):
                d["target"] = os.readlink(p)
            elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                d["rdev"] = (os.major(st.st_rdev), os.minor(st.st_rdev))
            if not stat.S_ISLNK(st.st_mode):
                try:
                    d["xattrs"] = sorted((k, os.getxattr(p, k, follow_symlinks=False))
                                         for k in os.listxattr(p, follow_symlinks=False)
                                         if k.startswith("user."))
                except OSError:
                    pass
            out[rel] = d
    for group in inodes.values():
        for rel in group:
            out[rel]["links"] = sorted(group)
    return out


def main():
    a, b = describe(sys.argv[1]), describe(sys.argv[2])
    diffs = 0
    for rel in sorted(set(a) | set(b)):
        if a.get(rel) != b.get(rel):
            print("%s:\n  %s\n  %s" % (rel, a.get(rel), b.get(rel)))
            diffs += 1
    print("%d entries compared, %d differ" % (len(set(a) | set(b)), diffs))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
