import { resolveDataDir } from '../../daemon/paths.js';
import type { Command } from '../command.js';
import { connect } from '../connect.js';
import { ensureDaemon } from '../daemon-process.js';
import { print } from '../io.js';
import { APP, appDirOf } from '../options.js';
import { summaryLine } from './plan-commands.js';

export const up: Command = {
  name: 'up',
  summary: 'start Wharf if it is not running and make the app\'s environment match its spec',
  usage: '[-C DIR] [-e ENV] [--uncommitted] [--listen HOST:PORT] [--http HOST:PORT|off]',
  details: [
    'Validates, plans and applies without asking: `wharf plan` first if you want to review.',
    '--listen and --http are passed to the daemon when up starts it (see `wharf daemon --help`).',
    'In a git checkout the build is made from the commit at HEAD; --uncommitted builds the working tree.',
  ],
  options: { ...APP, listen: { type: 'string' }, http: { type: 'string' }, uncommitted: { type: 'boolean' } },
  async run(ctx) {
    const [{ loadApp, pickEnvironment }, { hasChanges }] = await Promise.all([import('../../spec/load.js'), import('../../plan/plan.js')]);
    const dir = appDirOf(ctx);
    const loaded = loadApp(dir);
    const env = pickEnvironment(loaded, ctx.flags['env'] as string | undefined);
    const dataDir = resolveDataDir(ctx.flags['data-dir'] as string | undefined);
    const { started, status } = await ensureDaemon(dataDir, ctx.flags['listen'] as string | undefined, ctx.flags['http'] as string | undefined);
    print(ctx.io, `${started ? 'Started' : 'Using'} the Wharf daemon (pid ${status.pid}, data dir ${status.dataDir}).`);
    const client = connect(ctx.io, ctx.flags);
    const result = await client.apply({ dir, env: env.name, includeUncommitted: ctx.flags['uncommitted'] === true });
    const where = `${loaded.spec.app}/${env.name}`;
    print(ctx.io, hasChanges(result.plan) ? `Applied ${where}. ${summaryLine(result.plan)}` : `${where} already matches its spec.`);
    if (status.router) {
      const { host, port } = status.router.listen;
      const suffix = port === 80 ? '' : `:${port}`;
      for (const svc of Object.values(env.services)) {
        for (const r of svc.routes) print(ctx.io, `  ${svc.name}: http://${r.host}${suffix}${r.path}${r.host.endsWith('.localhost') ? '' : `  (served on ${host}${suffix})`}`);
      }
    } else {
      const { instances } = await client.instances(loaded.spec.app, env.name);
      for (const i of instances) if (i.port !== undefined) print(ctx.io, `  ${i.service}: http://127.0.0.1:${i.port}/  (${i.id}; no router: started with --http off)`);
    }
  },
};
