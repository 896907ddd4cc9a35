import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { RouterAdminClient } from './admin-client.js';
import { request } from './testing/client.js';
import { startRouter, waitFor, type RunningRouter } from './testing/router-process.js';
import { route, table } from './testing/tables.js';
import { startEcho, type Upstream } from './testing/upstreams.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('router: zero-downtime restart by socket hand-off', () => {
  let r: RunningRouter;
  let up: Upstream;
  let newPid = 0;

  before(async () => {
    up = await startEcho();
    r = await startRouter({ metrics: true });
    await r.admin.pushTable(table(1, route('web', 'web.localhost', [{ release: 'v1', weight: 1, ports: [up.port] }])));
  });
  after(async () => {
    if (newPid > 0 && alive(newPid)) {
      process.kill(newPid, 'SIGTERM');
      await waitFor('the new router to exit', () => !alive(newPid)).catch(() => process.kill(newPid, 'SIGKILL'));
    }
    await r?.stop();
    await up?.close();
  });

  it('hands the listening sockets to a new process under load without failing a request', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    let ok = 0;
    const failures: string[] = [];
    let running = true;
    const client = async (n: number): Promise<void> => {
      while (running) {
        const post = n % 4 === 0;
        try {
          const res = await request(r.http, { host: 'web.localhost', path: `/load/${n}`, agent, ...(post ? { method: 'POST', body: 'payload' } : {}) });
          if (res.status === 200) ok++;
          else failures.push(`status ${res.status}`);
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
    };
    const clients = Array.from({ length: 16 }, (_, i) => client(i));
    await waitFor('load to start', () => ok > 200);
    const before = ok;
    const { pid } = await r.admin.restart();
    newPid = pid;
    assert.notEqual(pid, r.pid);
    const fresh = new RouterAdminClient(r.adminSocket);
    try {
      await waitFor('the new process to serve requests', async () => (await fresh.metrics()).routes[0]!.requests['2xx'] > 100);
      await waitFor('the old process to drain and exit', () => r.child.exitCode !== null);
      const afterExit = ok;
      await waitFor('more requests after the old process left', () => ok > afterExit + 200);
      running = false;
      await Promise.all(clients);
      agent.destroy();
      assert.deepEqual(failures, []);
      assert.ok(ok > before + 400, `served ${ok} requests`);
      const m = await fresh.metrics();
      assert.equal(m.pid, pid, 'the admin socket now belongs to the new process');
      assert.equal(m.generation, 1, 'the new process restored the table from disk');
      assert.equal(r.child.exitCode, 0);
    } finally {
      running = false;
      fresh.close();
    }
  });

  it('keeps accepting new connections on the same address after the hand-off', async () => {
    assert.equal((await request(r.http, { host: 'web.localhost' })).status, 200);
  });
});
