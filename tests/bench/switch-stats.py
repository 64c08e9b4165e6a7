#!/usr/bin/python3
"""Number crunching for tests/bench/switch.sh (Debian's python3, standard library only).

  switch-stats.py iperf FILE        Gbit/s received of one iperf3 --json run
  switch-stats.py udp-sent FILE     k datagrams/s the client of an iperf3 -u --json run sent
  switch-stats.py intervals FILE    worst and median interval of an iperf3 -i run, Gbit/s
  switch-stats.py ping FILE         min, avg and p99 RTT in ms of one `ping -n` run
  switch-stats.py ports CONTAINET SOCK
                                    number of ports of a switch and their drops, summed
  switch-stats.py report RESULTS DATFILE
                                    the tables, ratios and targets; DATFILE is for gnuplot

RESULTS holds one measurement per line: "SETUP REP METRIC VALUE".  Per setup and
metric the report takes the median over the repetitions.
"""

import json
import math
import re
import statistics
import subprocess
import sys

SETUPS = ("bridge", "vde", "containet")
LABEL = {"bridge": "Linux bridge", "vde": "vde_switch", "containet": "containet"}


def iperf_json(path):
    """The iperf3 JSON document in FILE, ignoring anything a launcher printed around it."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    start = text.find("{")
    end = text.rfind("}")
    if start < 0 or end < start:
        sys.exit(f"switch-stats: no iperf3 JSON in {path}")
    doc = json.loads(text[start : end + 1])
    if doc.get("error"):
        sys.exit(f"switch-stats: iperf3: {doc['error']}")
    return doc


def cmd_iperf(path):
    end = iperf_json(path)["end"]
    s = end.get("sum_received") or end.get("sum")
    print(f"{s['bits_per_second'] / 1e9:.4f}")


def cmd_udp_sent(path):
    """Datagrams per second the UDP client sent, in thousands."""
    s = iperf_json(path)["end"]["sum"]
    print(f"{s['packets'] / s['seconds'] / 1000:.3f}")


def cmd_intervals(path):
    """Worst and median interval in Gbit/s, and the seconds spent below 10% of the median."""
    doc = iperf_json(path)
    # The last interval may be a short remainder: it says nothing about a stall.
    ivs = [
        (i["sum"]["bits_per_second"] / 1e9, i["sum"]["seconds"])
        for i in doc["intervals"]
        if i["sum"]["seconds"] > 0.4
    ]
    if not ivs:
        sys.exit(f"switch-stats: no intervals in {path}")
    rates = [r for r, _ in ivs]
    median = statistics.median(rates)
    stalled = sum(t for r, t in ivs if r < 0.1 * median)
    print(f"{min(rates):.4f} {median:.4f} {stalled:.1f}")


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def cmd_ping(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        # The first echo waits for ARP (a containet client is a fresh container every
        # time): it is left out in every setup.
        rtts = [
            float(m.group(2))
            for m in re.finditer(r"icmp_seq=([0-9]+) .*time=([0-9.]+) ms", f.read())
            if m.group(1) != "1"
        ]
    if not rtts:
        sys.exit(f"switch-stats: no replies in {path}")
    print(f"{min(rtts):.4f} {statistics.fmean(rtts):.4f} {percentile(rtts, 99):.4f} {len(rtts)}")


def cmd_ports(containet, sock):
    out = subprocess.run(
        [containet, "-s", sock, "ports", "--json"], capture_output=True, text=True, check=True
    ).stdout
    ports = json.loads(out)["ports"]
    print(len(ports), sum(p.get("drops", 0) for p in ports))


def load(path):
    """{setup: {metric: {rep: value}}}; the global parameters are setup "param"."""
    data = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) != 4:
                continue
            setup, rep, metric, value = parts
            try:
                v = float(value)
            except ValueError:
                continue
            data.setdefault(setup, {}).setdefault(metric, {})[rep] = v
    return data


def med(data, setup, metric):
    v = data.get(setup, {}).get(metric)
    return statistics.median(v.values()) if v else None


def derive(data, dur):
    """Per repetition: switch and host CPU seconds per Gbit moved in the single TCP stream."""
    for m in data.values():
        gbps = m.get("tcp1", {})
        for cpu, out in (("cpu_tcp1", "cpu_per_gbit"), ("host_tcp1", "host_per_gbit")):
            per = {r: c / (gbps[r] * dur) for r, c in m.get(cpu, {}).items() if gbps.get(r)}
            if per:
                m[out] = per


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def spread(data, setup, metric):
    """(max - min) / median over the repetitions, in percent."""
    v = list(data.get(setup, {}).get(metric, {}).values())
    if len(v) < 2 or statistics.median(v) == 0:
        return None
    return (max(v) - min(v)) / statistics.median(v) * 100


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def table(title, cols, data, setups):
    print(f"\n{title}")
    head = f"  {'setup':<13}" + "".join(f"{c[1]:>{c[3]}}" for c in cols)
    print(head)
    print("  " + "-" * (len(head) - 2))
    for s in setups:
        row = f"  {LABEL[s]:<13}"
        for metric, _h, spec, width in cols:
            v = med(data, s, metric)
            row += f"{fmt(v, spec):>{width}}"
        print(row)


MAIN_COLS = [
    ("tcp1", "TCP1 Gb/s", ".2f", 11),
    ("tcp4", "TCP-P4 Gb/s", ".2f", 13),
    ("udp_kfps", "UDP18 kfr/s", ".0f", 13),
    ("udp_sent", "(sent)", ".0f", 8),
    ("ping_min", "ping min ms", ".3f", 13),
    ("ping_avg", "avg ms", ".3f", 9),
    ("ping_p99", "p99 ms", ".3f", 9),
]
CPU_COLS = [
    ("cpu_tcp1", "TCP1", ".2f", 8),
    ("cpu_tcp4", "TCP-P4", ".2f", 9),
    ("cpu_udp", "UDP18", ".2f", 8),
    ("cpu_ping", "ping", ".2f", 7),
    ("cpu_per_gbit", "s/Gbit(TCP1)", ".4f", 14),
    ("host_per_gbit", "host s/Gbit", ".4f", 13),
]
# metric, label, better when higher
RATIO_ROWS = [
    ("tcp1", "TCP single stream", True),
    ("tcp4", "TCP -P 4", True),
    ("udp_kfps", "UDP 18-byte frames/s", True),
    ("ping_min", "ping min", False),
    ("ping_avg", "ping avg", False),
    ("ping_p99", "ping p99", False),
    ("cpu_per_gbit", "switch CPU s per Gbit", False),
    ("host_per_gbit", "host CPU s per Gbit", False),
]


def target(ok, text):
    state = "not measured" if ok is None else ("met" if ok else "NOT MET")
    print(f"  [{state:^12}] {text}")


def report_targets(data, c):
    r_tcp = ratio(med(data, c, "tcp1"), med(data, "bridge", "tcp1"))
    r_udp = ratio(med(data, c, "udp_kfps"), med(data, "vde", "udp_kfps"))
    r_ping = ratio(med(data, c, "ping_avg"), med(data, "bridge", "ping_avg"))
    r_cpu = ratio(med(data, c, "cpu_per_gbit"), med(data, "vde", "cpu_per_gbit"))
    r_many = ratio(med(data, c, "many_tcp1"), med(data, c, "few_tcp1"))
    print("\nTargets (medians, same run)")
    target(None if r_tcp is None else r_tcp >= 0.8,
           f"TCP single stream >= 0.8x Linux bridge: {fmt(r_tcp, '.2f')}x")
    target(None if r_udp is None else r_udp >= 2,
           f"small frames >= 2x vde_switch: {fmt(r_udp, '.2f')}x")
    target(None if r_ping is None else r_ping <= 2,
           f"ping avg <= 2x Linux bridge: {fmt(r_ping, '.2f')}x")
    target(None if r_cpu is None else r_cpu <= 0.1,
           f"switch CPU s per Gbit <= 1/10 of vde_switch: {fmt(r_cpu, '.3f')}x")
    nports = med(data, c, "many_ports")
    target(None if r_many is None else r_many >= 0.95,
           f"TCP with {fmt(nports, '.0f')} ports attached >= 0.95x two-port figure: "
           f"{fmt(r_many, '.2f')}x ({fmt(med(data, c, 'many_tcp1'), '.2f')} Gb/s against "
           f"{fmt(med(data, c, 'few_tcp1'), '.2f')} Gb/s with two ports, before and after; drops on the ports "
           f"meanwhile: {fmt(med(data, c, 'many_drops'), '.0f')})")
    rss0, rss1, rss2 = (med(data, c, k) for k in ("rss_before", "rss_after", "rss_traffic"))
    idle = med(data, c, "many_idle")
    per = None if None in (rss0, rss1, idle) or not idle else (max(rss1, rss2 or 0) - rss0) / idle
    target(None if per is None else per <= 256,
           f"switch memory bounded per port (<= 256 KiB/port): {fmt(per, '.1f')} KiB per port "
           f"(RSS {fmt(rss0, '.0f')} KiB -> {fmt(rss1, '.0f')} KiB with the idle ports, "
           f"{fmt(rss2, '.0f')} KiB after traffic)")
    stalls = [
        ("jl", f"{fmt(med(data, c, 'jl_joins'), '.0f')} containers joining and leaving, "
               "one every 0.2 s"),
        ("mj", f"{fmt(idle, '.0f')} ports joining at once "
               f"(all listed after {fmt(med(data, c, 'mj_seconds'), '.2f')} s)"),
        ("ml", f"{fmt(idle, '.0f')} ports leaving at once "
               f"(all gone after {fmt(med(data, c, 'ml_seconds'), '.2f')} s)"),
    ]
    for key, what in stalls:
        worst, median = med(data, c, f"{key}_worst"), med(data, c, f"{key}_median")
        stalled = med(data, c, f"{key}_stalled")
        r = ratio(worst, median)
        target(None if r is None else r >= 0.25,
               f"no stall for the others while {what}: worst 0.5 s interval "
               f"{fmt(worst, '.2f')} Gb/s = {fmt(r, '.2f')}x the median {fmt(median, '.2f')} "
               f"(>= 0.25x); {fmt(stalled, '.1f')} s below 10% of the median")


def write_dat(data, path):
    """One row per setup for gnuplot: label, then the medians (NaN when missing)."""
    keys = ("tcp1", "tcp4", "udp_kfps", "ping_avg", "ping_p99", "cpu_per_gbit")
    with open(path, "w", encoding="utf-8") as f:
        f.write("# setup " + " ".join(keys) + "\n")
        for s in SETUPS:
            vals = [med(data, s, k) for k in keys]
            f.write(f'"{LABEL[s]}" ' + " ".join("NaN" if v is None else f"{v:.6g}" for v in vals))
            f.write("\n")


def cmd_report(results, datfile):
    data = load(results)
    dur = med(data, "param", "duration") or 5
    derive(data, dur)
    setups = [s for s in SETUPS if s in data]
    reps = int(med(data, "param", "reps") or 0)
    print(f"\nSwitch benchmark: medians of {reps} repetitions, {dur:.0f} s per iperf3 test, "
          "MTU 1500")
    table("Throughput and latency", MAIN_COLS, data, setups)
    table("Switch process CPU seconds per test (bridge: in the kernel, not a process)",
          CPU_COLS, data, setups)
    print("  host s/Gbit: busy CPU seconds of the whole machine per Gbit moved, TCP1 test")
    drops = med(data, "containet", "udp_drops")
    if drops is not None:
        print(f"  containet's own drop counters in the UDP18 test: {drops:.0f} k frames/s "
              f"(the UDP18 column counts what reached the receiver)")

    print("\nSpread over the repetitions, (max - min) / median, %: how far to trust the medians")
    keys = [c for c in MAIN_COLS if c[0] in ("tcp1", "tcp4", "udp_kfps", "ping_avg", "ping_p99")]
    print(f"  {'setup':<13}" + "".join(f"{c[1]:>{c[3]}}" for c in keys))
    for st in setups:
        cells = (f"{fmt(spread(data, st, c[0]), '.0f'):>{c[3]}}" for c in keys)
        print(f"  {LABEL[st]:<13}" + "".join(cells))
    load0, load1 = med(data, "param", "load_start"), med(data, "param", "load_end")
    print(f"  load average (1 min) before the run {fmt(load0, '.2f')}, after {fmt(load1, '.2f')}, "
          f"on {fmt(med(data, 'param', 'cpus'), '.0f')} CPUs: other work on the machine "
          "shows up as spread")

    c = "containet"
    print("\nRatios (containet / reference)")
    print(f"  {'figure':<24}{'/ bridge':>10}{'/ vde':>10}   better")
    for metric, label, higher in RATIO_ROWS:
        rb = ratio(med(data, c, metric), med(data, "bridge", metric))
        rv = ratio(med(data, c, metric), med(data, "vde", metric))
        print(f"  {label:<24}{fmt(rb, '.2f'):>10}{fmt(rv, '.2f'):>10}   "
              f"{'higher' if higher else 'lower'}")
    report_targets(data, c)
    write_dat(data, datfile)


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "iperf":
        cmd_iperf(*args)
    elif cmd == "udp-sent":
        cmd_udp_sent(*args)
    elif cmd == "intervals":
        cmd_intervals(*args)
    elif cmd == "ping":
        cmd_ping(*args)
    elif cmd == "ports":
        cmd_ports(*args)
    elif cmd == "report":
        cmd_report(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
