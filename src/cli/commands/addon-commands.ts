import type { BackupRecord } from '../../state/types.js';
import type { Command, CommandContext } from '../command.js';
import { connect } from '../connect.js';
import { table, time } from '../format.js';
import { print, printJson } from '../io.js';
import { APP, appAndEnv, JSON_OPTION } from '../options.js';

async function target(ctx: CommandContext) {
  const { app, env } = await appAndEnv(ctx);
  return { app, env, name: ctx.args[0]!, client: connect(ctx.io, ctx.flags).addons };
}

function counts(c: Record<string, number>): string {
  const entries = Object.entries(c);
  return entries.length ? entries.map(([k, n]) => `${k}=${n}`).join(' ') : 'empty';
}

function verification(b: BackupRecord): string {
  return b.verification ? `${b.verification.ok ? 'verified' : 'FAILED'} ${time(b.verification.at)}` : 'not verified';
}

export const addons: Command = {
  name: 'addons',
  summary: 'list the add-ons of the app\'s environment',
  usage: '[-e ENV] [-C DIR] [--json]',
  options: { ...APP, ...JSON_OPTION },
  json: true,
  async run(ctx) {
    const { app, env } = await appAndEnv(ctx);
    const { addons: list } = await connect(ctx.io, ctx.flags).addons.list(app, env);
    if (ctx.flags['json']) return printJson(ctx.io, list);
    if (!list.length) return print(ctx.io, `${app}/${env} has no add-ons.`);
    const rows = [['ADD-ON', 'TYPE', 'MODE', 'STATE', 'WHERE']];
    for (const a of list) {
      const where = `${a.connection.host}:${a.connection.port} ${a.connection.database ?? a.connection.keyPrefix ?? ''}`;
      rows.push([a.name, a.type, a.mode, a.reason && a.state !== 'attached' ? `${a.state} (${a.reason})` : a.state, where]);
    }
    print(ctx.io, table(rows));
  },
};

export const addonsInfo: Command = {
  name: 'addons info',
  summary: 'show one add-on and the variables it gives the app (password masked unless --reveal)',
  usage: 'NAME [-e ENV] [-C DIR] [--reveal] [--json]',
  positionals: ['NAME'],
  options: { ...APP, ...JSON_OPTION, reveal: { type: 'boolean' } },
  json: true,
  async run(ctx) {
    const { app, env, name, client } = await target(ctx);
    const { addon } = await client.info(app, env, name, ctx.flags['reveal'] === true);
    if (ctx.flags['json']) return printJson(ctx.io, addon);
    print(ctx.io, `${addon.name}: ${addon.mode} ${addon.type} add-on of ${app}/${env}, ${addon.state}${addon.reason ? ` (${addon.reason})` : ''}`);
    if (addon.adminUrlFrom) print(ctx.io, `admin URL from: ${addon.adminUrlFrom}`);
    for (const [k, v] of Object.entries(addon.vars)) print(ctx.io, `${k}: ${v}`);
  },
};

export const addonsBackups: Command = {
  name: 'addons backups',
  summary: 'list an add-on\'s backups, newest first, with their verification',
  usage: 'NAME [-e ENV] [-C DIR] [--json]',
  positionals: ['NAME'],
  options: { ...APP, ...JSON_OPTION },
  json: true,
  async run(ctx) {
    const { app, env, name, client } = await target(ctx);
    const { backups } = await client.backups(app, env, name);
    if (ctx.flags['json']) return printJson(ctx.io, backups);
    if (!backups.length) return print(ctx.io, `Add-on ${name} of ${app}/${env} has no backups yet.`);
    const rows = [['BACKUP', 'CREATED', 'SIZE', 'VERIFICATION', 'COUNTS']];
    for (const b of backups) rows.push([b.id, time(b.createdAt), `${b.sizeBytes}`, verification(b), counts(b.counts)]);
    print(ctx.io, table(rows));
  },
};

export const addonsBackup: Command = {
  name: 'addons backup',
  summary: 'back up an add-on into the data dir, with its checksum and row counts; --verify restores it into scratch and compares',
  usage: 'NAME [-e ENV] [-C DIR] [--verify]',
  details: ['A failed verification exits non-zero and is recorded on the backup and in `wharf events`.'],
  positionals: ['NAME'],
  options: { ...APP, verify: { type: 'boolean' } },
  async run(ctx) {
    const { app, env, name, client } = await target(ctx);
    const { backup } = await client.backup(app, env, name, ctx.flags['verify'] === true);
    print(ctx.io, `Backup ${backup.id} of ${name} (${app}/${env}): ${backup.file}`);
    print(ctx.io, `sha256 ${backup.sha256}, ${backup.sizeBytes} bytes, ${counts(backup.counts)}`);
    if (backup.verification) print(ctx.io, `Verified: ${backup.verification.message}`);
  },
};

export const addonsVerify: Command = {
  name: 'addons verify',
  summary: 'verify a backup again: checksum, restore into scratch, compare row counts',
  usage: 'NAME BACKUP_ID [-e ENV] [-C DIR]',
  positionals: ['NAME', 'BACKUP_ID'],
  options: { ...APP },
  async run(ctx) {
    const { app, env, name, client } = await target(ctx);
    const { backup } = await client.verify(app, env, name, ctx.args[1]!);
    print(ctx.io, `Backup ${backup.id} verified: ${backup.verification?.message ?? ''}`);
  },
};

export const addonsRestore: Command = {
  name: 'addons restore',
  summary: 'replace an add-on\'s data with a backup (its checksum is checked first)',
  usage: 'NAME BACKUP_ID [-e ENV] [-C DIR]',
  positionals: ['NAME', 'BACKUP_ID'],
  options: { ...APP },
  async run(ctx) {
    const { app, env, name, client } = await target(ctx);
    const { backup, kept } = await client.restore(app, env, name, ctx.args[1]!);
    print(ctx.io, `Restored ${name} of ${app}/${env} from backup ${backup.id} (${counts(backup.counts)}).`);
    if (kept) print(ctx.io, `The replaced data is kept as database ${kept}.`);
  },
};

export const addonsDestroy: Command = {
  name: 'addons destroy',
  summary: 'detach an add-on, keeping its data; with --purge and --confirm APP, delete the data',
  usage: 'NAME [-e ENV] [-C DIR] [--purge] [--confirm APP]',
  details: ['Production add-ons need --confirm APP even to detach. Re-adding a detached add-on to the spec re-attaches the same data.'],
  positionals: ['NAME'],
  options: { ...APP, purge: { type: 'boolean' }, confirm: { type: 'string' } },
  async run(ctx) {
    const { app, env, name, client } = await target(ctx);
    const { action } = await client.destroy(app, env, name, { purge: ctx.flags['purge'] === true, confirm: ctx.flags['confirm'] as string | undefined });
    if (action === 'purge') print(ctx.io, `Purged add-on ${name} of ${app}/${env}: its data is deleted.`);
    else print(ctx.io, `Detached add-on ${name} of ${app}/${env}; its data is kept. Add it back to the spec and apply to re-attach it.`);
  },
};

export const ADDON_COMMANDS: readonly Command[] = [addons, addonsInfo, addonsBackups, addonsBackup, addonsVerify, addonsRestore, addonsDestroy];
