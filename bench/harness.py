#!/usr/bin/env python3
"""The proxyc benchmark harness (run it through bench/run.sh).

Starts the backend, the generated gateway, the hand-written handler and nginx
on 127.0.0.1, measures throughput with wrk (proxy pinned to one core, wrk and
backend to the other), instructions and heap allocations per request under
callgrind, and compiler speed on a generated 1,000-policy bundle; writes
bench/RESULTS.md and bench/results/ratios.svg.
"""
import argparse
import atexit
import datetime
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
# Built by run.sh with the `production` profile (fat LTO, one codegen unit).
BIN = os.path.join(TARGET, "production")

# name, path, expected status (mirrors proxyc_bench::SCENARIOS)
SCENARIOS = [
    ("pass", "/pass/items/42?q=1", 200),
    ("mediate", "/mediate/items/42", 200),
    ("callout", "/callout/items/42", 200),
    ("integration", "/integration/run?customer=C-7", 200),
    ("fault", "/fault/items/42", 503),
]

CHILDREN = []


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def kill_children():
    for p in CHILDREN:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


atexit.register(kill_children)
for _sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(_sig, lambda s, f: sys.exit(128 + s))


def cores():
    n = os.cpu_count() or 1
    if n < 2:
        return "0", "0"
    return "0", ",".join(str(c) for c in range(1, n))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(cmd, core=None, **kw):
    if core is not None:
        cmd = ["taskset", "-c", core] + cmd
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True, **kw)
    CHILDREN.append(p)
    return p


def wait_http(port, path, status, timeout=60.0):
    """Polls until `path` answers `status` (the server is up and routes)."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                last = r.status
        except urllib.error.HTTPError as e:
            last = e.code
        except OSError as e:
            last = str(e)
        if last == status:
            return
        time.sleep(0.1)
    raise RuntimeError(f"127.0.0.1:{port}{path} never answered {status} (last: {last})")


def stop(p, timeout=60):
    """SIGTERM, then the allocation counters the bench binaries print."""
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGTERM)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
    for line in reversed(out.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"{p.args}: no counters on exit; stderr: {err[-2000:]}")


def start_server(binary, core, backend_port=None):
    port = free_port()
    cmd = [os.path.join(BIN, binary), "--listen", f"127.0.0.1:{port}"]
    if backend_port:
        cmd += ["--backend", f"127.0.0.1:{backend_port}"]
    return spawn(cmd, core), port


def nginx_conf(port, backend_port, tmp):
    return f"""
worker_processes 1;
daemon off;
master_process on;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    upstream backend {{ server 127.0.0.1:{backend_port}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        location /pass/ {{
            proxy_pass http://backend/;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host backend.bench;
            proxy_buffering off;
        }}
    }}
}}
"""


def wrk(port, path, seconds, args, core):
    cmd = ["taskset", "-c", core, "wrk", "-t", str(args.threads), "-c", str(args.connections),
           "-d", f"{seconds}s", f"http://127.0.0.1:{port}{path}"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    m = re.search(r"Requests/sec:\s*([\d.]+)", out)
    if not m:
        raise RuntimeError(f"wrk gave no rate: {out}")
    errors = re.search(r"Socket errors: (.*)", out)
    if errors:
        log(f"  wrk socket errors on {path}: {errors.group(1)}")
    return float(m.group(1))


def throughput(args, proxy_core, load_core, backend_port, subjects):
    """subjects: name -> port. Returns {scenario: {subject: [req/s per round]}}.

    Each round gives every subject `args.duration` seconds in `args.slices`
    slices, interleaved (A B, then B A, ...), and takes the mean of its
    slices: the subjects compared share the same seconds of the machine, so
    a drift of the shared host over a few seconds moves both alike."""
    rates = {}
    seconds = max(1, args.duration // args.slices)
    for rnd in range(args.rounds):
        for name, path, _ in SCENARIOS:
            who = ["generated", "hand"]
            if name == "pass":
                who += ["nginx", "direct"]
            if rnd % 2:
                who.reverse()  # alternate the order between rounds
            got = {w: [] for w in who}
            for s in range(args.slices):
                for w in (who if s % 2 == 0 else who[::-1]):
                    p = path if w != "direct" else path[len("/pass"):]
                    port = subjects[w] if w != "direct" else backend_port
                    got[w].append(wrk(port, p, seconds, args, load_core))
            for w in who:
                r = statistics.mean(got[w])
                rates.setdefault(name, {}).setdefault(w, []).append(r)
                log(f"round {rnd + 1}/{args.rounds} {name:12} {w:10} {r:10.0f} req/s")
    return rates


def paired(gen, hand):
    """Geometric mean of the per-round ratios gen/hand and the half-width of
    its 95 % interval (t distribution), as (mean, low, high)."""
    logs = [math.log(a / b) for a, b in zip(gen, hand) if a and b]
    if not logs:
        return None
    mean = statistics.mean(logs)
    if len(logs) < 2:
        return (math.exp(mean), None, None)
    # Two-sided 95 % t quantiles for 1..9 degrees of freedom, then ~1.96.
    t = [12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26]
    half = (t[len(logs) - 2] if len(logs) - 2 < len(t) else 1.96) * \
        statistics.stdev(logs) / math.sqrt(len(logs))
    return (math.exp(mean), math.exp(mean - half), math.exp(mean + half))


def paired_text(pair):
    """A `paired` result as `mean (low–high)`."""
    if pair is None:
        return "–"
    if pair[1] is None:
        return f"{pair[0]:.3f}"
    return f"{pair[0]:.3f} ({pair[1]:.3f}–{pair[2]:.3f})"


CALLGRIND_TOTAL = re.compile(r"^(?:summary|totals):\s*(\d+)", re.M)

# The runtime thread's idle wait (the bench binaries run tokio's
# current-thread runtime): epoll, then the I/O and timer events it collects.
# How often it parks under callgrind (about 1 k instructions each time)
# depends on timing, not on the code, so the instructions outside it are the
# figure that repeats from run to run.
PARK = "tokio::runtime::scheduler::current_thread::Context::park_internal"
ANNOTATED = re.compile(r"^\s*([\d,]+) \([^)]*\)\s+\S*?:(\S+)", re.M)


def parked(profile):
    """Instructions spent inside the runtime thread's park (inclusive), read with
    callgrind_annotate from a callgrind output file."""
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100",
                          "--show=Ir", profile],
                         capture_output=True, text=True, check=True).stdout
    return max((int(m.group(1).replace(",", "")) for m in ANNOTATED.finditer(out)
                if m.group(2) == PARK), default=0)


def drive_under_callgrind(binary, out, options, scenario, n, backend_port, cpus):
    """Runs the proxy `binary` under callgrind (extra `options`, profile
    written to `out`) on cpus[0] while `bench-drive` sends it `n` sequential
    requests of `scenario` ((path, status)) from cpus[1]; returns the
    proxy's allocation counters."""
    path, status = scenario
    port = free_port()
    p = spawn(["valgrind", "--tool=callgrind", *options, f"--callgrind-out-file={out}", binary,
               "--listen", f"127.0.0.1:{port}", "--backend", f"127.0.0.1:{backend_port}"],
              cpus[0])
    wait_http(port, path, status, timeout=120)
    drive = subprocess.run(
        ["taskset", "-c", cpus[1], os.path.join(BIN, "bench-drive"),
         "--target", f"127.0.0.1:{port}", "--path", path, "--n", str(n), "--status", str(status)],
        capture_output=True, text=True, timeout=600)
    if drive.returncode != 0:
        raise RuntimeError(f"bench-drive failed: {drive.stderr}")
    return stop(p, timeout=120)


def comparison_setup(scenario_name, tool):
    """What the two-build tools (`ab.py`, `footprint.py`) start from: the
    scenario's (path, status), the (proxy, load) CPUs, a work directory and
    the backend, running and answering."""
    scenario = {s[0]: (s[1], s[2]) for s in SCENARIOS}[scenario_name]
    cpus = cores()
    tmp = tempfile.mkdtemp(prefix=f"proxyc-{tool}-")
    log(f"work directory {tmp}")
    backend, backend_port = start_server("bench-backend", cpus[1])
    wait_http(backend_port, "/items/42", 200)
    return scenario, cpus, tmp, backend, backend_port


def callgrind(args, proxy_core, load_core, backend_port, tmp):
    """Instructions and allocations per request of each handler, from two
    runs (n1 and n2 requests) whose difference cancels start-up and exit."""
    n1, n2 = args.cg_requests
    results = {}
    for binary, who in (("bench-gateway", "generated"), ("bench-hand", "hand")):
        for name, path, status in SCENARIOS:
            runs = []
            for n in (n1, n2):
                out = os.path.join(tmp, f"cg.{who}.{name}.{n}.out")
                counters = drive_under_callgrind(os.path.join(BIN, binary), out, (), (path, status),
                                                 n, backend_port, (proxy_core, load_core))
                with open(out) as f:
                    text = f.read()
                m = CALLGRIND_TOTAL.search(text)
                if not m:
                    raise RuntimeError(f"no totals in {out}")
                # +1: wait_http's probe also went through the handler
                runs.append((int(m.group(1)), parked(out), counters, n + 1))
            (i1, p1, c1, r1), (i2, p2, c2, r2) = runs
            per = r2 - r1
            results.setdefault(name, {})[who] = {
                "instructions": (i2 - i1) / per,
                "outside_park": ((i2 - p2) - (i1 - p1)) / per,
                "allocs": (c2["allocs"] - c1["allocs"]) / per,
                "reallocs": (c2["reallocs"] - c1["reallocs"]) / per,
                "bytes": (c2["bytes"] - c1["bytes"]) / per,
                "profile": os.path.join(tmp, f"cg.{who}.{name}.{n2}.out"),
            }
            r = results[name][who]
            log(f"callgrind {name:12} {who:10} {r['instructions']:10.0f} instr/req "
                f"({r['outside_park']:.0f} outside parks) {r['allocs']:6.1f} allocs/req")
    return results


def compiler_speed(args, tmp):
    """Codegen time of a generated 1,000-policy bundle through the Builder,
    and the rustc time it adds to a crate (the bench crate's lib, built once
    with a 10-policy and once with the 1,000-policy bundle)."""
    big, small = os.path.join(tmp, "gen1000"), os.path.join(tmp, "gen10")
    gen = os.path.join(BENCH, "gen_bundle.py")
    subprocess.run([sys.executable, gen, big, str(args.policies)], check=True)
    subprocess.run([sys.executable, gen, small, "10"], check=True)
    out = subprocess.run([os.path.join(BIN, "bench-codegen"), "--bundle", big, "--out",
                          os.path.join(tmp, "codegen-out"), "--runs", "5"],
                         capture_output=True, text=True, check=True, timeout=600).stdout
    codegen_ms = json.loads(out)
    lines = sum(1 for _ in open(os.path.join(tmp, "codegen-out", "generated.rs")))
    result = {"codegen_ms": statistics.median(codegen_ms), "codegen_runs": codegen_ms,
              "generated_lines": lines}
    if args.skip_rustc:
        return result
    times = {}
    # An untimed build first: whatever else changed since the last build
    # (the runtime, say) must not be counted in the first timed one.
    subprocess.run(["cargo", "build", "--release", "-p", "proxyc-bench", "--lib"],
                   cwd=ROOT, env=dict(os.environ, PROXYC_BENCH_EXTRA_BUNDLE=big), check=True,
                   capture_output=True, timeout=3600)
    for label, bundle in (("small", small), ("big", big)):
        env = dict(os.environ, PROXYC_BENCH_EXTRA_BUNDLE=bundle)
        t0 = time.time()
        subprocess.run(["cargo", "build", "--release", "-p", "proxyc-bench", "--lib"],
                       cwd=ROOT, env=env, check=True, capture_output=True, timeout=3600)
        times[label] = time.time() - t0
        log(f"cargo build --release --lib with the {label} bundle: {times[label]:.1f} s")
    result["rustc_small_s"] = times["small"]
    result["rustc_big_s"] = times["big"]
    result["rustc_added_s"] = times["big"] - times["small"]
    # Leave the bench crate built without the extra bundle.
    subprocess.run(["cargo", "build", "--release", "-p", "proxyc-bench", "--lib"], cwd=ROOT,
                   check=True, capture_output=True, timeout=3600)
    return result


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg()
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "kernel": platform.release(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load": f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
    }


def svg(rows):
    """A horizontal bar chart of ratios (1.0 marked), one bar per row."""
    width, left, bar, gap, top = 760, 260, 22, 10, 40
    scale_max = max([1.2] + [r for _, r, _ in rows if r == r])
    plot = width - left - 60
    height = top + len(rows) * (bar + gap) + 40
    x = lambda v: left + plot * v / scale_max
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="13">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="22" font-size="15" font-weight="bold">proxyc ratios '
           f'(1.0 = parity; higher req/s ratio and lower cost ratio are better)</text>']
    for i, (label, ratio, target) in enumerate(rows):
        y = top + i * (bar + gap)
        ok = ratio == ratio and target(ratio)
        colour = "#3a8a3a" if ok else "#c0392b"
        out.append(f'<text x="{left - 8}" y="{y + bar - 6}" text-anchor="end">{label}</text>')
        if ratio == ratio:
            out.append(f'<rect x="{left}" y="{y}" width="{x(ratio) - left:.1f}" height="{bar}" '
                       f'fill="{colour}"/>')
            out.append(f'<text x="{x(ratio) + 4:.1f}" y="{y + bar - 6}">{ratio:.2f}×</text>')
    y_end = top + len(rows) * (bar + gap)
    out.append(f'<line x1="{x(1):.1f}" y1="{top - 6}" x2="{x(1):.1f}" y2="{y_end}" '
               f'stroke="black" stroke-dasharray="4 3"/>')
    out.append(f'<text x="{x(1):.1f}" y="{y_end + 16}" text-anchor="middle">1.0</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def fmt(v, digits=0):
    return "–" if v is None else f"{v:,.{digits}f}"


def report(args, info, rates, cg, comp):
    md = [f"# proxyc benchmark results\n",
          f"Generated by `bench/run.sh{' --smoke' if args.smoke else ''}` on {info['date']}.\n",
          f"- Machine: {info['nproc']} CPUs, {info['cpu']}, Linux {info['kernel']}; "
          f"load average at the end {info['load']}.",
          "- Binaries: the `production` profile (release, fat LTO, one codegen unit) for "
          "every server.",
          f"- wrk: {args.threads} thread(s), {args.connections} connections; "
          f"{args.rounds} round(s) of {args.duration} s per server, each in "
          f"{getattr(args, 'slices', 1)} interleaved slice(s) (A B, B A, ...); proxy on CPU 0, "
          f"wrk and backend on the others; medians of the rounds.",
          f"- callgrind: {args.cg_requests[1]} minus {args.cg_requests[0]} sequential "
          f"keep-alive requests per handler.\n"]
    if args.note:
        md.append(f"> **Note:** {args.note}\n")
    rows = []
    if rates:
        md.append("## Throughput (requests per second, median)\n")
        md.append("The spread column is the lowest and highest generated / hand-written ratio "
                  "of a single round (the two ran interleaved): how far one round can "
                  "mislead on this machine. The paired column is the geometric mean of the "
                  "rounds' ratios with its 95 % interval (t distribution over the rounds).\n")
        md.append("| scenario | generated | hand-written | generated / hand | spread of rounds | paired gen / hand (95 %) | nginx | generated / nginx | direct to backend |")
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, _, _ in SCENARIOS:
            runs = rates.get(name, {})
            r = {w: statistics.median(v) for w, v in runs.items()}
            g, h = r.get("generated"), r.get("hand")
            ratio = g / h if g and h else None
            per_round = [a / b for a, b in zip(runs.get("generated", []), runs.get("hand", [])) if b]
            spread = (f"{min(per_round):.2f}–{max(per_round):.2f}" if len(per_round) > 1
                      else "–")
            pair = paired_text(paired(runs.get("generated", []), runs.get("hand", [])))
            ng = r.get("nginx")
            md.append(f"| {name} | {fmt(g)} | {fmt(h)} | {fmt(ratio, 3)} | {spread} | {pair} | {fmt(ng)} | "
                      f"{fmt(g / ng if g and ng else None, 3)} | {fmt(r.get('direct'))} |")
            if ratio:
                rows.append((f"{name}: req/s gen/hand", ratio, lambda v: v >= 0.97))
            if ng:
                rows.append((f"{name}: req/s gen/nginx", g / ng, lambda v: v >= 1.0))
        md.append("")
        pass_rates = rates.get("pass", {})
        if pass_rates.get("nginx"):
            against = [f"{who} {paired_text(paired(pass_rates.get(w, []), pass_rates['nginx']))}"
                       for w, who in (("generated", "generated"), ("hand", "hand-written"))]
            md.append("Pass-through against nginx, paired over the rounds as above: "
                      + ", ".join(against) + ".\n")
    if cg:
        md.append("## Instructions and heap allocations per request (callgrind, counting allocator)\n")
        md.append("\"Outside parks\" leaves out the instructions spent while the runtime's thread waits "
                  "for work (its park: epoll, then the events it collects). How often that "
                  "happens under callgrind depends on timing, not on the code, so this ratio "
                  "is the one that repeats from run to run; the target is read on the whole "
                  "count.\n")
        md.append("| scenario | instr. generated | instr. hand | ratio | outside parks, gen / hand | ratio | allocs generated | allocs hand | reallocs gen / hand | bytes gen / hand |")
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, _, _ in SCENARIOS:
            g, h = cg[name]["generated"], cg[name]["hand"]
            ratio = g["instructions"] / h["instructions"]
            go, ho = g.get("outside_park"), h.get("outside_park")
            outside = (f"{fmt(go)} / {fmt(ho)} | {go / ho:.3f}" if go and ho else "– | –")
            md.append(f"| {name} | {fmt(g['instructions'])} | {fmt(h['instructions'])} | "
                      f"{ratio:.3f} | {outside} | {g['allocs']:.1f} | {h['allocs']:.1f} | "
                      f"{g['reallocs']:.1f} / {h['reallocs']:.1f} | {fmt(g['bytes'])} / {fmt(h['bytes'])} |")
            rows.append((f"{name}: instr. gen/hand", ratio, lambda v: v <= 1.03))
            rows.append((f"{name}: allocs gen/hand", g["allocs"] / max(h["allocs"], 1e-9),
                         lambda v: v <= 1.0))
        md.append("")
    if comp:
        md.append("## Compiler speed\n")
        md.append(f"- Codegen (Builder: load, analysis, codegen, formatting, write) of a generated "
                  f"{args.policies}-policy bundle: **{comp['codegen_ms']:.0f} ms** median of "
                  f"{comp['codegen_runs']} ms; {comp['generated_lines']:,} lines of Rust.")
        if "rustc_added_s" in comp:
            md.append(f"- `cargo build --release -p proxyc-bench --lib` including it: "
                      f"{comp['rustc_big_s']:.1f} s, against {comp['rustc_small_s']:.1f} s with a "
                      f"10-policy bundle: **{comp['rustc_added_s']:.1f} s added**.")
        md.append("")
    targets = [
        "generated ≥ 0.97× hand-written req/s in every scenario",
        "generated ≤ 1.03× hand-written instructions per request",
        "generated allocations per request ≤ hand-written",
        "pass-through ≥ nginx req/s",
        f"codegen of {args.policies} policies < 1 s",
    ]
    md.append("## Targets (issue 8)\n")
    md.extend(f"- {t}" for t in targets)
    md.append("\nGreen bars meet their target, red bars miss it.\n")
    if rows:
        os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
        with open(os.path.join(BENCH, "results", "ratios.svg"), "w") as f:
            f.write(svg(rows))
        md.append("![ratios per scenario](results/ratios.svg)\n")
    notes = os.path.join(BENCH, "NOTES.md")
    if os.path.exists(notes):
        with open(notes) as f:
            md.append(f.read())
    with open(os.path.join(BENCH, "RESULTS.md"), "w") as f:
        f.write("\n".join(md))
    with open(os.path.join(BENCH, "results", "raw.json"), "w") as f:
        json.dump({"machine": info, "rates": rates, "callgrind": cg, "compiler": comp}, f,
                  indent=1, default=str)
    # The tables on the console too (up to the hand-kept notes).
    print("\n".join(md).split("## Analysis")[0])
    log("wrote bench/RESULTS.md and bench/results/")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--smoke", action="store_true", help="a few seconds of everything")
    ap.add_argument("--only", default="throughput,callgrind,compiler",
                    help="comma-separated parts to run")
    ap.add_argument("--note", default="", help="a note printed at the top of RESULTS.md")
    ap.add_argument("--skip-rustc", action="store_true", help="skip the rustc build timing")
    args = ap.parse_args()
    args.threads, args.connections = 2, 32
    if args.smoke:
        args.duration, args.slices, args.rounds, args.cg_requests, args.policies = \
            1, 1, 1, (10, 60), 1000
        args.skip_rustc = True
    else:
        args.duration, args.slices, args.rounds, args.cg_requests, args.policies = \
            10, 5, 5, (200, 2200), 1000
    parts = set(args.only.split(","))
    for tool in (["wrk", "nginx", "taskset"] if "throughput" in parts else []) + \
            (["valgrind"] if "callgrind" in parts else []):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            sys.exit(f"{tool} is not installed (bench/run.sh installs it)")
    proxy_core, load_core = cores()
    tmp = tempfile.mkdtemp(prefix="proxyc-bench-")
    log(f"work directory {tmp}")
    backend, backend_port = start_server("bench-backend", load_core)
    wait_http(backend_port, "/items/42", 200)
    rates, cg, comp = {}, {}, {}
    if "throughput" in parts:
        gen, gen_port = start_server("bench-gateway", proxy_core, backend_port)
        hand, hand_port = start_server("bench-hand", proxy_core, backend_port)
        ngx_port = free_port()
        conf = os.path.join(tmp, "nginx.conf")
        with open(conf, "w") as f:
            f.write(nginx_conf(ngx_port, backend_port, tmp))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        spawn(["taskset", "-c", proxy_core, nginx, "-c", conf, "-p", tmp])
        for port in (gen_port, hand_port):
            for name, path, status in SCENARIOS:
                wait_http(port, path, status)
        wait_http(ngx_port, "/pass/items/42?q=1", 200)
        rates = throughput(args, proxy_core, load_core, backend_port,
                           {"generated": gen_port, "hand": hand_port, "nginx": ngx_port})
        stop(gen)
        stop(hand)
    if "callgrind" in parts:
        cg = callgrind(args, proxy_core, load_core, backend_port, tmp)
    if "compiler" in parts:
        comp = compiler_speed(args, tmp)
    stop(backend)
    # Parts not run this time keep their previous figures (and say so).
    raw = os.path.join(BENCH, "results", "raw.json")
    if os.path.exists(raw) and parts != {"throughput", "callgrind", "compiler"}:
        with open(raw) as f:
            old = json.load(f)
        rates = rates or old.get("rates") or {}
        cg = cg or old.get("callgrind") or {}
        comp = comp or old.get("compiler") or {}
        args.note = (args.note + " " if args.note else "") + \
            f"Only {', '.join(sorted(parts))} re-run; other figures from the previous run."
    report(args, machine(), rates, cg, comp)


if __name__ == "__main__":
    main()
