/**
 * A process that applies a spec and kills itself with SIGKILL after N resource changes, so a
 * test can check that the next apply converges. Args: STATE_FILE SPEC_FILE KILL_AFTER.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { desiredState } from '../../plan/desired.js';
import { compileText } from '../../spec/testing.js';
import { SqliteStore } from '../../state/sqlite/sqlite-store.js';
import { processIsAlive } from '../../runtime/proc-table.js';
import { Applier } from '../applier.js';
import type { Target } from '../target.js';

const [stateFile, specFile, killAfter] = process.argv.slice(2) as [string, string, string];
const compiled = compileText(readFileSync(specFile, 'utf8'));
if (!compiled.ok) throw new Error('invalid spec');
let done = 0;
const dying: Target = {
  name: 'dying',
  async apply() {
    if (++done > Number(killAfter)) process.kill(process.pid, 'SIGKILL');
  },
};
const store = SqliteStore.open(stateFile);
const applier = new Applier(store, dying, { pid: process.pid, hostname: hostname(), isAlive: processIsAlive, now: Date.now });
await applier.apply({ desired: desiredState(compiled.app.environments.get('production')!), by: { actor: 'child', client: 'test' } });
