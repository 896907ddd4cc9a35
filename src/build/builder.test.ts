import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isWharfError } from '../errors.js';
import type { OutputLine } from './build-log.js';
import { Builder, type BuildRequest } from './builder.js';
import { git, initRepo, steppingClock, tempDir, writeFiles } from './testing.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let n = 0;

/** A fresh builds folder and app repository for one test. */
async function setup(files: Record<string, string> = { 'index.js': 'console.log("hi")\n' }) {
  n += 1;
  const buildsDir = join(scratch.path, `builds-${n}`);
  const app = join(scratch.path, `app-${n}`);
  await mkdir(app);
  await initRepo(app, files);
  const builder = new Builder({ buildsDir, clock: steppingClock(), hostEnv: { PATH: process.env['PATH'], HOME: scratch.path, DAEMON_SECRET: 'do-not-leak' } });
  const request = (more: Partial<BuildRequest> = {}): BuildRequest => ({ app: 'shop', sourceDir: app, ...more });
  return { buildsDir, app, builder, request };
}

async function commit(repo: string, files: Record<string, string>): Promise<void> {
  await writeFiles(repo, files);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'change');
}

before(async () => {
  scratch = await tempDir('builder');
});
after(async () => {
  await scratch.remove();
});

describe('Builder.build', () => {
  it('runs the build command in the build directory and describes the build in a manifest', async () => {
    const { builder, request, app } = await setup();
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
    const { builder, request } = await setup({ 'index.js': 'x', 'lib/a.js': 'a' });
    const build = await builder.build(request({ buildCommand: 'echo built > built.txt && cp /bin/true setuid && chmod 4755 setuid' }));
    assert.equal((await lstat(join(build.dir, 'setuid'))).mode & 0o7777, 0o555, 'a sealed build carries no setuid program');
    const root = join(build.dir, '..');
    for (const path of [root, build.dir, join(build.dir, 'lib'), join(build.dir, 'lib/a.js'), join(build.dir, 'built.txt'), build.logFile]) {
      assert.equal((await lstat(path)).mode & 0o222, 0, `${path} is writable`);
    }
  });

  it('streams the output line by line and stores it in the build log', async () => {
    const { builder, request } = await setup();
    const lines: OutputLine[] = [];
    const build = await builder.build(request({ buildCommand: 'echo one; echo two >&2; printf three', onOutput: (l) => lines.push(l) }));
    const output = lines.filter((l) => l.stream !== 'wharf');
    assert.deepEqual(output.filter((l) => l.stream === 'stdout').map((l) => l.text), ['one', 'three']);
    assert.deepEqual(output.filter((l) => l.stream === 'stderr').map((l) => l.text), ['two']);
    const log = await readFile(build.logFile, 'utf8');
    for (const text of ['one', 'two', 'three']) assert.match(log, new RegExp(`^${text}$`, 'm'));
    assert.match(log, new RegExp(`^wharf: building ${build.id} from commit [0-9a-f]{12}$`, 'm'));
  });

  it('runs the command with a clean environment, not the daemon\'s', async () => {
    const { builder, request, app } = await setup();
    const build = await builder.build(request({ buildCommand: 'env > env.txt', env: { NODE_ENV: 'production' } }));
    const env = Object.fromEntries(
      (await readFile(join(build.dir, 'env.txt'), 'utf8')).trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2)),
    );
    assert.equal(env['DAEMON_SECRET'], undefined);
    assert.equal(env['PATH'], process.env['PATH']);
    assert.equal(env['HOME'], scratch.path);
    assert.equal(env['WHARF_APP'], 'shop');
    assert.equal(env['NODE_ENV'], 'production');
    assert.equal(env['SOURCE_VERSION'], git(app, 'rev-parse', 'HEAD').trim());
  });

  it('returns the cached build for an unchanged tree and rebuilds when the tree changes', async () => {
    const { builder, request, app } = await setup();
    const runs = join(scratch.path, `runs-${n}.txt`);
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
    const { builder, request } = await setup(files);
    const plain = join(scratch.path, `plain-${n}`);
    await writeFiles(plain, files);
    const fromGit = await builder.build(request());
    const fromFolder = await builder.build(request({ sourceDir: plain }));
    assert.equal(fromGit.source.origin, 'git');
    assert.equal(fromFolder.id, fromGit.id);
    assert.equal(fromFolder.cached, true);
  });

  it('builds uncommitted changes when asked to', async () => {
    const { builder, request, app } = await setup();
    await writeFile(join(app, 'index.js'), 'uncommitted');
    const build = await builder.build(request({ includeUncommitted: true }));
    assert.equal(build.source.uncommitted, true);
    assert.equal(await readFile(join(build.dir, 'index.js'), 'utf8'), 'uncommitted');
  });

  it('fails a build whose command fails with its exit code and last lines, leaving no build behind', async () => {
    const { builder, request, buildsDir } = await setup();
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

  it('cancels a running build when its signal aborts, leaving no build behind', async () => {
    const { builder, request } = await setup();
    const controller = new AbortController();
    const cancelled = builder.build(
      request({
        buildCommand: 'echo started; sleep 30',
        signal: controller.signal,
        onOutput: (line) => line.text === 'started' && controller.abort(),
      }),
    );
    await assert.rejects(cancelled, (e: unknown) => isWharfError(e) && e.code === 'BUILD_FAILED' && /cancelled/.test(e.message));
    assert.deepEqual(await builder.list('shop'), []);
  });

  it('keeps building when an output watcher throws, and logs that streaming stopped', async () => {
    const { builder, request } = await setup();
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
    const { builder, request, app } = await setup();
    await mkdir(join(app, 'new-app'));
    await writeFile(join(app, 'new-app', 'index.js'), 'not committed');
    await assert.rejects(
      builder.build(request({ sourceDir: join(app, 'new-app') })),
      (e: unknown) => isWharfError(e) && e.code === 'BUILD_FAILED' && /nothing to build/.test(e.message) && /include-uncommitted/.test(e.hint ?? ''),
    );
  });

  it('kills what the build command left running in the background', { timeout: 30_000 }, async () => {
    const { builder, request } = await setup();
    const build = await builder.build(request({ buildCommand: 'sleep 300 & echo $! > sleeper.pid' }));
    const pid = Number(await readFile(join(build.dir, 'sleeper.pid'), 'utf8'));
    assert.equal(await eventually(() => !isRunning(pid)), true, `process ${pid} still runs`);
  });

  it('does not wait for a process that left the build\'s group and holds its output open', { timeout: 30_000 }, async () => {
    const { builder, request } = await setup();
    const build = await builder.build(request({ buildCommand: 'setsid sleep 300 & echo $! > escaped.pid; echo done' }));
    const pid = Number(await readFile(join(build.dir, 'escaped.pid'), 'utf8'));
    try {
      assert.match(await readFile(build.logFile, 'utf8'), /^done$/m);
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });

  it('lets concurrent builds of the same source end with one intact build', async () => {
    const { builder, request, buildsDir } = await setup();
    const other = new Builder({ buildsDir, clock: steppingClock(), hostEnv: { PATH: process.env['PATH'] } });
    const command = 'for i in $(seq 1 200); do echo "$$" >> out.txt; done';
    const results = await Promise.all([builder.build(request({ buildCommand: command })), other.build(request({ buildCommand: command })), builder.build(request({ buildCommand: command }))]);
    assert.equal(new Set(results.map((b) => b.id)).size, 1);
    assert.equal(results.filter((b) => !b.cached).length >= 1, true);
    const lines = (await readFile(join(results[0]!.dir, 'out.txt'), 'utf8')).trim().split('\n');
    assert.equal(lines.length, 200);
    assert.equal(new Set(lines).size, 1, 'out.txt mixes the output of two builds');
    assert.deepEqual((await builder.list('shop')).map((b) => b.id), [results[0]!.id]);
    assert.deepEqual(await readdir(join(buildsDir, '.staging')), []);
  });

  it('runs the command as the unprivileged build user and seals the tree as the daemon\'s', { skip: process.getuid?.() !== 0 && 'needs root' }, async () => {
    const { request, buildsDir } = await setup();
    await chmod(scratch.path, 0o711); // mkdtemp makes it 0700; the build user must reach its HOME below it
    const nobody = { uid: 65534, gid: 65534 };
    const builder = new Builder({ buildsDir, runAs: nobody, hostEnv: { PATH: process.env['PATH'], HOME: '/root', USER: 'root' } });
    const build = await builder.build(request({ buildCommand: 'id -u > uid.txt; id -G > groups.txt; echo "$HOME" > home.txt; touch "$HOME/cache"' }));
    assert.equal((await readFile(join(build.dir, 'uid.txt'), 'utf8')).trim(), '65534');
    assert.equal((await readFile(join(build.dir, 'groups.txt'), 'utf8')).trim(), '65534', 'root\'s supplementary groups were kept');
    assert.equal((await readFile(join(build.dir, 'home.txt'), 'utf8')).trim(), join(buildsDir, '.home'));
    assert.equal((await lstat(join(buildsDir, '.home', 'cache'))).uid, 65534);
    for (const path of [build.dir, join(build.dir, 'uid.txt'), join(build.dir, 'index.js')]) {
      assert.equal((await lstat(path)).uid, 0, `${path} still belongs to the build user`);
    }
  });

  it('fails cleanly when the disk fills while the log is written', { skip: process.getuid?.() !== 0 && 'needs root to mount' }, async (t) => {
    const { request } = await setup();
    const small = join(scratch.path, `small-disk-${n}`);
    await mkdir(small);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', small], { stdio: 'ignore' });
    } catch {
      t.skip('cannot mount a tmpfs here');
      return;
    }
    try {
      const builder = new Builder({ buildsDir: small, hostEnv: { PATH: process.env['PATH'] } });
      await assert.rejects(
        builder.build(request({ buildCommand: 'i=0; while [ $i -lt 20000 ]; do echo "line $i of a build that talks a lot"; i=$((i+1)); done' })),
        (e: unknown) => isWharfError(e) && e.code === 'BUILD_FAILED' && /log could not be written/.test(e.message),
      );
      assert.deepEqual(await builder.list('shop'), []);
      assert.deepEqual(await readdir(join(small, '.staging')), []);
    } finally {
      execFileSync('umount', [small]);
    }
  });

  it('refuses an app name that is not a DNS label', async () => {
    const { builder, request } = await setup();
    await assert.rejects(builder.build(request({ app: '../etc' })), (e: unknown) => isWharfError(e) && e.code === 'BAD_REQUEST');
  });
});

describe('Builder.collect', () => {
  it('keeps the newest builds of each app and every build in use', async () => {
    const { builder, request, app } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      await commit(app, { 'version.txt': String(i) });
      ids.push((await builder.build(request())).id);
    }
    const blog = await builder.build(request({ app: 'blog' }));
    const removed = await builder.collect(new Set([ids[0]!]));
    assert.deepEqual(removed, [ids[1]!]);
    assert.deepEqual((await builder.list('shop')).map((b) => b.id), [...ids.slice(2).reverse(), ids[0]!]);
    assert.deepEqual((await builder.list('blog')).map((b) => b.id), [blog.id]);
    assert.equal(await builder.get(ids[1]!), undefined);
  });

  it('removes staging left behind by a builder that died', async () => {
    const { builder, buildsDir } = await setup();
    const deadPid = await pidOfFinishedProcess();
    await mkdir(join(buildsDir, '.staging', `${deadPid}-abandoned`, 'app'), { recursive: true });
    await mkdir(join(buildsDir, '.staging', `${process.pid}-in-progress`), { recursive: true });
    await builder.collect(new Set());
    assert.deepEqual(await readdir(join(buildsDir, '.staging')), [`${process.pid}-in-progress`]);
  });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed child of an exited shell may linger as a zombie until init reaps it: that is not running.
  return !/\) Z /.test(readFileSyncSafe(`/proc/${pid}/stat`));
}

function readFileSyncSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function eventually(condition: () => boolean, attempts = 100): Promise<boolean> {
  for (let i = 0; i < attempts; i += 1) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

async function pidOfFinishedProcess(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}
