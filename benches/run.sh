#!/usr/bin/env bash
# Runs every benchmark in benches/lua under luna and under the reference
# interpreter, and prints the median wall-clock time of each and the ratio
# luna/reference, then the geometric mean of the ratios.
#
# Usage: benches/run.sh [runs] [reference]   (defaults: 5 runs, lua5.4)
# Build first: cargo build --release -p luna
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-5}
REF=${2:-lua5.4}
LUNA=${LUNA:-target/release/luna}
[ -x "$LUNA" ] || { echo "build luna first: cargo build --release -p luna" >&2; exit 2; }
command -v "$REF" >/dev/null || { echo "reference interpreter $REF not found" >&2; exit 2; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

time_one() { # prints seconds of one run; checks the output against the expected checksum
  local bin=$1 file=$2 expect=$3 t0 t1 out
  t0=$(date +%s.%N)
  out=$("$bin" "$file")
  t1=$(date +%s.%N)
  if [ -n "$expect" ] && [ "$out" != "$expect" ]; then
    echo "checksum mismatch for $file under $bin: $out (expected $expect)" >&2
    exit 1
  fi
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}

printf "%-14s %10s %10s %8s\n" benchmark "$REF" luna ratio
logsum=0; n=0
for f in benches/lua/*.lua; do
  name=$(basename "$f" .lua)
  expect=$("$REF" "$f")
  tr=$(for i in $(seq "$RUNS"); do time_one "$REF" "$f" "$expect"; done | median)
  tl=$(for i in $(seq "$RUNS"); do time_one "$LUNA" "$f" "$expect"; done | median)
  ratio=$(awk -v a="$tl" -v b="$tr" 'BEGIN { printf "%.3f", a / b }')
  printf "%-14s %10.3f %10.3f %8s\n" "$name" "$tr" "$tl" "$ratio"
  logsum=$(awk -v s="$logsum" -v r="$ratio" 'BEGIN { printf "%.6f", s + log(r) }')
  n=$((n + 1))
done
awk -v s="$logsum" -v n="$n" 'BEGIN { printf "geometric mean of ratios: %.3f\n", exp(s / n) }'
