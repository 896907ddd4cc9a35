import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceSpec, RecordedInstance } from './driver.js';
import type { ProcStat } from './proc-table.js';
import { judgeRecord, resumedState } from './recovery.js';

const spec = { id: 'shop.production.web.1' } as InstanceSpec;
const rec = (extra: Partial<RecordedInstance>): RecordedInstance => ({ spec, state: 'healthy', pid: 100, pidStartTime: 5000, ...extra });
const stat = (startTime: number): ProcStat => ({ pid: 100, state: 'S', ppid: 1, pgid: 100, cpuTicks: 0, startTime, rssBytes: 0 });

describe('recovery verdicts', () => {
  it('adopts the same pid with the same start time, in its recorded state', () => {
    assert.deepEqual(judgeRecord(rec({}), stat(5000)), { alive: true, state: 'healthy' });
  });

  it('calls a pid that now belongs to another process reused, and leaves that process alone', () => {
    assert.deepEqual(judgeRecord(rec({}), stat(5001)), { alive: false, reason: 'pid-reused', killGroup: false });
  });

  it('ends what is left of the group of a leader that is gone', () => {
    assert.deepEqual(judgeRecord(rec({}), undefined), { alive: false, reason: 'exited-unobserved', killGroup: true });
  });

  it('treats a record without a process as not running', () => {
    assert.deepEqual(judgeRecord(rec({ pid: undefined }), stat(5000)), { alive: false, reason: 'not-running', killGroup: false });
  });

  const table: [string, string][] = [
    ['starting', 'running'],
    ['running', 'running'],
    ['healthy', 'healthy'],
    ['unhealthy', 'unhealthy'],
    ['draining', 'draining'],
    ['crashed', 'running'],
    ['something-else', 'running'],
  ];
  for (const [recorded, resumed] of table) {
    it(`resumes a live process recorded as ${recorded} as ${resumed}`, () => assert.equal(resumedState(recorded), resumed));
  }
});
