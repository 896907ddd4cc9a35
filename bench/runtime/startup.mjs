// Part 1: how long `wharf up` on an already-built app takes until every instance runs —
// cold (nothing of Wharf running) and rolling (daemon running, a new release).
import fs from 'node:fs';
import path from 'node:path';
import { copyHello, setGreeting } from './fixtures.mjs';
import { startedAtMs } from './procfs.mjs';

/**
 * Cold-start phases, each from one timestamp to the next (all epoch ms):
 *   t0          `wharf up` is spawned
 *   daemonPid   the daemon process exists (/proc start time): CLI start, spec load, status probe
 *   routerPid   the router process exists: daemon boot (Node, SQLite store, event hub, runtime)
 *   routerUp    router.json written: the router answers its admin socket, first table pushed
 *   daemonUp    daemon.json's startedAt: fleet recovery (dead instances restarted)
 *   upReturned  `wharf up` exits: control server up, CLI sees it, apply (a no-op), output
 *   ready       every instance running, web ones through the health gate
 *   done        both: `up` returned and every instance is ready (what a user waits for)
 */
export const COLD_PHASES = [
  ['t0', 'daemonPid', 'CLI start → daemon spawned'],
  ['daemonPid', 'routerPid', 'daemon boot → router spawned'],
  ['routerPid', 'routerUp', 'router start → answers, table pushed'],
  ['routerUp', 'daemonUp', 'fleet recovery (instances restarted)'],
  ['daemonUp', 'upReturned', 'control API up → `up` applies (no-op) and exits'],
  ['upReturned', 'done', 'rest of the health gate (2 passes, 1 s apart) → all ready'],
];

/**
 * Rolling phases, from the daemon's timeline (`wharf events --json`, read after each run):
 *   t0 → apply.started → release.created → release.command → service.web updated
 *      → apply.finished → upReturned → done
 */
export const ROLLING_PHASES = [
  ['t0', 'applyStarted', 'CLI start → spec loaded, planned, apply started'],
  ['applyStarted', 'releaseCreated', 'build (source snapshot) → release created'],
  ['releaseCreated', 'releaseCommand', 'release command (`node release.js`)'],
  ['releaseCommand', 'webUpdated', 'web: new instances started, health gate, old ones drained'],
  ['webUpdated', 'applyFinished', 'worker replaced → apply finished'],
  ['applyFinished', 'done', 'answer → `up` exits (and all ready)'],
];

/** The timeline stamps of the apply that started at or after `t0`. */
async function rollingStamps(wharf, appDir, t0) {
  const events = JSON.parse(await wharf.cli(['events', '-C', appDir, '-n', '50', '--json']));
  const first = (kind, test = () => true) => events.find((e) => e.time >= t0 - 5 && e.kind === kind && test(e))?.time;
  return {
    applyStarted: first('apply.started'),
    releaseCreated: first('release.created'),
    releaseCommand: first('release.command'),
    webUpdated: first('resource.update', (e) => e.data?.address === 'service.web'),
    applyFinished: first('apply.finished'),
  };
}

export async function benchStartup({ wharf, root, work, runs, bootMs, log }) {
  const appDir = path.join(work, 'hello');
  const spec = copyHello(root, appDir);
  const apps = [{ app: spec.app, env: spec.env }];
  const buildsDir = path.join(wharf.dataDir, 'builds');
  const countBuilds = () => (fs.existsSync(buildsDir) ? fs.readdirSync(buildsDir).length : 0);

  const cli = [];
  for (let i = 0; i < runs; i++) {
    const t0 = Date.now();
    await wharf.cli(['version']);
    cli.push(Date.now() - t0);
  }

  log('warming the build cache with one `wharf up`');
  await wharf.up(appDir);
  await wharf.waitReady(spec);

  const cold = [];
  for (let i = 1; i <= runs; i++) {
    await wharf.stopAll(apps);
    const t0 = Date.now();
    const out = await wharf.up(appDir);
    const upReturned = Date.now();
    if (!/^Started the Wharf daemon/m.test(out)) throw new Error(`expected up to start the daemon:\n${out}`);
    const { ready } = await readyAt(wharf, spec);
    const daemon = wharf.readJson('daemon.json');
    const router = wharf.readJson('router.json');
    const stamps = {
      t0,
      daemonPid: startedAtMs(daemon.pid, bootMs),
      routerPid: startedAtMs(router.pid, bootMs),
      routerUp: fs.statSync(path.join(wharf.dataDir, 'router.json')).mtimeMs,
      daemonUp: daemon.startedAt,
      upReturned,
      ready,
      done: Math.max(upReturned, ready),
    };
    cold.push(stamps);
    log(`cold ${i}/${runs}: up returned after ${upReturned - t0} ms, all ready after ${ready - t0} ms`);
  }

  const rolling = [];
  const buildsBefore = countBuilds();
  for (let i = 1; i <= runs; i++) {
    const current = await wharf.instances(spec.app, spec.env);
    const release = Math.max(...current.map((x) => x.release)) + 1;
    setGreeting(appDir, `Hello from Wharf, run ${i} of the rolling benchmark`);
    const t0 = Date.now();
    const out = await wharf.up(appDir);
    const upReturned = Date.now();
    if (!/^Using the Wharf daemon/m.test(out) || !/^Applied /m.test(out)) throw new Error(`expected up to apply a change with the running daemon:\n${out}`);
    const { ready } = await readyAt(wharf, { ...spec, release });
    rolling.push({ t0, upReturned, ready, done: Math.max(upReturned, ready), ...(await rollingStamps(wharf, appDir, t0)) });
    log(`rolling ${i}/${runs}: v${release}: up returned after ${upReturned - t0} ms, all ready after ${ready - t0} ms`);
  }
  const builds = { before: buildsBefore, after: countBuilds() };

  const final = await wharf.ps(appDir);
  await wharf.stopAll(apps);
  return { cli, cold, rolling, builds, finalPs: final };
}

/** The moment all were ready: when the poll saw it, or earlier if `updatedAt` of the last transition says so. */
async function readyAt(wharf, spec) {
  const { at, instances } = await wharf.waitReady(spec);
  const lastTransition = Math.max(...instances.map((i) => i.updatedAt ?? 0));
  return { ready: lastTransition > 0 && lastTransition <= at ? lastTransition : at, instances };
}
