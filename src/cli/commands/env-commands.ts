import { createInterface } from 'node:readline/promises';
import type { EnvDiff } from '../../envs/env-diff.js';
import { WharfError } from '../../errors.js';
import { parseDuration } from '../../spec/duration.js';
import type { Command, CommandContext } from '../command.js';
import { connect } from '../connect.js';
import { table, time } from '../format.js';
import { print, printJson } from '../io.js';
import { appDirOf, JSON_OPTION } from '../options.js';

const DIR = { dir: { type: 'string', short: 'C' } } as const;

async function app(ctx: CommandContext): Promise<{ app: string; dir: string }> {
  const { loadApp } = await import('../../spec/load.js');
  const dir = appDirOf(ctx);
  return { app: loadApp(dir).spec.app, dir };
}

export const envList: Command = {
  name: 'env list',
  summary: 'list the app\'s environments',
  usage: '[-C DIR] [--json]',
  options: { ...DIR, ...JSON_OPTION },
  json: true,
  async run(ctx) {
    const { app: name } = await app(ctx);
    const { environments } = await connect(ctx.io, ctx.flags).environments(name);
    if (ctx.flags['json']) return printJson(ctx.io, environments);
    if (!environments.length) return print(ctx.io, `${name} has no environments yet.`);
    print(ctx.io, table([['NAME', 'FROM', 'EXPIRES', 'CREATED'], ...environments.map((e) => [e.name, e.from ?? '-', e.expiresAt ? time(e.expiresAt) : '-', time(e.createdAt)])]));
  },
};

async function create(ctx: CommandContext, name: string, from: string | undefined, opts: { ttl?: string | undefined; withConfig: boolean; withData: boolean }): Promise<void> {
  const ttlMs = opts.ttl === undefined ? undefined : parseDuration(opts.ttl);
  if (opts.ttl !== undefined && (ttlMs === undefined || ttlMs <= 0)) throw new WharfError('USAGE', `--ttl ${opts.ttl}: expected a duration like 72h or 30m`);
  const { app: appName, dir } = await app(ctx);
  const r = await connect(ctx.io, ctx.flags).createEnvironment(appName, { dir, name, from, ttlMs, withConfig: opts.withConfig, withData: opts.withData });
  print(ctx.io, `Created ${appName}/${name}${from ? ` from ${from}` : ''}${r.environment.expiresAt ? `; it expires ${time(r.environment.expiresAt)}` : ''}.`);
  if (r.copied.length) print(ctx.io, `Config copied: ${r.copied.join(', ')}.`);
  if (r.skipped.length) print(ctx.io, `Secrets not copied (--with-config copies them): ${r.skipped.join(', ')}.`);
}

export const envCreate: Command = {
  name: 'env create',
  summary: 'make an environment and deploy it, e.g. a preview: `wharf env create preview-x --from staging --ttl 72h`',
  usage: '[-C DIR] [--from ENV] [--ttl 72h] NAME',
  details: ['With --from, the plain config of ENV is copied. Without an overlay in wharf.yaml, the spec is ENV\'s, with its own hosts.'],
  positionals: ['NAME'],
  options: { ...DIR, from: { type: 'string' }, ttl: { type: 'string' } },
  async run(ctx) {
    const name = ctx.args[0];
    if (!name) throw new WharfError('USAGE', 'wharf env create: NAME is missing', { hint: 'e.g. wharf env create preview-login --from staging --ttl 72h' });
    await create(ctx, name, ctx.flags['from'] as string | undefined, { ttl: ctx.flags['ttl'] as string | undefined, withConfig: false, withData: false });
  },
};

export const envClone: Command = {
  name: 'env clone',
  summary: 'make TO a copy of FROM: services, routes (own hosts), config, add-ons',
  usage: '[-C DIR] [--with-config] [--with-data] FROM TO',
  details: ['Plain config is always copied; --with-config copies the secrets too; --with-data loads the fresh add-ons from snapshots of FROM\'s.'],
  positionals: ['FROM', 'TO'],
  options: { ...DIR, 'with-config': { type: 'boolean' }, 'with-data': { type: 'boolean' } },
  async run(ctx) {
    const [from, to] = ctx.args;
    if (!from || !to) throw new WharfError('USAGE', 'wharf env clone: FROM and TO are needed', { hint: 'e.g. wharf env clone production staging' });
    await create(ctx, to, from, { withConfig: ctx.flags['with-config'] === true, withData: ctx.flags['with-data'] === true });
  },
};

export const envDestroy: Command = {
  name: 'env destroy',
  summary: 'stop an environment\'s instances and remove it (its events and audit entries stay)',
  usage: '[-C DIR] [--confirm NAME] NAME',
  positionals: ['NAME'],
  options: { ...DIR, confirm: { type: 'string' } },
  async run(ctx) {
    const name = ctx.args[0];
    if (!name) throw new WharfError('USAGE', 'wharf env destroy: NAME is missing');
    const { app: appName } = await app(ctx);
    let confirm = ctx.flags['confirm'] as string | undefined;
    if (confirm === undefined && ctx.io.stdin.isTTY) {
      const rl = createInterface({ input: ctx.io.stdin, output: ctx.io.stderr });
      confirm = (await rl.question(`Destroy ${appName}/${name}? Type its name to confirm: `)).trim();
      rl.close();
    }
    await connect(ctx.io, ctx.flags).destroyEnvironment(appName, name, confirm);
    print(ctx.io, `Destroyed ${appName}/${name}.`);
  },
};

export const envDiff: Command = {
  name: 'env diff',
  summary: 'show the drift between two environments: spec, config keys, releases, add-ons',
  usage: '[-C DIR] [--json] A B',
  positionals: ['A', 'B'],
  options: { ...DIR, ...JSON_OPTION },
  json: true,
  async run(ctx) {
    const [a, b] = ctx.args;
    if (!a || !b) throw new WharfError('USAGE', 'wharf env diff: two environments are needed', { hint: 'e.g. wharf env diff production staging' });
    const { diff } = await connect(ctx.io, ctx.flags).diffEnvironments((await app(ctx)).app, a, b);
    if (ctx.flags['json']) return printJson(ctx.io, diff);
    print(ctx.io, renderDiff(diff));
  },
};

export function renderDiff(d: EnvDiff): string {
  const lines = [`${d.a} ↔ ${d.b}`, '', 'spec:'];
  if (!d.spec.length) lines.push('  same');
  for (const s of d.spec) {
    if (s.kind !== 'differs') lines.push(`  ${s.address}: only in ${s.kind === 'only-a' ? d.a : d.b}`);
    else for (const f of s.fields ?? []) lines.push(`  ${s.address} ${f.path}: ${'a' in f || 'b' in f ? `${JSON.stringify(f.a ?? null)} ↔ ${JSON.stringify(f.b ?? null)}` : 'differs'}`);
  }
  lines.push('', 'config:');
  if (!d.config.length) lines.push('  same keys and values');
  for (const c of d.config) lines.push(`  ${c.name}: ${c.state === 'differs' ? 'differs' : `only in ${c.state === 'only-a' ? d.a : d.b}`}`);
  const rel = (r: EnvDiff['releases']['a']) => (r ? `v${r.version} (build ${r.buildId}, config v${r.configVersion})` : 'none live');
  lines.push('', 'releases:', `  ${d.a}: ${rel(d.releases.a)}`, `  ${d.b}: ${rel(d.releases.b)}`, `  ${d.releases.sameBuild ? 'same build' : 'different builds'}`);
  lines.push('', 'add-ons:');
  if (!d.addons.length) lines.push('  none');
  for (const x of d.addons) lines.push(`  ${x.name}: ${JSON.stringify(x.a ?? null)} ↔ ${JSON.stringify(x.b ?? null)}`);
  return lines.join('\n');
}
