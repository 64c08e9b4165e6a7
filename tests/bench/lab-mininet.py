#!/usr/bin/python3
"""Mininet, the lab benchmark's reference: one topology started and stopped, timed.

lab-mininet.py TOPO MODE: TOPO as mn's --topo (single,50); MODE "updown" prints the
seconds from start to stopped, "pingall" the seconds of net.pingAll() (what mn's CLI
`pingall` runs: ping -c1 for every ordered pair, one after the other) and the percentage
it dropped, "pss" starts the network, prints the processes it runs
(one pid a line, the network's own shells), waits for a line on stdin, stops it.  Linux
bridges (--switch lxbr), no controller, as `mn --switch lxbr --controller none`.
"""
import sys
import time

from mininet.log import setLogLevel
from mininet.net import Mininet
from mininet.nodelib import LinuxBridge
from mininet.topolib import TreeTopo
from mininet.topo import LinearTopo, SingleSwitchTopo


def topo(spec):
    kind, *n = spec.split(",")
    n = [int(x) for x in n]
    if kind == "single":
        return SingleSwitchTopo(n[0])
    if kind == "linear":
        return LinearTopo(n[0])
    return TreeTopo(depth=n[0], fanout=n[1] if len(n) > 1 else 2)


def main():
    setLogLevel("error")
    spec, mode = sys.argv[1], sys.argv[2]
    t0 = time.monotonic()
    net = Mininet(topo=topo(spec), switch=LinuxBridge, controller=None, build=True)
    try:
        net.start()
        if mode == "pingall":
            t1 = time.monotonic()
            dropped = net.pingAll()
            print("%.3f %g" % (time.monotonic() - t1, dropped))
        if mode == "pss":
            for h in net.hosts:
                print(h.pid)
            print("ready", flush=True)
            sys.stdin.readline()
    finally:
        net.stop()
    if mode == "updown":
        print("%.3f" % (time.monotonic() - t0))


main()
