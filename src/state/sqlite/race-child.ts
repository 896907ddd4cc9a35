/**
 * One side of the cross-process race in race.test.ts, run as a real child process.
 *
 *   node race-child.js FILE NAME ROUNDS
 *
 * Opens the store, says `ready`, waits for `go` on stdin so that both sides start
 * together, then for each round tries to take lock `race` (and, when it does, records
 * an enter and an exit event and releases it) and creates a release of shop/production;
 * it prints one JSON line with what it got.
 */
import { createInterface } from 'node:readline';
import { SqliteStore } from './sqlite-store.js';

const [file, name, roundsArg] = process.argv.slice(2);
if (file === undefined || name === undefined || roundsArg === undefined) {
  process.stderr.write('usage: race-child FILE NAME ROUNDS\n');
  process.exit(64);
}

const store = SqliteStore.open(file);
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const line of lines) if (line === 'go') break;
lines.close();

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
