/**
 * Runs a build command: `/bin/sh -c COMMAND` in the build directory, in its own process
 * group, with no stdin (a build must not wait for a person). When the shell exits, whatever
 * it left running in the group is killed, so a build never leaves processes behind that
 * write into a directory about to become immutable. It runs as batch work, at a lower CPU
 * priority than the instances serving traffic (src/runtime/priority.ts).
 */
import { spawnBatch } from '../runtime/priority.js';
import type { BuildLog } from './build-log.js';

/** How long output may still arrive after the command exited (buffered in the pipes). */
const OUTPUT_DRAIN_GRACE_MS = 2_000;

export interface CommandSpec {
  command: string;
  cwd: string;
  env: Record<string, string>;
  log: BuildLog;
  signal?: AbortSignal | undefined;
  /** Run as this user and group instead of the daemon's own (needs root). */
  identity?: { uid: number; gid: number } | undefined;
}

export interface CommandOutcome {
  /** The exit code, or null when a signal ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export function runCommand(spec: CommandSpec): Promise<CommandOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawnBatch('/bin/sh', ['-c', spec.command], {
      cwd: spec.cwd,
      env: spec.env,
      ...(spec.identity === undefined ? {} : { uid: spec.identity.uid, gid: spec.identity.gid }),
    });
    const out = spec.log.lineWriter('stdout');
    const err = spec.log.lineWriter('stderr');
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    spec.signal?.addEventListener('abort', killGroup, { once: true });
    if (spec.signal?.aborted === true) killGroup();
    child.once('error', reject);
    // 'exit', not 'close': a leftover background process holding the pipes open would delay
    // 'close' for as long as it lives; killing the group ends it and closes them. One that
    // left the group (setsid) is not waited for beyond a short grace: its pipes are cut.
    child.once('exit', (exitCode, signal) => {
      killGroup();
      spec.signal?.removeEventListener('abort', killGroup);
      const grace = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, OUTPUT_DRAIN_GRACE_MS);
      let open = 2;
      const closed = (): void => {
        open -= 1;
        if (open > 0) return;
        clearTimeout(grace);
        out.flush();
        err.flush();
        resolve({ exitCode, signal });
      };
      for (const stream of [child.stdout, child.stderr]) {
        if (stream.closed) closed();
        else stream.once('close', closed);
      }
    });
  });
}
