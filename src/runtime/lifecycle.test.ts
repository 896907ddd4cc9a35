import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { INSTANCE_STATES, LIVE_STATES, transition, type InstanceState, type LifecycleEvent } from './lifecycle.js';

const EVENTS: LifecycleEvent[] = [
  { type: 'listening' },
  { type: 'health-passed' },
  { type: 'health-failed' },
  { type: 'stop' },
  { type: 'exited', crashLoop: false },
  { type: 'exited', crashLoop: true },
  { type: 'restart' },
];

describe('instance lifecycle', () => {
  const table: [InstanceState, LifecycleEvent, InstanceState | undefined][] = [
    ['starting', { type: 'listening' }, 'running'],
    ['running', { type: 'listening' }, undefined],
    ['running', { type: 'health-passed' }, 'healthy'],
    ['running', { type: 'health-failed' }, 'unhealthy'],
    ['healthy', { type: 'health-failed' }, 'unhealthy'],
    ['unhealthy', { type: 'health-passed' }, 'healthy'],
    ['starting', { type: 'health-passed' }, undefined],
    ['healthy', { type: 'stop' }, 'draining'],
    ['starting', { type: 'stop' }, 'draining'],
    ['draining', { type: 'stop' }, undefined],
    ['draining', { type: 'exited', crashLoop: true }, 'stopped'],
    ['draining', { type: 'health-passed' }, undefined],
    ['running', { type: 'exited', crashLoop: false }, 'crashed'],
    ['healthy', { type: 'exited', crashLoop: true }, 'crash-loop'],
    ['starting', { type: 'exited', crashLoop: false }, 'crashed'],
    ['crashed', { type: 'restart' }, 'starting'],
    ['crash-loop', { type: 'restart' }, 'starting'],
    ['crashed', { type: 'stop' }, 'stopped'],
    ['crash-loop', { type: 'stop' }, 'stopped'],
    ['running', { type: 'restart' }, undefined],
    ['stopped', { type: 'restart' }, undefined],
  ];
  for (const [from, event, to] of table) {
    it(`goes from ${from} on ${JSON.stringify(event)} to ${to ?? 'nowhere (ignored)'}`, () => {
      assert.equal(transition(from, event), to);
    });
  }

  it('never leaves stopped: it is final', () => {
    for (const e of EVENTS) assert.equal(transition('stopped', e), undefined);
  });

  it('reaches stopped from any reachable state with at most stop then exited', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...EVENTS), { maxLength: 30 }), (events) => {
        let s: InstanceState = 'starting';
        for (const e of events) s = transition(s, e) ?? s;
        for (const e of [{ type: 'stop' }, { type: 'exited', crashLoop: false }] as LifecycleEvent[]) s = transition(s, e) ?? s;
        return s === 'stopped';
      }),
    );
  });

  it('only enters draining by a stop, and only stopped follows an exit while draining', () => {
    for (const from of INSTANCE_STATES) {
      for (const e of EVENTS) {
        const to = transition(from, e);
        if (to === 'draining') assert.equal(e.type, 'stop');
        if (from === 'draining' && to !== undefined) assert.equal(to, 'stopped');
      }
    }
  });

  it('lets a crashed instance start again only by a restart', () => {
    for (const from of INSTANCE_STATES) {
      for (const e of EVENTS) {
        if (transition(from, e) === 'starting') {
          assert.equal(e.type, 'restart');
          assert.ok(!LIVE_STATES.has(from));
        }
      }
    }
  });
});
