import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { cpuPolicy, setRealtime } from './realtime.js';
import { realtimeAllowed } from './testing/fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = process.getuid?.() === 0;
const ALLOWED = await realtimeAllowed();

/** A Node process that starts a worker thread when told to on stdin, and says so. */
function nodeWithLateThread(): { child: ChildProcess; startThread: () => Promise<void> } {
  const child = spawn(process.execPath, ['-e', `
    const { Worker } = require('node:worker_threads');
    process.stdin.once('data', () => new Worker('setInterval(() => {}, 1000)', { eval: true }).once('online', () => console.log('started')));
    setInterval(() => {}, 1000);
  `], { detached: true, stdio: ['pipe', 'pipe', 'ignore'] });
  const startThread = () =>
    new Promise<void>((resolve) => {
      child.stdout!.once('data', () => resolve());
      child.stdin!.write('go\n');
    });
  return { child, startThread };
}

const threads = (pid: number): number[] => readdirSync(`/proc/${pid}/task`).map(Number);

describe('real-time priority for the router', () => {
  const children: ChildProcess[] = [];
  after(() => children.forEach((c) => c.kill('SIGKILL')));

  it('puts the main thread alone in SCHED_FIFO; threads started later stay normal', { skip: !ALLOWED && 'needs CAP_SYS_NICE and two CPUs' }, async () => {
    const { child, startThread } = nodeWithLateThread();
    children.push(child);
    await new Promise((r) => setTimeout(r, 300)); // node's own threads are up
    const before = threads(child.pid!);
    assert.deepEqual(await setRealtime(child.pid!, true, 2), { ok: true });
    await startThread();
    const later = threads(child.pid!).filter((t) => !before.includes(t));
    assert.ok(later.length > 0, 'the worker thread started after');
    assert.equal(cpuPolicy(child.pid!), 'fifo');
    for (const tid of threads(child.pid!).filter((t) => t !== child.pid)) assert.equal(cpuPolicy(child.pid!, tid), 'normal', `thread ${tid}`);
    assert.deepEqual(await setRealtime(child.pid!, false, 2), { ok: true });
    assert.equal(cpuPolicy(child.pid!), 'normal', 'and back');
  });

  it('is not asked for where the process may use one CPU only', async () => {
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    children.push(child);
    const outcome = await setRealtime(child.pid!, true, 1);
    assert.equal(outcome.ok, false);
    assert.match(!outcome.ok ? outcome.reason : '', /one CPU/);
    assert.equal(cpuPolicy(child.pid!), 'normal');
  });

  it('says what is missing when the daemon may not set it', { skip: (!ROOT && 'needs root to run as another user') || (availableParallelism() < 2 && 'one CPU') }, async () => {
    // Run as nobody, on a copy of the built module: an unprivileged daemon.
    const dir = mkdtempSync(join(tmpdir(), 'wharf-realtime-'));
    try {
      chmodSync(dir, 0o755);
      mkdirSync(join(dir, 'runtime'), { mode: 0o755 });
      copyFileSync(join(here, 'realtime.js'), join(dir, 'runtime', 'realtime.js'));
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
      writeFileSync(
        join(dir, 'try.js'),
        `import { spawn } from 'node:child_process';
import { cpuPolicy, setRealtime } from './runtime/realtime.js';
const kid = spawn('sleep', ['30'], { stdio: 'ignore' });
const outcome = await setRealtime(kid.pid, true);
console.log(JSON.stringify({ outcome, policy: cpuPolicy(kid.pid) }));
kid.kill();
`,
      );
      const out = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [join(dir, 'try.js')], { uid: 65534, gid: 65534, cwd: dir, timeout: 20_000 }, (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout))),
      );
      assert.deepEqual(JSON.parse(out), { outcome: { ok: false, reason: 'a real-time policy needs root, CAP_SYS_NICE or an RLIMIT_RTPRIO of 1' }, policy: 'normal' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads no policy for a process that is gone', async () => {
    const child = spawn('true', { stdio: 'ignore' });
    await new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(cpuPolicy(child.pid!), undefined);
  });
});
