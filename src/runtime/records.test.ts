import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceSpec, InstanceStatus } from './driver.js';
import { toInstanceRecord, toRecordedInstance } from './records.js';

describe('instance records', () => {
  const spec: InstanceSpec = {
    id: 'shop.production.web.v3.1a2b',
    app: 'shop',
    env: 'production',
    service: 'web',
    release: 3,
    command: 'node server.js',
    cwd: '/srv/builds/abc',
    vars: {},
    port: 20_001,
    logDir: '/var/log/wharf/shop/production/shop.production.web.v3.1a2b',
  };
  const status: InstanceStatus = { id: spec.id, state: 'healthy', pid: 4242, pidStartTime: 98765, port: 20_001, restarts: 2, reason: 'health-passed', adopted: false };

  it('records what recover needs to find the same process again, and gets it back', () => {
    const record = toInstanceRecord(spec, status, 1_000, 2_000);
    assert.deepEqual(record, {
      id: spec.id, app: 'shop', env: 'production', service: 'web', release: 3, state: 'healthy',
      pid: 4242, pidStartTime: 98765, port: 20_001, restarts: 2, reason: 'health-passed', createdAt: 1_000, updatedAt: 2_000,
    });
    assert.deepEqual(toRecordedInstance(record, spec), { spec, state: 'healthy', pid: 4242, pidStartTime: 98765, restarts: 2 });
  });
});
