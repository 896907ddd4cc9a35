import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureDaemon } from '../cli/daemon-process.js';
import { processIsAlive } from '../runtime/proc-table.js';
import { DeployFixture, until } from './testing/deploy-app.js';

describe('deploy controls: refusals, promote, abort, rollback, warm window, recovery', () => {
  const f = new DeployFixture();
  before(async () => {
    await f.start();
    f.write({ greeting: 'two' });
    const deploy = await f.wharf('deploy');
    assert.equal(deploy.code, 0, deploy.stderr);
  });
  after(() => f.stop());

  it('stops a deploy whose pipeline check fails, before any release exists', async () => {
    f.write({ greeting: 'three', check: 'exit 3' });
    const deploy = await f.wharf('deploy');
    assert.equal(deploy.code, 1);
    assert.match(deploy.stderr, /error\[PIPELINE_FAILED\]: the check stage \(`exit 3`\) exited with status 3; nothing was released/);
    assert.deepEqual((await f.releases())[0], [2, 'live'], 'no release was made');
  });

  it('runs the pipeline test stage after the check, and stops the deploy when it fails', async () => {
    f.write({ greeting: 'three', check: 'echo checked', test: 'echo 1 of 3 failed; exit 4' });
    const deploy = await f.wharf('deploy');
    assert.equal(deploy.code, 1);
    assert.match(deploy.stderr, /error\[PIPELINE_FAILED\]: the test stage \(`echo 1 of 3 failed; exit 4`\) exited with status 4; nothing was released\n\s+1 of 3 failed\n/);
    assert.deepEqual((await f.releases())[0], [2, 'live'], 'no release was made');
    const stages = (await f.client.events({ app: 'shipped', limit: 10 })).events.filter((e) => e.kind.startsWith('pipeline.')).slice(-2);
    assert.deepEqual(stages.map((e) => [e.kind, (e.data as { stage: string }).stage]), [['pipeline.passed', 'check'], ['pipeline.failed', 'test']]);
  });

  it('rolls back a worker that crashes at boot, caught by the liveness gate', async () => {
    f.write({ greeting: 'three', crashWorker: true });
    const l = f.load();
    const deploy = await f.wharf('deploy', '--strategy', 'blue-green');
    const result = await l.stop();
    assert.equal(deploy.code, 1);
    assert.match(deploy.stderr, /error\[DEPLOY_FAILED\]: v3 was rolled back: worker: 1 new instance of v3 did not keep running for 2s/);
    assert.deepEqual((await f.releases())[0], [3, 'failed']);
    assert.deepEqual(result.errors, [], 'web had moved to v3; its traffic went back to v2 without a failure');
    assert.deepEqual(await f.running(), [2]);
    const { instances } = await f.client.instances('shipped', 'production');
    assert.deepEqual(instances.filter((i) => i.service === 'worker').map((i) => i.release), [2], 'the v2 worker still runs');
  });

  it('refuses what cannot be done, changing nothing', async () => {
    writeFileSync(join(f.app, 'wharf.yaml'), 'app: shipped\nservices: {}\n');
    const empty = await f.wharf('deploy');
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /^error\[SPEC_INVALID\]: wharf\.yaml has 1 problem:\n  wharf\.yaml:2:11 services: expected at least 1 entry\n/);
    f.write({ greeting: 'three' }); // the commands below read the app's name from the spec
    const promote = await f.wharf('promote');
    assert.equal(promote.code, 1);
    assert.match(promote.stderr, /error\[CONFLICT\]: nothing to promote in shipped\/production: no canary rollout is under way/);
    const abort = await f.wharf('abort');
    assert.match(abort.stderr, /error\[CONFLICT\]: nothing to abort/);
    const missing = await f.wharf('rollback', 'v99');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /error\[NOT_FOUND\]: v99 of shipped\/production does not exist\n  hint: its releases are v1 … v3/);
    const failed = await f.wharf('rollback', 'v3');
    assert.match(failed.stderr, /error\[CONFLICT\]: v3 of shipped\/production never went live \(failed: /);
    const live = await f.wharf('rollback', 'v2');
    assert.match(live.stderr, /error\[CONFLICT\]: v2 is already live in shipped\/production/);
    const bad = await f.wharf('deploy', '--strategy', 'yolo');
    assert.match(bad.stderr, /error\[BAD_REQUEST\]: body\.strategy: "yolo" is not a strategy/);
    await assert.rejects(f.client.rollback('shipped', 'production', undefined, () => {}, -1), /body\.issuedMsAgo: expected a whole number of milliseconds, 0 or more/);
    assert.deepEqual((await f.releases())[0], [3, 'failed']);
  });

  it('promotes a paused canary on request, and refuses a second deploy meanwhile', async () => {
    f.write({ greeting: 'four', strategy: 'canary', hold: '5m' });
    let shown = '';
    let done = false;
    const deploying = f.wharfLive((text) => (shown = text), 'deploy').finally(() => (done = true));
    await f.untilEvent(/v4 takes 25 %/);
    // What the running command has shown by now: each new instance past its gate, the weight.
    await until(async () => /web: 2 instances of v4 passed the health gate\n[^]*web: v4 takes 25 % of web's traffic/.test(shown));
    assert.equal(done, false, 'shown while the deploy still runs');
    const second = await f.wharf('deploy');
    assert.equal(second.code, 1);
    assert.match(second.stderr, /error\[LOCK_HELD\]: shipped\/production is locked by .* \(deploy since/);
    const promote = await f.wharf('promote');
    assert.equal(promote.code, 0, promote.stderr);
    const deploy = await deploying;
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /promoted by /);
    assert.deepEqual((await f.releases())[0], [4, 'live']);
  });

  it('aborts a rollout on request: traffic back on the stable release at once', async () => {
    f.write({ greeting: 'five', strategy: 'canary', hold: '5m' });
    const l = f.load();
    const deploying = f.wharf('deploy');
    await f.untilEvent(/v5 takes 25 %/);
    const abort = await f.wharf('abort');
    assert.equal(abort.code, 0, abort.stderr);
    const deploy = await deploying;
    const result = await l.stop();
    assert.equal(deploy.code, 1);
    assert.match(deploy.stderr, /v5 was rolled back: aborted by /);
    assert.deepEqual(result.errors, []);
    assert.deepEqual((await f.releases())[0], [5, 'failed']);
    const listed = await f.wharf('releases', '-n', '2');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^RELEASE +STATUS +CREATED +DESCRIPTION\nv5 +failed \(aborted by [^\n]+\nv4 +live +/);
  });

  it('starts a release again behind the health gate when it is no longer warm (cold rollback)', async () => {
    const l = f.load();
    const rollback = await f.wharf('rollback', 'v1');
    const result = await l.stop();
    assert.equal(rollback.code, 0, rollback.stderr);
    assert.match(rollback.stdout, /\nRolled back shipped\/production from v4 to v1 \(cold; traffic switched in \d+ ms, \d+ ms after the command\)\.\n$/);
    assert.deepEqual(result.errors, []);
    assert.deepEqual([...result.bodies].sort(), ['four', 'one']);
    const now = await f.running();
    assert.ok(now.includes(1) && !now.includes(4), `v1 runs and v4 stopped: ${now.join(', ')}`);
  });

  it('refuses to roll back to a release whose build was collected', async () => {
    const v2 = (await f.client.releases('shipped', 'production')).releases.find((r) => r.version === 2)!;
    const build = join(f.data, 'builds', v2.buildId);
    renameSync(build, `${build}.aside`);
    try {
      const rollback = await f.wharf('rollback', 'v2');
      assert.equal(rollback.code, 1);
      assert.match(rollback.stderr, new RegExp(`error\\[BUILD_GONE\\]: v2 cannot run again: its build ${v2.buildId} was collected\\n  hint: deploy that source again`));
    } finally {
      renameSync(`${build}.aside`, build);
    }
    assert.equal((await f.releases()).find(([, status]) => status === 'live')![0], 1, 'nothing changed');
  });

  it('stops the previous release once the warm window after the promotion has passed', async () => {
    f.write({ greeting: 'six', strategy: 'blue-green', warm: '1s' });
    const deploy = await f.wharf('deploy');
    assert.equal(deploy.code, 0, deploy.stderr);
    await until(async () => JSON.stringify(await f.running()) === '[6]');
    const events = (await f.client.events({ app: 'shipped', limit: 20 })).events;
    assert.ok(events.some((e) => e.kind === 'release.cooled' && /no longer kept warm/.test(e.message)));
  });

  it('rolls back a rollout cut off by a daemon crash when the daemon starts again', async () => {
    f.write({ greeting: 'seven', strategy: 'canary', hold: '5m' });
    const deploying = f.wharf('deploy');
    await f.untilEvent(/v7 takes 25 %/);
    const l = f.load();
    const daemonPid = f.daemonPid();
    process.kill(daemonPid, 'SIGKILL');
    await deploying;
    await ensureDaemon(f.data, undefined, `127.0.0.1:${f.port}`);
    await until(async () => (await f.releases())[0]![1] === 'failed');
    await until(async () => !(await f.running()).includes(7));
    const result = await l.stop();
    assert.ok(!processIsAlive(daemonPid));
    assert.deepEqual(result.errors, []);
    assert.deepEqual([...result.bodies].filter((b) => b !== 'six' && b !== 'seven'), []);
    const list = await f.releases();
    assert.deepEqual(list[0], [7, 'failed']);
    assert.deepEqual(list.filter(([, status]) => status === 'live'), [[6, 'live']]);
    assert.match((await f.client.releases('shipped', 'production')).releases[0]!.reason ?? '', /interrupted: the daemon stopped during its rollout; rolled back to v6/);
  });

  it('audits every deploy, promote, abort and rollback: who, through which client, how it ended', async () => {
    const { audit } = await f.client.audit({ app: 'shipped', env: 'production', limit: 200 });
    const rollouts = audit.filter((a) => ['deploy', 'promote', 'abort', 'rollback'].includes(a.operation));
    const seen = new Set(rollouts.map((a) => `${a.operation} ${a.outcome}`));
    for (const want of ['deploy ok', 'deploy error', 'promote ok', 'abort ok', 'rollback ok', 'rollback error']) assert.ok(seen.has(want), `${want} among ${[...seen].join(', ')}`);
    for (const a of rollouts) {
      assert.equal(a.client, 'cli');
      assert.equal(a.actor, rollouts[0]!.actor);
    }
    const refused = rollouts.find((a) => a.operation === 'rollback' && a.outcome === 'error' && (a.details as { to?: number }).to === 99);
    assert.deepEqual(refused?.details, { to: 99, error: 'NOT_FOUND' });
  });

  it('lets an instance whose warm-up never answers take traffic at the deploy timeout, and says so', async () => {
    f.write({ greeting: 'eight', strategy: 'blue-green', hangWarmup: true });
    const deploy = await f.wharf('deploy');
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.deepEqual((await f.releases())[0], [8, 'live']);
    const events = (await f.client.events({ app: 'shipped', limit: 30 })).events.filter((e) => e.kind === 'instance.warmup-cut');
    assert.equal(events.length, 2, 'one per new web instance');
    for (const e of events) assert.match(e.message, /^shipped\.production\.web\.v8\.\w+ takes traffic after 0 of its 50 warm-up requests: the deploy timeout came first$/);
  });

  it('runs the release command, with the release\'s environment, before any of its instances starts', async () => {
    const mark = await f.lastEventId();
    f.write({ greeting: 'nine', strategy: 'blue-green', release: 'echo migrating for $GREETING' });
    const deploy = await f.wharf('deploy');
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /migrating for nine/);
    const events = await f.eventsAfter(mark);
    const command = events.findIndex((e) => e.kind === 'release.command' && e.message === 'v9: release command succeeded');
    const starting = events.findIndex((e) => e.kind === 'rollout.starting');
    assert.ok(command >= 0 && starting > command, `release command (${command}) before the first start (${starting}): ${events.map((e) => e.kind).join(', ')}`);
    assert.deepEqual((await f.releases())[0], [9, 'live']);
  });
});
