import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WARM_ROLLBACK_BUDGET_MS, WARM_ROLLBACK_SWITCH_MS, WARMUP_CONNECTIONS } from '../defaults.js';
import type { EventRecord } from '../state/types.js';
import { AUTOGROUPS, DeployFixture, WARMUP } from './testing/deploy-app.js';

describe('deploy strategies, under load through the router', () => {
  const f = new DeployFixture();
  before(() => f.start());
  after(() => f.stop());

  it('rolls out a rolling deploy under load without failing a request', async () => {
    f.write({ greeting: 'two' });
    const mark = await f.lastEventId();
    const l = f.load();
    const deploy = await f.wharf('deploy');
    const result = await l.stop();
    assert.equal(deploy.code, 0, deploy.stderr);
    // The steps as executed, per service: within the bounds (surge 1, unavailable 0), each old
    // instance drains only after a new one passed its gate; the worker's new instance passes its
    // liveness gate before the old one stops.
    const steps = (await f.eventsAfter(mark)).filter((e) => e.kind.startsWith('rollout.'));
    const label = (e: EventRecord) => {
      const d = (e.data as { data?: { count?: number; instances?: string[] } }).data;
      return `${e.kind.slice('rollout.'.length)} ${d?.count ?? d?.instances?.length ?? ''}`.trim();
    };
    const of = (service: string) => steps.filter((e) => e.service === service).map(label);
    assert.deepEqual(of('web'), ['starting 1', 'ready 1', 'holding', 'draining 1', 'starting 1', 'ready 1', 'holding', 'draining 1']);
    assert.deepEqual(of('worker'), ['starting 1', 'ready 1', 'stopping 1']);
    assert.match(deploy.stdout, /rolling out v2 over v1: web rolling, worker worker/);
    assert.match(deploy.stdout, /web: 1 new instance serves next to the old ones for 1s before one drains \(min_ready\)\n.*web: draining 1 old instance \(v1\)/);
    assert.match(deploy.stdout, /Deployed: v2 is live\./);
    assert.deepEqual(result.errors, [], `${result.failed} of ${result.ok + result.failed} failed`);
    assert.ok(result.bodies.has('two'));
    assert.deepEqual(await f.running(), [2], 'rolling stops the old instances as it goes');
    // Every warm-up request met the instance at boot priority; every user request (none
    // answered "boot priority" above) at full priority. The warm-up began at the gate's first
    // probe, and ran while the gate waited a second for its next one. (A request that timed
    // out on a starved host is sent again, and the instance may count both.)
    const boots = (await f.boot(2)) as { warmups: number; warmupsNiced: number; warmupsAtSecondProbe: number }[];
    assert.equal(boots.length, 2);
    for (const b of boots) {
      assert.ok(b.warmups >= WARMUP, `${b.warmups} warm-ups`);
      assert.equal(b.warmupsNiced, AUTOGROUPS ? b.warmups : 0);
      assert.ok(b.warmupsAtSecondProbe > 0, `${b.warmupsAtSecondProbe} warm-ups before the second probe`);
    }
    // The new worker boots at low priority through its liveness window, then runs at 0.
    if (AUTOGROUPS) await f.untilLog('worker', /worker two niceness at 0\.5 s: 10\n[^]*worker two niceness at 3 s: 0\n/);
  });

  it('says so, and changes nothing, when the source and spec are already live', async () => {
    const deploy = await f.wharf('deploy');
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /Nothing to deploy: v2 is already live/);
    assert.deepEqual((await f.releases())[0], [2, 'live']);
  });

  it('switches a blue-green deploy at once under load and keeps the old set warm', async () => {
    f.write({ greeting: 'three' });
    const l = f.load();
    const deploy = await f.wharf('deploy', '--strategy', 'blue-green');
    const result = await l.stop();
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /web: traffic switched to v3 in \d+ ms/);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(await f.running(), [2, 3], 'v2 stays running at weight 0');
  });

  it('rolls back to the warm release as a switch of the router\'s table', async () => {
    const l = f.load();
    // As a command issued just now. Through the CLI, its own start-up on a busy test host
    // would decide how much of the rollback's second is left for the re-warm.
    const said: string[] = [];
    const rollback = await f.client.rollback('shipped', 'production', undefined, (line) => 'progress' in line && said.push(line.progress.message), 0);
    await new Promise((r) => setTimeout(r, 300));
    const result = await l.stop();
    assert.deepEqual({ from: rollback.from, to: rollback.to, warm: rollback.warm }, { from: 3, to: 2, warm: true });
    const rewarm = said.map((m) => /^v2 warmed up again out of traffic: (\d+), (\d+) requests in \d+ ms$/.exec(m)).find((m) => m);
    assert.ok(rewarm, said.join('\n'));
    assert.ok(said.some((m) => /^traffic is on v2 \(warm\), switched in \d+ ms, \d+ ms after the command$/.test(m)), said.join('\n'));
    assert.deepEqual(result.errors, []);
    assert.deepEqual(await f.releases(), [[3, 'rolled-back'], [2, 'live'], [1, 'superseded']]);
    assert.deepEqual(await f.running(), [2], 'the release rolled back from stops');
    // Warmed up twice, at its gate and before taking traffic back, each time sent at boot
    // priority. How far the second got in its 0.6 s is the CPU the host had to spare (with
    // every CPU busy, a few requests); every request it counts as answered reached v2. With
    // every CPU busy, the requests the deadline cut (one per connection) may be read only
    // after the instance was raised again.
    const boots = (await f.boot(2)) as { warmups: number; warmupsNiced: number }[];
    const again = boots.map((b) => b.warmups - WARMUP);
    assert.ok(again.reduce((a, n) => a + n) >= Number(rewarm[1]) + Number(rewarm[2]), `${again.join(', ')} warm-ups again, ${rewarm[0]}`);
    for (const b of boots) {
      if (!AUTOGROUPS) assert.equal(b.warmupsNiced, 0);
      else assert.ok(b.warmupsNiced <= b.warmups && b.warmups - b.warmupsNiced <= WARMUP_CONNECTIONS, `${b.warmupsNiced} of ${b.warmups} warm-ups niced`);
    }
  });

  it('climbs a canary\'s ladder with analysis at each step, under load', async () => {
    f.write({ greeting: 'four', strategy: 'canary', steps: '[10, 50, 100]' });
    const l = f.load();
    const deploy = await f.wharf('deploy');
    const result = await l.stop();
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /web: v4 takes 10 % of web's traffic[^]*web: 10 %: pass: v4 5xx 0\.0 % vs v2 0\.0 %[^]*web: v4 takes 50 % of web's traffic[^]*web: 50 %: pass: v4 5xx 0\.0 % vs v2 0\.0 %/, 'each step, then its analysis, in order');
    assert.deepEqual(result.errors, []);
    assert.deepEqual((await f.releases()).slice(0, 2), [[4, 'live'], [3, 'rolled-back']]);
  });

  it('aborts a canary that answers 500 to 30 % of requests, and only the canary\'s requests fail', async () => {
    f.write({ greeting: 'five', strategy: 'canary', failRate: 0.3 });
    const l = f.load();
    const deploy = await f.wharf('deploy');
    await new Promise((r) => setTimeout(r, 300));
    const result = await l.stop();
    assert.equal(deploy.code, 1);
    assert.match(deploy.stderr, /error\[DEPLOY_FAILED\]: v5 was rolled back: analysis failed at 25 %: v5 5xx \d+\.\d % vs v4 0\.0 %/);
    assert.ok(result.errors.length > 0, 'the canary did serve some 500s');
    assert.ok(result.errors.every((e) => e === '500 broken five'), `only the canary failed: ${[...new Set(result.errors)].join(', ')}`);
    assert.deepEqual((await f.releases())[0], [5, 'failed']);
    assert.match((await f.client.releases('shipped', 'production')).releases[0]!.reason ?? '', /analysis failed at 25 %/);
    assert.deepEqual(await f.running(), [2, 4], 'the canary stopped; v4 serves, v2 is still warm');
  });

  it('rolls back a release that crashes at boot without failing a request', async () => {
    f.write({ greeting: 'six', crash: true });
    const l = f.load();
    const deploy = await f.wharf('deploy');
    const result = await l.stop();
    assert.equal(deploy.code, 1);
    assert.match(deploy.stderr, /error\[DEPLOY_FAILED\]: v6 was rolled back: web: 1 of 1 new instance of v6 did not start \(exit-code-3\)/);
    assert.deepEqual(result.errors, []);
    assert.deepEqual([...result.bodies], ['four']);
    assert.deepEqual((await f.releases())[0], [6, 'failed']);
  });

  it('rolls back a canary whose instances pass the health gate and then crash', async () => {
    f.write({ greeting: 'seven', strategy: 'canary', hold: '5m', crashAfter: 3000 });
    const deploy = await f.wharf('deploy');
    assert.equal(deploy.code, 1);
    assert.match(deploy.stderr, /error\[DEPLOY_FAILED\]: v7 was rolled back: v7 broke at 25 %: shipped\.production\.web\.v7\.[0-9a-f]+ is (crashed|crash-loop|starting|running|healthy|unhealthy)( \([^)]*\))? after [1-9]\d* restarts?/, 'it crashed and was restarted, not a gate that timed out');
    assert.deepEqual((await f.releases())[0], [7, 'failed']);
    assert.ok(!(await f.running()).includes(7));
  });

  it('keeps a warm rollback within a second of the command: one that ran most of it switches without a re-warm', async () => {
    const warmups = async () => ((await f.boot(2)) as { warmups: number }[]).map((b) => b.warmups);
    const before = await warmups();
    const l = f.load();
    const said: string[] = [];
    const ran = WARM_ROLLBACK_BUDGET_MS - WARM_ROLLBACK_SWITCH_MS;
    const rollback = await f.client.rollback('shipped', 'production', undefined, (line) => 'progress' in line && said.push(line.progress.message), ran);
    await new Promise((r) => setTimeout(r, 300));
    const result = await l.stop();
    assert.deepEqual({ from: rollback.from, to: rollback.to, warm: rollback.warm }, { from: 4, to: 2, warm: true });
    const skipped = said.map((m) => /^v2 takes traffic back without a warm-up: the command had run (\d+) ms of its (\d+) ms$/.exec(m)).find((m) => m);
    assert.ok(skipped, said.join('\n'));
    assert.ok(Number(skipped[1]) >= ran && Number(skipped[2]) === WARM_ROLLBACK_BUDGET_MS, skipped[0]);
    assert.ok(!said.some((m) => /warmed up again/.test(m)), said.join('\n'));
    assert.deepEqual(result.errors, []);
    assert.ok(result.bodies.has('two'));
    assert.deepEqual(await warmups(), before, 'no warm-up reached v2');
  });

  it('rolls back a rolling release that crashes on real traffic within min_ready, before any old instance drains', async () => {
    const before = await f.webInstances(2);
    assert.equal(before.length, 2, 'v2 is live after the warm rollback');
    f.write({ greeting: 'eight', crashOnTraffic: true });
    const l = f.load();
    const deploy = await f.wharf('deploy');
    const result = await l.stop();
    assert.equal(deploy.code, 1);
    assert.match(deploy.stdout, /web: 1 new instance serves next to the old ones for 1s before one drains \(min_ready\)/);
    assert.doesNotMatch(deploy.stdout, /draining/);
    assert.match(deploy.stderr, /error\[DEPLOY_FAILED\]: v8 was rolled back: v8 broke within min_ready \(1s\) on real traffic: shipped\.production\.web\.v8\.[0-9a-f]+ is /);
    // The new instance took a third of the traffic; the router sent each GET it reset to an
    // old one, and both old ones still ran.
    assert.deepEqual(result.errors, []);
    assert.deepEqual([...result.bodies], ['two']);
    assert.deepEqual(await f.webInstances(2), before, 'the old instances never drained');
    assert.deepEqual(await f.webInstances(8), []);
    assert.deepEqual((await f.releases())[0], [8, 'failed']);
  });

  it('switches a blue-green release back when it crashes on real traffic within min_ready', async () => {
    const before = await f.webInstances(2);
    f.write({ greeting: 'nine', strategy: 'blue-green', crashOnTraffic: true });
    const l = f.load();
    const deploy = await f.wharf('deploy');
    const result = await l.stop();
    assert.equal(deploy.code, 1);
    assert.match(deploy.stdout, /web: traffic switched to v9 in \d+ ms\n.*web: watching v9 on all the traffic for 1s \(min_ready\); v2 stays warm to switch back to/);
    assert.match(deploy.stderr, /error\[DEPLOY_FAILED\]: v9 was rolled back: v9 broke within min_ready \(1s\) on real traffic: /);
    // Every new instance crashes on its first request, so until the switch back a request
    // the router retried on another new one failed.
    assert.ok(result.errors.every((e) => /^50[23] /.test(e)), [...new Set(result.errors)].join(', '));
    assert.deepEqual((await f.releases())[0], [9, 'failed']);
    assert.deepEqual(await f.webInstances(2), before, 'the old set stayed warm and serves again');
    assert.deepEqual(await f.webInstances(9), []);
    const after = f.load();
    await new Promise((r) => setTimeout(r, 300));
    const back = await after.stop();
    assert.deepEqual(back.errors, []);
    assert.deepEqual([...back.bodies], ['two']);
  });
});
