import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { choose, twoChoices, type Candidate } from './balancer.js';

interface C extends Candidate {
  name: string;
  inFlight: number;
  eligible: boolean;
  serving: boolean;
}
const c = (name: string, inFlight = 0, eligible = true, serving = true): C => ({ name, inFlight, eligible, serving });

/** A deterministic generator (mulberry32), so weight tests do not flake. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('choose', () => {
  it('splits traffic between release groups by weight', () => {
    const groups = [
      { release: 'v7', weight: 95, instances: [c('a'), c('b')] },
      { release: 'v8', weight: 5, instances: [c('c')] },
    ];
    const random = seeded(1);
    let canary = 0;
    for (let i = 0; i < 20_000; i++) if (choose(groups, random)!.group.release === 'v8') canary++;
    assert.ok(canary > 800 && canary < 1200, `canary got ${canary} of 20000`);
  });

  it('keeps a sticky client on its release while that release has weight', () => {
    const groups = [
      { release: 'v7', weight: 95, instances: [c('a')] },
      { release: 'v8', weight: 5, instances: [c('b')] },
    ];
    for (let i = 0; i < 100; i++) assert.equal(choose(groups, Math.random, 'v8')!.instance.name, 'b');
    groups[1]!.weight = 0;
    for (let i = 0; i < 100; i++) assert.equal(choose(groups, Math.random, 'v8')!.instance.name, 'a');
  });

  it('skips ineligible instances and fails open when none is eligible', () => {
    const groups = [{ release: 'v1', weight: 1, instances: [c('sick', 0, false), c('ok')] }];
    for (let i = 0; i < 50; i++) assert.equal(choose(groups, Math.random)!.instance.name, 'ok');
    groups[0]!.instances[1]!.eligible = false;
    assert.ok(choose(groups, Math.random) !== undefined, 'fails open over serving instances');
    for (const x of groups[0]!.instances) x.serving = false;
    assert.equal(choose(groups, Math.random), undefined);
  });

  it('never picks the excluded instance of a retry', () => {
    const groups = [{ release: 'v1', weight: 1, instances: [c('a'), c('b')] }];
    const a = groups[0]!.instances[0]!;
    for (let i = 0; i < 50; i++) assert.equal(choose(groups, Math.random, undefined, a)!.instance.name, 'b');
  });
});

describe('twoChoices', () => {
  it('returns the less loaded of two distinct usable instances', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(50), { minLength: 2, maxLength: 8 }), fc.integer({ min: 1, max: 1000 }), (loads, seed) => {
        const xs = loads.map((l, i) => c(String(i), l));
        const random = seeded(seed);
        const picked = twoChoices(xs, () => true, random)!;
        // Whatever two were drawn, the pick is never the most loaded one unless all tie.
        const max = Math.max(...loads);
        const min = Math.min(...loads);
        return max === min || picked.inFlight < max || loads.filter((l) => l === max).length > 1;
      }),
    );
  });

  it('sends everything to the only usable instance', () => {
    const xs = [c('a', 5, true), c('b', 0, false)];
    for (let i = 0; i < 20; i++) assert.equal(twoChoices(xs, (x) => x.eligible, Math.random)!.name, 'a');
  });
});
