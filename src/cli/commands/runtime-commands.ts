import { WharfError } from '../../errors.js';
import type { Command, CommandContext } from '../command.js';
import { connect } from '../connect.js';
import { table, time } from '../format.js';
import { print, printJson } from '../io.js';
import { APP, appAndEnv, JSON_OPTION } from '../options.js';
import { parseSince } from './since.js';

function ago(ms: number | undefined, now: number): string {
  if (ms === undefined) return '-';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

export const ps: Command = {
  name: 'ps',
  summary: 'list the running instances of the app\'s environment',
  usage: '[-e ENV] [-C DIR] [--json]',
  options: { ...APP, ...JSON_OPTION },
  json: true,
  async run(ctx) {
    const { app, env } = await appAndEnv(ctx);
    const { instances } = await connect(ctx.io, ctx.flags).instances(app, env);
    if (ctx.flags['json']) return printJson(ctx.io, instances);
    if (!instances.length) return print(ctx.io, `No instances of ${app}/${env} are running.`);
    const now = Date.now();
    const rows = [['INSTANCE', 'SERVICE', 'RELEASE', 'STATE', 'PID', 'PORT', 'UP', 'CPU', 'MEM', 'RESTARTS']];
    for (const i of instances) {
      rows.push([
        i.id, i.service, `v${i.release}`, i.reason && i.state !== 'running' && i.state !== 'healthy' ? `${i.state} (${i.reason})` : i.state,
        String(i.pid ?? '-'), String(i.port ?? '-'), ago(i.startedAt, now),
        i.cpuPercent === undefined ? '-' : `${i.cpuPercent.toFixed(0)}%`,
        i.rssBytes === undefined ? '-' : `${Math.round(i.rssBytes / 1024 / 1024)}Mi`, String(i.restarts),
      ]);
    }
    print(ctx.io, table(rows));
  },
};

export const releases: Command = {
  name: 'releases',
  summary: 'list the releases of the app\'s environment, newest first',
  usage: '[-e ENV] [-C DIR] [-n 20] [--json]',
  options: { ...APP, ...JSON_OPTION, lines: { type: 'string', short: 'n' } },
  json: true,
  async run(ctx) {
    const { app, env } = await appAndEnv(ctx);
    const { releases: list } = await connect(ctx.io, ctx.flags).releases(app, env, Number(ctx.flags['lines'] ?? 20));
    if (ctx.flags['json']) return printJson(ctx.io, list);
    if (!list.length) return print(ctx.io, `${app}/${env} has no releases yet.`);
    const rows = [['RELEASE', 'STATUS', 'CREATED', 'DESCRIPTION']];
    for (const r of list) rows.push([`v${r.version}`, r.reason ? `${r.status} (${r.reason})` : r.status, time(r.createdAt), r.description]);
    print(ctx.io, table(rows));
  },
};

export const logs: Command = {
  name: 'logs',
  summary: 'show the app\'s logs, merged in time order and tagged by instance',
  usage: '[-e ENV] [-C DIR] [-s SERVICE] [--since 10m] [-n 200] [-f] [--json]',
  options: { ...APP, ...JSON_OPTION, service: { type: 'string', short: 's' }, since: { type: 'string' }, lines: { type: 'string', short: 'n' }, follow: { type: 'boolean', short: 'f' } },
  json: true,
  async run(ctx) {
    const { app, env } = await appAndEnv(ctx);
    const client = connect(ctx.io, ctx.flags);
    const since = ctx.flags['since'] ? Date.now() - parseSince(ctx.flags['since'] as string) : undefined;
    const q = { service: ctx.flags['service'] as string | undefined, since, tail: Number(ctx.flags['lines'] ?? 200) };
    const show = (l: { time: number; instance: string; text: string }) =>
      ctx.flags['json'] ? print(ctx.io, JSON.stringify(l)) : print(ctx.io, `${new Date(l.time).toISOString()} ${l.instance}: ${l.text}`);
    if (!ctx.flags['follow']) {
      (await client.logs(app, env, q)).lines.forEach(show);
      return;
    }
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    await client.followLogs(app, env, q, show, stop.signal);
  },
};

export const scale: Command = {
  name: 'scale',
  summary: 'set how many instances of each service run, e.g. `wharf scale web=3 worker=1`',
  usage: '[-e ENV] [-C DIR] SERVICE=COUNT…',
  positionals: ['...'],
  options: { ...APP },
  async run(ctx) {
    const counts = parseCounts(ctx);
    const { app, env } = await appAndEnv(ctx);
    const { scaled } = await connect(ctx.io, ctx.flags).scale(app, env, counts);
    for (const [service, { from, to }] of Object.entries(scaled)) print(ctx.io, `Scaled ${app}/${env} ${service}: ${from} → ${to}.`);
  },
};

export const restart: Command = {
  name: 'restart',
  summary: 'replace every instance (of one service) with a fresh one, one at a time',
  usage: '[-e ENV] [-C DIR] [SERVICE]',
  positionals: ['SERVICE'],
  options: { ...APP },
  async run(ctx) {
    const { app, env } = await appAndEnv(ctx);
    const { restarted } = await connect(ctx.io, ctx.flags).restart(app, env, ctx.args[0]);
    print(ctx.io, `Restarted ${restarted} instance${restarted === 1 ? '' : 's'} of ${app}/${env}${ctx.args[0] ? ` ${ctx.args[0]}` : ''}.`);
  },
};

export const runCommand: Command = {
  name: 'run',
  summary: 'run a one-off command with the live release\'s build and environment',
  usage: '[-e ENV] [-C DIR] [-s SERVICE] -- COMMAND…',
  details: ['Output is streamed; wharf exits with the command\'s own status. Like `heroku run`.'],
  positionals: ['...'],
  options: { ...APP, service: { type: 'string', short: 's' } },
  async run(ctx) {
    if (!ctx.args.length) throw new WharfError('USAGE', 'wharf run: no command given', { hint: 'e.g. wharf run -- node migrate.js' });
    const { app, env } = await appAndEnv(ctx);
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    return connect(ctx.io, ctx.flags).run(app, env, ctx.args.join(' '), ctx.flags['service'] as string | undefined, (data, stream) => (stream === 'stderr' ? ctx.io.stderr : ctx.io.stdout).write(data), stop.signal);
  },
};

function parseCounts(ctx: CommandContext): Record<string, number> {
  if (!ctx.args.length) throw new WharfError('USAGE', 'wharf scale: say what to scale', { hint: 'e.g. wharf scale web=3 worker=1' });
  const counts: Record<string, number> = {};
  for (const arg of ctx.args) {
    const m = /^([a-z][a-z0-9-]*)=(\d+)$/.exec(arg);
    if (!m) throw new WharfError('USAGE', `wharf scale: "${arg}" is not SERVICE=COUNT`, { hint: 'e.g. wharf scale web=3' });
    counts[m[1]!] = Number(m[2]);
  }
  return counts;
}
