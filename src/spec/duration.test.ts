import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatDuration, parseDuration } from './duration.js';
import { formatSize, parseSize, suggestSize } from './size.js';

describe('durations', () => {
  const table: [string, number | undefined][] = [
    ['500ms', 500], ['2s', 2_000], ['1m30s', 90_000], ['1.5h', 5_400_000], ['0s', 0], ['10m', 600_000],
    ['2', undefined], ['', undefined], ['2 s', undefined], ['-1s', undefined], ['2S', undefined],
    ['1d', undefined], ['s', undefined], ['1.s', undefined], ['2s ', undefined], ['1µs', undefined],
  ];
  for (const [text, ms] of table) {
    it(`reads ${JSON.stringify(text)} as ${ms === undefined ? 'not a duration' : `${ms} ms`}`, () => {
      assert.equal(parseDuration(text), ms);
    });
  }
  it('formats every whole number of milliseconds back to text that parses to it', () => {
    fc.assert(fc.property(fc.nat(10 * 86_400_000), (ms) => parseDuration(formatDuration(ms)) === ms));
  });
});

describe('sizes', () => {
  const table: [string, number | undefined][] = [
    ['512Mi', 512 * 1024 ** 2], ['1Gi', 1024 ** 3], ['1.5Gi', 1.5 * 1024 ** 3], ['100M', 1e8], ['64Ki', 65_536],
    ['512', undefined], ['512MB', undefined], ['512mi', undefined], ['1.3Ki', undefined], ['-1Gi', undefined], ['Gi', undefined],
  ];
  for (const [text, bytes] of table) {
    it(`reads ${JSON.stringify(text)} as ${bytes === undefined ? 'not a size' : `${bytes} bytes`}`, () => {
      assert.equal(parseSize(text), bytes);
    });
  }
  it('suggests the binary unit for the usual mistakes', () => {
    assert.equal(suggestSize('512MB'), '512Mi');
    assert.equal(suggestSize('1gb'), '1Gi');
    assert.equal(suggestSize('lots'), undefined);
  });
  it('formats sizes in the largest exact binary unit', () => {
    assert.equal(formatSize(512 * 1024 ** 2), '512Mi');
    assert.equal(formatSize(1536), '1536');
    fc.assert(fc.property(fc.integer({ min: 1, max: 4096 }), (mi) => parseSize(formatSize(mi * 1024 ** 2)) === mi * 1024 ** 2));
  });
});
