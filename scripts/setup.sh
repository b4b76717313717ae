#!/usr/bin/env bash
# Installs every Debian package Outpost's build, tests, fuzzers and benchmarks need.
# Idempotent: packages already present are skipped without touching apt. Runs as root
# (CI and fresh machines); as another user it uses sudo when available.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  clang libclang-rt-14-dev
  clang-format clang-tidy
  libsodium-dev
  zlib1g-dev  # CRC-32 of STUN FINGERPRINT (src/stun)
  libsqlite3-dev
  libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev googletest
  libbenchmark-dev
  libenet-dev
  iproute2 nftables procps
  stun-client  # tests/integration/p2p_test.cpp: a real STUN client against the hub port
  qstat
  nlohmann-json3-dev
  godot3-server
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# Node.js and npm run the interop tests' clients (gamedig, steam-server-query). A machine that
# already has both (e.g. from NodeSource, whose nodejs bundles npm) keeps them: Debian's npm
# package would conflict with that bundle.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

# npm packages of the interop tests (tests/interop/package-lock.json): installed with `npm ci`
# when tests/interop/node_modules is missing or was installed from a different lock file.
npm_packages() {
  local dir lock stamp
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/interop"
  lock=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  stamp="$dir/node_modules/.outpost-lock-sha256"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock" ]; then
    echo "setup: tests/interop npm packages present"
    return
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "setup: npm not found: needed for tests/interop (Node.js 18+)" >&2; exit 1
  fi
  echo "setup: npm ci --prefix tests/interop"
  npm ci --prefix "$dir" --no-audit --no-fund
  echo "$lock" >"$stamp"
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  npm_packages
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
    echo "setup: need root to install: ${missing[*]}" >&2; exit 1; fi
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
npm_packages
