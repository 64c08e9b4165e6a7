"""Peers of the switch's control socket that ctltool cannot play, for 12-switch-control.sh.

  ctlpeer.py empty SOCK NODE IFNAME
      attaches a new tap, then on the same connection sends an empty message, asks for
      the ports, detaches its own port and asks again; prints one line per reply.
  ctlpeer.py linger SOCK PID MESSAGE NFDS HOLD
      sends MESSAGE with NFDS copies of a TCP socket whose close blocks (SO_LINGER 10 s,
      unsent data, a peer that does not read) to the switch PID, stopped meanwhile so
      that its close is the last one; prints the reply and how long its own close took,
      and keeps the TCP peer alive HOLD seconds.
  ctlpeer.py idle SOCK N HOLD
      opens N connections that send nothing, prints "ready", waits HOLD seconds, prints
      how many of them the switch closed.
  ctlpeer.py flood SOCK N FLAG
      opens N connections, each sending one request it never reads the reply of, prints
      "ready", closes them all once the file FLAG exists.
"""
import fcntl
import os
import select
import signal
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI, IFF_VNET_HDR = 0x0002, 0x1000, 0x4000


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    return s


def reply(s, timeout=30):
    s.settimeout(timeout)
    try:
        data = s.recv(1 << 20)
    except (ConnectionResetError, socket.timeout) as e:
        return type(e).__name__
    return data.decode() if data else "EOF"


def hung_up(s):
    p = select.poll()
    p.register(s, select.POLLIN | select.POLLRDHUP)
    for _, ev in p.poll(0):
        if ev & (select.POLLHUP | select.POLLRDHUP | select.POLLERR):
            return True
    return False


def empty(path, node, ifname):
    tap = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tap, TUNSETIFF, struct.pack("16sH", ifname.encode(), IFF_TAP | IFF_NO_PI | IFF_VNET_HDR))
    s = connect(path)
    req = '{"op":"attach","node":"%s","ifname":"%s"}' % (node, ifname)
    socket.send_fds(s, [req.encode()], [tap])
    os.close(tap)
    print("ATTACH", reply(s), flush=True)
    s.send(b"")
    print("EMPTY", reply(s), flush=True)
    if hung_up(s):
        print("HUNG-UP", flush=True)
        return
    s.send(b'{"op":"ports"}')
    print("PORTS", reply(s), flush=True)
    s.send(('{"op":"detach","port":"%s-%s"}' % (node, ifname)).encode())
    print("DETACH", reply(s), flush=True)
    s.send(b'{"op":"ports"}')
    print("AFTER", reply(s), flush=True)


def stopped(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[0] == "T"


def linger(path, pid, message, nfds, hold):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)  # never accepted, never read: the window fills and stays shut
    tcp = socket.socket()
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    tcp.connect(srv.getsockname())
    tcp.setblocking(False)
    try:
        while True:
            tcp.send(bytes(65536))
    except BlockingIOError:
        pass
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 10))
    s = connect(path)
    # Our copy goes first, so that the switch's close is the last one, the one that lingers.
    os.kill(pid, signal.SIGSTOP)
    try:
        while not stopped(pid):
            time.sleep(0.001)
        socket.send_fds(s, [message.encode()], [tcp.fileno()] * nfds)
        t = time.monotonic()
        tcp.close()
        took = time.monotonic() - t
    finally:
        os.kill(pid, signal.SIGCONT)
    print("REPLY", reply(s), flush=True)
    print("OWN-CLOSE %.3f" % took, flush=True)
    time.sleep(hold)


def idle(path, n, hold):
    conns = [connect(path) for _ in range(n)]
    print("ready", flush=True)
    time.sleep(hold)
    print("closed %d of %d" % (sum(hung_up(s) for s in conns), n), flush=True)


def flood(path, n, flag):
    conns = []
    for _ in range(n):
        s = connect(path)
        s.send(b'{"op":"ports"}')
        conns.append(s)
    print("ready", flush=True)
    while not os.path.exists(flag):
        time.sleep(0.05)
    for s in conns:
        s.close()


cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "empty":
    empty(*args)
elif cmd == "linger":
    linger(args[0], int(args[1]), args[2], int(args[3]), float(args[4]))
elif cmd == "idle":
    idle(args[0], int(args[1]), float(args[2]))
elif cmd == "flood":
    flood(args[0], int(args[1]), args[2])
else:
    sys.exit("unknown command " + cmd)
