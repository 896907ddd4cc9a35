// Drives a real Wharf through its CLI (`node <dist>/cli/main.js …`) and, for polling, the
// control API on the data dir's unix socket — the one `wharf ps --json` reads — because a
// CLI process per poll costs ~0.4 s of CPU on a 2-core machine and would slow what we time.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { isAlive, isSameProcess } from './procfs.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Wharf {
  /** @param {{ dist: string, dataDir: string, http: string }} o */
  constructor(o) {
    this.main = path.resolve(o.dist, 'cli/main.js');
    this.dataDir = o.dataDir;
    this.http = o.http;
    /** Every instance process seen, by pid → start ticks, so that stopAll can end even those a daemon restarted. */
    this.seen = new Map();
  }

  /**
   * Runs the CLI; resolves with its stdout, rejects with its output on a non-zero exit. In a
   * session of its own, as from an operator's terminal: in the bench's session it would share
   * the load generator's scheduling group (Linux autogroups), and its start-up's CPU would be
   * measured as the latency of the system under test.
   */
  cli(args) {
    return new Promise((resolve, reject) => {
      execFile(process.execPath, [this.main, ...args, '--data-dir', this.dataDir], { timeout: 120_000, detached: true }, (err, stdout, stderr) => {
        if (err) reject(new Error(`wharf ${args.join(' ')} failed (${err.code ?? err.signal}):\n${stdout}${stderr}`));
        else resolve(stdout);
      });
    });
  }

  up(appDir) {
    return this.cli(['up', '-C', appDir, '--http', this.http]);
  }

  async ps(appDir) {
    return JSON.parse(await this.cli(['ps', '-C', appDir, '--json']));
  }

  /** GET on the control socket; undefined when no daemon answers. */
  api(pathname) {
    return new Promise((resolve) => {
      const req = http.get({ socketPath: path.join(this.dataDir, 'wharf.sock'), path: pathname, headers: { 'x-wharf-client': 'bench' }, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(res.statusCode === 200 ? JSON.parse(body) : undefined));
      });
      req.on('error', () => resolve(undefined));
    });
  }

  /** The id of the newest event, so that eventsAfter() can return what a step added (0 when none). */
  async lastEventId() {
    return (await this.api('/v1/events?limit=1'))?.events?.[0]?.id ?? 0;
  }

  /** The events after `id`, oldest first as the daemon lists them. */
  async eventsAfter(id) {
    return (await this.api(`/v1/events?after=${id}&limit=1000`))?.events ?? [];
  }

  async instances(app, env) {
    const r = await this.api(`/v1/apps/${encodeURIComponent(app)}/envs/${encodeURIComponent(env)}/instances`);
    for (const i of r?.instances ?? []) if (i.pid) this.seen.set(i.pid, i.pidStartTime);
    return r?.instances;
  }

  /**
   * Polls until the environment runs exactly `count` instances of `release` (any, if unset),
   * each `healthy` if its service is health-checked, else `running`. Resolves with the epoch
   * ms at which the poll first saw that, and the instances.
   */
  async waitReady({ app, env, count, checked, release, pollMs = 50, timeoutMs = 120_000 }) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
      last = await this.instances(app, env);
      const ready = (i) => (release === undefined || i.release === release) && i.state === (checked.has(i.service) ? 'healthy' : 'running');
      if (last && last.length === count && last.every(ready)) return { at: Date.now(), instances: last };
      await sleep(pollMs);
    }
    throw new Error(`${app}/${env} not ready after ${timeoutMs} ms: ${JSON.stringify(last?.map((i) => [i.id, i.release, i.state]))}`);
  }

  readJson(name) {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dataDir, name), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** pids of the daemon and the router, from daemon.json and router.json (when those processes live). */
  pids() {
    const daemon = this.readJson('daemon.json')?.pid;
    const router = this.readJson('router.json')?.pid;
    return { daemon: daemon && isAlive(daemon) ? daemon : undefined, router: router && isAlive(router) ? router : undefined };
  }

  /**
   * Stops everything this data dir runs, by pid: the daemon first (else it would restart what
   * follows), then the router, then each instance's process group (instances lead their own
   * groups). SIGTERM, then SIGKILL for what is still there after `graceMs`.
   */
  async stopAll(apps = [], graceMs = 10_000) {
    for (const { app, env } of apps) await this.instances(app, env);
    const { daemon, router } = this.pids();
    if (daemon) await terminate([{ pid: daemon }], graceMs, false);
    if (router) await terminate([{ pid: router }], graceMs, false);
    const groups = [...this.seen].filter(([pid, ticks]) => isSameProcess(pid, ticks)).map(([pid, ticks]) => ({ pid, ticks }));
    await terminate(groups, graceMs, true);
    this.seen.clear();
  }
}

async function terminate(procs, graceMs, group) {
  const signal = (p, sig) => {
    try {
      process.kill(group ? -p.pid : p.pid, sig);
    } catch {
      /* already gone */
    }
  };
  for (const p of procs) signal(p, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (procs.some((p) => isSameProcess(p.pid, p.ticks)) && Date.now() < deadline) await sleep(20);
  for (const p of procs) if (isSameProcess(p.pid, p.ticks)) signal(p, 'SIGKILL');
  while (procs.some((p) => isSameProcess(p.pid, p.ticks))) await sleep(20);
}
