import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median, ms, summary, table } from './stats.mjs';

describe('stats', () => {
  it('takes the middle of an odd count and the mean of the middle two of an even one, ignoring gaps', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([undefined, 7, NaN]), 7);
    assert.equal(median([]), undefined);
  });

  it('summarises median, min and max over the values present', () => {
    assert.deepEqual(summary([3, undefined, 1, 2]), { median: 2, min: 1, max: 3, n: 3 });
  });

  it('writes milliseconds below a second and seconds above', () => {
    assert.equal(ms(812.4), '812 ms');
    assert.equal(ms(1.2345), '1.23 ms', 'a p99 of a few ms keeps its decimals');
    assert.equal(ms(2270), '2.27 s');
    assert.equal(ms(undefined), '–');
  });

  it('renders a markdown table with a separator row', () => {
    assert.equal(table(['a', 'b'], [['1', '2']]), '| a | b |\n| --- | --- |\n| 1 | 2 |');
  });
});
