// The app bench/env clones: 40 services (web ×20 with routes and health checks, workers ×20),
// a Postgres and a Redis add-on, the size of the staging environment one of our reference
// teams built by hand.
import fs from 'node:fs';
import path from 'node:path';

// Every web service runs this file with its own name. `/` answers with what proves its
// environment: the Redis key prefix Wharf gave it (it names the environment), a digest of
// its DATABASE_URL and of the SIGNING_KEY secret (never the values), and GREETING. `/db`
// asks the environment's own Postgres through psql; `/cache` reads a marker from its Redis.
const WEB = `import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
const name = process.argv[2];
const digest = (v) => createHash('sha256').update(v || '').digest('hex').slice(0, 12);
const proof = [name, process.env.REDIS_KEY_PREFIX, digest(process.env.DATABASE_URL), digest(process.env.SIGNING_KEY), process.env.GREETING].join(' ');
const answer = (res, err, out) => { res.writeHead(err ? 500 : 200); res.end(err ? String(err.message).split('\\n')[0] : out.trim()); };
const server = createServer((req, res) => {
  if (req.url === '/healthz') return res.end('ok');
  if (req.url === '/db') return execFile('psql', [process.env.DATABASE_URL, '-tAc', 'SELECT count(*) FROM items'], { timeout: 10000 }, (e, out) => answer(res, e, out));
  if (req.url === '/cache') return execFile('redis-cli', ['-u', process.env.REDIS_URL, '--no-auth-warning', 'GET', process.env.REDIS_KEY_PREFIX + 'marker'], { timeout: 10000 }, (e, out) => answer(res, e, out));
  res.end(proof);
});
server.listen(Number(process.env.PORT));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

// A worker does what idle workers do: wakes up now and then, and stops promptly on SIGTERM.
const WORKER = `const name = process.argv[2];
console.log(name, 'waiting for jobs on', process.env.REDIS_KEY_PREFIX);
const timer = setInterval(() => {}, 5000);
process.on('SIGTERM', () => { clearInterval(timer); process.exit(0); });
`;

export const APP = 'fleet';

/** `web-01` … for n = 1 …; two digits keep the names sorted. */
export const serviceName = (kind, n) => `${kind}-${String(n).padStart(2, '0')}`;

/**
 * Writes the app to `dir`; returns its shape: the web services (with their production host)
 * and what readiness means for an environment (`count` instances, `checked` health-gated).
 */
export function writeFleet(dir, { web = 20, workers = 20 } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: APP, private: true, type: 'module' }, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'web.js'), WEB);
  fs.writeFileSync(path.join(dir, 'worker.js'), WORKER);
  const webs = Array.from({ length: web }, (_, i) => serviceName('web', i + 1));
  const lines = [`app: ${APP}`, 'env:', '  GREETING: hello from the fleet', 'services:'];
  for (const s of webs) {
    lines.push(`  ${s}:`, `    run: node web.js ${s}`, `    routes: [{ host: ${s}.${APP}.example }]`, '    health: { path: /healthz }');
  }
  for (let i = 1; i <= workers; i++) lines.push(`  ${serviceName('worker', i)}:`, `    run: node worker.js ${serviceName('worker', i)}`);
  lines.push('addons:', '  db: { type: postgres }', '  cache: { type: redis }', 'environments:', '  production: {}', '');
  fs.writeFileSync(path.join(dir, 'wharf.yaml'), lines.join('\n'));
  return { app: APP, web: webs, count: web + workers, checked: new Set(webs) };
}

/** The host a web service of a copy answers on (README, Environments: a copy's own hosts). */
export const copyHost = (service, env) => `${service}.${env}.${APP}.localhost`;
