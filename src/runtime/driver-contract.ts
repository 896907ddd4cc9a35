/**
 * The contract every Driver implementation passes (Hono runs one suite against all its
 * routers; Nomad has one for its drivers). Real processes, real ports, real files: an
 * implementation that runs instances elsewhere must still make these behaviours true.
 *
 * The factory must configure fast restarts (first restart well under a second) so the
 * suite stays quick; it gets the listener the suite observes transitions through.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Driver, InstanceListener, InstanceSpec } from './driver.js';
import type { InstanceState } from './lifecycle.js';
import { readLogs } from './log-reader.js';
import { freePort, httpGet, makeAppDir, removeDir, shutDown, specFor, waitFor } from './testing/fixtures.js';

export interface Transition {
  id: string;
  from: InstanceState;
  to: InstanceState;
  reason: string | undefined;
}

export function runDriverContract(name: string, factory: (listener: InstanceListener) => Driver): void {
  describe(`Driver contract: ${name}`, () => {
    const prefix = `contract-${process.pid}-`;
    let dir: string;
    let driver: Driver;
    let seen: Transition[];
    let n = 0;
    const spec = (command: string, extra: Partial<InstanceSpec> = {}): InstanceSpec => specFor(dir, `${prefix}${++n}`, command, extra);

    before(() => {
      dir = makeAppDir();
    });
    const fresh = (): void => {
      seen = [];
      driver = factory({ onTransition: (id, from, to, reason) => seen.push({ id, from, to, reason }) });
    };
    afterEach(() => shutDown(driver, prefix));
    after(() => removeDir(dir));

    it('runs the command in the build dir with PORT and the release variables, and answers on that port', async () => {
      fresh();
      const port = await freePort();
      const s = spec('node server.js', { port, portWaitMs: 10_000 });
      const status = await driver.start(s);
      assert.equal(status.state, 'running');
      assert.ok(status.pid);
      assert.equal(await httpGet(port, '/whoami') !== undefined, true);
      assert.deepEqual(seen.filter((t) => t.id === s.id).map((t) => t.to), ['starting', 'running']);
    });

    it('takes the health gate\'s verdict into the lifecycle: running → healthy ⇄ unhealthy', async () => {
      fresh();
      const port = await freePort();
      const s = spec('node server.js', { port, portWaitMs: 10_000 });
      await driver.start(s);
      driver.markHealth(s.id, true);
      assert.equal(driver.inspect(s.id)?.state, 'healthy');
      driver.markHealth(s.id, false);
      assert.equal(driver.inspect(s.id)?.state, 'unhealthy');
      driver.markHealth(s.id, true);
      assert.equal(driver.inspect(s.id)?.state, 'healthy');
      driver.markHealth('never-started', true);
      assert.equal(driver.inspect('never-started'), undefined);
      assert.deepEqual(seen.filter((t) => t.id === s.id).map((t) => t.to), ['starting', 'running', 'healthy', 'unhealthy', 'healthy']);
    });

    it('stops an instance gracefully and reports it stopped', async () => {
      fresh();
      const port = await freePort();
      const s = spec('node server.js', { port, portWaitMs: 10_000 });
      await driver.start(s);
      const stopped = await driver.stop(s.id);
      assert.equal(stopped?.state, 'stopped');
      assert.equal(stopped?.reason, 'stop-requested');
      assert.equal(await httpGet(port), undefined);
      assert.deepEqual(seen.map((t) => t.to).slice(-2), ['draining', 'stopped']);
    });

    it('refuses to start an instance id that is already running', async () => {
      fresh();
      const s = spec('sleep 30');
      await driver.start(s);
      await assert.rejects(driver.start(s), { code: 'CONFLICT' });
    });

    it('restarts a crashed instance and names the reason', async () => {
      fresh();
      const s = spec('sleep 0.2; exit 1');
      await driver.start(s);
      const crash = await waitFor('a crash', () => seen.find((t) => t.id === s.id && (t.to === 'crashed' || t.to === 'crash-loop')));
      assert.equal(crash.reason, 'exit-code-1');
      await waitFor('a restart', () => (driver.inspect(s.id)?.restarts ?? 0) >= 1);
    });

    it('shows a crash loop as its own state', async () => {
      fresh();
      const s = spec('exit 3');
      await driver.start(s);
      const loop = await waitFor('crash-loop', () => seen.find((t) => t.id === s.id && t.to === 'crash-loop'), 15_000);
      assert.equal(loop.reason, 'exit-code-3');
    });

    it('names a run command that does not exist', async () => {
      fresh();
      const s = spec('no-such-command-wharf --flag');
      await driver.start(s);
      const crash = await waitFor('a crash', () => seen.find((t) => t.id === s.id && t.from !== 'stopped' && t.to !== 'starting' && t.to !== 'running'));
      assert.equal(crash.reason, 'command-not-found');
    });

    it('gives up on a process that never binds its port within the probe window', async () => {
      fresh();
      const s = spec('sleep 30', { port: await freePort(), portWaitMs: 300 });
      const status = await driver.start(s);
      assert.ok(status.state === 'crashed' || status.state === 'crash-loop', status.state);
      assert.equal(status.reason, 'port-not-bound');
    });

    it('kills an app that ignores SIGTERM after the stop timeout', async () => {
      fresh();
      const s = spec('node ignore-term.js', { stopTimeoutMs: 300 });
      await driver.start(s);
      // Logs are part of the contract: the app says so once its SIGTERM handler is installed.
      await waitFor('the app to install its handler', () => readLogs({ dirs: [s.logDir] }).some((l) => l.text === 'started'));
      const stopped = await driver.stop(s.id);
      assert.equal(stopped?.state, 'stopped');
      assert.equal(stopped?.reason, 'killed-after-stop-timeout');
    });

    it('stops a crashed instance without waiting for its restart', async () => {
      fresh();
      const s = spec('exit 2');
      await driver.start(s);
      await waitFor('a crash', () => ['crashed', 'crash-loop'].includes(driver.inspect(s.id)?.state ?? ''));
      const stopped = await driver.stop(s.id);
      assert.equal(stopped?.state, 'stopped');
    });

    it('knows nothing of an id it never started, and lists what it supervises', async () => {
      fresh();
      assert.equal(driver.inspect(`${prefix}unknown`), undefined);
      assert.equal(await driver.stop(`${prefix}unknown`), undefined);
      const a = spec('sleep 30');
      const b = spec('sleep 30');
      await driver.start(a);
      await driver.start(b);
      assert.deepEqual(driver.list().map((s) => s.id).sort(), [a.id, b.id].sort());
    });

    it('starts an instance again under the same id once it has stopped', async () => {
      fresh();
      const s = spec('sleep 30');
      const first = await driver.start(s);
      await driver.stop(s.id);
      const second = await driver.start(s);
      assert.equal(second.state, 'running');
      assert.notEqual(second.pid, first.pid);
    });

    it('reports recorded instances whose process is gone as dead, without starting them', async () => {
      fresh();
      const s = spec('sleep 30');
      const result = await driver.recover([{ spec: s, state: 'running', pid: 999_999_999, pidStartTime: 1 }]);
      assert.deepEqual(result.adopted, []);
      assert.equal(result.dead.length, 1);
      assert.equal(result.dead[0]?.id, s.id);
      assert.equal(driver.inspect(s.id), undefined);
    });
  });
}
