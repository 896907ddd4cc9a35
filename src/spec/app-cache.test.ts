import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WharfError } from '../errors.js';
import { AppCache } from './app-cache.js';

const spec = (instances: number) => `app: shop\nservices:\n  web:\n    run: node server.js\n    instances: ${instances}\n`;

describe('the daemon\'s cache of loaded apps', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'wharf-app-cache-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  function appDir(name: string, text: string): string {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'wharf.yaml'), text);
    return dir;
  }

  it('hands out the same loaded app while the spec is unchanged', () => {
    const dir = appDir('same', spec(2));
    const cache = new AppCache();
    const first = cache.load(dir);
    assert.equal(cache.load(dir), first);
    assert.equal(first.environments.get('production')!.services['web']!.instances, 2);
  });

  it('reads the spec again when its content changes, even with the same size and mtime', () => {
    const dir = appDir('edited', spec(2));
    const file = join(dir, 'wharf.yaml');
    const { atime, mtime } = statSync(file);
    const cache = new AppCache();
    assert.equal(cache.load(dir).environments.get('production')!.services['web']!.instances, 2);
    writeFileSync(file, spec(3));
    utimesSync(file, atime, mtime);
    assert.equal(cache.load(dir).environments.get('production')!.services['web']!.instances, 3);
  });

  it('keeps no invalid spec: every load reports its problems, and the fixed spec loads', () => {
    const dir = appDir('broken', spec(2).replace('instances', 'instance'));
    const cache = new AppCache();
    for (let i = 0; i < 2; i++) {
      assert.throws(() => cache.load(dir), (e: WharfError) => e.code === 'SPEC_INVALID' && /wharf.yaml:5:5 services.web.instance: unknown key "instance"/.test(e.message));
    }
    writeFileSync(join(dir, 'wharf.yaml'), spec(4));
    assert.equal(cache.load(dir).environments.get('production')!.services['web']!.instances, 4);
  });

  it('reads Procfile apps and missing folders through the loader as before', () => {
    const dir = join(root, 'heroku');
    mkdirSync(dir);
    writeFileSync(join(dir, 'Procfile'), 'web: node server.js\n');
    const cache = new AppCache();
    assert.equal(cache.load(dir).file, 'Procfile');
    assert.throws(() => cache.load(join(root, 'nowhere')), (e: WharfError) => e.code === 'SPEC_NOT_FOUND');
    assert.throws(() => cache.load(root), (e: WharfError) => e.code === 'SPEC_NOT_FOUND' && /no wharf.yaml or Procfile/.test(e.message));
  });

  it('forgets the least recently used app beyond its capacity', () => {
    const a = appDir('lru-a', spec(1));
    const b = appDir('lru-b', spec(1));
    const c = appDir('lru-c', spec(1));
    const cache = new AppCache(2);
    const first = cache.load(a);
    cache.load(b);
    assert.equal(cache.load(a), first, 'a is used again, so b is now the oldest');
    const bBefore = cache.load(b);
    cache.load(c); // evicts a
    assert.equal(cache.load(b), bBefore);
    assert.notEqual(cache.load(a), first);
  });
});
