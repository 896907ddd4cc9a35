import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WharfError } from '../../errors.js';
import type { Handler } from './context.js';
import { Router } from './router.js';

const named = (name: string): Handler => Object.assign(() => name, { routeName: name });
const nameOf = (h: Handler): string => (h as Handler & { routeName: string }).routeName;

function found(router: Router, method: string, path: string): { name: string; params: Record<string, string> } {
  const m = router.match(method, path);
  assert.equal(m.kind, 'found', `${method} ${path} should match`);
  return { name: nameOf(m.handler), params: m.params };
}

describe('Router', () => {
  const router = new Router([
    { method: 'GET', path: '/apps', handler: named('list-apps') },
    { method: 'GET', path: '/apps/:app', handler: named('get-app') },
    { method: 'DELETE', path: '/apps/:app', handler: named('delete-app') },
    { method: 'POST', path: '/apps/:app/envs/:env/plan', handler: named('plan') },
    { method: 'GET', path: '/apps/:app/envs/:env/events', handler: named('events') },
    { method: 'GET', path: '/apps/new/template', handler: named('template') },
    { method: 'GET', path: '/', handler: named('root') },
  ]);

  it('extracts every :param of the matched pattern', () => {
    assert.deepEqual(found(router, 'POST', '/apps/shop/envs/production/plan'), {
      name: 'plan',
      params: { app: 'shop', env: 'production' },
    });
  });

  it('percent-decodes parameter values', () => {
    assert.deepEqual(found(router, 'GET', '/apps/my%20shop').params, { app: 'my shop' });
  });

  it('prefers a literal segment but falls back to the parameter when the literal leads nowhere', () => {
    assert.equal(found(router, 'GET', '/apps/new/template').name, 'template');
    assert.deepEqual(found(router, 'GET', '/apps/new'), { name: 'get-app', params: { app: 'new' } });
  });

  it('ignores one trailing slash and routes the root', () => {
    assert.equal(found(router, 'GET', '/apps/').name, 'list-apps');
    assert.equal(found(router, 'GET', '/').name, 'root');
  });

  it('answers HEAD with the GET handler', () => {
    assert.equal(found(router, 'HEAD', '/apps/shop').name, 'get-app');
  });

  it('says not-found for unknown paths, extra segments and empty parameters', () => {
    for (const path of ['/nope', '/apps/shop/envs', '/apps/shop/envs/production/plan/x', '/apps//envs/p/plan']) {
      assert.deepEqual(router.match('GET', path), { kind: 'not-found' }, path);
    }
  });

  it('says method-not-allowed with the allowed methods when only the method is wrong', () => {
    assert.deepEqual(router.match('PUT', '/apps/shop'), { kind: 'method-not-allowed', allow: ['DELETE', 'GET', 'HEAD'] });
    assert.deepEqual(router.match('GET', '/apps/shop/envs/staging/plan'), { kind: 'method-not-allowed', allow: ['POST'] });
  });

  it('rejects a malformed percent-escape as the client’s error', () => {
    assert.throws(
      () => router.match('GET', '/apps/%E0%A4%A'),
      (e: unknown) => e instanceof WharfError && e.code === 'BAD_REQUEST',
    );
  });

  it('refuses a route registered twice and two parameter names at one place', () => {
    assert.throws(() => new Router().add('GET', '/a/:x', named('1')).add('GET', '/a/:x', named('2')), /already routed/);
    assert.throws(() => new Router().add('GET', '/a/:x', named('1')).add('POST', '/a/:y', named('2')), /conflicts/);
    assert.throws(() => new Router().add('GET', 'a', named('1')), /must start with/);
    assert.throws(() => new Router().add('GET', '/a/:', named('1')), /not a parameter name/);
  });
});
