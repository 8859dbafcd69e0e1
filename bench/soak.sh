#!/usr/bin/env bash
# Soak test for the example gateway (documented in bench/SOAK.md; not run in CI).
#
# Builds proxyc-gateway in release, drives it at saturation with wrk over a
# mix of scenarios (proxy-answered, proxied to the echo backend, POST bodies,
# a ServiceCallout, RaiseFault 403, unknown base path 404, dot-segment 404),
# checks that no response has an unexpected status and that wrk saw no
# socket errors, and samples the gateway's resident memory (VmRSS) and open
# file descriptors every second, comparing the first and last 10 s.
#
# Environment: DURATION (s, default 60), WARMUP (s, default 5), THREADS
# (default 2), CONNECTIONS (default 64), PORT (default 18080),
# RSS_TOLERANCE_PCT (default 10), RSS_SLACK_KB (default 8192),
# FD_SLACK (default 16), CARGO_TARGET_DIR (default ./target).
set -euo pipefail

DURATION=${DURATION:-60}
WARMUP=${WARMUP:-5}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18080}
RSS_TOLERANCE_PCT=${RSS_TOLERANCE_PCT:-10}
RSS_SLACK_KB=${RSS_SLACK_KB:-8192}
FD_SLACK=${FD_SLACK:-16}

root=$(cd "$(dirname "$0")/.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
work=$(mktemp -d)
gateway_pid=""
cleanup() {
    if [[ -n $gateway_pid ]]; then kill "$gateway_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

if ! command -v wrk >/dev/null; then
    echo "wrk is not installed; on Debian/Ubuntu: apt-get install -y wrk" >&2
    exit 2
fi

echo "== building proxyc-gateway (release)"
(cd "$root" && cargo build --release -q -p proxyc-gateway)

echo "== starting the gateway on 127.0.0.1:$PORT"
"$target_dir/release/proxyc-gateway" --listen "127.0.0.1:$PORT" >"$work/gateway.log" 2>&1 &
gateway_pid=$!
for _ in $(seq 1 100); do
    if curl -fs -o /dev/null "http://127.0.0.1:$PORT/hello/greet/soak"; then break; fi
    sleep 0.1
done
curl -fs -o /dev/null "http://127.0.0.1:$PORT/hello/greet/soak" || {
    echo "the gateway did not start:" >&2
    cat "$work/gateway.log" >&2
    exit 1
}

# The scenario mix: method, path, body, expected status. wrk cannot tell
# which request a response answers, so every status must be one of the
# expected ones and each status's share must match the mix (checked below).
cat >"$work/mix.lua" <<'LUA'
local mix = {
  { "GET",  "/hello/greet/soak",        nil,            200 },
  { "GET",  "/hello/items/42?q=soak",   nil,            200 },
  { "POST", "/hello/orders",            '{"qty":3}',    200 },
  { "GET",  "/geocoding/inline?postalcode=94043&country=US", nil,    200 },
  { "GET",  "/hello/admin",             nil,            403 },
  { "GET",  "/nowhere",                 nil,            404 },
  { "GET",  "/hello/../geocoding/inline", nil,         404 },
}
local requests = {}
for i, m in ipairs(mix) do
  local headers = { ["Content-Type"] = "application/json" }
  requests[i] = wrk.format(m[1], m[2], headers, m[3])
end
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  n = 0
  statuses = {}
end
function request()
  n = n % #requests + 1
  return requests[n]
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, req)
  local total = {}
  for _, t in ipairs(threads) do
    for status, count in pairs(t:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  local expected = {}
  for _, m in ipairs(mix) do
    expected[m[4]] = (expected[m[4]] or 0) + 1
  end
  local all = 0
  for _, count in pairs(total) do all = all + count end
  local e = summary.errors
  io.write(string.format("socket errors: connect %d read %d write %d timeout %d\n",
    e.connect, e.read, e.write, e.timeout))
  for status, count in pairs(total) do
    local share = count / all
    local want = (expected[status] or 0) / #mix
    io.write(string.format("status %d: %d (%.1f%%, mix %.1f%%)\n", status, count, share * 100, want * 100))
    if expected[status] == nil then
      io.write(string.format("UNEXPECTED status %d\n", status))
    elseif math.abs(share - want) > 0.02 then
      io.write(string.format("UNEXPECTED share for status %d\n", status))
    end
  end
  if e.connect + e.read + e.write + e.timeout > 0 then
    io.write("UNEXPECTED socket errors\n")
  end
end
LUA

sample() {
    local out=$1
    echo "second,rss_kb,fds" >"$out"
    local s=0
    while kill -0 "$gateway_pid" 2>/dev/null; do
        local rss fds
        rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$gateway_pid/status" 2>/dev/null || echo 0)
        fds=$(ls "/proc/$gateway_pid/fd" 2>/dev/null | wc -l)
        echo "$s,$rss,$fds" >>"$out"
        s=$((s + 1))
        sleep 1
    done
}

echo "== warm-up: ${WARMUP} s"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$work/mix.lua" "http://127.0.0.1:$PORT" >/dev/null

echo "== soak: ${DURATION} s, $THREADS threads, $CONNECTIONS connections"
sample "$work/samples.csv" &
sampler=$!
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$work/mix.lua" \
    "http://127.0.0.1:$PORT" | tee "$work/wrk.txt"
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true

# Only the samples taken while wrk ran.
samples=$(tail -n +2 "$work/samples.csv" | head -n "$DURATION")
first=$(echo "$samples" | head -n 10)
last=$(echo "$samples" | tail -n 10)
avg() { awk -F, -v col="$1" '{ s += $col; n++ } END { if (n) printf "%d", s / n; else print 0 }'; }
rss_first=$(echo "$first" | avg 2)
rss_last=$(echo "$last" | avg 2)
fd_first=$(echo "$first" | avg 3)
fd_last=$(echo "$last" | avg 3)
rss_limit=$((rss_first + rss_first * RSS_TOLERANCE_PCT / 100 + RSS_SLACK_KB))
fd_limit=$((fd_first + FD_SLACK))

echo "== resources (averages over the first and last 10 s)"
echo "VmRSS: ${rss_first} kB → ${rss_last} kB (limit ${rss_limit} kB)"
echo "open fds: ${fd_first} → ${fd_last} (limit ${fd_limit})"
echo "samples: $work/samples.csv (kept only while the script runs)"
cp "$work/samples.csv" "${SOAK_SAMPLES:-/tmp/proxyc-soak-samples.csv}"

status=0
if grep -q UNEXPECTED "$work/wrk.txt"; then
    echo "FAIL: unexpected statuses or socket errors" >&2
    status=1
fi
if ((rss_last > rss_limit)); then
    echo "FAIL: resident memory grew beyond the tolerance" >&2
    status=1
fi
if ((fd_last > fd_limit)); then
    echo "FAIL: open file descriptors grew" >&2
    status=1
fi
if ! kill -0 "$gateway_pid" 2>/dev/null; then
    echo "FAIL: the gateway exited" >&2
    status=1
fi
((status == 0)) && echo "PASS"
exit "$status"
