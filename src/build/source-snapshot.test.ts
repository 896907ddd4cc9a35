import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, readlink, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gitEnvironment } from './build-env.js';
import { materialize, type Materialized } from './materialize.js';
import { takeSnapshot, type SourceSnapshot } from './source-snapshot.js';
import { git, initRepo, tempDir, writeFiles } from './testing.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let counter = 0;

async function snapshotOf(dir: string, includeUncommitted = false): Promise<SourceSnapshot & Materialized & { out: string; paths: string[] }> {
  const snapshot = await takeSnapshot(dir, { includeUncommitted, gitEnv: gitEnvironment(process.env) });
  const out = join(scratch.path, `out-${(counter += 1)}`);
  await mkdir(out);
  const written = await materialize(snapshot.entries, out);
  return { ...snapshot, ...written, out, paths: written.records.map((r) => r.path).sort() };
}

async function newDir(name: string): Promise<string> {
  const dir = join(scratch.path, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

before(async () => {
  scratch = await tempDir('snapshot');
});
after(async () => {
  await scratch.remove();
});

describe('snapshot of a git checkout', () => {
  it('takes the tree committed at HEAD, not the working tree', async () => {
    const repo = await newDir('committed');
    await initRepo(repo, { 'index.js': 'v1', 'lib/util.js': 'util' });
    await writeFiles(repo, { 'index.js': 'v2 uncommitted', 'scratch.txt': 'untracked' });
    const snap = await snapshotOf(repo);
    assert.equal(snap.origin, 'git');
    assert.equal(snap.commit, git(repo, 'rev-parse', 'HEAD').trim());
    assert.deepEqual(snap.paths, ['index.js', 'lib/util.js']);
    assert.equal(await readFile(join(snap.out, 'index.js'), 'utf8'), 'v1');
  });

  it('takes tracked changes and untracked files that git does not ignore when asked to', async () => {
    const repo = await newDir('uncommitted');
    await initRepo(repo, { 'index.js': 'v1', 'gone.js': 'x', '.gitignore': 'secrets.env\n' });
    await writeFiles(repo, { 'index.js': 'v2', 'new.js': 'new', 'secrets.env': 'KEY=1' });
    await unlink(join(repo, 'gone.js'));
    const snap = await snapshotOf(repo, true);
    assert.equal(snap.uncommitted, true);
    assert.deepEqual(snap.paths, ['.gitignore', 'index.js', 'new.js']);
    assert.equal(await readFile(join(snap.out, 'index.js'), 'utf8'), 'v2');
  });

  it('takes only the app folder when it is a subfolder of the repository', async () => {
    const repo = await newDir('monorepo');
    await initRepo(repo, { 'apps/shop/index.js': 'shop', 'apps/blog/index.js': 'blog', 'README.md': 'root' });
    assert.deepEqual((await snapshotOf(join(repo, 'apps/shop'))).paths, ['index.js']);
    assert.deepEqual((await snapshotOf(join(repo, 'apps/shop'), true)).paths, ['index.js']);
  });

  it('applies .wharfignore to committed files, in any folder', async () => {
    const repo = await newDir('wharfignore');
    await initRepo(repo, {
      '.wharfignore': 'docs/\n*.psd\n',
      'docs/guide.md': 'guide',
      'art/logo.psd': 'psd',
      'src/.wharfignore': 'fixtures/\n',
      'src/fixtures/big.json': '{}',
      'src/app.js': 'app',
    });
    assert.deepEqual((await snapshotOf(repo)).paths, ['.wharfignore', 'src/.wharfignore', 'src/app.js']);
  });

  it('keeps the executable bit and in-tree symlinks, and leaves out links that leave the tree', async () => {
    const repo = await newDir('modes');
    await initRepo(repo, { 'bin/start': '#!/bin/sh\necho hi\n', 'config.json': '{}' });
    await chmod(join(repo, 'bin/start'), 0o755);
    await symlink('config.json', join(repo, 'current.json'));
    await symlink('/etc/passwd', join(repo, 'passwd'));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'modes and links');
    const snap = await snapshotOf(repo);
    assert.equal(snap.records.find((r) => r.path === 'bin/start')?.kind, 'executable');
    assert.equal(await readlink(join(snap.out, 'current.json')), 'config.json');
    assert.deepEqual(snap.skippedLinks, ['passwd -> /etc/passwd']);
    assert.equal(snap.paths.includes('passwd'), false);
  });

  it('takes file names with spaces, newlines and non-ASCII characters as they are', async () => {
    const repo = await newDir('names');
    const names = ['a name with spaces.txt', 'line\nbreak.txt', 'ünïcödé/日本.txt', 'tab\there.txt'];
    await initRepo(repo, Object.fromEntries(names.map((name) => [name, name])));
    for (const uncommitted of [false, true]) {
      const snap = await snapshotOf(repo, uncommitted);
      assert.deepEqual(snap.paths, [...names].sort());
      for (const name of names) assert.equal(await readFile(join(snap.out, name), 'utf8'), name);
    }
  });

  it('refuses, with a hint, a repository git will not read because another user owns it', { skip: process.getuid?.() !== 0 && 'needs root to chown' }, async () => {
    const repo = await newDir('dubious');
    await initRepo(repo, { 'index.js': 'x' });
    execFileSync('chown', ['-R', '65534:65534', repo]);
    // A HOME of our own: the machine's ~/.gitconfig might trust every directory.
    const gitEnv = { PATH: process.env['PATH'], HOME: await newDir('empty-home'), GIT_CONFIG_NOSYSTEM: '1' };
    await assert.rejects(
      takeSnapshot(repo, { includeUncommitted: false, gitEnv }),
      (e: Error & { code?: string; hint?: string }) => e.code === 'BUILD_FAILED' && /safe\.directory/.test(e.hint ?? ''),
    );
  });

  it('refuses a repository with no commit unless uncommitted files are asked for', async () => {
    const repo = await newDir('empty-repo');
    git(repo, 'init', '-q');
    await writeFiles(repo, { 'index.js': 'x' });
    await assert.rejects(snapshotOf(repo), (e: Error & { code?: string }) => e.code === 'BUILD_FAILED');
    assert.deepEqual((await snapshotOf(repo, true)).paths, ['index.js']);
  });
});

describe('snapshot of a plain folder', () => {
  it('honours .gitignore and .wharfignore: negation, folders, anchoring and nesting', async () => {
    const dir = await newDir('plain');
    await writeFiles(dir, {
      '.gitignore': 'node_modules/\n*.log\n!important.log\n/local.txt\ndist/\n',
      '.wharfignore': '!dist/\ntests/\n',
      'node_modules/left-pad/index.js': 'x',
      'debug.log': 'x',
      'important.log': 'kept',
      'local.txt': 'x',
      'sub/local.txt': 'kept: the pattern is anchored to the root',
      'dist/bundle.js': 'kept: .wharfignore re-includes what git ignores',
      'tests/a.test.js': 'x',
      'src/.gitignore': '*.tmp\n',
      'src/a.tmp': 'x',
      'src/a.js': 'kept',
      '.git/config': 'x',
    });
    assert.deepEqual((await snapshotOf(dir)).paths, [
      '.gitignore',
      '.wharfignore',
      'dist/bundle.js',
      'important.log',
      'src/.gitignore',
      'src/a.js',
      'sub/local.txt',
    ]);
  });

  it('leaves out exactly what git would, for nested .gitignore files', async () => {
    const dir = await newDir('same-as-git');
    await writeFiles(dir, {
      '.gitignore': '*.log\n!keep*.log\nbuild/\n/top.txt\ndocs/**/draft-*\ncache\n# a comment\n\\#literal\n',
      'a.log': '', 'keep-me.log': '', 'top.txt': '', 'nested/top.txt': '', '#literal': '',
      'build/x.js': '', 'src/build/y.js': '', 'src/build.js': '',
      'docs/a/b/draft-1.md': '', 'docs/final.md': '', 'cache/c': '', 'src/cache': '',
      'src/.gitignore': '!a.log\n/local/\n*.tmp\n',
      'src/a.log': '', 'src/local/x': '', 'src/deeper/local/y': '', 'src/z.tmp': '', 'z.tmp': '',
      'src/deeper/.gitignore': '!*.tmp\n',
      'src/deeper/w.tmp': '',
      'vendor/.gitignore': '*\n!.gitignore\n!kept.js\n',
      'vendor/kept.js': '', 'vendor/dropped.js': '',
    });
    const ours = (await snapshotOf(dir)).paths;
    git(dir, 'init', '-q');
    const gits = git(dir, 'ls-files', '-z', '--others', '--exclude-standard').split('\0').filter(Boolean).sort();
    assert.deepEqual(ours, gits);
  });

  it('never follows a symlink out of the folder', async () => {
    const outside = await newDir('outside');
    await writeFiles(outside, { 'secret.txt': 'host secret' });
    const dir = await newDir('links');
    await writeFiles(dir, { 'app.js': 'app', 'data/a.txt': 'a' });
    await symlink(outside, join(dir, 'escape-dir'));
    await symlink('../outside/secret.txt', join(dir, 'escape-file'));
    await symlink('data', join(dir, 'data-link'));
    const snap = await snapshotOf(dir);
    assert.deepEqual(snap.paths, ['app.js', 'data-link', 'data/a.txt']);
    assert.deepEqual(snap.skippedLinks.sort(), [`escape-dir -> ${outside}`, 'escape-file -> ../outside/secret.txt']);
  });

  it('fails clearly when the folder does not exist', async () => {
    await assert.rejects(snapshotOf(join(scratch.path, 'missing')), (e: Error & { code?: string }) => e.code === 'BAD_REQUEST');
  });
});
