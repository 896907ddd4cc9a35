import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clonePhases } from './phases.mjs';

const T0 = 1_000_000;
const e = (ms, kind, service) => ({ time: T0 + ms, kind, ...(service ? { service } : {}) });

describe('clone phases from the timeline', () => {
  it('measures each phase from the previous milestone, taking the second apply after the data copy', () => {
    const copy = [
      e(900, 'env.created'),
      e(920, 'apply.started'),
      e(1000, 'addon.attached'),
      e(1100, 'addon.attached'),
      e(1150, 'apply.finished'),
      e(1500, 'addon.restored'),
      e(1600, 'addon.restored'),
      e(1610, 'apply.started'),
      e(1650, 'release.created'),
      e(2000, 'rollout.starting', 'web-01'),
      e(3000, 'rollout.starting', 'worker-01'),
      e(4000, 'rollout.ready', 'web-01'),
      e(6000, 'rollout.ready', 'worker-01'),
      e(6050, 'release.live'),
      e(6100, 'apply.finished'),
    ];
    const source = [e(1300, 'addon.backup.created'), e(1400, 'addon.backup.created')];
    const phases = clonePhases(T0, copy, source, new Set(['web-01']));
    assert.deepEqual(
      phases.map((p) => [p.at, p.ms]),
      [[900, 900], [920, 20], [1100, 180], [1400, 300], [1600, 200], [1650, 50], [2000, 350], [4000, 2000], [6000, 2000], [6050, 50], [6100, 50]],
    );
  });

  it('leaves a milestone the timeline lacks empty, and measures the next one from the last it had', () => {
    const phases = clonePhases(T0, [e(500, 'env.created'), e(800, 'apply.started')], [], new Set());
    assert.deepEqual(phases.slice(0, 3).map((p) => [p.at, p.ms]), [[500, 500], [800, 300], [undefined, undefined]]);
    assert.ok(phases.slice(2).every((p) => p.ms === undefined));
  });
});
