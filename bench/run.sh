#!/usr/bin/env bash
# The proxyc benchmarks, in one command (see bench/README.md):
#   bench/run.sh            full run (~15 minutes), writes bench/RESULTS.md
#   bench/run.sh --smoke    a few seconds of every part
# Extra options go to bench/harness.py (--only throughput,callgrind,compiler; --note TEXT).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v valgrind >/dev/null || need+=(valgrind)
command -v taskset >/dev/null || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]} (Debian packages)"
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${need[@]}"
fi

cargo build --profile production -p proxyc-bench
exec python3 bench/harness.py "$@"
