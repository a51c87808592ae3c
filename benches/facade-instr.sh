#!/usr/bin/env bash
# Counts the instructions one operation of each facade-benchmark scenario
# costs under luna and under mlua, with valgrind (cachegrind, no cache
# simulation), and prints them as a markdown table with the ratio
# luna/mlua. Instruction counts hardly move with machine load, so they
# complement the ns/op of benches/facade.sh on a shared machine.
#
# Each scenario runs twice per runtime, at N2 and at N1 operations
# (`facade-bench --only RT --runs 1 --iters N`), and instructions/op is
#   (I(N2) - I(N1)) / (N2 - N1)
# where I is valgrind's "I refs" total for the whole process. Everything a
# run does regardless of N (loading the binary, creating the state, the
# scenario's setup, printing) is in both totals and cancels; what is left
# is N2 - N1 operations, including their share of garbage collection.
#
# Usage: benches/facade-instr.sh [--jobs K] [--bin PATH] [scenario...]
#   --jobs K    valgrind processes at once (default 2)
#   --bin PATH  use this facade-bench binary instead of building one
#   scenario... only these (default: every scenario of `facade-bench --list`)
# e.g. benches/facade-instr.sh call_lua_from_rust table_fill_1m
set -euo pipefail

jobs=2
bin=""
names=()
while [ $# -gt 0 ]; do
    case "$1" in
        --jobs) jobs="${2:?--jobs needs a value}"; shift 2 ;;
        --bin) bin="${2:?--bin needs a value}"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "facade-instr: unknown option $1" >&2; exit 2 ;;
        *) names+=("$1"); shift ;;
    esac
done
# A --bin path is relative to where the script was started, not to the
# repository root it then works in.
case "$bin" in ''|/*) ;; *) bin="$PWD/$bin" ;; esac
cd "$(dirname "$0")/.."
case "$jobs" in ''|*[!0-9]*|0) echo "facade-instr: --jobs takes a positive integer" >&2; exit 2 ;; esac
command -v valgrind >/dev/null || { echo "facade-instr: valgrind not found (apt-get install valgrind)" >&2; exit 2; }

if [ -z "$bin" ]; then
    cargo build --release --quiet --manifest-path benches/facade/Cargo.toml
    bin="${CARGO_TARGET_DIR:-benches/facade/target}/release/facade-bench"
fi
[ -x "$bin" ] || { echo "facade-instr: no binary at $bin" >&2; exit 2; }
known="$("$bin" --list)"
if [ ${#names[@]} -eq 0 ]; then
    mapfile -t names <<<"$known"
fi
for s in "${names[@]}"; do
    grep -qx -- "$s" <<<"$known" || { echo "facade-instr: unknown scenario $s (see facade-bench --list)" >&2; exit 2; }
done

# The operation counts of a scenario, "N1 N2": N2 keeps one valgrind run
# to a few seconds (valgrind runs the binary some 20 to 40 times slower).
# N1 is N2/4 except for table_fill_1m, whose runs are whole tables of
# 10^6 keys: one table against two. The scenarios that work in rounds of
# 1,000 keys (table_set_get, table_iter_1000) get multiples of 1,000, so
# that the operations done are the operations asked for.
counts() {
    case "$1" in
        state_new) echo "500 2000" ;;
        serde_round_trip) echo "100 400" ;;
        load_and_call) echo "10000 40000" ;;
        callback_error_pcall) echo "2000 8000" ;;
        table_fill_1m) echo "1000000 2000000" ;;
        *) echo "100000 400000" ;;
    esac
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Runs one scenario under one runtime for n operations and writes the
# instruction total to $tmp/SCENARIO.RUNTIME.N, or "error" if the run
# failed (its stderr is kept next to it).
run_one() {
    local scenario="$1" rt="$2" n="$3" out="$tmp/$1.$2.$3"
    if valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
        "$bin" --only "$rt" --runs 1 --iters "$n" "$scenario" >/dev/null 2>"$out.err"; then
        sed -n 's/^==[0-9]*== I *refs: *\([0-9,]*\).*/\1/p' "$out.err" | tr -d , >"$out"
    fi
    [ -s "$out" ] || echo error >"$out"
}

# Every run, as "scenario runtime n", started at most $jobs at a time.
tasks=()
for s in "${names[@]}"; do
    read -r n1 n2 <<<"$(counts "$s")"
    for rt in luna mlua; do
        tasks+=("$s $rt $n2" "$s $rt $n1")
    done
done
total=${#tasks[@]}
started=0
running=0
for t in "${tasks[@]}"; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    started=$((started + 1))
    echo "facade-instr: [$started/$total] $t" >&2
    # shellcheck disable=SC2086 # the task is three words on purpose
    run_one $t &
    running=$((running + 1))
done
wait

# Instructions per operation of one scenario and runtime, or "error".
per_op() {
    local a b
    a="$(cat "$tmp/$1.$2.$4")"
    b="$(cat "$tmp/$1.$2.$3")"
    if [ "$a" = error ] || [ "$b" = error ]; then
        echo error
    else
        awk -v a="$a" -v b="$b" -v n2="$4" -v n1="$3" 'BEGIN { printf "%.1f", (a - b) / (n2 - n1) }'
    fi
}

failed=0
echo "| scenario | luna instr/op | mlua instr/op | luna/mlua |"
echo "|---|---:|---:|---:|"
for s in "${names[@]}"; do
    read -r n1 n2 <<<"$(counts "$s")"
    luna="$(per_op "$s" luna "$n1" "$n2")"
    mlua="$(per_op "$s" mlua "$n1" "$n2")"
    if [ "$luna" = error ] || [ "$mlua" = error ]; then
        ratio="-"
        failed=1
    else
        ratio="$(awk -v a="$luna" -v b="$mlua" 'BEGIN { printf "%.3f", a / b }')"
    fi
    echo "| $s | $luna | $mlua | $ratio |"
done

if [ "$failed" -ne 0 ]; then
    for f in "$tmp"/*.err; do
        if [ "$(cat "${f%.err}")" = error ]; then
            echo "facade-instr: $(basename "${f%.err}") failed:" >&2
            tail -n 5 "$f" >&2
        fi
    done
    exit 1
fi
