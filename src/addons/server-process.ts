/**
 * What the managed PostgreSQL and Redis servers share: running their tools as the add-on
 * user, finding a free loopback port, recognising their process by pid, waiting for them.
 */
import { execFile } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { WharfError } from '../errors.js';
import { readStat } from '../runtime/proc-table.js';
import type { Identity } from '../runtime/app-user.js';

/** Runs a tool to completion as `identity` (or as ourselves); resolves its combined output, rejects with it. */
export function runTool(file: string, args: string[], options: { identity?: Identity | undefined; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        ...(options.identity ? { uid: options.identity.uid, gid: options.identity.gid } : {}),
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 16 * 1024 * 1024,
        // The tools' own cwd must be one the add-on user may enter.
        cwd: '/',
      },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`.trim();
        if (error) reject(Object.assign(new Error(`${file.split('/').pop()} ${args[0] ?? ''} failed: ${output || error.message}`), { output }));
        else resolve(output);
      },
    );
  });
}

/** A directory owned by `identity`, 0700: PostgreSQL refuses a data dir anyone else can read. */
export function ownedDir(dir: string, identity: Identity | undefined): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (identity) chownSync(dir, identity.uid, identity.gid);
}

/** A port free on 127.0.0.1 now (the kernel picks it); the server binds it right after. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The pid in the first line of a pid file, if the file exists and names a live `command` process. */
export function livePid(pidFile: string, command: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  // A stale pid file may name a pid the kernel has since given to another program.
  return isRunning(pid, command) ? pid : undefined;
}

/** Whether `pid` is a live (not zombie) process whose command name is `command`. */
export function isRunning(pid: number, command: string): boolean {
  if (readStat(pid) === undefined) return false;
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === command;
  } catch {
    return false;
  }
}

/** Polls `check` until it answers a value, or throws `onTimeout()` after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, onTimeout: () => WharfError): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw onTimeout();
    await sleep(50);
  }
}

/** Stops a server by pid with its clean-shutdown signal and waits until it is gone. */
export async function stopPid(pid: number, command: string, signal: NodeJS.Signals, timeoutMs = 60_000): Promise<void> {
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  await waitFor(() => (isRunning(pid, command) ? undefined : true), timeoutMs, () =>
    new WharfError('INTERNAL', `${command} (pid ${pid}) did not stop within ${timeoutMs} ms`),
  );
}
