// Interop: steam-server-query 1.1.3 (npm) walks our master server with queryMasterServer.
//
//   node master_steam_server_query.mjs <path-to-master_fixture>
//
// Starts master_fixture (1,000 servers, generation rule in master_fixture.cpp), queries it
// unfiltered and with filter objects, and compares each list with the set this script computes
// from the generation rule itself (not with our filter code). Every case must list exactly the
// expected addresses, each once (steam-server-query keeps duplicates, so a repeated seed would
// show). Exits 0 if every case passes, 1 otherwise.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import ssq from 'steam-server-query';

const { queryMasterServer } = ssq;
const REGION_ALL = 0xff;

const fixturePath = process.argv[2];
if (!fixturePath) {
  console.error('usage: node master_steam_server_query.mjs <master_fixture>');
  process.exit(2);
}

// Server i of the generation rule (master_fixture.cpp).
function server(i) {
  return {
    // hub_fleet_fixture (OUTPOST_FLEET=hub) lists every server at 127.0.0.1, port 20000 + i.
    addr: process.env.OUTPOST_FLEET === 'hub'
        ? `127.0.0.1:${20000 + i}`
        : `127.10.${Math.floor(i / 100)}.${Math.floor((i % 100) / 2) + 1}:${27015 + (i % 2) * 1000}`,
    appid: i % 10 < 8 ? 440 : 730,
    map: `map_${i % 3}`,
    players: i % 17,
    maxPlayers: 16,
    dedicated: i % 7 !== 0,
    secure: i % 5 !== 0,
    password: i % 11 === 0,
    linux: i % 4 !== 0,
    version: `1.0.${i % 4}`,
    tags: ['outpost', i % 2 ? 'odd' : 'even'],
  };
}
const servers = Array.from({ length: 1000 }, (_, i) => server(i));
const expect = (pred) => servers.filter(pred).map((s) => s.addr).sort();

const cases = [
  { name: 'unfiltered', filter: {}, want: expect(() => true) },
  {
    name: 'appid 440 + map_2',
    filter: { appid: 440, map: 'map_2' },
    want: expect((s) => s.appid === 440 && s.map === 'map_2'),
  },
  {
    name: 'dedicated + nor(map_0, appid 730)',
    filter: { dedicated: 1, nor: { map: 'map_0', appid: 730 } },
    want: expect((s) => s.dedicated && !(s.map === 'map_0' || s.appid === 730)),
  },
  {
    name: 'secure + password 0 + gametype [outpost, even] + version_match *.2',
    filter: { secure: 1, password: 0, gametype: ['outpost', 'even'], version_match: '*.2' },
    want: expect((s) => s.secure && !s.password && s.tags.includes('even') && s.version.endsWith('.2')),
  },
  {
    name: 'nand(linux, empty) + full',
    filter: { full: 1, nand: { linux: 1, empty: 1 } },
    want: expect((s) => s.players < s.maxPlayers && !(s.linux && s.players > 0)),
  },
];

const fixture = spawn(fixturePath, ['120'], { stdio: ['ignore', 'pipe', 'pipe'] });
let fixtureLog = '';
fixture.stderr.on('data', (d) => (fixtureLog += d));
let portText = '';
const port = await new Promise((resolve, reject) => {
  // The fixture starts a hub and registers its servers first: seconds on a loaded machine.
  const timer = setTimeout(() => reject(new Error('fixture did not report a port within 60 s')), 60000);
  fixture.on('exit', (code) => reject(new Error(`fixture exited (${code}) before reporting a port: ${fixtureLog}`)));
  fixture.stdout.on('data', (d) => {
    portText += d;
    const line = portText.split('\n');
    if (line.length > 1) {
      clearTimeout(timer);
      resolve(Number(line[0]));
    }
  });
  fixture.on('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
}).catch((e) => {
  console.error(`master_steam_server_query: ${e.message}`);
  fixture.kill();
  process.exit(1);
});
console.log(`master_steam_server_query: fixture on 127.0.0.1:${port}`);

let failures = 0;
let expectedPages = 0;
for (const c of cases) {
  let got;
  try {
    got = await queryMasterServer(`127.0.0.1:${port}`, REGION_ALL, c.filter, 3000, 100000);
  } catch (e) {
    console.log(`FAIL ${c.name}: queryMasterServer threw: ${e.message}`);
    failures++;
    continue;
  }
  const unique = new Set(got);
  const dups = got.length - unique.size;
  const want = new Set(c.want);
  const missing = c.want.filter((a) => !unique.has(a));
  const extra = [...unique].filter((a) => !want.has(a));
  // Pages a walk needs: full pages of 232, then one that ends with the terminator.
  const pages = Math.floor(c.want.length / 232) + 1;
  expectedPages += pages;
  if (dups || missing.length || extra.length) {
    console.log(
      `FAIL ${c.name}: got ${got.length}, want ${c.want.length}, duplicates ${dups}, ` +
        `missing ${missing.length} [${missing.slice(0, 5)}], extra ${extra.length} [${extra.slice(0, 5)}]`,
    );
    failures++;
  } else {
    console.log(`ok   ${c.name}: ${got.length} addresses, exact match, no duplicates, ${pages} page(s)`);
  }
}

fixture.kill('SIGTERM');
await once(fixture, 'exit');
if (fixtureLog) console.log(fixtureLog.trimEnd().replace(/^/gm, '  '));
// Every walk must have taken exactly its pages: restarts or repeats show up as extra requests.
const counter = (name) => Number((fixtureLog.match(new RegExp(`^master_fixture: ${name}=(\\d+)$`, 'm')) || [])[1] || 0);
if (counter('received') !== expectedPages || counter('replied') !== expectedPages) {
  console.log(`FAIL pages: fixture received ${counter('received')} and answered ${counter('replied')} requests, want ${expectedPages}`);
  failures++;
} else {
  console.log(`ok   pages: ${counter('replied')} requests answered in all, exactly the pages the walks need`);
}
if (failures) {
  console.log(`master_steam_server_query: ${failures} case(s) failed`);
  process.exit(1);
}
console.log('master_steam_server_query: all cases passed');
