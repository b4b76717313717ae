#!/usr/bin/env bash
# installed_sdk_consumer (ctest, label integration): the SDK as a game outside this tree gets it.
#   1. `cmake --install` (component sdk) into a temporary prefix outside the tree;
#   2. the installed headers are all under include/outpost/, include only outpost/ headers and the
#      C++ standard library, and each one compiles alone against the prefix;
#   3. tests/consumer/ is copied out of the tree and built with find_package(Outpost), and its
#      game.cpp once more with a plain compiler line from `pkg-config --cflags --libs outpost`;
#      neither the compile nor the link commands name the source or the build tree;
#   4. a real outpost-hub is provisioned with the real CLI (an app, a player with a licence, a
#      game-server login token) and both consumer binaries run against it: the server logs on,
#      the player's ticket is validated by the hub (tests/consumer/game.cpp).
#
#   run.sh SOURCE_DIR BUILD_DIR GENERATOR CXX HUB_BINARY CLI_BINARY [EXTRA_FLAGS]
# EXTRA_FLAGS (one word list) go to the consumer's compile and link: the sanitizer flags of a
# sanitizer build, whose static liboutpost needs them.
set -euo pipefail

if [ $# -lt 6 ]; then
  echo "usage: $0 SOURCE_DIR BUILD_DIR GENERATOR CXX HUB_BINARY CLI_BINARY [EXTRA_FLAGS]" >&2
  exit 2
fi
source_dir=$(realpath "$1")
build_dir=$(realpath "$2")
generator=$3
cxx=$4
hub_bin=$5
cli_bin=$6
read -r -a extra_flags <<<"${7:-}"

work=$(mktemp -d "${TMPDIR:-/tmp}/outpost-consumer.XXXXXX")
work=$(realpath "$work")
hub_pid=""
cleanup() {
  if [ -n "$hub_pid" ]; then
    kill "$hub_pid" 2>/dev/null || true
    wait "$hub_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
step() { echo "== $*"; }

for tree in "$source_dir" "$build_dir"; do
  case "$work/" in "$tree"/*) fail "the temporary directory $work is inside $tree: set TMPDIR elsewhere" ;; esac
done
# Fails if any of the files names the source or the build tree (a path equal to it or under it).
check_no_tree_paths() {
  local what=$1
  shift
  local tree pattern
  for tree in "$source_dir" "$build_dir"; do
    pattern="$(sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$tree")([^A-Za-z0-9_.-]|\$)"
    if grep -n -E "$pattern" "$@" >"$work/hits"; then
      head -3 "$work/hits" >&2
      fail "$what name $tree (the consumer must need nothing but the install prefix)"
    fi
  done
}

prefix=$work/prefix
step "cmake --install $build_dir --prefix $prefix --component sdk"
cmake --install "$build_dir" --prefix "$prefix" --component sdk >"$work/install.log" || {
  cat "$work/install.log" >&2
  fail "cmake --install failed"
}

# ---- 2. The installed headers ----------------------------------------------------------------
step "installed headers: under include/outpost/, including only outpost/ and the standard library"
std_headers=" algorithm any array atomic barrier bit bitset cassert cctype cerrno cfenv cfloat charconv chrono
  cinttypes climits clocale cmath codecvt compare complex concepts condition_variable coroutine csetjmp csignal
  cstdarg cstddef cstdint cstdio cstdlib cstring ctime cuchar cwchar cwctype deque exception execution
  filesystem format forward_list fstream functional future initializer_list iomanip ios iosfwd iostream
  istream iterator latch limits list locale map memory memory_resource mutex new numbers numeric optional
  ostream queue random ranges ratio regex scoped_allocator semaphore set shared_mutex source_location span
  sstream stack stdexcept stop_token streambuf string string_view syncstream system_error thread tuple
  type_traits typeindex typeinfo unordered_map unordered_set utility valarray variant vector version "
std_headers=" $(tr -s '[:space:]' ' ' <<<"$std_headers") "
headers=$(cd "$prefix/include" && find . -type f | sed 's|^\./||' | sort)
[ -n "$headers" ] || fail "no headers installed under $prefix/include"
for h in $headers; do
  case "$h" in outpost/*.h) ;; *) fail "installed include/$h: only include/outpost/*.h is public" ;; esac
  while IFS= read -r line; do
    number=${line%%:*}
    directive=${line#*:}
    name=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]+)[>"].*/\1/' <<<"$directive")
    case "$name" in
      outpost/*) [ -f "$prefix/include/$name" ] || fail "include/$h:$number includes $name, which is not installed" ;;
      *) case "$std_headers" in *" $name "*) ;; *) fail "include/$h:$number: $(sed -E "s/^[[:space:]]+//" <<<"$directive"): a public header may include only outpost/ headers and the C++ standard library" ;; esac ;;
    esac
  done < <(grep -n -E '^[[:space:]]*#[[:space:]]*include' "$prefix/include/$h")
  # Each header stands alone with the prefix as the only include directory.
  (cd "$work" && "$cxx" -std=c++20 "${extra_flags[@]}" -fsyntax-only -I "$prefix/include" -x c++ - <<<"#include <$h>") ||
    fail "include/$h does not compile on its own against $prefix/include"
done
echo "$(wc -w <<<"$headers") headers checked"

# ---- 3. Build a game outside the tree --------------------------------------------------------
cp -r "$source_dir/tests/consumer" "$work/src"
step "find_package(Outpost): configure and build $work/src"
cmake -G "$generator" -S "$work/src" -B "$work/build-cmake" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
  -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DCMAKE_CXX_FLAGS="${extra_flags[*]}" \
  -DCMAKE_EXE_LINKER_FLAGS="${extra_flags[*]}" >"$work/configure.log" 2>&1 || {
  cat "$work/configure.log" >&2
  fail "the consumer does not configure against the installed package"
}
outpost_dir=$(sed -n 's/^Outpost_DIR:PATH=//p' "$work/build-cmake/CMakeCache.txt")
case "$outpost_dir/" in "$prefix"/*) ;; *) fail "find_package(Outpost) found $outpost_dir, not the install prefix" ;; esac
cmake --build "$work/build-cmake" -v >"$work/build.log" 2>&1 || {
  cat "$work/build.log" >&2
  fail "the consumer does not build against the installed package"
}
check_no_tree_paths "the consumer's compile and link commands" "$work/build-cmake/compile_commands.json" "$work/build.log"
echo "built with Outpost_DIR=$outpost_dir"

step "pkg-config --cflags --libs outpost: one compiler line"
pc_file=$(find "$prefix" -name outpost.pc)
[ -n "$pc_file" ] || fail "no outpost.pc installed"
pc_flags=$(PKG_CONFIG_PATH=$(dirname "$pc_file") pkg-config --cflags --libs outpost) || fail "pkg-config does not read $pc_file"
read -r -a pc_words <<<"$pc_flags"
compile=("$cxx" -std=c++20 "${extra_flags[@]}" "$work/src/game.cpp" -o "$work/consumer-pkg-config" "${pc_words[@]}")
echo "${compile[*]}" | tee "$work/pkg-config-command"
check_no_tree_paths "the pkg-config compile line" "$work/pkg-config-command"
(cd "$work" && "${compile[@]}") || fail "the consumer does not build with pkg-config"

# ---- 4. Run both against a real hub -----------------------------------------------------------
step "a real outpost-hub, provisioned with the real CLI"
"$hub_bin" --data-dir "$work/hub" --listen 127.0.0.1:0 --master 127.0.0.1:0 >"$work/hub.log" 2>&1 &
hub_pid=$!
for _ in $(seq 1 200); do
  [ -s "$work/hub/hub.address" ] && break
  kill -0 "$hub_pid" 2>/dev/null || break
  sleep 0.1
done
[ -s "$work/hub/hub.address" ] || {
  cat "$work/hub.log" >&2
  fail "outpost-hub did not start"
}
contact=$(cat "$work/hub/hub.address")
admin() { "$cli_bin" admin --hub "$contact" --data-dir "$work/hub" "$@"; }
admin app put 480 Consumer >/dev/null || fail "outpost admin app put"
admin user create consumer-owner --password-stdin <<<"consumer-owner-password" >/dev/null || fail "outpost admin user create"
admin user create consumer-player --password-stdin <<<"consumer-player-password" >/dev/null || fail "outpost admin user create"
admin licence grant consumer-player 480 >/dev/null || fail "outpost admin licence grant"
token_line=$(admin token create 480 consumer-owner --memo consumer) || fail "outpost admin token create"
token=$(sed -n 's/.*token=\([^ ]*\).*/\1/p' <<<"$token_line")
steam_id=$(sed -n 's/.*steam_id=\([0-9]*\).*/\1/p' <<<"$token_line")
[ -n "$token" ] && [ -n "$steam_id" ] || fail "no token or steam_id in \"$token_line\""

# A shared liboutpost (-DBUILD_SHARED_LIBS=ON) is found where it was installed.
libdir=$(dirname "$(find "$prefix" -name 'liboutpost.*' | head -1)")
export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for consumer in "$work/build-cmake/consumer" "$work/consumer-pkg-config"; do
  step "run ${consumer#"$work"/}"
  CONSUMER_PASSWORD=consumer-player-password timeout 60 "$consumer" "$contact" "$token" "$steam_id" consumer-player ||
    fail "${consumer#"$work"/} did not complete its session with the hub (hub log: $(tail -5 "$work/hub.log"))"
done
echo "the installed SDK works for a game outside the tree"
