import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS } from './migrations.js';
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

interface Side {
  child: ChildProcess;
  /** Resolves when the child has said `word`. */
  said: (word: string) => Promise<void>;
  outcome: Promise<Outcome>;
}

/** Starts a race child; it runs each stage when told (see race-child.ts). */
function start(file: string, name: string): Side {
  const child = spawn(process.execPath, [CHILD, file, name, String(ROUNDS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const signals = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  const signal = (word: string) => {
    let found = signals.get(word);
    if (found === undefined) {
      let resolve: () => void = () => {};
      const promise = new Promise<void>((r) => (resolve = r));
      found = { promise, resolve };
      signals.set(word, found);
    }
    return found;
  };
  let result: Outcome | undefined;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('{')) result = JSON.parse(line) as Outcome;
    else signal(line).resolve();
  });
  const outcome = new Promise<Outcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`${name} exited with ${code}`))));
  });
  return { child, said: (word) => signal(word).promise, outcome };
}

/** Waits until every side has said `word` (or one has died), then tells them all `next`. */
async function stage(sides: Side[], word: string, next: string): Promise<void> {
  await Promise.race([Promise.all(sides.map((s) => s.said(word))), Promise.all(sides.map((s) => s.outcome))]);
  for (const side of sides) side.child.stdin!.write(`${next}\n`);
}

describe('two processes racing on one state file', () => {
  it('create the file once, never both hold the lock, and number their releases without a gap or a clash', async (t) => {
    const diagnostic = (message: string) => t.diagnostic(message);
    // No file yet: creating and migrating it is part of the race.
    const file = join(root, 'state.db');

    const sides = [start(file, 'left'), start(file, 'right')];
    try {
      await stage(sides, 'ready', 'open');
      await stage(sides, 'opened', 'run');
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
        assert.equal(check.settings().schemaVersion, MIGRATIONS.length);
        assert.equal((await check.listEnvironments('shop')).length, 1);
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
