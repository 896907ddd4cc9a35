import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BATCH_NICENESS } from '../defaults.js';
import { isWharfError } from '../errors.js';
import { Builder } from './builder.js';
import { BuilderScratch, eventually, isRunning } from './builder-fixture.js';
import { git, steppingClock } from './testing.js';
import { parsePriority, priorityReport } from '../runtime/testing/fixtures.js';

const scratch = new BuilderScratch();
after(() => scratch.remove());

describe('Builder.build, the build process', () => {
  it('runs the command with a clean environment, not the daemon\'s', async () => {
    const { builder, request, app } = await scratch.fixture();
    const build = await builder.build(request({ buildCommand: 'env > env.txt', env: { NODE_ENV: 'production' } }));
    const env = Object.fromEntries(
      (await readFile(join(build.dir, 'env.txt'), 'utf8')).trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2)),
    );
    assert.equal(env['DAEMON_SECRET'], undefined);
    assert.equal(env['PATH'], process.env['PATH']);
    assert.equal(env['HOME'], scratch.root);
    assert.equal(env['WHARF_APP'], 'shop');
    assert.equal(env['NODE_ENV'], 'production');
    assert.equal(env['SOURCE_VERSION'], git(app, 'rev-parse', 'HEAD').trim());
  });

  it('runs the build command at a lower CPU priority than the instances serving traffic', async () => {
    const { builder, request } = await scratch.fixture();
    const build = await builder.build(request({ buildCommand: `${priorityReport(true)} > nice.txt` }));
    const { niceness, session } = parsePriority(await readFile(join(build.dir, 'nice.txt'), 'utf8'));
    assert.ok(niceness >= BATCH_NICENESS);
    if (session !== undefined) assert.equal(session, BATCH_NICENESS, 'its session too: under autogroups, niceness alone ranks it only within it');
  });

  it('cancels a running build when its signal aborts, leaving no build behind', async () => {
    const { builder, request } = await scratch.fixture();
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

  it('kills what the build command left running in the background', { timeout: 30_000 }, async () => {
    const { builder, request } = await scratch.fixture();
    const build = await builder.build(request({ buildCommand: 'sleep 300 & echo $! > sleeper.pid' }));
    const pid = Number(await readFile(join(build.dir, 'sleeper.pid'), 'utf8'));
    assert.equal(await eventually(() => !isRunning(pid)), true, `process ${pid} still runs`);
  });

  it('does not wait for a process that left the build\'s group and holds its output open', { timeout: 30_000 }, async () => {
    const { builder, request } = await scratch.fixture();
    const build = await builder.build(request({ buildCommand: 'setsid sleep 300 & echo $! > escaped.pid; echo done' }));
    const pid = Number(await readFile(join(build.dir, 'escaped.pid'), 'utf8'));
    try {
      assert.match(await readFile(build.logFile, 'utf8'), /^done$/m);
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });

  it('lets concurrent builds of the same source end with one intact build', async () => {
    const { builder, request, buildsDir } = await scratch.fixture();
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
    const { request, buildsDir } = await scratch.fixture();
    await chmod(scratch.root, 0o711); // mkdtemp makes it 0700; the build user must reach its HOME below it
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
    const { request } = await scratch.fixture();
    const small = scratch.unique('small-disk');
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
});
