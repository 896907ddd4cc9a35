/** Helpers of the end-to-end tests that drive a real daemon and real app processes. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { runWharf, type CliRun } from '../cli/testing.js';
import { killAll } from './testing/load.js';

/** The body of GET `path` on a local port. */
export function httpGet(port: number, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** Polls `probe` until it answers something other than undefined; a generous deadline, never a timed assertion. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A temp root (0711, so an unprivileged app user can pass) holding the app folder with `files`, and a data dir path. */
export function appFixture(prefix: string, files: Record<string, string>): { root: string; app: string; data: string } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  // Under root, apps run as an unprivileged user that must pass through to their builds.
  chmodSync(root, 0o711);
  const app = join(root, 'app');
  mkdirSync(app);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(app, name), text);
  return { root, app, data: join(root, 'data') };
}

/** Stops the daemon, kills every app process group in `pids` (they outlive the daemon), and removes `root`. */
export async function tearDown(root: string, data: string, pids: Iterable<number>): Promise<void> {
  await runWharf(['daemon', 'stop', '--data-dir', data]);
  killAll(pids);
  rmSync(root, { recursive: true, force: true });
}

/**
 * The CLI run in the app folder against the data dir (read when called: tests set them in
 * `before`): `wharf` answers the run, `ok` also asserts that it succeeded.
 */
export function wharfAt(where: () => { app: string; data: string }, timeoutMs = 120_000) {
  const wharf = (...args: string[]): Promise<CliRun> => runWharf([...args, '--data-dir', where().data], { cwd: where().app, timeoutMs });
  const ok = async (...args: string[]): Promise<CliRun> => {
    const r = await wharf(...args);
    assert.equal(r.code, 0, `wharf ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r;
  };
  return { wharf, ok };
}
