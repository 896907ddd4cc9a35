/**
 * Starts the real router process (`node .build/…/router/bin.js`) for tests and benchmarks,
 * waits for its `ready` line, and stops it by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RouterAdminClient } from '../admin-client.js';

export interface RunningRouter {
  pid: number;
  /** `127.0.0.1:PORT` of the HTTP listener. */
  http: string;
  https?: string;
  metrics?: string;
  dir: string;
  adminSocket: string;
  admin: RouterAdminClient;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output: () => string;
  /** Sends SIGTERM and waits for exit (SIGKILL after 5 s); removes the temp dir unless keepDir. */
  stop(opts?: { keepDir?: boolean }): Promise<void>;
}

export const ROUTER_BIN = fileURLToPath(new URL('../bin.js', import.meta.url));

export interface StartRouterOptions {
  dir?: string;
  tls?: boolean;
  metrics?: boolean;
  extraArgs?: string[];
}

export async function startRouter(o: StartRouterOptions = {}): Promise<RunningRouter> {
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'wharf-router-'));
  const adminSocket = path.join(dir, 'admin.sock');
  const args = [ROUTER_BIN, '--data-dir', dir, '--listen', '127.0.0.1:0', '--admin-socket', adminSocket];
  if (o.tls) args.push('--listen-tls', '127.0.0.1:0');
  if (o.metrics) args.push('--metrics', '127.0.0.1:0');
  args.push(...(o.extraArgs ?? []));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const ready = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`router did not start: ${out}`)), 10_000);
    const onData = (): void => {
      const line = out.split('\n').find((l) => l.includes('"event":"ready"'));
      if (line === undefined) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve(JSON.parse(line) as Record<string, string>);
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`router exited ${code}: ${out}`)));
  });
  const admin = new RouterAdminClient(adminSocket);
  return {
    pid: child.pid!,
    http: ready.http!,
    ...(ready.https ? { https: ready.https } : {}),
    ...(ready.metrics ? { metrics: ready.metrics } : {}),
    dir,
    adminSocket,
    admin,
    child,
    output: () => out,
    async stop(opts = {}) {
      admin.close();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(t);
      }
      if (!opts.keepDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Open TCP sockets of a process, counted from /proc (Linux): the leak check of the fault tests. */
export function openSockets(pid: number): number {
  let n = 0;
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
    } catch {
      /* closed meanwhile */
    }
  }
  return n;
}

/** Polls `check` until it returns true or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
