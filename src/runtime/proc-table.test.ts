import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSameProcess, parseStat, readStat } from './proc-table.js';
import { exitReason, signalExitCode } from './exit-reason.js';

describe('proc table', () => {
  it('parses a stat line whose command name holds spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    const s = parseStat(`4242 (my (weird) app) ${fields.join(' ')}`);
    assert.ok(s);
    assert.equal(s.pid, 4242);
    assert.equal(s.state, 'S');
    assert.equal(s.pgid, 5);
    assert.equal(s.cpuTicks, 14 + 15 + 16 + 17);
    assert.equal(s.startTime, 22);
    assert.equal(s.rssBytes, 24 * 4096);
  });

  it('identifies this very process by pid and start time, and not by pid alone', () => {
    const me = readStat(process.pid);
    assert.ok(me);
    assert.equal(me.pgid > 0, true);
    assert.ok(isSameProcess(process.pid, me.startTime));
    assert.ok(!isSameProcess(process.pid, me.startTime + 1));
  });
});

describe('exit reasons', () => {
  it('names exits the way wharf ps shows them', () => {
    assert.equal(exitReason(1, null), 'exit-code-1');
    assert.equal(exitReason(null, 'SIGKILL'), 'signal-SIGKILL');
    assert.equal(exitReason(127, null), 'command-not-found');
    assert.equal(exitReason(126, null), 'command-not-executable');
    assert.equal(signalExitCode('SIGTERM'), 143);
  });
});
