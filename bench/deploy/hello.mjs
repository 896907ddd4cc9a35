// The deploy benches' subject: examples/hello copied into a temp dir, with a Wharf of its own
// on a free port. stop() ends everything started for it (what was handed to onStop first,
// such as the load generator, then the daemon, the router and the instances, by pid) and
// removes the dir; an interrupted bench does the same.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../runtime/free-port.mjs';
import { copyHello } from '../runtime/fixtures.mjs';
import { Wharf } from '../runtime/wharf.mjs';

/** @param {{ root: string, dist: string, prefix: string }} o */
export async function helloUnderWharf({ root, dist, prefix }) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(work, 0o711);
  const appDir = path.join(work, 'hello');
  const spec = copyHello(root, appDir);
  const port = await freePort();
  const wharf = new Wharf({ dist, dataDir: path.join(work, 'data'), http: `127.0.0.1:${port}` });
  const before = [];
  let stopped;
  const stop = () =>
    (stopped ??= (async () => {
      for (const f of before) await f();
      await wharf.stopAll([{ app: 'hello', env: 'production' }]);
      fs.rmSync(work, { recursive: true, force: true });
    })());
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void stop().finally(() => process.exit(130)));
  return {
    appDir,
    spec,
    port,
    wharf,
    host: 'web.production.hello.localhost',
    /** Runs `f` first when stopping. */
    onStop: (f) => before.push(f),
    stop,
    /** Replaces the web service's deploy block of the copy's wharf.yaml with `settings` (YAML values). */
    setDeploy(settings) {
      const file = path.join(appDir, 'wharf.yaml');
      const block = Object.entries(settings).map(([k, v]) => `      ${k}: ${v}\n`).join('');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/    deploy:\n(      .*\n)+/, `    deploy:\n${block}`));
    },
  };
}
