#!/usr/bin/env node
// Environment clone benchmark (issue 7, "Numbers (bench/env)"): a production of 40 services
// (web ×20, workers ×20) with a Postgres and a Redis add-on holding data, cloned in one
// command — `wharf env clone production staging --with-config --with-data` — timed until
// every staging web service answers through the router on its own staging host AND
// staging's database has production's rows (asked by a staging web service through its own
// DATABASE_URL). Several runs (staging destroyed and its add-ons purged between them),
// medians, and the phases from Wharf's timeline. Goal: ≤ 60 s.
//
//   npm run build && node bench/env/run.mjs [--runs 3] [--dist dist] [--out bench/env/RESULTS.md]
//
// Everything runs in a temp dir with a free port; everything started is stopped by pid,
// the managed PostgreSQL and Redis servers (which outlive the daemon) included.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { freePort } from '../runtime/free-port.mjs';
import { Wharf } from '../runtime/wharf.mjs';
import { readPostgres, readRedis, reveal, seedPostgres, seedRedis } from './data.mjs';
import { writeFleet } from './fixture.mjs';
import { median } from '../runtime/stats.mjs';
import { clonePhases } from './phases.mjs';
import { servingCheck, waitUntil } from './serving.mjs';
import { writeResults } from './report.mjs';
import { log } from '../runtime/log.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values: opt } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    out: { type: 'string', default: path.join(here, 'RESULTS.md') },
    runs: { type: 'string', default: '3' },
    rows: { type: 'string', default: '5000' },
    keys: { type: 'string', default: '500' },
  },
});
const dist = path.resolve(root, opt.dist);
if (!fs.existsSync(path.join(dist, 'cli/main.js'))) {
  console.error(`${dist}/cli/main.js is missing: build first (npm run build)`);
  process.exit(64);
}
const runs = Number(opt.runs);
const SECRET = 'sk_bench_not_a_real_secret';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wharf-bench-env-'));
fs.chmodSync(work, 0o711); // the app user must pass through to the build dirs
const appDir = path.join(work, 'fleet');
const fleet = writeFleet(appDir);
const port = await freePort();
const wharf = new Wharf({ dist, dataDir: path.join(work, 'data'), http: `127.0.0.1:${port}` });
const inApp = (...args) => wharf.cli([...args, '-C', appDir]);
const events = async (env) => JSON.parse(await inApp('events', '-e', env, '-n', '5000', '--json'));

const results = [];
const loadBefore = os.loadavg();
try {
  log(`wharf up: ${fleet.count} services + postgres + redis (data dir ${wharf.dataDir})`);
  const upStart = Date.now();
  await wharf.up(appDir);
  await wharf.waitReady({ app: fleet.app, env: 'production', count: fleet.count, checked: fleet.checked, pollMs: 500, timeoutMs: 300_000 });
  log(`production serves (${((Date.now() - upStart) / 1000).toFixed(1)} s)`);

  const db = await reveal(wharf, appDir, 'production', 'db');
  const cache = await reveal(wharf, appDir, 'production', 'cache');
  await seedPostgres(db.URL, Number(opt.rows));
  await seedRedis(dist, cache, Number(opt.keys));
  await inApp('config', 'set', '-e', 'production', 'FEATURE_FLAGS=search,checkout');
  await inApp('config', 'set', '-e', 'production', '--secret', `SIGNING_KEY=${SECRET}`);
  await wharf.waitReady({ app: fleet.app, env: 'production', count: fleet.count, checked: fleet.checked, pollMs: 500, timeoutMs: 300_000 });
  const source = { pg: await readPostgres(db.URL), redis: await readRedis(dist, cache) };
  const production = await waitUntil(servingCheck({ port, services: fleet.web, env: 'production', secret: SECRET, rows: source.pg.n, marker: source.redis.marker }), 120_000, 'production serving its config');
  log(`production seeded: ${source.pg.n} rows, ${source.redis.keys} keys; answers like "${production.sample}"`);

  for (let run = 1; run <= runs; run++) {
    const staging = servingCheck({ port, services: fleet.web, env: 'staging', secret: SECRET, rows: source.pg.n, marker: source.redis.marker });
    log(`run ${run}/${runs}: wharf env clone production staging --with-config --with-data`);
    const t0 = Date.now();
    // Settled either way, so that a failed clone cannot end the process before `finally` stops everything.
    const clone = inApp('env', 'clone', 'production', 'staging', '--with-config', '--with-data').then(() => Date.now(), (e) => e);
    const served = await waitUntil(staging, 300_000, 'staging serving');
    const returned = await clone;
    if (returned instanceof Error) throw returned;
    const total = served.at - t0;
    await wharf.waitReady({ app: fleet.app, env: 'staging', count: fleet.count, checked: fleet.checked, pollMs: 100, timeoutMs: 120_000 });
    // Verified after the clock stopped: the copy's data, by content, through its own URLs.
    const copy = { pg: await readPostgres((await reveal(wharf, appDir, 'staging', 'db')).URL), redis: await readRedis(dist, await reveal(wharf, appDir, 'staging', 'cache')) };
    if (copy.pg.sum !== source.pg.sum || copy.redis.keys !== source.redis.keys || copy.redis.marker !== source.redis.marker) {
      throw new Error(`staging's data differs from production's: ${JSON.stringify({ source, copy })}`);
    }
    const phases = clonePhases(t0, (await events('staging')).filter((e) => e.time >= t0), (await events('production')).filter((e) => e.time >= t0), fleet.checked);
    results.push({ run, total, cloneReturned: returned - t0, phases, load: os.loadavg() });
    log(`run ${run}: staging serves after ${(total / 1000).toFixed(1)} s (clone returned after ${((returned - t0) / 1000).toFixed(1)} s)`);
    for (const p of phases) log(`  ${p.name}: ${p.ms === undefined ? '-' : `+${(p.ms / 1000).toFixed(2)} s (at ${(p.at / 1000).toFixed(2)} s)`}`);

    const d0 = Date.now();
    await inApp('env', 'destroy', 'staging', '--confirm', 'staging');
    results.at(-1).destroy = Date.now() - d0;
    log(`  env destroy: ${((Date.now() - d0) / 1000).toFixed(1)} s`);
    for (const addon of ['db', 'cache']) await inApp('addons', 'destroy', addon, '-e', 'staging', '--purge', '--confirm', fleet.app).catch((e) => log(`purge ${addon}: ${e.message.split('\n')[1] ?? e.message}`));
  }
  const totals = results.map((r) => r.total);
  log(`median ${(median(totals) / 1000).toFixed(1)} s over ${results.length} runs (goal ≤ 60 s)`);
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  writeResults(opt.out, { results, source, fleet, median, command: `node bench/env/run.mjs --runs ${runs}`, commit, loadBefore });
} finally {
  await wharf.stopAll([{ app: fleet.app, env: 'production' }, { app: fleet.app, env: 'staging' }]);
  // The managed servers outlive the daemon by design: stop them by their pid files.
  const { ManagedServers } = await import(path.join(dist, 'addons/addon-servers.js'));
  const { AesGcmSealer } = await import(path.join(dist, 'addons/sealer.js'));
  const addonsKey = path.join(wharf.dataDir, 'addons.key');
  if (fs.existsSync(addonsKey)) {
    const servers = new ManagedServers({ dir: path.join(wharf.dataDir, 'addons'), sealer: AesGcmSealer.fromKeyFile(addonsKey) });
    await servers.postgres.stop();
    await servers.redis.stop();
  }
  fs.rmSync(work, { recursive: true, force: true });
}
