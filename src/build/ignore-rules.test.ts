import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IgnoreRules, anchorAt } from './ignore-rules.js';

function rules(layers: Record<string, string>): IgnoreRules {
  const r = new IgnoreRules();
  for (const [dir, text] of Object.entries(layers)) r.add(dir, text);
  return r;
}

describe('IgnoreRules', () => {
  const cases: { name: string; layers: Record<string, string>; path: string; dir?: boolean; excluded: boolean }[] = [
    { name: 'a plain pattern matches at any depth', layers: { '': '*.log' }, path: 'a/b/debug.log', excluded: true },
    { name: 'negation re-includes a file', layers: { '': '*.log\n!keep.log' }, path: 'keep.log', excluded: false },
    { name: 'a leading slash anchors to the ignore file\'s folder', layers: { '': '/root.txt' }, path: 'sub/root.txt', excluded: false },
    { name: 'an anchored pattern matches at its folder', layers: { '': '/root.txt' }, path: 'root.txt', excluded: true },
    { name: 'a trailing slash matches directories only', layers: { '': 'build/' }, path: 'build', dir: false, excluded: false },
    { name: 'a trailing slash excludes the directory', layers: { '': 'build/' }, path: 'build', dir: true, excluded: true },
    { name: 'files inside an excluded directory are excluded', layers: { '': 'build/' }, path: 'build/out/app.js', excluded: true },
    { name: 'a deeper ignore file overrides a shallower one', layers: { '': '*.log', sub: '!debug.log' }, path: 'sub/debug.log', excluded: false },
    { name: 'a deeper ignore file does not reach its siblings', layers: { '': '*.log', sub: '!debug.log' }, path: 'other/debug.log', excluded: true },
    { name: 'patterns of a subfolder are relative to it', layers: { sub: '/only-here.txt' }, path: 'sub/only-here.txt', excluded: true },
    { name: 'patterns of a subfolder do not apply above it', layers: { sub: '/only-here.txt' }, path: 'only-here.txt', excluded: false },
    {
      name: 'nothing inside an excluded directory can be re-included',
      layers: { '': 'vendor/', vendor: '!keep.js' },
      path: 'vendor/keep.js',
      excluded: true,
    },
    { name: 'a double star matches any depth', layers: { '': 'docs/**/*.md' }, path: 'docs/a/b/c.md', excluded: true },
    { name: 'the .git folder is always excluded', layers: {}, path: '.git/config', excluded: true },
    { name: 'an unmatched file is kept', layers: { '': '*.log' }, path: 'src/index.js', excluded: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(rules(c.layers).excludes(c.path, c.dir ?? false), c.excluded);
    });
  }
});

describe('anchorAt', () => {
  const cases: [string, string, string][] = [
    ['sub', '*.log', '/sub/**/*.log'],
    ['sub', '!keep.log', '!/sub/**/keep.log'],
    ['sub', '/only.txt', '/sub/only.txt'],
    ['sub', 'a/b', '/sub/a/b'],
    ['sub', 'build/', '/sub/**/build/'],
    ['a/b', '\\#hash', '/a/b/**/#hash'],
    ['we[ir]d*', 'x', '/we\\[ir\\]d\\*/**/x'],
  ];
  for (const [base, pattern, rooted] of cases) {
    it(`rewrites ${pattern} in ${base}/ as ${rooted}`, () => assert.equal(anchorAt(base, pattern), rooted));
  }

  it('matches a folder with glob characters in its name literally', () => {
    const r = new IgnoreRules();
    r.add('we[ir]d*', '*.tmp');
    assert.equal(r.excludes('we[ir]d*/a.tmp', false), true);
    assert.equal(r.excludes('wed/a.tmp', false), false);
  });

  it('matches case-sensitively, as git does on Linux', () => {
    const r = new IgnoreRules();
    r.add('', '*.LOG');
    assert.equal(r.excludes('a.log', false), false);
  });
});
