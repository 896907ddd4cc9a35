/**
 * Zero-downtime restart by socket hand-off. Node 20 has no SO_REUSEPORT, so the running
 * router passes its listening sockets to a new router process over an IPC channel
 * (`child.send(msg, server)` shares the listening descriptor). Steps, each waited for:
 *
 *   old                                   new (started with --handoff)
 *   spawn ───────────────────────────────▶ restores the table from disk, says `ready`
 *   send each listener ──────────────────▶ adopts it, starts accepting, says `accepting`
 *   (both accept for a moment: the kernel gives each connection to one of them)
 *   stops accepting, closes admin socket
 *   says `admin` ────────────────────────▶ binds the admin socket, says `admin-ready`
 *   answers restart with the new pid, then drains its open connections and exits
 *
 * If the new process fails before `accepting`, it is killed and the old one carries on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type net from 'node:net';
import { WharfError } from '../errors.js';
import type { ListenerName } from './listeners.js';

type Msg =
  | { type: 'ready' | 'accepting' | 'admin-ready' }
  | { type: 'failed'; message: string }
  | { type: 'listener'; name: ListenerName }
  | { type: 'listeners-done' }
  | { type: 'admin' };

const STEP_TIMEOUT_MS = 15_000;

export interface HandOffOptions {
  /** Script and arguments of the new process (without --handoff). */
  script: string;
  args: readonly string[];
  listeners: [ListenerName, net.Server][];
  /** Runs once the new process accepts: stop accepting and release the admin socket. */
  release: () => Promise<void>;
}

export async function handOff(o: HandOffOptions): Promise<{ pid: number }> {
  const child = spawn(process.execPath, [...process.execArgv, o.script, ...o.args, '--handoff'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true, // its own process group: it must outlive us
  });
  try {
    await expect(child, 'ready');
    for (const [name, server] of o.listeners) await send(child, { type: 'listener', name }, server);
    await send(child, { type: 'listeners-done' });
    await expect(child, 'accepting');
  } catch (e) {
    child.kill('SIGKILL');
    throw new WharfError('INTERNAL', `router hand-off failed: ${(e as Error).message}`, { cause: e, hint: 'the running router keeps serving' });
  }
  await o.release();
  await send(child, { type: 'admin' });
  await expect(child, 'admin-ready');
  child.disconnect();
  child.unref();
  return { pid: child.pid! };
}

/** The new process's side: receive listeners until told they are all sent. */
export function receiveListeners(adopt: (name: ListenerName, server: net.Server) => void): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (m: Msg, handle: unknown): void => {
      if (m.type === 'listener') adopt(m.name, handle as net.Server);
      if (m.type === 'listeners-done') {
        process.off('message', onMessage);
        resolve();
      }
    };
    process.on('message', onMessage);
    tell({ type: 'ready' });
  });
}

/** The new process waits for the old one to release the admin socket. */
export function waitForAdminTurn(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (m: Msg): void => {
      if (m.type !== 'admin') return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
  });
}

export function tell(m: Msg): void {
  process.send?.(m);
}

export function finishHandOff(): void {
  tell({ type: 'admin-ready' });
  process.disconnect?.();
}

function send(child: ChildProcess, m: Msg, handle?: net.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    const cb = (e: Error | null): void => (e ? reject(e) : resolve());
    if (handle === undefined) child.send(m, cb);
    else child.send(m, handle, cb);
  });
}

function expect(child: ChildProcess, type: Msg['type']): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    const onMessage = (m: Msg): void => {
      if (m.type === type) done();
      else if (m.type === 'failed') done(new Error(m.message));
    };
    const onExit = (code: number | null): void => done(new Error(`new router exited (${code}) before ${type}`));
    const timer = setTimeout(() => done(new Error(`new router did not reach ${type} in ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
