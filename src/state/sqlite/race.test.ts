import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { seed } from '../contract/fixtures.js';
import { SqliteStore } from './sqlite-store.js';

const CHILD = fileURLToPath(new URL('./race-child.js', import.meta.url));
const ROUNDS = 150;

interface Outcome {
  won: number;
  lostTo: string[];
  versions: number[];
}

const root = mkdtempSync(join(tmpdir(), 'wharf-race-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Starts a race child and resolves once it has opened the store and waits for `go`. */
function start(file: string, name: string): { child: ChildProcess; ready: Promise<void>; outcome: Promise<Outcome> } {
  const child = spawn(process.execPath, [CHILD, file, name, String(ROUNDS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const outcome = new Promise<Outcome>((resolve, reject) => {
    let result: Outcome | undefined;
    lines.on('line', (line) => (line === 'ready' ? onReady() : (result = JSON.parse(line) as Outcome)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`${name} exited with ${code}`))));
  });
  outcome.catch(() => onReady());
  return { child, ready, outcome };
}

describe('two processes racing on one state file', () => {
  it('never lets both hold the lock at once, and number their releases without a gap or a clash', async (t) => {
    const diagnostic = (message: string) => t.diagnostic(message);
    const file = join(root, 'state.db');
    const store = SqliteStore.open(file);
    await seed(store, 'shop', 'production');
    await store.close();

    const sides = [start(file, 'left'), start(file, 'right')];
    try {
      await Promise.all(sides.map((s) => s.ready));
      for (const side of sides) side.child.stdin!.write('go\n');
      const [left, right] = await Promise.all(sides.map((s) => s.outcome));

      assert.equal(left!.won + left!.lostTo.length, ROUNDS);
      assert.equal(right!.won + right!.lostTo.length, ROUNDS);
      assert.ok(left!.lostTo.every((holder) => holder === 'right'), 'left only ever loses to right');
      assert.ok(right!.lostTo.every((holder) => holder === 'left'), 'right only ever loses to left');

      const versions = [...left!.versions, ...right!.versions].sort((a, b) => a - b);
      assert.deepEqual(versions, Array.from({ length: 2 * ROUNDS }, (_, i) => i + 1));

      const check = SqliteStore.open(file);
      try {
        // Mutual exclusion: every enter is followed by the exit of the same side.
        const trail = (await check.listEvents()).map((e) => `${e.kind} ${e.message}`);
        assert.equal(trail.length, 2 * (left!.won + right!.won));
        for (let i = 0; i < trail.length; i += 2) {
          assert.equal(trail[i + 1], trail[i]!.replace('enter', 'exit'), `critical sections overlap at event ${i}`);
        }
        assert.equal(await check.getLock('race'), undefined);
        const contended = left!.lostTo.length + right!.lostTo.length;
        diagnostic(`acquisitions refused because the other side held the lock: ${contended}`);
      } finally {
        await check.close();
      }
    } finally {
      for (const { child } of sides) if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid);
    }
  });
});
