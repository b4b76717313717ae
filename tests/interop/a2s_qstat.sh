#!/usr/bin/env bash
# Interop: qstat 2.17 (Debian `qstat`, binary `quakestat`) queries our A2S responder.
#
#   a2s_qstat.sh <path-to-a2s_fixture>
#
# Starts a2s_fixture (values listed in a2s_fixture.cpp), runs
# `quakestat -a2s 127.0.0.1:PORT -R -P -json` (INFO with the 2020 challenge round-trip, then
# RULES as 4 Source-format split fragments, then PLAYER) and asserts name, map, game dir, player
# count, max players, bots, secure, version, EDF ports/tags, every player's name and score and
# all 200 rules. qstat's JSON is checked with node (needed by the interop tests anyway).
# Exits 0 if every check passes, 1 otherwise.
set -uo pipefail

fixture=${1:?usage: $0 <a2s_fixture>}
for tool in quakestat node; do
  if ! command -v $tool >/dev/null 2>&1; then
    echo "a2s_qstat: $tool not found (run scripts/setup.sh)" >&2
    exit 1
  fi
done

tmp=$(mktemp -d)
fixture_pid=
cleanup() {
  if [[ -n $fixture_pid ]]; then
    kill "$fixture_pid" 2>/dev/null
    wait "$fixture_pid" 2>/dev/null
  fi
  if [[ -s $tmp/fixture.log ]]; then sed 's/^/  /' "$tmp/fixture.log"; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

"$fixture" 60 >"$tmp/port" 2>"$tmp/fixture.log" &
fixture_pid=$!
for _ in $(seq 100); do
  [[ -s $tmp/port ]] && break
  sleep 0.05
done
port=$(head -n1 "$tmp/port")
if [[ ! $port =~ ^[0-9]+$ ]]; then
  echo "a2s_qstat: fixture did not report a port" >&2
  exit 1
fi
echo "a2s_qstat: fixture on 127.0.0.1:$port"

if ! timeout 30 quakestat -a2s "127.0.0.1:$port" -R -P -json >"$tmp/out.json" 2>"$tmp/err"; then
  echo "FAIL quakestat exited non-zero"
  sed 's/^/  /' "$tmp/err"
  exit 1
fi

node - "$tmp/out.json" <<'JS'
const fs = require('fs');
const servers = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
let failures = 0;
function check(what, got, want) {
  const ok = JSON.stringify(got) === JSON.stringify(want);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${JSON.stringify(got)}${ok ? '' : ` (want ${JSON.stringify(want)})`}`);
  if (!ok) failures++;
}
check('one server', servers.length, 1);
const s = servers[0] || {};
check('status', s.status, 'online');
check('name', s.name, 'Outpost A2S Interop');
check('map', s.map, 'ctf_2fort');
check('gametype (folder)', s.gametype, 'tf');
check('numplayers', s.numplayers, 3);
check('maxplayers', s.maxplayers, 24);
const r = s.rules || {};
check('protocol (hex)', r.protocol, '11');
check('gamename', r.gamename, 'Team Fortress');
check('bots', r.bots, '1');
check('dedicated', r.dedicated, '1');
check('sv_os', r.sv_os, 'linux');
check('secure', r.secure, '1');
check('no password rule (visibility 0)', r.password, undefined);
check('version', r.version, '8622567');
check('game_port (EDF 0x80)', r.game_port, '27015');
check('spectator_port (EDF 0x40)', r.spectator_port, '27020');
check('spectator_server_name', r.spectator_server_name, 'Outpost TV');
check('game_tags (EDF 0x20)', r.game_tags, 'outpost,interop,ctf');
let ruleCount = 0, ruleBad = 0;
for (let i = 0; i < 200; i++) {
  const key = `outpost_rule_${String(i).padStart(3, '0')}`;
  const want = `value_${String(i).padStart(3, '0')}`;
  if (r[key] === want) ruleCount++; else { ruleBad++; if (ruleBad <= 5) console.log(`  rule ${key} = ${r[key]}`); }
}
check('rules outpost_rule_000..199 with their values', ruleCount, 200);
check('no other outpost_ rules', Object.keys(r).filter(k => k.startsWith('outpost_rule_')).length, 200);
// qstat lists players in reverse order.
const players = (s.players || []).map(p => [p.name, p.score]).sort();
check('players (name, score)', players, [['Alice', 42], ['Bob', -7], ['OutpostBot', 0]]);
process.exit(failures ? 1 : 0);
JS
rc=$?

kill "$fixture_pid"
wait "$fixture_pid"
fixture_pid=
# The flow must have been: challenges, then one INFO, one RULES and one PLAYER reply, no drops.
for counter in info_replies rules_replies player_replies; do
  value=$(sed -n "s/^a2s_fixture: $counter=//p" "$tmp/fixture.log")
  if [[ ${value:-0} -lt 1 ]]; then
    echo "FAIL fixture counter $counter=${value:-0}, want >= 1"
    rc=1
  fi
done
if grep -q '^a2s_fixture: dropped_' "$tmp/fixture.log"; then
  echo "FAIL fixture dropped requests:"
  grep '^a2s_fixture: dropped_' "$tmp/fixture.log" | sed 's/^/  /'
  rc=1
fi
if ((rc)); then
  echo "a2s_qstat: FAILED"
  exit 1
fi
echo "a2s_qstat: all checks passed"
