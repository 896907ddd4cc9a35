import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatLine, logPath, META_FILE, type LogMeta } from './log-line.js';
import { readLogs } from './log-reader.js';
import { followLogs } from './log-follow.js';

const T0 = Date.UTC(2026, 10, 22, 1, 0, 0);

function instanceDir(root: string, meta: LogMeta, lines: [number, string][], generation = 0): string {
  const dir = join(root, meta.id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, META_FILE), JSON.stringify(meta));
  appendFileSync(logPath(dir, generation), lines.map(([t, s]) => formatLine(T0 + t, s)).join(''));
  return dir;
}

describe('log reader', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'wharf-read-'));
    const web1 = { id: 'demo.test.web.1', app: 'demo', env: 'test', service: 'web', release: 1 };
    instanceDir(root, web1, [[0, 'w1 a'], [2_000, 'w1 b']], 1);
    instanceDir(root, web1, [[4_000, 'w1 c']]);
    instanceDir(root, { ...web1, id: 'demo.test.web.2', release: 2 }, [[1_000, 'w2 a'], [4_000, 'w2 b']]);
    instanceDir(root, { ...web1, id: 'demo.test.worker.1', service: 'worker' }, [[3_000, 'k a']]);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('merges every instance by time, across rotated files, tagged by instance', () => {
    const lines = readLogs({ dirs: [root] });
    assert.deepEqual(
      lines.map((l) => `${l.instance} ${l.text}`),
      ['demo.test.web.1 w1 a', 'demo.test.web.2 w2 a', 'demo.test.web.1 w1 b', 'demo.test.worker.1 k a', 'demo.test.web.1 w1 c', 'demo.test.web.2 w2 b'],
    );
  });

  it('filters by service, since and tail', () => {
    assert.deepEqual(readLogs({ dirs: [root], service: 'worker' }).map((l) => l.text), ['k a']);
    assert.deepEqual(readLogs({ dirs: [root], since: T0 + 2_000 }).map((l) => l.text), ['w1 b', 'k a', 'w1 c', 'w2 b']);
    assert.deepEqual(readLogs({ dirs: [root], tail: 2, service: 'web' }).map((l) => l.text), ['w1 c', 'w2 b']);
  });

  it('follows new lines, new instances and rotation until aborted', async () => {
    const ac = new AbortController();
    const seen: string[] = [];
    const meta = { id: 'demo.test.web.9', app: 'demo', env: 'test', service: 'web', release: 3 };
    const follower = (async () => {
      for await (const batch of followLogs({ dirs: [root], service: 'web', tail: 1, pollMs: 20, signal: ac.signal })) {
        seen.push(...batch.map((l) => l.text));
        if (seen.length === 1) {
          instanceDir(root, meta, [[5_000, 'new instance']]);
          const dir = join(root, 'demo.test.web.1');
          appendFileSync(logPath(dir), formatLine(T0 + 6_000, 'before rotation'));
          renameSync(logPath(dir, 1), logPath(dir, 2));
          renameSync(logPath(dir), logPath(dir, 1));
          appendFileSync(logPath(dir), formatLine(T0 + 7_000, 'after rotation'));
        }
        if (seen.length >= 4) ac.abort();
      }
    })();
    await follower;
    assert.deepEqual(seen, ['w2 b', 'new instance', 'before rotation', 'after rotation']);
  });
});
