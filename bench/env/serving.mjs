// "Staging serves": every web service answers through the router on its environment's own
// host with what proves the environment (its Redis prefix names it, the secret's digest is
// production's), and one of them reads production's row count from ITS OWN database and
// production's marker from its own Redis, through the URLs Wharf gave it.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { APP, copyHost } from './fixture.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const digest = (v) => createHash('sha256').update(v).digest('hex').slice(0, 12);

/** GET through the router with a Host header; resolves { status, body }, or status 0 when nothing answered. */
export function get(port, host, pathname) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, headers: { host }, agent: false, timeout: 15_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: e.message }));
  });
}

/**
 * @param {{ port: number, services: string[], env: string, secret: string, rows?: number, marker?: string }} o
 * @returns {() => Promise<undefined | { sample: string, why?: string }>} one look; a value when the environment serves
 */
export function servingCheck({ port, services, env, secret, rows, marker }) {
  const prefix = `${APP}:${env}:cache:`;
  return async () => {
    const answers = await Promise.all(services.map((s) => get(port, copyHost(s, env), '/')));
    for (const [i, a] of answers.entries()) {
      const [name, keyPrefix, , secretDigest] = a.body.split(' ');
      if (a.status !== 200 || name !== services[i] || keyPrefix !== prefix || secretDigest !== digest(secret)) return { why: `${services[i]}: ${a.status} ${a.body.slice(0, 120)}` };
    }
    const probe = copyHost(services[0], env);
    const [db, cache] = await Promise.all([get(port, probe, '/db'), get(port, probe, '/cache')]);
    if (db.status !== 200 || (rows !== undefined && db.body !== String(rows))) return { why: `${services[0]} /db: ${db.status} ${db.body.slice(0, 120)}` };
    if (cache.status !== 200 || (marker !== undefined && cache.body !== marker)) return { why: `${services[0]} /cache: ${cache.status} ${cache.body.slice(0, 120)}` };
    return { sample: answers[0].body, rows: Number(db.body), marker: cache.body };
  };
}

/** Looks every `pollMs` until `look()` resolves a value without `why`; resolves it with the epoch ms it was first seen. */
export async function waitUntil(look, timeoutMs, what, pollMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await look();
    if (last && last.why === undefined) return { ...last, at: Date.now() };
    await sleep(pollMs);
  }
  throw new Error(`${what}: not after ${timeoutMs} ms (last: ${last?.why})`);
}
