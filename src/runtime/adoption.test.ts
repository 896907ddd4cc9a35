import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecordedInstance, RecoverResult } from './driver.js';
import { readLogs } from './log-reader.js';
import { readStat } from './proc-table.js';
import { freePort, httpGet, instancePids, killInstances, makeAppDir, removeDir, specFor, waitFor } from './testing/fixtures.js';

const DAEMON = fileURLToPath(new URL('./testing/daemon.js', import.meta.url));

interface StateFile {
  daemon: number;
  records: RecordedInstance[];
}

describe('instances outlive the daemon', () => {
  const prefix = `adopt-${process.pid}-`;
  let dir: string;
  const daemons: ChildProcess[] = [];
  const runDaemon = (...args: string[]): ChildProcess => {
    const d = spawn(process.execPath, [DAEMON, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    daemons.push(d);
    return d;
  };
  const state = (): StateFile | undefined => {
    try {
      return JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as StateFile;
    } catch {
      return undefined;
    }
  };

  before(() => {
    dir = makeAppDir();
  });
  after(() => {
    for (const d of daemons) d.kill('SIGKILL');
    killInstances(prefix);
    removeDir(dir);
  });

  it('keeps serving through a kill -9 of the daemon, and the next daemon re-adopts without duplicates or orphans', async () => {
    const port = await freePort();
    const web = specFor(dir, `${prefix}web`, 'node server.js', { port, portWaitMs: 10_000 });
    const worker = specFor(dir, `${prefix}worker`, 'node ignore-term.js', { service: 'worker' });
    writeFileSync(join(dir, 'specs.json'), JSON.stringify([web, worker]));

    const first = runDaemon('start', join(dir, 'state.json'), join(dir, 'specs.json'));
    const started = await waitFor('both instances running', () => {
      const s = state();
      return s?.records.length === 2 && s.records.every((r) => r.state === 'running') ? s : undefined;
    });
    const webPid = started.records.find((r) => r.spec.id === web.id)!.pid!;

    first.kill('SIGKILL');
    await waitFor('the daemon to die', () => first.exitCode !== null || first.signalCode !== null);
    // Served by the app alone; what it logs now is written while no daemon collects.
    assert.equal(await httpGet(port, '/while-the-daemon-is-down'), 'ok');

    runDaemon('recover', join(dir, 'state.json'));
    const recovered = await waitFor('recovery', () => existsSync(join(dir, 'state.json.recovered.json')) && (JSON.parse(readFileSync(join(dir, 'state.json.recovered.json'), 'utf8')) as RecoverResult));
    assert.deepEqual(recovered.dead, []);
    assert.deepEqual(recovered.adopted.map((a) => a.id).sort(), [web.id, worker.id].sort());
    assert.equal(recovered.adopted.find((a) => a.id === web.id)?.pid, webPid);

    // No duplicates, no orphans: every process carrying our instance ids is in an adopted group.
    const groups = new Set(instancePids(prefix).map((pid) => readStat(pid)?.pgid));
    assert.deepEqual([...groups].sort(), recovered.adopted.map((a) => a.pid).sort());

    // Nothing written while the daemon was down is lost.
    await waitFor('the request logged while down', () => readLogs({ dirs: [web.logDir] }).some((l) => l.text === 'request /while-the-daemon-is-down'));

    // The new daemon supervises for real: an adopted instance that dies is restarted.
    process.kill(-webPid, 'SIGKILL');
    const restarted = await waitFor('a restart by the new daemon', () => {
      const r = state()?.records.find((x) => x.spec.id === web.id);
      return r && r.state === 'running' && r.pid !== webPid ? r : undefined;
    });
    assert.equal(restarted.restarts, 1);
    assert.notEqual(await httpGet(port, '/whoami'), undefined);
  });
});
