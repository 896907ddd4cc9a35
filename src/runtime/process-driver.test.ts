import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { runDriverContract } from './driver-contract.js';
import { SAMPLE_CHANNEL_NAME, type InstanceSample } from './group-sampler.js';
import type { InstanceSpec } from './driver.js';
import { logPath } from './log-line.js';
import { logFiles, readLogs } from './log-reader.js';
import { groupMembers, readStat } from './proc-table.js';
import { hostIdleCpuGroup } from './cpu-idle-group.js';
import { sessionNiceness } from './priority.js';
import { ProcessDriver, type ProcessDriverOptions } from './process-driver.js';
import type { RestartPolicy } from './restart-policy.js';
import { AUTOGROUPS, freePort, httpGet, instancePids, makeAppDir, removeDir, shutDown, specFor, waitFor } from './testing/fixtures.js';

/** Restarts within a tenth of a second, so crash tests stay quick. */
export const FAST_RESTARTS: RestartPolicy = { baseMs: 50, maxMs: 400, crashLoopThreshold: 3, stableAfterMs: 30_000 };

runDriverContract('process driver', (listener) => new ProcessDriver({ listener, restartPolicy: FAST_RESTARTS, sampleMs: 200, logPollMs: 50 }));

describe('process driver', () => {
  const prefix = `pd-${process.pid}-`;
  let dir: string;
  let driver: ProcessDriver;
  let n = 0;
  const problems: string[] = [];
  const spec = (command: string, extra: Partial<InstanceSpec> = {}): InstanceSpec => specFor(dir, `${prefix}${++n}`, command, extra);
  const make = (options: ProcessDriverOptions = {}): ProcessDriver =>
    new ProcessDriver({ restartPolicy: FAST_RESTARTS, sampleMs: 200, logPollMs: 50, listener: { onTransition() {}, onProblem: (_id, p) => problems.push(p) }, ...options });

  before(() => {
    dir = makeAppDir();
  });
  afterEach(() => shutDown(driver, prefix));
  after(() => removeDir(dir));

  it('stops the whole process group, children that ignore SIGTERM included', async () => {
    driver = make();
    const s = spec('node forker.js', { stopTimeoutMs: 300 });
    const { pid } = await driver.start(s);
    const line = await waitFor('the children', () => readLogs({ dirs: [s.logDir] }).find((l) => l.text.startsWith('children ')));
    const kids = line.text.split(' ').slice(1).map(Number);
    await waitFor('both children to ignore SIGTERM', () => readLogs({ dirs: [s.logDir] }).filter((l) => l.text === 'child ready').length === 2);
    assert.equal(kids.length, 2);
    assert.ok(groupMembers(pid!).length >= 3);
    const stopped = await driver.stop(s.id);
    assert.equal(stopped?.reason, 'killed-after-stop-timeout');
    assert.deepEqual(groupMembers(pid!), []);
    // Gone, or a zombie that init has not reaped yet (it runs nothing either).
    for (const k of kids) assert.equal(readStat(k), undefined, `child ${k} still runs`);
  });

  it('timestamps the output into the instance log, which survives a restart of the instance', async () => {
    driver = make();
    const s = spec('echo "run $GREETING"; sleep 0.3; exit 1');
    await driver.start(s);
    await waitFor('two runs in the log', () => readLogs({ dirs: [s.logDir] }).filter((l) => l.text === 'run hello').length >= 2);
    const lines = readLogs({ dirs: [s.logDir] });
    assert.equal(lines[0]?.instance, s.id);
    assert.equal(lines[0]?.service, 'web');
    assert.ok(Math.abs(lines[0]!.time - Date.now()) < 60_000);
  });

  it('restarts an instance above its memory limit with reason memory-limit, and samples its RSS and CPU', async () => {
    const seen: string[] = [];
    driver = make({ listener: { onTransition: (_id, _f, to, reason) => seen.push(`${to}:${reason}`) } });
    const s = spec('node hog.js', { memoryLimitBytes: 150 * 1024 * 1024 });
    await driver.start(s);
    await waitFor('an RSS sample', () => (driver.inspect(s.id)?.rssBytes ?? 0) > 0);
    await waitFor('a memory-limit crash', () => seen.some((x) => x === 'crashed:memory-limit'), 20_000);
    const cpu = driver.inspect(s.id)?.cpuPercent;
    assert.ok(cpu === undefined || cpu >= 0);
  });

  it("keeps a chatty app's log within the rotation bound", async () => {
    driver = make({ logMaxBytes: 64 * 1024, logMaxFiles: 3 });
    const s = spec('node chatty.js');
    await driver.start(s);
    await waitFor('three rotated files', () => logFiles(s.logDir).length === 3);
    await new Promise((r) => setTimeout(r, 500));
    const total = logFiles(s.logDir).reduce((sum, f) => sum + readFileSync(f).length, 0);
    assert.ok(total <= 3 * 64 * 1024, `logs hold ${total} bytes`);
    assert.equal(logFiles(s.logDir).length, 3);
  });

  it('rejects a build directory that does not exist before spawning anything', async () => {
    driver = make();
    await assert.rejects(driver.start(spec('true', { cwd: '/nonexistent/wharf' })), { code: 'BAD_REQUEST' });
  });

  it("moves a running instance to healthy and back on the health gate's verdicts", async () => {
    driver = make();
    const port = await freePort();
    const s = spec('node server.js', { port, portWaitMs: 10_000 });
    await driver.start(s);
    driver.markHealth(s.id, true);
    assert.equal(driver.inspect(s.id)?.state, 'healthy');
    driver.markHealth(s.id, false);
    assert.equal(driver.inspect(s.id)?.state, 'unhealthy');
    assert.equal(await httpGet(port), 'ok');
  });

  it('boots an instance at its boot niceness and raises it to 0 before it becomes healthy', { skip: !AUTOGROUPS && 'no autogroups in this kernel' }, async () => {
    // Where this host lets us create one (root), the boot also runs in the idle CPU group.
    const idle = hostIdleCpuGroup();
    let atHealthy: { niceness: number | undefined; idle: boolean | undefined } | undefined;
    driver = make({ listener: { onTransition: (_id, _from, to) => void (to === 'healthy' && (atHealthy = { niceness: sessionNiceness(pid!), idle: idle?.holds(pid!) })) } });
    const port = await freePort();
    const s = spec('node server.js', { port, portWaitMs: 10_000, bootNiceness: 10 });
    const { pid } = await driver.start(s);
    await waitFor('its session at niceness 10', () => sessionNiceness(pid!) === 10);
    if (idle) assert.equal(idle.holds(pid!), true, 'booting in the idle CPU group');
    await driver.markHealth(s.id, true);
    assert.deepEqual(atHealthy, { niceness: 0, idle: idle ? false : undefined }, 'raised before it became healthy (and entered the router\'s table)');
    assert.equal(driver.inspect(s.id)?.state, 'healthy');
    const plain = await driver.start(spec('node server.js', { port: await freePort(), portWaitMs: 10_000 }));
    assert.equal(sessionNiceness(plain.pid!), 0, 'no boot niceness: it runs at 0 from the start');
    assert.equal(idle?.holds(plain.pid!) ?? false, false);
  });

  it('boots an instance with no health gate for its boot window, at every start, then raises it', { skip: !AUTOGROUPS && 'no autogroups in this kernel' }, async () => {
    driver = make();
    const s = spec('sleep 30', { bootNiceness: 10, bootWindowMs: 600 });
    const { pid } = await driver.start(s);
    await waitFor('its session at niceness 10', () => sessionNiceness(pid!) === 10);
    const idle = hostIdleCpuGroup();
    if (idle) assert.equal(idle.holds(pid!), true, 'booting in the idle CPU group');
    await waitFor('raised at the end of its boot window', () => sessionNiceness(pid!) === 0 && !idle?.holds(pid!));
    process.kill(pid!, 'SIGKILL');
    const again = await waitFor('restarted', () => {
      const p = driver.inspect(s.id)?.pid;
      return p !== undefined && p !== pid && driver.inspect(s.id)?.state === 'running' ? p : undefined;
    });
    await waitFor('the restart boots at niceness 10', () => sessionNiceness(again) === 10);
    await waitFor('and is raised again', () => sessionNiceness(again) === 0 && !idle?.holds(again));
    assert.equal(driver.inspect(s.id)?.state, 'running');
  });

  it('never mistakes a reused pid for the recorded instance', async () => {
    driver = make();
    const s = spec('sleep 30');
    const me = readStat(process.pid)!;
    const result = await driver.recover([{ spec: s, state: 'running', pid: process.pid, pidStartTime: me.startTime + 1 }]);
    assert.deepEqual(result.dead, [{ id: s.id, reason: 'pid-reused' }]);
    assert.deepEqual(result.adopted, []);
  });

  it('leaves nothing running when stopped while it is still starting', async () => {
    driver = make();
    const s = spec('node server.js', { port: await freePort(), portWaitMs: 10_000 });
    const starting = driver.start(s);
    const stopped = await driver.stop(s.id);
    await starting;
    assert.equal(stopped?.state, 'stopped');
    assert.equal(driver.inspect(s.id)?.state, 'stopped');
    await waitFor('no process of it left', () => instancePids(s.id).length === 0);
  });

  it('publishes each instance\u2019s CPU and RSS samples for the autoscaler', async () => {
    driver = make();
    const samples: InstanceSample[] = [];
    const onSample = (m: unknown): void => void samples.push(m as InstanceSample);
    subscribe(SAMPLE_CHANNEL_NAME, onSample);
    try {
      const s = spec('node ignore-term.js');
      await driver.start(s);
      const two = await waitFor('two samples', () => {
        const mine = samples.filter((x) => x.id === s.id);
        return mine.length >= 2 ? mine : undefined;
      });
      assert.equal(two[1]!.service, 'web');
      assert.ok(two[1]!.rssBytes > 1024 * 1024, `rss ${two[1]!.rssBytes}`);
      assert.equal(typeof two[1]!.cpuPercent, 'number');
      assert.deepEqual(driver.inspect(s.id)?.rssBytes !== undefined, true);
    } finally {
      unsubscribe(SAMPLE_CHANNEL_NAME, onSample);
    }
  });

  it('leaves instances running when it detaches, for the next driver to recover', async () => {
    const first = make();
    const s = spec('node ignore-term.js');
    const { pid, pidStartTime } = await first.start(s);
    await waitFor('its SIGTERM handler', () => readLogs({ dirs: [s.logDir] }).some((l) => l.text === 'started'));
    await first.detach();
    assert.equal(readStat(pid!)?.startTime, pidStartTime);
    driver = make();
    const result = await driver.recover([{ spec: s, state: 'running', pid, pidStartTime }]);
    assert.equal(result.adopted[0]?.pid, pid);
    assert.equal(result.adopted[0]?.adopted, true);
    const stopped = await driver.stop(s.id, { timeoutMs: 200 });
    assert.equal(stopped?.reason, 'killed-after-stop-timeout');
    assert.equal(readStat(pid!), undefined);
  });

  it('raises an adopted instance still at boot priority once it is healthy, and keeps a booting one low until then', { skip: !AUTOGROUPS && 'no autogroups in this kernel' }, async () => {
    // The previous daemon stopped between the spawn and the raise after the gate.
    const first = make();
    const idle = hostIdleCpuGroup();
    const healthy = spec('sleep 30', { bootNiceness: 10 });
    const booting = spec('sleep 30', { bootNiceness: 10 });
    const a = await first.start(healthy);
    const b = await first.start(booting);
    await waitFor('both at niceness 10', () => sessionNiceness(a.pid!) === 10 && sessionNiceness(b.pid!) === 10);
    await first.detach();
    driver = make();
    await driver.recover([
      { spec: healthy, state: 'healthy', pid: a.pid, pidStartTime: a.pidStartTime },
      { spec: booting, state: 'running', pid: b.pid, pidStartTime: b.pidStartTime },
    ]);
    await waitFor('the healthy one raised', () => sessionNiceness(a.pid!) === 0 && !idle?.holds(a.pid!));
    assert.equal(sessionNiceness(b.pid!), 10, 'the booting one waits for its gate');
    if (idle) assert.equal(idle.holds(b.pid!), true);
    await driver.markHealth(booting.id, true);
    assert.equal(sessionNiceness(b.pid!), 0);
    assert.equal(idle?.holds(b.pid!) ?? false, false);
  });

  it('reports a full disk while writing logs and keeps supervising', async () => {
    const reported: string[] = [];
    driver = make({ listener: { onTransition() {}, onProblem: (id, problem) => reported.push(`${id} ${problem}`) } });
    const s = spec('echo one; sleep 0.2; echo two; sleep 30');
    mkdirSync(s.logDir, { recursive: true });
    symlinkSync('/dev/full', logPath(s.logDir)); // every write to the rotated log fails with ENOSPC
    await driver.start(s);
    await waitFor('the report', () => reported.includes(`${s.id} log-write-failed`));
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(reported.length, 1, 'reported once, not per line');
    assert.equal(driver.inspect(s.id)?.state, 'running');
  });

  it('finishes the stop of an instance a previous driver was draining', async () => {
    const first = make();
    const s = spec('node ignore-term.js', { stopTimeoutMs: 200 });
    const { pid, pidStartTime } = await first.start(s);
    await first.detach();
    const transitions: string[] = [];
    driver = make({ listener: { onTransition: (_id, from, to) => transitions.push(`${from}>${to}`) } });
    const result = await driver.recover([{ spec: s, state: 'draining', pid, pidStartTime }]);
    assert.equal(result.adopted[0]?.state, 'draining');
    await waitFor('the stop to finish', () => driver.inspect(s.id)?.state === 'stopped');
    assert.deepEqual(transitions, ['draining>stopped']);
    assert.equal(readStat(pid!), undefined);
  });
});
