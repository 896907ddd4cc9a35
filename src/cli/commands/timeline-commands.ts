import type { EventRecord } from '../../state/types.js';
import type { Command, CommandContext } from '../command.js';
import { connect } from '../connect.js';
import { time } from '../format.js';
import { print, printJson } from '../io.js';
import { APP, appAndEnv, JSON_OPTION } from '../options.js';

async function scope(ctx: CommandContext): Promise<{ app: string; env?: string }> {
  if (ctx.flags['all']) return { app: '' };
  const { app, env } = await appAndEnv(ctx);
  return { app, env };
}

function limitOf(ctx: CommandContext): number {
  return Number((ctx.flags['lines'] as string | undefined) ?? 50);
}

function eventLine(e: EventRecord): string {
  return `${time(e.time)}  ${e.app}/${e.env ?? '-'}  ${e.kind.padEnd(18)} ${e.message}`;
}

export const events: Command = {
  name: 'events',
  summary: 'show the timeline of the app\'s environment (deploys, health, scaling, applies)',
  usage: '[-e ENV] [-C DIR] [-n 50] [-f] [--all] [--json]',
  options: { ...APP, ...JSON_OPTION, follow: { type: 'boolean', short: 'f' }, lines: { type: 'string', short: 'n' }, all: { type: 'boolean' } },
  json: true,
  async run(ctx) {
    const client = connect(ctx.io, ctx.flags);
    const { app, env } = await scope(ctx);
    const q = { ...(app ? { app } : {}), env, limit: limitOf(ctx) };
    const show = (e: EventRecord) => (ctx.flags['json'] ? print(ctx.io, JSON.stringify(e)) : print(ctx.io, eventLine(e)));
    if (!ctx.flags['follow']) {
      const { events: list } = await client.events(q);
      if (ctx.flags['json']) return printJson(ctx.io, list);
      list.forEach(show);
      return;
    }
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    await client.followEvents(q, show, stop.signal);
  },
};

export const audit: Command = {
  name: 'audit',
  summary: 'show who changed what, when and through which client',
  usage: '[-e ENV] [-C DIR] [-n 50] [--all] [--json]',
  options: { ...APP, ...JSON_OPTION, lines: { type: 'string', short: 'n' }, all: { type: 'boolean' } },
  json: true,
  async run(ctx) {
    const { app, env } = await scope(ctx);
    const { audit: list } = await connect(ctx.io, ctx.flags).audit({ ...(app ? { app } : {}), env, limit: limitOf(ctx) });
    if (ctx.flags['json']) return printJson(ctx.io, list);
    for (const a of list) {
      print(ctx.io, `${time(a.time)}  ${a.actor} via ${a.client}  ${a.operation} ${a.app ?? '-'}/${a.env ?? '-'}  ${a.outcome}`);
    }
  },
};
