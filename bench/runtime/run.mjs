#!/usr/bin/env node
// Runtime benchmark (issue 3): how long `wharf up` takes on an already-built app until every
// instance runs, and how much memory Wharf itself (daemon + router) holds idle while it
// supervises 20 apps × 2 instances (goal: ≤ 150 MB together).
//
// It drives the real CLI (`node <dist>/cli/main.js …`) and imports nothing from src/, so build first:
//   npm run build                      # or, into a dir of your own:
//   npx tsc -p tsconfig.json --outDir .build/benchruntime --tsBuildInfoFile .build/benchruntime/.tsbuildinfo
//   node bench/runtime/run.mjs [--dist dist] [--runs 7] [--apps 20] [--idle 30] [--later 60] [--out FILE]
//                              [--only startup|memory] [--node-options '--max-semi-space-size=1']
//
// Everything runs in a temp dir (mode 0711, so that the unprivileged `wharf-app` user that
// runs apps as root can pass through to the builds in the data dir) with a free port for
// --http; the script stops everything it starts, by pid. Needs ~2.5 GB free for 40 instances.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { bootTimeMs } from './procfs.mjs';
import { benchStartup } from './startup.mjs';
import { benchMemory } from './memory.mjs';
import { renderReport } from './report.mjs';
import { Wharf } from './wharf.mjs';
import { freePort } from './free-port.mjs';
import { log } from './log.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values: opt } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    runs: { type: 'string', default: '7' },
    apps: { type: 'string', default: '20' },
    idle: { type: 'string', default: '30' },
    samples: { type: 'string', default: '5' },
    interval: { type: 'string', default: '5' },
    later: { type: 'string', default: '60' },
    only: { type: 'string' }, // startup | memory
    'node-options': { type: 'string' }, // NODE_OPTIONS for the daemon and router of the memory part, to try V8 flags
    out: { type: 'string', default: path.join(here, 'RESULTS.md') },
    keep: { type: 'boolean', default: false },
  },
});
const dist = path.resolve(root, opt.dist);
if (!fs.existsSync(path.join(dist, 'cli/main.js'))) {
  console.error(`${dist}/cli/main.js is missing: build first (npm run build, or tsc --outDir ${opt.dist})`);
  process.exit(64);
}

/** As root, apps run as `wharf-app`, which must traverse every parent of the data dir. */
function checkTraversable(dir) {
  for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) throw new Error(`${d} is not searchable by others (mode ${(fs.statSync(d).mode & 0o777).toString(8)}); set TMPDIR elsewhere`);
  }
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wharf-bench-runtime-'));
fs.chmodSync(work, 0o711);
checkTraversable(path.join(work, 'x'));
const wharfs = [];
let stopping = false;
async function cleanup() {
  if (stopping) return;
  stopping = true;
  for (const w of wharfs) await w.stopAll().catch((e) => log(`cleanup: ${e.message}`));
  if (!opt.keep) fs.rmSync(work, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => void cleanup().then(() => process.exit(130)));

try {
  const bootMs = bootTimeMs();
  const loadBefore = os.loadavg();
  const started = new Date();
  const result = { runs: Number(opt.runs), dist: path.relative(root, dist) || '.', started };
  if (opt.only !== 'memory') {
    const wharf = new Wharf({ dist, dataDir: path.join(work, 'data-startup'), http: `127.0.0.1:${await freePort()}` });
    wharfs.push(wharf);
    log(`startup: ${opt.runs} cold and ${opt.runs} rolling runs in ${work}`);
    result.startup = await benchStartup({ wharf, root, work, runs: Number(opt.runs), bootMs, log });
  }
  if (opt.only !== 'startup') {
    const wharf = new Wharf({ dist, dataDir: path.join(work, 'data-memory'), http: `127.0.0.1:${await freePort()}` });
    wharfs.push(wharf);
    fs.mkdirSync(wharf.dataDir, { mode: 0o711 });
    log(`memory: ${opt.apps} apps × 2 instances`);
    result.memory = await benchMemory({ wharf, work, apps: Number(opt.apps), idleS: Number(opt.idle), samples: Number(opt.samples), intervalS: Number(opt.interval), laterS: Number(opt.later), nodeOptions: opt['node-options'], log });
  }
  result.loadBefore = loadBefore;
  result.loadAfter = os.loadavg();
  result.finished = new Date();
  result.argv = process.argv.slice(2);
  const report = renderReport(result);
  process.stdout.write(report);
  fs.writeFileSync(opt.out, report);
  fs.writeFileSync(`${opt.out.replace(/\.md$/, '')}.json`, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${opt.out}`);
} catch (e) {
  log(`failed: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
