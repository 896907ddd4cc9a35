import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BuilderScratch, commit, pidOfFinishedProcess } from './builder-fixture.js';

const scratch = new BuilderScratch();
after(() => scratch.remove());

describe('Builder.collect', () => {
  it('keeps the newest builds of each app and every build in use', async () => {
    const { builder, request, app } = await scratch.fixture();
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
    const { builder, buildsDir } = await scratch.fixture();
    const deadPid = await pidOfFinishedProcess();
    await mkdir(join(buildsDir, '.staging', `${deadPid}-abandoned`, 'app'), { recursive: true });
    await mkdir(join(buildsDir, '.staging', `${process.pid}-in-progress`), { recursive: true });
    await builder.collect(new Set());
    assert.deepEqual(await readdir(join(buildsDir, '.staging')), [`${process.pid}-in-progress`]);
  });
});
