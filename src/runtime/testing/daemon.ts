/**
 * A stand-in daemon for the re-adoption test: a real, separate process that uses the
 * process driver the way the Wharf daemon does, so the test can kill -9 it.
 *
 *   node daemon.js start   STATE_FILE SPECS_FILE   start the specs, record them
 *   node daemon.js recover STATE_FILE              re-adopt what STATE_FILE records
 *
 * It records every instance (spec, state, pid, start time) in STATE_FILE after each
 * transition — the Wharf daemon records the same in its store — and writes the result of
 * recover() to STATE_FILE.recovered.json. SIGTERM detaches and exits, leaving instances up.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { InstanceSpec, RecordedInstance, RecoverResult } from '../driver.js';
import { ProcessDriver } from '../process-driver.js';

const [mode, stateFile, specsFile] = process.argv.slice(2);
if (!stateFile || (mode !== 'start' && mode !== 'recover')) {
  process.stderr.write('usage: daemon.js start|recover STATE_FILE [SPECS_FILE]\n');
  process.exit(2);
}

const specs = new Map<string, InstanceSpec>();
const driver = new ProcessDriver({
  restartPolicy: { baseMs: 50, maxMs: 400, crashLoopThreshold: 5, stableAfterMs: 30_000 },
  sampleMs: 200,
  logPollMs: 50,
  listener: { onTransition: () => record() },
});

/** Atomically replaces the state file, like a store transaction. */
function record(): void {
  const records: RecordedInstance[] = [];
  for (const [id, spec] of specs) {
    const s = driver.inspect(id);
    if (s) records.push({ spec, state: s.state, pid: s.pid, pidStartTime: s.pidStartTime, restarts: s.restarts });
  }
  writeFileSync(`${stateFile}.tmp`, JSON.stringify({ daemon: process.pid, records }));
  renameSync(`${stateFile}.tmp`, stateFile!);
}

async function main(): Promise<void> {
  if (mode === 'start') {
    const list = JSON.parse(readFileSync(specsFile!, 'utf8')) as InstanceSpec[];
    for (const spec of list) {
      specs.set(spec.id, spec);
      await driver.start(spec);
    }
  } else {
    const { records } = JSON.parse(readFileSync(stateFile!, 'utf8')) as { records: RecordedInstance[] };
    for (const r of records) specs.set(r.spec.id, r.spec);
    const result: RecoverResult = await driver.recover(records);
    // Written whole or not at all (temp + rename): the test polls for this file.
    writeFileSync(`${stateFile}.recovered.json.tmp`, JSON.stringify(result));
    renameSync(`${stateFile}.recovered.json.tmp`, `${stateFile}.recovered.json`);
  }
  record();
}

process.on('SIGTERM', () => {
  void driver.detach().then(() => process.exit(0));
});

main().catch((e: unknown) => {
  process.stderr.write(`daemon failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
