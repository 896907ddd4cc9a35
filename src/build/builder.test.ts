import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isWharfError } from '../errors.js';
import type { OutputLine } from './build-log.js';
import { BuilderScratch, commit } from './builder-fixture.js';
import { git, writeFiles } from './testing.js';

const scratch = new BuilderScratch();
after(() => scratch.remove());

describe('Builder.build', () => {
  it('runs the build command in the build directory and describes the build in a manifest', async () => {
    const { builder, request, app } = await scratch.fixture();
    const build = await builder.build(request({ buildCommand: 'mkdir out && cp index.js out/main.js' }));
    assert.equal(build.cached, false);
    assert.match(build.id, /^shop-[0-9a-f]{12}$/);
    assert.equal(build.sourceHash.startsWith(build.id.slice('shop-'.length)), true);
    assert.equal(build.command, 'mkdir out && cp index.js out/main.js');
    assert.deepEqual(build.source, { origin: 'git', commit: git(app, 'rev-parse', 'HEAD').trim(), uncommitted: false });
    assert.equal(await readFile(join(build.dir, 'out/main.js'), 'utf8'), 'console.log("hi")\n');
    assert.equal(build.sizeBytes, 2 * 'console.log("hi")\n'.length);
    assert.equal(build.files, 2);
    const { cached: _cached, ...stored } = build;
    assert.deepEqual(await builder.get(build.id), stored);
  });

  it('seals a finished build read-only and without setuid programs', async () => {
    const { builder, request } = await scratch.fixture({ 'index.js': 'x', 'lib/a.js': 'a' });
    const build = await builder.build(request({ buildCommand: 'echo built > built.txt && cp /bin/true setuid && chmod 4755 setuid' }));
    assert.equal((await lstat(join(build.dir, 'setuid'))).mode & 0o7777, 0o555, 'a sealed build carries no setuid program');
    const root = join(build.dir, '..');
    for (const path of [root, build.dir, join(build.dir, 'lib'), join(build.dir, 'lib/a.js'), join(build.dir, 'built.txt'), build.logFile]) {
      assert.equal((await lstat(path)).mode & 0o222, 0, `${path} is writable`);
    }
  });

  it('streams the output line by line and stores it in the build log', async () => {
    const { builder, request } = await scratch.fixture();
    const lines: OutputLine[] = [];
    const build = await builder.build(request({ buildCommand: 'echo one; echo two >&2; printf three', onOutput: (l) => lines.push(l) }));
    const output = lines.filter((l) => l.stream !== 'wharf');
    assert.deepEqual(output.filter((l) => l.stream === 'stdout').map((l) => l.text), ['one', 'three']);
    assert.deepEqual(output.filter((l) => l.stream === 'stderr').map((l) => l.text), ['two']);
    const log = await readFile(build.logFile, 'utf8');
    for (const text of ['one', 'two', 'three']) assert.match(log, new RegExp(`^${text}$`, 'm'));
    assert.match(log, new RegExp(`^wharf: building ${build.id} from commit [0-9a-f]{12}$`, 'm'));
  });

  it('returns the cached build for an unchanged tree and rebuilds when the tree changes', async () => {
    const { builder, request, app } = await scratch.fixture();
    const runs = scratch.unique('runs.txt');
    const command = `echo ran >> ${runs}`;
    const first = await builder.build(request({ buildCommand: command }));
    await writeFile(join(app, 'untracked.txt'), 'not committed, so not part of the source');
    const notes: string[] = [];
    const second = await builder.build(request({ buildCommand: command, onOutput: (l) => notes.push(l.text) }));
    assert.equal(second.cached, true);
    assert.deepEqual(notes, [`source unchanged: reusing build ${first.id}`]);
    assert.equal(second.id, first.id);
    assert.equal((await readFile(runs, 'utf8')).split('\n').filter(Boolean).length, 1);

    await commit(app, { 'index.js': 'changed' });
    const third = await builder.build(request({ buildCommand: command }));
    assert.equal(third.cached, false);
    assert.notEqual(third.id, first.id);
    assert.equal((await readFile(runs, 'utf8')).split('\n').filter(Boolean).length, 2);
    const withCommand = await builder.build(request({ buildCommand: `${command} # another command` }));
    assert.notEqual(withCommand.id, third.id);
  });

  it('gives the same source the same build, whether it came from git or a plain folder', async () => {
    const files = { 'index.js': 'same', 'lib/a.js': 'a' };
    const { builder, request } = await scratch.fixture(files);
    const plain = scratch.unique('plain');
    await writeFiles(plain, files);
    const fromGit = await builder.build(request());
    const fromFolder = await builder.build(request({ sourceDir: plain }));
    assert.equal(fromGit.source.origin, 'git');
    assert.equal(fromFolder.id, fromGit.id);
    assert.equal(fromFolder.cached, true);
  });

  it('builds uncommitted changes when asked to', async () => {
    const { builder, request, app } = await scratch.fixture();
    await writeFile(join(app, 'index.js'), 'uncommitted');
    const build = await builder.build(request({ includeUncommitted: true }));
    assert.equal(build.source.uncommitted, true);
    assert.equal(await readFile(join(build.dir, 'index.js'), 'utf8'), 'uncommitted');
  });

  it('fails a build whose command fails with its exit code and last lines, leaving no build behind', async () => {
    const { builder, request, buildsDir } = await scratch.fixture();
    const lines: OutputLine[] = [];
    const failing = builder.build(
      request({ buildCommand: 'for i in $(seq 1 30); do echo line $i; done; echo boom >&2; exit 3', onOutput: (l) => lines.push(l) }),
    );
    await assert.rejects(failing, (error: unknown) => {
      assert.ok(isWharfError(error));
      assert.equal(error.code, 'BUILD_FAILED');
      assert.match(error.message, /exited with code 3/);
      const details = error.details as { exitCode: number; tail: string[] };
      assert.equal(details.exitCode, 3);
      assert.equal(details.tail.at(-1), 'boom');
      assert.equal(details.tail.length, 20);
      return true;
    });
    assert.equal(lines.some((l) => l.text === 'boom' && l.stream === 'stderr'), true);
    assert.deepEqual(await builder.list('shop'), []);
    assert.deepEqual(await readdir(join(buildsDir, '.staging')), []);
  });

  it('keeps building when an output watcher throws, and logs that streaming stopped', async () => {
    const { builder, request } = await scratch.fixture();
    const build = await builder.build(
      request({
        buildCommand: 'echo one; echo two',
        onOutput: () => {
          throw new Error('client went away');
        },
      }),
    );
    assert.match(await readFile(build.logFile, 'utf8'), /stopped streaming output: client went away[\s\S]*two/);
  });

  it('refuses to build a folder with nothing committed in it', async () => {
    const { builder, request, app } = await scratch.fixture();
    await mkdir(join(app, 'new-app'));
    await writeFile(join(app, 'new-app', 'index.js'), 'not committed');
    await assert.rejects(
      builder.build(request({ sourceDir: join(app, 'new-app') })),
      (e: unknown) => isWharfError(e) && e.code === 'BUILD_FAILED' && /nothing to build/.test(e.message) && /include-uncommitted/.test(e.hint ?? ''),
    );
  });

  it('refuses an app name that is not a DNS label', async () => {
    const { builder, request } = await scratch.fixture();
    await assert.rejects(builder.build(request({ app: '../etc' })), (e: unknown) => isWharfError(e) && e.code === 'BAD_REQUEST');
  });
});
