import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WharfError } from '../errors.js';
import { parseHostPort, parseRouterArgs } from './args.js';

describe('parseRouterArgs', () => {
  it('reads the required and optional flags', () => {
    const a = parseRouterArgs(['--data-dir', '/d', '--listen', ':8080', '--admin-socket', '/d/a.sock', '--listen-tls', '127.0.0.1:8443']);
    assert.deepEqual(a.listen, { host: '0.0.0.0', port: 8080 });
    assert.deepEqual(a.listenTls, { host: '127.0.0.1', port: 8443 });
    assert.equal(a.metrics, undefined);
    assert.equal(a.handoff, false);
  });

  it('reports every missing or malformed flag together', () => {
    assert.throws(
      () => parseRouterArgs(['--listen', 'nope', '--metrics', '1.2.3.4:99999']),
      (e: unknown) => e instanceof WharfError && e.code === 'USAGE' && (e.details as string[]).length === 4,
    );
  });

  it('parses IPv6 listen addresses in brackets', () => {
    assert.deepEqual(parseHostPort('[::1]:80'), { host: '::1', port: 80 });
    assert.equal(parseHostPort('::1:80'), undefined);
  });
});
