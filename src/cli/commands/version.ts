import { VERSION } from '../../version.js';
import type { Command } from '../command.js';
import { print, printJson } from '../io.js';
import { JSON_OPTION } from '../options.js';

export const version: Command = {
  name: 'version',
  summary: 'print Wharf\'s version',
  usage: '[--json]',
  options: { ...JSON_OPTION },
  json: true,
  async run(ctx) {
    if (ctx.flags['json']) return printJson(ctx.io, { version: VERSION, node: process.version });
    print(ctx.io, `wharf ${VERSION} (node ${process.version})`);
  },
};
