import type { AutoscaleStatus } from '../../autoscale/controller-status.js';
import { formatFigure } from '../../autoscale/reason.js';
import type { Command } from '../command.js';
import { connect } from '../connect.js';
import { print, printJson } from '../io.js';
import { APP, appAndEnv, JSON_OPTION } from '../options.js';

export const autoscaleStatus: Command = {
  name: 'autoscale status',
  summary: 'show each autoscaled service\'s count, its figures against the targets, and the last decisions with why',
  usage: '[-e ENV] [-C DIR] [--json]',
  options: { ...APP, ...JSON_OPTION },
  json: true,
  async run(ctx) {
    const { app, env } = await appAndEnv(ctx);
    const { running, services } = await connect(ctx.io, ctx.flags).autoscaleStatus(app, env);
    if (ctx.flags['json']) return printJson(ctx.io, { running, services });
    if (!running) return print(ctx.io, 'The daemon runs no autoscaler: it needs the router\'s figures (started with --http off).');
    if (!services.length) return print(ctx.io, `No service of ${app}/${env} is autoscaled (add an autoscale: block to a service in wharf.yaml).`);
    const now = Date.now();
    for (const s of services) print(ctx.io, render(s, now));
  },
};

function render(s: AutoscaleStatus, now: number): string {
  const lines = [`${s.service} (v${s.release}): ${s.current} instance${s.current === 1 ? '' : 's'}, min ${s.min}, max ${s.max}${s.scaling ? ', scaling' : ''}`];
  for (const t of s.targets) {
    const value = t.value === undefined ? 'no figures yet' : `${formatFigure(t.value)} (6 s: ${t.burst === undefined ? '-' : formatFigure(t.burst)})`;
    lines.push(`  ${t.target.padEnd(34)} ${value} / target ${formatFigure(t.goal)}`);
  }
  lines.push(`  panic: ${s.panic ? `since ${ago(s.panic.since, now)} ago` : 'no'}`);
  if (s.min === 0) lines.push(`  idle: ${s.idleSince === null ? 'no' : `for ${ago(s.idleSince, now)} (stops after ${formatFigure(s.idleWindowMs / 1000)} s)`}`);
  if (s.decisions.length) lines.push('  last decisions:');
  for (const d of s.decisions) lines.push(`    ${new Date(d.at).toISOString()}  ${d.outcome.padEnd(9)} ${d.reason}${d.error ? ` (${d.error})` : ''}`);
  return lines.join('\n');
}

function ago(at: number, now: number): string {
  return `${Math.max(0, Math.round((now - at) / 1000))} s`;
}
