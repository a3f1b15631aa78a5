#!/usr/bin/env bash
# The standard lab behind `make lab`: every start method compared on this
# machine, written to results/<timestamp>/.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./bin/proclab
out="results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
"$bin" --method fork,spawn --n-tasks 4 --n-iters 10000000 --repeat 10 | tee "$out/table.txt"
"$bin" --method fork,spawn --n-tasks 4 --n-iters 10000000 --repeat 10 --json > "$out/results.json"
echo "proclab: results in $out"
