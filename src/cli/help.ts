import type { Command } from './command.js';
import { GLOBAL_HELP } from './options.js';

export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'wharf — a self-hosted application platform: your spec, plan/apply, health-gated deploys.',
    '',
    'Usage: wharf <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    ...GLOBAL_HELP,
    '',
    'Run `wharf <command> --help` for a command\'s options.',
    '',
  ].join('\n');
}

export function commandHelp(c: Command): string {
  return [
    `wharf ${c.name} — ${c.summary}`,
    '',
    `Usage: wharf ${c.name}${c.usage ? ` ${c.usage}` : ''}`,
    ...(c.details?.length ? ['', ...c.details] : []),
    '',
    'Options:',
    ...GLOBAL_HELP.filter((line) => optionApplies(c, line)),
    '  -h, --help          this help',
    '',
  ].join('\n');
}

function optionApplies(c: Command, line: string): boolean {
  const name = /--([a-z-]+)/.exec(line)?.[1];
  if (name === 'json') return c.json === true;
  if (name === 'dir' || name === 'env') return Boolean(c.options?.[name]);
  return true;
}
