#!/usr/bin/python3
"""Holds N idle ports on a containet switch, for the many-ports part of switch.sh.

  switch-ports.py SOCK PREFIX N

Run inside a network namespace (ip netns exec NS ...).  Creates the taps PREFIX0 ..
PREFIX<N-1> there the way containode does (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR), attaches
each over its own control connection as node PREFIX<i> (a port lives as long as the
connection that attached it), prints "ready N" and then holds everything until it is
terminated.  One process for all of them, so that joining costs the machine little
besides the switch's own work.
"""

import fcntl
import json
import signal
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
TUNSETVNETHDRSZ = 0x400454D8
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
IFF_VNET_HDR = 0x4000
VNET_HDR_LEN = 12


def open_tap(name):
    f = open("/dev/net/tun", "r+b", buffering=0)
    flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR
    fcntl.ioctl(f, TUNSETIFF, struct.pack("16sH", name.encode(), flags))
    fcntl.ioctl(f, TUNSETVNETHDRSZ, struct.pack("i", VNET_HDR_LEN))
    return f


def attach(sock_path, node, ifname, tap):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sock_path)
    req = json.dumps({"op": "attach", "node": node, "ifname": ifname}).encode()
    socket.send_fds(s, [req], [tap.fileno()])
    reply = json.loads(s.recv(65536) or b"{}")
    if not reply.get("ok"):
        sys.exit(f"switch-ports: attach {node}: {reply.get('error', 'connection closed')}")
    return s


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    sock_path, prefix, n = argv[1], argv[2], int(argv[3])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    held = []
    for i in range(n):
        name = f"{prefix}{i}"
        tap = open_tap(name)
        held.append((tap, attach(sock_path, name, name, tap)))
        # The switch holds its own copy of the fd; ours would only keep the tap alive.
        tap.close()
    print(f"ready {len(held)}", flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    main(sys.argv)
