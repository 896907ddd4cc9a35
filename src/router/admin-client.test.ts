import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { WharfError } from '../errors.js';
import { RouterAdminClient } from './admin-client.js';

describe('RouterAdminClient', () => {
  it('says the router is unreachable when nothing listens on the socket', async () => {
    const c = new RouterAdminClient(path.join(os.tmpdir(), `wharf-no-router-${process.pid}.sock`));
    await assert.rejects(c.metrics(), (e: unknown) => e instanceof WharfError && e.code === 'ROUTER_UNREACHABLE' && e.hint !== undefined);
  });

  it('gives up on a router that does not answer in time', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wharf-admin-'));
    const sock = path.join(dir, 'a.sock');
    const mute = net.createServer((s) => s.on('data', () => {}));
    await new Promise<void>((r) => mute.listen(sock, r));
    const c = new RouterAdminClient(sock, { timeoutMs: 100 });
    try {
      await assert.rejects(c.getTable(), (e: unknown) => e instanceof WharfError && e.code === 'ROUTER_UNREACHABLE');
    } finally {
      c.close();
      mute.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
