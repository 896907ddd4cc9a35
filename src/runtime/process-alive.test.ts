import { processIsAlive } from './proc-table.js';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';

describe('processIsAlive', () => {
  it('says a running process is alive and a gone one is not', async () => {
    assert.equal(processIsAlive(process.pid), true);
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    assert.equal(processIsAlive(pid), false);
  });

  it('says a zombie (dead, not yet reaped by its parent) is not alive', async () => {
    // The parent ignores its child's exit (no wait), as a non-reaping PID 1 does with orphans.
    const parent = spawn('/bin/sh', ['-c', 'sleep 0.1 & exec sleep 30'], { stdio: 'ignore' });
    try {
      const { execFileSync } = await import('node:child_process');
      const deadline = Date.now() + 5_000;
      let zombie: number | undefined;
      while (zombie === undefined && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        const out = execFileSync('ps', ['-o', 'pid=,stat=', '--ppid', String(parent.pid)], { encoding: 'utf8' }).trim();
        const m = /^(\d+)\s+Z/m.exec(out);
        if (m) zombie = Number(m[1]);
      }
      assert.ok(zombie, 'the child became a zombie');
      assert.equal(processIsAlive(zombie), false);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
