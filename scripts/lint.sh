#!/usr/bin/env bash
# Runs clang-tidy 14 with the repository's .clang-tidy over src/ and apps/; any finding fails
# (WarningsAsErrors). Needs a configured and built build directory (compile_commands.json and
# the generated protobuf headers):
#   scripts/lint.sh [BUILD_DIR]           every .cpp under src/ and apps/ (default BUILD_DIR: build)
#   scripts/lint.sh [BUILD_DIR] FILE...   only these files
# JOBS (default 2) clang-tidy processes run at once. A false positive gets a NOLINT with the
# reason on that line, or the check leaves .clang-tidy with the reason written there.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

build=${1:-build}
[ $# -gt 0 ] && shift
if [ ! -f "$build/compile_commands.json" ]; then
  echo "lint: $build/compile_commands.json missing: configure and build first" >&2; exit 2
fi

run_tidy=${RUN_CLANG_TIDY:-}
if [ -z "$run_tidy" ]; then
  if command -v run-clang-tidy-14 >/dev/null 2>&1; then run_tidy=run-clang-tidy-14
  elif command -v run-clang-tidy >/dev/null 2>&1; then run_tidy=run-clang-tidy
  else echo "lint: run-clang-tidy not found (scripts/setup.sh installs clang-tidy)" >&2; exit 2; fi
fi
tidy_bin=clang-tidy
command -v clang-tidy-14 >/dev/null 2>&1 && tidy_bin=clang-tidy-14

if [ $# -gt 0 ]; then
  patterns=()
  for f in "$@"; do patterns+=("^$(realpath "$f")\$"); done
else
  patterns=("^$root/(src|apps)/.*\\.cpp\$")
fi

start=$(date +%s)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
"$run_tidy" -clang-tidy-binary "$(command -v "$tidy_bin")" -p "$build" -quiet -j "${JOBS:-2}" "${patterns[@]}" \
  2>&1 | sed 's/\x1b\[[0-9;]*m//g' >"$log" || status=$?  # run-clang-tidy 14 always asks for colour
# Keep what matters: the findings with their source lines, not clang-tidy's per-file chatter.
grep -vE '^((/[^ ]*/)?clang-tidy(-[0-9]+)? |[0-9]+ warnings? (and [0-9]+ errors? )?generated|Suppressed [0-9]+ warnings|Use -header-filter|Running clang-tidy|Error while processing)' "$log" || true
findings=$(grep -cE '(warning|error): .*\[[a-z0-9.,-]+\]$' "$log" || true)
echo "lint: $findings findings in $(( $(date +%s) - start )) s"
if [ "$status" -ne 0 ] || [ "$findings" -ne 0 ]; then
  echo "lint: clang-tidy failed (fix the findings above, or see .clang-tidy for NOLINT and exclusions)" >&2
  exit 1
fi
