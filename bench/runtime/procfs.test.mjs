import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { bootTimeMs, cpuSeconds, isAlive, isSameProcess, memory, startTicks, startedAtMs } from './procfs.mjs';

async function withChild(fn) {
  const before = Date.now();
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await once(child, 'spawn');
  try {
    await fn(child, before);
  } finally {
    child.kill('SIGKILL');
    await once(child, 'exit').catch(() => {});
  }
}

describe('procfs', () => {
  it('reads the memory of a live process, with RSS at least its malloc heap', () => {
    const m = memory(process.pid);
    assert.ok(m.rss > 1024 * 1024, `rss ${m.rss}`);
    assert.ok(m.heap === undefined || m.heap <= m.rss);
    assert.ok(m.pss === undefined || m.pss <= m.rss);
  });

  it('places a child\'s start between the moments before and after it was spawned', async () => {
    await withChild(async (child, before) => {
      const at = startedAtMs(child.pid, bootTimeMs());
      // /proc/uptime and starttime both tick at 10 ms: allow a few ticks either side.
      assert.ok(at >= before - 50 && at <= Date.now() + 50, `started ${at - before} ms after spawn was called`);
      assert.ok(cpuSeconds(child.pid) >= 0);
    });
  });

  it('tells a process from a reused pid by its start ticks, and sees it go', async () => {
    let pid;
    let ticks;
    await withChild(async (child) => {
      pid = child.pid;
      ticks = startTicks(pid);
      assert.equal(isAlive(pid), true);
      assert.equal(isSameProcess(pid, ticks), true);
      assert.equal(isSameProcess(pid, ticks + 1), false);
    });
    assert.equal(isSameProcess(pid, ticks), false);
    assert.equal(memory(pid), undefined);
  });
});
