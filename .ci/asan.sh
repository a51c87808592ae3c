#!/usr/bin/env bash
# AddressSanitizer run: builds the workspace with -Zsanitizer=address (a
# nightly toolchain is needed) and runs, under ASan and LeakSanitizer,
#   1. every test target of `cargo test --workspace` (lib, bins, tests,
#      examples), then the doctests;
#   2. the instrumented `luna` interpreter directly over the project's Lua
#      scripts: the self-checking tests/lua/*.lua, the differential corpus
#      tests/diff/*.lua (output and exit status checked against the
#      recorded lua5.4 results), examples/scripts/*.lua and benches/lua/*.lua
#      (output checked against lua5.4 when it is installed);
#   3. the examples (examples/*.rs) as programs.
# Without a nightly toolchain, or when the sanitizer does not work on this
# machine, it says so and exits 0. Any test failure or ASan/LSan report
# (from any process, children of the tests included) makes it exit 1.
#
# Environment: LUNA_ASAN_TOOLCHAIN (default: nightly),
# LUNA_ASAN_TARGET_DIR (default: target/asan).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
START=$SECONDS

TOOLCHAIN=${LUNA_ASAN_TOOLCHAIN:-nightly}
# An explicit target: RUSTFLAGS then apply to the target's artifacts only,
# so build scripts and proc macros (luna-derive) are built normally.
TARGET=x86_64-unknown-linux-gnu
TARGET_DIR=${LUNA_ASAN_TARGET_DIR:-target/asan}
# Never let rustup install a toolchain behind our back.
export RUSTUP_AUTO_INSTALL=0

say() { echo "asan: $*"; }
skip() {
  say "SKIPPED: $*"
  say "(it needs x86_64 Linux and a nightly toolchain with a working -Zsanitizer=address)"
  exit 0
}

# ---------------------------------------------------------------------------
# Is there a working sanitizer?

[ "$(uname -s)/$(uname -m)" = Linux/x86_64 ] || skip "not an x86_64 Linux host ($(uname -s)/$(uname -m))"
command -v rustup >/dev/null 2>&1 || skip "rustup is not installed"
rustup toolchain list 2>/dev/null | grep -Eq "^${TOOLCHAIN}(-| |\$)" ||
  skip "no '$TOOLCHAIN' toolchain (rustup toolchain list: $(rustup toolchain list 2>/dev/null | tr '\n' ' '))"

RUSTFLAGS_ASAN="-Zsanitizer=address -Cforce-frame-pointers=yes"

# detect_leaks=1: LeakSanitizer checks every process at exit; dropping a
#   State must free everything the collector allocated.
# detect_stack_use_after_return=0: luna bounds its native recursion by
#   measuring the Rust stack through addresses of locals (luna-core
#   vm/call.rs, native_stack_position). With use-after-return detection
#   (ASan's default), such locals live in ASan's heap-allocated "fake
#   stack", so the guard would measure the wrong memory (with a 1 MiB
#   budget it let 198 gsub levels through instead of the 84 that fit in
#   1 MiB of real ASan frames). Safe Rust cannot return a dangling stack
#   reference anyway.
# allocator_may_return_null=1: as glibc, an impossible allocation fails;
#   luna's try_reserve paths turn it into "not enough memory" instead of
#   ASan aborting with allocation-size-too-big.
# log_path: every process (the luna children spawned by the CLI and
#   differential tests included, whose stderr the tests swallow) writes
#   its report to a file; any such file fails the run.
REPORT_DIR=$ROOT/$TARGET_DIR/asan-reports
ASAN_BASE=detect_leaks=1:detect_stack_use_after_return=0:allocator_may_return_null=1:print_summary=1
ASAN_RUN=$ASAN_BASE:log_path=$REPORT_DIR/asan

# Probe: a clean program must run clean, and a use after free must be
# reported (in the log file), or the sanitizer is unusable here.
PROBE=$(mktemp -d)
trap 'rm -rf "$PROBE"' EXIT
cat > "$PROBE/ok.rs" <<'EOF'
fn main() {
    let v: Vec<u64> = (0..1000).collect();
    std::hint::black_box(&v);
}
EOF
cat > "$PROBE/uaf.rs" <<'EOF'
fn main() {
    let v = vec![7u8; 16];
    let p = v.as_ptr();
    drop(v);
    let x = unsafe { std::ptr::read_volatile(p) };
    std::process::exit(i32::from(x) * 0);
}
EOF
for p in ok uaf; do
  if ! out=$(rustc "+$TOOLCHAIN" $RUSTFLAGS_ASAN --target "$TARGET" -g -o "$PROBE/$p" "$PROBE/$p.rs" 2>&1); then
    skip "rustc +$TOOLCHAIN -Zsanitizer=address does not build here: $(echo "$out" | head -3)"
  fi
done
if ! out=$(ASAN_OPTIONS=$ASAN_BASE "$PROBE/ok" 2>&1); then
  skip "an ASan-instrumented program does not run here: $(echo "$out" | head -3)"
fi
if ASAN_OPTIONS=$ASAN_BASE:log_path=$PROBE/report "$PROBE/uaf" >/dev/null 2>&1 ||
  ! cat "$PROBE"/report.* 2>/dev/null | grep -q heap-use-after-free; then
  skip "ASan does not report a use after free here"
fi
say "$(rustc "+$TOOLCHAIN" --version), target $TARGET, target dir $TARGET_DIR"
command -v llvm-symbolizer >/dev/null 2>&1 || say "warning: llvm-symbolizer not on PATH; reports will show raw addresses"

# ---------------------------------------------------------------------------
# Build settings.

export RUSTFLAGS=$RUSTFLAGS_ASAN
export RUSTDOCFLAGS=$RUSTFLAGS_ASAN
# The release profile (what CI tests), without fat LTO and with parallel
# codegen: the instrumented build takes minutes, not tens of minutes, and
# runs fast enough for the tests' time limits. Line tables are kept
# (profile.release.debug) so reports have file:line.
export CARGO_PROFILE_RELEASE_LTO=off
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
# The runtime's debug assertions (the interpreter's register and constant
# bounds, frames, the collector's colours and barriers) are checked here
# too, in an optimized build.
export CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true
CARGO=(cargo "+$TOOLCHAIN")
COMMON=(--release --target "$TARGET" --target-dir "$TARGET_DIR")
BIN=$TARGET_DIR/$TARGET/release

rm -rf "$REPORT_DIR"
mkdir -p "$REPORT_DIR"
export ASAN_OPTIONS=$ASAN_RUN
FAILED=()

# Tests excluded from this run: the trybuild tests, which compare rustc's
# diagnostics with ones recorded from the stable compiler:
# - macro_errors (luna/tests/compile_fail.rs): nightly underlines whole
#   spans (proc-macro2 joins spans there), so it cannot pass with any
#   nightly, ASan or not;
# - safe_code_cannot_reach_the_raw_layer (luna/tests/soundness.rs): the
#   wording of rustc's notes differs between releases.
# They run no instrumented code (the compiler does all the work), and the
# normal CI run covers them. The runners of the hostile-script corpus
# (luna/tests/hostile.rs, *_survives_every_hostile_script) are left out
# too: their time limits are set for optimized builds, they take minutes,
# and the fuzz targets (cargo fuzz builds them with ASan) cover that
# ground under the sanitizer.
TEST_LOG=$TARGET_DIR/asan-test.log

say "building and running the test suite under ASan (cargo test --workspace --all-targets)"
set +e
"${CARGO[@]}" test --workspace --all-targets "${COMMON[@]}" --no-fail-fast -- \
  --exact --skip macro_errors --skip safe_code_cannot_reach_the_raw_layer \
  --skip cli_survives_every_hostile_script --skip sandboxed_facade_survives_every_hostile_script \
  --skip small_limits_facade_survives_every_hostile_script \
  --skip all_libraries_facade_survives_every_hostile_script 2>&1 | tee "$TEST_LOG"
status=${PIPESTATUS[0]}
set -e
[ "$status" = 0 ] || FAILED+=("cargo test --workspace --all-targets (exit $status)")

say "running the doctests under ASan"
set +e
"${CARGO[@]}" test --workspace --doc "${COMMON[@]}" 2>&1 | tee -a "$TEST_LOG"
status=${PIPESTATUS[0]}
set -e
[ "$status" = 0 ] || FAILED+=("cargo test --doc (exit $status)")

# ---------------------------------------------------------------------------
# The interpreter and the examples as programs.

if ! "${CARGO[@]}" build --workspace --bins --examples "${COMMON[@]}" --quiet; then
  FAILED+=("cargo build --bins --examples")
fi
LUNA=$ROOT/$BIN/luna
TIMEOUT=()
command -v timeout >/dev/null 2>&1 && TIMEOUT=(timeout 600)
scripts_ok=0
scripts_failed=0

# check NAME COMMAND...: runs COMMAND; it must exit 0.
check() {
  local name=$1
  shift
  local t0=$SECONDS
  if ${TIMEOUT[@]+"${TIMEOUT[@]}"} "$@" >"$PROBE/out" 2>"$PROBE/err"; then
    scripts_ok=$((scripts_ok + 1))
    printf 'asan:   ok   %-40s %3ds\n' "$name" $((SECONDS - t0))
  else
    local st=$?
    scripts_failed=$((scripts_failed + 1))
    FAILED+=("$name (exit $st)")
    printf 'asan:   FAIL %-40s exit %d\n' "$name" "$st"
    head -c 4000 "$PROBE/err"
  fi
}

# check_output NAME WANT_STATUS WANT_STDOUT_FILE COMMAND...: as check, and
# the exit status and standard output must be the ones given.
check_output() {
  local name=$1 want_status=$2 want_out=$3
  shift 3
  local t0=$SECONDS st=0
  ${TIMEOUT[@]+"${TIMEOUT[@]}"} "$@" >"$PROBE/out" 2>"$PROBE/err" || st=$?
  if [ "$st" = "$want_status" ] && cmp -s "$PROBE/out" "$want_out"; then
    scripts_ok=$((scripts_ok + 1))
    printf 'asan:   ok   %-40s %3ds\n' "$name" $((SECONDS - t0))
  else
    scripts_failed=$((scripts_failed + 1))
    FAILED+=("$name (exit $st, expected $want_status; or its output differs)")
    printf 'asan:   FAIL %-40s exit %d (expected %d)\n' "$name" "$st" "$want_status"
    diff "$want_out" "$PROBE/out" | head -20 || true
    head -c 4000 "$PROBE/err"
  fi
}

say "running the instrumented luna over the project's Lua scripts"
# Self-checking scripts (they assert and end normally), from the root as
# tests/lua_scripts.rs runs them. tests/lua/modules/ holds modules that
# package.lua loads (some fail on purpose), not scripts.
for f in tests/lua/*.lua examples/scripts/*.lua; do
  check "$f" "$LUNA" "$f"
done
# The differential corpus, in its directory as differential.rs runs it,
# against the outputs recorded from lua5.4.
for f in tests/diff/*.lua; do
  n=$(basename "$f" .lua)
  check_output "$f" "$(cat "tests/diff/expected/$n.status")" "$ROOT/tests/diff/expected/$n.out" \
    sh -c 'cd "$1" && shift && exec "$@"' sh tests/diff "$LUNA" "$n.lua"
done
# The benchmarks print checksums: compared with lua5.4 when it is there.
for f in benches/lua/*.lua; do
  if command -v lua5.4 >/dev/null 2>&1 && lua5.4 "$f" >"$PROBE/want" 2>/dev/null; then
    check_output "$f" 0 "$PROBE/want" "$LUNA" "$f"
  else
    check "$f" "$LUNA" "$f"
  fi
done

say "running the examples under ASan"
for src in examples/*.rs; do
  check "$src" "$ROOT/$BIN/examples/$(basename "$src" .rs)"
done

# ---------------------------------------------------------------------------
# Reports.

reports=("$REPORT_DIR"/*)
if [ -e "${reports[0]}" ]; then
  say "${#reports[@]} sanitizer report(s):"
  for r in "${reports[@]}"; do
    echo "==================== $r"
    cat "$r"
  done
  FAILED+=("${#reports[@]} ASan/LSan report(s) in $REPORT_DIR")
fi

count() { grep -E '^test result: ' "$TEST_LOG" | sed -nE "s/.* ([0-9]+) $1.*/\\1/p" | awk '{ n += $1 } END { print n + 0 }'; }
passed=$(count passed)
filtered=$(count 'filtered out')
say "summary: $passed tests passed ($filtered filtered out)," \
  "$scripts_ok scripts and examples ok, $scripts_failed failed, $((SECONDS - START)) s"
if [ ${#FAILED[@]} -gt 0 ]; then
  say "FAILED:"
  printf 'asan:   %s\n' "${FAILED[@]}"
  exit 1
fi
say "clean: no sanitizer report, every test and script passed"
