import { processIsAlive } from '../runtime/proc-table.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiTransport } from '../client/transport.js';
import { WharfClient, type Status } from '../client/wharf-client.js';
import { dataDirPaths, type DaemonInfo } from '../daemon/paths.js';
import { DAEMON_NODE_FLAGS } from '../defaults.js';
import { isWharfError, WharfError } from '../errors.js';

const CLI_ENTRY = fileURLToPath(new URL('./main.js', import.meta.url));

export async function daemonStatus(dataDir: string): Promise<Status | undefined> {
  try {
    return await new WharfClient(new ApiTransport({ socketPath: dataDirPaths(dataDir).socket })).status();
  } catch (e) {
    if (isWharfError(e) && e.code === 'DAEMON_NOT_RUNNING') return undefined;
    throw e;
  }
}

export function readDaemonInfo(dataDir: string): DaemonInfo | undefined {
  const file = dataDirPaths(dataDir).daemonInfo;
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DaemonInfo;
  } catch {
    return undefined;
  }
}

/**
 * The daemon's status, asking again for a moment when a connection is reset: a daemon that
 * was just killed (or is just starting) can reset connections its socket had queued.
 */
async function settledStatus(dataDir: string): Promise<Status | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await daemonStatus(dataDir);
    } catch (e) {
      if (!(isWharfError(e) && e.code === 'DAEMON_UNREACHABLE') || attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * Starts the daemon in the background unless one answers on the data dir's socket: detached
 * in its own session (so it outlives this command), output appended to daemon.log.
 */
export async function ensureDaemon(dataDir: string, listen: string | undefined, http: string | undefined, timeoutMs = 20_000): Promise<{ started: boolean; status: Status }> {
  const running = await settledStatus(dataDir);
  if (running) return { started: false, status: running };
  const paths = dataDirPaths(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const log = openSync(paths.daemonLog, 'a', 0o600);
  const args = [CLI_ENTRY, 'daemon', '--data-dir', dataDir, ...(listen ? ['--listen', listen] : []), ...(http ? ['--http', http] : [])];
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, ...args], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? 1));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await daemonStatus(dataDir).catch((e: unknown) => {
      // A daemon binding its socket this moment may reset a connection: ask again.
      if (isWharfError(e) && e.code === 'DAEMON_UNREACHABLE') return undefined;
      throw e;
    });
    if (status) return { started: true, status };
    if (exited !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const tail = existsSync(paths.daemonLog) ? readFileSync(paths.daemonLog, 'utf8').trim().split('\n').slice(-5).join('\n    ') : '';
  throw new WharfError('DAEMON_NOT_RUNNING', exited !== null ? `the daemon exited (status ${exited}) as it started` : 'the daemon did not answer in time', {
    hint: `its log, ${paths.daemonLog}, ends with:\n    ${tail}`,
  });
}

/** SIGTERM to the daemon of the data dir, then waits for it to go; SIGKILL after the timeout. */
export async function stopDaemon(dataDir: string, timeoutMs = 15_000): Promise<{ pid: number; forced: boolean } | undefined> {
  const info = readDaemonInfo(dataDir);
  if (!info || !processIsAlive(info.pid)) return undefined;
  process.kill(info.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processIsAlive(info.pid)) return { pid: info.pid, forced: false };
    await new Promise((r) => setTimeout(r, 50));
  }
  process.kill(info.pid, 'SIGKILL');
  return { pid: info.pid, forced: true };
}

export const DEFAULT_ROUTER_LISTEN = '127.0.0.1:8080';

/**
 * Where the router serves: the flag (`off` for none), else where it served last time (so a
 * restarted daemon adopts its router), else the default.
 */
export function routerListen(dataDir: string, flag: string | undefined): { host: string; port: number } | undefined {
  if (flag === 'off') return undefined;
  if (flag) return parseListen(flag);
  try {
    const info = JSON.parse(readFileSync(join(dataDir, 'router.json'), 'utf8')) as { listen: { host: string; port: number } };
    return info.listen;
  } catch {
    return parseListen(DEFAULT_ROUTER_LISTEN);
  }
}

/** "127.0.0.1:7070", "[::1]:0", ":7070" (all interfaces is never the default: the token travels in clear). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65_535) throw new WharfError('USAGE', `--listen ${text}: expected HOST:PORT`, { hint: 'e.g. --listen 127.0.0.1:7070' });
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}
