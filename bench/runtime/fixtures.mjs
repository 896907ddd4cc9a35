// The apps the benchmark deploys: a copy of the bundled example, and N small web apps.
import fs from 'node:fs';
import path from 'node:path';

// A web service as small as Node allows: /healthz for Wharf's health gate, a word elsewhere,
// and a prompt exit on SIGTERM so that stopping it never waits for a drain timeout.
const TINY_SERVER = `import { createServer } from 'node:http';
const server = createServer((req, res) => res.end(req.url === '/healthz' ? 'ok' : 'hi'));
server.listen(Number(process.env.PORT));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** Copies examples/hello to `dir`; returns what its readiness means. */
export function copyHello(root, dir) {
  fs.cpSync(path.join(root, 'examples/hello'), dir, { recursive: true });
  // web ×2 (health-checked) + worker ×1, as examples/hello/wharf.yaml declares.
  return { app: 'hello', env: 'production', count: 3, checked: new Set(['web']) };
}

/** Gives the hello copy a new GREETING, so that the next `up` makes a new release. */
export function setGreeting(dir, text) {
  const file = path.join(dir, 'wharf.yaml');
  const yaml = fs.readFileSync(file, 'utf8');
  const next = yaml.replace(/^( {2}GREETING: ).*$/m, `$1${text}`);
  if (next === yaml && !yaml.includes(`GREETING: ${text}`)) throw new Error(`no GREETING line in ${file}`);
  fs.writeFileSync(file, next);
}

/** Writes app number `n` (1-based) under `parent`: one web service ×2 on its own host. */
export function writeTinyApp(parent, n) {
  const app = `mem-${String(n).padStart(2, '0')}`;
  const dir = path.join(parent, app);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: app, private: true, type: 'module' }, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'server.js'), TINY_SERVER);
  fs.writeFileSync(
    path.join(dir, 'wharf.yaml'),
    [
      `app: ${app}`,
      'services:',
      '  web:',
      '    run: node server.js',
      `    routes: [{ host: ${app}.bench.localhost }]`,
      '    health: { path: /healthz }',
      '    instances: 2',
      '',
    ].join('\n'),
  );
  return { dir, app, env: 'production', count: 2, checked: new Set(['web']) };
}
