#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs packages, then
#   1. default build: unit, integration and fuzz-corpus-replay tests (ctest);
#   2. ASan+UBSan build: unit and integration tests;
#   3. TSan build: unit and integration tests;
#   4. clang libFuzzer build: every fuzz target for a bounded time (FUZZ_SECONDS, default 20; JOBS
#      targets at once);
#   5. clang-tidy over src/ and apps/ (scripts/lint.sh, .clang-tidy), on the default build; a
#      finding fails the suite when .clang-tidy-enforced exists (or LINT_ENFORCE=1);
#   6. scripts/format.sh --check, once the tree is formatted: when .clang-format-enforced exists
#      (or FORMAT_CHECK=1; FORMAT_CHECK=0 skips it).
# With CI=true (or OUTPOST_WERROR=ON) every build treats compiler warnings as errors.
# Set QUICK=1 to run only step 1. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

jobs=${JOBS:-2}
fuzz_seconds=${FUZZ_SECONDS:-20}
step() { printf '\n=== %s ===\n' "$*"; }
werror=${OUTPOST_WERROR:-$([ "${CI:-}" = "true" ] && echo ON || echo OFF)}
# Debug information of the test builds: line tables and function names (-g1) are what sanitizer
# reports and backtraces print, and cost about 30 % less compile time than full -g on our heavier
# files. DEBUG_INFO=-g builds with full debug information (for gdb).
debug_info=${DEBUG_INFO:--g1}
flags_rel=(-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 $debug_info -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 $debug_info -DNDEBUG")
flags_debug=(-DCMAKE_CXX_FLAGS_DEBUG="$debug_info" -DCMAKE_C_FLAGS_DEBUG="$debug_info")

step "default build"
cmake -G Ninja -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "${flags_rel[@]}" -DOUTPOST_WERROR="$werror" >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 300

if [ "${QUICK:-0}" = "1" ]; then exit 0; fi

step "ASan+UBSan build"
cmake -G Ninja -B build-asan -DCMAKE_BUILD_TYPE=Debug "${flags_debug[@]}" -DOUTPOST_SANITIZE=address -DOUTPOST_BENCH=OFF -DOUTPOST_WERROR="$werror" >/dev/null
cmake --build build-asan -j"$jobs" --target unit_tests integration_tests
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -L 'unit|integration' --timeout 600

step "TSan build"
cmake -G Ninja -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo "${flags_rel[@]}" -DOUTPOST_SANITIZE=thread -DOUTPOST_BENCH=OFF -DOUTPOST_WERROR="$werror" >/dev/null
cmake --build build-tsan -j"$jobs" --target unit_tests integration_tests
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  ctest --test-dir build-tsan --output-on-failure -j"$jobs" -L 'unit|integration' --timeout 900

step "libFuzzer targets, ${fuzz_seconds}s each, $jobs at a time"
CC=clang CXX=clang++ cmake -G Ninja -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo "${flags_rel[@]}" -DOUTPOST_FUZZ=ON \
  -DOUTPOST_TESTS=OFF -DOUTPOST_BENCH=OFF -DOUTPOST_WERROR="$werror" >/dev/null
cmake --build build-fuzz -j"$jobs"
FUZZ_JOBS=$jobs bash tests/fuzz/run_fuzzers.sh build-fuzz "$fuzz_seconds"

step "clang-tidy (scripts/lint.sh)"
if ! bash scripts/lint.sh build; then
  if [ "${LINT_ENFORCE:-$([ -f .clang-tidy-enforced ] && echo 1 || echo 0)}" = "1" ]; then exit 1; fi
  echo "lint: not failing the suite yet: .clang-tidy-enforced is absent (LINT_ENFORCE=1 fails it)"
fi

if [ "${FORMAT_CHECK:-$([ -f .clang-format-enforced ] && echo 1 || echo 0)}" = "1" ]; then
  step "clang-format (scripts/format.sh --check)"
  bash scripts/format.sh --check
fi

step "all test stages passed"
