import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { hostIdleCpuGroup } from './cpu-idle-group.js';
import { lowerGroup, sessionNiceness, setSessionNiceness } from './priority.js';
import { readStat } from './proc-table.js';
import { AUTOGROUPS, processGroups } from './testing/fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('session priority', { skip: !AUTOGROUPS && 'no autogroups in this kernel' }, () => {
  const { start } = processGroups();
  const session = (): number => start('sleep', ['30']);

  it('lowers a session and raises it again', async () => {
    // undefined when the runner itself sits in the root autogroup, as under a CI's init
    const own = sessionNiceness(process.pid);
    const pid = session();
    assert.equal(sessionNiceness(pid), 0, 'a new session starts at 0');
    assert.equal(await setSessionNiceness(pid, 10), true);
    assert.equal(sessionNiceness(pid), 10);
    assert.equal(await setSessionNiceness(pid, 0), true);
    assert.equal(sessionNiceness(pid), 0);
    assert.equal(sessionNiceness(process.pid), own, 'our own session is not touched');
  });

  it('says false for a process that is gone', async () => {
    const child = spawn('true', { detached: true, stdio: 'ignore' });
    await new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 50)); // reaped
    assert.equal(await setSessionNiceness(child.pid!, 10), false);
    assert.equal(sessionNiceness(child.pid!), undefined);
  });

  // The kernel lets an unprivileged writer change one autogroup per 100 ms system-wide: a
  // daemon that is not root lowers a burst of new instances, and raises each one right after
  // its gate, through that limit. Run as nobody, on a copy of the built module.
  it('gets a burst of writes through the kernel\'s limit on unprivileged writers', { skip: process.getuid?.() !== 0 && 'needs root to run as another user' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-priority-'));
    try {
      chmodSync(dir, 0o755);
      mkdirSync(join(dir, 'runtime'), { mode: 0o755 });
      for (const f of ['priority.js', 'cpu-idle-group.js', 'proc-table.js']) copyFileSync(join(here, f), join(dir, 'runtime', f));
      copyFileSync(join(here, '..', 'defaults.js'), join(dir, 'defaults.js'));
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
      writeFileSync(
        join(dir, 'burst.js'),
        `import { spawn } from 'node:child_process';
import { sessionNiceness, setSessionNiceness } from './runtime/priority.js';
const kids = [1, 2, 3].map(() => spawn('sleep', ['30'], { detached: true, stdio: 'ignore' }));
const lowered = await Promise.all(kids.map((k) => setSessionNiceness(k.pid, 10)));
const low = kids.map((k) => sessionNiceness(k.pid));
const raised = await Promise.all(kids.map((k) => setSessionNiceness(k.pid, 0)));
const high = kids.map((k) => sessionNiceness(k.pid));
for (const k of kids) process.kill(-k.pid, 'SIGKILL');
console.log(JSON.stringify({ lowered, low, raised, high }));
`,
      );
      const out = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [join(dir, 'burst.js')], { uid: 65534, gid: 65534, cwd: dir, timeout: 20_000 }, (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout))),
      );
      assert.deepEqual(JSON.parse(out), { lowered: [true, true, true], low: [10, 10, 10], raised: [true, true, true], high: [0, 0, 0] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const idle = hostIdleCpuGroup();
describe('the idle CPU group, for a lowered process\'s first seconds', { skip: !idle && 'no cpu cgroup we may create here (needs root)' }, () => {
  const { start, killAll } = processGroups();

  it('is left after its time, with the session\'s niceness kept', async () => {
    const pid = start('sleep', ['30']);
    await lowerGroup(pid, 10, false, 200);
    assert.equal(idle!.holds(pid), true);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(idle!.holds(pid), false);
    if (AUTOGROUPS) assert.equal(sessionNiceness(pid), 10, 'still lowered');
  });

  // What the time bound is for: with every CPU busy, the idle group gets next to nothing.
  // Two lowered busy loops next to one busy loop per CPU, in one run: the one that left the
  // idle group after 100 ms must have had several times the CPU of the one kept there.
  it('lets a lowered process run on a host whose CPUs are all busy', async () => {
    const spin = (): number => start(process.execPath, ['-e', 'for (;;) {}']);
    for (let i = 0; i < availableParallelism(); i++) spin();
    const kept = spin();
    const boxed = spin();
    void lowerGroup(kept, 10, false, 60_000);
    void lowerGroup(boxed, 10, false, 100);
    const ticks = (pid: number): number => readStat(pid)?.cpuTicks ?? 0;
    const before = [ticks(kept), ticks(boxed)];
    await new Promise((r) => setTimeout(r, 1_500));
    const [inIdle, left] = [ticks(kept) - before[0]!, ticks(boxed) - before[1]!];
    killAll();
    assert.ok(left >= 5 && left > 3 * inIdle, `CPU ticks in 1.5 s: ${inIdle} kept in the idle group, ${left} after leaving it`);
  });
});
