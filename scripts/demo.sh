#!/usr/bin/env bash
# Outpost's main command, from a fresh Debian 12 machine: install what the build needs
# (scripts/setup.sh), build the hub, the CLI and the example game, then run the whole demo
# (scripts/demo-run.sh): an outpost-hub on SQLite, bootstrapped with `outpost admin`, the example
# dedicated server logged on with a login token and listed on the master, and three bots that
# authenticate with session tickets and play; it shows the master's list, the server's A2S info
# and live scores, and the qstat command to query it by hand.
#
#   scripts/demo.sh [--seconds N]     (or OUTPOST_DEMO_SECONDS=N; default: until Ctrl-C)
#
# Ctrl-C stops everything cleanly. Ports: 27100 (hub), 27011 (master), 27015/27016 (game/query),
# all on 127.0.0.1; scripts/demo-run.sh says how to change them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -G Ninja -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target outpost-hub outpost_cli outpost-example-server outpost-example-bot
exec bash scripts/demo-run.sh build "$@"
