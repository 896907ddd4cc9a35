import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSafeRelativePath, kindFromMode, symlinkStaysInside } from './snapshot-entry.js';

describe('symlinkStaysInside', () => {
  const cases: { name: string; links: Record<string, string>; link: string; inside: boolean }[] = [
    { name: 'keeps a link to a sibling', links: { 'a/l': 'x.txt' }, link: 'a/l', inside: true },
    { name: 'keeps a link up to the root', links: { 'a/b/l': '../../x' }, link: 'a/b/l', inside: true },
    { name: 'refuses a link above the root', links: { 'a/l': '../../x' }, link: 'a/l', inside: false },
    { name: 'refuses an absolute link', links: { l: '/etc/passwd' }, link: 'l', inside: false },
    { name: 'refuses an empty target', links: { l: '' }, link: 'l', inside: false },
    { name: 'refuses a link that escapes through another link', links: { l: 'out/x', out: '/etc' }, link: 'l', inside: false },
    {
      name: 'refuses a link whose dot-dots climb out after following another link',
      links: { 'x/y/s': '../../z', L: 'x/y/s/../..' },
      link: 'L',
      inside: false,
    },
    { name: 'follows a link that stays inside', links: { L: 's/f', s: 'd/e' }, link: 'L', inside: true },
    { name: 'refuses a loop', links: { a: 'b', b: 'a' }, link: 'a', inside: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(symlinkStaysInside(c.link, new Map(Object.entries(c.links))), c.inside);
    });
  }
});

describe('isSafeRelativePath', () => {
  it('accepts nested relative paths', () => assert.equal(isSafeRelativePath('a/b/c.txt'), true));
  for (const bad of ['', '/etc/passwd', '../x', 'a/../../x', 'a//b', './a', 'a/.']) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(isSafeRelativePath(bad), false));
  }
});

describe('kindFromMode', () => {
  it('records a file its owner may run as executable', () => assert.equal(kindFromMode(0o100744), 'executable'));
  it('records other files as plain files', () => assert.equal(kindFromMode(0o100655), 'file'));
});
