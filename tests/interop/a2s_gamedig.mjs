// Interop: gamedig 5.3.3 (npm, type 'protocol-valve') queries our A2S responder.
//
//   node a2s_gamedig.mjs <path-to-a2s_fixture>
//
// Starts a2s_fixture (values listed in a2s_fixture.cpp) and queries it with rules and players
// required, so gamedig goes through the INFO challenge round-trip, the PLAYER and RULES
// challenges and the Source-format split reassembly of 200 rules. Asserts every INFO field
// gamedig exposes, including every EDF field (game port, SteamID, SourceTV port and name,
// keywords, GameID -> appId), every player's name, score and duration, and all 200 rules.
// Exits 0 if every check passes, 1 otherwise.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { GameDig } from 'gamedig';

const fixturePath = process.argv[2];
if (!fixturePath) {
  console.error('usage: node a2s_gamedig.mjs <a2s_fixture>');
  process.exit(2);
}

const fixture = spawn(fixturePath, ['60'], { stdio: ['ignore', 'pipe', 'pipe'] });
let fixtureLog = '';
fixture.stderr.on('data', (d) => { fixtureLog += d; });
const port = await new Promise((resolve, reject) => {
  let out = '';
  fixture.stdout.on('data', (d) => {
    out += d;
    const line = out.split('\n')[0];
    if (out.includes('\n')) resolve(Number(line));
  });
  fixture.on('exit', () => reject(new Error('fixture exited before reporting a port')));
  setTimeout(() => reject(new Error('fixture did not report a port')), 5000);
});
console.log(`a2s_gamedig: fixture on 127.0.0.1:${port}`);

let failures = 0;
function check(what, got, want) {
  const ok = JSON.stringify(got) === JSON.stringify(want);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${JSON.stringify(got)}${ok ? '' : ` (want ${JSON.stringify(want)})`}`);
  if (!ok) failures++;
}

try {
  const s = await GameDig.query({
    type: 'protocol-valve',
    host: '127.0.0.1',
    port,
    givenPortOnly: true,
    requestRules: true,
    requestRulesRequired: true,
    requestPlayersRequired: true,
    socketTimeout: 2000,
    attemptTimeout: 10000,
    maxRetries: 1,
  });
  check('name', s.name, 'Outpost A2S Interop');
  check('map', s.map, 'ctf_2fort');
  check('password (visibility)', s.password, false);
  check('numplayers', s.numplayers, 3);
  check('maxplayers', s.maxplayers, 24);
  check('version', s.version, '8622567');
  check('queryPort', s.queryPort, port);
  check('connect (EDF 0x80 game port)', s.connect, '127.0.0.1:27015');
  check('raw.protocol', s.raw.protocol, 17);
  check('raw.folder', s.raw.folder, 'tf');
  check('raw.game', s.raw.game, 'Team Fortress');
  check('raw.appId (from GameID, EDF 0x01)', s.raw.appId, 440);
  check('raw.numbots', s.raw.numbots, 1);
  check('raw.listentype', s.raw.listentype, 'd');
  check('raw.environment', s.raw.environment, 'l');
  check('raw.secure', s.raw.secure, 1);
  check('raw.steamid (EDF 0x10)', s.raw.steamid, '90071992547409921');
  check('raw.sourcetvport (EDF 0x40)', s.raw.sourcetvport, 27020);
  check('raw.sourcetvname', s.raw.sourcetvname, 'Outpost TV');
  check('raw.tags (EDF 0x20)', s.raw.tags, ['outpost', 'interop', 'ctf']);
  check('raw.players', s.raw.players, [
    { name: 'Alice', score: 42, time: 125.5 },
    { name: 'Bob', score: -7, time: 60.25 },
    { name: 'OutpostBot', score: 0, time: 5 },
  ]);
  const rules = s.raw.rules || {};
  let good = 0;
  for (let i = 0; i < 200; i++) {
    const n = String(i).padStart(3, '0');
    if (rules[`outpost_rule_${n}`] === `value_${n}`) good++;
  }
  check('rules outpost_rule_000..199 with their values', good, 200);
  check('rule count', Object.keys(rules).length, 200);
} catch (e) {
  console.log(`FAIL query: ${e && e.stack ? e.stack : e}`);
  failures++;
}

fixture.kill('SIGTERM');
await once(fixture, 'exit');
const counter = (name) => Number((fixtureLog.match(new RegExp(`a2s_fixture: ${name}=(\\d+)`)) || [])[1] || 0);
check('fixture answered INFO, PLAYER and RULES',
  [counter('info_replies') >= 1, counter('player_replies') >= 1, counter('rules_replies') >= 1],
  [true, true, true]);
check('fixture split replies (200 rules)', counter('split_replies') >= 1, true);
check('fixture dropped nothing', /a2s_fixture: dropped_/.test(fixtureLog), false);
if (failures) {
  process.stdout.write(fixtureLog.replace(/^/gm, '  '));
  console.log(`a2s_gamedig: ${failures} check(s) failed`);
  process.exit(1);
}
console.log('a2s_gamedig: all checks passed');
