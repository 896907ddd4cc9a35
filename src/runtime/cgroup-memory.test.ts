import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectCgroupV2, leafName } from './cgroup-memory.js';

// The kernel's cgroupfs is a file protocol; a temp dir stands in for it to check what we
// write where. (This host mounts cgroup v1, so the RSS fallback is what runs here.)
describe('cgroup v2 memory limits', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'wharf-cg-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is not used when the unified hierarchy has no memory controller', () => {
    assert.equal(detectCgroupV2(root), undefined);
    writeFileSync(join(root, 'cgroup.controllers'), 'cpu io pids\n');
    assert.equal(detectCgroupV2(root), undefined);
  });

  it('enables memory for its subtree and puts each instance in a leaf with memory.max', () => {
    writeFileSync(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    const cg = detectCgroupV2(root);
    assert.ok(cg);
    assert.equal(readFileSync(join(root, 'cgroup.subtree_control'), 'utf8'), '+memory');
    assert.equal(cg.attach('shop.production.web/1', 4242, 256 * 1024 * 1024), true);
    const leaf = join(root, 'wharf', leafName('shop.production.web/1'));
    assert.equal(readFileSync(join(leaf, 'memory.max'), 'utf8'), String(256 * 1024 * 1024));
    assert.equal(readFileSync(join(leaf, 'cgroup.procs'), 'utf8'), '4242');
    assert.equal(readFileSync(join(leaf, 'memory.oom.group'), 'utf8'), '1');
    assert.equal(cg.oomKilled('shop.production.web/1'), false);
    writeFileSync(join(leaf, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
    assert.equal(cg.oomKilled('shop.production.web/1'), true);
  });
});
