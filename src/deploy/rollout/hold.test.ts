import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InstanceRecord, ReleaseRecord } from '../../state/types.js';
import { holdReady } from './instances.js';
import { RolloutSignals } from './signals.js';
import { RolloutFailure, type ServiceRollout } from './types.js';

/** A rollout of v2 over v1 whose web service's instances are `instances` (changed by the test as it runs). */
function rollout(minReadyMs: number, instances: InstanceRecord[]) {
  const said: string[] = [];
  const signals = new RolloutSignals();
  const r = {
    app: 'shop',
    env: 'production',
    service: 'web',
    release: { version: 2 } as ReleaseRecord,
    stable: { version: 1 } as ReleaseRecord,
    spec: { kind: 'web', deploy: { min_ready: minReadyMs } },
    count: 2,
    fleet: { active: async () => instances.filter((i) => i.state !== 'stopped') },
    signals,
    setWeight: async () => undefined,
    metrics: async () => undefined,
    progress: async (step: string, message: string) => void said.push(`${step}: ${message}`),
    now: () => Date.now(),
  } as unknown as ServiceRollout;
  return { r, said, signals };
}

function instance(release: number, n: number, over: Partial<InstanceRecord> = {}): InstanceRecord {
  return { id: `shop.production.web.v${release}.${n}`, app: 'shop', env: 'production', service: 'web', release, state: 'healthy', restarts: 0, createdAt: 0, updatedAt: 0, ...over };
}

/** Far below the 10 min holds below: a hold that only looked at its end would run into it. */
const PROMPTLY = { timeout: 30_000 };

const say = (length: string) => `1 new instance serves next to the old ones for ${length}`;

describe('the min_ready hold', () => {
  it('holds for min_ready and says so once when the new instances stay healthy', async () => {
    const { r, said } = rollout(300, [instance(1, 1), instance(1, 2), instance(2, 1)]);
    await holdReady(r, say);
    assert.deepEqual(said, ['holding: 1 new instance serves next to the old ones for 300ms']);
  });

  it('does nothing at 0s', async () => {
    const { r, said } = rollout(0, [instance(2, 1, { state: 'crashed', restarts: 1 })]);
    await holdReady(r, say);
    assert.deepEqual(said, []);
  });

  it('fails the rollout when a new instance crashes during the hold, not at its end', PROMPTLY, async () => {
    const instances = [instance(1, 1), instance(2, 1)];
    const { r } = rollout(600_000, instances);
    setTimeout(() => (instances[1] = instance(2, 1, { state: 'crashed', reason: 'exit-code-4', restarts: 1 })), 100);
    await assert.rejects(holdReady(r, say), (e: unknown) => {
      assert.ok(e instanceof RolloutFailure);
      assert.equal(e.message, 'v2 broke within min_ready (10m) on real traffic: shop.production.web.v2.1 is crashed (exit-code-4) after 1 restart');
      return true;
    });
  });

  it('judges only the new release: an old instance that restarts is not the new one breaking', async () => {
    const { r } = rollout(300, [instance(1, 1, { state: 'crash-loop', restarts: 3 }), instance(2, 1)]);
    await holdReady(r, say);
  });

  it('ends at once, failed, when the rollout is aborted', PROMPTLY, async () => {
    const { r, signals } = rollout(600_000, [instance(1, 1), instance(2, 1)]);
    setTimeout(() => signals.abort('aborted by ana'), 100);
    await assert.rejects(holdReady(r, say), new RolloutFailure('aborted by ana'));
  });

  it('ends at once, passed, when the rollout is promoted', PROMPTLY, async () => {
    const { r, signals } = rollout(600_000, [instance(1, 1), instance(2, 1)]);
    setTimeout(() => signals.promote('ana'), 100);
    await holdReady(r, say);
  });
});
