#!/usr/bin/env python3
"""Where a proxy's CPU time goes under load, per request, for two or more
builds: user and kernel time, context switches, minor page faults and TCP
segments sent (all from /proc), and with --perf a sampled profile
(`perf record -e cpu-clock`, a software event, so it works on VMs without
hardware counters) as nanoseconds per request for each function, the
functions whose time differs most between the first and the last build
listed first.

    bench/cpu.py SCENARIO DIR... [--rounds 3] [--seconds 8] [--perf]

Each DIR holds a `bench-gateway` binary (copy one aside before rebuilding;
`bench-hand` copied as `bench-gateway` measures the hand-written handler).
The backend comes from the current build (`$CARGO_TARGET_DIR/production`).
The servers are loaded in turn with `wrk -t2 -c32`, pinned as in the full
run. The proxy is CPU-bound under this load (it uses one whole core), so
its CPU time per request is what its requests per second reflect. These
are the figures behind the user/kernel split in NOTES.md.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
PERF_HZ = 20000


def stat(pid):
    """(user s, system s, minor faults) of a process."""
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) / TICK, int(f[12]) / TICK, int(f[7])


def switches(pid):
    """Voluntary and involuntary context switches over all threads."""
    total = [0, 0]
    for t in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{t}/status") as f:
            s = f.read()
        total[0] += int(re.search(r"^voluntary_ctxt_switches:\s*(\d+)", s, re.M).group(1))
        total[1] += int(re.search(r"^nonvoluntary_ctxt_switches:\s*(\d+)", s, re.M).group(1))
    return total


def segments_sent():
    """TCP segments sent by the whole machine (only the benchmark runs)."""
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Tcp:")]
    return int(dict(zip(rows[0][1:], rows[1][1:]))["OutSegs"])


def load(port, path, seconds, core):
    """Runs wrk; returns (requests, req/s)."""
    out = subprocess.run(["taskset", "-c", core, "wrk", "-t2", "-c32", f"-d{seconds}s",
                          f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    n = re.search(r"(\d+) requests in", out)
    rate = re.search(r"Requests/sec:\s*([\d.]+)", out)
    if not n or not rate:
        raise RuntimeError(f"wrk gave no rate: {out}")
    return int(n.group(1)), float(rate.group(1))


def split(pid, port, path, seconds, core):
    """One measured load of a server: its figures per request."""
    u0, s0, f0 = stat(pid)
    c0, g0 = switches(pid), segments_sent()
    n, rate = load(port, path, seconds, core)
    u1, s1, f1 = stat(pid)
    c1, g1 = switches(pid), segments_sent()
    return {"req/s": rate, "user us": 1e6 * (u1 - u0) / n, "sys us": 1e6 * (s1 - s0) / n,
            "cswitch": (c1[0] - c0[0] + c1[1] - c0[1]) / n, "minflt": (f1 - f0) / n,
            "segs": (g1 - g0) / n}


def profile(pid, port, path, seconds, core, out):
    """perf record of a server under load; returns the requests served."""
    rec = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", str(PERF_HZ), "-o", out,
                            "-p", str(pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    n, _ = load(port, path, seconds, core)
    rec.send_signal(2)
    rec.wait(timeout=60)
    return n


def per_function(data, requests):
    """{(object, symbol): ns per request} from a perf.data file."""
    out = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "dso,sym",
                          "--stdio", "-F", "sample,dso,sym"],
                         capture_output=True, text=True).stdout
    ns = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\d+)\s+(\S+)\s+\[.\]\s+(.*)", line)
        if m:
            key = (m.group(2), m.group(3).strip())
            ns[key] = ns.get(key, 0) + int(m.group(1)) * 1e9 / PERF_HZ / requests
    return ns


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", choices=[s[0] for s in h.SCENARIOS])
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--perf", action="store_true", help="also profile each build with perf")
    args = ap.parse_args()
    path, status = {s[0]: (s[1], s[2]) for s in h.SCENARIOS}[args.scenario]
    proxy_core, load_core = h.cores()
    backend, backend_port = h.start_server("bench-backend", load_core)
    h.wait_http(backend_port, "/items/42", 200)
    servers = []
    for d in args.dirs:
        port = h.free_port()
        p = h.spawn([os.path.join(d, "bench-gateway"), "--listen", f"127.0.0.1:{port}",
                     "--backend", f"127.0.0.1:{backend_port}"], proxy_core)
        h.wait_http(port, path, status)
        load(port, path, 2, load_core)  # warm-up: connections, pools, caches
        servers.append((d, p, port))
    for rnd in range(args.rounds):
        order = servers if rnd % 2 == 0 else servers[::-1]
        for d, p, port in order:
            r = split(p.pid, port, path, args.seconds, load_core)
            h.log(f"round {rnd + 1} {d}: " + "  ".join(
                f"{k} {v:.0f}" if k == "req/s" else f"{k} {v:.3f}" for k, v in r.items()))
    if args.perf:
        tmp = tempfile.mkdtemp(prefix="proxyc-cpu-")
        profiles = []
        for i, (d, p, port) in enumerate(servers):
            data = os.path.join(tmp, f"perf.{i}.data")
            profiles.append(per_function(data, profile(p.pid, port, path, args.seconds,
                                                       load_core, data)))
            h.log(f"{d}: {sum(profiles[-1].values()):.0f} ns per request in all "
                  f"(under perf), profile {data}")
        first, last = profiles[0], profiles[-1]
        rows = sorted(set(first) | set(last),
                      key=lambda k: -abs(last.get(k, 0) - first.get(k, 0)))
        print(f"{'first':>8} {'last':>8} {'diff':>8}  ns per request, by function")
        for k in rows[:40]:
            a, b = first.get(k, 0), last.get(k, 0)
            print(f"{a:8.0f} {b:8.0f} {b - a:+8.0f}  {k[0][:18]:18} {k[1][:110]}")
    for _, p, _ in servers:
        h.stop(p)
    h.stop(backend)


if __name__ == "__main__":
    main()
