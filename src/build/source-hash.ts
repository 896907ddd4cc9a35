/**
 * The source hash: what decides whether a build can be reused. It covers exactly what the
 * build command sees — every snapshot entry's path, git mode and contents — plus the command
 * and the build-time variables, so changing any of them makes a new build and nothing else
 * does (not file times, owners, or the order the files were read in).
 */
import { createHash } from 'node:crypto';
import { ENTRY_MODE, type EntryKind } from './snapshot-entry.js';

export interface EntryRecord {
  path: string;
  kind: EntryKind;
  /** sha256 of the contents (of the target, for a symlink), hex. */
  digest: string;
}

export interface HashInput {
  entries: readonly EntryRecord[];
  command: string | undefined;
  env: Readonly<Record<string, string>>;
}

export function digestOf(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * sha256 over NUL-framed fields (a path cannot hold NUL), entries in byte order of their
 * path so the result does not depend on how the snapshot was walked. Hex, 64 characters.
 */
export function sourceHash(input: HashInput): string {
  const hash = createHash('sha256');
  hash.update('wharf-build-v1\0');
  const entries = [...input.entries].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  for (const entry of entries) {
    hash.update(`entry\0${ENTRY_MODE[entry.kind]}\0${entry.path}\0${entry.digest}\0`);
  }
  // `undefined` and '' differ: "no build step" is not an empty shell command.
  hash.update(input.command === undefined ? 'no-command\0' : `command\0${input.command}\0`);
  for (const name of Object.keys(input.env).sort()) {
    hash.update(`env\0${name}\0${input.env[name]}\0`);
  }
  return hash.digest('hex');
}
