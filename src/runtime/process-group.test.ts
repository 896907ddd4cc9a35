import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupAlive, stopGroup } from './process-group.js';
import { processGroups, waitFor } from './testing/fixtures.js';

describe('process groups', () => {
  const { start } = processGroups();
  const group = (script: string): number => start('sh', ['-c', script]);

  it('is alive while its leader runs, and gone once stopped', async () => {
    const pgid = group('sleep 30');
    assert.equal(groupAlive(pgid), true);
    assert.deepEqual(await stopGroup(pgid, 5_000), { killed: false });
    assert.equal(groupAlive(pgid), false);
  });

  it('is alive while a child outlives its leader, and stopping it reaches the child', async () => {
    // The leader forks a child that ignores SIGTERM, then exits: only the child is left.
    const pgid = group("trap '' TERM; (trap '' TERM; exec sleep 30) & exit 0");
    await waitFor('the leader gone', async () => {
      try {
        process.kill(pgid, 0);
        return false;
      } catch {
        return true;
      }
    });
    assert.equal(groupAlive(pgid), true, 'the child still runs in the group');
    assert.deepEqual(await stopGroup(pgid, 300), { killed: true });
    assert.equal(groupAlive(pgid), false);
  });
});
