import { isWharfError, type ErrorCode } from '../errors.js';
import { EXIT } from './command.js';
import type { Io } from './io.js';

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set(['USAGE']);

/**
 * The one place where errors become text and exit codes: `error[CODE]: message`, then the
 * hint; the stack only with --verbose. Errors that are not Wharf's are bugs: INTERNAL.
 */
export function reportError(io: Io, e: unknown, opts: { verbose: boolean; color: boolean; json: boolean }): number {
  const code: ErrorCode = isWharfError(e) ? e.code : 'INTERNAL';
  const message = e instanceof Error ? e.message : String(e);
  const hint = isWharfError(e) ? e.hint : 'this is a bug in Wharf; run again with --verbose and report the stack';
  if (opts.json) {
    io.stderr.write(`${JSON.stringify({ error: isWharfError(e) ? e.toJSON() : { code, message } })}\n`);
  } else {
    const red = (s: string) => (opts.color ? `\x1b[31m${s}\x1b[0m` : s);
    io.stderr.write(`${red(`error[${code}]`)}: ${message}\n`);
    if (hint) io.stderr.write(`  hint: ${hint}\n`);
  }
  if (opts.verbose && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
  return USAGE_CODES.has(code) ? EXIT.USAGE : EXIT.ERROR;
}
