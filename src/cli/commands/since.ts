import { parseDuration } from '../../spec/duration.js';
import { WharfError } from '../../errors.js';

/** `--since 10m`: how far back, in milliseconds. */
export function parseSince(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new WharfError('USAGE', `--since ${text}: expected a duration like "10m" or "1h30m"`);
  return ms;
}
