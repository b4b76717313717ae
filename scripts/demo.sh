#!/usr/bin/env bash
# Outpost's main job, from a fresh machine: install what the build needs, build, and run the
# loopback demo (two NetworkingSockets peers exchanging encrypted messages over UDP on
# 127.0.0.1 and printing their connection status).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -G Ninja -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target outpost_cli
exec ./build/outpost demo "$@"
