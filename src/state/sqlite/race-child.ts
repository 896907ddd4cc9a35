/**
 * One side of the cross-process race in race.test.ts, run as a real child process.
 *
 *   node race-child.js FILE NAME ROUNDS
 *
 * Two barriers, so that both sides race at both stages:
 *   says `ready`, waits for `open`: opens (so creates and migrates) the store and records
 *   shop/production; says `opened`, waits for `run`: for each round tries to take lock
 *   `race` (and, when it does, records an enter and an exit event and releases it) and
 *   creates a release of shop/production. Then prints one JSON line with what it got.
 */
import { createInterface } from 'node:readline';
import { SqliteStore } from './sqlite-store.js';

const [file, name, roundsArg] = process.argv.slice(2);
if (file === undefined || name === undefined || roundsArg === undefined) {
  process.stderr.write('usage: race-child FILE NAME ROUNDS\n');
  process.exit(64);
}

const commands = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
/** Says `said`, then waits until the parent writes `word`. */
async function barrier(said: string, word: string): Promise<void> {
  process.stdout.write(`${said}\n`);
  for (let next = await commands.next(); !next.done; next = await commands.next()) if (next.value === word) return;
  throw new Error(`stdin closed before "${word}"`);
}

await barrier('ready', 'open');
const store = SqliteStore.open(file);
await store.ensureApp('shop', 0);
await store.ensureEnvironment({ app: 'shop', name: 'production', createdAt: 0 });

await barrier('opened', 'run');
let won = 0;
const lostTo: string[] = [];
const versions: number[] = [];
for (let i = 0; i < Number(roundsArg); i++) {
  const token = `${name}-${i}`;
  const result = await store.acquireLock({ scope: 'race', token, holder: name, operation: 'race', pid: process.pid, hostname: 'race', acquiredAt: i });
  if (result.acquired) {
    // The critical section: two events that must never interleave with the other side's.
    await store.appendEvent({ time: i, app: 'shop', kind: 'race.enter', message: name });
    await store.appendEvent({ time: i, app: 'shop', kind: 'race.exit', message: name });
    if (!(await store.releaseLock('race', token))) throw new Error(`${name} lost a lock it held`);
    won++;
  } else {
    lostTo.push(result.heldBy.holder);
  }
  const release = await store.createRelease(
    { app: 'shop', env: 'production', buildId: token, configVersion: 1, spec: {}, description: name },
    i,
  );
  versions.push(release.version);
}
await store.close();
process.stdout.write(`${JSON.stringify({ won, lostTo, versions })}\n`);
process.exit(0);
