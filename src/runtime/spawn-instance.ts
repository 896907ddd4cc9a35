/**
 * Spawning one instance process: `/bin/sh -c COMMAND` in the build directory, in its own
 * session and process group (detached: setsid(2)), with stdout and stderr going straight
 * into the instance's raw log file opened O_APPEND. The daemon keeps no pipe to it, so the
 * process outlives the daemon and never blocks on its output while the daemon is down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WharfError } from '../errors.js';
import type { InstanceSpec } from './driver.js';
import { META_FILE, rawPath, type LogMeta } from './log-line.js';
import { shellArgs } from './shell-command.js';
import type { Identity } from './app-user.js';

/**
 * PATH when the release sets none: the system directories plus the one holding the Node that
 * runs Wharf. Never the daemon's own PATH: under root it names directories like /root/.local
 * that the app user cannot search, which turns "command not found" into "permission denied".
 */
export const DEFAULT_INSTANCE_PATH = [dirname(process.execPath), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']
  .filter((d, i, all) => all.indexOf(d) === i)
  .join(':');

/** Set in every instance's environment: lets an operator (and the tests) find our processes. */
export const INSTANCE_ENV = 'WHARF_INSTANCE';

export interface Spawned {
  child: ChildProcess;
  pid: number;
}

/** Rejects a spec that cannot start before anything is spawned. */
export function checkSpec(spec: InstanceSpec): void {
  let isDir = false;
  try {
    isDir = statSync(spec.cwd).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) {
    throw new WharfError('BAD_REQUEST', `instance ${spec.id}: build directory ${spec.cwd} does not exist`, {
      hint: 'build the release again (`wharf deploy`)',
    });
  }
  if (spec.command.trim() === '') throw new WharfError('BAD_REQUEST', `instance ${spec.id}: empty command`);
}

/** Creates the log directory and its metadata, so readers can tag lines without the store. */
export function prepareLogDir(spec: InstanceSpec): void {
  mkdirSync(spec.logDir, { recursive: true, mode: 0o750 });
  const meta: LogMeta = { id: spec.id, app: spec.app, env: spec.env, service: spec.service, release: spec.release };
  writeFileSync(join(spec.logDir, META_FILE), JSON.stringify(meta) + '\n');
}

export function instanceEnv(spec: Pick<InstanceSpec, 'id' | 'vars' | 'port'>): Record<string, string> {
  const env: Record<string, string> = { ...spec.vars };
  env.PATH ??= DEFAULT_INSTANCE_PATH;
  if (spec.port !== undefined) env.PORT = String(spec.port);
  env[INSTANCE_ENV] = spec.id;
  return env;
}

/** Spawns the instance. Throws (spawn-failed) only when the kernel refuses; a bad command exits 127. */
export function spawnInstance(spec: InstanceSpec, identity: Identity | undefined): Promise<Spawned> {
  const fd = openSync(rawPath(spec.logDir), 'a', 0o640);
  let child: ChildProcess;
  try {
    child = spawn('/bin/sh', shellArgs(spec.command), {
      cwd: spec.cwd,
      env: instanceEnv(spec),
      detached: true,
      stdio: ['ignore', fd, fd],
      ...(identity ? { uid: identity.uid, gid: identity.gid } : {}),
    });
  } finally {
    closeSync(fd); // the child holds its own copy
  }
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve({ child, pid: child.pid! }));
    child.once('error', (e) => reject(new WharfError('BAD_REQUEST', `instance ${spec.id} could not be spawned: ${e.message}`, { cause: e })));
  });
}
