// What a2s_qstat.mjs and a2s_gamedig.mjs share: start a fixture command and read the JSON line of
// expectations it prints (tests/interop/expectations.h), print one "ok"/"FAIL" line per check,
// compare player lists with their duration bounds, and stop the fixture, checking its exit
// status and the counters it prints on exit. Every wait is bounded.
import { spawn } from 'node:child_process';

// Starts argv (fixture path and arguments); resolves when its expectations line has been read.
export async function startFixture(argv, startTimeoutMs = 40000) {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let expect;
  try {
    expect = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no expectations line within ${startTimeoutMs} ms`)), startTimeoutMs);
      child.stdout.on('data', (d) => {
        out += d;
        const nl = out.indexOf('\n');
        if (nl < 0) return;
        clearTimeout(timer);
        try { resolve(JSON.parse(out.slice(0, nl))); } catch (e) { reject(e); }
      });
      exited.then(() => { clearTimeout(timer); reject(new Error('the fixture exited before printing its expectations')); });
    });
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`${e.message}\n${log.replace(/^/gm, '  ')}`);
  }
  return {
    expect,
    readAtMs: performance.now(),  // when the line was read (growing durations count from here)
    log: () => log,
    // SIGTERM, then SIGKILL after 15 s; resolves to { code, signal }.
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
      const status = await exited;
      clearTimeout(timer);
      return status;
    },
  };
}

export class Checks {
  failures = 0;

  check(what, got, want) {
    const ok = JSON.stringify(got) === JSON.stringify(want);
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${JSON.stringify(got)}${ok ? '' : ` (want ${JSON.stringify(want)})`}`);
    if (!ok) this.failures++;
    return ok;
  }

  // A check whose condition the caller computed; `shown` is what was read.
  that(what, ok, shown) {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${shown}`);
    if (!ok) this.failures++;
    return ok;
  }

  // got: [{name, score, time}] as the client read them (time in seconds, or null when the client
  // does not expose it); compared with expect.player_list as sets of (name, score), then each
  // duration against its bounds. resolutionS: how much the client rounds durations down.
  // queryStartMs/queryEndMs: performance.now() around the query (growing durations).
  players(got, fixture, queryStartMs, queryEndMs, resolutionS) {
    const want = fixture.expect.player_list;
    const byName = (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    this.check('players (name, score)', got.map((p) => [p.name, p.score]).sort(byName),
      want.map((p) => [p.name, p.score]).sort(byName));
    for (const w of want) {
      const g = got.find((p) => p.name === w.name);
      if (!g || g.time === null) continue;
      const before = w.time_grows ? (queryStartMs - fixture.readAtMs) / 1000 : 0;
      const after = w.time_grows ? (queryEndMs - fixture.readAtMs) / 1000 : 0;
      const lo = w.time_min + before - resolutionS - 1e-3;
      const hi = w.time_max + after + 1e-3;
      this.that(`player ${JSON.stringify(w.name)} duration`, typeof g.time === 'number' && g.time >= lo && g.time <= hi,
        `${g.time} s (want ${lo.toFixed(3)} .. ${hi.toFixed(3)})`);
    }
  }

  // Stops the fixture; checks a clean exit, expect.counters_min against its "<name>: k=v"
  // counter lines, and that it counted no dropped requests.
  async stopFixture(fixture) {
    const status = await fixture.stop();
    const log = fixture.log();
    this.check('fixture exit status after SIGTERM', status, { code: 0, signal: null });
    const counters = {};
    for (const m of log.matchAll(/^[a-z0-9_]+: ([a-z0-9_]+)=(\d+)$/gm)) counters[m[1]] = Number(m[2]);
    for (const [name, min] of Object.entries(fixture.expect.counters_min)) {
      this.that(`fixture counter ${name}`, (counters[name] || 0) >= min, `${counters[name] || 0} (want >= ${min})`);
    }
    const dropped = Object.entries(counters).filter(([k, v]) => k.startsWith('dropped_') && v > 0);
    this.check('fixture dropped no request', dropped, []);
    return log;
  }

  // Prints the verdict (and the fixture's log on failure); exits 0 or 1.
  finish(name, log) {
    if (this.failures) {
      process.stdout.write(log.replace(/^/gm, '  '));
      console.log(`${name}: ${this.failures} check(s) failed`);
      process.exit(1);
    }
    console.log(`${name}: all checks passed`);
    process.exit(0);
  }
}
