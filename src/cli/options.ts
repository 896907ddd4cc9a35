import { resolve } from 'node:path';
import type { CommandContext, Options } from './command.js';

/** Options every command takes. */
export const GLOBAL: Options = {
  'data-dir': { type: 'string' },
  'no-color': { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** Options of commands that act on an app folder and one of its environments. */
export const APP: Options = {
  dir: { type: 'string', short: 'C' },
  env: { type: 'string', short: 'e' },
};

export const JSON_OPTION: Options = { json: { type: 'boolean' } };

export const GLOBAL_HELP = [
  '  -C, --dir DIR       the app folder (default: the current folder)',
  '  -e, --env ENV       the environment (default: the only one, or production)',
  '      --data-dir DIR  Wharf\'s state (default: $WHARF_DATA_DIR or ~/.local/state/wharf)',
  '      --json          machine-readable output (read commands)',
  '      --no-color      no colour (also NO_COLOR=1)',
  '      --verbose       stack traces with errors',
];

export function appDirOf(ctx: CommandContext): string {
  return resolve(ctx.io.cwd, (ctx.flags['dir'] as string | undefined) ?? '.');
}

/**
 * The app and environment a command means, read from the app folder's spec. The spec
 * loader is imported here, not at start-up: most commands never read the spec (plan and
 * apply leave it to the daemon), and the CLI's start is part of every command's wait.
 */
export async function appAndEnv(ctx: CommandContext): Promise<{ app: string; env: string; dir: string }> {
  const { loadApp, pickEnvironment } = await import('../spec/load.js');
  const dir = appDirOf(ctx);
  const loaded = loadApp(dir);
  const named = ctx.flags['env'] as string | undefined;
  // An environment made by `wharf env create` is not in the spec: the daemon knows it, or says it does not.
  if (named !== undefined && !loaded.environments.has(named)) return { app: loaded.spec.app, env: named, dir };
  const env = pickEnvironment(loaded, named);
  return { app: loaded.spec.app, env: env.name, dir };
}
