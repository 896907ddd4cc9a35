/**
 * Test helpers shipped with the runtime: tiny real apps in temp dirs, free ports, bounded
 * polling, and a last-resort sweep that kills every process a test's instances left.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Driver, InstanceSpec } from '../driver.js';
import { setRealtime } from '../realtime.js';
import { INSTANCE_ENV } from '../spawn-instance.js';

/** Small apps, each a Node script, written into every app dir. */
export const APPS: Record<string, string> = {
  // Answers HTTP on $PORT, /healthz included; logs a line at start and per request.
  'server.js': `
    const http = require('http');
    const server = http.createServer((req, res) => {
      console.log('request ' + req.url);
      res.end(req.url === '/whoami' ? String(process.pid) : 'ok');
    });
    server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening on ' + process.env.PORT));
    process.on('SIGTERM', () => { console.log('got SIGTERM'); server.close(() => process.exit(0)); });
  `,
  // Ignores SIGTERM: only SIGKILL ends it.
  'ignore-term.js': `
    process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
    console.log('started');
    setInterval(() => {}, 1000);
  `,
  // Forks two children that ignore SIGTERM too, then waits; prints the children's pids.
  'forker.js': `
    const { spawn } = require('child_process');
    const child = "process.on('SIGTERM',()=>{});console.log('child ready');setInterval(()=>{},1000)";
    const kids = [1, 2].map(() => spawn(process.execPath, ['-e', child], { stdio: ['ignore', 'inherit', 'inherit'] }));
    console.log('children ' + kids.map((k) => k.pid).join(' '));
    setInterval(() => {}, 1000);
  `,
  // Grows its heap by ~8 MB every 100 ms until killed.
  'hog.js': `
    const keep = [];
    setInterval(() => { keep.push(Buffer.alloc(8 * 1024 * 1024, 1)); }, 100);
    console.log('hogging');
  `,
  // Writes as fast as it can: the log must stay bounded.
  'chatty.js': `
    const line = 'x'.repeat(200) + '\\n';
    const block = line.repeat(500);
    (function pump() { while (process.stdout.write(block)) {} process.stdout.once('drain', pump); })();
  `,
  // Prints its identity and whether it can read a path given as argv[2].
  'whoami.js': `
    const fs = require('fs');
    let readable = 'yes';
    try { fs.readdirSync(process.argv[2]); } catch (e) { readable = e.code; }
    console.log('uid=' + process.getuid() + ' readable=' + readable);
  `,
};

/** A temp dir with the apps in dir/app, readable by the unprivileged app user (mkdtemp makes 0700). */
export function makeAppDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-rt-'));
  chmodSync(dir, 0o755);
  const app = join(dir, 'app');
  mkdirSync(app, { mode: 0o755 });
  for (const [name, text] of Object.entries(APPS)) writeFileSync(join(app, name), text, { mode: 0o644 });
  return dir;
}

/** A spec for `node APP` in the app dir, logs under dir/logs/<id>. */
export function specFor(dir: string, id: string, command: string, extra: Partial<InstanceSpec> = {}): InstanceSpec {
  return {
    id,
    app: 'demo',
    env: 'test',
    service: 'web',
    release: 1,
    command,
    cwd: join(dir, 'app'),
    vars: { GREETING: 'hello' },
    logDir: join(dir, 'logs', id),
    stopTimeoutMs: 2_000,
    ...extra,
  };
}

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * For a suite that starts processes each in a session of its own: `start` spawns one (as
 * `spawn` would, detached, with no stdio) and returns its pid, the group's id; every group
 * started is killed after the suite, and `killAll` kills them sooner.
 */
export function processGroups(): { start: (file: string, args: readonly string[]) => number; killAll: () => void } {
  const groups: number[] = [];
  const killAll = (): void => {
    for (const pgid of groups.splice(0)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  };
  after(killAll);
  const start = (file: string, args: readonly string[]): number => {
    const child = spawn(file, args, { detached: true, stdio: 'ignore' });
    child.unref();
    groups.push(child.pid!);
    return child.pid!;
  };
  return { start, killAll };
}

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Pids of live processes whose environment carries WHARF_INSTANCE=<id> (root reads any environ). */
export function instancePids(idPrefix: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/stat`, 'utf8').includes(') Z ')) continue;
      const env = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      if (env.some((e) => e.startsWith(`${INSTANCE_ENV}=${idPrefix}`))) pids.push(Number(name));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

/** Last resort for `after`: SIGKILL every process of instances whose id starts with the prefix. */
export function killInstances(idPrefix: string): void {
  for (const pid of instancePids(idPrefix)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Stops every instance of the driver, detaches it, then sweeps anything left with the prefix. */
export async function shutDown(driver: Driver, idPrefix: string): Promise<void> {
  for (const s of driver.list()) await driver.stop(s.id, { timeoutMs: 500 });
  await driver.detach();
  killInstances(idPrefix);
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** GET http://127.0.0.1:port/path → body, or undefined if nothing answers. */
export async function httpGet(port: number, path = '/'): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2_000) });
    return await res.text();
  } catch {
    return undefined;
  }
}

/** Whether this kernel schedules sessions as autogroups, whose niceness Wharf sets (src/runtime/priority.ts). */
export const AUTOGROUPS = existsSync('/proc/self/autogroup');

/**
 * Whether the daemon may put the router in SCHED_FIFO here (src/runtime/realtime.ts): tried
 * on a throwaway process, since root is not enough in a container without CAP_SYS_NICE.
 */
export async function realtimeAllowed(): Promise<boolean> {
  const child = spawn('sleep', ['10'], { stdio: 'ignore' });
  try {
    return (await setRealtime(child.pid!, true)).ok;
  } finally {
    child.kill('SIGKILL');
  }
}

/**
 * For the source of a test app (CommonJS): `niceness()`, its session's niceness now (0
 * without autogroups), so that the app can tell whether it serves at boot priority.
 */
export const NICENESS_JS = "const niceness = () => { try { return Number(/ nice (-?\\d+)/.exec(require('node:fs').readFileSync('/proc/self/autogroup', 'utf8'))[1]); } catch { return 0; } };";

/**
 * A shell command that prints its own CPU priority as "NICE SESSION": its niceness (field 19
 * of /proc/PID/stat) and its session's (/proc/PID/autogroup; "-" without autogroups). The
 * session is lowered by the daemon just after the spawn, so with `untilLowered` it first
 * waits (up to 5 s) for that.
 */
export function priorityReport(untilLowered: boolean): string {
  const wait = untilLowered ? `i=0; while [ $i -lt 50 ] && grep -q ' nice 0$' /proc/$$/autogroup 2>/dev/null; do sleep 0.1; i=$((i+1)); done; ` : '';
  return `${wait}echo "$(cut -d' ' -f19 /proc/$$/stat) $(sed 's/.* nice //' /proc/$$/autogroup 2>/dev/null || echo -)"`;
}

/** Parses priorityReport's line: the session's niceness is undefined without autogroups. */
export function parsePriority(line: string): { niceness: number; session: number | undefined } {
  const [niceness, session] = line.trim().split(' ');
  return { niceness: Number(niceness), session: session === '-' ? undefined : Number(session) };
}
