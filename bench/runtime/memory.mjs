// Part 2: Wharf's own memory (daemon + router) idle while it supervises N apps × 2 instances.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeTinyApp } from './fixtures.mjs';
import { cpuSeconds, isAlive, memory } from './procfs.mjs';
import { median } from './stats.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the daemon itself (`wharf daemon`, detached, as `wharf up` would) so that it can be
 * measured idle with no apps; deploys the apps one by one with `wharf up`; waits `idleS`;
 * samples; waits `laterS` more and samples again, to see whether idle memory grows.
 */
export async function benchMemory({ wharf, work, apps: n, idleS, samples, intervalS, laterS, nodeOptions, log }) {
  const appsDir = path.join(work, 'apps');
  const specs = Array.from({ length: n }, (_, i) => writeTinyApp(appsDir, i + 1));
  const refs = specs.map(({ app, env }) => ({ app, env }));
  try {
    await startDaemon(wharf, nodeOptions);
    log(`daemon and router started; idle ${idleS} s with no apps`);
    await sleep(idleS * 1000);
    const empty = await sampleWindow(wharf, [], samples, intervalS);

    const deploys = [];
    for (const spec of specs) {
      const t0 = Date.now();
      await wharf.up(spec.dir);
      await wharf.waitReady({ ...spec, pollMs: 100 });
      deploys.push(Date.now() - t0);
    }
    log(`${n} apps deployed (${2 * n} instances); idle ${idleS} s, then ${samples} samples ${intervalS} s apart`);
    await sleep(idleS * 1000);
    const loaded = await sampleWindow(wharf, refs, samples, intervalS);
    log(`idle ${laterS} s more, then sample again`);
    await sleep(laterS * 1000);
    const later = await sampleWindow(wharf, refs, samples, intervalS);
    return { empty, loaded, later, deploys, apps: n, nodeOptions };
  } finally {
    await wharf.stopAll(refs);
  }
}

/** The router inherits the daemon's environment, so NODE_OPTIONS reaches both (not the instances: their environment is built). */
async function startDaemon(wharf, nodeOptions) {
  const log = fs.openSync(path.join(wharf.dataDir, 'daemon.log'), 'a', 0o600);
  const child = spawn(process.execPath, [wharf.main, 'daemon', '--data-dir', wharf.dataDir, '--http', wharf.http], {
    detached: true,
    stdio: ['ignore', log, log],
    env: nodeOptions ? { ...process.env, NODE_OPTIONS: nodeOptions } : process.env,
  });
  fs.closeSync(log);
  child.unref();
  for (let i = 0; i < 400; i++) {
    if ((await wharf.api('/v1/status')) && wharf.pids().router) return;
    await sleep(50);
  }
  throw new Error(`the daemon did not start; see ${path.join(wharf.dataDir, 'daemon.log')}`);
}

/** `samples` samples `intervalS` apart: daemon and router RSS/PSS, instances' totals, and CPU used over the window. */
async function sampleWindow(wharf, refs, samples, intervalS) {
  const { daemon, router } = wharf.pids();
  if (!daemon || !router) throw new Error('daemon or router not running');
  let instances = [];
  for (const { app, env } of refs) instances.push(...((await wharf.instances(app, env)) ?? []));
  instances = instances.filter((i) => i.pid && isAlive(i.pid));
  const cpu0 = { daemon: cpuSeconds(daemon), router: cpuSeconds(router), at: Date.now() };
  const rows = [];
  for (let s = 0; s < samples; s++) {
    if (s) await sleep(intervalS * 1000);
    const d = memory(daemon);
    const r = memory(router);
    const inst = instances.map((i) => memory(i.pid)).filter(Boolean);
    rows.push({
      daemonRss: d.rss, daemonPss: d.pss, daemonHeap: d.heap, routerRss: r.rss, routerPss: r.pss, routerHeap: r.heap,
      instRss: inst.reduce((a, m) => a + m.rss, 0), instPss: inst.every((m) => m.pss !== undefined) ? inst.reduce((a, m) => a + m.pss, 0) : undefined,
      instCount: inst.length, instMedianRss: median(inst.map((m) => m.rss)),
    });
  }
  const seconds = (Date.now() - cpu0.at) / 1000;
  const pct = (before, after) => (before === undefined || after === undefined ? undefined : (100 * (after - before)) / seconds);
  const med = (k) => median(rows.map((x) => x[k]));
  return {
    daemonPid: daemon, routerPid: router, instances: instances.length,
    daemonRss: med('daemonRss'), daemonPss: med('daemonPss'), daemonHeap: med('daemonHeap'),
    routerRss: med('routerRss'), routerPss: med('routerPss'), routerHeap: med('routerHeap'),
    sumRss: median(rows.map((x) => x.daemonRss + x.routerRss)),
    sumPss: rows.every((x) => x.daemonPss !== undefined && x.routerPss !== undefined) ? median(rows.map((x) => x.daemonPss + x.routerPss)) : undefined,
    instRss: med('instRss'), instPss: med('instPss'), instMedianRss: med('instMedianRss'),
    daemonCpuPct: pct(cpu0.daemon, cpuSeconds(daemon)), routerCpuPct: pct(cpu0.router, cpuSeconds(router)),
    rows,
  };
}
