import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCpuHierarchy, hostIdleCpuGroup, IDLE_GROUP_NAME, openIdleCpuGroup } from './cpu-idle-group.js';
import { waitFor } from './testing/fixtures.js';

const MOUNTS_V1 = [
  '30 25 0:26 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  '31 25 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '32 25 0:28 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
].join('\n');
const MOUNTS_V2 = '29 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate';

describe('the cpu hierarchy', () => {
  it('is v1\'s cpu controller on a hybrid host, with our path in it', () => {
    assert.deepEqual(findCpuHierarchy(MOUNTS_V1, '4:memory:/box\n1:cpu:/\n0::/\n'), { version: 1, mount: '/sys/fs/cgroup/cpu', path: '/' });
    const joint = '40 25 0:30 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct';
    assert.deepEqual(findCpuHierarchy(joint, '3:cpu,cpuacct:/system.slice/wharf.service\n'), { version: 1, mount: '/sys/fs/cgroup/cpu,cpuacct', path: '/system.slice/wharf.service' });
  });

  it('is the unified hierarchy on a v2 host, relative to what a container sees of it', () => {
    assert.deepEqual(findCpuHierarchy(MOUNTS_V2, '0::/system.slice/wharf.service\n'), { version: 2, mount: '/sys/fs/cgroup', path: '/system.slice/wharf.service' });
    const container = '29 23 0:26 /kubepods/pod1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw';
    assert.deepEqual(findCpuHierarchy(container, '0::/kubepods/pod1\n'), { version: 2, mount: '/sys/fs/cgroup', path: '/' });
    assert.deepEqual(findCpuHierarchy(container, '0::/kubepods/pod1/app\n'), { version: 2, mount: '/sys/fs/cgroup', path: '/app' });
    assert.deepEqual(findCpuHierarchy(container, '0::/kubepods/pod12\n'), { version: 2, mount: '/sys/fs/cgroup', path: '/kubepods/pod12' }, 'not a prefix of a name');
  });

  it('is none without cgroups', () => {
    assert.equal(findCpuHierarchy('22 1 0:21 / /proc rw - proc proc rw', ''), undefined);
  });
});

// The kernel's cgroupfs is a file protocol; a temp dir stands in for it to check what we write where.
describe('the idle CPU group', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'wharf-cpu-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('on v1, is a child of our cgroup with cpu.idle set', () => {
    mkdirSync(join(root, 'wharf.service'));
    const group = openIdleCpuGroup({ version: 1, mount: root, path: '/wharf.service' });
    assert.ok(group);
    assert.equal(readFileSync(join(root, 'wharf.service', IDLE_GROUP_NAME, 'cpu.idle'), 'utf8'), '1');
    assert.equal(group.enter(4242), true);
    assert.equal(readFileSync(join(root, 'wharf.service', IDLE_GROUP_NAME, 'cgroup.procs'), 'utf8'), '4242');
  });

  it('on v2, only from the root, with the cpu controller enabled below it', () => {
    assert.equal(openIdleCpuGroup({ version: 2, mount: root, path: '/system.slice/wharf.service' }), undefined);
    writeFileSync(join(root, 'cgroup.controllers'), 'io memory pids\n');
    assert.equal(openIdleCpuGroup({ version: 2, mount: root, path: '/' }), undefined, 'no cpu controller');
    writeFileSync(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    assert.ok(openIdleCpuGroup({ version: 2, mount: root, path: '/' }));
    assert.equal(readFileSync(join(root, 'cgroup.subtree_control'), 'utf8'), '+cpu');
    assert.equal(readFileSync(join(root, IDLE_GROUP_NAME, 'cpu.idle'), 'utf8'), '1');
  });

  it('is none where the kernel refuses the group', () => {
    assert.equal(openIdleCpuGroup({ version: 1, mount: join(root, 'missing', '\0'), path: '/' }), undefined);
  });
});

const host = hostIdleCpuGroup();
describe('the idle CPU group of this host', { skip: !host && 'no cpu cgroup we may create here (needs root)' }, () => {
  it('holds a process group with what it forks, and lets all of it go', async () => {
    // A shell that forks a sleep after it has been moved: the child starts in the group.
    const child = spawn('sh', ['-c', 'read x; sleep 30 & wait'], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    const pid = child.pid!;
    try {
      assert.equal(host!.enter(pid), true);
      child.stdin.end('go\n');
      const kid = await waitFor('the forked sleep', () => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number)[0]);
      assert.equal(host!.holds(pid), true);
      assert.equal(host!.holds(kid), true, 'forked inside the group');
      assert.match(readFileSync(`/proc/${kid}/cgroup`, 'utf8'), new RegExp(`/${IDLE_GROUP_NAME}\\n`));
      host!.leave(pid);
      assert.equal(host!.holds(pid), false);
      assert.equal(host!.holds(kid), false, 'the whole process group left');
      assert.equal(host!.enter(2 ** 22 + 1), false, 'no such process');
    } finally {
      process.kill(-pid, 'SIGKILL');
    }
  });
});
