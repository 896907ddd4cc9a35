import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RouteIndex, hostName } from './route-match.js';

const routes = [
  { id: 'root', hosts: ['app.localhost'], pathPrefix: '/' },
  { id: 'api', hosts: ['app.localhost'], pathPrefix: '/api/' },
  { id: 'wild', hosts: ['*.example.com'] },
  { id: 'exact', hosts: ['www.example.com'] },
];
const index = new RouteIndex(routes);
const match = (host: string | undefined, path: string): string | undefined => index.match(host, path)?.id;

describe('RouteIndex', () => {
  it('routes the longest matching path prefix on segment boundaries', () => {
    assert.equal(match('app.localhost', '/api'), 'api');
    assert.equal(match('app.localhost', '/api/users?x=1'), 'api');
    assert.equal(match('app.localhost', '/api?x=1'), 'api');
    assert.equal(match('app.localhost', '/apix'), 'root');
    assert.equal(match('app.localhost', '/'), 'root');
  });

  it('prefers an exact host over a wildcard, and a wildcard covers exactly one label', () => {
    assert.equal(match('www.example.com', '/'), 'exact');
    assert.equal(match('shop.example.com', '/'), 'wild');
    assert.equal(match('a.b.example.com', '/'), undefined);
    assert.equal(match('example.com', '/'), undefined);
  });

  it('ignores the port, letter case and a trailing dot of the Host header', () => {
    assert.equal(match('APP.localhost:8080', '/'), 'root');
    assert.equal(match('app.localhost.', '/'), 'root');
    assert.equal(match(undefined, '/'), undefined);
  });

  it('keeps IPv6 literals whole when stripping the port', () => {
    assert.equal(hostName('[::1]:8080'), '[::1]');
  });
});
