#!/usr/bin/env python3
"""A/B of two builds of `bench-gateway` under callgrind, for changes smaller
than the noise of `bench/run.sh --smoke`.

    bench/ab.py OLD_DIR NEW_DIR SCENARIO [--rounds 3] [--requests 100,600] [--cache-sim]

OLD_DIR and NEW_DIR each hold a `bench-gateway` binary (copy one aside before
rebuilding). The backend and `bench-drive` come from the current build
(`$CARGO_TARGET_DIR/production`). The two binaries run alternately; each round
reports instructions, allocations and worker parks per request (the
difference between the two request counts), and the instructions outside the
worker's parks: each park and wake-up costs about 1 k instructions, and how
often the worker parks under callgrind depends on timing, not on the code, so
that last figure is the one to compare.

With --cache-sim, callgrind also simulates the L1 caches and the branch
predictor (this VM has no hardware counters), and each round adds the L1
instruction, data-read and data-write misses and the mispredicted
conditional and indirect branches per request: what the instruction count
misses when two builds touch different amounts of memory.
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402


def calls_to(profile, name):
    """Calls to functions whose name contains `name`, read from a callgrind
    output file (names are compressed as `(id) name` on first use)."""
    names, total, callee = {}, 0, None
    with open(profile) as f:
        for line in f:
            if line.startswith("cfn="):
                m = re.match(r"cfn=\((\d+)\)(?: (.*))?", line.strip())
                if m:
                    if m.group(2):
                        names[m.group(1)] = m.group(2)
                    callee = names.get(m.group(1), "")
            elif line.startswith("calls=") and callee is not None:
                if name in callee:
                    total += int(line.split("=", 1)[1].split()[0])
                callee = None
            elif line.startswith("fn="):
                m = re.match(r"fn=\((\d+)\)(?: (.*))?", line.strip())
                if m and m.group(2):
                    names[m.group(1)] = m.group(2)
    return total


# Simulated-cache events reported with --cache-sim, as callgrind names them.
CACHE_EVENTS = (("I1mr", "L1i"), ("D1mr", "L1d read"), ("D1mw", "L1d write"),
                ("Bcm", "cond. mispredicts"), ("Bim", "indirect mispredicts"))


def events(profile):
    """The totals of every event in a callgrind output file."""
    names, totals = [], []
    with open(profile) as f:
        for line in f:
            if line.startswith("events:"):
                names = line.split()[1:]
            elif line.startswith(("summary:", "totals:")):
                totals = [int(x) for x in line.split()[1:]]
    return dict(zip(names, totals))


def measure(binary, n, scenario, backend_port, cpus, tmp, tag, cache_sim):
    out = os.path.join(tmp, f"cg.{tag}.{n}.out")
    sim = ["--cache-sim=yes", "--branch-sim=yes"] if cache_sim else []
    counters = h.drive_under_callgrind(binary, out, sim, scenario, n, backend_port, cpus)
    totals = events(out)
    if "Ir" not in totals:
        raise RuntimeError(f"no totals in {out}")
    total = totals["Ir"]
    return (total, counters["allocs"], calls_to(out, h.PARK), total - h.parked(out), totals)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("scenario", choices=[s[0] for s in h.SCENARIOS])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", default="100,600", help="the two request counts")
    ap.add_argument("--cache-sim", action="store_true",
                    help="also simulate the L1 caches and branch prediction")
    args = ap.parse_args()
    n1, n2 = (int(x) for x in args.requests.split(","))
    scenario, cpus, tmp, backend, backend_port = h.comparison_setup(args.scenario, "ab")
    for rnd in range(args.rounds):
        for label, d in (("old", args.old), ("new", args.new)):
            binary = os.path.join(d, "bench-gateway")
            tag = f"{label}{rnd}"
            a = measure(binary, n1, scenario, backend_port, cpus, tmp, tag, args.cache_sim)
            b = measure(binary, n2, scenario, backend_port, cpus, tmp, tag, args.cache_sim)
            per = n2 - n1
            h.log(f"round {rnd + 1} {label}: {(b[0] - a[0]) / per:8.0f} instr/req "
                  f"{(b[1] - a[1]) / per:5.1f} allocs/req {(b[2] - a[2]) / per:4.2f} parks/req "
                  f"{(b[3] - a[3]) / per:8.0f} instr/req outside parks")
            if args.cache_sim:
                h.log(f"round {rnd + 1} {label}: " + ", ".join(
                    f"{(b[4].get(e, 0) - a[4].get(e, 0)) / per:.0f} {what}"
                    for e, what in CACHE_EVENTS) + " per request")
    h.stop(backend)


if __name__ == "__main__":
    main()
