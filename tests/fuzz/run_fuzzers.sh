#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for a fixed time each, on a scratch copy of its
# committed corpus (tests/fuzz/corpus/<target>/), and prints executions/s and total runs.
# Exits non-zero if any target crashes, leaks, times out, runs out of memory or is missing;
# crashing inputs are kept in <build-dir>/fuzz-artifacts/<target>/ (add them to the corpus and
# as a named regression test in tests/unit/).
#
#   CC=clang CXX=clang++ cmake -G Ninja -B build-fuzz -DOUTPOST_FUZZ=ON -DOUTPOST_TESTS=OFF \
#       -DOUTPOST_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   ninja -C build-fuzz
#   tests/fuzz/run_fuzzers.sh build-fuzz 30
set -uo pipefail

if [[ $# -ne 2 || ! $2 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 <build-dir> <seconds-per-target>" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd) || exit 2
seconds=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
targets=(fuzz_handshake fuzz_frames fuzz_recv_stream fuzz_ticket fuzz_master_request fuzz_master_filter fuzz_a2s
         fuzz_a2s_reply fuzz_cert fuzz_agent_frame fuzz_hub_rpc fuzz_signaling)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# UBSan findings in code compiled with recoverable checks must still stop the run.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

# FUZZ_JOBS targets (default 2: one per core of our machines) run at once; each still gets its
# full time. Results print in target order once all have finished.
fuzz_jobs=${FUZZ_JOBS:-2}
[[ $fuzz_jobs =~ ^[1-9][0-9]*$ ]] || { echo "FUZZ_JOBS must be a positive integer (got '$fuzz_jobs')" >&2; exit 2; }

# One target: fuzz it, then write "<rate> <runs> <corpus size> <exit status>" to $scratch/<target>.result.
run_target() {
  local target=$1 binary="$build_dir/tests/fuzz/$1" corpus="$scratch/$1" artifacts="$build_dir/fuzz-artifacts/$1"
  local log="$scratch/$1.log" rc runs rate size
  mkdir -p "$corpus" "$artifacts"
  cp "$here/corpus/$target"/* "$corpus/"
  "$binary" "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  size=$(find "$corpus" -type f | wc -l)
  echo "${rate:--} ${runs:--} $size $rc" >"$scratch/$target.result"
}

for target in "${targets[@]}"; do
  [[ -x $build_dir/tests/fuzz/$target ]] || continue
  while [[ $(jobs -rp | wc -l) -ge $fuzz_jobs ]]; do wait -n; done
  run_target "$target" &
done
wait

status=0
printf '%-18s %10s %12s %8s  %s\n' target "execs/s" runs corpus result
for target in "${targets[@]}"; do
  binary="$build_dir/tests/fuzz/$target"
  if [[ ! -x $binary ]]; then
    printf '%-18s %10s %12s %8s  %s\n' "$target" - - - "MISSING ($binary)"
    status=1
    continue
  fi
  read -r rate runs size rc <"$scratch/$target.result" || { rate=- runs=- size=- rc=1; }
  if [[ $rc -eq 0 ]]; then
    result=ok
  else
    result="FAILED (exit $rc, inputs in $build_dir/fuzz-artifacts/$target)"
    status=1
  fi
  printf '%-18s %10s %12s %8s  %s\n' "$target" "$rate" "$runs" "$size" "$result"
  if [[ $rc -ne 0 ]]; then
    grep -E 'ERROR|FUZZ_CHECK|runtime error|SUMMARY|Test unit written' "$scratch/$target.log" | head -20 >&2
  fi
done
exit $status
