import type { ParseArgsConfig } from 'node:util';
import type { Io } from './io.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** What a command's run() receives: parsed flags, positionals, and the terminal. */
export interface CommandContext {
  flags: Record<string, string | boolean | string[] | undefined>;
  args: string[];
  io: Io;
}

export interface Command {
  /** Words that name it: `plan`, `daemon stop`, `lock release`. */
  name: string;
  summary: string;
  /** Usage after `wharf <name>`, e.g. `[-e ENV] [--json]`. */
  usage: string;
  /** Extra help lines. */
  details?: string[];
  options?: Options;
  /** Names of positional arguments it takes (for help and arity checks); `...` for any. */
  positionals?: string[];
  /** A read command: supports --json. */
  json?: boolean;
  run(ctx: CommandContext): Promise<number | void>;
}

/** Exit codes (stable: scripts depend on them). */
export const EXIT = {
  OK: 0,
  ERROR: 1,
  /** `wharf plan`: there are changes (terraform's -detailed-exitcode). */
  CHANGES: 2,
  /** Wrong flags or arguments (sysexits.h EX_USAGE). */
  USAGE: 64,
} as const;
