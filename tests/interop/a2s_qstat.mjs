// Interop: qstat 2.17 (Debian `qstat`, binary `quakestat`) queries an A2S fixture.
//
//   node a2s_qstat.mjs <fixture> [fixture arguments...]
//
// Starts the fixture (a2s_fixture or game_server_fixture), reads the JSON line of expectations it
// prints (expectations.h), runs `quakestat -a2s 127.0.0.1:PORT -R -P -json` (INFO with the 2020
// challenge round-trip, RULES as Source-format split fragments, then PLAYER) and asserts every
// field qstat exposes against the expectations: name, map, folder, description, player count, max
// players, bots, server type, environment, password, VAC, version, protocol, EDF game port,
// SourceTV port and name, keywords, every player's name, score and duration, every rule with its
// value and no other rule. qstat does not expose the Steam ID or the app id / GameID (a2s_gamedig
// checks those). Then stops the fixture: clean exit, its counters. Exits 0 if every check passes.
import { execFile } from 'node:child_process';
import { Checks, startFixture } from './interop_fixture.mjs';

const argv = process.argv.slice(2);
if (!argv.length) {
  console.error('usage: node a2s_qstat.mjs <fixture> [fixture arguments...]');
  process.exit(2);
}

// The rules qstat makes from INFO fields; a fixture rule of the same name would be ambiguous.
const kInfoRules = ['protocol', 'gamedir', 'gamename', 'bots', 'dedicated', 'sv_os', 'password', 'secure', 'version',
  'game_port', 'hostport', 'spectator_port', 'spectator_server_name', 'game_tags'];

// qstat prints a player's duration truncated to whole seconds, as "[Nh][Nm]Ns".
function seconds(text) {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text || '');
  return m && text ? Number(m[1] || 0) * 3600 + Number(m[2] || 0) * 60 + Number(m[3] || 0) : NaN;
}

function quakestat(port) {
  return new Promise((resolve) => {
    execFile('quakestat', ['-a2s', `127.0.0.1:${port}`, '-R', '-P', '-json'], { timeout: 30000 },
      (error, stdout, stderr) => resolve({ error, stdout, stderr }));
  });
}

const c = new Checks();
const fixture = await startFixture(argv);
const e = fixture.expect;
console.log(`a2s_qstat: ${e.fixture} on 127.0.0.1:${e.query_port}`);

const queryStart = performance.now();
const run = await quakestat(e.query_port);
const queryEnd = performance.now();
let servers = [];
if (c.that('quakestat ran', !run.error, run.error ? `${run.error.message}\n${run.stderr}` : 'exit 0')) {
  try { servers = JSON.parse(run.stdout); } catch (err) { c.that('quakestat JSON', false, err.message); }
}
c.check('one server', servers.length, 1);
const s = servers[0] || {};
const r = s.rules || {};
c.check('status', s.status, 'online');
c.check('address', s.address, `127.0.0.1:${e.query_port}`);
c.check('name', s.name, e.name);
c.check('map', s.map, e.map);
c.check('gametype (folder)', s.gametype, e.folder);
c.check('numplayers', s.numplayers, e.players);
c.check('maxplayers', s.maxplayers, e.max_players);
c.check('rule protocol (hex)', r.protocol, e.protocol.toString(16).toUpperCase());
c.check('rule gamedir (folder)', r.gamedir, e.folder);
c.check('rule gamename (game)', r.gamename, e.game);
c.check('rule bots', r.bots, String(e.bots));
// qstat turns any non-zero server type into "1", so only 'd' has a known rendering.
if (e.server_type === 'd') c.check('rule dedicated (server type d)', r.dedicated, '1');
const os = { l: 'linux', w: 'windows' }[e.environment];
if (os) c.check('rule sv_os (environment)', r.sv_os, os);
// qstat adds the password and secure rules only when the byte is non-zero.
c.check('rule password (visibility)', r.password, e.password ? '1' : undefined);
c.check('rule secure (VAC)', r.secure, e.secure ? '1' : undefined);
c.check('rule version', r.version, e.version);
c.check('rule game_port (EDF 0x80)', r.game_port, e.game_port ? String(e.game_port) : undefined);
// qstat adds hostport only when the game port differs from the port it queried.
c.check('rule hostport (EDF 0x80)', r.hostport,
  e.game_port && e.game_port !== e.query_port ? String(e.game_port) : undefined);
c.check('rule spectator_port (EDF 0x40)', r.spectator_port, e.spectator_port ? String(e.spectator_port) : undefined);
c.check('rule spectator_server_name', r.spectator_server_name, e.spectator_port ? e.spectator_name : undefined);
c.check('rule game_tags (EDF 0x20)', r.game_tags, e.keywords || undefined);

const wantRules = Object.entries(e.rules);
c.check('fixture rules do not collide with qstat\'s INFO rules', wantRules.filter(([k]) => kInfoRules.includes(k)), []);
const wrong = wantRules.filter(([k, v]) => r[k] !== v);
c.that(`all ${wantRules.length} rules with their values`, wrong.length === 0,
  wrong.length ? `${wrong.length} wrong, first: ${JSON.stringify(wrong.slice(0, 3).map(([k]) => [k, r[k]]))}` :
    `${wantRules.length} match`);
const extra = Object.keys(r).filter((k) => !kInfoRules.includes(k) && !(k in e.rules));
c.check('no other rules', extra, []);

const players = (s.players || []).map((p) => ({ name: p.name, score: p.score, time: seconds(p.time) }));
c.players(players, fixture, queryStart, queryEnd, 1);

const log = await c.stopFixture(fixture);
c.finish('a2s_qstat', log);
