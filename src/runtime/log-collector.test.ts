import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogCollector, MAX_LINE_BYTES } from './log-collector.js';
import { logPath, rawPath } from './log-line.js';
import { logFiles } from './log-reader.js';

describe('log collector', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wharf-logs-'));
    writeFileSync(rawPath(dir), '');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('timestamps complete lines into the log and trims the raw file once consumed', () => {
    const c = new LogCollector(dir, { maxBytes: 1 << 20, maxFiles: 3, trimAfterBytes: 1, now: () => Date.UTC(2026, 0, 2, 3, 4, 5, 6) });
    appendFileSync(rawPath(dir), 'one\r\ntwo\n');
    c.poll();
    assert.equal(readFileSync(logPath(dir), 'utf8'), '2026-01-02T03:04:05.006Z one\n2026-01-02T03:04:05.006Z two\n');
    assert.equal(statSync(rawPath(dir)).size, 0);
    appendFileSync(rawPath(dir), 'thr');
    c.poll();
    appendFileSync(rawPath(dir), 'ee\n');
    c.poll();
    assert.match(readFileSync(logPath(dir), 'utf8'), /Z three\n$/);
    c.close();
  });

  it('lets the next collector resume where the last one stopped: nothing twice, nothing lost', () => {
    const first = new LogCollector(dir, { maxBytes: 1 << 20, maxFiles: 3 });
    appendFileSync(rawPath(dir), 'a\nb\nhalf a li');
    first.poll();
    first.close(); // the daemon dies here, mid-line
    appendFileSync(rawPath(dir), 'ne\nc\n');
    const second = new LogCollector(dir, { maxBytes: 1 << 20, maxFiles: 3 });
    second.poll();
    const texts = readFileSync(logPath(dir), 'utf8').trimEnd().split('\n').map((l) => l.slice(25));
    assert.deepEqual(texts, ['a', 'b', 'half a line', 'c']);
    second.close();
  });

  it('splits a line longer than the limit so memory stays bounded', () => {
    const c = new LogCollector(dir, { maxBytes: 1 << 20, maxFiles: 2 });
    appendFileSync(rawPath(dir), 'y'.repeat(MAX_LINE_BYTES * 2 + 10));
    c.poll();
    const lines = readFileSync(logPath(dir), 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 2);
    c.flush();
    assert.equal(readFileSync(logPath(dir), 'utf8').trimEnd().split('\n').length, 3);
    c.close();
  });

  it('bounds the disk by rotating into at most N files', () => {
    const c = new LogCollector(dir, { maxBytes: 4_000, maxFiles: 3 });
    for (let i = 0; i < 200; i++) {
      appendFileSync(rawPath(dir), `line ${i} ${'z'.repeat(80)}\n`);
      if (i % 10 === 0) c.poll();
    }
    c.poll();
    const files = logFiles(dir);
    assert.equal(files.length, 3);
    for (const f of files) assert.ok(statSync(f).size <= 4_000, `${f} is ${statSync(f).size} bytes`);
    assert.match(readFileSync(logPath(dir), 'utf8'), /line 199 /);
    c.close();
  });

  it('reports a full disk once and keeps going, then writes again when there is room', () => {
    const errors: unknown[] = [];
    symlinkSync('/dev/full', logPath(dir)); // every write fails with ENOSPC
    const c = new LogCollector(dir, { maxBytes: 1 << 20, maxFiles: 2, onError: (e) => errors.push(e) });
    appendFileSync(rawPath(dir), 'a\n');
    c.poll();
    appendFileSync(rawPath(dir), 'b\n');
    c.poll();
    assert.equal(errors.length, 1);
    assert.equal((errors[0] as NodeJS.ErrnoException).code, 'ENOSPC');
    assert.equal(c.dropped, 2);
    rmSync(logPath(dir));
    appendFileSync(rawPath(dir), 'c\n');
    c.poll();
    assert.match(readFileSync(logPath(dir), 'utf8'), /Z c\n$/);
    c.close();
  });
});
