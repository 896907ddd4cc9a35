import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { getPriority } from 'node:os';
import { BATCH_NICENESS } from '../defaults.js';
import { run } from './one-off.js';
import { readStat } from './proc-table.js';
import { killInstances, makeAppDir, parsePriority, priorityReport, removeDir, waitFor } from './testing/fixtures.js';

describe('one-off run', () => {
  const id = `oneoff-${process.pid}`;
  let dir: string;
  before(() => {
    dir = makeAppDir();
  });
  after(() => {
    killInstances(id);
    removeDir(dir);
  });
  const spec = (command: string) => ({ id, command, cwd: join(dir, 'app'), vars: { GREETING: 'hi there' } });

  it('streams the output of a command run with the release variables in the build dir, and returns its exit code', async () => {
    const chunks: string[] = [];
    const code = await run(spec('echo "$GREETING from $(basename "$PWD")"; echo oops >&2; exit 7'), {
      onOutput: (c, stream) => chunks.push(`${stream}:${c.toString()}`),
    });
    assert.equal(code, 7);
    assert.ok(chunks.includes('stdout:hi there from app\n'), JSON.stringify(chunks));
    assert.ok(chunks.includes('stderr:oops\n'), JSON.stringify(chunks));
  });

  it('runs batch work (release commands, pipeline stages) at a lower CPU priority than instances', async () => {
    // $$ is the shell the one-off runs in, the leader of its own session.
    const priority = async (batch: boolean) => {
      let out = '';
      await run(spec(priorityReport(batch)), { batch, onOutput: (c) => (out += c.toString()) });
      return parsePriority(out);
    };
    const batch = await priority(true);
    assert.ok(batch.niceness >= BATCH_NICENESS, 'a batch one-off runs niced');
    // Which, in a session of its own under autogroups, only ranks it within that session.
    if (batch.session !== undefined) assert.equal(batch.session, BATCH_NICENESS, 'and so does its session');
    const plain = await priority(false);
    assert.equal(plain.niceness, getPriority(), '`wharf run` keeps the caller\'s priority');
    if (plain.session !== undefined) assert.equal(plain.session, 0);
  });

  it('returns 127 for a command that does not exist', async () => {
    assert.equal(await run(spec('no-such-command-wharf')), 127);
  });

  it('returns without waiting for background children, and stops them', async () => {
    let pid = 0;
    const code = await run(spec('sleep 30 & echo $!; exit 0'), { onOutput: (c) => (pid = Number(c.toString().trim())) });
    assert.equal(code, 0);
    assert.ok(pid > 0);
    await waitFor('the background sleep to be gone', () => readStat(pid) === undefined);
  });

  it('stops the whole group when aborted, with 128 + the signal as its status', async () => {
    const ac = new AbortController();
    const running = run(spec('echo started; sleep 30'), { signal: ac.signal, onOutput: () => ac.abort() });
    assert.equal(await running, 143);
  });
});
