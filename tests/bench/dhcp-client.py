"""A DHCP client that keeps one raw socket, for bench-addr: the switch's own DISCOVER-to-ACK
time without a client's socket set-up in it (busybox udhcpc opens and closes a packet
socket per message, and each close waits for an RCU grace period).  Usage:
dhcp-client.py IFACE N: N exchanges with new MACs (each binds a new lease, which the
switch saves before its ACK), then N with the first MAC again (renewals).  Prints
"new MS" and "renew MS" lines."""
import os, select, socket, struct, sys, time

iface, n = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind((iface, 0))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16:
        t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff


def frame(mac, xid, mtype, extra=b""):
    opts = b"\x63\x82\x53\x63" + bytes([53, 1, mtype]) + extra + b"\xff"
    bootp = struct.pack("!BBBBIHHIIII", 1, 1, 6, 0, xid, 0, 0x8000, 0, 0, 0, 0) + mac + b"\0" * 202 + opts
    udp = struct.pack("!HHHH", 68, 67, 8 + len(bootp), 0) + bootp
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, b"\0" * 4, b"\xff" * 4)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\xff" * 6 + mac + b"\x08\x00" + ip + udp


def answer(xid, want):
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        if not select.select([s], [], [], deadline - time.monotonic())[0]:
            break
        f = s.recv(2048)
        if len(f) < 282 or f[23] != 17 or f[36:38] != b"\x00\x44":
            continue
        b = f[42:]
        if struct.unpack("!I", b[4:8])[0] != xid:
            continue
        o = b[240:]
        i = 0
        while i + 2 <= len(o) and o[i] != 255:
            if o[i] == 0:
                i += 1
                continue
            if o[i] == 53 and o[i + 2] == want:
                return b[16:20], o
            i += 2 + o[i + 1]
    return None, None


def exchange(mac):
    xid = struct.unpack("!I", os.urandom(4))[0]
    t0 = time.monotonic()
    s.send(frame(mac, xid, 1))
    yiaddr, o = answer(xid, 2)
    if yiaddr is None:
        return None
    s.send(frame(mac, xid, 3, bytes([50, 4]) + yiaddr))
    if answer(xid, 5)[0] is None:
        return None
    return (time.monotonic() - t0) * 1000


first = b"\x02" + os.urandom(5)
for kind in ("new", "renew"):
    for i in range(n):
        mac = first if kind == "renew" or i == 0 else b"\x02" + os.urandom(5)
        ms = exchange(mac)
        if ms is not None:
            print("%s %.3f" % (kind, ms), flush=True)
