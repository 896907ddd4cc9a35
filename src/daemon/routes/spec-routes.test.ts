import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiTransport } from '../../client/transport.js';
import { WharfClient } from '../../client/wharf-client.js';
import { WharfError } from '../../errors.js';
import { renderPlan } from '../../plan/render.js';
import { RecordingTarget } from '../../targets/recording/recording-target.js';
import { startDaemon, type Daemon } from '../daemon.js';

const SPEC = 'app: shop\nservices:\n  web:\n    run: node server.js\n    routes:\n      - path: /\n  worker:\n    run: node worker.js\n';

describe('POST /v1/plan over the daemon\'s socket', () => {
  let root: string;
  let appDir: string;
  let daemon: Daemon;
  let client: WharfClient;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'wharf-spec-routes-'));
    chmodSync(root, 0o711);
    appDir = join(root, 'app');
    mkdirSync(appDir);
    writeFileSync(join(appDir, 'wharf.yaml'), SPEC);
    daemon = await startDaemon({ dataDir: join(root, 'data'), target: new RecordingTarget() });
    client = new WharfClient(new ApiTransport({ socketPath: daemon.socketPath }));
  });
  after(async () => {
    await daemon?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('renders the plan as `wharf plan` prints it when asked for text, with or without colour', async () => {
    const { plan } = await client.plan({ dir: appDir });
    for (const color of [false, true]) {
      const rendered = await client.planText({ dir: appDir, color });
      assert.equal(rendered.text, renderPlan(plan, { color }));
      assert.deepEqual({ ...rendered, text: undefined }, { app: 'shop', env: 'production', text: undefined, changes: true, summary: plan.summary, hash: plan.hash });
    }
    assert.match(renderPlan(plan, { color: false }), /\+ service "web" \{/);
  });

  it('says there are no changes once the spec is applied, and sees an edit to the spec at once', async () => {
    await client.apply({ dir: appDir });
    const applied = await client.planText({ dir: appDir, color: false });
    assert.equal(applied.changes, false);
    assert.equal(applied.text, 'No changes. shop/production matches the spec.\n');
    writeFileSync(join(appDir, 'wharf.yaml'), SPEC.replace('node worker.js', 'node worker2.js'));
    const edited = await client.planText({ dir: appDir, color: false });
    assert.equal(edited.changes, true);
    assert.match(edited.text, /~ run += "node worker.js" -> "node worker2.js"/);
  });

  it('refuses a format it does not know', async () => {
    await assert.rejects(
      new ApiTransport({ socketPath: daemon.socketPath }).request('POST', '/v1/plan', { dir: appDir, format: 'xml' }),
      (e: WharfError) => e.code === 'BAD_REQUEST' && /body.format: expected "json" or "text", got "xml"/.test(e.message),
    );
  });
});
