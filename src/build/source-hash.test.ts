import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { digestOf, sourceHash, type EntryRecord } from './source-hash.js';

const base: EntryRecord[] = [
  { path: 'index.js', kind: 'file', digest: digestOf(Buffer.from('console.log(1)')) },
  { path: 'bin/start', kind: 'executable', digest: digestOf(Buffer.from('#!/bin/sh')) },
  { path: 'current', kind: 'symlink', digest: digestOf(Buffer.from('index.js')) },
];
const hashOf = (entries: EntryRecord[], command: string | undefined = 'make', env: Record<string, string> = {}): string =>
  sourceHash({ entries, command, env });

describe('sourceHash', () => {
  it('does not depend on the order the entries were read in', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(base, { minLength: base.length, maxLength: base.length }), (shuffled) => {
        assert.equal(hashOf(shuffled), hashOf(base));
      }),
    );
  });

  const changes: [string, () => string][] = [
    ['a path', () => hashOf([{ ...base[0]!, path: 'main.js' }, base[1]!, base[2]!])],
    ['a mode', () => hashOf([{ ...base[0]!, kind: 'executable' }, base[1]!, base[2]!])],
    ['a content', () => hashOf([{ ...base[0]!, digest: digestOf(Buffer.from('console.log(2)')) }, base[1]!, base[2]!])],
    ['a removed file', () => hashOf([base[0]!, base[1]!])],
    ['the command', () => hashOf(base, 'make all')],
    ['a build variable', () => hashOf(base, 'make', { NODE_ENV: 'production' })],
  ];
  for (const [what, changed] of changes) {
    it(`changes when ${what} changes`, () => assert.notEqual(changed(), hashOf(base)));
  }

  it('tells no build command from an empty one', () => {
    assert.notEqual(sourceHash({ entries: base, command: undefined, env: {} }), hashOf(base, ''));
  });

  it('keeps path and contents apart, so moving bytes between them changes the hash', () => {
    const a = sourceHash({ entries: [{ path: 'a', kind: 'file', digest: 'bc' }], command: undefined, env: {} });
    const b = sourceHash({ entries: [{ path: 'ab', kind: 'file', digest: 'c' }], command: undefined, env: {} });
    assert.notEqual(a, b);
  });
});
