#!/usr/bin/env python3
"""Code footprint per request: which 64-byte lines of machine code each
request executes, grouped by function or by source file, for two builds side
by side.

    bench/footprint.py SCENARIO OLD_DIR NEW_DIR [--by function|file] [--top 40]
                       [--source FILTER]

Each DIR holds a `bench-gateway` binary (copy `bench-hand` in as
`bench-gateway` to profile the hand-written handler); the backend and
`bench-drive` come from the current build, as for `ab.py`. Each build serves
200 and 1,200 sequential requests under
`valgrind --tool=callgrind --dump-instr=yes`; an instruction executed at least
0.9 times per request (from the difference of the two runs) is hot, and so is
the 64-byte line that holds it. The count of hot lines is the code the
request streams through the L1 instruction cache (32 KiB = 512 lines), which
fewer executed instructions alone do not show.

`--by function` groups by the function the instruction was compiled into
(inlined code counts in its caller). `--by file` groups by the source file
the instruction comes from, inlined or not, and needs line tables: build with
`CARGO_PROFILE_PRODUCTION_DEBUG=line-tables-only` (into another
`CARGO_TARGET_DIR`, so the measured build stays as shipped). `--source FILTER`
also lists the hot lines per source line for files whose path contains
FILTER. A 64-byte line shared by two groups counts in both; the totals count
it once.
"""

import argparse
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

REQUESTS = (200, 1200)
HOT = 0.9


def executions(out):
    """Per instruction address: executions and (source file, line, function)."""
    count, where = collections.defaultdict(int), {}
    fn = fl = current = None
    skip = False
    with open(out) as f:
        for line in f:
            if skip:  # the inclusive cost of the call above, not this code's
                skip = False
            elif line.startswith("fl="):
                fl = current = line[3:].strip()
            elif line.startswith(("fi=", "fe=")):
                current = line[3:].strip()
            elif line.startswith("fn="):
                fn, current = line[3:].strip(), fl
            elif line.startswith("calls="):
                skip = True
            elif line.startswith("0x"):
                parts = line.split()
                if len(parts) >= 3:
                    addr = int(parts[0], 16)
                    count[addr] += int(parts[2])
                    where[addr] = (current or "?", int(parts[1]), fn or "?")
    return count, where


def hot(binary, scenario, backend_port, cpus, tmp, tag):
    """Per group key: (hot lines, instructions per request)."""
    runs = []
    for n in REQUESTS:
        out = os.path.join(tmp, f"fp.{tag}.{n}.out")
        h.drive_under_callgrind(binary, out, ("--dump-instr=yes", "--compress-pos=no",
                                              "--compress-strings=no"),
                                scenario, n, backend_port, cpus)
        runs.append(executions(out))
    (before, _), (after, where) = runs
    per = REQUESTS[1] - REQUESTS[0]
    result = []
    for addr, n in after.items():
        x = (n - before.get(addr, 0)) / per
        if x > 0:
            result.append((addr, x, where[addr]))
    return result


def group(rows, by):
    lines, instr, total = collections.defaultdict(set), collections.defaultdict(float), set()
    for addr, x, (file, _, fn) in rows:
        key = fn if by == "function" else file
        instr[key] += x
        if x >= HOT:
            lines[key].add(addr >> 6)
            total.add(addr >> 6)
    return lines, instr, len(total), sum(instr.values())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", choices=[s[0] for s in h.SCENARIOS])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--by", choices=["function", "file"], default="function")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--source", help="list hot lines per source line of matching files")
    args = ap.parse_args()
    scenario, cpus, tmp, backend, backend_port = h.comparison_setup(args.scenario, "footprint")
    rows = {}
    for label, d in (("old", args.old), ("new", args.new)):
        rows[label] = hot(os.path.join(d, "bench-gateway"), scenario, backend_port, cpus, tmp, label)
    h.stop(backend)
    (ol, oi, ot, oins), (nl, ni, nt, nins) = (group(rows[k], args.by) for k in ("old", "new"))
    print(f"hot 64-byte lines per request: old {ot}, new {nt} ({nt - ot:+d}); "
          f"instructions per request: old {oins:.0f}, new {nins:.0f}")
    keys = set(ol) | set(nl)
    delta = sorted(keys, key=lambda k: (-abs(len(nl.get(k, ())) - len(ol.get(k, ()))), k))
    print(f"{'old':>5} {'new':>5} {'Δ':>5} {'old instr':>9} {'new instr':>9}  {args.by}")
    for k in delta[:args.top]:
        o, n = len(ol.get(k, ())), len(nl.get(k, ()))
        print(f"{o:5d} {n:5d} {n - o:+5d} {oi.get(k, 0):9.0f} {ni.get(k, 0):9.0f}  {k[-150:]}")
    if args.source:
        for label in ("old", "new"):
            per_line = collections.defaultdict(set)
            for addr, x, (file, line, _) in rows[label]:
                if x >= HOT and args.source in file:
                    per_line[(file, line)].add(addr >> 6)
            print(f"-- {label}: hot lines per source line in files matching `{args.source}`")
            for (file, line), s in sorted(per_line.items()):
                print(f"{len(s):4d}  {file[-80:]}:{line}")


if __name__ == "__main__":
    main()
