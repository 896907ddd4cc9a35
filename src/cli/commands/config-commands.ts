import type { ConfigListing } from '../../config/config-view.js';
import { REDACTED } from '../../config/sensitive.js';
import { WharfError } from '../../errors.js';
import type { Command, CommandContext } from '../command.js';
import { connect } from '../connect.js';
import { table } from '../format.js';
import { print, printJson } from '../io.js';
import { APP, appAndEnv, JSON_OPTION } from '../options.js';

const REVEAL = { reveal: { type: 'boolean' } } as const;

function source(v: ConfigListing): string {
  const from = v.source === 'spec' ? 'spec' : v.overridesSpec ? 'set (overrides spec)' : 'set';
  return v.secret ? `${from}, secret` : from;
}

function shown(v: ConfigListing): string {
  return v.value ?? REDACTED;
}

export const config: Command = {
  name: 'config',
  summary: 'list the environment\'s config: the spec\'s env merged with the values set (set wins)',
  usage: '[-e ENV] [-C DIR] [--reveal] [--json]',
  details: ['Secrets show as [REDACTED]; --reveal shows them (admins only; every reveal is audited).'],
  options: { ...APP, ...JSON_OPTION, ...REVEAL },
  json: true,
  async run(ctx) {
    const { app, env, dir } = await appAndEnv(ctx);
    const listing = await connect(ctx.io, ctx.flags).config(app, env, { dir, reveal: ctx.flags['reveal'] === true || undefined });
    if (ctx.flags['json']) return printJson(ctx.io, listing);
    if (!listing.vars.length) return print(ctx.io, `${app}/${env} has no config.`);
    print(ctx.io, `${app}/${env} config v${listing.configVersion}`);
    print(ctx.io, table([['NAME', 'VALUE', 'SOURCE'], ...listing.vars.map((v) => [v.name, shown(v), source(v)])]));
  },
};

export const configGet: Command = {
  name: 'config get',
  summary: 'print one variable\'s value',
  usage: '[-e ENV] [-C DIR] [--reveal] [--json] KEY',
  positionals: ['KEY'],
  options: { ...APP, ...JSON_OPTION, ...REVEAL },
  json: true,
  async run(ctx) {
    const name = required(ctx, 'KEY', 'e.g. wharf config get DATABASE_URL');
    const { app, env, dir } = await appAndEnv(ctx);
    const { var: v } = await connect(ctx.io, ctx.flags).configGet(app, env, name, { dir, reveal: ctx.flags['reveal'] === true || undefined });
    if (ctx.flags['json']) return printJson(ctx.io, v);
    print(ctx.io, shown(v));
    if (v.value === undefined) ctx.io.stderr.write(`${name} is a secret; --reveal shows it.\n`);
  },
};

export const configSet: Command = {
  name: 'config set',
  summary: 'set variables; a new release rolls them out',
  usage: '[-e ENV] [-C DIR] [--secret] KEY=VALUE…',
  details: ['--secret encrypts the values at rest and masks them everywhere; a secret stays secret when set again.'],
  positionals: ['...'],
  options: { ...APP, secret: { type: 'boolean' } },
  async run(ctx) {
    if (!ctx.args.length) throw new WharfError('USAGE', 'wharf config set: nothing to set', { hint: 'e.g. wharf config set LOG_LEVEL=debug' });
    const { parseAssignments } = await import('../../config/config-rules.js');
    const vars = parseAssignments(ctx.args, ctx.flags['secret'] === true);
    const { app, env, dir } = await appAndEnv(ctx);
    const result = await connect(ctx.io, ctx.flags).configSet(app, env, vars, dir);
    print(ctx.io, `Set ${vars.map((v) => v.name).join(', ')} on ${app}/${env}: ${changed(result)}`);
  },
};

export const configUnset: Command = {
  name: 'config unset',
  summary: 'remove set variables (the spec\'s value, if any, applies again)',
  usage: '[-e ENV] [-C DIR] KEY…',
  positionals: ['...'],
  options: { ...APP },
  async run(ctx) {
    if (!ctx.args.length) throw new WharfError('USAGE', 'wharf config unset: no key given', { hint: 'e.g. wharf config unset LOG_LEVEL' });
    const { app, env } = await appAndEnv(ctx);
    const result = await connect(ctx.io, ctx.flags).configUnset(app, env, ctx.args);
    print(ctx.io, `Unset ${ctx.args.join(', ')} on ${app}/${env}: ${changed(result)}`);
  },
};

export const secretsRotateKey: Command = {
  name: 'secrets rotate-key',
  summary: 'make a new master key and re-encrypt every secret with it, in one transaction',
  usage: '',
  details: ['Backups of the data dir taken before need the old key: keep it with them, or take a new backup.'],
  async run(ctx) {
    const r = await connect(ctx.io, ctx.flags).rotateKey();
    print(ctx.io, `Rotated the master key ${r.from} → ${r.to}: ${r.values} secret value${r.values === 1 ? '' : 's'} re-encrypted.`);
  },
};

function changed(r: { configVersion: number; release?: number | undefined }): string {
  return r.release === undefined ? `config v${r.configVersion}; it takes effect with the next deploy.` : `config v${r.configVersion}, released and rolled out as v${r.release}.`;
}

export function required(ctx: CommandContext, what: string, example: string): string {
  const value = ctx.args[0];
  if (value === undefined) throw new WharfError('USAGE', `wharf: ${what} is missing`, { hint: example });
  return value;
}
