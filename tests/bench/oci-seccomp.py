#!/usr/bin/python3
"""oci-seccomp.py PROFILE CONFIG.JSON

Writes into an OCI bundle's config.json the linux.seccomp section that Docker derives from
a profile in its format (containode/seccomp/default.json), for that bundle's capabilities
(process.capabilities.bounding) and this machine: the evaluation of moby's profiles/seccomp
setupSeccomp, which OCI's format has no room for.
  - architectures: the archMap entry of the native architecture, with its sub-architectures
    (or the profile's own "architectures");
  - a rule is left out when excludes.arches holds the native architecture (libseccomp's
    name: amd64, arm64 ...), or excludes.caps holds any capability of the bounding set, or
    the kernel is at least excludes.minKernel; or when includes.arches is given without the
    native architecture, or includes.caps holds one the bounding set lacks, or the kernel
    is older than includes.minKernel;
  - what stays is names (or "name"), action, errnoRet and args; defaultAction and
    defaultErrnoRet as they are.
Prints a one-line summary on stderr.  Standard library only.
"""
import json
import os
import platform
import re
import sys

# uname -m => libseccomp's name, as moby's goToNative gives it for the Go architecture.
NATIVE = {
    "x86_64": "amd64",
    "i386": "x86",
    "i486": "x86",
    "i586": "x86",
    "i686": "x86",
    "aarch64": "arm64",
    "armv7l": "arm",
    "armv6l": "arm",
    "ppc64le": "ppc64le",
    "ppc64": "ppc64",
    "s390x": "s390x",
    "riscv64": "riscv64",
    "mips64": "mips64",
}
# libseccomp's name => OCI's architecture, moby's nativeToSeccomp.
SECCOMP_ARCH = {
    "x86": "SCMP_ARCH_X86",
    "amd64": "SCMP_ARCH_X86_64",
    "arm": "SCMP_ARCH_ARM",
    "arm64": "SCMP_ARCH_AARCH64",
    "mips64": "SCMP_ARCH_MIPS64",
    "ppc64": "SCMP_ARCH_PPC64",
    "ppc64le": "SCMP_ARCH_PPC64LE",
    "riscv64": "SCMP_ARCH_RISCV64",
    "s390x": "SCMP_ARCH_S390X",
}


def die(msg):
    sys.exit("oci-seccomp: " + msg)


def kernel_version(text, what):
    """ "<kernel>.<major>[...]" => (kernel, major), as moby's parseKernelVersion."""
    m = re.match(r"^(\d+)\.(\d+)", text)
    if not m:
        die(f"{what}: not a kernel version: {text!r}")
    return int(m.group(1)), int(m.group(2))


def main():
    if len(sys.argv) != 3:
        die("usage: oci-seccomp.py PROFILE CONFIG.JSON")
    profile_path, config_path = sys.argv[1:]
    with open(profile_path) as f:
        profile = json.load(f)
    with open(config_path) as f:
        config = json.load(f)

    try:
        caps = set(config["process"]["capabilities"]["bounding"])
    except (KeyError, TypeError):
        die(f"{config_path}: no process.capabilities.bounding")
    machine = platform.machine()
    arch = NATIVE.get(machine) or die(f"unknown architecture {machine}")
    running = kernel_version(os.uname().release, "uname -r")

    if profile.get("architectures") and profile.get("archMap"):
        die("both 'architectures' and 'archMap'")
    out = {"defaultAction": profile["defaultAction"]}
    if profile.get("defaultErrnoRet") is not None:
        out["defaultErrnoRet"] = profile["defaultErrnoRet"]
    arches = list(profile.get("architectures") or [])
    for a in profile.get("archMap") or []:
        if a["architecture"] == SECCOMP_ARCH.get(arch):
            arches += [a["architecture"]] + list(a.get("subArchitectures") or [])
            break
    if arches:
        out["architectures"] = arches

    def applies(rule):
        exc = rule.get("excludes") or {}
        inc = rule.get("includes") or {}
        if arch in (exc.get("arches") or []):
            return False
        if any(c in caps for c in exc.get("caps") or []):
            return False
        if exc.get("minKernel") and running >= kernel_version(exc["minKernel"], "minKernel"):
            return False
        if inc.get("arches") and arch not in inc["arches"]:
            return False
        if any(c not in caps for c in inc.get("caps") or []):
            return False
        if inc.get("minKernel") and running < kernel_version(inc["minKernel"], "minKernel"):
            return False
        return True

    syscalls = []
    total = 0
    for rule in profile.get("syscalls") or []:
        total += 1
        names = rule.get("names")
        if rule.get("name"):
            if names:
                die("a rule with both 'name' and 'names'")
            names = [rule["name"]]
        if not applies(rule):
            continue
        call = {"names": names, "action": rule["action"]}
        if rule.get("errnoRet") is not None:
            call["errnoRet"] = rule["errnoRet"]
        if rule.get("args"):
            call["args"] = rule["args"]
        syscalls.append(call)
    if syscalls:
        out["syscalls"] = syscalls

    config.setdefault("linux", {})["seccomp"] = out
    tmp = config_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(config, f, indent=1)
    os.replace(tmp, config_path)
    print(
        f"oci-seccomp: {len(syscalls)} of {total} rules for {arch} ({' '.join(arches)}), "
        f"kernel {running[0]}.{running[1]}, {len(caps)} capabilities, "
        f"{sum(len(s['names']) for s in syscalls)} syscall names",
        file=sys.stderr,
    )


main()
