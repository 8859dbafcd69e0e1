#!/usr/bin/env bash
# Runs every fuzz target for a bounded time: `fuzz/run.sh [seconds-per-target]`.
# cargo-fuzz needs nightly-only flags; RUSTC_BOOTSTRAP lets the stable
# toolchain accept them (the machine has no nightly). Each target starts
# from its working corpus (fuzz/corpus/<target>, not committed) plus its
# committed seeds (fuzz/seeds/<target>, written by fuzz/seed.py from the
# example bundles and the shared Apigee corpus). A crash stops the script
# with the input saved under fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
# Seed the expression corpora with real expressions (one per file).
seed() {
  local target=$1 data=$2
  mkdir -p "corpus/$target"
  if [ -z "$(ls -A "corpus/$target" 2>/dev/null)" ] && [ -f "$data" ]; then
    local i=0
    while IFS= read -r line; do
      [ -n "$line" ] || continue
      printf '%s' "$line" > "corpus/$target/seed-$i"
      i=$((i + 1))
    done < <(grep -v "^#" "$data" | cut -f1)
  fi
}
seed condition ../compiler/tests/data/corpus_conditions.txt
seed template ../compiler/tests/data/corpus_templates.txt
cargo fuzz build
for target in $(cargo fuzz list); do
  echo "== fuzz $target for ${secs}s"
  mkdir -p "corpus/$target"
  dirs=("corpus/$target")
  [ -d "seeds/$target" ] && dirs+=("seeds/$target")
  # -timeout: one input taking more than 10 s is reported as a hang.
  cargo fuzz run "$target" "${dirs[@]}" -- -max_total_time="$secs" -timeout=10
done
