import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { WharfError } from '../../errors.js';
import type { Command } from '../command.js';
import { print, printJson } from '../io.js';
import { APP, appDirOf, JSON_OPTION } from '../options.js';

export const init: Command = {
  name: 'init',
  summary: 'write an annotated wharf.yaml for the app folder',
  usage: '[-C DIR] [--force]',
  details: ['Converts a Procfile (+ app.json) or a Node project; otherwise writes the annotated example.'],
  options: { dir: APP['dir']!, force: { type: 'boolean' } },
  async run(ctx) {
    const { SPEC_FILE } = await import('../../spec/load.js');
    const dir = appDirOf(ctx);
    const file = join(dir, SPEC_FILE);
    if (existsSync(file) && !ctx.flags['force']) {
      throw new WharfError('CONFLICT', `${file} exists`, { hint: 'pass --force to overwrite it' });
    }
    const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : undefined);
    // Loaded here: it brings the full YAML library, which no other command needs at start-up.
    const { initSpec } = await import('../../spec/init.js');
    const { text, source, notes } = initSpec({
      folderName: basename(dir),
      procfile: read('Procfile'),
      appJson: read('app.json'),
      packageJson: read('package.json'),
      hasPackageLock: existsSync(join(dir, 'package-lock.json')),
    });
    writeFileSync(file, text);
    print(ctx.io, `Wrote ${file} (from ${source}).`);
    for (const note of notes) print(ctx.io, `  note: ${note}`);
  },
};

export const validate: Command = {
  name: 'validate',
  summary: 'check the app\'s spec and every environment; report every problem at once',
  usage: '[-C DIR] [--json]',
  options: { dir: APP['dir']!, ...JSON_OPTION },
  json: true,
  async run(ctx) {
    const { loadApp } = await import('../../spec/load.js');
    const app = loadApp(appDirOf(ctx));
    const summary = { app: app.spec.app, file: app.file, environments: [...app.environments.keys()], notes: app.notes };
    if (ctx.flags['json']) return printJson(ctx.io, summary);
    print(ctx.io, `${app.file} is valid: app ${summary.app}, environments ${summary.environments.join(', ')}.`);
    for (const note of app.notes) print(ctx.io, `  note: ${note}`);
  },
};

export const schema: Command = {
  name: 'schema',
  summary: 'print the JSON Schema of wharf.yaml (for editors)',
  usage: '',
  details: ['In VS Code with the YAML extension: "yaml.schemas": { "wharf.schema.json": "wharf.yaml" }.'],
  async run(ctx) {
    const { jsonSchemaOf } = await import('../../spec/json-schema.js');
    printJson(ctx.io, jsonSchemaOf());
  },
};
