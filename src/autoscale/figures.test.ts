import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { averageOver, type InstanceFigures, type Sample } from './figures.js';

const cpu = (i: InstanceFigures) => i.cpuPercent;
const ready = (cpuPercent?: number): InstanceFigures => ({ ready: true, cpuPercent });
const starting: InstanceFigures = { ready: false, cpuPercent: 0 };

describe('figure window averages', () => {
  it('averages per ready instance, and gives the mean ready count', () => {
    const window: Sample[] = [{ instances: [ready(20), ready(40)] }, { instances: [ready(60), ready(60), ready(60)] }];
    // Loads 60 and 180 → mean load 120 over a mean of 2.5 ready instances.
    assert.deepEqual(averageOver(window, 2, cpu), { perInstance: 48, ready: 2.5, complete: true });
  });

  it('reads only the last `length` samples', () => {
    const window: Sample[] = [{ instances: [ready(90)] }, { instances: [ready(10)] }];
    assert.equal(averageOver(window, 1, cpu).perInstance, 10);
  });

  it('leaves instances that are not ready out', () => {
    assert.deepEqual(averageOver([{ instances: [ready(50), starting, starting] }], 1, cpu), { perInstance: 50, ready: 1, complete: true });
  });

  it('lets the other ready instances stand for one without the figure, and marks the window incomplete', () => {
    assert.deepEqual(averageOver([{ instances: [ready(50), ready()] }], 1, cpu), { perInstance: 50, ready: 2, complete: false });
  });

  it('treats negative and non-finite readings as missing', () => {
    const window: Sample[] = [{ instances: [ready(-1), ready(Number.NaN), ready(Infinity), ready(30)] }];
    assert.deepEqual(averageOver(window, 1, cpu), { perInstance: 30, ready: 4, complete: false });
  });

  const incomplete: [string, (Sample | null)[]][] = [
    ['a missing sample', [{ instances: [ready(10)] }, null]],
    ['fewer samples than the window', [{ instances: [ready(10)] }]],
    ['a sample without a ready instance', [{ instances: [ready(10)] }, { instances: [starting] }]],
  ];
  for (const [name, window] of incomplete) {
    it(`calls a window with ${name} incomplete, and averages what it has`, () => {
      assert.deepEqual(averageOver(window, 2, cpu), { perInstance: 10, ready: 1, complete: false });
    });
  }

  it('has no value when no sample has the figure', () => {
    assert.deepEqual(averageOver([null, { instances: [] }], 2, cpu), { perInstance: undefined, ready: 0, complete: false });
  });
});
