import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planCollection, type CollectableBuild } from './collect-plan.js';

const build = (app: string, n: number): CollectableBuild => ({ id: `${app}-${String(n).padStart(12, '0')}`, app, createdAt: n });

describe('planCollection', () => {
  it('removes all but the newest N builds of an app', () => {
    const builds = [1, 2, 3, 4, 5, 6, 7].map((n) => build('shop', n));
    assert.deepEqual(planCollection(builds, 5, new Set()).sort(), [build('shop', 1).id, build('shop', 2).id]);
  });

  it('never removes a build in use, however old', () => {
    const builds = [1, 2, 3, 4, 5, 6, 7].map((n) => build('shop', n));
    assert.deepEqual(planCollection(builds, 5, new Set([build('shop', 1).id])), [build('shop', 2).id]);
  });

  it('counts each app separately', () => {
    const builds = [...[1, 2, 3].map((n) => build('shop', n)), ...[4, 5].map((n) => build('blog', n))];
    assert.deepEqual(planCollection(builds, 2, new Set()), [build('shop', 1).id]);
  });

  it('keeps the newest N, never removes one in use, and removes every other build', () => {
    const arbitraryBuilds = fc.uniqueArray(
      fc.record({ app: fc.constantFrom('a', 'b', 'c'), createdAt: fc.integer({ min: 0, max: 50 }), n: fc.nat(10_000) }),
      { selector: (b) => b.n, maxLength: 30 },
    );
    fc.assert(
      fc.property(arbitraryBuilds, fc.nat(8), fc.func(fc.boolean()), (raw, keep, used) => {
        const builds = raw.map((b) => ({ id: `${b.app}-${b.n}`, app: b.app, createdAt: b.createdAt }));
        const inUse = new Set(builds.filter((b) => used(b.id)).map((b) => b.id));
        const doomed = new Set(planCollection(builds, keep, inUse));
        for (const app of ['a', 'b', 'c']) {
          const mine = builds.filter((b) => b.app === app).sort((x, y) => y.createdAt - x.createdAt || (x.id < y.id ? -1 : 1));
          mine.forEach((b, index) => {
            const expected = index >= keep && !inUse.has(b.id);
            assert.equal(doomed.has(b.id), expected, `${b.id} at ${index} of ${app}`);
          });
        }
      }),
    );
  });
});
