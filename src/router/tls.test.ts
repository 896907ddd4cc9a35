import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WharfError } from '../errors.js';
import { request, splitAddr } from './testing/client.js';
import { startRouter, type RunningRouter } from './testing/router-process.js';
import { route, table } from './testing/tables.js';
import { startEcho, type Upstream } from './testing/upstreams.js';

/** A self-signed certificate for `host`, made by the openssl CLI. */
function selfSigned(dir: string, host: string): { certFile: string; keyFile: string; cert: string } {
  const certFile = path.join(dir, `${host}.crt`);
  const keyFile = path.join(dir, `${host}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`, '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { certFile, keyFile, cert: fs.readFileSync(certFile, 'utf8') };
}

function get(addr: string, host: string, ca: string): Promise<{ status: number; body: string; subject: string }> {
  const [hostname, port] = splitAddr(addr);
  return new Promise((resolve, reject) => {
    const req = https.get({ hostname, port, path: '/secure', servername: host, headers: { host }, ca, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, subject: String((res.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN) }));
    });
    req.on('error', reject);
  });
}

describe('router: HTTPS termination and redirect', () => {
  let r: RunningRouter;
  let up: Upstream;
  let dir: string;
  let a: ReturnType<typeof selfSigned>;
  let b: ReturnType<typeof selfSigned>;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wharf-tls-'));
    a = selfSigned(dir, 'a.localhost');
    b = selfSigned(dir, 'b.localhost');
    up = await startEcho();
    r = await startRouter({ tls: true });
    const t = table(
      1,
      route('a', 'a.localhost', [{ release: 'v1', weight: 1, ports: [up.port] }], { httpsRedirect: true }),
      route('b', 'b.localhost', [{ release: 'v1', weight: 1, ports: [up.port] }]),
    );
    t.certificates = [
      { hosts: ['a.localhost'], certFile: a.certFile, keyFile: a.keyFile },
      { hosts: ['b.localhost'], certFile: b.certFile, keyFile: b.keyFile },
    ];
    await r.admin.pushTable(t);
  });
  after(async () => {
    await r?.stop();
    await up?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('terminates HTTPS with the certificate of the requested host and says so upstream', async () => {
    const ra = await get(r.https!, 'a.localhost', a.cert);
    assert.equal(ra.status, 200);
    assert.equal(ra.subject, 'a.localhost');
    assert.equal(JSON.parse(ra.body).headers['x-forwarded-proto'], 'https');
    const rb = await get(r.https!, 'b.localhost', b.cert);
    assert.equal(rb.subject, 'b.localhost');
  });

  it('redirects plain HTTP to HTTPS with 308 where the route asks for it', async () => {
    const res = await request(r.http, { host: 'a.localhost', path: '/x?y=1' });
    assert.equal(res.status, 308);
    assert.equal(res.headers.location, 'https://a.localhost/x?y=1');
    assert.equal((await request(r.http, { host: 'b.localhost' })).status, 200, 'routes without the flag serve HTTP');
  });

  it('refuses a table whose certificate file cannot be read, keeping the old certificates', async () => {
    const t = await r.admin.getTable();
    t.generation = 2;
    t.certificates = [{ hosts: ['a.localhost'], certFile: path.join(dir, 'missing.crt'), keyFile: a.keyFile }];
    await assert.rejects(r.admin.pushTable(t), (e: unknown) => e instanceof WharfError && e.code === 'SPEC_INVALID' && /certificates\.0/.test(e.message));
    assert.equal((await get(r.https!, 'a.localhost', a.cert)).status, 200);
  });
});
