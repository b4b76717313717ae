#!/usr/bin/env bash
# The demo itself, from an existing build (scripts/demo.sh installs packages and builds first):
#
#   scripts/demo-run.sh BUILD_DIR [--seconds N]
#
# Starts, all on 127.0.0.1: an outpost-hub on its embedded SQLite store in a fresh data directory;
# bootstraps it with the real `outpost admin` CLI (app 480, players alice/bob/carol with
# licences, a game-server login token); starts the example dedicated server logged on with that
# token; starts three example bots that find the server on the master, authenticate with
# session tickets and play. Then it shows the master's server list, the server's A2S info,
# players (live scores) and rules, qstat's view, and keeps the game running: every line of the
# server's log, and the A2S scoreboard every 15 s.
#
# Runs until Ctrl-C / SIGTERM, or for N seconds (--seconds N or OUTPOST_DEMO_SECONDS; counted
# from the start, but everything is shown at least once). Then it stops the bots, the server and
# the hub, in that order, waits for each, and exits 0 if every step worked and every process
# stopped cleanly, 1 otherwise.
#
# Ports (defaults are the project's): OUTPOST_DEMO_HUB_PORT (27100), OUTPOST_DEMO_MASTER_PORT
# (27011), OUTPOST_DEMO_GAME_PORT (27015), OUTPOST_DEMO_QUERY_PORT (27016). The data directory and
# logs go to a temporary directory, removed at the end unless OUTPOST_DEMO_KEEP=1.
set -uo pipefail

usage() {
  echo "usage: $0 BUILD_DIR [--seconds N]" >&2
  exit 2
}
[ $# -ge 1 ] || usage
build=$(cd "$1" 2>/dev/null && pwd) || { echo "demo: no build directory $1" >&2; exit 2; }
shift
seconds=${OUTPOST_DEMO_SECONDS:-0}
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) [ $# -ge 2 ] || usage; seconds=$2; shift 2 ;;
    *) usage ;;
  esac
done
[[ $seconds =~ ^[0-9]+$ ]] || { echo "demo: --seconds wants a whole number" >&2; exit 2; }

hub_port=${OUTPOST_DEMO_HUB_PORT:-27100}
master_port=${OUTPOST_DEMO_MASTER_PORT:-27011}
game_port=${OUTPOST_DEMO_GAME_PORT:-27015}
query_port=${OUTPOST_DEMO_QUERY_PORT:-27016}
hub_addr=127.0.0.1:$hub_port
master_addr=127.0.0.1:$master_port
query_addr=127.0.0.1:$query_port

hub_bin=$build/outpost-hub
cli_bin=$build/outpost
server_bin=$build/examples/outpost-example-server
bot_bin=$build/examples/outpost-example-bot
for b in "$hub_bin" "$cli_bin" "$server_bin" "$bot_bin"; do
  [ -x "$b" ] || { echo "demo: $b is missing; build it first (scripts/demo.sh does)" >&2; exit 1; }
done

started=$SECONDS
work=$(mktemp -d /tmp/outpost-demo.XXXXXX)
data=$work/hub
export OUTPOST_LOG_LEVEL=${OUTPOST_LOG_LEVEL:-warning}
players=(alice bob carol)
skills=(0.9 0.7 0.5)

# ---- Output ---------------------------------------------------------------------------------
section() { printf '\n== %s ==\n' "$*"; }
say() { printf '[demo] %s\n' "$*"; }
# Prints a command as a person would type it (the program without the build path).
print_cmd() {
  local line a
  line="\$ $(basename "$1")"
  shift
  for a in "$@"; do
    if [[ $a =~ ^[][A-Za-z0-9_./:=,@+-]+$ ]]; then line+=" $a"; else line+=" '$a'"; fi
  done
  printf '%s\n' "$line"
}
# Prints a command, then runs it.
show() {
  print_cmd "$@"
  "$@"
}
# Copies a program's output to the screen with a tag, and to its log file. Ignores INT/TERM so
# the last lines (the program's own shutdown) still get through; it ends when the program does.
tag_output() {
  trap '' INT TERM
  local tag=$1 log=$2 line
  while IFS= read -r line; do
    printf '%-13s %s\n' "$tag" "$line"
    printf '%s\n' "$line" >>"$log"
  done
}

# ---- Processes ------------------------------------------------------------------------------
hub_pid= server_pid=
bot_pids=()
tagger_pids=()
# start_tagged TAG LOG COMMAND...: starts COMMAND in the background with its output going through
# tag_output; sets started_pid. The tagger is this shell's child (not the command's), so this
# shell reaps it and can wait for it to print the command's last lines.
start_tagged() {
  local tag=$1 log=$2 out
  shift 2
  exec {out}> >(tag_output "$tag" "$log")
  tagger_pids+=($!)
  "$@" >&"$out" 2>&1 &
  started_pid=$!
  exec {out}>&-
}
stopping=0
failed=0
trap 'stopping=1' INT TERM

# Sends SIGTERM to a process and waits for it (SIGKILL after 10 s). Prints its exit status.
stop_process() {
  local name=$1 pid=$2 status
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name did not stop within 10 s; killing it"
    kill -KILL "$pid" 2>/dev/null
    failed=1
  fi
  wait "$pid" 2>/dev/null
  status=$?
  if [ "$status" -eq 0 ]; then say "$name stopped (exit status 0)"; else
    say "$name exited with status $status"
    failed=1
  fi
}

cleanup() {
  trap '' INT TERM
  section "Stopping: bots, then the server, then the hub"
  local i
  for i in "${!bot_pids[@]}"; do stop_process "bot ${players[$i]}" "${bot_pids[$i]}"; done
  stop_process "server" "$server_pid"
  stop_process "hub" "$hub_pid"
  [ ${#tagger_pids[@]} -eq 0 ] || wait "${tagger_pids[@]}" 2>/dev/null  # the programs' last lines
  if [ "${OUTPOST_DEMO_KEEP:-0}" = 1 ]; then say "logs and the hub's data directory are in $work"; else rm -rf "$work"; fi
  if [ "$failed" -eq 0 ]; then say "everything stopped cleanly"; else say "the demo FAILED (see above)"; fi
  exit "$failed"
}
trap cleanup EXIT

fail() {
  say "FAILED: $*"
  failed=1
  exit 1
}

# Waits up to $1 seconds for the command in the remaining arguments to succeed.
wait_for() {
  local limit=$1
  shift
  local deadline=$((SECONDS + limit))
  while [ $SECONDS -lt $deadline ]; do
    [ "$stopping" = 1 ] && return 1
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.3
  done
  return 1
}

# ---- 1. The hub -----------------------------------------------------------------------------
section "1. The hub: outpost-hub on SQLite in $data"
print_cmd "$hub_bin" --data-dir "$data" --listen "$hub_addr" --master "$master_addr"
start_tagged "[hub]" "$work/hub.log" "$hub_bin" --data-dir "$data" --listen "$hub_addr" --master "$master_addr"
hub_pid=$started_pid
wait_for 20 grep -q "listening on" "$work/hub.log" && [ -s "$data/hub.address" ] ||
  fail "the hub did not start (port $hub_port or $master_port in use?)"
# The hub's contact, KEY@IP:PORT: what game servers and players are given so they talk to this
# hub and no other (the SDK refuses a hub whose key it was not given).
hub_contact=$(cat "$data/hub.address")
say "the hub's contact (OUTPOST_HUB): $hub_contact"
export OUTPOST_HUB=$hub_contact

# ---- 2. Bootstrap with the admin CLI --------------------------------------------------------
section "2. Bootstrap with outpost admin: app 480, players with licences, a server login token"
admin() { show "$cli_bin" admin --hub "$hub_addr" --data-dir "$data" "$@" || fail "outpost admin $*"; }
admin app put 480 Spacewar
# Passwords go in on standard input: on the command line, other users could read them in ps.
for p in "${players[@]}" operator; do admin user create "$p" --password-stdin <<<"$p-demo-password"; done
for p in "${players[@]}"; do admin licence grant "$p" 480; done
token_line=$(admin token create 480 operator --memo "demo server") || exit 1
echo "$token_line"
token=$(sed -n 's/.*token=\([^ ]*\).*/\1/p' <<<"$token_line")
[ -n "$token" ] || fail "no token in \"$token_line\""

# ---- 3. The dedicated server ----------------------------------------------------------------
section "3. The example dedicated server, logged on with the token"
server_args=(--ip 127.0.0.1 --port "$game_port" --query-port "$query_port" --token "$token"
  --name "Outpost demo server" --map ring_arena --max-players 16)
print_cmd "$server_bin" "${server_args[@]}"
start_tagged "[server]" "$work/server.log" "$server_bin" "${server_args[@]}"
server_pid=$started_pid
listed() { "$cli_bin" servers --master "$master_addr" --filter '\appid\480' --addresses-only --timeout 500 | grep -qx "$query_addr"; }
wait_for 20 listed || fail "the server is not on the master's list (see its log above)"
say "the master lists the server at $query_addr"

# ---- 4. Three bots --------------------------------------------------------------------------
section "4. Three bots: log on, find the server on the master, authenticate, play"
print_cmd "$bot_bin" --user alice --password alice-demo-password --master "$master_addr" --quiet
say "(and the same for bob and carol)"
for i in "${!players[@]}"; do
  p=${players[$i]}
  start_tagged "[bot $p]" "$work/bot-$p.log" "$bot_bin" --user "$p" --password "$p-demo-password" \
    --master "$master_addr" --skill "${skills[$i]}" --shot-interval-ms $((250 + 50 * i)) --quiet
  bot_pids+=("$started_pid")
done
authenticated() { [ "$(grep -c "authenticated by the hub" "$work/server.log")" -ge ${#players[@]} ]; }
wait_for 30 authenticated || fail "not every bot was authenticated (see the logs above)"
sleep 3  # a few shots, so the scores are not all zero

# ---- 5. What a person wants to see ----------------------------------------------------------
section "5a. The master's list (Valve master protocol, served by the hub)"
show "$cli_bin" servers --master "$master_addr" --filter '\appid\480' || fail "outpost servers"
section "5b. The server's A2S info, players and rules"
show "$cli_bin" query "$query_addr" || fail "outpost query"
section "5c. By hand, with qstat"
echo "quakestat -a2s $query_addr -R -P"
if command -v quakestat >/dev/null 2>&1; then
  quakestat -a2s "$query_addr" -R -P
else
  say "(qstat is not installed here: apt-get install qstat)"
fi

# ---- 6. Keep playing ------------------------------------------------------------------------
if [ "$seconds" -gt 0 ]; then
  section "6. Playing until $seconds s have passed (Ctrl-C stops everything sooner)"
else
  section "6. Playing until you press Ctrl-C"
fi
say "try, in another terminal: $(basename "$cli_bin") admin --hub $hub_addr --data-dir $data ban carol 480 --vac"
say "  (the hub tells the server, which kicks carol; $(basename "$cli_bin") query $query_addr shows her gone)"
next_scores=$((SECONDS + 15))
while [ "$stopping" = 0 ]; do
  if [ "$seconds" -gt 0 ] && [ $((SECONDS - started)) -ge "$seconds" ]; then break; fi
  for i in "${!bot_pids[@]}"; do  # a bot that was kicked (a ban) or left: say so, go on
    pid=${bot_pids[$i]}
    [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null || continue
    wait "$pid"
    status=$?
    note=
    [ "$status" -eq 3 ] && note=": refused or kicked by the server"
    say "bot ${players[$i]} left the game (exit status $status$note)"
    bot_pids[$i]=
  done
  kill -0 "$server_pid" 2>/dev/null || fail "the server stopped by itself"
  if [ $SECONDS -ge $next_scores ]; then
    say "live scores, from A2S_PLAYER:"
    "$cli_bin" query "$query_addr" --players
    next_scores=$((SECONDS + 15))
  fi
  sleep 1
done
exit 0
