// Interop: gamedig 5.3.3 (npm, type 'protocol-valve') queries an A2S fixture.
//
//   node a2s_gamedig.mjs <fixture> [fixture arguments...]
//
// Starts the fixture (a2s_fixture or game_server_fixture), reads the JSON line of expectations it
// prints (expectations.h) and queries it with rules and players required, so gamedig goes
// through the INFO challenge round-trip, the PLAYER and RULES challenges and the Source-format
// split reassembly of the rules. Asserts every field gamedig exposes against the expectations:
// name, map, folder, game, app id (from the GameID, EDF 0x01, when present), protocol, player
// count, max players, bots, server type, environment, password, VAC, version, EDF game port
// (connect address), Steam ID, SourceTV port and name, keywords, every player's name, score and
// duration, and every rule with its value and no other. Then stops the fixture: clean exit, its
// counters. Exits 0 if every check passes, 1 otherwise.
import { GameDig } from 'gamedig';
import { Checks, startFixture } from './interop_fixture.mjs';

const argv = process.argv.slice(2);
if (!argv.length) {
  console.error('usage: node a2s_gamedig.mjs <fixture> [fixture arguments...]');
  process.exit(2);
}

const c = new Checks();
const fixture = await startFixture(argv);
const e = fixture.expect;
console.log(`a2s_gamedig: ${e.fixture} on 127.0.0.1:${e.query_port}`);

const queryStart = performance.now();
try {
  const s = await GameDig.query({
    type: 'protocol-valve',
    host: '127.0.0.1',
    port: e.query_port,
    givenPortOnly: true,
    requestRules: true,
    requestRulesRequired: true,
    requestPlayersRequired: true,
    socketTimeout: 2000,
    attemptTimeout: 10000,
    maxRetries: 1,
  });
  const queryEnd = performance.now();
  c.check('name', s.name, e.name);
  c.check('map', s.map, e.map);
  c.check('password (visibility)', s.password, e.password);
  c.check('numplayers', s.numplayers, e.players);
  c.check('maxplayers', s.maxplayers, e.max_players);
  c.check('version', s.version, e.version);
  c.check('queryPort', s.queryPort, e.query_port);
  c.check('connect (EDF 0x80 game port)', s.connect, `127.0.0.1:${e.game_port || e.query_port}`);
  c.check('raw.protocol', s.raw.protocol, e.protocol);
  c.check('raw.folder', s.raw.folder, e.folder);
  c.check('raw.game', s.raw.game, e.game);
  // gamedig reads the 16-bit ID field, then the AppID from the GameID's low 24 bits if present.
  c.check('raw.appId (GameID, EDF 0x01)', s.raw.appId, e.app_id);
  c.check('raw.numbots', s.raw.numbots, e.bots);
  c.check('raw.listentype (server type)', s.raw.listentype, e.server_type);
  c.check('raw.environment', s.raw.environment, e.environment);
  c.check('raw.secure (VAC)', s.raw.secure, e.secure ? 1 : 0);
  c.check('raw.steamid (EDF 0x10)', s.raw.steamid, e.steam_id !== '0' ? e.steam_id : undefined);
  c.check('raw.sourcetvport (EDF 0x40)', s.raw.sourcetvport, e.spectator_port || undefined);
  c.check('raw.sourcetvname', s.raw.sourcetvname, e.spectator_port ? e.spectator_name : undefined);
  c.check('raw.tags (EDF 0x20)', s.raw.tags, e.keywords ? e.keywords.split(',') : undefined);
  c.players(s.raw.players || [], fixture, queryStart, queryEnd, 0);
  // gamedig splits the list into players and bots by a heuristic; only the sizes are its promise.
  c.check('bots / players split sizes', [s.bots.length, s.players.length + s.bots.length],
    [Math.min(e.bots, e.player_list.length), e.player_list.length]);
  const rules = s.raw.rules || {};
  const wantRules = Object.entries(e.rules);
  const wrong = wantRules.filter(([k, v]) => rules[k] !== v);
  c.that(`all ${wantRules.length} rules with their values`, wrong.length === 0,
    wrong.length ? `${wrong.length} wrong, first: ${JSON.stringify(wrong.slice(0, 3).map(([k]) => [k, rules[k]]))}` :
      `${wantRules.length} match`);
  c.check('no other rules', Object.keys(rules).filter((k) => !(k in e.rules)), []);
} catch (err) {
  c.that('query', false, err && err.stack ? err.stack : String(err));
}

const log = await c.stopFixture(fixture);
c.finish('a2s_gamedig', log);
