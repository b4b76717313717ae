#!/usr/bin/env bash
# Formats Outpost's C++ sources with clang-format 14 and the repository's .clang-format.
#   scripts/format.sh            rewrite every tracked .cpp/.h in place
#   scripts/format.sh --check    change nothing; exit 1 naming each file that would change
#   scripts/format.sh [--check] FILE...   only these files
# Files: everything git tracks under apps/ bench/ examples/ include/ src/ tests/ (generated
# protobuf code lives in the build directory and is never formatted).
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
if [ "${1:-}" = "--check" ]; then check=1; shift; fi

clang_format=${CLANG_FORMAT:-}
if [ -z "$clang_format" ]; then
  if command -v clang-format-14 >/dev/null 2>&1; then clang_format=clang-format-14
  elif command -v clang-format >/dev/null 2>&1; then clang_format=clang-format
  else echo "format: clang-format not found (scripts/setup.sh installs it)" >&2; exit 2; fi
fi

if [ $# -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files -- 'apps/*' 'bench/*' 'examples/*' 'include/*' 'src/*' 'tests/*' |
                       grep -E '\.(c|cc|cpp|h|hpp)$')
fi

if [ "$check" = 0 ]; then
  printf '%s\0' "${files[@]}" | xargs -0 -r "$clang_format" -i --style=file
  echo "format: formatted ${#files[@]} files"
  exit 0
fi

differ=0
for f in "${files[@]}"; do
  if ! "$clang_format" --style=file "$f" | cmp -s - "$f"; then
    echo "format: $f differs from .clang-format (run scripts/format.sh $f)"
    differ=$((differ + 1))
  fi
done
if [ "$differ" -gt 0 ]; then
  echo "format: $differ of ${#files[@]} files need scripts/format.sh" >&2
  exit 1
fi
echo "format: all ${#files[@]} files match .clang-format"
