/**
 * One-off processes: `wharf run -e ENV -- COMMAND` (Heroku's `heroku run`) and the release
 * phase command that runs once before a release goes live. Same environment, directory and
 * identity as the release's instances; the output streams to the caller, who is attached
 * for the whole run — so here, unlike for instances, a pipe is the right tool.
 */
import { spawn } from 'node:child_process';
import { WharfError } from '../errors.js';
import { primaryGid, type Identity } from './app-user.js';
import { signalExitCode } from './exit-reason.js';
import { spawnBatch } from './priority.js';
import { signalGroup, stopGroup } from './process-group.js';
import { shellArgs } from './shell-command.js';
import { instanceEnv } from './spawn-instance.js';
import type { InstanceSpec } from './driver.js';

export type OneOffSpec = Pick<InstanceSpec, 'id' | 'command' | 'cwd' | 'vars' | 'port' | 'uid' | 'gid'>;

export interface OneOffOptions {
  onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
  /** Aborting stops the whole process group (SIGTERM, SIGKILL after `stopTimeoutMs`). */
  signal?: AbortSignal;
  /** @default 10_000 */
  stopTimeoutMs?: number;
  /** Identity when the spec names none (the driver's default under root). */
  identity?: Identity | undefined;
  /** Batch work (a release command, a pipeline stage): a lower CPU priority than instances. */
  batch?: boolean;
}

/** Runs the command to completion; resolves its exit status (128 + n when killed by signal n). */
export function run(spec: OneOffSpec, options: OneOffOptions = {}): Promise<number> {
  const identity = spec.uid !== undefined ? { uid: spec.uid, gid: spec.gid ?? primaryGid(spec.uid) ?? spec.uid } : options.identity;
  return new Promise((resolve, reject) => {
    const how = { cwd: spec.cwd, env: instanceEnv(spec), ...(identity ? { uid: identity.uid, gid: identity.gid } : {}) };
    // Its own session and group either way: aborting reaches everything it started.
    const child = options.batch === true ? spawnBatch('/bin/sh', shellArgs(spec.command), how) : spawn('/bin/sh', shellArgs(spec.command), { ...how, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const abort = (): void => {
      if (child.pid !== undefined) void stopGroup(child.pid, options.stopTimeoutMs ?? 10_000);
    };
    child.stdout!.on('data', (c: Buffer) => options.onOutput?.(c, 'stdout'));
    child.stderr!.on('data', (c: Buffer) => options.onOutput?.(c, 'stderr'));
    child.once('error', (e) => {
      options.signal?.removeEventListener('abort', abort);
      reject(new WharfError('BAD_REQUEST', `could not run \`${spec.command}\`: ${e.message}`, { cause: e }));
    });
    // Whatever it left running in its group goes with it: a background child holding the
    // pipes open would otherwise keep the run (and the caller) waiting.
    child.once('exit', () => {
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    });
    // 'close', not 'exit', settles the run: all output has been delivered by then.
    child.once('close', (code, sig) => {
      options.signal?.removeEventListener('abort', abort);
      resolve(sig ? signalExitCode(sig) : (code ?? 1));
    });
    if (options.signal?.aborted) abort();
    else options.signal?.addEventListener('abort', abort, { once: true });
  });
}
